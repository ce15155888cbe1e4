// Served as in production (issue 10): the release build from the run command's server
// (tests/fhir-server/static.mjs) runs under its strict Content-Security-Policy with no violation,
// through the home page, a declaration saved and confirmed, and a records section; every response
// carries the security headers, the wasm comes brotli-encoded when the browser accepts it, hashed
// files are immutable and the entry document is revalidated. Also prints the bytes a cold first
// load transfers with and without compression.
//
// The build is served from a copy of ../dist with the release steps applied
// (scripts/externalize-inline.mjs, scripts/precompress.mjs): no-ops once Trunk's post_build hook
// runs them, so this spec does not depend on how the build was wired.
// Sections are opened through the app's own navigation, so this holds with or without URLs.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer, securityHeaders } from '../fhir-server/static.mjs';
import {
  CHOICE,
  FHIR_BASE_VIA_PROXY,
  LOAD_TIMEOUT,
  PATIENT_ID,
  PROXY_ORIGIN,
  confirmNoticeOnServer,
  freshServerPerTest,
  gotoSection,
  openOrganDonation,
  saveAndConfirm, navTo } from './helpers.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));
const IMMUTABLE = 'public, max-age=31536000, immutable';
const HASHED = /(?:^|[-._])[0-9a-f]{16,}(?=[-._])/i;

freshServerPerTest(test);

let dir;
let server;
let origin;

test.beforeAll(async () => {
  test.setTimeout(120_000); // brotli 11 of the whole build, when the build did not do it
  dir = mkdtempSync(join(tmpdir(), 'tahto-served-'));
  cpSync(DIST, dir, { recursive: true, preserveTimestamps: true });
  for (const step of ['externalize-inline.mjs', 'precompress.mjs']) {
    execFileSync(process.execPath, [join(SCRIPTS, step), dir], { stdio: 'pipe' });
  }
  server = createStaticServer({ dir, fhirBase: FHIR_BASE_VIA_PROXY, patient: PATIENT_ID, lang: 'en' });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

test.afterAll(async () => {
  if (server) {
    await new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every CSP violation the page reports, from the first script on (an init script is not subject to the CSP). */
async function watchCsp(page) {
  const reported = [];
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
    });
  });
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to|Permissions-Policy|Permissions policy/i.test(text)) reported.push(`console ${msg.type()}: ${text}`);
  });
  return async () => [...reported, ...(await page.evaluate(() => window.__cspViolations ?? []).catch(() => []))];
}

/** Every response of the page: url, status, request's Accept-Encoding, response headers. */
function watchResponses(page) {
  const seen = [];
  page.on('response', async (res) => {
    const entry = { url: res.url(), status: res.status(), headers: await res.allHeaders().catch(() => ({})) };
    entry.acceptEncoding = (await res.request().allHeaders().catch(() => ({})))['accept-encoding'] ?? '';
    seen.push(entry);
  });
  return seen;
}

test('the app runs under the strict CSP: home, a declaration saved, a records section; zero violations', async ({ page }) => {
  const violations = await watchCsp(page);
  const responses = watchResponses(page);

  await confirmNoticeOnServer();
  const ui = await openOrganDonation(page, { baseUrl: origin, noticeConfirmed: false });
  await ui.radio('consent').check();
  await saveAndConfirm(ui, 1);

  // A section of the other bundle, through the app's own navigation.
  await navTo(page, 'Lab results');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lab results', { timeout: LOAD_TIMEOUT });
  const tests = page.getByTestId('lab-results').getByTestId('lab-test');
  await expect(tests).toHaveCount(6, { timeout: LOAD_TIMEOUT });
  await expect(tests.first().getByRole('img')).toBeVisible(); // the chart (SVG, styled by class only)
  await tests.first().getByText(/All results/).click();
  await expect(tests.first().getByRole('row').nth(1)).toBeVisible();
  // Home again, and a reload (from the cache: the document revalidated, hashed files not asked for).
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Home', exact: true }).click();
  await page.reload();
  await expect(page.locator('#tahto-home-title')).toBeVisible({ timeout: LOAD_TIMEOUT });

  expect(await violations(), 'CSP violations and policy messages').toEqual([]);

  const own = responses.filter((r) => r.url.startsWith(`${origin}/`));
  const expected = securityHeaders({ fhirBase: FHIR_BASE_VIA_PROXY });
  expect(own.length).toBeGreaterThan(5);
  for (const r of own) {
    for (const [name, value] of Object.entries(expected)) expect(r.headers[name.toLowerCase()], `${name} on ${r.url}`).toBe(value);
  }
  const csp = expected['Content-Security-Policy'];
  expect(csp).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
  expect(csp).toContain(`connect-src 'self' ${PROXY_ORIGIN}`);

  const documents = own.filter((r) => r.headers['content-type']?.startsWith('text/html'));
  expect(documents.length).toBeGreaterThan(0);
  for (const d of documents) expect(d.headers['cache-control'], d.url).toBe('no-cache');

  // What the browser accepts, from the navigation (a preloaded file's request may not show it).
  const accepts = documents.find((d) => d.acceptEncoding)?.acceptEncoding ?? '';
  expect(accepts, 'Chromium asks for compressed answers').toMatch(/\bgzip\b/);
  const wasm = own.filter((r) => r.url.endsWith('.wasm') && r.status === 200);
  expect(wasm.length, 'the first load and the records bundle').toBeGreaterThanOrEqual(2);
  for (const r of wasm) {
    expect(r.headers['content-type']).toBe('application/wasm');
    expect(r.headers['content-encoding'], r.url).toBe(/\bbr\b/.test(accepts) ? 'br' : 'gzip');
    expect(r.headers.vary).toMatch(/accept-encoding/i);
  }
  for (const r of own.filter((x) => x.status === 200 && HASHED.test(new URL(x.url).pathname.split('/').pop()))) {
    expect(r.headers['cache-control'], r.url).toBe(IMMUTABLE);
  }
  // The loader and the host page's style are files of their own now.
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  expect(html).not.toMatch(/<style|<script(?![^>]*\ssrc=)[^>]*>/i);
  expect(own.some((r) => /\/inline-[0-9a-f]{16}\.js$/.test(r.url))).toBe(true);
});

test('cold first load: bytes transferred with and without compression', async ({ browser }, testInfo) => {
  /** Loads the home page in a fresh context; sums CDP's encodedDataLength per origin. */
  async function coldLoad(extraHTTPHeaders) {
    const context = await browser.newContext({ extraHTTPHeaders });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map();
    const encodings = new Map();
    const totals = { app: 0, fhir: 0, files: 0 };
    cdp.on('Network.responseReceived', (e) => {
      urls.set(e.requestId, e.response.url);
      const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      encodings.set(e.response.url, h['content-encoding'] ?? 'identity');
    });
    cdp.on('Network.loadingFinished', (e) => {
      const url = urls.get(e.requestId) ?? '';
      if (url.startsWith(`${origin}/`)) {
        totals.app += e.encodedDataLength;
        totals.files++;
      } else if (url.startsWith(PROXY_ORIGIN)) totals.fhir += e.encodedDataLength;
    });
    await page.goto(`${origin}/`);
    await expect(page.locator('#tahto-home-title')).toBeVisible({ timeout: LOAD_TIMEOUT });
    await page.waitForLoadState('networkidle');
    await context.close();
    return { ...totals, encodings: Object.fromEntries(encodings) };
  }
  const compressed = await coldLoad(undefined);
  const gzip = await coldLoad({ 'Accept-Encoding': 'gzip' });
  const identity = await coldLoad({ 'Accept-Encoding': 'identity' });
  const wasmEncoding = (m) => Object.entries(m.encodings).find(([u]) => u.endsWith('.wasm'))?.[1];
  expect(wasmEncoding(identity), 'the override reached the server').toBe('identity');
  expect(['br', 'gzip']).toContain(wasmEncoding(compressed));
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  const line =
    `cold first load (${compressed.files} files, headers included): app ${kb(identity.app)} → ${kb(compressed.app)} ` +
    `(${wasmEncoding(compressed)}), ${kb(gzip.app)} (gzip only); FHIR reads ${kb(identity.fhir)} → ${kb(compressed.fhir)}; ` +
    `total ${kb(identity.app + identity.fhir)} → ${kb(compressed.app + compressed.fhir)}`;
  console.log(`serving: ${line}`);
  await testInfo.attach('first-load-bytes', { body: JSON.stringify({ compressed, gzip, identity }, null, 2), contentType: 'application/json' });
  expect(wasmEncoding(gzip)).toBe('gzip');
  expect(compressed.app).toBeLessThan(identity.app / 2);
});
