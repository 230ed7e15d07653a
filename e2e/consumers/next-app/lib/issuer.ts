import { appOrigin } from './origin';

/** The emulator names its own host as issuer; against Persona there is nothing to pass. */
export function emulatorIssuer(): string {
  return `${new URL(appOrigin()).host}/persona/api/v1/privacy-passes`;
}
