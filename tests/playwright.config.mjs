// Playwright configuration for Tahto's end-to-end tests.
//
//   cd /work/main/tests && npx playwright test
//
// Starts (or reuses, unless CI is set) the local FHIR server, the fault proxy in front of it and two
// static servers for the built app in ../dist (one for the demo patient, one for a patient that does
// not exist on the server). Uses Debian's Chromium; never downloads a browser.
import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import {
  APP_PORT,
  APP_UNKNOWN_PATIENT_PORT,
  APP_URL,
  APP_UNKNOWN_PATIENT_URL,
  FHIR_BASE_VIA_PROXY,
  FHIR_ORIGIN,
  FHIR_PORT,
  PROXY_ORIGIN,
  PROXY_PORT,
  PATIENT_ID,
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
  // One mobile-first project; the screenshot test also renders at 1280 px itself.
  projects: [{ name: 'mobile-chromium-360' }],
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
