import { assertBytes, assertObject, concatBytes } from './bytes.ts';
import { PrivacyPassError } from './errors.ts';

/** RFC 9577 §2.1.1 TokenChallenge, decoded. `originInfo` is the comma-separated origin list, split. */
export interface TokenChallenge {
  tokenType: number;
  issuerName: string;
  /** 0 or 32 bytes. */
  redemptionContext: Uint8Array;
  originInfo: string[];
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function u16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

/** Encodes a TokenChallenge (RFC 9577 §2.1.1). */
export function encodeTokenChallenge(challenge: TokenChallenge): Uint8Array {
  assertObject(challenge, 'challenge');
  const { tokenType, issuerName, redemptionContext, originInfo } = challenge;
  if (!Number.isInteger(tokenType) || tokenType < 0 || tokenType > 0xffff) throw new RangeError('challenge.tokenType: expected a uint16');
  if (typeof issuerName !== 'string') throw new TypeError('challenge.issuerName: expected a string');
  assertBytes(redemptionContext, 'challenge.redemptionContext');
  if (!Array.isArray(originInfo) || originInfo.some((o) => typeof o !== 'string')) {
    throw new TypeError('challenge.originInfo: expected an array of strings');
  }
  const name = utf8.encode(issuerName);
  if (name.length < 1 || name.length > 0xffff) throw new RangeError('challenge.issuerName: expected 1 to 65535 bytes');
  // §2.1.1: redemption_context is either empty or exactly 32 bytes.
  if (redemptionContext.length !== 0 && redemptionContext.length !== 32) {
    throw new RangeError('challenge.redemptionContext: expected 0 or 32 bytes');
  }
  const origins = utf8.encode(originInfo.join(','));
  if (origins.length > 0xffff) throw new RangeError('challenge.originInfo: longer than 65535 bytes');
  return concatBytes(
    u16(tokenType),
    u16(name.length),
    name,
    Uint8Array.of(redemptionContext.length),
    redemptionContext,
    u16(origins.length),
    origins,
  );
}

/** Decodes a TokenChallenge (RFC 9577 §2.1.1); `bad-challenge` when the bytes are not exactly one. */
export function decodeTokenChallenge(bytes: Uint8Array): TokenChallenge {
  assertBytes(bytes, 'challenge');
  let at = 0;
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new PrivacyPassError('bad-challenge', 'TokenChallenge is truncated');
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const readU16 = (): number => {
    const b = take(2);
    return ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  };
  const text = (b: Uint8Array): string => {
    try {
      return strictUtf8.decode(b);
    } catch {
      throw new PrivacyPassError('bad-challenge', 'TokenChallenge holds a name that is not UTF-8');
    }
  };
  const tokenType = readU16();
  const nameLength = readU16();
  if (nameLength === 0) throw new PrivacyPassError('bad-challenge', 'TokenChallenge issuer_name is empty');
  const issuerName = text(take(nameLength));
  const contextLength = take(1)[0] ?? 0;
  if (contextLength !== 0 && contextLength !== 32) {
    throw new PrivacyPassError('bad-challenge', 'TokenChallenge redemption_context must be 0 or 32 bytes');
  }
  const redemptionContext = take(contextLength).slice();
  const origins = text(take(readU16()));
  if (at !== bytes.length) throw new PrivacyPassError('bad-challenge', 'TokenChallenge has trailing bytes');
  return { tokenType, issuerName, redemptionContext, originInfo: origins === '' ? [] : origins.split(',') };
}
