import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const [vector] = JSON.parse(readFileSync(new URL('../test/vectors/rfc9578-type2-issuance.json', import.meta.url), 'utf8')) as { token: string }[];

test('the privacy-pass client makes the RFC 9578 token inside a module Web Worker', async ({ page }) => {
  await page.goto('/pp-worker/');
  const result = page.locator('#result');
  await expect(result).toHaveText('done');
  await expect(result).toHaveAttribute('data-in-worker', 'true');
  await expect(result).toHaveAttribute('data-verified', 'true');
  await expect(result).toHaveAttribute('data-token', vector!.token);
});
