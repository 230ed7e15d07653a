import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** The built Storybook (`npm run build-storybook`) that the Storybook specs open. */
export const storybookDir = fileURLToPath(new URL('../../storybook-static/', import.meta.url));

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

/** A story of the built index, with the state its `status:*` tag says it settles in. */
export interface BuiltStory {
  id: string;
  name: string;
  /** From the `status:*` tag; undefined for stories that name no state. */
  status: string | undefined;
}

/**
 * The stories of the built Storybook, read synchronously so that a spec can make one test per story
 * (a broken story then does not hide the others); empty when Storybook was not built.
 */
export function builtStories(): BuiltStory[] {
  const indexFile = join(storybookDir, 'index.json');
  if (!existsSync(indexFile)) return [];
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { entries: Record<string, { id: string; type: string; name: string; tags?: string[] }> };
  return Object.values(index.entries).flatMap((entry) =>
    entry.type === 'story' ? [{ id: entry.id, name: entry.name, status: entry.tags?.find((t) => t.startsWith('status:'))?.slice('status:'.length) }] : [],
  );
}

/** Serves the built Storybook on a free local port; `close` stops it. */
export async function serveStorybook(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
      // Chromium asks for /favicon.ico on its own; Storybook ships an SVG one, so answer "nothing" rather than 404.
      if (path === 'favicon.ico') {
        response.writeHead(204).end();
        return;
      }
      const file = join(storybookDir, path === '' ? 'index.html' : path);
      if (!file.startsWith(storybookDir) || !(await stat(file).then((s) => s.isFile(), () => false))) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      response.end(await readFile(file));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }),
  };
}

/** axe on the story root. Storybook's a11y addon runs axe on each render too, and two runs at once fail, so this waits for its turn. */
export async function axeStory(page: Page): Promise<string[]> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const result = await new AxeBuilder({ page }).include('#storybook-root').analyze();
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    } catch (error) {
      if (attempt >= 20 || !String(error).includes('Axe is already running')) throw error;
      await page.waitForTimeout(250);
    }
  }
}
