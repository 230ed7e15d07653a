import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';

/** The emulator is mounted at /persona on the fixture server (e2e/relayDevPlugin.ts), control on. */
const apiHeaders = { authorization: 'Bearer sk_test_emulator' };

async function createRelay(request: APIRequestContext, claimType = 'age_over_18_germany') {
  const res = await request.post('/persona/api/v1/relays', { headers: apiHeaders, data: { 'claim-type': claimType, 'encryption-key-pem': null } });
  expect(res.status()).toBe(201);
  const body = (await res.json()) as Record<string, string>;
  return { relayToken: body['relay-token']!, sessionToken: body['relay-session-access-token']! };
}

const messages = (page: Page) => page.evaluate(() => (window as unknown as { relayMessages: unknown[] }).relayMessages);

test('a person completes the inquiry inside the iframe; the host sees ready then complete', async ({ page, request }) => {
  const relay = await createRelay(request);
  await page.goto(`/emulator-host/?token=${encodeURIComponent(relay.sessionToken)}`);
  const frame = page.frameLocator('iframe[title="Verification"]');
  await expect(frame.getByRole('heading', { name: /Verify: Age 18\+ for Germany/ })).toBeVisible();
  await expect.poll(() => messages(page)).toEqual([{ type: 'relay:ready' }]);

  await frame.getByLabel('Pass').check();
  await frame.getByLabel('Method').selectOption('document_selfie');
  await frame.getByRole('button', { name: 'Finish verification' }).click();
  await expect(frame.getByRole('heading', { name: 'Verification finished' })).toBeFocused();
  await expect.poll(() => messages(page)).toEqual([{ type: 'relay:ready' }, { type: 'relay:complete', status: 'completed' }]);

  // The API agrees: the relay's inquiry is final, so the claim is no longer "not yet available".
  const log = await (await request.get('/persona/__emulator/log')).json() as { entries: unknown[] };
  expect(log.entries.length).toBeGreaterThan(0);
  const control = await request.post(`/persona/__emulator/relays/${relay.relayToken}/inquiry`, { data: { status: 'failed' } });
  expect(await control.json()).toEqual({ status: 'completed' });
});

test('a failed outcome posts complete with status failed', async ({ page, request }) => {
  const relay = await createRelay(request, 'age_over18_france');
  await page.goto(`/emulator-host/?token=${encodeURIComponent(relay.sessionToken)}`);
  const frame = page.frameLocator('iframe[title="Verification"]');
  await frame.getByLabel('Fail').check();
  await frame.getByRole('button', { name: 'Finish verification' }).click();
  await expect(frame.getByText('Verification did not pass.')).toBeVisible();
  await expect.poll(() => messages(page)).toContainEqual({ type: 'relay:complete', status: 'failed' });
});

test('cancel posts relay:cancel', async ({ page, request }) => {
  const relay = await createRelay(request);
  await page.goto(`/emulator-host/?token=${encodeURIComponent(relay.sessionToken)}`);
  const frame = page.frameLocator('iframe[title="Verification"]');
  await frame.getByRole('button', { name: 'Cancel' }).click();
  await expect(frame.getByRole('heading', { name: 'Verification canceled' })).toBeVisible();
  await expect.poll(() => messages(page)).toEqual([{ type: 'relay:ready' }, { type: 'relay:cancel' }]);
});

test('a bad token shows the error screen and posts relay:error', async ({ page }) => {
  await page.goto('/emulator-host/?token=not-a-valid-token');
  const frame = page.frameLocator('iframe[title="Verification"]');
  await expect(frame.getByRole('heading', { name: 'Verification unavailable' })).toBeVisible();
  await expect(frame.getByRole('alert')).toContainText('not valid');
  await expect.poll(() => messages(page)).toEqual([{ type: 'relay:error' }]);
});

test('without an origin parameter the page posts nothing', async ({ page, request }) => {
  const relay = await createRelay(request);
  await page.goto(`/emulator-host/?origin=none&token=${encodeURIComponent(relay.sessionToken)}`);
  const frame = page.frameLocator('iframe[title="Verification"]');
  await frame.getByRole('button', { name: 'Finish verification' }).click();
  await expect(frame.getByRole('heading', { name: 'Verification finished' })).toBeVisible();
  expect(await messages(page)).toEqual([]);
});

test('the hosted page has no axe violations', async ({ page, request }) => {
  const relay = await createRelay(request);
  await page.goto(`/persona/relay?relay-session-access-token=${encodeURIComponent(relay.sessionToken)}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations).toEqual([]);
});

// Moves the shared emulator clock by 31 minutes, so it runs last; relays made later are unaffected.
test('an expired session token posts relay:expire', async ({ page, request }) => {
  const relay = await createRelay(request);
  expect((await request.post('/persona/__emulator/clock', { data: { advanceSeconds: 31 * 60 } })).status()).toBe(200);
  await page.goto(`/emulator-host/?token=${encodeURIComponent(relay.sessionToken)}`);
  const frame = page.frameLocator('iframe[title="Verification"]');
  await expect(frame.getByRole('heading', { name: 'Verification expired' })).toBeVisible();
  await expect.poll(() => messages(page)).toEqual([{ type: 'relay:expire' }]);
});
