/**
 * relay-claim-kit/server/redis: `RedisStore`, for several app instances sharing sessions and refunded
 * tokens. Its own entry because it imports the optional peer `redis`; the main server entry never does,
 * so apps without Redis build without it (bundlers resolve every import, lazy or not).
 */
export { RedisStore, storeUnavailableCode, type RedisCommandClient, type RedisStoreOptions } from './redisStore.ts';
