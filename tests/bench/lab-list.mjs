// Benchmark (prints figures, asserts nothing): the lab results page with many results, on an
// emulated mid-range phone (4x CPU slowdown). Starts its own FHIR server and static server on
// spare ports, stores the results directly on the server, opens the page in Debian's Chromium,
// fetches every page of results and scrolls, and reports long tasks (> 50 ms, the browser's own
// PerformanceObserver) and timings.
//
//   node tests/bench/lab-list.mjs [--results 10000] [--dist dist]
//
// The figure to watch is the longest task while older pages arrive (issue 10: none over 50 ms):
// each page is read a slice at a time and merged into the tests already shown a test at a time,
// so it should stay flat however long the history grows. Long tasks also count the browser's own
// rendering and the harness's clicks, so the longest app script in a long animation frame is
// printed too. The bench finds its buttons by CSS and text, not by role: Playwright's role
// queries run in the page and were themselves long tasks (100-160 ms) on a list this long.
import { chromium } from '@playwright/test';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { FhirStore, createServer } from '../fhir-server/server.mjs';
import { createStaticServer } from '../fhir-server/static.mjs';
import { PATIENT_ID } from '../fhir-server/seed.mjs';

const { values } = parseArgs({
  options: {
    results: { type: 'string', default: '10000' },
    dist: { type: 'string', default: resolve(import.meta.dirname, '../../dist') },
  },
});
const RESULTS = Number(values.results);
// The app's page size (src/pages/lab_results.rs).
const PAGE = 250;

const listen = (server) => new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));

const store = new FhirStore();
await store.init();
const fhir = createServer(store);
const fhirPort = await listen(fhir);
const fhirBase = `http://127.0.0.1:${fhirPort}/fhir/R4`;
const app = createStaticServer({ dir: values.dist, fhirBase, patient: PATIENT_ID, lang: 'en' });
const appPort = await listen(app);

// The results: 20 tests, one result each every ~3 days back from today.
const started = Date.now();
const tests = Array.from({ length: 20 }, (_, i) => ({ code: `9${String(i).padStart(3, '0')}-0`, name: `T-${i}` }));
const post = (resource) =>
  fetch(`${fhirBase}/Observation`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify(resource),
  }).then((r) => {
    if (!r.ok) throw new Error(`POST Observation: HTTP ${r.status}`);
  });
const day = 86_400_000;
for (let i = 0; i < RESULTS; i += 100) {
  await Promise.all(
    Array.from({ length: Math.min(100, RESULTS - i) }, (_, k) => {
      const n = i + k;
      const t = tests[n % tests.length];
      return post({
        resourceType: 'Observation',
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
        code: { coding: [{ system: 'http://loinc.org', code: t.code }], text: t.name },
        subject: { reference: `Patient/${PATIENT_ID}` },
        effectiveDateTime: new Date(Date.now() - Math.floor(n / tests.length) * 3 * day).toISOString(),
        valueQuantity: { value: 4 + (n % 37) / 10, unit: 'mmol/l' },
        referenceRange: [{ low: { value: 4 }, high: { value: 7 } }],
      });
    }),
  );
}
console.log(`lab list: stored ${RESULTS} results on the local server in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const browser = await chromium.launch({
  executablePath: process.env.TAHTO_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 360, height: 740 }, locale: 'en-GB' });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
await page.addInitScript(() => {
  window.__longTasks = [];
  window.__appScripts = [];
  window.__frames = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
  // What ran in a long frame: the app's own scripts (its wasm glue) apart from the browser's
  // rendering and the harness's input and queries, which long tasks count too.
  new PerformanceObserver((list) => {
    for (const frame of list.getEntries()) {
      const app = frame.scripts.filter((s) => s.sourceURL.startsWith(location.origin));
      for (const s of app) window.__appScripts.push([s.duration, s.invoker]);
      const sum = (scripts) => scripts.reduce((n, s) => n + s.duration, 0);
      const appTime = sum(app);
      const end = frame.startTime + frame.duration;
      window.__frames.push({
        duration: frame.duration,
        app: appTime,
        other: sum(frame.scripts) - appTime,
        // Style, layout and paint: from the frame's rendering start to its end.
        rendering: frame.renderStart ? end - frame.renderStart : 0,
      });
    }
  }).observe({ type: 'long-animation-frame', buffered: true });
});
await page.goto(`http://127.0.0.1:${appPort}/`);
await page.locator('#tahto-home-title').waitFor();
const phase = async (name, action) => {
  await page.evaluate(() => {
    window.__longTasks = [];
    window.__appScripts = [];
    window.__frames = [];
  });
  const t0 = Date.now();
  await action();
  const ms = Date.now() - t0;
  const [tasks, scripts, frames] = await page.evaluate(() => [window.__longTasks, window.__appScripts, window.__frames]);
  const longest = tasks.map(Math.round).sort((a, b) => b - a);
  const more = longest.length > 1 ? ` (then ${longest.slice(1, 6).join(', ')}${longest.length > 6 ? ', …' : ''})` : '';
  const [script, invoker] = scripts.sort((a, b) => b[0] - a[0])[0] ?? [];
  const own = script === undefined ? '' : `; longest app script in a long frame ${Math.round(script)} ms (${invoker})`;
  console.log(`lab list: ${name}: ${ms} ms, long tasks ${tasks.length}, longest ${longest[0] ?? 0} ms${more}${own}`);
  // The longest frame, by what filled it: the app's scripts, others' (the harness's queries and
  // clicks, the browser's), and the rendering (style, layout, paint).
  const frame = frames.sort((a, b) => b.duration - a.duration)[0];
  if (frame) {
    const r = (n) => Math.round(n);
    console.log(`lab list:   longest frame ${r(frame.duration)} ms: app script ${r(frame.app)}, other script ${r(frame.other)}, rendering ${r(frame.rendering)}`);
  }
};
await phase(`open the page, first ${PAGE} results shown`, async () => {
  await page.getByTestId('home-lab-results').locator('a, button').first().click();
  try {
    await page.getByTestId('lab-test').first().waitFor({ timeout: 60_000 });
  } catch (error) {
    // Say what the citizen would see instead (e.g. the server too slow for the app's time limit).
    const shown = await page.locator('[data-section="lab-results"]').innerText().catch(() => '');
    throw new Error(`lab list: no results shown after 60 s; the page says: ${shown.slice(0, 400)}`, { cause: error });
  }
});
// How many results the cards say they hold ("All results (N)"), run in the page: a page of
// results counts once the app has read and shown all of it.
const SECTION = '[data-section="lab-results"]';
const resultsShown = (section) =>
  [...document.querySelectorAll(`${section} [data-testid="lab-test"] summary`)]
    .map((s) => Number(/\((\d+)\)\s*$/.exec(s.textContent)?.[1] ?? 0))
    .reduce((a, b) => a + b, 0);
await phase(`older pages arrive until all ${RESULTS} are shown`, async () => {
  const older = page.locator(`${SECTION} button`, { hasText: 'Fetch older ones' });
  while (await older.isVisible()) {
    await older.click();
    await page.waitForFunction(
      (section) => ![...document.querySelectorAll(`${section} p`)].some((p) => !p.hidden && p.textContent.startsWith('Fetching')),
      SECTION,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(50);
  }
  // The demo citizen's own results come on top of the seeded ones.
  const deadline = Date.now() + 60_000;
  while ((await page.evaluate(resultsShown, SECTION)) < RESULTS) {
    if (Date.now() > deadline) throw new Error(`lab list: not all ${RESULTS} results shown after 60 s`);
    await page.waitForTimeout(50);
  }
});
console.log(`lab list: ${await page.evaluate(resultsShown, SECTION)} results shown in the cards`);
await phase('scroll the whole list', async () => {
  for (let y = 0; y < 40; y += 1) {
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(30);
  }
});
await phase('open one test\'s history and show 50 more rows', async () => {
  const first = page.getByTestId('lab-test').first();
  await first.locator('summary').click();
  await first.locator('button', { hasText: /^Show more/ }).click();
});
const shown = await page.getByTestId('lab-test').count();
console.log(`lab list: ${shown} tests shown, DOM nodes ${await page.evaluate(() => document.getElementsByTagName('*').length)}`);
await browser.close();
fhir.closeAllConnections();
fhir.close();
app.close();
