import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

// EmulatorRelay in Chromium, used as an app uses Persona's Relay: the fixture page (e2e/app/widget) asks
// the app backend for a session and mounts the widget. The page is served from http://localhost:PORT and
// the emulator from http://127.0.0.1:PORT/persona, so the widget frames a page of ANOTHER origin, as with
// `npx relay-emulator` beside an app (same server, e2e/relayDevPlugin.ts; two origins).

interface Seen {
  origin: string;
  fromWidgetFrame: boolean;
  data: { tag?: string; event?: string } | null;
}
interface Fixture {
  callbacks: string[];
  seen: Seen[];
  violations: string[];
  accessToken: string;
}

function origins(baseURL: string | undefined) {
  const emulatorOrigin = new URL(baseURL ?? 'http://127.0.0.1:5174').origin;
  const appOrigin = emulatorOrigin.replace('127.0.0.1', 'localhost');
  return { appOrigin, emulatorOrigin, emulator: `${emulatorOrigin}/persona` };
}

async function open(page: Page, baseURL: string | undefined, query: Record<string, string> = {}, file = '') {
  const { appOrigin, emulator } = origins(baseURL);
  const params = new URLSearchParams({ emulator, ...query });
  await page.goto(`${appOrigin}/widget/${file}?${params.toString()}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  return page.frameLocator('#relay-container iframe');
}

const fixture = (page: Page) => page.evaluate(() => {
  const { callbacks, seen, violations, accessToken } = (window as unknown as { widgetFixture: Fixture }).widgetFixture;
  return { callbacks: [...callbacks], seen: [...seen], violations: [...violations], accessToken };
});

/** The window's `message` listeners as Chromium's debugger sees them (what DevTools lists). */
async function messageListeners(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { result } = await cdp.send('Runtime.evaluate', { expression: 'window', objectGroup: 'widget-spec' });
  const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
  const sources: string[] = [];
  for (const listener of listeners.filter((l) => l.type === 'message')) {
    const { result: source } = await cdp.send('Runtime.callFunctionOn', { functionDeclaration: 'function () { return String(this); }', objectId: listener.handler!.objectId!, returnByValue: true });
    sources.push(String(source.value));
  }
  await cdp.send('Runtime.releaseObjectGroup', { objectGroup: 'widget-spec' });
  await cdp.detach();
  return sources;
}

test('a person finishes in the emulator page of another origin: onComplete once; theme and language reach the page', async ({ page, baseURL }) => {
  const { emulatorOrigin } = origins(baseURL);
  const frame = await open(page, baseURL, { theme: 'dark', language: 'fr' });
  const src = new URL((await page.locator('#relay-container iframe').getAttribute('src'))!);
  expect(src.origin).toBe(emulatorOrigin);
  expect(src.pathname).toBe('/persona/relay');
  expect(src.searchParams.get('relay-session-access-token')).toBe((await fixture(page)).accessToken);
  expect(src.searchParams.get('theme')).toBe('dark');
  expect(src.searchParams.get('language')).toBe('fr');

  // The page speaks the language it was given, claim label included (the kit's French locale).
  await expect(frame.getByRole('heading', { name: 'Vérification\u00a0: 18 ans et plus (Allemagne)' })).toBeVisible({ timeout: 20_000 });
  await expect(frame.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(frame.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await frame.locator('html').evaluate((html) => getComputedStyle(html).colorScheme)).toBe('dark');
  await expect(frame.locator('body')).toHaveAttribute('data-language', 'fr');
  // The page's ready message arrived and changed nothing.
  await expect.poll(async () => (await fixture(page)).seen.map((m) => m.data?.event)).toEqual(['ready']);
  expect((await fixture(page)).callbacks).toEqual([]);

  await frame.getByLabel('Réussite').check();
  await frame.getByLabel('Méthode').selectOption('document_selfie');
  await frame.getByRole('button', { name: 'Terminer la vérification' }).click();
  await expect(frame.getByRole('heading', { name: 'Vérification terminée' })).toBeFocused();
  await expect(frame.locator('#done-status')).toHaveText('Vérification réussie.');
  await expect(page.locator('#callbacks li')).toHaveText(['complete']);
  const { seen } = await fixture(page);
  expect(seen.map((m) => [m.origin, m.fromWidgetFrame, m.data?.event])).toEqual([
    [emulatorOrigin, true, 'ready'],
    [emulatorOrigin, true, 'complete'],
  ]);
});

test('messages from another window of the emulator origin, or from the page itself, are ignored', async ({ page, baseURL }) => {
  const { appOrigin, emulator, emulatorOrigin } = origins(baseURL);
  const frame = await open(page, baseURL);
  await expect(frame.getByRole('button', { name: 'Finish verification' })).toBeVisible({ timeout: 20_000 });

  // A second emulator page for another session, framed beside the widget: right origin, wrong window.
  const other = await page.evaluate(async ({ emulator: base, appOrigin: origin }) => {
    const fx = (window as unknown as { widgetFixture: { createSession(): Promise<{ sessionAccessToken: string }> } }).widgetFixture;
    const { sessionAccessToken } = await fx.createSession();
    const iframe = document.createElement('iframe');
    iframe.id = 'intruder';
    iframe.title = 'Another emulator page';
    const url = new URL(`${base}/relay`);
    url.searchParams.set('relay-session-access-token', sessionAccessToken);
    url.searchParams.set('origin', origin);
    iframe.src = url.href;
    document.body.append(iframe);
    return sessionAccessToken;
  }, { emulator, appOrigin });
  expect(other).not.toBe((await fixture(page)).accessToken);
  await page.frameLocator('#intruder').getByRole('button', { name: 'Finish verification' }).click({ timeout: 20_000 });
  // The intruder posts 'complete' only once its server answered: wait for it, so the order below is fixed.
  const unseen = async () => (await fixture(page)).seen.filter((m) => !m.fromWidgetFrame).map((m) => [m.origin, m.data?.event]);
  await expect.poll(unseen).toEqual([[emulatorOrigin, 'ready'], [emulatorOrigin, 'complete']]);
  // The page itself posts a well-formed message: wrong window and wrong origin.
  await page.evaluate(() => { window.postMessage({ tag: 'relay-claim-kit/emulator-page', event: 'expire' }, '*'); });
  await expect.poll(unseen).toEqual([
    [emulatorOrigin, 'ready'],
    [emulatorOrigin, 'complete'],
    [appOrigin, 'expire'],
  ]);
  expect((await fixture(page)).callbacks).toEqual([]);

  // The widget's own page still counts. (The page has no Cancel: the kit's own button cancels.)
  await frame.getByRole('button', { name: 'Finish verification' }).click();
  await expect(frame.getByRole('heading', { name: 'Verification finished' })).toBeVisible();
  await expect(page.locator('#callbacks li')).toHaveText(['complete']);
});

test('a message from the widget frame once it shows another origin is ignored', async ({ page, baseURL }) => {
  const { appOrigin } = origins(baseURL);
  const frame = await open(page, baseURL);
  await expect(frame.getByRole('button', { name: 'Finish verification' })).toBeVisible({ timeout: 20_000 });
  const widgetFrame = page.frames().find((f) => f.url().includes('/persona/relay'));
  expect(widgetFrame).toBeDefined();
  // The same window for the widget, now showing a page of the app's origin (navigated from inside, as a redirect would).
  await widgetFrame!.evaluate((url) => { setTimeout(() => { location.href = url; }, 0); }, `${appOrigin}/widget/forger.html`);
  await expect(page.frameLocator('#relay-container iframe').locator('body')).toHaveAttribute('data-posted', 'true');
  await expect.poll(async () => (await fixture(page)).seen.filter((m) => m.fromWidgetFrame && m.origin === appOrigin).length).toBe(1);
  expect((await fixture(page)).callbacks).toEqual([]);
});

test('destroy() removes the iframe and the message listener it added', async ({ page, baseURL }) => {
  const frame = await open(page, baseURL);
  await expect(frame.getByRole('button', { name: 'Finish verification' })).toBeVisible({ timeout: 20_000 });
  const before = await messageListeners(page);
  expect(before.filter((source) => source.includes('parsePageMessage'))).toHaveLength(1);
  await page.evaluate(() => { (window as unknown as { widgetFixture: { destroy(): void } }).widgetFixture.destroy(); });
  await expect(page.locator('#relay-container iframe')).toHaveCount(0);
  const after = await messageListeners(page);
  expect(after.filter((source) => source.includes('parsePageMessage'))).toHaveLength(0);
  expect(after).toHaveLength(before.length - 1);
});

test('the page with the widget mounted has no axe violations, frame included', async ({ page, baseURL }) => {
  const frame = await open(page, baseURL);
  await expect(frame.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 20_000 });
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});

test('works under a strict CSP (no inline script or style markup): no violation, onComplete', async ({ page, baseURL }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const frame = await open(page, baseURL, {}, 'csp.html');
  await frame.getByRole('button', { name: 'Finish verification' }).click({ timeout: 20_000 });
  await expect(page.locator('#callbacks li')).toHaveText(['complete']);
  expect((await fixture(page)).violations).toEqual([]);
  expect(problems).toEqual([]);
});

test('an unknown session token: onError with a code, the page says why', async ({ page, baseURL }) => {
  const frame = await open(page, baseURL, { token: 'not-a-valid-token' });
  await expect(frame.getByRole('alert')).toContainText('not valid', { timeout: 20_000 });
  await expect(page.locator('#callbacks li')).toHaveText(['error:invalid-session']);
});

// Moves the shared emulator clock by 31 minutes, so it runs last; relays made later are unaffected.
test('the session expires while the widget is open: onExpire when the person finishes', async ({ page, baseURL, request }) => {
  const frame = await open(page, baseURL);
  await expect(frame.getByRole('button', { name: 'Finish verification' })).toBeVisible({ timeout: 20_000 });
  expect((await request.post('/persona/__emulator/clock', { data: { advanceSeconds: 31 * 60 } })).status()).toBe(200);
  await frame.getByRole('button', { name: 'Finish verification' }).click();
  await expect(frame.getByRole('heading', { name: 'Verification expired' })).toBeVisible();
  await expect(page.locator('#callbacks li')).toHaveText(['expire']);
});
