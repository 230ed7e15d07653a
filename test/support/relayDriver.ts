import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorLogEntry } from '../../src/emulator/index.ts';
import { beginIssuance, beginPersonaIssuance } from '../../src/privacy-pass/index.ts';
import { toNodeListener, type FetchHandler, type NodeListenerOptions } from '../../src/shared/nodeListener.ts';
import { parseChallengeMaterials, parseIssueAnswer } from '../../src/wire/answers.ts';
import { relayRoutePath } from '../../src/wire/routes.ts';
import type { RedeemAnswer, RelaySessionInfo, RelaySessionState } from '../../src/wire/types.ts';

/** A fetch-style handler listening on an ephemeral loopback port. */
export interface ServedHandler {
  url: string;
  close(): Promise<void>;
}

/** Serves a handler over real HTTP on 127.0.0.1, as an app instance behind a load balancer would be. */
export async function serveHandler(handler: FetchHandler, options: NodeListenerOptions = {}): Promise<ServedHandler> {
  const server: Server = createServer(toNodeListener(handler, options));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => { resolve(); });
      }),
  };
}

/** One HTTP answer as the browser saw it. */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * Cookies as a browser keeps them for the backend: per host (ports share cookies, as in browsers), set
 * by `Set-Cookie`, dropped by `Max-Age=0`, sent back on every request to that host.
 */
export class CookieJar {
  readonly #byHost = new Map<string, Map<string, string>>();

  /** The `Cookie` header for a request to `url`, if the jar holds any for its host. */
  header(url: string): string | undefined {
    const cookies = this.#byHost.get(new URL(url).hostname);
    if (!cookies || cookies.size === 0) return undefined;
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Keeps what an answer from `url` set. */
  keep(url: string, setCookies: readonly string[]): void {
    const host = new URL(url).hostname;
    const cookies = this.#byHost.get(host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const gone = attributes.some((a) => /^max-age=(0|-\d+)$/i.test(a));
      if (gone) cookies.delete(pair.slice(0, at));
      else cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    this.#byHost.set(host, cookies);
  }

  /** Forgets every cookie, as a new private window would. */
  clear(): void {
    this.#byHost.clear();
  }
}

/** The jar of every driver not given its own: the drivers of one test process are one browser. */
export const sharedCookieJar = new CookieJar();

/** A browser's calls to the backend routes, without the worker or React: each returns the raw answer. */
export class BrowserDriver {
  /** Every retry the driver made after a 429/5xx, as a person pressing "try again" would. */
  retries = 0;

  constructor(
    readonly base: string,
    readonly retryStatuses: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]),
    readonly maxRetries = 30,
    /** Pass `new CookieJar()` for another browser (another person, or an attacker without the cookie). */
    readonly cookies: CookieJar = sharedCookieJar,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Answer<T>> {
    const url = `${this.base}${path}`;
    const headers = new Headers(init.headers);
    // The kit's client sends every POST as JSON, an empty object when it has nothing to say.
    if (method === 'POST' && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const cookie = this.cookies.header(url);
    if (cookie !== undefined && !headers.has('cookie')) headers.set('cookie', cookie);
    const response = await fetch(url, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...init,
      headers,
    });
    this.cookies.keep(url, response.headers.getSetCookie());
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Non-JSON bodies stay text so a test can show what it got.
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** Calls until the answer is not a retryable status; returns the last answer. */
  async retrying<T = unknown>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.call<T>(method, path, body).catch((): Answer<T> | undefined => undefined);
      if (answer && !this.retryStatuses.has(answer.status)) return answer;
      if (attempt >= this.maxRetries) return answer ?? { status: 0, body: undefined as T, headers: new Headers() };
      this.retries += 1;
      await sleep(Math.min(20 * 2 ** attempt, 200));
    }
  }

  async createSession(claimType: string): Promise<RelaySessionInfo> {
    const answer = await this.retrying<RelaySessionInfo>('POST', relayRoutePath('createSession'), { claimType });
    expectStatus(answer, 201, 'create session');
    return answer.body;
  }

  /**
   * challenge → blind → issue → finalize, as the worker does, in the profile the challenge answer
   * names; returns persona's PrivateToken value or the base64url RFC 9577 Token. No issuer check.
   */
  async obtainToken(sessionId: string): Promise<string> {
    const challenge = await this.retrying('POST', relayRoutePath('challenge', sessionId));
    expectStatus(challenge, 200, 'challenge');
    const materials = parseChallengeMaterials(challenge.body);
    if (!materials.ok) throw new Error(`challenge: ${materials.problem}`);
    const { protocol, tokenKeyId } = materials.value;
    const tokenKey = fromB64(materials.value.tokenKey);
    if (protocol === 'persona') {
      const pending = await beginPersonaIssuance({ challenge: materials.value.challenge, tokenKey, tokenKeyId });
      return pending.finalize(fromB64(await this.issue(sessionId, pending.blindedToken)));
    }
    const pending = await beginIssuance({ challenge: fromB64(materials.value.challenge), tokenKey });
    return toB64(await pending.finalize(fromB64(await this.issue(sessionId, pending.tokenRequest))));
  }

  /** The issue route: a blinded token (persona) or TokenRequest (rfc9578) in, the base64url answer out. */
  private async issue(sessionId: string, tokenRequest: Uint8Array): Promise<string> {
    const issued = await this.retrying('POST', relayRoutePath('issue', sessionId), { tokenRequest: toB64(tokenRequest) });
    expectStatus(issued, 200, 'issue');
    const answer = parseIssueAnswer(issued.body);
    if (!answer.ok) throw new Error(`issue: ${answer.problem}`);
    return answer.value.tokenResponse;
  }

  redeem(sessionId: string, token: string, init?: RequestInit): Promise<Answer<RedeemAnswer>> {
    return this.call('POST', relayRoutePath('redeem', sessionId), { token }, init);
  }

  read(sessionId: string): Promise<Answer<RelaySessionState>> {
    return this.call('GET', relayRoutePath('getSession', sessionId));
  }

  /** Polls until a final status (or `needs-token`), honouring `pollAfterMs` within bounds. */
  async pollUntilSettled(sessionId: string, timeoutMs = 20_000): Promise<RelaySessionState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.read(sessionId).catch(() => undefined);
      if (answer?.status === 200 && settled.has(answer.body.status)) return answer.body;
      if (Date.now() > deadline) {
        throw new Error(`session ${sessionId} did not settle: last ${answer ? `${String(answer.status)} ${JSON.stringify(answer.body)}` : 'no answer'}`);
      }
      const hint = answer?.status === 200 ? answer.body.pollAfterMs : undefined;
      await sleep(Math.min(Math.max(hint ?? 50, 20), 250));
    }
  }
}

const settled = new Set(['passed', 'failed', 'expired', 'error', 'needs-token']);

/** generate-claim calls in the emulator's log that spent a token, optionally for one relay. */
export function consumptions(log: EmulatorLogEntry[], relayToken?: string): number {
  return log.filter(
    (e) =>
      e.path.endsWith('/generate-claim') &&
      e.tokenConsumed === true &&
      e.replayed !== true &&
      (relayToken === undefined || e.path.includes(`/relays/${relayToken}/`)),
  ).length;
}

function expectStatus(answer: Answer, status: number, what: string): void {
  if (answer.status !== status) throw new Error(`${what}: expected ${String(status)}, got ${String(answer.status)} ${JSON.stringify(answer.body)}`);
}

/** Unpadded base64url of bytes. */
export function toB64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Bytes of (padded or unpadded) base64url. */
export function fromB64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** A promise that resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The issuer_name the emulator writes into persona challenges when reached at `emulatorUrl`: its own
 * host, not Persona's, so the browser side must be told to expect it (`expectedIssuer`).
 */
export function emulatorIssuerName(emulatorUrl: string): string {
  return `${new URL(emulatorUrl).host}/api/v1/privacy-passes`;
}
