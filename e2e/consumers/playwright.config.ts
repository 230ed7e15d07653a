import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';

/** Run by e2e/consumers/run.ts against one started consumer app (CONSUMER_URL); not by `npm run test:e2e`. */
const systemChromium = '/usr/bin/chromium';
export default defineConfig({
  testDir: '.',
  testMatch: /consumer\.check\.ts$/,
  // Not under test-results/: the main Playwright suite empties that directory when it starts.
  outputDir: join(process.env.RELAY_CONSUMERS_DIR ?? join(tmpdir(), 'relay-claim-kit-consumers'), 'test-results'),
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    baseURL: process.env.CONSUMER_URL,
    trace: 'retain-on-failure',
    launchOptions: existsSync(systemChromium)
      ? { executablePath: systemChromium, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] }
      : {},
  },
});
