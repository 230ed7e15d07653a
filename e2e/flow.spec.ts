import { expect, test, type Page } from '@playwright/test';

// Timings belong to bench/flow-e2e.bench.ts; here the waits only allow for a loaded CI machine.

interface Probe {
  statuses: string[];
  statusAt: Record<string, number | undefined>;
  tokenReadyAt?: number;
  workerAt?: number;
  longTasks: { start: number; duration: number; name: string }[];
  loaf: boolean;
  longFrames: { start: number; duration: number; scripts: { invoker: string; sourceURL: string; start: number; duration: number }[] }[];
  completedAt?: number;
  finalAt?: number;
}

const probe = (page: Page): Promise<Probe> =>
  page.evaluate(() => {
    const { statuses, statusAt, tokenReadyAt, workerAt, longTasks, loaf, longFrames, completedAt, finalAt } = (window as unknown as { relay: Probe }).relay;
    return { statuses, statusAt, tokenReadyAt, workerAt, longTasks, loaf, longFrames, completedAt, finalAt };
  });

async function completeInquiry(page: Page, outcome: 'Pass' | 'Fail') {
  const frame = page.frameLocator('#relay-container iframe');
  await frame.getByLabel(outcome).check();
  await frame.getByRole('button', { name: 'Finish verification' }).click();
}

for (const path of ['/flow/', '/flow-csp/']) {
  test(`RelayFlow with the real worker reads a passed claim (${path})`, async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));

    const response = await page.goto(`${path}?claimType=age_over_18_germany`);
    if (path === '/flow-csp/') expect(response?.headers()['content-security-policy']).toContain("worker-src 'self'");
    await expect(page.locator('#status')).toHaveAttribute('data-token-ready', 'true', { timeout: 15_000 });
    await completeInquiry(page, 'Pass');
    await expect(page.locator('#status')).toHaveText('passed', { timeout: 15_000 });
    const claim = JSON.parse((await page.locator('#claim').textContent()) ?? '{}') as { claimResult: string; claimType: string };
    expect(claim).toMatchObject({ claimType: 'age_over_18_germany', claimResult: 'passed' });

    const seen = await probe(page);
    // The redeem's answer carries the claim when the backend settled it within redeemWaitMs (150 ms); on a
    // loaded machine it may answer 'redeeming' first, and the flow then polls once before 'passed'.
    expect([
      ['idle', 'creating', 'inquiry', 'redeeming', 'passed'],
      ['idle', 'creating', 'inquiry', 'redeeming', 'polling', 'passed'],
    ]).toContainEqual(seen.statuses);
    const polls = requests.filter((r) => r.startsWith('GET /api/relay/sessions/')).length;
    expect(polls > 0).toBe(seen.statuses.includes('polling'));
    expect(violations).toEqual([]);
    // The worker, not the page, fetched the challenge and the issuance.
    expect(requests).toContain('POST /api/relay/sessions');
    expect(requests.filter((r) => r.endsWith('/challenge') || r.endsWith('/issue'))).toHaveLength(2);
  });
}

/**
 * What ran long on the page's main thread while the token was made: from the worker's construction (or
 * the inquiry, if later) to tokenReady. The kit loads its token code on demand first; loading a page's
 * code (here a dev server's many modules, in a fresh browser context) is not making the token.
 */
function mainThreadWhileTokenMade(seen: Probe): { windowMs: number; longScripts: unknown[]; longTasks: unknown[] } {
  const from = Math.max(seen.statusAt.inquiry ?? Number.NaN, seen.workerAt ?? Number.NaN);
  const to = seen.tokenReadyAt ?? Number.NaN;
  const overlaps = (t: { start: number; duration: number }, a = from, b = to): boolean => t.start < b && t.start + t.duration > a;
  // Only this page's own tasks: the fixture serves the hosted inquiry same-origin, so its iframe shares
  // our thread here ('same-origin-descendant'); Persona's real page is cross-origin, in its own process.
  const selfLongTasks = seen.longTasks.filter((t) => t.name === 'self' && t.duration > 50 && overlaps(t));
  // A script of 50 ms or more started in the window. (The script that entered the inquiry and mounted the
  // widget's iframe starts before the token work does.)
  const longScripts = seen.longFrames.filter((f) => overlaps(f)).flatMap((f) => f.scripts.filter((script) => script.duration >= 50 && script.start >= from));
  // Where the browser names the scripts of a long frame, a long task counts only when scripts started in
  // the window add up to 50 ms in it: the rest is rendering, the same-origin iframe's document, module
  // loading or GC, all stretched on a loaded 2-core machine and none of it the kit's. Without that
  // attribution every long task counts.
  const scriptMs = (f: (typeof seen.longFrames)[number]): number => f.scripts.filter((script) => script.start >= from).reduce((sum, script) => sum + script.duration, 0);
  const longTasks = seen.loaf
    ? selfLongTasks.filter((t) => seen.longFrames.some((f) => overlaps(f, t.start, t.start + t.duration) && scriptMs(f) >= 50))
    : selfLongTasks;
  test.info().annotations.push({ type: 'token window', description: `${(to - from).toFixed(0)} ms; long tasks on the page: ${JSON.stringify(seen.longTasks)}; long frames: ${JSON.stringify(seen.longFrames)}` });
  return { windowMs: to - from, longScripts, longTasks };
}

test('the main thread stays free while the token is made (no long task over 50 ms)', async ({ page }) => {
  await page.goto('/flow/');
  await expect(page.locator('#status')).toHaveAttribute('data-token-ready', 'true', { timeout: 15_000 });
  const seen = await probe(page);
  expect(seen.workerAt, 'the kit constructed a worker').toBeDefined();
  const { windowMs, longScripts, longTasks } = mainThreadWhileTokenMade(seen);
  expect(windowMs).toBeGreaterThan(0);
  expect(longScripts).toEqual([]);
  expect(longTasks).toEqual([]);
  await completeInquiry(page, 'Pass');
  await expect(page.locator('#status')).toHaveText('passed', { timeout: 15_000 });
});

test('the main-thread check catches a script that blocks the page for 80 ms while the token is made', async ({ page }) => {
  await page.goto('/flow/?busy=80');
  await expect(page.locator('#status')).toHaveAttribute('data-token-ready', 'true', { timeout: 15_000 });
  const seen = await probe(page);
  test.skip(!seen.loaf, 'needs long-animation-frame attribution');
  const { longScripts, longTasks } = mainThreadWhileTokenMade(seen);
  expect(longScripts).not.toEqual([]);
  expect(longTasks).not.toEqual([]);
});

test('a failed claim comes back failed with its methodology', async ({ page }) => {
  await page.goto('/flow/?claimType=age_over_18_united_kingdom');
  await completeInquiry(page, 'Fail');
  await expect(page.locator('#status')).toHaveText('failed', { timeout: 15_000 });
  const claim = JSON.parse((await page.locator('#claim').textContent()) ?? '{}') as { claimResult: string; methodology?: unknown[] };
  expect(claim.claimResult).toBe('failed');
  expect(claim.methodology?.length).toBeGreaterThan(0);
});

test('cancel frees the worker, and retry makes a new session whose token comes from a new worker', async ({ page }) => {
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await page.goto('/flow/');
  await expect(page.locator('#status')).toHaveAttribute('data-token-ready', 'true', { timeout: 15_000 });
  const firstSession = await page.evaluate(() => {
    const { flow } = (window as unknown as { relay: { flow: { cancel(): void; retry(): void; getSnapshot(): { status: string; session?: { sessionId: string } } } } }).relay;
    const id = flow.getSnapshot().session?.sessionId;
    flow.cancel();
    const canceled = flow.getSnapshot().status;
    flow.retry();
    return { id, canceled };
  });
  expect(firstSession.canceled).toBe('canceled');
  await expect(page.locator('#status')).toHaveAttribute('data-token-ready', 'true', { timeout: 15_000 });
  const secondSession = await page.evaluate(() => (window as unknown as { relay: { flow: { getSnapshot(): { session?: { sessionId: string } } } } }).relay.flow.getSnapshot().session?.sessionId);
  expect(secondSession).not.toBe(firstSession.id);
  await completeInquiry(page, 'Pass');
  await expect(page.locator('#status')).toHaveText('passed', { timeout: 15_000 });
  expect(workers).toHaveLength(2);
  expect(workers.every((url) => url.includes('relay.worker'))).toBe(true);
});
