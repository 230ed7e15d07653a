/**
 * The app's public origin, for this test app's emulator (its issuer name and the handler's Persona URL).
 * The relay handler's same-site check needs nothing: it reads the Host header Next.js passes through.
 */
export function appOrigin(): string {
  return process.env.APP_ORIGIN ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}`;
}
