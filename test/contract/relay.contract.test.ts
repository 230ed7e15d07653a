/**
 * The contract of test/contract/relayContract.ts against the emulator (persona profile, its sandbox,
 * and the rfc9578 profile where the steps apply). Persona itself runs the same suite from
 * persona.contract.live.ts under `npm run test:live`.
 */
import { startEmulator } from '../../src/emulator/index.ts';
import { relayContract, type RelayContractTarget } from './relayContract.ts';

const emulatorTarget = (name: string, protocol: 'persona' | 'rfc9578', apiKey: string, sandbox: boolean): RelayContractTarget => ({
  name,
  profile: protocol,
  claimType: 'age_over18_germany',
  otherClaimType: 'live_human_presence',
  sandbox,
  control: true,
  refusalStatus: 401,
  async start() {
    const emulator = await startEmulator({ protocol, control: true, rateLimit: 1_000_000 });
    return { baseUrl: emulator.url, apiKey, controlUrl: `${emulator.url}/__emulator`, close: () => emulator.close() };
  },
});

relayContract(emulatorTarget('emulator (persona)', 'persona', 'sk_test_emulator', false));
relayContract(emulatorTarget('emulator (persona sandbox)', 'persona', 'persona_sandbox_emulator', true));
relayContract(emulatorTarget('emulator (rfc9578)', 'rfc9578', 'sk_test_emulator', false));
