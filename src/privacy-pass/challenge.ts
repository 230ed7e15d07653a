import { assertBytes, assertObject, assertString, concatBytes, fromUtf8, readUint16, uint16, utf8 } from './bytes.ts';
import { PrivacyPassError } from './errors.ts';

/** RFC 9577 §2.1.1 TokenChallenge, decoded. `originInfo` is the comma-separated origin list, split. */
export interface TokenChallenge {
  tokenType: number;
  issuerName: string;
  /** 0 or 32 bytes. */
  redemptionContext: Uint8Array;
  originInfo: string[];
}

// §2.1.1: redemption_context is empty or 32 bytes.
const contextLengths = [0, 32];

// A field of §2.1.1 with a 2-byte length prefix.
function field(bytes: Uint8Array, name: string): Uint8Array {
  return concatBytes(uint16(bytes.length, name), bytes);
}

/** Encodes a TokenChallenge (RFC 9577 §2.1.1). */
export function encodeTokenChallenge(challenge: TokenChallenge): Uint8Array {
  assertObject(challenge, 'challenge');
  const { tokenType, issuerName, redemptionContext, originInfo } = challenge;
  assertString(issuerName, 'challenge.issuerName');
  assertBytes(redemptionContext, 'challenge.redemptionContext');
  if (!Array.isArray(originInfo) || originInfo.some((o) => typeof o !== 'string')) throw new TypeError('challenge.originInfo: expected an array of strings');
  // §2.1.1: a non-empty issuer_name; redemption_context empty or 32 bytes; origins joined by ','
  // (so none may be empty or hold a comma, or the list would not decode to itself).
  if (issuerName === '') throw new RangeError('challenge.issuerName: empty');
  if (!contextLengths.includes(redemptionContext.length)) throw new RangeError('challenge.redemptionContext: expected 0 or 32 bytes');
  if (originInfo.some((o) => o === '' || o.includes(','))) throw new RangeError('challenge.originInfo: empty or with a comma');
  return concatBytes(
    uint16(tokenType, 'challenge.tokenType'),
    field(utf8(issuerName), 'challenge.issuerName length'),
    Uint8Array.of(redemptionContext.length),
    redemptionContext,
    field(utf8(originInfo.join(',')), 'challenge.originInfo length'),
  );
}

/** Decodes a TokenChallenge (RFC 9577 §2.1.1); `bad-challenge` when the bytes are not exactly one. */
export function decodeTokenChallenge(bytes: Uint8Array): TokenChallenge {
  assertBytes(bytes, 'challenge');
  let at = 2;
  // Reads past the end come back short and leave `at` beyond the length, which the check below sees.
  const take = (lengthBytes: 1 | 2): Uint8Array => {
    const length = lengthBytes === 1 ? (bytes[at] ?? 0) : readUint16(bytes, at);
    at += lengthBytes + length;
    return bytes.slice(at - length, at);
  };
  const [name, context, origins] = [take(2), take(1), take(2)];
  let text: string[] | undefined;
  try {
    text = [fromUtf8(name), fromUtf8(origins)];
  } catch {
    // Not UTF-8: refused below with the other malformations.
  }
  const [issuerName, originList] = text ?? [];
  if (at !== bytes.length || !issuerName || originList === undefined || !contextLengths.includes(context.length)) {
    throw new PrivacyPassError('bad-challenge', 'TokenChallenge: malformed (RFC 9577 §2.1.1)');
  }
  return { tokenType: readUint16(bytes, 0), issuerName, redemptionContext: context, originInfo: originList ? originList.split(',') : [] };
}
