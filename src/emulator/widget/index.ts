/**
 * `relay-claim-kit/emulator/widget`: `EmulatorRelay`, a browser drop-in for `@persona/relay`'s `Relay`
 * that mounts the local emulator's hosted page. Browser-only; imports nothing from Node.
 */
export { EmulatorRelay, type EmulatorRelayConfig, type EmulatorRelayError, type EmulatorRelayOptions } from './EmulatorRelay.ts';
