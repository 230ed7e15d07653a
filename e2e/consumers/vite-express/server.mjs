// The app's backend: the kit's handler under /api/relay, the built app, and (for this test only) the
// local Persona Relay emulator under /persona. Against Persona: drop the emulator, set PERSONA_API_KEY.
import express from 'express';
import { createRelayHandler, toNodeListener } from 'relay-claim-kit/server';
import { createEmulatorHandler } from 'relay-claim-kit/emulator';

const port = Number(process.env.PORT ?? 3000);
const origin = `http://127.0.0.1:${port}`;
const app = express();

app.use('/persona', toNodeListener(createEmulatorHandler({ basePath: '/persona' })));

const relay = createRelayHandler({
  apiKey: process.env.PERSONA_API_KEY ?? 'sk_test_emulator',
  personaBaseUrl: process.env.PERSONA_BASE_URL ?? `${origin}/persona`,
  basePath: '/api/relay',
  claimTypes: ['age_over_18_germany'],
  onClaim: (session, claim) => {
    // The app's server decides here; what the browser shows is for the person, never proof.
    console.log(`claim for session ${session.sessionId}: ${claim.claimType} ${claim.claimResult}`);
  },
});
// Before any body parser: the handler reads the raw request itself.
app.use('/api/relay', toNodeListener(relay));

app.use(express.static('dist'));
app.listen(port, '127.0.0.1', () => console.log(`listening on ${origin}`));
