import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who a request is for, as the app's `authorize` says: its own user id, account id, or similar. */
export interface RelaySubject {
  /** Stored with the session; only requests that `authorize` maps to the same subject may use it. */
  subject: string;
}

/**
 * The app's check of who is asking, run on every route: a subject, or the Response to answer instead
 * (e.g. 401 when nobody is logged in).
 */
export type RelayAuthorize = (request: Request) => RelaySubject | Response | Promise<RelaySubject | Response>;

/** How the handler binds sessions to the browser that made them when the app gives no `authorize`. */
export interface BindingCookieOptions {
  /**
   * `Secure` and the `__Host-` name prefix. Default: when the request URL is https. Set `true` behind
   * a proxy that terminates TLS and forwards plain http.
   */
  secure?: boolean;
  /** How long the browser keeps its binding; default 24 h (longer than any session lives). */
  maxAgeSeconds?: number;
}

/** A request's binding: whose it is, and the Set-Cookie to send when the handler just made the browser's. */
export interface RequestBinding {
  subject: string;
  /** Set on the answer when the handler minted the browser's binding cookie on this request. */
  setCookie?: string;
}

/** Name of the binding cookie over http (local development); over https it is `__Host-relay-claim`. */
export const bindingCookieName = 'relay-claim';
const secureCookieName = `__Host-${bindingCookieName}`;
const cookieValuePattern = /^[A-Za-z0-9_-]{43}$/;
const maxSubjectLength = 512;

function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The subject of a browser binding: a hash, so a leaked store holds no cookie that could be replayed. */
function browserSubject(value: string): string {
  return `browser:${createHash('sha256').update(value).digest('base64url')}`;
}

/**
 * Who is asking. With `authorize`, its answer (a Response passes through). Without it, the browser's
 * binding cookie; `mint` (session creation) makes one when the browser has none, other routes get
 * undefined, which the handler answers as an unknown session.
 * @throws TypeError when `authorize` returns neither a subject nor a Response.
 */
export async function bindRequest(
  request: Request,
  options: { authorize?: RelayAuthorize; cookie?: BindingCookieOptions; mint: boolean },
): Promise<RequestBinding | Response | undefined> {
  if (options.authorize) {
    const answer = await options.authorize(request);
    if (answer instanceof Response) return answer;
    const subject: unknown = (answer as Partial<RelaySubject> | null | undefined)?.subject;
    if (typeof subject !== 'string' || subject === '' || subject.length > maxSubjectLength) {
      throw new TypeError(`authorize must return { subject: string } (1–${String(maxSubjectLength)} characters) or a Response`);
    }
    return { subject };
  }
  const secure = options.cookie?.secure ?? new URL(request.url).protocol === 'https:';
  const name = secure ? secureCookieName : bindingCookieName;
  const present = cookieValue(request, name);
  if (present !== undefined && cookieValuePattern.test(present)) return { subject: browserSubject(present) };
  if (!options.mint) return undefined;
  const value = randomBytes(32).toString('base64url');
  const attributes = [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${String(options.cookie?.maxAgeSeconds ?? 24 * 60 * 60)}`,
    'HttpOnly',
    // Strict: a request another site starts carries no binding, so it cannot use anyone's session.
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ];
  return { subject: browserSubject(value), setCookie: attributes.join('; ') };
}

/** True when a session made for `owner` may be used by `subject`; constant-time in the subjects' content. */
export function sameSubject(owner: string | undefined, subject: string): boolean {
  if (owner === undefined) return false;
  const a = createHash('sha256').update(owner).digest();
  const b = createHash('sha256').update(subject).digest();
  return timingSafeEqual(a, b);
}
