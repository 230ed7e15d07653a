/**
 * Privacy Pass client and verifier in two wire profiles: Persona's (PROTOCOL.md §3–4: JSON challenge
 * and token, hashed token input) and RFC 9577/9578 (token type 0x0002), both on the RFC 9474 Blind RSA
 * primitives. Pure: WebCrypto and BigInt, no I/O.
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
export {
  beginPersonaIssuance,
  decodePersonaChallenge,
  personaTokenInput,
  verifyPersonaToken,
  type BeginPersonaIssuanceArgs,
  type PendingPersonaToken,
  type PersonaChallenge,
  type PersonaTokenFields,
  type PrivacyPassProtocol,
} from './persona.ts';
