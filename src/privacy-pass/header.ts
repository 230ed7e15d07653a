import { base64urlDecode } from './bytes.ts';
import { decodeTokenChallenge, type TokenChallenge } from './challenge.ts';
import { PrivacyPassError } from './errors.ts';
import { TOKEN_TYPE_BLIND_RSA } from './issuance.ts';

/** One PrivateToken challenge from a WWW-Authenticate value (RFC 9577 §2.1). */
export interface ParsedChallenge {
  /** From the challenge's first two bytes. */
  tokenType: number;
  /** False for token types this client cannot issue (kept so callers can see them). */
  supported: boolean;
  /** The TokenChallenge bytes, as the token's challenge_digest must hash them. */
  challenge: Uint8Array;
  /** Decoded, when the bytes are a well-formed TokenChallenge. */
  tokenChallenge?: TokenChallenge;
  tokenKey: Uint8Array;
  maxAge?: number;
}

const tchar = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

interface RawChallenge {
  scheme: string;
  params: Map<string, string>;
}

// RFC 9110 §11.6.1: challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ], in a comma list.
function splitChallenges(value: string): RawChallenge[] {
  const out: RawChallenge[] = [];
  let at = 0;
  const skip = (re: RegExp): void => {
    while (at < value.length && re.test(value[at] ?? '')) at += 1;
  };
  const token = (): string => {
    const start = at;
    while (at < value.length && tchar.test(value[at] ?? '')) at += 1;
    return value.slice(start, at);
  };
  let current: RawChallenge | undefined;
  while (at < value.length) {
    skip(/[\s,]/);
    if (at >= value.length) break;
    const start = at;
    const name = token();
    if (name === '') throw new PrivacyPassError('bad-challenge', `unexpected character at ${at} in WWW-Authenticate`);
    skip(/[ \t]/);
    if (value[at] !== '=' || current === undefined) {
      // A token not followed by '=' starts a new challenge (its scheme); so does the very first one.
      if (value[at] === '=') {
        at = start;
        throw new PrivacyPassError('bad-challenge', 'WWW-Authenticate starts with a parameter, not a scheme');
      }
      current = { scheme: name, params: new Map() };
      out.push(current);
      continue;
    }
    at += 1;
    skip(/[ \t]/);
    let paramValue: string;
    if (value[at] === '"') {
      at += 1;
      paramValue = '';
      while (at < value.length && value[at] !== '"') {
        if (value[at] === '\\') at += 1;
        paramValue += value[at] ?? '';
        at += 1;
      }
      if (value[at] !== '"') throw new PrivacyPassError('bad-challenge', 'unterminated quoted string in WWW-Authenticate');
      at += 1;
    } else {
      // token68-style values may carry base64 padding after the token characters.
      paramValue = token();
      while (value[at] === '=') {
        paramValue += '=';
        at += 1;
      }
    }
    current.params.set(name.toLowerCase(), paramValue);
  }
  return out;
}

/** Every PrivateToken challenge in a WWW-Authenticate value (RFC 9577 §2.1); other schemes are skipped. */
export function parseChallengeHeader(value: string): ParsedChallenge[] {
  if (typeof value !== 'string') throw new TypeError('value: expected a string');
  const parsed: ParsedChallenge[] = [];
  for (const { scheme, params } of splitChallenges(value)) {
    if (scheme.toLowerCase() !== 'privatetoken') continue;
    const challengeText = params.get('challenge');
    const keyText = params.get('token-key');
    if (challengeText === undefined || keyText === undefined) {
      throw new PrivacyPassError('bad-challenge', 'PrivateToken challenge without challenge or token-key');
    }
    let challenge: Uint8Array;
    let tokenKey: Uint8Array;
    try {
      challenge = base64urlDecode(challengeText);
      tokenKey = base64urlDecode(keyText);
    } catch {
      throw new PrivacyPassError('bad-challenge', 'PrivateToken challenge or token-key is not base64url');
    }
    if (challenge.length < 2) throw new PrivacyPassError('bad-challenge', 'PrivateToken challenge is too short');
    const tokenType = ((challenge[0] ?? 0) << 8) | (challenge[1] ?? 0);
    let tokenChallenge: TokenChallenge | undefined;
    try {
      tokenChallenge = decodeTokenChallenge(challenge);
    } catch {
      // Unknown token types (greasing, RFC 9577 §2.1) may use any structure: keep the raw bytes.
      tokenChallenge = undefined;
    }
    const maxAgeText = params.get('max-age');
    const maxAge = maxAgeText !== undefined && /^\d{1,10}$/.test(maxAgeText) ? Number(maxAgeText) : undefined;
    parsed.push({
      tokenType,
      supported: tokenType === TOKEN_TYPE_BLIND_RSA && tokenChallenge !== undefined,
      challenge,
      ...(tokenChallenge ? { tokenChallenge } : {}),
      tokenKey,
      ...(maxAge !== undefined ? { maxAge } : {}),
    });
  }
  return parsed;
}
