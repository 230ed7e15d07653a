/**
 * Privacy Pass client and verifier: RFC 9577 challenges and tokens, RFC 9578 §6 Blind RSA issuance
 * (token type 0x0002) and the RFC 9474 primitives under it. Pure: WebCrypto and BigInt, no I/O.
 */
export { PrivacyPassError, type PrivacyPassErrorCode } from './errors.ts';
export { base64urlDecode, base64urlEncode, bytesToHex, hexToBytes } from './bytes.ts';
export { decodeTokenChallenge, encodeTokenChallenge, type TokenChallenge } from './challenge.ts';
export { parseChallengeHeader, type ParsedChallenge } from './header.ts';
export { parseRsaSpki, type RsaPublicKey } from './spki.ts';
export {
  blind,
  finalize,
  prepare,
  verify,
  rsabssaSha384PssDeterministic,
  rsabssaSha384PssRandomized,
  type BlindRsaVariant,
  type BlindResult,
} from './blindRsa.ts';
export {
  TOKEN_TYPE_BLIND_RSA,
  beginIssuance,
  decodeToken,
  decodeTokenRequest,

  encodeTokenRequest,
  tokenKeyId,
  verifyToken,
  type BeginIssuanceArgs,
  type PendingToken,
  type Token,
  type TokenRequest,
} from './issuance.ts';
