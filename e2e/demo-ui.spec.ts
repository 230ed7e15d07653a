/**
 * The demo page as a person meets it (issue 16): nothing starts until Verify, the whole page follows the
 * language and theme switches, the server panel is pushed the claim, a keyboard alone gets from start to
 * result, and the page logs no console error (favicon included).
 */
import { expect, test, type Frame, type Page } from '@playwright/test';

function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${String(response.status())} ${response.url()}`);
  });
  return errors;
}

function sessionsCreated(page: Page): string[] {
  const created: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/api\/relay[\w-]*\/sessions$/.test(r.url())) created.push(r.url());
  });
  return created;
}

async function focusedIn(frame: Frame): Promise<string> {
  return frame.evaluate(() => {
    const active = document.activeElement;
    return active ? `${active.tagName.toLowerCase()}:${active.textContent.trim() || (active as HTMLInputElement).value}` : '';
  });
}

test.describe.configure({ mode: 'serial' });

test('keyboard only: choose a claim, Verify, finish the inquiry, land on the result with a visible focus ring', async ({ page }) => {
  const errors = consoleErrors(page);
  const created = sessionsCreated(page);
  await page.goto('/');
  const claim = page.getByLabel('Claim to verify');
  await expect(claim).toBeVisible();
  // Tab from the top of the page to the claim picker.
  for (let i = 0; i < 10 && !(await claim.evaluate((el) => el === document.activeElement)); i += 1) await page.keyboard.press('Tab');
  await expect(claim).toBeFocused();
  // Five arrow presses move through the list and start nothing.
  for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowDown');
  await expect(claim).not.toHaveValue('');
  const chosen = await claim.inputValue();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Verify', exact: true })).toBeFocused();
  expect(created).toHaveLength(0);
  await page.keyboard.press('Enter');

  const frameElement = page.locator('.relay-kit__widget iframe');
  await expect(frameElement.contentFrame().getByRole('button', { name: 'Finish verification' })).toBeVisible({ timeout: 20_000 });
  expect(created).toHaveLength(1);
  const frame = (await (await frameElement.elementHandle())?.contentFrame()) ?? undefined;
  if (!frame) throw new Error('the inquiry frame has no document');
  // Into the hosted page and on to its "Finish verification" button, by Tab alone.
  for (let i = 0; i < 20 && (await focusedIn(frame)) !== 'button:Finish verification'; i += 1) await page.keyboard.press('Tab');
  expect(await focusedIn(frame)).toBe('button:Finish verification');
  await page.keyboard.press('Enter');

  const heading = page.locator('.relay-kit__heading');
  await expect(heading).toBeFocused({ timeout: 20_000 });
  await expect(heading).toContainText('Verified:');
  // The keyboard user sees where focus went.
  expect(await heading.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
  await expect(page.getByRole('region', { name: 'What the server learned' }).getByRole('listitem').first()).toHaveAttribute('data-result', 'passed');
  expect(chosen).not.toBe('');
  expect(errors).toEqual([]);
});

test('mouse: no focus ring on the result heading, the server panel is pushed the claim (no polling), no console error', async ({ page }) => {
  const errors = consoleErrors(page);
  const polls: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/demo/server-view')) polls.push(r.url());
  });
  await page.goto('/');
  await page.getByLabel('Claim to verify').selectOption('age_over_18_germany');
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  const frame = page.locator('.relay-kit__widget iframe').contentFrame();
  await frame.getByLabel('Pass').check();
  await frame.getByLabel('Method').selectOption('document_selfie');
  await frame.getByRole('button', { name: 'Finish verification' }).click();
  const heading = page.getByRole('heading', { name: 'Verified: Age 18+ (Germany)' });
  await expect(heading).toBeFocused({ timeout: 20_000 });
  expect(await heading.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('none');
  const latest = page.getByRole('region', { name: 'What the server learned' }).getByRole('listitem').first();
  await expect(latest).toContainText('Age 18+ (Germany)');
  await expect(latest).toContainText('Document and selfie: passed');
  await expect(latest).toContainText(/browser:/);
  expect(polls).toEqual([]);
  expect(errors).toEqual([]);
});

test('the language and theme switches restyle and translate the whole page, kit included', async ({ page }) => {
  const errors = consoleErrors(page);
  const created = sessionsCreated(page);
  await page.goto('/?claimType=age_over_18_france');
  await expect(page.locator('.relay-kit__widget iframe')).toBeVisible({ timeout: 20_000 });
  await page.getByLabel('Theme').selectOption('dark');
  await page.getByLabel('Language').selectOption('de');
  await expect(page.getByLabel('Darstellung')).toHaveValue('dark');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByLabel('Zu prüfender Nachweis')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Prüfung abbrechen' })).toBeVisible();
  await expect(page.locator('.relay-kit')).toHaveAttribute('data-theme', 'dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(14, 16, 20)');
  // The picker shows labels grouped by kind, never raw ids.
  const groups = await page.locator('#demo-claim optgroup').evaluateAll((list) => list.map((g) => g.getAttribute('label')));
  expect(groups).toEqual(['Alter, nach Land', 'Alter, nach Nachweisart', 'Anwesenheit', 'Sonstige (im Emulator konfiguriert)']);
  for (const text of await page.locator('#demo-claim option').allTextContents()) expect(text).not.toMatch(/_/);
  // The open inquiry keeps its language (the widget reads it when it mounts); the next one is German throughout.
  await page.getByLabel('Zu prüfender Nachweis').selectOption('age_over_18_france');
  await page.getByRole('button', { name: 'Prüfen', exact: true }).click();
  const inquiry = page.locator('.relay-kit__widget iframe').contentFrame();
  await expect(inquiry.getByRole('heading', { name: 'Prüfung: Ab 18 Jahren (Frankreich)' })).toBeVisible({ timeout: 20_000 });
  await expect(inquiry.locator('html')).toHaveAttribute('lang', 'de');
  await expect(inquiry.getByRole('button', { name: 'Prüfung abschließen' })).toBeVisible();
  expect(created.length).toBeGreaterThanOrEqual(1);
  expect(errors).toEqual([]);
});
