import { expect, test } from '@playwright/test';
import { axeStory, builtStories, serveStorybook } from './support/storybookServer.ts';

// Opens the built Storybook (`npm run build-storybook`) and checks every story: it settles in the state
// its `status:*` tag names, logs no console error, and axe finds no violation in it.
const stories = builtStories();
let storybook: Awaited<ReturnType<typeof serveStorybook>>;
let origin = '';

test.beforeAll(async () => {
  storybook = await serveStorybook();
  origin = storybook.origin;
});

test.afterAll(async () => {
  await storybook.close();
});

test('the build has a story for every state of issue 6', () => {
  const statuses = new Set(stories.map((s) => s.status));
  for (const status of ['idle', 'creating', 'inquiry', 'verifying', 'passed', 'failed', 'canceled', 'expired', 'error']) expect(statuses).toContain(status);
  expect(stories.length).toBeGreaterThanOrEqual(14);
});

test('every story renders its state without a console error and passes axe', async ({ page }) => {
  test.setTimeout(180_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${String(response.status())}: ${response.url()}`);
  });
  for (const { id, name, status } of stories) {
    if (!status) continue;
    const story = { id, name };
    await test.step(story.name, async () => {
      problems.length = 0;
      await page.goto(`${origin}/iframe.html?id=${story.id}&viewMode=story`);
      const root = page.locator(`#storybook-root .relay-kit[data-status="${status}"]`);
      await expect(root, `${story.id} settles in ${status}`).toBeVisible({ timeout: 20_000 });
      await expect(page.getByRole('status')).toHaveText(/\S/);
      if (['passed', 'failed', 'canceled', 'expired', 'error'].includes(status) && !story.id.includes('custom-render')) {
        await expect(page.locator('.relay-kit__heading')).toBeFocused();
      }
      if (status === 'inquiry') {
        // The stand-in widget, mounted into the kit's labelled container as Persona's would be.
        const widget = page.locator('.relay-kit__widget');
        await expect(widget).toHaveAttribute('aria-label', /\S/);
        await expect(widget.getByRole('button', { name: 'Finish the inquiry' })).toBeVisible();
      }
      if (status === 'error') await expect(root.locator('.relay-kit__reference code')).toHaveText('req_story_5f2c1a9e');
      // No inline style attribute anywhere in the kit's markup: a strict style-src 'self' must hold.
      expect(await root.locator('[style]').count()).toBe(0);
      expect(await axeStory(page), `${story.id} axe`).toEqual([]);
      expect(problems, `${story.id} console`).toEqual([]);
    });
  }
});

test('clicking through the stand-in widget reaches the result', async ({ page }) => {
  await page.goto(`${origin}/iframe.html?id=relayverification--inquiry&viewMode=story`);
  await page.locator('.relay-kit__widget').getByRole('button', { name: 'Finish the inquiry' }).click();
  await expect(page.locator('.relay-kit[data-status="passed"]')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('Document and selfie')).toBeVisible();
});
