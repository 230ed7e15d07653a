import { defaultClaimTypes } from '../../src/emulator/index.ts';

/** Every claim type the emulator knows (both spellings), for suites that test something other than the allow-list. */
export const everyClaimType: readonly string[] = Object.freeze(Object.keys(defaultClaimTypes()));

/**
 * `createRelayHandler` options for suites about something else: any claim type the emulator knows, and
 * no rate limit (they start many sessions from one loopback address). The attack suite tests both.
 */
export const testHandlerDefaults = Object.freeze({ claimTypes: everyClaimType, rateLimit: false as const });
