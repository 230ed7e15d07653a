import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

// Opens the built Storybook (`npm run build-storybook`) and checks every story: it settles in the state
// its `status:*` tag names, logs no console error, and axe finds no violation in it.
const staticDir = fileURLToPath(new URL('../storybook-static/', import.meta.url));
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

interface IndexEntry {
  id: string;
  type: string;
  name: string;
  tags?: string[];
}

let server: Server;
let origin = '';
let stories: IndexEntry[] = [];

test.beforeAll(async () => {
  const index = JSON.parse(await readFile(join(staticDir, 'index.json'), 'utf8')) as { entries: Record<string, IndexEntry> };
  stories = Object.values(index.entries).filter((entry) => entry.type === 'story');
  server = createServer((request, response) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
      // Chromium asks for /favicon.ico on its own; Storybook ships an SVG one, so answer "nothing" rather than 404.
      if (path === 'favicon.ico') {
        response.writeHead(204).end();
        return;
      }
      const file = join(staticDir, path === '' ? 'index.html' : path);
      if (!file.startsWith(staticDir) || !(await stat(file).then((s) => s.isFile(), () => false))) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      response.end(await readFile(file));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test('the build has a story for every state of issue 6', () => {
  const statuses = new Set(stories.flatMap((s) => s.tags ?? []).filter((t) => t.startsWith('status:')));
  for (const status of ['idle', 'creating', 'inquiry', 'verifying', 'passed', 'failed', 'canceled', 'expired', 'error']) expect(statuses).toContain(`status:${status}`);
  expect(stories.length).toBeGreaterThanOrEqual(14);
});

// Storybook's a11y addon runs axe on each render too; two axe runs at once fail, so wait for its turn.
async function analyzeWhenFree(page: Page) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await new AxeBuilder({ page }).include('#storybook-root').analyze();
    } catch (error) {
      if (attempt >= 20 || !String(error).includes('Axe is already running')) throw error;
      await page.waitForTimeout(250);
    }
  }
}

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
  for (const story of stories) {
    const status = story.tags?.find((t) => t.startsWith('status:'))?.slice('status:'.length);
    if (!status) continue;
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
      const axe = await analyzeWhenFree(page);
      expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `${story.id} axe`).toEqual([]);
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
