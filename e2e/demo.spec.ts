/**
 * The Playwright-driven demos: each is what a person does on `npm run demo`, in Chromium, checked on
 * three sides — what the person sees, what the app's server learned (onClaim), and what Persona (the
 * emulator) logged. Every demo leaves a screenshot of its final state under test-results/.
 */
import { expect, test, type APIRequestContext, type Page, type Request } from '@playwright/test';

interface ServerClaim {
  sessionId: string;
  claimType: string;
  claimResult: 'passed' | 'failed';
  methodology?: { method: string; result: string }[];
  encrypted: boolean;
}
interface LogEntry {
  method: string;
  path: string;
  status: number;
  tokenConsumed?: boolean;
  replayed?: boolean;
}

// Things that must never reach the browser: the API key, the relay secret's field, the relay token's field.
const secrets = ['sk_test_emulator', 'relay-secret', 'relaySecret', 'relay_secret', 'persona-relay-secret', 'relayToken', 'relay-token'];

async function serverClaims(request: APIRequestContext): Promise<ServerClaim[]> {
  return (await (await request.get('/api/demo/server-view')).json()) as ServerClaim[];
}
async function emulatorLog(request: APIRequestContext): Promise<LogEntry[]> {
  return ((await (await request.get('/persona/__emulator/log')).json()) as { entries: LogEntry[] }).entries;
}
const generateClaims = (log: LogEntry[]) => log.filter((e) => e.path.endsWith('/generate-claim') && e.replayed !== true && e.status === 200);

interface TrafficRecord {
  seen: string[];
  /** Resolves once no request to the kit or Persona is in flight and every body read has landed in `seen`. */
  idle(): Promise<void>;
}

/** Records what the page (its worker and frames included) sent and got from the app and Persona, to check for secrets. */
function recordRequests(page: Page): TrafficRecord {
  const seen: string[] = [];
  const inFlight = new Set<Request>();
  const reads = new Set<Promise<void>>();
  // The scan waits for the kit's and Persona's answers; the demo's own server-sent events stream never ends.
  const scanned = (r: Request) => /^\/(api\/relay[\w-]*|persona\/api)\//.test(new URL(r.url()).pathname);
  page.on('request', (r) => {
    if (scanned(r)) inFlight.add(r);
    seen.push([r.method(), r.url(), JSON.stringify(r.headers()), r.postData() ?? ''].join(' '));
  });
  const ended = (r: Request) => inFlight.delete(r);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.startsWith('/api/') && !path.startsWith('/persona/api/')) return;
    const read = r.text().then(
      (body) => { seen.push(`${r.url()} → ${body} ${JSON.stringify(r.headers())}`); },
      () => undefined,
    );
    if (!scanned(r.request())) return;
    reads.add(read);
    void read.finally(() => reads.delete(read));
  });
  return {
    seen,
    async idle() {
      // A response event comes before its request's finished event, so once nothing is in flight every read has started.
      await expect.poll(() => [...inFlight].map((r) => r.url()), { message: 'requests still in flight' }).toEqual([]);
      while (reads.size > 0) await Promise.all(reads);
    },
  };
}

/** Scans everything the page sent and received, after the last answer arrived (a scan before it would miss it). */
async function expectNoSecretInBrowserTraffic(traffic: TrafficRecord): Promise<void> {
  await traffic.idle();
  // The answer that carried the final result is among what is scanned.
  expect(traffic.seen.some((entry) => /\/api\/relay[\w-]*\/sessions\/[^/ ]+(\/redeem)? → .*"status":"passed"/.test(entry))).toBe(true);
  for (const entry of traffic.seen) for (const secret of secrets) expect(entry).not.toContain(secret);
}

async function finishInquiry(page: Page, outcome: 'Pass' | 'Fail', method?: string) {
  const frame = page.locator('iframe').first().contentFrame();
  await frame.getByLabel(outcome).check();
  if (method) await frame.getByLabel('Method').selectOption(method);
  await frame.getByRole('button', { name: 'Finish verification' }).click();
}

async function open(page: Page, query: string) {
  await page.goto(`/?${query}`);
  await expect(page.locator('iframe').first()).toBeVisible();
}

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/demo-${name}.png`, fullPage: true });

test.describe.configure({ mode: 'serial' });

test('passes with methodology', async ({ page, request }) => {
  const requests = recordRequests(page);
  const before = generateClaims(await emulatorLog(request)).length;
  await open(page, 'claimType=age_over_18_germany');
  await finishInquiry(page, 'Pass', 'document_selfie');
  const heading = page.getByRole('heading', { name: 'Verified: Age 18+ (Germany)' });
  await expect(heading).toBeVisible();
  await expect(heading).toBeFocused();
  await expect(page.getByLabel('What the person sees').getByRole('listitem').filter({ hasText: 'Document and selfie' })).toContainText('passed');
  await expect(page.getByRole('status').first()).toHaveText('Verification passed.');
  await expect.poll(async () => (await serverClaims(request))[0]).toMatchObject({ claimType: 'age_over_18_germany', claimResult: 'passed', methodology: [{ method: 'document_selfie', result: 'passed' }] });
  const spent = generateClaims(await emulatorLog(request)).slice(before);
  expect(spent.filter((e) => e.tokenConsumed === true)).toHaveLength(1);
  await expectNoSecretInBrowserTraffic(requests);
  await shot(page, 'passed');
});

test('fails with methodology', async ({ page, request }) => {
  await open(page, 'claimType=age_over_18_united_kingdom');
  await finishInquiry(page, 'Fail', 'facial_age_estimation');
  await expect(page.getByRole('heading', { name: /Not verified: Age 18\+ \(United Kingdom\)/ })).toBeVisible();
  await expect(page.getByLabel('What the person sees').getByRole('listitem').filter({ hasText: 'Facial age estimation' })).toContainText('failed');
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect.poll(async () => (await serverClaims(request))[0]).toMatchObject({ claimType: 'age_over_18_united_kingdom', claimResult: 'failed' });
  await shot(page, 'failed');
});

test('France: the methodology is not shared', async ({ page, request }) => {
  await open(page, 'claimType=age_over_18_france');
  await finishInquiry(page, 'Pass');
  await expect(page.getByRole('heading', { name: /Verified: Age 18\+ \(France\)/ })).toBeVisible();
  await expect(page.getByLabel('What the person sees').getByText(/Methodology not shared/i)).toBeVisible();
  const claim = (await serverClaims(request))[0];
  expect(claim).toMatchObject({ claimType: 'age_over_18_france', claimResult: 'passed' });
  expect(claim?.methodology).toBeUndefined();
  await shot(page, 'france');
});

test('a claim type the kit has never heard of gets a readable label and still verifies', async ({ page, request }) => {
  await open(page, 'claimType=age_over_25_mars');
  await finishInquiry(page, 'Pass', 'palm_reading');
  await expect(page.getByRole('heading', { name: 'Verified: Age 25+ (mars)' })).toBeVisible();
  await expect(page.getByLabel('What the person sees').getByRole('listitem').filter({ hasText: 'Palm reading' })).toBeVisible();
  await expect.poll(async () => (await serverClaims(request))[0]).toMatchObject({ claimType: 'age_over_25_mars', claimResult: 'passed' });
  await shot(page, 'unknown-type');
});

test('cancel, then try again', async ({ page, request }) => {
  const sessions: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/relay/sessions')) sessions.push(r.url());
  });
  await open(page, 'claimType=age_over_18_germany');
  await expect(page.locator('iframe').first().contentFrame().getByRole('button', { name: 'Finish verification' })).toBeVisible();
  // Persona's widget has no cancel callback: the kit's own button destroys the widget and tells the backend.
  const canceled = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/cancel'));
  await page.getByRole('button', { name: 'Cancel verification' }).click();
  await expect(page.getByRole('heading', { name: 'Verification canceled' })).toBeVisible();
  await canceled;
  await expect(page.locator('iframe')).toHaveCount(0);
  await shot(page, 'canceled');
  await page.getByRole('button', { name: 'Try again' }).click();
  await finishInquiry(page, 'Pass');
  await expect(page.getByRole('heading', { name: /Verified/ })).toBeVisible();
  expect(sessions).toHaveLength(2);
  await expect.poll(async () => (await serverClaims(request))[0]?.claimResult).toBe('passed');
});

test('the session expires while the person waits (browser clock moved 31 minutes)', async ({ page }) => {
  await page.clock.install();
  await open(page, 'claimType=age_over_18_germany');
  await page.clock.fastForward('31:00');
  await expect(page.getByRole('heading', { name: 'Verification expired' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await shot(page, 'expired');
});

test('encrypted payload: the server decrypts, the browser never sees the key', async ({ page, request }) => {
  const requests = recordRequests(page);
  await open(page, 'claimType=age_over_18_germany&encrypted=1');
  await finishInquiry(page, 'Pass');
  await expect(page.getByRole('heading', { name: /Verified/ })).toBeVisible();
  await expect.poll(async () => (await serverClaims(request))[0]).toMatchObject({ claimResult: 'passed', encrypted: true });
  await expectNoSecretInBrowserTraffic(requests);
  for (const entry of requests.seen) expect(entry).not.toContain('PRIVATE KEY');
  await shot(page, 'encrypted');
});

test('a 4096-bit issuer key', async ({ page, request }) => {
  const challenge = page.waitForResponse((r) => r.url().endsWith('/challenge'));
  await open(page, 'claimType=age_over_21_strict');
  const materials = (await (await challenge).json()) as { tokenKey: string };
  expect(Buffer.from(materials.tokenKey, 'base64url').length).toBeGreaterThan(512);
  await finishInquiry(page, 'Pass');
  await expect(page.getByRole('heading', { name: /Verified/ })).toBeVisible();
  await expect.poll(async () => (await serverClaims(request))[0]).toMatchObject({ claimType: 'age_over_21_strict', claimResult: 'passed' });
  await shot(page, 'rsa-4096');
});

test('a refunded token is reused by the next verification of that claim type', async ({ page, request }) => {
  const before = (await emulatorLog(request)).length;
  await open(page, 'claimType=age_over_18_brazil');
  await finishInquiry(page, 'Fail');
  await expect(page.getByRole('heading', { name: /Not verified/ })).toBeVisible();
  await page.getByRole('button', { name: 'Try again' }).click();
  await finishInquiry(page, 'Pass');
  await expect(page.getByRole('heading', { name: /Verified/ })).toBeVisible();
  const claims = generateClaims((await emulatorLog(request)).slice(before));
  // The failed claim refunds (token-consumed false); the pass spends exactly one token.
  expect(claims.map((e) => e.tokenConsumed)).toEqual([false, true]);
  await shot(page, 'refund-reused');
});

test('Persona injects 5xx, 429 bursts and latency mid-flow; the person still gets the right result', async ({ page, request }) => {
  await open(page, 'claimType=age_over_18_germany');
  await request.post('/persona/__emulator/faults', { data: { latencyMs: 150, errorRate: 0.3, status: 503, burst429: 3 } });
  try {
    await finishInquiry(page, 'Pass');
    await expect(page.getByRole('heading', { name: /Verified/ })).toBeVisible({ timeout: 30_000 });
  } finally {
    await request.post('/persona/__emulator/faults', { data: {} });
  }
  await expect.poll(async () => (await serverClaims(request))[0]?.claimResult).toBe('passed');
  await shot(page, 'faults');
});

test('Persona down, then back: the error shows a Request-Id, and "try again" succeeds', async ({ page, request }) => {
  await request.post('/persona/__emulator/faults', { data: { errorRate: 1, status: 503 } });
  try {
    await page.goto('/?claimType=age_over_18_germany');
    await expect(page.getByRole('heading', { name: /could not finish/i })).toBeVisible();
    await expect(page.locator('code').filter({ hasText: /^req_/ })).toBeVisible();
    await shot(page, 'error-request-id');
  } finally {
    await request.post('/persona/__emulator/faults', { data: {} });
  }
  await page.getByRole('button', { name: 'Try again' }).click();
  await finishInquiry(page, 'Pass');
  await expect(page.getByRole('heading', { name: /Verified/ })).toBeVisible();
});

test('two verifications in two tabs stay independent', async ({ context, request }) => {
  const [a, b] = [await context.newPage(), await context.newPage()];
  await open(a, 'claimType=age_over_18_germany');
  await open(b, 'claimType=live_human_presence');
  await finishInquiry(b, 'Pass', 'live_selfie');
  await expect(b.getByRole('heading', { name: /Verified: Live human presence/ })).toBeVisible();
  await expect(a.locator('iframe')).toBeVisible();
  await finishInquiry(a, 'Fail');
  await expect(a.getByRole('heading', { name: /Not verified: Age 18\+ \(Germany\)/ })).toBeVisible();
  const [latest, previous] = await serverClaims(request);
  expect([latest?.claimType, previous?.claimType].sort()).toEqual(['age_over_18_germany', 'live_human_presence']);
  await shot(a, 'tab-a');
  await shot(b, 'tab-b');
});

test('StrictMode makes one session and one worker per mount', async ({ page }) => {
  const sessions: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/relay/sessions')) sessions.push(r.url());
  });
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  const issued = page.waitForResponse((r) => r.url().endsWith('/issue'));
  await open(page, 'claimType=age_over_18_germany&strict=1');
  await issued;
  expect(sessions).toHaveLength(1);
  expect(workers).toHaveLength(1);
  // One widget construction: one emulator page framed.
  await expect(page.locator('iframe')).toHaveCount(1);
  await shot(page, 'strict-mode');
});

test('the page reloaded mid-inquiry starts cleanly and verifies', async ({ page, request }) => {
  await open(page, 'claimType=age_over_18_germany');
  await page.reload();
  await expect(page.locator('iframe')).toBeVisible();
  await finishInquiry(page, 'Pass');
  await expect(page.getByRole('heading', { name: /Verified/ })).toBeVisible();
  await expect.poll(async () => (await serverClaims(request))[0]?.claimResult).toBe('passed');
  await shot(page, 'reloaded');
});
