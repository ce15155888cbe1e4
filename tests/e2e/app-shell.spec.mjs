// The app as one split build (issue 10), through a real static server, the FHIR server behind the
// fault proxy, and Chromium's service worker and IndexedDB: every section has a URL (deep links,
// back and forward, reloads), embedded routing never touches the host's history, the app opens
// without a network with its unsent saves, and a new version is offered, not forced mid-save.
// The bugs of splitting show only in the release build, so this runs against ../dist.
import { test, expect } from '@playwright/test';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer } from '../fhir-server/static.mjs';
import { SPLIT_SECTIONS } from './env.mjs';
import {
  CHOICE,
  FHIR_BASE_VIA_PROXY,
  LOAD_TIMEOUT,
  PATIENT_ID,
  SAVE_TIMEOUT,
  confirmNoticeOnServer,
  currentSentSeq,
  freshServerPerTest,
  navTo,
  organDonationConsents,
  sentSince,
  setFaults,
  clearFaults,
} from './helpers.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/** Every section: its path and its heading (en). */
const SECTIONS = [['', 'Home'], ...SPLIT_SECTIONS, ['unsent', 'Unsent saves']];

freshServerPerTest(test);

/** A static server of its own for one test, over a copy of the build it may change. */
async function serve({ routing } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tahto-shell-'));
  cpSync(DIST, dir, { recursive: true, preserveTimestamps: true });
  const server = createStaticServer({ dir, fhirBase: FHIR_BASE_VIA_PROXY, patient: PATIENT_ID, lang: 'en', routing });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const stop = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return { dir, origin, stop, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const heading = (page) => page.locator('main h1:visible');

test('every section has its own address: deep links, back and forward, and a reload stay on the section', async ({ page }) => {
  const app = await serve();
  try {
    for (const [path, title] of SECTIONS) {
      await page.goto(`${app.origin}/${path}`);
      await expect(heading(page), `/${path}`).toHaveText(title, { timeout: LOAD_TIMEOUT });
    }
    // An address Tahto does not know lands on home, and the address says so.
    await page.goto(`${app.origin}/no-such-section`);
    await expect(heading(page)).toHaveText('Home', { timeout: LOAD_TIMEOUT });
    await expect(page).toHaveURL(`${app.origin}/`);

    // Moving through the navigation: one history entry per section, the phone's back button
    // returns to the previous section, not out of Tahto.
    await page.goto(`${app.origin}/`);
    await expect(heading(page)).toHaveText('Home', { timeout: LOAD_TIMEOUT });
    const before = await page.evaluate(() => history.length);
    for (const title of ['Lab results', 'Organ donation decision', 'Visits']) {
      await navTo(page, title);
      await expect(heading(page)).toHaveText(title, { timeout: LOAD_TIMEOUT });
    }
    expect(await page.evaluate(() => history.length)).toBe(before + 3);
    await expect(page).toHaveURL(`${app.origin}/visits`);
    await page.goBack();
    await expect(heading(page)).toHaveText('Organ donation decision');
    await expect(page).toHaveURL(`${app.origin}/organ-donation`);
    await page.goBack();
    await expect(heading(page)).toHaveText('Lab results');
    await page.goForward();
    await expect(heading(page)).toHaveText('Organ donation decision');
    await page.reload();
    await expect(heading(page)).toHaveText('Organ donation decision', { timeout: LOAD_TIMEOUT });
    // The current section is marked in the navigation, as a link a citizen can also open in a tab.
    const current = page.getByRole('navigation', { name: 'Sections' }).locator('[aria-current="page"]');
    await expect(current).toHaveAttribute('href', '/organ-donation');
  } finally {
    await app.stop();
    app.remove();
  }
});

test('embedded (routing in memory): sections change, the host page\'s address and history never do', async ({ page }) => {
  const app = await serve({ routing: 'memory' });
  try {
    await page.goto(`${app.origin}/`);
    await expect(heading(page)).toHaveText('Home', { timeout: LOAD_TIMEOUT });
    const nav = page.getByRole('navigation', { name: 'Sections' });
    // Without addresses the sections are buttons, not links to nowhere.
    await expect(nav.getByRole('link')).toHaveCount(0);
    const before = await page.evaluate(() => history.length);
    for (const title of ['Lab results', 'Organ donation decision']) {
      if (!(await nav.getByRole('button', { name: title, exact: true }).isVisible())) {
        await nav.getByRole('button', { name: 'All sections', exact: true }).click();
      }
      await nav.getByRole('button', { name: title, exact: true }).click();
      await expect(heading(page)).toHaveText(title, { timeout: LOAD_TIMEOUT });
    }
    expect(await page.evaluate(() => history.length)).toBe(before);
    await expect(page).toHaveURL(`${app.origin}/`);
    // This tab still remembers the section over a reload.
    await page.reload();
    await expect(heading(page)).toHaveText('Organ donation decision', { timeout: LOAD_TIMEOUT });
  } finally {
    await app.stop();
    app.remove();
  }
});

/** Waits until the service worker controls the page and has cached this build. */
async function waitForServiceWorker(page) {
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return Boolean(navigator.serviceWorker.controller && registration?.active?.state === 'activated');
        }),
      { timeout: LOAD_TIMEOUT },
    )
    .toBe(true);
}

test('opens without a network: the unsent save is shown and kept, every section opens, and it is sent once the network is back', async ({ page }) => {
  await confirmNoticeOnServer();
  const app = await serve();
  try {
    await page.goto(`${app.origin}/`);
    await expect(heading(page)).toHaveText('Home', { timeout: LOAD_TIMEOUT });
    await waitForServiceWorker(page);

    // A save the service cannot take: kept on the device.
    await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, times: null });
    await navTo(page, 'Organ donation decision');
    const od = page.locator('[data-section="organ-donation"]');
    await od.getByRole('radio', { name: CHOICE.consent, exact: true }).check({ timeout: LOAD_TIMEOUT });
    await od.getByRole('button', { name: 'Save decision', exact: true }).click();
    await expect(od.getByTestId('save-status')).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });

    // The network is gone: Tahto's own server is down (the FHIR server is behind a refusing proxy).
    await app.stop();
    await page.goto(`${app.origin}/`);
    await expect(heading(page)).toHaveText('Home', { timeout: LOAD_TIMEOUT });
    await expect(page.getByTestId('unsent-badge')).toContainText('1', { timeout: LOAD_TIMEOUT });
    await expect(page.getByTestId('home-unsent')).toContainText('Unsent saves: 1');
    // Every section's code comes from the device, not the network.
    for (const [path, title] of SECTIONS.slice(1)) {
      await page.goto(`${app.origin}/${path}`);
      await expect(heading(page), `/${path} offline`).toHaveText(title, { timeout: LOAD_TIMEOUT });
      await expect(page.locator('main p:visible', { hasText: 'This section could not be loaded.' })).toHaveCount(0);
    }
    await page.goto(`${app.origin}/unsent`);
    await expect(page.getByTestId('unsent-item')).toHaveCount(1, { timeout: LOAD_TIMEOUT });
  } finally {
    await app.stop();
  }
  // Back online (same port, same files): the save is sent, once.
  await clearFaults();
  const server = createStaticServer({ dir: app.dir, fhirBase: FHIR_BASE_VIA_PROXY, patient: PATIENT_ID, lang: 'en' });
  server.listen(Number(new URL(page.url()).port), '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    // Tahto tries again by itself; "Retry now" only makes it sooner, and may find the save
    // already gone. What counts is that it arrives.
    const retry = page.getByTestId('unsent-item').getByRole('button', { name: 'Retry now' });
    await retry.click({ timeout: 2_000 }).catch(() => {});
    await expect(page.getByTestId('unsent-item')).toHaveCount(0, { timeout: SAVE_TIMEOUT });
    await expect(page.getByTestId('unsent-none')).toBeVisible();
    expect(await organDonationConsents(), 'the decision, stored once').toHaveLength(1);
  } finally {
    await new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
    app.remove();
  }
});

test('a new version is offered, not forced: it waits for a save on its way, then the page reloads into it with nothing lost, and opens offline on its own files', async ({ page }) => {
  await confirmNoticeOnServer();
  const app = await serve();
  try {
    await page.goto(`${app.origin}/measurements`);
    await expect(heading(page)).toHaveText('My measurements', { timeout: LOAD_TIMEOUT });
    await waitForServiceWorker(page);
    const firstBuild = await page.evaluate(() => caches.keys());

    // A new release on the server: a new service worker, which names its build.
    expect(firstBuild).toHaveLength(1);
    const build = firstBuild[0].replace(/^tahto-app-/, '');
    const swPath = join(app.dir, 'sw.js');
    const sw = readFileSync(swPath, 'utf8');
    expect(sw).toContain(build);
    writeFileSync(swPath, sw.replaceAll(build, `${build}next`));
    // Its files have names of their own (here its stylesheet's), which only its entry document
    // names: offline, the page must open on that document, not on the older build's.
    const oldStyle = readdirSync(app.dir).find((f) => /^tahto-[0-9a-f]{16}\.css$/.test(f));
    const newStyle = oldStyle.replace(/[0-9a-f]{16}/, (hash) => [...hash].reverse().join(''));
    copyFileSync(join(app.dir, oldStyle), join(app.dir, newStyle));
    for (const file of ['index.html', 'sw.js']) {
      const path = join(app.dir, file);
      writeFileSync(path, readFileSync(path, 'utf8').replaceAll(oldStyle, newStyle));
      for (const copy of [`${file}.br`, `${file}.gz`]) rmSync(join(app.dir, copy), { force: true });
    }
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const offer = page.getByTestId('app-update');
    await expect(offer).toBeVisible({ timeout: LOAD_TIMEOUT });
    await expect(offer).toContainText('A new version of Tahto is ready.');
    await expect(page.getByTestId('announcer')).toContainText('A new version of Tahto is ready.');

    // A save on its way when the citizen chooses to update: the update waits for it.
    await setFaults({ method: 'POST', path: '/Observation', fault: 'delay', delayMs: 4000, times: 1 });
    const m = page.locator('[data-section="measurements"]');
    await m.getByRole('radio', { name: 'Weight' }).check();
    await m.getByLabel('Weight (kg)').fill('70');
    await m.getByRole('button', { name: 'Save measurement' }).click();
    await expect(m.getByTestId('save-status')).toHaveAttribute('data-state', 'saving', { timeout: SAVE_TIMEOUT });
    await offer.getByRole('button', { name: 'Update now' }).click();
    await expect(offer).toContainText('Your save is on its way.');
    // Then the new version takes over and the page reloads into it, on the same section.
    await page.waitForEvent('load', { timeout: SAVE_TIMEOUT });
    await expect(heading(page)).toHaveText('My measurements', { timeout: LOAD_TIMEOUT });
    await expect(page.locator('[data-section="measurements"]').getByText('70 kg').first()).toBeVisible({ timeout: LOAD_TIMEOUT });
    const caches = await page.evaluate(() => caches.keys());
    expect(caches.some((k) => k.endsWith('next'))).toBe(true);
    expect(caches.length, 'this build and the one before are kept').toBeLessThanOrEqual(2);

    // Offline, the new build opens on its own entry document, with its own files.
    await page.context().setOffline(true);
    await page.reload();
    await expect(heading(page)).toHaveText('My measurements', { timeout: LOAD_TIMEOUT });
    const rules = (style) =>
      page.evaluate((style) => document.querySelector(`link[href$="${style}"]`)?.sheet?.cssRules.length ?? 0, style);
    await expect.poll(() => rules(newStyle), { timeout: LOAD_TIMEOUT }).toBeGreaterThan(0);
  } finally {
    await page.context().setOffline(false);
    await clearFaults();
    await app.stop();
    app.remove();
  }
});

test('a save begun while the new version takes over is not interrupted: the page reloads into it once the save is confirmed', async ({ page }) => {
  await confirmNoticeOnServer();
  const app = await serve();
  try {
    await page.goto(`${app.origin}/measurements`);
    await expect(heading(page)).toHaveText('My measurements', { timeout: LOAD_TIMEOUT });
    await waitForServiceWorker(page);
    const [cache] = await page.evaluate(() => caches.keys());
    const build = cache.replace(/^tahto-app-/, '');
    // A new release whose service worker takes a while to take over (as on a slow phone): long
    // enough for the citizen to begin a save after choosing to update.
    const swPath = join(app.dir, 'sw.js');
    const sw = readFileSync(swPath, 'utf8');
    expect(sw).toContain('self.skipWaiting()');
    writeFileSync(
      swPath,
      sw.replaceAll(build, `${build}next`).replace('self.skipWaiting()', 'setTimeout(() => self.skipWaiting(), 1500)'),
    );
    for (const copy of ['sw.js.br', 'sw.js.gz']) rmSync(join(app.dir, copy), { force: true });
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const offer = page.getByTestId('app-update');
    await expect(offer).toBeVisible({ timeout: LOAD_TIMEOUT });

    await offer.getByRole('button', { name: 'Update now' }).click();
    // Meanwhile the citizen saves a measurement, held 4 s on its way.
    await setFaults({ method: 'POST', path: '/Observation', fault: 'delay', delayMs: 4000, times: 1 });
    const before = await currentSentSeq();
    const m = page.locator('[data-section="measurements"]');
    await m.getByRole('radio', { name: 'Weight' }).check();
    await m.getByLabel('Weight (kg)').fill('71');
    // What the save showed when the page went away (the tab's session storage outlives a reload).
    await page.evaluate(() =>
      addEventListener('pagehide', () => {
        const status = document.querySelector('[data-section="measurements"] [data-testid="save-status"]');
        sessionStorage.setItem('test-state-at-reload', status?.dataset.state ?? 'none');
      }),
    );
    const reloaded = page.waitForEvent('load', { timeout: SAVE_TIMEOUT });
    await m.getByRole('button', { name: 'Save measurement' }).click();
    await expect(offer).toContainText('Your save is on its way.');

    // The new version took over during the save; the page reloaded only once it was confirmed.
    await reloaded;
    const atReload = await page.evaluate(() => sessionStorage.getItem('test-state-at-reload'));
    expect(atReload, 'the page waited for the save').toBe('confirmed');
    await expect(heading(page)).toHaveText('My measurements', { timeout: LOAD_TIMEOUT });
    await expect(page.locator('[data-section="measurements"]').getByText('71 kg').first()).toBeVisible({ timeout: LOAD_TIMEOUT });
    const posts = (await sentSince(before)).filter((w) => w.method === 'POST' && w.url.includes('/Observation'));
    expect(posts, 'sent once, not again after a reload').toHaveLength(1);
    expect((await page.evaluate(() => caches.keys())).some((k) => k.endsWith('next'))).toBe(true);
  } finally {
    await clearFaults();
    await app.stop();
    app.remove();
  }
});
