import { HttpError } from './http.ts';

/**
 * Refuses a request another site started (403): `Sec-Fetch-Site: cross-site`, or an `Origin` whose
 * host is neither the request's own nor one of `allowedOrigins`. Such a request can still be sent by a
 * visitor's browser (a form, a `no-cors` fetch), so it must not create relays on the app's key.
 * Hosts are compared without the scheme: behind a TLS-terminating proxy the app sees http.
 * "The request's own host" is the URL's, the `Host` header's or `X-Forwarded-Host`'s: Next.js hands
 * route handlers `http://localhost:PORT` as the URL whatever the browser asked for, and a proxy may
 * rewrite `Host`. Trusting the headers is safe here: a page on another site cannot choose `Host`, and
 * setting `X-Forwarded-Host` needs a CORS preflight these routes never grant; a client outside a
 * browser can send any `Origin` anyway, so this check is about browsers only.
 * @throws HttpError 403.
 */
export function assertSameSite(request: Request, allowedOrigins: readonly string[] = []): void {
  if (request.headers.get('sec-fetch-site')?.toLowerCase() === 'cross-site') {
    throw new HttpError(403, 'Forbidden', 'cross-site requests are refused');
  }
  const origin = request.headers.get('origin');
  if (origin === null) return;
  if (allowedOrigins.includes(origin)) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    // `Origin: null` (sandboxed frames, some redirects) and garbage: not the app.
    throw new HttpError(403, 'Forbidden', 'cross-site requests are refused');
  }
  if (host === '' || !ownHosts(request).includes(host)) throw new HttpError(403, 'Forbidden', 'cross-site requests are refused');
}

function ownHosts(request: Request): string[] {
  const forwarded = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  const hosts = [new URL(request.url).host, request.headers.get('host')?.trim(), forwarded];
  return hosts.filter((h): h is string => h !== undefined && h !== '').map((h) => h.toLowerCase());
}

/**
 * Refuses a POST whose body is not declared JSON (415). Browsers send `text/plain`, form and multipart
 * bodies cross-site without asking the server first; `application/json` needs a CORS preflight.
 * @throws HttpError 415.
 */
export function assertJsonBody(request: Request): void {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'Unsupported Media Type', 'send the body as application/json', undefined, { 'accept-post': 'application/json' });
  }
}
