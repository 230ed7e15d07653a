import { expect, test, type Page } from '@playwright/test';

type Outcome = { token?: string; name?: string; code?: string; status?: number; message?: string };
type Harness = Record<'retryAfterFailedStart' | 'abortThenContinue' | 'terminateThenContinue', () => Promise<Outcome[]>> &
  Record<'timeout' | 'backendError', () => Promise<Outcome>> & { postRaw: (messages: unknown[]) => Promise<unknown[]> };

const tokenPattern = /^[A-Za-z0-9_-]{300,}$/;

async function open(page: Page): Promise<void> {
  await page.goto('/flow/worker/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

const call = <K extends keyof Harness>(page: Page, name: K, ...args: unknown[]): Promise<Awaited<ReturnType<Harness[K]>>> =>
  page.evaluate(
    ([n, a]) => (window as unknown as { harness: Record<string, (...x: unknown[]) => Promise<unknown>> }).harness[n as string]!(...(a)),
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<Harness[K]>>>;

test.beforeEach(async ({ page }) => {
  await open(page);
});

test('the real worker answers every malformed message with one typed error and keeps working', async ({ page }) => {
  const junk = [null, 42, 'token', [], { type: 'token' }, { type: 'token', id: 5, baseUrl: 'javascript:alert(1)', sessionId: 's' }, { type: 'cancel' }, { id: 7 }, { type: 'token', id: 8, baseUrl: 'http://x/', sessionId: '' }];
  const answers = (await call(page, 'postRaw', junk)) as { type: string; id: number; token?: string; error?: { name: string; code?: string } }[];
  const errors = answers.filter((a) => a.id !== 99);
  expect(errors).toHaveLength(junk.length);
  for (const answer of errors) expect(answer).toMatchObject({ type: 'error', error: { name: 'RelayProtocolError', code: 'bad-message' } });
  expect(errors.map((a) => a.id)).toEqual([-1, -1, -1, -1, -1, 5, -1, 7, 8]);
  expect(answers.find((a) => a.id === 99)).toMatchObject({ type: 'token', token: expect.stringMatching(tokenPattern) });
});

test('a worker that failed to start is not cached: the retry starts a new one and gets a token', async ({ page }) => {
  const [first, second, starts] = await call(page, 'retryAfterFailedStart');
  expect(first).toMatchObject({ name: 'RelayError', code: 'worker-error' });
  expect(second?.token).toMatch(tokenPattern);
  expect(starts?.token).toBe('2');
});

test('an aborted request rejects with AbortError and the worker serves the next one', async ({ page }) => {
  const [aborted, next] = await call(page, 'abortThenContinue');
  expect(aborted?.name).toBe('AbortError');
  expect(next?.token).toMatch(tokenPattern);
});

test('terminate rejects what is pending, and the next request starts a new worker', async ({ page }) => {
  const [pending, next] = await call(page, 'terminateThenContinue');
  expect(pending?.name).toBe('AbortError');
  expect(next?.token).toMatch(tokenPattern);
});

test('a request past its deadline is a RelayTimeoutError', async ({ page }) => {
  expect(await call(page, 'timeout')).toMatchObject({ name: 'RelayTimeoutError' });
});

test("the backend's error crosses the worker as a RelayApiError with its status", async ({ page }) => {
  expect(await call(page, 'backendError')).toMatchObject({ name: 'RelayApiError', status: 404 });
});
