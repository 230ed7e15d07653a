/**
 * The contract against Persona itself: `PERSONA_API_KEY=persona_sandbox_… npm run test:live`
 * (optional `PERSONA_API_BASE_URL`, `PERSONA_CLAIM_TYPE`, `PERSONA_OTHER_CLAIM_TYPE`). A `.live.ts`
 * file, so the main config never sends requests to Persona, with or without a key.
 */
import { describe, it } from 'vitest';
import { relayContract } from './relayContract.ts';

const liveKey = process.env.PERSONA_API_KEY ?? '';

if (liveKey === '') {
  describe('Persona Relay contract: Persona', () => {
    it.skip('skipped: set PERSONA_API_KEY (a persona_sandbox_… key) to hold Persona to the contract', () => {});
  });
} else {
  relayContract({
    name: 'Persona',
    profile: 'persona',
    claimType: process.env.PERSONA_CLAIM_TYPE ?? 'age_over18_germany',
    ...(process.env.PERSONA_OTHER_CLAIM_TYPE ? { otherClaimType: process.env.PERSONA_OTHER_CLAIM_TYPE } : {}),
    sandbox: liveKey.startsWith('persona_sandbox_'),
    control: false,
    async start() {
      return { baseUrl: (process.env.PERSONA_API_BASE_URL ?? 'https://api.withpersona.com').replace(/\/+$/, ''), apiKey: liveKey };
    },
  });
}
