// Benchmark (prints figures, asserts nothing): a megabyte pasted into the living will and into the
// organ donation note, then a few characters typed after it, in Debian's Chromium at normal CPU
// speed. Starts its own FHIR server and static server on spare ports, confirms the notice on the
// server, and reports long tasks (the browser's own PerformanceObserver) per phase.
//
//   node tests/bench/paste.mjs [--chars 1000000] [--dist dist] [--text lines|paragraph] [--how clipboard|fill|insert] [--only living] [--no-bare]
//
// The figure to watch is the longest task of each phase: it is how long the page stopped answering.
import { chromium } from '@playwright/test';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { FhirStore, createServer } from '../fhir-server/server.mjs';
import { createStaticServer } from '../fhir-server/static.mjs';
import { PATIENT_ID, noticeConfirmation } from '../fhir-server/seed.mjs';

const { values } = parseArgs({
  options: {
    chars: { type: 'string', default: '1000000' },
    dist: { type: 'string', default: resolve(import.meta.dirname, '../../dist') },
    only: { type: 'string' },
    // lines: sentences on lines of their own; paragraph: one endless paragraph
    text: { type: 'string', default: 'lines' },
    // clipboard: a real paste (Ctrl+V); fill: Playwright's fill (the browser's typing path, as an
    // IME or dictation commit); insert: execCommand('insertText')
    how: { type: 'string', default: 'clipboard' },
    // skip the bare textarea (with --how fill it takes minutes at a megabyte)
    'no-bare': { type: 'boolean', default: false },
  },
});
const CHARS = Number(values.chars);

const listen = (server) => new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));
const store = new FhirStore();
await store.init();
const fhir = createServer(store);
const fhirPort = await listen(fhir);
const fhirBase = `http://127.0.0.1:${fhirPort}/fhir/R4`;
const app = createStaticServer({ dir: values.dist, fhirBase, patient: PATIENT_ID, lang: 'en' });
const appPort = await listen(app);

// The citizen read the notice earlier: the declarations are open.
await fetch(`${fhirBase}/Consent`, {
  method: 'POST',
  headers: { 'content-type': 'application/fhir+json' },
  body: JSON.stringify(noticeConfirmation()),
}).then((r) => {
  if (!r.ok) throw new Error(`POST Consent: HTTP ${r.status}`);
});

const browser = await chromium.launch({
  executablePath: process.env.TAHTO_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-GB' });
await context.grantPermissions(['clipboard-read', 'clipboard-write']);
await context.addInitScript(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
});
const page = await context.newPage();
const cdp = await context.newCDPSession(page);

// What the renderer's main thread did during `action`, from a trace: the longest task's wall
// time and CPU time (the machine is shared: wall time includes waiting for a core) and, inside
// it, the CPU time of script (Tahto's wasm and JS, event handlers), style, layout and pre-paint.
async function traced(action) {
  const events = [];
  const collect = (e) => events.push(...e.value);
  cdp.on('Tracing.dataCollected', collect);
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel'] },
  });
  await action();
  const done = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
  await cdp.send('Tracing.end');
  await done;
  cdp.off('Tracing.dataCollected', collect);
  const mains = new Set(
    events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = events.filter((e) => e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`));
  const tasks = onMain.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  const longest = tasks.reduce((a, b) => (b.dur > (a?.dur ?? -1) ? b : a), undefined);
  if (!longest) return { wall: 0, cpu: 0, parts: '' };
  const parts = {};
  const top = { FunctionCall: 'script', EventDispatch: 'script', TimerFire: 'script', FireAnimationFrame: 'script', UpdateLayoutTree: 'style', Layout: 'layout', PrePaint: 'pre-paint', Paint: 'paint' };
  for (const e of onMain) {
    const part = top[e.name];
    if (!part || e.ts < longest.ts || e.ts + e.dur > longest.ts + longest.dur) continue;
    parts[part] = Math.max(parts[part] ?? 0, Math.round((e.tdur ?? e.dur) / 1000));
  }
  return {
    wall: Math.round(longest.dur / 1000),
    cpu: Math.round((longest.tdur ?? longest.dur) / 1000),
    parts: Object.entries(parts).map(([k, v]) => `${k} ${v}`).join(', '),
  };
}

const settle = () => page.evaluate(() => new Promise((ok) => setTimeout(() => requestAnimationFrame(() => setTimeout(ok, 0)), 600)));
const phase = async (name, action) => {
  await page.evaluate(() => (window.__longTasks = []));
  const t0 = Date.now();
  const trace = await traced(async () => {
    await action();
    // Whatever the change scheduled (effects, timers, rendering) runs inside the window.
    await settle();
  });
  const ms = Date.now() - t0;
  const tasks = await page.evaluate(() => window.__longTasks);
  const longest = tasks.length ? Math.max(...tasks) : 0;
  console.log(
    `paste: ${name}: ${ms} ms, long tasks ${tasks.length}, longest ${Math.round(longest)} ms ` +
      `(traced: ${trace.wall} ms wall, ${trace.cpu} ms CPU: ${trace.parts})`,
  );
  return longest;
};

// A megabyte as a citizen might paste it: sentences, Finnish letters, and now and then a hidden
// character of the kind word processors leave behind.
const LINE = 'Toivon, että minua hoidetaan kotona\u200B ja että kipuni lievitetään. Älä elvytä.';
const pasteInto = async (selector, chars) => {
  if (values.how === 'fill') {
    const line = LINE + (values.text === 'lines' ? '\n' : ' ');
    const text = line.repeat(Math.ceil(chars / line.length)).slice(0, chars);
    return page.locator(selector).fill(text, { timeout: 600_000 });
  }
  await page.locator(selector).focus();
  await page.evaluate(
    async ({ selector, chars, line, how }) => {
      const text = line.repeat(Math.ceil(chars / line.length)).slice(0, chars);
      const field = document.querySelector(selector);
      field.setSelectionRange(field.value.length, field.value.length);
      if (how === 'clipboard') await navigator.clipboard.writeText(text);
      // The browser's typing command, one `input` event.
      else document.execCommand('insertText', false, text);
    },
    { selector, chars, line: LINE + (values.text === 'lines' ? '\n' : ' '), how: values.how },
  );
  if (values.how === 'clipboard') await page.keyboard.press('Control+V');
};

async function open(title) {
  const nav = page.getByRole('navigation', { name: 'Sections' });
  // A link (sections have addresses); on a phone most are under "All sections", opened first.
  const entry = nav.getByRole('link', { name: title, exact: true });
  if (!(await entry.isVisible())) await nav.getByRole('button', { name: 'All sections', exact: true }).click();
  await entry.click({ timeout: 30_000 });
  await page.getByRole('heading', { level: 1, name: title, exact: true }).waitFor({ timeout: 30_000 });
}

// The browser's own cost, without Tahto: the same paste into a bare textarea of the same size.
if (!values['no-bare']) {
  await page.goto(`http://127.0.0.1:${appPort}/bare.txt`);
  await page.setContent('<!doctype html><textarea id="bare" rows="12"></textarea>');
  // Set through the CSSOM: the app's origin sends a CSP that blocks style attributes, even here.
  await page.locator('#bare').evaluate((el) => { el.style.width = '328px'; });
  await phase(`bare textarea (no Tahto): paste ${CHARS} characters (${values.text}, ${values.how})`, () => pasteInto('#bare', CHARS));
  await phase('bare textarea (no Tahto): type 5 characters after it', () => page.keyboard.type('abcde', { delay: 50 }));
}

await page.goto(`http://127.0.0.1:${appPort}/`);
await page.locator('#tahto-home-title').waitFor();

const fields = [
  { title: 'Living will', selector: '#tahto-lw-text' },
  { title: 'Organ donation decision', selector: '#tahto-od-note' },
  { title: 'Advance directive', selector: '#tahto-ad-note' },
  { title: 'Advance directive', selector: '#tahto-ad-consult-name', name: 'consult name' },
].filter((f) => !values.only || `${f.title} ${f.name ?? ''}`.toLowerCase().includes(values.only.toLowerCase()));
for (const field of fields) {
  field.title = field.name ? `${field.title}, ${field.name}` : field.title;
  await open(field.title.split(',')[0]);
  await page.locator(field.selector).waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForTimeout(500);
  await phase(`${field.title}: paste ${CHARS} characters (${values.text}, ${values.how})`, () => pasteInto(field.selector, CHARS));
  await phase(`${field.title}: type 5 characters after it`, () => page.keyboard.type('abcde', { delay: 50 }));
  const length = await page.locator(field.selector).evaluate((t) => t.value.length);
  console.log(`paste: ${field.title}: the field holds ${length} characters`);
}

await browser.close();
fhir.closeAllConnections();
fhir.close();
app.close();
