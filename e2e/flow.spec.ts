import { expect, test, type Page } from '@playwright/test';

interface Probe {
  statuses: string[];
  longTasks: { start: number; duration: number }[];
  completedAt?: number;
  finalAt?: number;
}

const probe = (page: Page): Promise<Probe> =>
  page.evaluate(() => {
    const { statuses, longTasks, completedAt, finalAt } = (window as unknown as { relay: Probe }).relay;
    return { statuses, longTasks, completedAt, finalAt };
  });

async function completeInquiry(page: Page, outcome: 'Pass' | 'Fail') {
  const frame = page.frameLocator('iframe[title="Verification"]');
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
    await expect(page.locator('#status')).toHaveAttribute('data-token-ready', 'true');
    await completeInquiry(page, 'Pass');
    await expect(page.locator('#status')).toHaveText('passed');
    const claim = JSON.parse((await page.locator('#claim').textContent()) ?? '{}') as { claimResult: string; claimType: string };
    expect(claim).toMatchObject({ claimType: 'age_over_18_germany', claimResult: 'passed' });

    const seen = await probe(page);
    expect(seen.statuses).toEqual(['idle', 'creating', 'inquiry', 'redeeming', 'polling', 'passed']);
    expect(violations).toEqual([]);
    // The worker, not the page, fetched the challenge and the issuance.
    expect(requests).toContain('POST /api/relay/sessions');
    expect(requests.filter((r) => r.endsWith('/challenge') || r.endsWith('/issue'))).toHaveLength(2);
  });
}

test('the main thread stays free while the token is made (no long task over 50 ms)', async ({ page }) => {
  await page.goto('/flow/');
  await expect(page.locator('#status')).toHaveAttribute('data-token-ready', 'true');
  await completeInquiry(page, 'Pass');
  await expect(page.locator('#status')).toHaveText('passed');
  const seen = await probe(page);
  expect(seen.longTasks.filter((t) => t.duration > 50)).toEqual([]);
});

test('a failed claim comes back failed with its methodology', async ({ page }) => {
  await page.goto('/flow/?claimType=age_over_18_united_kingdom');
  await completeInquiry(page, 'Fail');
  await expect(page.locator('#status')).toHaveText('failed');
  const claim = JSON.parse((await page.locator('#claim').textContent()) ?? '{}') as { claimResult: string; methodology?: unknown[] };
  expect(claim.claimResult).toBe('failed');
  expect(claim.methodology?.length).toBeGreaterThan(0);
});
