import { createRelayHandler } from '../../src/server/index.ts';
import { RedisStore } from '../../src/server/redis.ts';
import { testHandlerDefaults } from './handlerDefaults.ts';
import { serveHandler } from './relayDriver.ts';

// One app-backend instance in a process of its own, so that a test can SIGKILL it mid-request (no
// finally, no socket close, no Redis QUIT: the death a crashed container dies). Configured from the
// environment, prints its URL as one JSON line.
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`handlerProcess needs ${name}`);
  return value;
};
const handler = createRelayHandler({
  ...testHandlerDefaults,
  protocol: 'persona',
  apiKey: env('RELAY_API_KEY'),
  personaBaseUrl: env('RELAY_PERSONA_URL'),
  store: new RedisStore({ url: env('RELAY_REDIS_URL'), prefix: env('RELAY_PREFIX'), commandTimeoutMs: 500 }),
  redeemLeaseMs: 600,
  redeemWaitMs: 0,
  retry: { baseDelayMs: 20, maxDelayMs: 200 },
});
const served = await serveHandler(handler);
process.stdout.write(`${JSON.stringify({ url: served.url })}\n`);
