/**
 * The demo as a person uses it, in Chromium, 20 runs: time from the person's "Finish verification" click
 * in the widget's frame (and, for reference, from the emulator page's complete message to EmulatorRelay) to the result heading on screen, and main-thread long tasks
 * over the whole flow — with the token made in the Web Worker, then on the main thread; on a production build
 * of the demo, then on the dev server.
 * Run: npx tsx bench/demo-e2e.bench.ts (or npm run bench:e2e); RUNS=20 by default.
 */
import { chromium, type BrowserContext } from '@playwright/test';
import { freePort, startFixtureServer } from './fixtureServer.ts';
import { fixed, summarize } from './stats.ts';

const runs = Number(process.env.RUNS ?? 20);
const warmups = 2;

interface Timing {
  clickToResult: number;
  completeToResult: number;
  longTasks: number;
  longestTask: number;
}

// Installed before the page's scripts: marks the emulator page's complete message and the first result heading, counts long tasks.
function instrument(): void {
  if (window !== window.top) {
    // The widget's frame (same origin): the click's time, on the top page's clock (timeOrigin differs per document).
    window.addEventListener('click', (event) => {
      const top = window.top as unknown as { relayBench?: { click: number }; performance: Performance };
      if (top.relayBench && (event.target as Element | null)?.closest('button')) top.relayBench.click = performance.timeOrigin + event.timeStamp - top.performance.timeOrigin;
    }, true);
    return;
  }
  const marks = { inquiry: Number.NaN, click: Number.NaN, complete: Number.NaN, result: Number.NaN, longTasks: [] as { start: number; duration: number }[] };
  (window as unknown as { relayBench: typeof marks }).relayBench = marks;
  window.addEventListener('message', (event: MessageEvent<{ tag?: string; event?: string } | null>) => {
    if (event.data?.tag === 'relay-claim-kit/emulator-page' && event.data.event === 'complete') marks.complete = performance.now();
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) marks.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  new MutationObserver(() => {
    if (Number.isNaN(marks.inquiry) && document.querySelector('iframe')) marks.inquiry = performance.now();
    if (Number.isNaN(marks.result) && document.querySelector('[data-status="passed"] h2')) marks.result = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

async function oneRun(context: BrowserContext, url: string): Promise<Timing> {
  const page = await context.newPage();
  const issued = page.waitForResponse((r) => r.url().endsWith('/issue'), { timeout: 20_000 });
  await page.goto(url);
  const frame = page.locator('iframe').first().contentFrame();
  await frame.getByLabel('Pass').check();
  // Wait for the token so both variants are timed from the same point: the person finishing.
  await issued;
  await frame.getByRole('button', { name: 'Finish verification' }).click();
  await page.locator('[data-status="passed"] h2').waitFor();
  const marks = await page.evaluate(
    () => (window as unknown as { relayBench: { inquiry: number; click: number; complete: number; result: number; longTasks: { start: number; duration: number }[] } }).relayBench,
  );
  await page.close();
  // The flow starts when the inquiry shows (token work begins); page load itself is the dev server's.
  const during = marks.longTasks.filter((t) => t.start + t.duration >= marks.inquiry).map((t) => t.duration);
  return { clickToResult: marks.result - marks.click, completeToResult: marks.result - marks.complete, longTasks: during.length, longestTask: Math.max(0, ...during) };
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const results: Record<string, Timing[]> = {};
try {
  // A production build is what an app ships; the dev server (React's development build, StrictMode's
  // double render) is what `npm run demo` shows, for reference.
  for (const [serverName, build] of [['production build', true], ['dev server', false]] as const) {
    const port = await freePort();
    const server = await startFixtureServer(port, { build });
    try {
      const context = await browser.newContext();
      await context.addInitScript(instrument);
      for (const [name, query] of [
        ['Web Worker (default)', ''],
        ['main thread (tokens=main-thread)', '&tokens=main-thread'],
      ] as const) {
        const timings: Timing[] = (results[`${serverName}, ${name}`] = []);
        for (let i = 0; i < warmups + runs; i += 1) {
          const timing = await oneRun(context, `http://127.0.0.1:${String(port)}/?claimType=age_over_18_germany${query}`);
          if (i >= warmups) timings.push(timing);
        }
      }
      await context.close();
    } finally {
      server.stop();
    }
  }
} finally {
  await browser.close();
}

console.log('| demo in Chromium, emulator without latency | runs | Finish click → result median | p95 | complete message → result median | p95 | long tasks (> 50 ms) from inquiry to result, median | max | longest |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, timings] of Object.entries(results)) {
  const click = summarize(timings.map((t) => t.clickToResult));
  const tail = summarize(timings.map((t) => t.completeToResult));
  const tasks = summarize(timings.map((t) => t.longTasks));
  console.log(`| ${name} | ${String(click.n)} | ${fixed(click.median, 1)} ms | ${fixed(click.p95, 1)} ms | ${fixed(tail.median, 1)} ms | ${fixed(tail.p95, 1)} ms | ${String(tasks.median)} | ${String(Math.max(...timings.map((t) => t.longTasks)))} | ${fixed(Math.max(...timings.map((t) => t.longestTask)), 0)} ms |`);
}
