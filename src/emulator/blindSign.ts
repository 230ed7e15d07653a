import { constants, privateDecrypt, publicEncrypt } from 'node:crypto';
import type { IssuerKey } from './issuerKey.ts';

/**
 * RFC 9474 §4.3 BlindSign: s = m^d mod n, computed by OpenSSL with CRT through raw RSA decryption,
 * then checked with the public key (m = s^e mod n) so a fault never leaks a bad signature.
 * Throws RangeError when the blinded message is not an integer below n of the modulus length.
 */
export function blindSign(key: IssuerKey, blindedMsg: Uint8Array): Uint8Array {
  if (blindedMsg.length !== key.modulusBytes) throw new RangeError('blindedMsg: wrong length for this key');
  let signature: Buffer;
  try {
    signature = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, blindedMsg);
  } catch {
    throw new RangeError('blindedMsg: not a value below the modulus');
  }
  const check = publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, signature);
  if (!check.equals(blindedMsg)) throw new Error('blind signature failed its own verification');
  return new Uint8Array(signature);
}
