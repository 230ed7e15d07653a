/**
 * Time from "inquiry complete" (the widget's onComplete reaching the flow) to the final claim
 * on screen, in Chromium, on the RelayFlow fixture (e2e/app/flow) with the real worker, the app
 * handler and the emulator on one Vite dev server, no injected latency. Also: how long the worker
 * took to have the token ready after the page started, and the redeem/poll split of the tail.
 * Run: npx tsx bench/flow-e2e.bench.ts   (or npm run bench -- flow-e2e); RUNS=20 by default.
 */
import { availableParallelism, loadavg } from 'node:os';
import { chromium, type Page } from '@playwright/test';
import { freePort, startFixtureServer } from './fixtureServer.ts';
import { fixed, summarize } from './stats.ts';

const runs = Number(process.env.RUNS ?? 20);
const warmups = 2;

interface Probe {
  statuses: string[];
  statusAt: Record<string, number | undefined>;
  completedAt?: number;
  finalAt?: number;
  tokenReadyAt?: number;
}

async function oneRun(page: Page, origin: string): Promise<Probe> {
  await page.goto(`${origin}/flow/?claimType=age_over_18_germany`);
  await page.locator('#status[data-token-ready="true"]').waitFor();
  const frame = page.frameLocator('#relay-container iframe');
  await frame.getByLabel('Pass').check();
  await frame.getByRole('button', { name: 'Finish verification' }).click();
  await page.waitForFunction(() => ['passed', 'failed', 'error'].includes(document.getElementById('status')?.textContent ?? ''));
  const probe = await page.evaluate(() => {
    const { statuses, statusAt, completedAt, finalAt, tokenReadyAt } = (window as unknown as { relay: Probe }).relay;
    return { statuses, statusAt, completedAt, finalAt, tokenReadyAt };
  });
  if (probe.statuses.at(-1) !== 'passed') throw new Error(`run ended in ${probe.statuses.join(' → ')}`);
  return probe;
}

const port = await freePort();
const server = await startFixtureServer(port);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const tail: number[] = [];
const redeemPart: number[] = [];
const pollPart: number[] = [];
const tokenReady: number[] = [];
try {
  const context = await browser.newContext();
  for (let i = 0; i < warmups + runs; i += 1) {
    const page = await context.newPage();
    const probe = await oneRun(page, `http://127.0.0.1:${String(port)}`);
    await page.close();
    if (i < warmups) continue;
    const { completedAt = NaN, finalAt = NaN, tokenReadyAt = NaN, statusAt } = probe;
    tail.push(finalAt - completedAt);
    redeemPart.push((statusAt.polling ?? NaN) - completedAt);
    pollPart.push(finalAt - (statusAt.polling ?? NaN));
    tokenReady.push(tokenReadyAt - (statusAt.inquiry ?? NaN));
  }
} finally {
  await browser.close();
  server.stop();
}

const row = (name: string, samples: number[]): string => {
  const { median, p95, n } = summarize(samples);
  return `| ${name} | ${String(n)} | ${fixed(median, 1)} ms | ${fixed(p95, 1)} ms | ${fixed(Math.min(...samples), 1)} ms |`;
};
console.log('| Chromium, fixture page, emulator without latency | runs | median | p95 | min |');
console.log('|---|---|---|---|---|');
console.log(row('inquiry complete → final claim shown (target ≤ 150 ms)', tail));
console.log(row('  of which: complete → redeem accepted (polling)', redeemPart));
console.log(row('  of which: polling → final claim', pollPart));
console.log(row('inquiry shown → token ready (worker)', tokenReady));
console.log(`\n${String(availableParallelism())} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end.`);
