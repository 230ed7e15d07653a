import { createEmulatorHandler } from 'relay-claim-kit/emulator';
import { appOrigin } from '../../../lib/origin';

// The local Persona Relay emulator, for this test app only (no Persona account needed). publicUrl: its
// issuer name and page links use the app's real origin, not Next's localhost request.url.
const emulator = createEmulatorHandler({ basePath: '/persona', publicUrl: `${appOrigin()}/persona` });

export const GET = emulator;
export const POST = emulator;
