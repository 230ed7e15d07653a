import { expect, test, type Page } from '@playwright/test';
import { builtStories, serveStorybook } from './support/storybookServer.ts';

// Issue 16's layout promises, checked on the built Storybook's state stories: readable at 320 px and at
// 200 % zoom (nothing spills out of the card or makes the page scroll sideways), right-to-left pages mirror
// it (logical properties), and `prefers-reduced-motion` stops the motion.
const stories = builtStories().filter((s): s is typeof s & { status: string } => s.status !== undefined);
let storybook: Awaited<ReturnType<typeof serveStorybook>>;

test.beforeAll(async () => {
  storybook = await serveStorybook();
});

test.afterAll(async () => {
  await storybook.close();
});

async function openStory(page: Page, id: string, status: string): Promise<void> {
  await page.goto(`${storybook.origin}/iframe.html?id=${id}&viewMode=story`);
  await expect(page.locator(`#storybook-root .relay-kit[data-status="${status}"]`), `${id} settles in ${status}`).toBeVisible({ timeout: 20_000 });
}

/** What sticks out: the page's sideways scroll and any of the card's boxes past its inline edges. */
function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) found.push(`page scrolls sideways: ${String(doc.scrollWidth)} > ${String(doc.clientWidth)}`);
    const card = document.querySelector('.relay-kit');
    if (!card) return ['no .relay-kit'];
    const edge = card.getBoundingClientRect();
    for (const element of card.querySelectorAll('*')) {
      // The live region is a 1 px visually hidden box by design.
      if (element.closest('.relay-kit__live')) continue;
      const box = element.getBoundingClientRect();
      if (box.width === 0) continue;
      if (box.left < edge.left - 1 || box.right > edge.right + 1) found.push(`${element.tagName.toLowerCase()}.${element.className}: ${String(Math.round(box.left))}–${String(Math.round(box.right))} outside ${String(Math.round(edge.left))}–${String(Math.round(edge.right))}`);
    }
    return found;
  });
}

test('the build has state stories to lay out', () => {
  expect(stories.length).toBeGreaterThanOrEqual(14);
});

// 320 CSS px is WCAG's reflow width; a 1280 px window at 200 % zoom is 640 CSS px drawn at twice the density.
for (const view of [{ name: '320 px', width: 320, scale: 1 }, { name: '200 % zoom', width: 640, scale: 2 }]) {
  test(`every state story fits at ${view.name} with nothing cut off`, async ({ browser }) => {
    test.setTimeout(180_000);
    const context = await browser.newContext({ viewport: { width: view.width, height: 800 }, deviceScaleFactor: view.scale });
    const page = await context.newPage();
    for (const story of stories) {
      await test.step(story.id, async () => {
        await openStory(page, story.id, story.status);
        expect(await overflow(page), story.id).toEqual([]);
      });
    }
    await context.close();
  });
}

test('a right-to-left page mirrors the card: the mark and the actions start on the right', async ({ page }) => {
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => { document.documentElement.dir = 'rtl'; });
  });
  await openStory(page, 'relayverification--passed-with-methodology', 'passed');
  const boxes = await page.evaluate(() => {
    const rect = (selector: string) => {
      const r = document.querySelector(selector)?.getBoundingClientRect();
      return r ? { left: r.left, right: r.right } : undefined;
    };
    return { card: rect('.relay-kit'), mark: rect('.relay-kit__outcome > .relay-kit__mark'), heading: rect('.relay-kit__heading'), method: rect('.relay-kit__methodology li'), result: rect('.relay-kit__methodology li .relay-kit__result') };
  });
  const { card, mark, heading, method, result } = boxes;
  if (!card || !mark || !heading || !method || !result) throw new Error(`missing boxes: ${JSON.stringify(boxes)}`);
  // The mark sits at the inline start (right), the heading to its left; each method's result at the inline end (left).
  expect(mark.right).toBeGreaterThan(heading.right);
  expect(card.right - mark.right).toBeLessThan(mark.left - card.left);
  expect(result.left - method.left).toBeLessThan(method.right - result.right);
  expect(await overflow(page)).toEqual([]);

  // And the same story left-to-right puts them the other way round, so the check above can fail.
  await page.evaluate(() => { document.documentElement.dir = 'ltr'; });
  const ltr = await page.evaluate(() => {
    const m = document.querySelector('.relay-kit__outcome > .relay-kit__mark')?.getBoundingClientRect();
    const h = document.querySelector('.relay-kit__heading')?.getBoundingClientRect();
    return m && h ? m.left < h.left : undefined;
  });
  expect(ltr).toBe(true);
});

test('prefers-reduced-motion stops the spinner and the entrance; without it they move', async ({ page }) => {
  const motion = () =>
    page.evaluate(() => {
      const spinner = document.querySelector('.relay-kit__spinner');
      const progress = document.querySelector('.relay-kit__progress');
      return { spinner: spinner ? getComputedStyle(spinner).animationName : 'missing', entrance: progress ? getComputedStyle(progress).animationName : 'missing' };
    });
  await openStory(page, 'relayverification--creating', 'creating');
  expect(await motion()).toEqual({ spinner: 'relay-kit-spin', entrance: 'relay-kit-in' });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  expect(await motion()).toEqual({ spinner: 'none', entrance: 'none' });
});
