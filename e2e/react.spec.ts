import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

// RelayVerification from the main entry in Chromium, under a strict CSP, with the real module worker,
// the real handler and the emulator's hosted page on one origin (e2e/relayDevPlugin.ts).
function watch(page: Page) {
  const problems: string[] = [];
  page.on('console', (message) => {
    // A backend without the cancel route answers 404; the kit tolerates it (Chromium still logs the status).
    if (message.type() === 'error' && !message.location().url.endsWith('/cancel')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { relayCspViolations: string[] }).relayCspViolations);
}

// A cold dev server may discover a dependency on the first visit and reload the page once; let that happen here.
test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto('/react/');
  await page.waitForLoadState('networkidle');
  await expect(page.locator('.relay-kit')).toBeVisible({ timeout: 20_000 });
  await page.close();
});

test('passes end to end under a strict CSP: one session and one worker in StrictMode, focus on the result, axe clean', async ({ page }) => {
  const problems = watch(page);
  const sessions: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/relay/sessions') sessions.push(request.url());
  });
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await page.goto('/react/');
  const kit = page.locator('.relay-kit');
  await expect(kit).toHaveAttribute('data-status', 'inquiry', { timeout: 20_000 });
  const frame = page.frameLocator('.relay-kit__widget iframe');
  await frame.getByRole('button', { name: 'Finish verification' }).click({ timeout: 20_000 });
  await expect(kit).toHaveAttribute('data-status', 'passed', { timeout: 20_000 });
  await expect(page.getByRole('heading', { name: 'Verified: Age 18+ (Germany)' })).toBeFocused();
  await expect(page.getByRole('status')).toHaveText('Verification passed.');
  expect(sessions).toHaveLength(1);
  // StrictMode mounts twice; the token is still made by one module worker.
  expect(workers).toHaveLength(1);
  expect(workers[0]).toContain('relay.worker');
  // No inline style in the kit's own markup (the widget styles its own iframe, as Persona's does).
  expect(await page.locator('[style]').evaluateAll((elements) => elements.filter((e) => !e.closest('.relay-kit__widget')).length)).toBe(0);
  const axe = await new AxeBuilder({ page }).include('.relay-kit').analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);
  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test('the theme follows prefers-color-scheme through the CSS custom properties', async ({ page }) => {
  const background = async () => page.locator('.relay-kit').evaluate((element) => getComputedStyle(element).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/react/');
  await expect(page.locator('.relay-kit')).toHaveAttribute('data-theme', 'system');
  expect(await background()).toBe('rgb(255, 255, 255)');
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await background()).toBe('rgb(22, 25, 31)'); // --relay-bg of the dark theme, #16191f
});

test('German: the widget gets language=de; "Prüfung abbrechen" destroys it and tells the backend; "Erneut versuchen" mounts a new one', async ({ page }) => {
  const problems = watch(page);
  const cancels: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/cancel')) cancels.push(request.url());
  });
  await page.goto('/react/?locale=de');
  const kit = page.locator('.relay-kit');
  await expect(kit).toHaveAttribute('data-status', 'inquiry', { timeout: 20_000 });
  const widget = page.locator('.relay-kit__widget');
  await expect(widget).toHaveAttribute('aria-label', /^Identitätsprüfung: .*\(Deutschland\)$/);
  // One widget (StrictMode), told the kit's language and theme.
  await expect(widget.locator('iframe')).toHaveCount(1);
  const src = new URL((await widget.locator('iframe').getAttribute('src'))!, page.url());
  expect(src.searchParams.get('language')).toBe('de');
  expect(src.searchParams.get('theme')).toBe('auto');
  // The emulator's page speaks German too, as Persona's widget does when told language=de.
  const frame = page.frameLocator('.relay-kit__widget iframe');
  await expect(frame.getByRole('button', { name: 'Prüfung abschließen' })).toBeVisible({ timeout: 20_000 });
  await expect(frame.getByRole('heading', { name: 'Prüfung: Ab 18 Jahren (Deutschland)' })).toBeVisible();
  await expect(frame.locator('html')).toHaveAttribute('lang', 'de');
  await page.getByRole('button', { name: 'Prüfung abbrechen' }).click();
  await expect(page.getByRole('heading', { name: 'Prüfung abgebrochen' })).toBeFocused();
  await expect(page.locator('iframe')).toHaveCount(0);
  await expect.poll(() => cancels.length).toBe(1);
  await page.getByRole('button', { name: 'Erneut versuchen' }).click();
  await expect(kit).toHaveAttribute('data-status', 'inquiry', { timeout: 20_000 });
  await expect(page.locator('.relay-kit__widget iframe')).toHaveCount(1);
  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
});
