/**
 * The app's public origin. Next.js gives route handlers request.url as http://localhost:PORT whatever
 * the browser used, so the relay handler's same-site check and the emulator's issuer name take it from here.
 */
export function appOrigin(): string {
  return process.env.APP_ORIGIN ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}`;
}
