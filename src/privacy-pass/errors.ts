/** Why a Privacy Pass step failed; an open set kept as string literals so callers can switch on it. */
export type PrivacyPassErrorCode =
  | 'bad-challenge'
  | 'unsupported-token-type'
  | 'bad-key'
  | 'key-id-mismatch'
  | 'bad-response'
  | 'bad-signature';

/** A protocol failure: well-typed input that the RFCs reject. Wrong types and lengths throw TypeError/RangeError instead. */
export class PrivacyPassError extends Error {
  override name = 'PrivacyPassError';
  readonly code: PrivacyPassErrorCode;

  constructor(code: PrivacyPassErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
