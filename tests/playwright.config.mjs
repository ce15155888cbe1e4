// Playwright configuration for Tahto's end-to-end tests.
//
//   cd /work/main/tests && npx playwright test
//
// Starts (or reuses, unless CI is set) the local FHIR server, the fault proxy in front of it, two
// static servers for the built app in ../dist (one for the demo patient, one for a patient that does
// not exist on the server), and for embed.spec a third one that partners may frame, the partner's
// page on `localhost` (another site) and the same page on a third origin that Tahto does not list.
// Uses Debian's Chromium; never downloads a browser.
import { defineConfig } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  APP_SMART_PORT,
  APP_SMART_URL,
  AUTH_ORIGIN,
  AUTH_PORT,
  SMART_FHIR_BASE,
  SMART_FHIR_PORT,
  APP_EMBED_PORT,
  APP_EMBED_URL,
  APP_PORT,
  APP_UNKNOWN_PATIENT_PORT,
  APP_URL,
  APP_UNKNOWN_PATIENT_URL,
  FHIR_BASE_VIA_PROXY,
  FHIR_ORIGIN,
  FHIR_PORT,
  PROXY_ORIGIN,
  PROXY_PORT,
  PARTNER_PORT,
  PARTNER_URL,
  PATIENT_ID,
  THIRD_PORT,
  UNKNOWN_PATIENT_ID,
} from './e2e/env.mjs';

const testsDir = fileURLToPath(new URL('.', import.meta.url));
const reuseExistingServer = !process.env.CI;

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Chromium as browsers ship it, for embed.spec: Playwright launches Chromium with third-party
 * storage partitioning off (microsoft/playwright#32230), so a frame of another site would share
 * the first-party storage, or have none where third-party cookies are blocked. Browsers keep a
 * frame's storage per top-level site, and embed.spec tests exactly that. Chromium takes the last
 * --disable-features switch, so this repeats Playwright's own list without that one feature (read
 * from the installed Playwright, so an upgrade keeps the rest of its list).
 */
function withStoragePartitioning() {
  const require = createRequire(import.meta.url);
  const bundle = readFileSync(join(dirname(require.resolve('playwright-core/package.json')), 'lib/coreBundle.js'), 'utf8');
  const list = bundle.match(/disabledFeatures = \[([\s\S]*?)\]\.filter\(Boolean\)/)?.[1];
  const features = [...(list ?? '').matchAll(/"([A-Za-z0-9]+)"/g)].map((m) => m[1]);
  if (!features.includes('ThirdPartyStoragePartitioning')) {
    throw new Error('playwright.config: cannot find Playwright\'s disabled Chromium features (ThirdPartyStoragePartitioning); see withStoragePartitioning');
  }
  return `--disable-features=${features.filter((f) => f !== 'ThirdPartyStoragePartitioning').join(',')}`;
}
export const EMBED_CHROMIUM_ARGS = [...chromiumArgs, withStoragePartitioning()];

const reporter = [['list'], ['./e2e/validation-summary-reporter.mjs'], ['./e2e/chaos-summary.mjs']];
if (process.env.E2E_HTML) {
  reporter.push(['html', { outputFolder: 'e2e-report', open: 'never' }]);
}

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.mjs',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter,
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 360, height: 740 },
    locale: 'en-GB',
    timezoneId: 'Europe/Helsinki',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.TAHTO_CHROMIUM ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
  },
  // One mobile-first project; the screenshot test also renders at 1280 px itself. embed.spec runs
  // in Chromium with storage partitioned per top-level site, as browsers ship it.
  projects: [
    { name: 'mobile-chromium-360', testIgnore: /embed\.spec\.mjs$/ },
    {
      name: 'embed-chromium-360',
      testMatch: /embed\.spec\.mjs$/,
      use: { launchOptions: { executablePath: process.env.TAHTO_CHROMIUM ?? '/usr/bin/chromium', args: EMBED_CHROMIUM_ARGS } },
    },
  ],
  webServer: [
    {
      name: 'fhir-server',
      command: `node fhir-server/server.mjs --port ${FHIR_PORT}`,
      url: `${FHIR_ORIGIN}/__admin/health`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'fault-proxy',
      command: `node fhir-server/proxy.mjs --port ${PROXY_PORT} --upstream ${FHIR_ORIGIN}`,
      url: `${PROXY_ORIGIN}/__proxy/health`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'app',
      command: `node fhir-server/static.mjs --port ${APP_PORT} --dir ../dist --fhir-base ${FHIR_BASE_VIA_PROXY} --patient ${PATIENT_ID} --lang en --patient-param`,
      url: `${APP_URL}/`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'app-embed',
      command: `node fhir-server/static.mjs --port ${APP_EMBED_PORT} --dir ../dist --fhir-base ${FHIR_BASE_VIA_PROXY} --patient ${PATIENT_ID} --lang en --frame-ancestors "'self' ${PARTNER_URL}"`,
      url: `${APP_EMBED_URL}/`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'partner',
      command: `node fhir-server/partner.mjs --port ${PARTNER_PORT} --host localhost --tahto-origin ${APP_EMBED_URL}`,
      url: `http://127.0.0.1:${PARTNER_PORT}/`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'third-origin',
      command: `node fhir-server/partner.mjs --port ${THIRD_PORT} --host 127.0.0.1 --tahto-origin ${APP_EMBED_URL}`,
      url: `http://127.0.0.1:${THIRD_PORT}/`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    // auth.spec: the citizen signs in (SMART App Launch) at the dev authorization server, and a
    // FHIR server of its own takes only that server's tokens.
    {
      name: 'auth-server',
      command: `node fhir-server/auth.mjs --port ${AUTH_PORT} --fhir-base ${SMART_FHIR_BASE} --redirect-uri ${APP_SMART_URL}/ --redirect-uri ${APP_SMART_URL}/signed-in.html`,
      url: `${AUTH_ORIGIN}/__admin/health`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'smart-fhir-server',
      command: `node fhir-server/server.mjs --port ${SMART_FHIR_PORT} --auth-issuer ${AUTH_ORIGIN}`,
      url: `http://127.0.0.1:${SMART_FHIR_PORT}/__admin/health`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'app-smart',
      command: `node fhir-server/static.mjs --port ${APP_SMART_PORT} --dir ../dist --fhir-base ${SMART_FHIR_BASE} --sign-in smart --auth-issuer ${AUTH_ORIGIN} --lang en --frame-ancestors "'self' ${PARTNER_URL}"`,
      url: `${APP_SMART_URL}/`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'app-unknown-patient',
      command: `node fhir-server/static.mjs --port ${APP_UNKNOWN_PATIENT_PORT} --dir ../dist --fhir-base ${FHIR_BASE_VIA_PROXY} --patient ${UNKNOWN_PATIENT_ID} --lang en`,
      url: `${APP_UNKNOWN_PATIENT_URL}/`,
      cwd: testsDir,
      reuseExistingServer,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
