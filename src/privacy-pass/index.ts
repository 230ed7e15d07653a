/** Placeholder while the client is written. */
export const PRIVACY_PASS_TOKEN_TYPE = 0x0002;
