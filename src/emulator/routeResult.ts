/** What a route answers before the common headers, inflection and logging are applied. */
export interface RouteResult {
  status: number;
  /** JSON body with kebab-case keys; inflected on the way out. */
  body?: Record<string, unknown>;
  /** Binary body (the issuer's TokenResponse). */
  binary?: Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  /** generate-claim only: whether this answer spent the token. */
  tokenConsumed?: boolean;
}
