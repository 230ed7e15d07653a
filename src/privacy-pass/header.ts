import { assertString, base64urlDecode, readUint16 } from './bytes.ts';
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

interface RawChallenge {
  scheme: string;
  params: Map<string, string>;
}

// RFC 9110 §11.6.1: a comma list of `auth-scheme` and `auth-param` (token BWS "=" BWS (token /
// quoted-string)). Unquoted values may end in '=' padding (token68-like base64), so it is kept.
// The alternatives never overlap, so matching stays linear on hostile input.
const item = /([!#$%&'*+.^`|~\w-]+)(?:[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[!#$%&'*+./^`|~\w-]*=*))?[\s,]*/y;

function splitChallenges(value: string): RawChallenge[] {
  const out: RawChallenge[] = [];
  let current: RawChallenge | undefined;
  item.lastIndex = value.search(/[^\s,]|$/);
  while (item.lastIndex < value.length) {
    const at = item.lastIndex;
    const [, name = '', raw] = item.exec(value) ?? [];
    // A parameter needs a scheme before it.
    if (name === '' || (raw !== undefined && current === undefined)) throw new PrivacyPassError('bad-challenge', `WWW-Authenticate: unexpected input at ${at}`);
    if (raw === undefined) out.push((current = { scheme: name, params: new Map() }));
    else current?.params.set(name.toLowerCase(), raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
  }
  return out;
}

/** Every PrivateToken challenge in a WWW-Authenticate value (RFC 9577 §2.1); other schemes are skipped. */
export function parseChallengeHeader(value: string): ParsedChallenge[] {
  assertString(value, 'value');
  const parsed: ParsedChallenge[] = [];
  for (const { scheme, params } of splitChallenges(value)) {
    if (scheme.toLowerCase() !== 'privatetoken') continue;
    let challenge: Uint8Array;
    let tokenKey: Uint8Array;
    try {
      // A missing parameter decodes as '!', which is not base64url either.
      challenge = base64urlDecode(params.get('challenge') ?? '!');
      tokenKey = base64urlDecode(params.get('token-key') ?? '!');
    } catch {
      challenge = tokenKey = new Uint8Array(0);
    }
    if (challenge.length < 2 || tokenKey.length === 0) throw new PrivacyPassError('bad-challenge', 'PrivateToken: no base64url challenge and token-key');
    const tokenType = readUint16(challenge, 0);
    let tokenChallenge: TokenChallenge | undefined;
    try {
      tokenChallenge = decodeTokenChallenge(challenge);
    } catch {
      // Unknown token types (greasing, RFC 9577 §2.1) may use any structure: keep the raw bytes.
    }
    const maxAge = params.get('max-age');
    parsed.push({
      tokenType,
      supported: tokenType === TOKEN_TYPE_BLIND_RSA && tokenChallenge !== undefined,
      challenge,
      tokenChallenge,
      tokenKey,
      maxAge: maxAge !== undefined && /^\d{1,10}$/.test(maxAge) ? Number(maxAge) : undefined,
    });
  }
  return parsed;
}
