/**
 * `npx tsx scripts/screenshots.ts`: regenerates the README's screenshots (docs/screenshots/*.png) from the
 * demo, driven in Chromium as a person would use it. Starts its own demo server on a free port.
 *   --out <dir>   where to write (default docs/screenshots)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, expect, type Page } from '@playwright/test';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/screenshots' } } });
const root = new URL('../', import.meta.url).pathname;
const out = join(root, values.out);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

const port = await freePort();
const origin = `http://127.0.0.1:${String(port)}`;
const demo = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/demo.ts'), '--port', String(port)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

async function until(ready: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ready().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Shot {
  name: string;
  query: string;
  act: (page: Page) => Promise<void>;
  before?: (page: Page) => Promise<void>;
}

// The hosted page speaks the shot's language, so it is driven by its form's names, not its words.
async function finish(page: Page, outcome: 'passed' | 'failed', method?: string): Promise<void> {
  const frame = page.locator('.relay-kit__widget iframe').contentFrame();
  await frame.locator(`input[name="outcome"][value="${outcome}"]`).check();
  if (method) await frame.locator('select#method').selectOption(method);
  await frame.locator('#inquiry-form button[type="submit"]').click();
}
const heading = (page: Page) => expect(page.locator('.relay-kit__heading')).toBeVisible({ timeout: 30_000 });
const inquiry = (page: Page) => expect(page.locator('.relay-kit__widget iframe').contentFrame().locator('#inquiry-form button[type="submit"]')).toBeVisible({ timeout: 30_000 });

const shots: Shot[] = [
  { name: 'idle', query: 'theme=light', act: async (page) => { await expect(page.locator('.demo-placeholder')).toBeVisible(); } },
  { name: 'inquiry', query: 'claimType=age_over_18_germany&theme=light', act: inquiry },
  { name: 'passed', query: 'claimType=age_over_18_germany&theme=light', act: async (page) => { await inquiry(page); await finish(page, 'passed', 'document_selfie'); await heading(page); await expect(page.locator('.demo-server li')).not.toHaveCount(0); } },
  { name: 'failed', query: 'claimType=age_over_18_united_kingdom&theme=dark&lang=de', act: async (page) => { await inquiry(page); await finish(page, 'failed', 'facial_age_estimation'); await heading(page); } },
  { name: 'france', query: 'claimType=age_over_18_france&theme=light&lang=fr', act: async (page) => { await inquiry(page); await finish(page, 'passed'); await heading(page); } },
  { name: 'unknown-type', query: 'claimType=age_over_25_mars&theme=dark', act: async (page) => { await inquiry(page); await finish(page, 'passed', 'palm_reading'); await heading(page); } },
  { name: 'canceled', query: 'claimType=age_over_18_germany&theme=light&lang=es', act: async (page) => { await inquiry(page); await page.locator('.relay-kit [data-variant="secondary"]').click(); await heading(page); } },
  {
    name: 'expired',
    query: 'claimType=age_over_18_germany&theme=light&lang=it',
    before: (page) => page.clock.install(),
    act: async (page) => { await inquiry(page); await page.clock.fastForward('31:00'); await heading(page); },
  },
  {
    name: 'error-request-id',
    query: 'claimType=age_over_18_germany&theme=light&lang=pt-BR',
    before: async (page) => { await page.request.post(`${origin}/persona/__emulator/faults`, { data: { errorRate: 1, status: 503 } }); },
    act: async (page) => {
      try {
        await heading(page);
      } finally {
        await page.request.post(`${origin}/persona/__emulator/faults`, { data: {} });
      }
    },
  },
];

const systemChromium = '/usr/bin/chromium';
const browser = await chromium.launch(existsSync(systemChromium) ? { executablePath: systemChromium, args: ['--no-sandbox', '--disable-gpu'] } : {});
try {
  await until(async () => (await fetch(`${origin}/healthz`)).ok, 'the demo server');
  await mkdir(out, { recursive: true });
  for (const shot of shots) {
    const page = await browser.newPage({ viewport: { width: 1024, height: 760 }, deviceScaleFactor: 1, reducedMotion: 'reduce' });
    await shot.before?.(page);
    await page.goto(`${origin}/?${shot.query}`);
    await shot.act(page);
    // Settled: no spinner, no focus ring from the last click.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: join(out, `${shot.name}.png`), fullPage: true, animations: 'disabled' });
    console.log(`wrote ${join(values.out, `${shot.name}.png`)}`);
    await page.close();
  }
} finally {
  await browser.close();
  demo.kill('SIGTERM');
}
