/**
 * Issue 13 in a real browser: the person finishes the inquiry in the widget's frame and the tab is
 * closed before the browser's redeem leaves. The worker already handed the token to the server
 * (`POST …/token`), so the server's reconcile timer (e2e/relayDevPlugin.ts) must still redeem it
 * and deliver `onClaim` — checked on the server's side, through what onClaim recorded.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';

interface ServerClaim {
  sessionId: string;
  claimType: string;
  claimResult: 'passed' | 'failed';
}

async function serverClaims(request: APIRequestContext): Promise<ServerClaim[]> {
  return (await (await request.get('/api/demo/server-view')).json()) as ServerClaim[];
}

test('a tab closed right after Finish still gets its claim delivered to the server by reconcile', async ({ page, request }) => {
  const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/relay/sessions');
  const tokenHandedOver = page.waitForResponse((r) => r.request().method() === 'POST' && /^\/api\/relay\/sessions\/[^/]+\/token$/.test(new URL(r.url()).pathname));
  // The browser's redeem never leaves the page: the only way the claim can reach onClaim is the server's own.
  const redeemBlocked = new Promise<void>((resolve) => {
    void page.route(/\/api\/relay\/sessions\/[^/]+\/redeem$/, async (route) => {
      resolve();
      await route.abort('aborted');
    });
  });

  await page.goto('/?claimType=age_over_18_germany');
  const { sessionId } = (await (await created).json()) as { sessionId: string };
  expect((await tokenHandedOver).status()).toBeLessThan(300);
  expect((await serverClaims(request)).some((c) => c.sessionId === sessionId)).toBe(false);

  const frame = page.locator('iframe').first().contentFrame();
  await frame.getByLabel('Pass').check();
  await frame.getByRole('button', { name: 'Finish verification' }).click();
  await redeemBlocked;
  await page.close();

  await expect
    .poll(async () => (await serverClaims(request)).find((c) => c.sessionId === sessionId), {
      message: 'onClaim for the closed tab’s session',
      // A probe made while the person was still in the inquiry backs off 5 s, then 10 s (a slow, loaded machine).
      timeout: 30_000,
    })
    .toMatchObject({ sessionId, claimType: 'age_over_18_germany', claimResult: 'passed' });
});
