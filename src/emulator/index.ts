/** `relay-claim-kit/emulator`: a local Persona Relay for tests, Storybook and demos. */
export { createEmulatorHandler, knownPersonaVersions } from './handler.ts';
export { startEmulator, type RunningEmulator, type StartEmulatorOptions } from './startEmulator.ts';
export { defaultClaimTypes } from './claimTypes.ts';
export type {
  ClaimTypeConfig,
  EmulatorClock,
  EmulatorControl,
  EmulatorFaults,
  EmulatorHandler,
  EmulatorLogEntry,
  EmulatorOptions,
  EmulatorProtocol,
  FinishInquiry,
} from './options.ts';
export { toNodeListener } from '../shared/nodeListener.ts';
