// A megabyte pasted into a free-text field (issue 9, item 5): the page stays responsive, shows how
// far over the limit the text is, refuses to save with a clear reason, and loses nothing — the
// whole text stays in the field and in the draft, across a reload.
//
// Responsiveness is measured with the browser's own PerformanceObserver('longtask') over a window
// that starts just before the paste (the first-load compile is outside it) and ends after a few
// characters typed after it. Laying out a textarea that holds a megabyte is work the browser does in
// one task whatever the page does (~300–600 ms of CPU on this machine, more wall time when its two
// cores are shared), so the same paste into a bare textarea on the same origin is measured first.
// The figures are attached to each test and printed by `tests/bench/paste.mjs` (scripts/bench): a
// timed assertion on a shared machine is noise. What is asserted is only the gross failure this
// issue was about (a paste that froze the page for 52 s): ten times the bare textarea.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import {
  APP_URL,
  CHOICE,
  LOAD_TIMEOUT,
  confirmNoticeOnServer,
  formatAxeViolations,
  freshServerPerTest,
  gotoSection,
  openOrganDonation,
  sentSince,
} from './helpers.mjs';

freshServerPerTest(test);

const BUDGET_MS = 200;
const CHARS = 1_000_000;
// Sentences on lines of their own, Finnish letters, and a hidden character in each line of the
// kind word processors leave behind (Tahto removes those and says so).
const LINE = 'Toivon, että minua hoidetaan kotona\u200B ja että kipuni lievitetään. Älä elvytä.\n';
const PASTED = LINE.repeat(Math.ceil(CHARS / LINE.length)).slice(0, CHARS);
const KEPT = PASTED.replaceAll('\u200B', '');
const TYPED = 'abc';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test.beforeEach(async ({ context }) => {
  await context.addInitScript(() => {
    window.__tahtoLongTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__tahtoLongTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
});

/**
 * Puts `PASTED` on the clipboard, pastes it into `field` with Ctrl+V, waits until the field holds
 * `pastedLength` characters, then types `TYPED`. Returns the longest task of each part.
 */
async function pasteAndType(page, field, pastedLength) {
  await field.focus();
  await page.evaluate((text) => navigator.clipboard.writeText(text), PASTED);
  const from = await page.evaluate(() => performance.now());
  await page.keyboard.press('Control+V');
  await expect
    .poll(() => field.evaluate((t) => t.value.length), { timeout: 60_000 })
    .toBe(pastedLength);
  const typingFrom = await page.evaluate(() => performance.now());
  await page.keyboard.type(TYPED, { delay: 50 });
  // Whatever the change scheduled (effects, rendering) runs inside the window.
  await page.evaluate(() => new Promise((ok) => setTimeout(() => requestAnimationFrame(() => setTimeout(ok, 0)), 500)));
  const tasks = await page.evaluate((from) => window.__tahtoLongTasks.filter((t) => t.start >= from), from);
  const longest = (list) => Math.round(Math.max(0, ...list.map((t) => t.duration)));
  return {
    paste: longest(tasks.filter((t) => t.start < typingFrom)),
    typing: longest(tasks.filter((t) => t.start >= typingFrom)),
    tasks: tasks.length,
  };
}

/** The same paste into a bare textarea of the same size, in a page of its own on the app's origin. */
async function bareTextareaFigures(context) {
  const page = await context.newPage();
  await page.goto(`${APP_URL}/bare.txt`);
  await page.setContent('<!doctype html><title>bare</title><textarea rows="12"></textarea>');
  // Set through the CSSOM: the app's origin sends a CSP that blocks style attributes, even here.
  await page.locator('textarea').evaluate((el) => { el.style.width = '328px'; });
  await page.evaluate(() => {
    window.__tahtoLongTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__tahtoLongTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' });
  });
  const figures = await pasteAndType(page, page.locator('textarea'), PASTED.length);
  await page.close();
  return figures;
}

async function expectResponsive(testInfo, bare, tahto) {
  const figures = { budgetMs: BUDGET_MS, bareTextarea: bare, tahto };
  await testInfo.attach('long-tasks', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });
  console.log(`[${testInfo.title}] longest task (ms): paste ${tahto.paste} (bare textarea ${bare.paste}), typing after it ${tahto.typing} (bare ${bare.typing})`);
  const grossly = (bareMs) => Math.max(10 * BUDGET_MS, 10 * bareMs);
  expect(tahto.paste, 'the paste does not freeze the page').toBeLessThanOrEqual(grossly(bare.paste));
  expect(tahto.typing, 'typing after the paste does not freeze the page').toBeLessThanOrEqual(grossly(bare.typing));
}

async function expectAxeClean(page, include) {
  const results = await new AxeBuilder({ page }).include(include).analyze();
  expect(results.violations, formatAxeViolations(results.violations)).toEqual([]);
}

const writesOf = (entries, type) =>
  entries.filter((e) => (e.method === 'POST' || e.method === 'PUT') && new RegExp(`/${type}(/|\\?|$)`).test(String(e.url)));

test('living will: a megabyte pasted stays in the field and the draft, over the limit is shown, save refuses and sends nothing', async ({ page, context }, testInfo) => {
  const bare = await bareTextareaFigures(context);
  await confirmNoticeOnServer();
  await gotoSection(page, 'Living will');
  const s = page.locator('[data-section="living-will"]');
  await expect(s.getByTestId('living-will-current')).toContainText('You have not written a living will.', { timeout: LOAD_TIMEOUT });
  const field = s.getByLabel('Your living will');
  await expect(field).toBeVisible();

  const kept = KEPT.length + TYPED.length;
  const tahto = await pasteAndType(page, field, KEPT.length);
  await expectResponsive(testInfo, bare, tahto);

  // Everything is in the field (only the hidden characters went, and the note says how many).
  expect(await field.evaluate((t) => t.value.length)).toBe(kept);
  expect(await field.evaluate((t) => t.value.slice(0, 40))).toBe(KEPT.slice(0, 40));
  await expect(s.getByText(`${PASTED.length - KEPT.length} hidden or control characters were removed`)).toBeVisible();
  const count = s.locator('#tahto-lw-text-count');
  await expect(count).toHaveClass(/tahto-over-limit/);
  await expect(count).toContainText(`${kept} / 20000 characters`);
  await expect(count).toContainText(`The text is ${kept - 20000} characters over the limit`);
  await expectAxeClean(page, '[data-section="living-will"]');

  // Save refuses, says why, and sends nothing.
  const before = await sentSince(0);
  const seq = before.reduce((max, e) => Math.max(max, Number(e.seq) || 0), 0);
  await s.getByRole('button', { name: 'Save living will' }).click();
  await expect(s.locator('.tahto-problem')).toHaveText(`The text is too long: ${kept} / 20000 characters.`);
  await page.waitForTimeout(500);
  expect(writesOf(await sentSince(seq), 'DocumentReference'), 'nothing sent').toEqual([]);

  // A reload brings the whole draft back.
  await page.reload();
  const again = page.locator('[data-section="living-will"]').getByLabel('Your living will');
  await expect.poll(() => again.evaluate((t) => t.value.length), { timeout: LOAD_TIMEOUT }).toBe(kept);
  expect(await again.evaluate((t, typed) => t.value.endsWith(typed), TYPED)).toBe(true);
  await expect(page.locator('#tahto-lw-text-count')).toHaveClass(/tahto-over-limit/);
});

test('organ donation note: a megabyte pasted stays in the field and the draft, over the limit is shown, save refuses and sends nothing', async ({ page, context }, testInfo) => {
  const bare = await bareTextareaFigures(context);
  await openOrganDonation(page);
  await page.getByRole('radio', { name: CHOICE.consent, exact: true }).check();
  const field = page.getByLabel('Additional note (optional)', { exact: true });

  const kept = KEPT.length + TYPED.length;
  const tahto = await pasteAndType(page, field, KEPT.length);
  await expectResponsive(testInfo, bare, tahto);

  expect(await field.evaluate((t) => t.value.length)).toBe(kept);
  await expect(page.getByText(`${PASTED.length - KEPT.length} hidden or control characters were removed from the note`)).toBeVisible();
  const count = page.locator('#tahto-od-note-count');
  await expect(count).toHaveClass(/tahto-over-limit/);
  await expect(count).toContainText(`${kept} / 1000 characters`);
  await expect(count).toContainText(`The text is ${kept - 1000} characters over the limit`);
  await expectAxeClean(page, '[data-section="organ-donation"]');

  const before = await sentSince(0);
  const seq = before.reduce((max, e) => Math.max(max, Number(e.seq) || 0), 0);
  await page.getByRole('button', { name: 'Save decision', exact: true }).click();
  await expect(page.locator('#tahto-od-problem')).toHaveText(`The note is ${kept} characters long; the limit is 1000.`);
  await page.waitForTimeout(500);
  expect(writesOf(await sentSince(seq), 'Consent'), 'nothing sent').toEqual([]);

  await page.reload();
  const again = page.getByLabel('Additional note (optional)', { exact: true });
  await expect.poll(() => again.evaluate((t) => t.value.length), { timeout: LOAD_TIMEOUT }).toBe(kept);
  await expect(page.getByRole('radio', { name: CHOICE.consent, exact: true })).toBeChecked();
});
