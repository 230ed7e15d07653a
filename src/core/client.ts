/** The typed backend client lives in the wire contract (the worker uses it too); re-exported for core's users. */
export { createRelayClient, type RelayClient, type RelayClientOptions, type RelayRequestOptions } from '../wire/client.ts';
export type { ChallengeMaterials } from '../wire/types.ts';
