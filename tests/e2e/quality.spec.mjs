// Quality bar across pages (issue 4): flows by keyboard alone, focus after moves, saves and
// errors, touch targets of at least 44 px, and the server's own words for every kind of refused
// save. Through the real FHIR server behind the fault proxy.
import { test, expect } from '@playwright/test';
import {
  APP_URL,
  CHOICE,
  LOAD_TIMEOUT,
  PATIENT_ID,
  SAVE_TIMEOUT,
  confirmNoticeOnServer,
  fhirSearch,
  freshServerPerTest,
  gotoSection,
  setFaults, navTo } from './helpers.mjs';

freshServerPerTest(test);

const section = (page, key) => page.locator(`[data-section="${key}"]`);

/** The accessible name (roughly) of the focused element. */
const focusedName = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return '';
    const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
    return (el.getAttribute('aria-label') || label?.textContent || el.textContent || '').replace(/\s+/g, ' ').trim();
  });

/** Presses Tab until the focused element's name is `name` (at most 120 presses). */
async function tabTo(page, name) {
  for (let i = 0; i < 120; i += 1) {
    await page.keyboard.press('Tab');
    if ((await focusedName(page)) === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

const refusal = (diagnostics) => ({
  fault: 'status',
  status: 422,
  times: 1,
  body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', diagnostics }] },
});

test('keyboard alone: open a section from the navigation, focus lands on its heading, enter a measurement and save it', async ({ page }) => {
  await page.goto(`${APP_URL}/`);
  await expect(page.locator('#tahto-home-title')).toBeVisible({ timeout: LOAD_TIMEOUT });
  // On a phone the section is under "All sections": opened with the keyboard too.
  await tabTo(page, 'All sections');
  await page.keyboard.press('Enter');
  await tabTo(page, 'My measurements');
  await page.keyboard.press('Enter');
  const m = section(page, 'measurements');
  await expect(m.getByRole('heading', { level: 1 })).toBeFocused({ timeout: LOAD_TIMEOUT });

  await tabTo(page, 'Blood pressure');
  await page.keyboard.press('ArrowDown');
  await expect(m.getByRole('radio', { name: 'Weight' })).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(m.getByLabel('Weight (kg)')).toBeFocused();
  await page.keyboard.type('81,4');
  await page.keyboard.press('Enter');
  await expect(m.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await expect(m.getByTestId('measurement').first()).toContainText('81.4 kg', { timeout: LOAD_TIMEOUT });
});

test('keyboard alone: record an organ donation decision; an error moves focus to the save status', async ({ page }) => {
  await confirmNoticeOnServer();
  await setFaults({ method: 'POST', path: '/Consent', ...refusal('Palvelu ei ota vastaan juuri nyt.') });
  await page.goto(`${APP_URL}/`);
  await expect(page.locator('#tahto-home-title')).toBeVisible({ timeout: LOAD_TIMEOUT });
  await tabTo(page, 'All sections');
  await page.keyboard.press('Enter');
  await tabTo(page, 'Organ donation decision');
  await page.keyboard.press('Enter');
  const od = section(page, 'organ-donation');
  await expect(od.getByRole('heading', { level: 1 })).toBeFocused({ timeout: LOAD_TIMEOUT });
  await expect(od.getByRole('radio', { name: CHOICE.consent, exact: true })).toBeVisible({ timeout: LOAD_TIMEOUT });
  await tabTo(page, CHOICE.consent);
  await page.keyboard.press('Space');
  await expect(od.getByRole('radio', { name: CHOICE.consent, exact: true })).toBeChecked();
  await tabTo(page, 'Save decision');
  await page.keyboard.press('Enter');
  await expect(od.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected', { timeout: SAVE_TIMEOUT });
  await expect(od.getByTestId('save-status')).toBeFocused();
  await expect(od.getByTestId('save-status')).toContainText('Palvelu ei ota vastaan juuri nyt.');
});

test('touch targets: every button, field and summary is at least 44 px high on every page', async ({ page }) => {
  await confirmNoticeOnServer();
  await page.goto(`${APP_URL}/`);
  await expect(page.locator('#tahto-home-title')).toBeVisible({ timeout: LOAD_TIMEOUT });
  const small = [];
  const measure = async (where) => {
    await page.waitForLoadState('networkidle');
    const found = await page.evaluate(() =>
      [...document.querySelectorAll('#tahto button, #tahto input:not([type=radio]):not([type=checkbox]), #tahto textarea, #tahto summary, #tahto .tahto-option')]
        .filter((el) => el.offsetParent !== null)
        .map((el) => ({ h: el.getBoundingClientRect().height, what: `${el.tagName} ${(el.textContent || el.id).trim().slice(0, 40)}` }))
        .filter((t) => t.h < 44),
    );
    for (const t of found) small.push(`${where}: ${t.what} (${Math.round(t.h)} px)`);
  };
  await measure('home');
  for (const key of ['notice', 'organ-donation', 'advance-directive', 'living-will', 'disclosures', 'prescriptions', 'lab-results', 'vaccinations', 'visits', 'access-log', 'measurements']) {
    await page.getByTestId(`home-${key}`).getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: LOAD_TIMEOUT });
    if (key === 'lab-results') await section(page, key).locator('summary').first().click({ timeout: LOAD_TIMEOUT });
    await measure(key);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Home' }).click();
  }
  expect(small, small.join('\n')).toEqual([]);
});

test('refused saves show the server\'s reason: living will, measurement, disclosure', async ({ page }) => {
  await confirmNoticeOnServer();
  await setFaults(
    { method: 'POST', path: '/DocumentReference', ...refusal('Hoitotestamentin tallennus ei onnistu nyt.') },
    { method: 'POST', path: '/Observation', ...refusal('Mittausten tallennus on suljettu huoltotöiden ajaksi.') },
  );
  await gotoSection(page, 'Living will');
  const lw = section(page, 'living-will');
  await lw.getByLabel('Your living will').fill('Tahdon kotihoitoa.', { timeout: LOAD_TIMEOUT });
  await lw.getByRole('button', { name: 'Save living will' }).click();
  await expect(lw.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected', { timeout: SAVE_TIMEOUT });
  await expect(lw.getByTestId('save-status')).toContainText('Hoitotestamentin tallennus ei onnistu nyt.');
  await expect(lw.getByLabel('Your living will'), 'the text is kept for another try').toHaveValue('Tahdon kotihoitoa.');

  await navTo(page, 'My measurements');
  const m = section(page, 'measurements');
  await m.getByRole('radio', { name: 'Weight' }).check({ timeout: LOAD_TIMEOUT });
  await m.getByLabel('Weight (kg)').fill('70');
  await m.getByRole('button', { name: 'Save measurement' }).click();
  await expect(m.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected', { timeout: SAVE_TIMEOUT });
  await expect(m.getByTestId('save-status')).toContainText('Mittausten tallennus on suljettu huoltotöiden ajaksi.');

  await setFaults({ method: 'POST', path: '/Consent', ...refusal('Luovutuslupia ei voi nyt antaa.') });
  await navTo(page, 'Disclosure consents and refusals');
  const d = section(page, 'disclosures').getByTestId('disclosure').first();
  await d.getByRole('button', { name: 'Give consent' }).click({ timeout: LOAD_TIMEOUT });
  await expect(d.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected', { timeout: SAVE_TIMEOUT });
  await expect(d.getByTestId('save-status')).toContainText('Luovutuslupia ei voi nyt antaa.');
  expect(await fhirSearch('Consent', `patient=Patient/${PATIENT_ID}&category=http://loinc.org|59284-0`)).toHaveLength(0);
});

// Where a service worker runs, every part is on the device after the first visit (app-shell.spec):
// this is the browser without one (blocked, unsupported, or the very first visit cut short).
test.describe('without a service worker', () => {
  test.use({ serviceWorkers: 'block' });
  test('a section whose code cannot be fetched (network down) says so, loses nothing, and loads on Try again', async ({ page }) => {
    // The app's own files come from the static server, not through the FHIR fault proxy: the
    // request for the rest of the app is failed in the browser's network layer instead.
    await page.route(/\/tahto-split_rest-[0-9a-f]+\.wasm/, (route) => route.abort('internetdisconnected'));
    await page.goto(`${APP_URL}/`);
    await expect(page.locator('#tahto-home-title')).toBeVisible({ timeout: LOAD_TIMEOUT });
    await page.getByTestId('home-vaccinations').getByRole('link').click();
    const failed = page.locator('main p:visible', { hasText: 'This section could not be loaded.' });
    await expect(failed).toBeVisible({ timeout: LOAD_TIMEOUT });
    await expect(page.getByTestId('alerts')).toContainText('This section could not be loaded.');
    // The start page works without the rest: its state lines are read.
    await expect(page.getByTestId('home-organ-donation').getByTestId('home-state')).not.toHaveText(/Loading/);
    await page.unroute(/\/tahto-split_rest-[0-9a-f]+\.wasm/);
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect(section(page, 'vaccinations').locator('li')).toHaveCount(6, { timeout: LOAD_TIMEOUT });
    await expect(failed).toBeHidden();
  });
});
