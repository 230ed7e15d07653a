import { claimLabel, methodLabel } from '../i18n/claimLabel.ts';
import { format } from '../i18n/format.ts';
import { errorBody } from './apiError.ts';
import { allMethods } from './claimTypes.ts';
import type { EmulatorContext } from './context.ts';
import { inquiryCss, inquiryJs } from './hostedPageAssets.ts';
import { pageLocaleFor } from './pageStrings.ts';
import { readJsonObject } from './readBody.ts';
import { isFinal, type RelayRecord } from './relays.ts';
import { parseLanguage, parseTheme } from './widget/protocol.ts';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The `origin` query parameter when it is a plain http(s) origin; anything else means "post nothing". */
function messageOrigin(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `frame-ancestors`: 'self' plus the embedding origin when configured, or local development hosts. */
function frameAncestors(ctx: EmulatorContext, origin: string | undefined): string {
  if (!ctx.frameAncestors) return "'self' http://localhost:* http://127.0.0.1:*";
  return origin && ctx.frameAncestors.includes(origin) ? `'self' ${origin}` : "'self'";
}

function pageHeaders(ctx: EmulatorContext, origin: string | undefined): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The URL carries the session token: keep it out of Referer headers.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      `frame-ancestors ${frameAncestors(ctx, origin)}`,
    ].join('; '),
  };
}

/** What the page reports on load (to `EmulatorRelay` only, through widget/protocol.ts). */
interface PageState {
  event: 'ready' | 'error' | 'expire';
  /** Why an `error` page: the session token is not one this emulator issued, or its inquiry already ended. */
  errorCode?: 'invalid-session' | 'inquiry-finished';
  relay?: RelayRecord;
  token?: string;
}

/** How `EmulatorRelay` asked the page to look: Persona's `theme` and `language` widget options. */
interface PageLook {
  theme: string | undefined;
  language: string | undefined;
}

// Claim types and methods are labelled exactly as the kit labels them in its result, in the language the
// kit asked for, so the page and the result never name one claim two ways. No Cancel button: the kit's own
// Cancel ends an inquiry, as it must with Persona's widget, and two of them side by side confused people.
function renderPage(ctx: EmulatorContext, state: PageState, origin: string | undefined, look: PageLook): string {
  const base = ctx.basePath;
  const { messages, strings: t } = pageLocaleFor(look.language);
  // The page script swaps "Thank you." for the outcome, in the page's language.
  const doneStatus = ` id="done-status" data-passed="${escapeHtml(messages.announce.passed)}" data-failed="${escapeHtml(messages.announce.failed)}"`;
  const screen = (id: string, title: string, body: string, visible: boolean, alert = false): string =>
    `<section id="${id}" data-screen${visible ? '' : ' hidden'}><h1 tabindex="-1">${escapeHtml(title)}</h1><p${alert ? ' role="alert"' : ''}${id === 'done-screen' ? doneStatus : ''}>${escapeHtml(body)}</p></section>`;
  const config = state.relay ? (ctx.claimTypes[state.relay.claimType] ?? {}) : {};
  const methods = config.methods?.length ? config.methods : allMethods;
  const form = state.relay
    ? `<section id="form-screen" data-screen>
  <h1 tabindex="-1">${escapeHtml(format(t.heading, claimLabel(state.relay.claimType, messages)))}</h1>
  <p>${escapeHtml(t.intro)}</p>
  <form id="inquiry-form">
    <fieldset><legend>${escapeHtml(t.outcome)}</legend>
      <label><input type="radio" name="outcome" value="passed" checked> ${escapeHtml(t.pass)}</label>
      <label><input type="radio" name="outcome" value="failed"> ${escapeHtml(t.fail)}</label>
    </fieldset>
    <p><label for="method">${escapeHtml(t.method)}</label>
    <select id="method" name="method">${methods.map((m) => `<option value="${escapeHtml(m)}">${escapeHtml(methodLabel(m, messages))}</option>`).join('')}</select></p>
    <div class="actions"><button type="submit">${escapeHtml(t.finish)}</button></div>
  </form>
</section>`
    : '';
  const dataAttributes = [
    `data-event="${state.event}"`,
    state.errorCode ? `data-error-code="${state.errorCode}"` : '',
    origin ? `data-origin="${escapeHtml(origin)}"` : '',
    look.language ? `data-language="${escapeHtml(look.language)}"` : '',
    state.token ? `data-token="${escapeHtml(state.token)}"` : '',
    `data-decision-url="${escapeHtml(`${base}/relay/decision`)}"`,
  ].join(' ');
  return `<!doctype html>
<html lang="${escapeHtml(messages.locale)}"${look.theme ? ` data-theme="${look.theme}"` : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)}</title>
<link rel="stylesheet" href="${escapeHtml(`${base}/relay/inquiry.css`)}">
<script src="${escapeHtml(`${base}/relay/inquiry.js`)}" defer></script>
</head>
<body ${dataAttributes}>
<main>
${form}
${screen('done-screen', t.doneHeading, t.doneBody, false)}
${screen('error-screen', t.errorHeading, t.errorBody, state.event === 'error', true)}
${screen('expired-screen', messages.expiredHeading, t.expiredBody, state.event === 'expire', true)}
</main>
</body>
</html>`;
}

async function pageState(ctx: EmulatorContext, token: string | null): Promise<PageState> {
  const invalid: PageState = { event: 'error', errorCode: 'invalid-session' };
  if (!token) return invalid;
  const claims = await ctx.sessions.verify(token);
  if (claims === 'expired') return { event: 'expire' };
  if (claims === 'invalid') return invalid;
  const relay = ctx.relays.get(claims.relayToken);
  if (!relay || relay.claimType !== claims.claimType) return invalid;
  if (relay.status === 'expired') return { event: 'expire' };
  if (isFinal(relay.status)) return { event: 'error', errorCode: 'inquiry-finished' };
  return { event: 'ready', relay, token };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
}

/** Records the person's choice from the page: complete (pass/fail with a method) or cancel. */
async function decision(ctx: EmulatorContext, req: Request): Promise<Response> {
  const body = await readJsonObject(req).catch(() => undefined);
  if (!body || typeof body.token !== 'string') return json(400, { ...errorBody(400, 'token is required.'), reason: 'invalid' });
  const claims = await ctx.sessions.verify(body.token);
  if (typeof claims === 'string') return json(401, { ...errorBody(401, `Session token ${claims}.`), reason: claims });
  const relay = ctx.relays.get(claims.relayToken);
  if (!relay) return json(404, { ...errorBody(404, 'No such relay.'), reason: 'invalid' });
  if (relay.status === 'expired') return json(410, { ...errorBody(410, 'Inquiry expired.'), reason: 'expired' });
  if (isFinal(relay.status)) return json(409, { ...errorBody(409, 'Inquiry already finished.'), reason: 'invalid' });
  if (body.action === 'cancel') {
    ctx.relays.finish(relay, { status: 'canceled' }, 'page');
    return json(200, { status: relay.status });
  }
  const outcome = body.outcome;
  const method = body.method;
  if (body.action !== 'complete' || (outcome !== 'passed' && outcome !== 'failed') || typeof method !== 'string') {
    return json(400, { ...errorBody(400, 'Expected action complete with outcome passed|failed and a method, or action cancel.'), reason: 'invalid' });
  }
  ctx.relays.finish(relay, {
    status: outcome === 'passed' ? 'completed' : 'failed',
    claimResult: outcome,
    methodology: [{ method, result: outcome }],
  }, 'page');
  return json(200, { status: relay.status });
}

/** `{basePath}/relay…`: the page, its assets and the endpoint its buttons call. */
export async function hostedPageRoutes(ctx: EmulatorContext, req: Request, url: URL, path: string): Promise<Response> {
  if (path === '/relay' && (req.method === 'GET' || req.method === 'HEAD')) {
    const origin = messageOrigin(url.searchParams.get('origin'));
    const state = await pageState(ctx, url.searchParams.get('relay-session-access-token'));
    if (state.relay) ctx.relays.start(state.relay);
    const look = { theme: parseTheme(url.searchParams.get('theme')), language: parseLanguage(url.searchParams.get('language')) };
    const status = state.event === 'ready' ? 200 : state.event === 'expire' ? 410 : 401;
    return new Response(renderPage(ctx, state, origin, look), { status, headers: pageHeaders(ctx, origin) });
  }
  if (path === '/relay/inquiry.js' && req.method === 'GET') {
    return new Response(inquiryJs, { headers: { 'content-type': 'text/javascript; charset=utf-8', 'x-content-type-options': 'nosniff' } });
  }
  if (path === '/relay/inquiry.css' && req.method === 'GET') {
    return new Response(inquiryCss, { headers: { 'content-type': 'text/css; charset=utf-8', 'x-content-type-options': 'nosniff' } });
  }
  if (path === '/relay/decision' && req.method === 'POST') return decision(ctx, req);
  return json(404, errorBody(404, 'Not found.'));
}
