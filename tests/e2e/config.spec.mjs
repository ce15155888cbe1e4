// A host page with a bad data-fhir-base (issue 9, item 6): Tahto shows a clear configuration
// message in the page's language, naming the attribute to fix, and sends nothing anywhere — not to
// the bad address, not to any other. Each test serves the built app (../dist) from its own static
// server on an ephemeral port, with the bad value injected into the host element.
//
// The wording is checked loosely on purpose: the alert must name `data-fhir-base` and open with
// the phrase every configuration message shares (src/i18n: `ConfigProblem` and each `Config*`).
import { test, expect } from '@playwright/test';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createStaticServer } from '../fhir-server/static.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const LOAD_TIMEOUT = 30_000;

/** The phrase every configuration message starts with, per language. */
const NOT_CONFIGURED = {
  en: 'Tahto is not configured correctly',
  fi: 'Tahtoa ei ole määritetty oikein',
  sv: 'Tahto är inte korrekt konfigurerat',
};

/** Serves dist/ with `fhirBase` and `lang` on 127.0.0.1, on a free port; returns its origin. */
async function serveApp(testInfo, { fhirBase, lang }) {
  const server = createStaticServer({ dir: DIST, fhirBase, patient: 'helmi-esimerkki', lang });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  testInfo.attach('fhirBase', { body: fhirBase });
  const stop = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return { origin: `http://127.0.0.1:${server.address().port}`, stop };
}

/** Opens the app and records every request, page error, error message and dialog. */
async function openApp(page, origin) {
  const requests = [];
  const problems = [];
  page.on('request', (req) => requests.push(req.url()));
  page.on('pageerror', (err) => problems.push(`pageerror: ${err?.stack ?? err}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /panicked/i.test(msg.text())) problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  await page.goto(`${origin}/`);
  const alert = page.getByRole('alert').filter({ hasText: 'data-fhir-base' });
  await expect(alert).toBeVisible({ timeout: LOAD_TIMEOUT });
  return { alert, requests, problems };
}

const cases = [
  { lang: 'en', fhirBase: 'http://example.fi/fhir/R4', badHost: 'example.fi' },
  { lang: 'fi', fhirBase: 'https://user:pw@x.fi/R4', badHost: 'x.fi' },
  { lang: 'en', fhirBase: 'https://x.fi/R4#frag', badHost: 'x.fi' },
  { lang: 'sv', fhirBase: 'javascript:alert(1)//', badHost: null },
];

for (const { lang, fhirBase, badHost } of cases) {
  test(`data-fhir-base="${fhirBase}" (${lang}): a configuration message, no request, no error`, async ({ page }, testInfo) => {
    const app = await serveApp(testInfo, { fhirBase, lang });
    try {
      const { alert, requests, problems } = await openApp(page, app.origin);
      // In the language the app says it speaks (that this is the page's: the test below).
      const shown = await page.locator('.tahto-app').getAttribute('lang');
      expect(Object.keys(NOT_CONFIGURED)).toContain(shown);
      await expect(alert).toContainText(NOT_CONFIGURED[shown]);
      // Never the password of a user-info base on screen.
      await expect(alert).not.toContainText('pw@');

      // Give a started client time to show itself before judging that nothing was sent.
      await page.waitForTimeout(1_500);
      const elsewhere = requests.filter((url) => !url.startsWith(`${app.origin}/`));
      expect(elsewhere, 'requests to anything but the app itself').toEqual([]);
      if (badHost) {
        expect(requests.filter((url) => new URL(url).hostname === badHost)).toEqual([]);
      }
      expect(problems).toEqual([]);
    } finally {
      await app.stop();
    }
  });
}

for (const lang of ['en', 'fi']) {
  test(`the configuration message is in the host page's language (data-lang="${lang}")`, async ({ page }, testInfo) => {
    const app = await serveApp(testInfo, { fhirBase: 'http://example.fi/fhir/R4', lang });
    try {
      const { alert, problems } = await openApp(page, app.origin);
      await expect(page.locator('.tahto-app')).toHaveAttribute('lang', lang, { timeout: 2_000 });
      await expect(alert).toContainText(NOT_CONFIGURED[lang], { timeout: 2_000 });
      expect(problems).toEqual([]);
    } finally {
      await app.stop();
    }
  });
}
