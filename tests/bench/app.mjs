// Benchmark (prints figures, asserts nothing): the whole app as a citizen on a phone meets it, for
// one or more built app directories side by side (issue 10). On an emulated phone (4x CPU slowdown,
// 150 ms latency, 1.6 Mbps down, 750 kbps up, 360x740), each run a fresh browser context (nothing
// cached, service workers blocked), runs interleaved across builds (a, b, a, b, …):
//   - cold load to usable: navigation start → the home page's h1 shown and its cards' state lines
//     loaded; bytes transferred until then;
//   - each section to usable after its first tap: the click on its navigation entry → its h1 shown
//     and nothing in the section still loading;
//   - the organ donation decision saved: tap → "Saving" painted, tap → confirmed (painted);
//   - renderer memory with every section opened.
// Starts its own FHIR server (demo data, reset before every run) and one static server per build,
// served as in production (tests/fhir-server/static.mjs: brotli, strict CSP).
//
//   node tests/bench/app.mjs --build current=dist [--build before=.bench/before] [--runs 3]
//        [--fhir-port 18503] [--port 18580] [--verbose]
//
// A build made before the release steps existed (inline loader in index.html, no .br copies) is
// served from a temporary copy given the same steps (scripts/externalize-inline.mjs,
// scripts/precompress.mjs), so that every build is served alike; the build itself is unchanged.
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FhirStore, createServer } from '../fhir-server/server.mjs';
import { createStaticServer } from '../fhir-server/static.mjs';
import { PATIENT_ID, noticeConfirmation } from '../fhir-server/seed.mjs';
import { SPLIT_SECTIONS } from '../e2e/env.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    build: { type: 'string', multiple: true },
    runs: { type: 'string', default: '3' },
    'fhir-port': { type: 'string', default: '18503' },
    port: { type: 'string', default: '18580' },
    verbose: { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
if (!values.build?.length || !(RUNS >= 1)) {
  console.error('usage: node tests/bench/app.mjs --build name=dir [--build name=dir …] [--runs 3]');
  process.exit(2);
}
const log = (...args) => values.verbose && console.error(...args);

// The phone: Chrome DevTools' "Fast 3G"-like link and a mid-range CPU.
const CPU_SLOWDOWN = 4;
const NETWORK = { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8) };
const VIEWPORT = { width: 360, height: 740 };
const TIMEOUT = 60_000;

// The sections, in the order they are opened (each one's first tap), with their `data-section`.
const SECTIONS = SPLIT_SECTIONS;

// ---- Builds and servers ----------------------------------------------------------------------

const temporary = [];
/** A build served as in production: if it lacks the release steps, a temporary copy given them. */
function servable(name, dir) {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) throw new Error(`${name}: ${index} not found (build it first)`);
  const html = readFileSync(index, 'utf8');
  const inline = /<script\b(?![^>]*\bsrc=)[^>]*>\s*\S/i.test(html) || /<style\b/i.test(html);
  const compressed = readdirSync(dir).some((f) => f.endsWith('.wasm.br'));
  if (!inline && compressed) return { dir, note: '' };
  const copy = mkdtempSync(join(tmpdir(), `tahto-bench-${name}-`));
  temporary.push(copy);
  cpSync(dir, copy, { recursive: true });
  const steps = [];
  if (inline) {
    execFileSync(process.execPath, [join(ROOT, 'scripts/externalize-inline.mjs'), copy], { stdio: 'ignore' });
    steps.push('inline loader/style moved to files');
  }
  if (!compressed) {
    execFileSync(process.execPath, [join(ROOT, 'scripts/precompress.mjs'), copy], { stdio: 'ignore' });
    steps.push('brotli/gzip copies written');
  }
  return { dir: copy, note: `${name}: served from a temporary copy given the release serving steps\n  (${steps.join(', ')}); the build's own files are unchanged` };
}

const builds = values.build.map((spec, i) => {
  const at = spec.indexOf('=');
  const name = at > 0 ? spec.slice(0, at) : `build${i + 1}`;
  const dir = resolve(at > 0 ? spec.slice(at + 1) : spec);
  return { name, dir, port: Number(values.port) + i, results: [] };
});

const listen = (server, port) =>
  new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server.address().port));
  });

const store = new FhirStore();
await store.init();
const fhir = createServer(store);
const fhirPort = await listen(fhir, Number(values['fhir-port']));
const fhirOrigin = `http://127.0.0.1:${fhirPort}`;
const fhirBase = `${fhirOrigin}/fhir/R4`;
const notes = [];
for (const b of builds) {
  const { dir, note } = servable(b.name, b.dir);
  if (note) notes.push(note);
  b.server = createStaticServer({ dir, fhirBase, patient: PATIENT_ID, lang: 'en' });
  await listen(b.server, b.port);
  b.origin = `http://127.0.0.1:${b.port}`;
}

/** Demo data back to the seed; the citizen confirmed the notice earlier (declarations open). */
async function resetServer() {
  const reset = await fetch(`${fhirOrigin}/__admin/reset`, { method: 'POST' });
  if (!reset.ok) throw new Error(`reset: HTTP ${reset.status}`);
  const r = await fetch(`${fhirBase}/Consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify(noticeConfirmation()),
  });
  if (!r.ok) throw new Error(`POST Consent: HTTP ${r.status}`);
}

// ---- In the page -----------------------------------------------------------------------------

// Installed before any of the app's code: named conditions checked once per frame while the DOM
// changes (the time is the frame's, i.e. when it is first painted), the time of the armed click,
// the save status's transitions, and every wasm instance (with its memory) the app creates.
function pageProbe() {
  const bench = (window.__bench = { marks: {}, watches: new Map(), armed: false, click: undefined, instances: 0, memories: new Set() });
  // Service workers blocked: registration refused, as a browser that does not allow them does.
  // (Playwright's own `serviceWorkers: 'block'` resolves register() to undefined instead, which no
  // browser does.) Nothing is precached behind the cold load's back.
  if (window.ServiceWorkerContainer) {
    ServiceWorkerContainer.prototype.register = function () {
      return Promise.reject(new DOMException('service workers blocked by the benchmark', 'SecurityError'));
    };
  }
  const visible = (el) => !!el && el.checkVisibility() && el.getClientRects().length > 0;
  const LOADING = /Loading|Fetching|Ladataan|Haetaan/;
  bench.conditions = {
    home: () => {
      const h1 = [...document.querySelectorAll('h1')].find((h) => /^(Home|Etusivu)$/.test(h.textContent.trim()));
      if (!visible(h1)) return false;
      const states = [...document.querySelectorAll('[data-testid="home-state"]')].filter(visible);
      return states.length > 0 && !states.some((s) => LOADING.test(s.innerText));
    },
    section: (key) => {
      const root = document.querySelector(`[data-section="${key}"]`);
      if (!visible(root) || !visible(root.querySelector('h1'))) return false;
      return !LOADING.test(root.innerText);
    },
  };
  let scheduled = false;
  // The time of the check inside the frame (just before it is painted); the frame's own
  // timestamp may precede an input handled in it.
  const check = () => {
    scheduled = false;
    const frameTime = performance.now();
    for (const [name, test] of bench.watches) {
      let ok = false;
      try {
        ok = test();
      } catch {}
      if (ok) {
        bench.watches.delete(name);
        bench.marks[name] = frameTime;
        window.__benchReport?.(name, frameTime);
      }
    }
  };
  const schedule = () => {
    if (!scheduled && bench.watches.size) {
      scheduled = true;
      requestAnimationFrame(check);
    }
  };
  bench.watch = (name, test) => {
    bench.watches.set(name, test);
    schedule();
  };
  new MutationObserver(schedule).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  // The cold load: watched from the very start.
  bench.watch('home', bench.conditions.home);
  addEventListener(
    'click',
    (e) => {
      if (bench.armed) {
        bench.armed = false;
        bench.click = e.timeStamp;
      }
    },
    true,
  );
  // The save status of one section: each state's first frame painted after it was set.
  bench.watchSave = (key) => {
    bench.save = {};
    const seen = (state) => {
      if (bench.save[`${state}:set`] !== undefined) return;
      // A confirmation counts only after this save was shown as saving.
      if (state === 'confirmed' && bench.save['saving:set'] === undefined) return;
      bench.save[`${state}:set`] = performance.now();
      requestAnimationFrame(() => {
        // After the frame's rendering: the next task.
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          bench.save[state] = performance.now();
          window.__benchReport?.(`save:${state}`, bench.save[state]);
        };
        channel.port2.postMessage(0);
      });
    };
    const observer = new MutationObserver((records) => {
      // Every value the attribute took, in order (several changes may come in one callback).
      const changes = records.filter((r) => r.type === 'attributes' && r.target.matches?.('[data-testid="save-status"]'));
      changes.forEach((r, i) => {
        const later = changes.slice(i + 1).find((n) => n.target === r.target);
        const value = later ? later.oldValue : r.target.getAttribute('data-state');
        if (value === 'saving' || value === 'confirmed') seen(value);
      });
      const status = document.querySelector(`[data-section="${key}"] [data-testid="save-status"]`);
      const state = status?.getAttribute('data-state');
      if (state === 'saving' || state === 'confirmed') seen(state);
      if (bench.save['confirmed:set'] !== undefined) observer.disconnect();
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
  };
  // wasm instances the app creates (one app, or an app and its lazily loaded bundles).
  const count = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result?.instance;
    if (instance) {
      bench.instances += 1;
      for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) bench.memories.add(v);
    }
    return result;
  };
  for (const fn of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[fn];
    if (original) WebAssembly[fn] = function (...args) { return original.apply(this, args).then(count); };
  }
  bench.wasmMemory = () => [...bench.memories].reduce((n, m) => n + m.buffer.byteLength, 0);
}

// ---- One run ---------------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: process.env.TAHTO_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const browserCdp = await browser.newBrowserCDPSession();

/** The renderer process's memory from /proc (the largest renderer: the page's; a spare one is tiny). */
async function rendererMemory() {
  let info;
  try {
    info = await browserCdp.send('SystemInfo.getProcessInfo');
  } catch {
    return undefined;
  }
  let best;
  for (const p of info.processInfo.filter((p) => p.type === 'renderer')) {
    try {
      const rollup = readFileSync(`/proc/${p.id}/smaps_rollup`, 'utf8');
      const kb = (field) => Number(rollup.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN) * 1024;
      const m = { pid: p.id, rss: kb('Rss'), pss: kb('Pss') };
      if (!best || m.pss > best.pss) best = m;
    } catch {}
  }
  return best;
}

async function run(build) {
  await resetServer();
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-GB', serviceWorkers: 'allow' });
  const waiting = new Map();
  const reported = new Map();
  await context.exposeFunction('__benchReport', (name, t) => {
    reported.set(name, t);
    waiting.get(name)?.(t);
  });
  const waitFor = (name) =>
    reported.has(name)
      ? Promise.resolve(reported.get(name))
      : new Promise((ok, fail) => {
          const timer = setTimeout(() => fail(new Error(`${name}: not reached in ${TIMEOUT / 1000} s`)), TIMEOUT);
          waiting.set(name, (t) => {
            clearTimeout(timer);
            ok(t);
          });
        });
  await context.addInitScript(pageProbe);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text().slice(0, 200)}`);
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  await cdp.send('Performance.enable');
  const bytes = { app: 0, fhir: 0, requests: 0 };
  const urls = new Map();
  const files = [];
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId) ?? '';
    bytes[url.startsWith(fhirOrigin) ? 'fhir' : 'app'] += e.encodedDataLength;
    if (!url.startsWith(fhirOrigin)) files.push(`${Math.round(e.encodedDataLength)} ${url.replace(build.origin, '')}`);
    bytes.requests += 1;
  });
  const r = {};
  const text = (key) => page.locator(key ? `[data-section="${key}"]` : 'body').innerText().catch(() => '');
  try {
    // Cold load.
    await page.goto(`${build.origin}/`, { waitUntil: 'commit' });
    const home = await waitFor('home');
    r.load = home; // performance.now() is measured from navigation start
    r.loadBytes = bytes.app + bytes.fhir;
    r.loadAppBytes = bytes.app;
    r.loadRequests = bytes.requests;
    await page.waitForTimeout(300);

    // Each section's first tap.
    const nav = page.getByRole('navigation', { name: 'Sections' });
    const all = nav.getByRole('button', { name: 'All sections', exact: true });
    // The section's entry: a link (sections with addresses) or a button, the one shown; on a
    // phone most are under "All sections", opened first.
    const visibleEntry = async (title) => {
      for (const role of ['link', 'button']) {
        const entry = nav.getByRole(role, { name: title, exact: true }).filter({ visible: true });
        if (await entry.count()) return entry.first();
      }
      return undefined;
    };
    async function open(key, title) {
      let entry = await visibleEntry(title);
      if (!entry && (await all.count()) && (await all.getAttribute('aria-expanded')) !== 'true') await all.click();
      for (const until = Date.now() + TIMEOUT; !entry; ) {
        if (Date.now() > until) throw new Error(`${title}: no navigation entry shown`);
        await page.waitForTimeout(50);
        entry = await visibleEntry(title);
      }
      const mark = `section:${key}:${Math.random()}`;
      const done = waitFor(mark);
      done.catch(() => {});
      // Watched before the tap: the section is hidden until then.
      await page.evaluate(({ mark, key }) => {
        window.__bench.armed = true;
        window.__bench.click = undefined;
        window.__bench.watch(mark, () => window.__bench.conditions.section(key));
      }, { mark, key });
      await entry.click();
      try {
        await done;
      } catch (error) {
        throw new Error(`${title}: ${error.message}; the section says: ${(await text(key)).slice(0, 300)}`);
      }
      const { click, marks } = await page.evaluate(() => ({ click: window.__bench.click, marks: window.__bench.marks }));
      if (click === undefined) throw new Error(`${title}: the click was not seen`);
      return marks[mark] - click;
    }
    for (const [key, title] of SECTIONS) {
      try {
        r[`section:${key}`] = await open(key, title);
      } catch (error) {
        problems.push(error.message);
      }
      await page.waitForTimeout(300);
    }
    r.allAppBytes = bytes.app;
    log(`${build.name}: app files transferred (encoded bytes, headers included):\n  ${files.join('\n  ')}`);

    // Memory, every section opened, after a garbage collection.
    await page.waitForTimeout(1000);
    await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
    const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    r.jsHeap = metrics.JSHeapUsedSize;
    const dom = await cdp.send('Memory.getDOMCounters').catch(() => undefined);
    r.domNodes = dom?.nodes ?? metrics.Nodes;
    // What the nodes in the document are (the counter also counts nodes not in it).
    const kinds = await page.evaluate(() => {
      const count = { elements: 0, text: 0, emptyText: 0, comments: 0 };
      const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
      for (let n = walker.currentNode; n; n = walker.nextNode()) {
        if (n.nodeType === 1) count.elements += 1;
        else if (n.nodeType === 3) count[n.data.trim() ? 'text' : 'emptyText'] += 1;
        else if (n.nodeType === 8) count.comments += 1;
      }
      return count;
    });
    log(`${build.name}: DOM nodes ${r.domNodes}; in the document: ${JSON.stringify(kinds)}`);
    r.listeners = dom?.jsEventListeners ?? metrics.JSEventListeners;
    const wasm = await page.evaluate(() => ({ instances: window.__bench.instances, memory: window.__bench.wasmMemory() }));
    r.wasmInstances = wasm.instances;
    r.wasmMemory = wasm.memory;
    const proc = await rendererMemory();
    if (proc) {
      r.rendererPss = proc.pss;
      r.rendererRss = proc.rss;
    }

    // The organ donation decision saved.
    await open('organ-donation', 'Organ donation decision');
    const section = page.locator('[data-section="organ-donation"]');
    await section.getByRole('radio', { name: 'I consent to donating my organs and tissues', exact: true }).check();
    const save = section.getByRole('button', { name: 'Save decision', exact: true });
    await save.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.evaluate(() => {
      window.__bench.watchSave('organ-donation');
      window.__bench.armed = true;
      window.__bench.click = undefined;
    });
    const saving = waitFor('save:saving');
    const confirmed = waitFor('save:confirmed');
    await save.click();
    await Promise.allSettled([saving, confirmed]);
    const s = await page.evaluate(() => ({ click: window.__bench.click, save: window.__bench.save }));
    if (s.save.saving !== undefined) r.saving = s.save.saving - s.click;
    else problems.push('save: "saving" never shown');
    if (s.save.confirmed !== undefined) r.confirmed = s.save.confirmed - s.click;
    else problems.push(`save: not confirmed; the section says: ${(await text('organ-donation')).slice(0, 300)}`);
  } catch (error) {
    problems.push(error.message);
  } finally {
    await context.close();
  }
  return { r, problems };
}

// ---- Runs, interleaved -----------------------------------------------------------------------

const started = Date.now();
for (let i = 1; i <= RUNS; i += 1) {
  for (const build of builds) {
    const t0 = Date.now();
    const { r, problems } = await run(build);
    build.results.push(r);
    for (const p of problems) console.error(`app bench: ${build.name} run ${i}: ${p}`);
    console.error(`app bench: ${build.name} run ${i}/${RUNS}: ${((Date.now() - t0) / 1000).toFixed(0)} s` + (r.load ? `, usable at ${Math.round(r.load)} ms` : ''));
    log(JSON.stringify(r));
  }
}

await browser.close();
fhir.closeAllConnections();
fhir.close();
for (const b of builds) {
  b.server.closeAllConnections?.();
  b.server.close();
}
for (const dir of temporary) rmSync(dir, { recursive: true, force: true });

// ---- The table -------------------------------------------------------------------------------

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const ms = (x) => `${Math.round(x)} ms`;
// Times also show their range over the runs (min–max): the machine may be shared.
ms.range = (lo, hi) => ` (${Math.round(lo)}–${Math.round(hi)})`;
const kb = (x) => `${(x / 1024).toFixed(1)} KB`;
const mb = (x) => `${(x / 1024 / 1024).toFixed(1)} MB`;
const int = (x) => `${Math.round(x)}`;
const rows = [
  ['cold load to usable', 'load', ms],
  ['  bytes transferred until usable', 'loadBytes', kb],
  ['    of which app files', 'loadAppBytes', kb],
  ['  requests until usable', 'loadRequests', int],
  ['first tap to usable:', null],
  ...SECTIONS.map(([key, title]) => [`  ${title}`, `section:${key}`, ms]),
  ['app files transferred, all sections opened', 'allAppBytes', kb],
  ['organ donation decision saved:', null],
  ['  tap → "Saving" painted', 'saving', ms],
  ['  tap → confirmed, painted', 'confirmed', ms],
  ['memory, every section opened:', null],
  ['  JS heap used (Performance.getMetrics)', 'jsHeap', mb],
  ['  wasm linear memory (all instances)', 'wasmMemory', mb],
  ['  wasm instances (modules and split parts)', 'wasmInstances', int],
  ['  DOM nodes (Memory.getDOMCounters)', 'domNodes', int],
  ['  JS event listeners', 'listeners', int],
  ['  renderer process PSS (/proc)', 'rendererPss', mb],
  ['  renderer process RSS (/proc)', 'rendererRss', mb],
];
const ratio = builds.length === 2;
const header = ['', ...builds.map((b) => b.name), ...(ratio ? [`${builds[0].name}/${builds[1].name}`] : [])];
const table = [header];
for (const [label, key, format] of rows) {
  if (!key) {
    table.push([label, ...builds.map(() => ''), ...(ratio ? [''] : [])]);
    continue;
  }
  const values = builds.map((b) => b.results.map((r) => r[key]).filter(Number.isFinite));
  const meds = values.map(median);
  if (meds.every((m) => m === undefined)) continue;
  const cells = meds.map((m, i) => {
    if (m === undefined) return '—';
    const range = format.range && values[i].length > 1 ? format.range(Math.min(...values[i]), Math.max(...values[i])) : '';
    const missing = values[i].length < RUNS ? ` [${values[i].length}/${RUNS}]` : '';
    return `${format(m)}${range}${missing}`;
  });
  if (ratio) cells.push(meds[0] !== undefined && meds[1] ? `${(meds[0] / meds[1]).toFixed(2)}×` : '');
  table.push([label, ...cells]);
}
const widths = header.map((_, c) => Math.max(...table.map((row) => row[c].length)));
console.log(`\napp bench: medians of ${RUNS} cold runs per build, interleaved; emulated phone (${CPU_SLOWDOWN}x CPU, ${NETWORK.latency} ms, 1.6 Mbps down, 750 kbps up, ${VIEWPORT.width}x${VIEWPORT.height}), en`);
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(`
Legend:
- builds: ${builds.map((b) => `${b.name} = ${b.dir}`).join('; ')}.
- cold load: a fresh browser context (empty cache, service worker registration refused), from
  navigation start to the first frame with the h1 "Home" shown and every visible home card state
  line loaded (no "Loading…"). Bytes: encoded sizes (headers included) of every response until
  then, app files and FHIR answers; "all sections opened" counts the app's own files only.
- times: median (min–max) over the runs; [n/N]: a figure missing from some runs (see above).
- first tap: in one session, in the order listed, the click on the section's entry in the
  "Sections" navigation (opening "All sections" first when the entry is hidden, not timed) to the
  first frame with the section's h1 shown and no "Loading"/"Fetching" text left in it. Code
  shared with a section opened earlier is already loaded.
- save: the radio "I consent to donating my organs and tissues", then the click on "Save decision"
  to the save status's data-state "saving", then "confirmed", each painted (requestAnimationFrame,
  then the next task).
- memory: after every section was opened and a garbage collection. The renderer process is the
  largest renderer of the browser, read from /proc (PSS shares libraries out).
- times are the page's own clock (performance.now, event timeStamp): the harness's round trips are
  not counted. Machines are noisy: compare builds within one run of this script.${notes.length ? `\n- ${notes.join('\n- ')}.` : ''}
- total: ${((Date.now() - started) / 1000).toFixed(0)} s.`);
