import { createRelayHandler } from 'relay-claim-kit/server';
import { appOrigin } from './origin';

// One handler per server process: it holds the sessions (MemoryStore by default; RedisStore from
// 'relay-claim-kit/server/redis' when several instances share them).
export const relay = createRelayHandler({
  apiKey: process.env.PERSONA_API_KEY ?? 'sk_test_emulator',
  // This test app mounts the emulator at /persona (app/persona/[...path]/route.ts); against Persona leave it out.
  personaBaseUrl: process.env.PERSONA_BASE_URL ?? `${appOrigin()}/persona`,
  basePath: '/api/relay',
  claimTypes: ['age_over_18_germany'],
  onClaim: (session, claim) => {
    // The server decides here; what the browser shows is for the person, never proof.
    console.log(`claim for session ${session.sessionId}: ${claim.claimType} ${claim.claimResult}`);
  },
});
