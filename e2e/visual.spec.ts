import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

// Visual snapshots of every state story of the built Storybook (`npm run build-storybook`), light and dark,
// English and German, 320 and 1024 px wide, plus axe in each theme and locale. The snapshots are committed
// and reviewed like code; regenerate them on purpose with `npx playwright test e2e/visual.spec.ts -u`.
// Taken with Debian's Chromium (playwright.config.ts); the tolerance absorbs font hinting, not layout changes.
const staticDir = fileURLToPath(new URL('../storybook-static/', import.meta.url));
const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' };
const themes = ['light', 'dark'] as const;
const locales = ['en', 'de'] as const;
const widths = [320, 1024] as const;

interface IndexEntry {
  id: string;
  type: string;
  tags?: string[];
}

let server: Server;
let origin = '';
// Read when the file loads so that each story is its own test (one broken story does not hide the others).
const indexFile = join(staticDir, 'index.json');
const stories = existsSync(indexFile)
  ? Object.values((JSON.parse(readFileSync(indexFile, 'utf8')) as { entries: Record<string, IndexEntry> }).entries).flatMap((entry) => {
      const status = entry.tags?.find((t) => t.startsWith('status:'))?.slice('status:'.length);
      return entry.type === 'story' && status ? [{ id: entry.id, status }] : [];
    })
  : [];

test('the static Storybook is built and has every state story', () => {
  expect(existsSync(indexFile), 'run npm run build-storybook first').toBe(true);
  expect(stories.length).toBeGreaterThanOrEqual(14);
});

test.beforeAll(async () => {
  server = createServer((request, response) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
      const file = join(staticDir, path === '' ? 'index.html' : path);
      if (path === 'favicon.ico' || !file.startsWith(staticDir) || !(await stat(file).then((s) => s.isFile(), () => false))) {
        response.writeHead(path === 'favicon.ico' ? 204 : 404).end();
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

const finalStatuses = ['passed', 'failed', 'canceled', 'expired', 'error'];

for (const story of stories) {
  for (const theme of themes) {
    for (const locale of locales) {
      test(`${story.id}, ${theme}, ${locale}: snapshots at ${widths.join(' and ')} px, axe clean`, async ({ page }) => {
        // A story that needs a token signs it in-thread (RSA key generation, blind signature): slow when the
        // machine is busy, so the waits below are on the story's own signals, with room for a loaded machine.
        test.setTimeout(120_000);
        await page.setViewportSize({ width: widths[0], height: 900 });
        // Story args from the URL: the same controls a reviewer flips in Storybook.
        await page.goto(`${origin}/iframe.html?id=${story.id}&viewMode=story&args=theme:${theme};locale:${locale}`);
        const root = page.locator(`#storybook-root .relay-kit[data-status="${story.status}"]`);
        await expect(root, `${story.id} settles in ${story.status}`).toBeVisible({ timeout: 60_000 });
        await expect(root).toHaveAttribute('data-theme', theme);
        if (finalStatuses.includes(story.status) && !story.id.includes('custom-render')) {
          await expect(page.locator('.relay-kit__heading')).toBeFocused();
        }
        // A state is reached once; each width is the same page reflowed, so a slow flow runs only once.
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        for (const width of widths) {
          await page.setViewportSize({ width, height: 900 });
          // Soft, so a failure reports both widths. Renders here are byte-identical run to run (Debian Chromium,
          // fonts-liberation); 1 % of pixels absorbs anti-aliasing noise, while a 2 px shift of one element
          // already differs in 3–5 % of them (tried on purpose on the passed, canceled and error stories).
          await expect.soft(root).toHaveScreenshot(`${story.id}-${theme}-${locale}-${String(width)}.png`, { maxDiffPixelRatio: 0.01, animations: 'disabled', caret: 'hide' });
        }
        // Storybook's a11y addon runs axe on each render too; two runs at once fail, so retry only that.
        let violations: string[] | undefined;
        await expect(async () => {
          try {
            const axe = await new AxeBuilder({ page }).include('#storybook-root').analyze();
            violations = axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
          } catch (error) {
            if (!String(error).includes('Axe is already running')) violations = [`axe failed: ${String(error)}`];
            else throw error;
          }
        }).toPass({ timeout: 30_000 });
        expect(violations, `${story.id} axe`).toEqual([]);
      });
    }
  }
}
