import { expect, test } from '@playwright/test';

// One verification per page of a consumer app built from the packed tarball (run by e2e/consumers/run.ts).
const name = process.env.CONSUMER_NAME ?? 'consumer';
const paths = (process.env.CONSUMER_PATHS ?? '/').split(',');

for (const path of paths) {
  test(`${name} ${path}: the verification passes, its token made in a module worker, with no console error`, async ({ page }) => {
    const problems: string[] = [];
    // Printed as they happen too, so a failed step upstream still shows what the page saw.
    const note = (problem: string): void => {
      problems.push(problem);
      console.log(`[${name} ${path}] ${problem}`);
    };
    page.on('console', (message) => {
      // A fallback to the main thread warns once: in a consumer build the worker must run.
      if (message.type() === 'error' || /main thread instead/.test(message.text())) note(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => { note(`pageerror: ${error.message}`); });
    page.on('response', (response) => {
      if (response.status() >= 400) note(`${String(response.status())} ${response.request().method()} ${response.url()}`);
    });
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    // What the kit asked for: the constructor's arguments, recorded before the app's code runs.
    await page.addInitScript(() => {
      const Native = window.Worker;
      const seen: { url: string; type: string | undefined }[] = [];
      (window as unknown as { __workers: typeof seen }).__workers = seen;
      window.Worker = class extends Native {
        constructor(url: string | URL, options?: WorkerOptions) {
          seen.push({ url: String(url), type: options?.type });
          super(url, options);
        }
      };
    });

    await page.goto(path);
    const frame = page.frameLocator('.relay-kit__widget iframe');
    await frame.getByRole('button', { name: 'Finish verification' }).click({ timeout: 30_000 });
    await expect(page.getByRole('heading', { name: 'Verified: age 18+ (Germany)' })).toBeVisible({ timeout: 30_000 });

    const constructed = await page.evaluate(() => (window as unknown as { __workers: { url: string; type: string | undefined }[] }).__workers);
    expect(constructed.length, 'the kit constructed a worker').toBeGreaterThan(0);
    for (const w of constructed) {
      // The kit asks for a module worker. Vite keeps it one; Next.js's bundlers re-emit it as their own
      // classic worker chunk (Turbopack's importScripts bootstrap, webpack's chunk loader) under /_next/static.
      if (name === 'vite-express') expect(w.type).toBe('module');
      else expect(new URL(w.url).pathname).toMatch(/^\/_next\/static\//);
      // Same origin, emitted by the app's bundler: never a file: URL, never a data: or blob: script.
      expect(new URL(w.url).origin).toBe(new URL(page.url()).origin);
    }
    expect(workers.length, 'a worker ran').toBeGreaterThan(0);
    const script = await page.request.get(constructed[0]?.url ?? '');
    expect(script.ok()).toBe(true);
    expect(script.headers()['content-type']).toMatch(/javascript/);
    if (path === '/wrapped' || name === 'vite-express') await expect(page.getByTestId('app-result')).toHaveText('App saw: passed');
    expect(problems).toEqual([]);
  });
}

test(`${name}: the relay routes refuse a create another site started, and take one from the app's own origin`, async ({ page, baseURL }) => {
  // Next.js hands route handlers http://localhost:PORT as request.url; the check must read the Host the
  // browser used, with no allowedOrigins configured (e2e/consumers/next-app/lib/relay.ts lists none).
  const create = (origin: string) =>
    page.request.post('/api/relay/sessions', { headers: { origin, 'content-type': 'application/json' }, data: { claimType: 'age_over_18_germany' } });
  expect((await create('https://evil.example')).status()).toBe(403);
  expect((await create(new URL(baseURL ?? '').origin)).status()).toBe(201);
});
