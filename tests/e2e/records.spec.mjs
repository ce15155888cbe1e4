// Health records and own measurements, end to end: the real FHIR server behind the fault proxy,
// the records bundle loaded lazily in Chromium, the server read directly.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  APP_URL,
  LOAD_TIMEOUT,
  PATIENT_ID,
  SAVE_TIMEOUT,
  SNOMED,
  fhirPost,
  fhirPut,
  fhirSearch,
  formatAxeViolations,
  freshServerPerTest,
  gotoSection,
  parseBody,
  sentSince,
  clearFaults,
  currentSentSeq,
  setFaults, navTo } from './helpers.mjs';

const { sentFrom } = freshServerPerTest(test);

const TITLES = {
  prescriptions: 'Prescriptions',
  labs: 'Lab results',
  vaccinations: 'Vaccinations',
  visits: 'Visits',
  access: 'Who viewed my data',
  measurements: 'My measurements',
};

const section = (page, key) => page.locator(`[data-section="${key}"]`);

async function open(page, title) {
  await gotoSection(page, title);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title, { timeout: LOAD_TIMEOUT });
}

/** Waits until a records page has fetched its list (the measurements list starts empty). */
/** How many values a chart's path draws: each dot or square is one subpath (`M`). */
async function marksDrawn(chart, selector) {
  const d = (await chart.locator(selector).getAttribute('d')) ?? '';
  return d.split('M').length - 1;
}

async function expectListed(page, key) {
  await expect(section(page, key).getByRole('heading', { level: 1 })).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(section(page, key).locator('p.tahto-hint').filter({ hasText: /…$/ }).first()).toBeHidden({ timeout: LOAD_TIMEOUT });
  if (key !== 'measurements') await expect(section(page, key).locator('li').first()).toBeVisible({ timeout: LOAD_TIMEOUT });
}

/** The renewal Tasks the server holds for the demo patient. */
async function renewalTasks() {
  return fhirSearch('Task', `patient=Patient/${PATIENT_ID}&code=${SNOMED}|103742009&_count=100`);
}

test('prescriptions: valid and past are listed; a renewal request is a Task the server holds, shown as requested after reload', async ({ page }) => {
  await open(page, TITLES.prescriptions);
  const active = page.getByTestId('prescriptions-active').getByTestId('prescription');
  const past = page.getByTestId('prescriptions-past').getByTestId('prescription');
  await expect(active).toHaveCount(3, { timeout: LOAD_TIMEOUT });
  await expect(past).toHaveCount(3);
  await expect(past.getByRole('button', { name: 'Ask for renewal' }), 'past prescriptions cannot be renewed').toHaveCount(0);

  const statin = active.filter({ hasText: 'Atorvastatin 20 mg' });
  await expect(statin).toContainText('Valid until 10/03/2027');
  await statin.getByRole('button', { name: 'Ask for renewal' }).click();
  await expect(statin.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await expect(statin.getByTestId('renewal-status')).toContainText('Renewal requested on');
  await expect(statin.getByRole('button', { name: 'Ask for renewal' }), 'one request at a time').toBeHidden();

  const tasks = await renewalTasks();
  expect(tasks).toHaveLength(1);
  expect(tasks[0].status).toBe('requested');
  expect(tasks[0].focus.reference).toBe('MedicationRequest/rx-atorvastatin-2025');
  expect(tasks[0].for.reference).toBe(`Patient/${PATIENT_ID}`);
  const writes = (await sentSince(sentFrom())).filter((w) => parseBody(w)?.resourceType === 'Task');
  for (const w of writes) expect(w.headers['if-none-exist'] ?? w.headers['If-None-Exist']).toBeTruthy();

  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(TITLES.prescriptions, { timeout: LOAD_TIMEOUT });
  await expect(statin.getByTestId('renewal-status')).toContainText('Renewal requested on', { timeout: LOAD_TIMEOUT });
  await expect(statin.getByRole('button', { name: 'Ask for renewal' })).toBeHidden();
});

test('renewal statuses: accepted, rejected, and expired after 8 days unprocessed (which may be asked again)', async ({ page }) => {
  const task = (rx, status, authoredOn) => ({
    resourceType: 'Task',
    status,
    intent: 'order',
    code: { coding: [{ system: SNOMED, code: '103742009', display: 'Renewal of prescription' }] },
    focus: { reference: `MedicationRequest/${rx}` },
    for: { reference: `Patient/${PATIENT_ID}` },
    authoredOn,
  });
  const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString();
  await fhirPost(task('rx-atorvastatin-2025', 'accepted', daysAgo(2)));
  await fhirPost(task('rx-levothyroxin-2025', 'rejected', daysAgo(3)));
  await fhirPost(task('rx-salbutamol-2024', 'requested', daysAgo(10)));
  await open(page, TITLES.prescriptions);
  const card = (name) => page.getByTestId('prescriptions-active').getByTestId('prescription').filter({ hasText: name });
  await expect(card('Atorvastatin 20 mg').getByTestId('renewal-status')).toContainText('accepted', { timeout: LOAD_TIMEOUT });
  await expect(card('Levothyroxin').getByTestId('renewal-status')).toContainText('was not accepted');
  await expect(card('Salbutamol').getByTestId('renewal-status')).toContainText('has expired');
  await expect(card('Atorvastatin 20 mg').getByRole('button', { name: 'Ask for renewal' })).toBeHidden();
  await card('Salbutamol').getByRole('button', { name: 'Ask for renewal' }).click();
  await expect(card('Salbutamol').getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await expect(card('Salbutamol').getByTestId('renewal-status')).toContainText('Renewal requested on');
  const salbutamol = (await renewalTasks()).filter((t) => t.focus.reference.endsWith('rx-salbutamol-2024'));
  expect(salbutamol.map((t) => t.status).sort(), 'a new request, the expired one kept').toEqual(['requested', 'requested']);
});

test('a renewal request the server refuses shows its reason, and nothing is stored; asked again, it is a request of its own', async ({ page }) => {
  await setFaults({
    method: 'POST',
    path: '/Task',
    times: 1,
    fault: 'status',
    status: 422,
    body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', diagnostics: 'Tämä resepti uusitaan vain vastaanotolla.' }] },
  });
  await open(page, TITLES.prescriptions);
  const statin = page.getByTestId('prescriptions-active').getByTestId('prescription').filter({ hasText: 'Atorvastatin 20 mg' });
  await statin.getByRole('button', { name: 'Ask for renewal' }).click({ timeout: LOAD_TIMEOUT });
  await expect(statin.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected', { timeout: SAVE_TIMEOUT });
  await expect(statin.getByTestId('save-status')).toContainText('Tämä resepti uusitaan vain vastaanotolla.');
  expect(await renewalTasks()).toHaveLength(0);

  // Asked again: a new request with an identifier of its own, never the refused one's (had that
  // been stored after all, a new request must not be taken for it).
  await statin.getByRole('button', { name: 'Ask for renewal' }).click();
  await expect(statin.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  const posts = (await sentSince(sentFrom())).filter((w) => w.method === 'POST' && parseBody(w)?.resourceType === 'Task');
  expect(posts).toHaveLength(2);
  const identifiers = posts.map((w) => parseBody(w).identifier?.[0]?.value);
  expect(identifiers[1], 'a key of its own').not.toBe(identifiers[0]);
  expect(await renewalTasks()).toHaveLength(1);
});

test('renewal is offered only once the requests already made are known: a failed fetch of them is said, with Try again', async ({ page }) => {
  await setFaults({ method: 'GET', path: '/Task', fault: 'status', status: 503, times: null });
  await open(page, TITLES.prescriptions);
  const statin = page.getByTestId('prescriptions-active').getByTestId('prescription').filter({ hasText: 'Atorvastatin 20 mg' });
  await expect(statin).toBeVisible({ timeout: LOAD_TIMEOUT });
  const failed = page.getByTestId('renewals-failed');
  await expect(failed).toContainText('could not be fetched', { timeout: LOAD_TIMEOUT });
  await expect(statin.getByRole('button', { name: 'Ask for renewal' })).toBeHidden();
  await clearFaults();
  await failed.getByRole('button', { name: 'Try again' }).click();
  await expect(statin.getByRole('button', { name: 'Ask for renewal' })).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(failed).toBeHidden();
});

test('a renewal asked for offline while another device asked for it is not asked for twice: the waiting save is confirmed as that request', async ({ page, browser }) => {
  const statin = (p) => p.getByTestId('prescriptions-active').getByTestId('prescription').filter({ hasText: 'Atorvastatin 20 mg' });
  const askFor = (p) => statin(p).getByRole('button', { name: 'Ask for renewal' });
  // This phone is offline: its request waits.
  await open(page, TITLES.prescriptions);
  await expect(askFor(page)).toBeVisible({ timeout: LOAD_TIMEOUT });
  await page.context().setOffline(true);
  await askFor(page).click();
  await expect(statin(page).getByTestId('save-status')).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });

  // Meanwhile the citizen asks for the same renewal on another device (its own browser and storage).
  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await open(other, TITLES.prescriptions);
  await askFor(other).click({ timeout: LOAD_TIMEOUT });
  await expect(statin(other).getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await elsewhere.close();
  const requested = await renewalTasks();
  expect(requested).toHaveLength(1);

  // Back online, the waiting request finds the other one waiting: confirmed as it, nothing sent.
  const before = await currentSentSeq();
  await page.context().setOffline(false);
  await expect(statin(page).getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: LOAD_TIMEOUT });
  await expect(statin(page).getByTestId('renewal-status')).toContainText('Renewal requested on');
  await expect(askFor(page)).toBeHidden();
  const tasks = await renewalTasks();
  expect(tasks, 'one request for the prescriber').toHaveLength(1);
  expect(tasks[0].id).toBe(requested[0].id);
  expect((await sentSince(before)).filter((w) => w.method === 'POST'), 'looked for requests, sent none').toEqual([]);
});

test('a renewal request stored with its answer lost, and accepted before the retry, is done: no conflict, and never written back to "requested"', async ({ page }) => {
  const statin = page.getByTestId('prescriptions-active').getByTestId('prescription').filter({ hasText: 'Atorvastatin 20 mg' });
  await open(page, TITLES.prescriptions);
  await expect(statin.getByRole('button', { name: 'Ask for renewal' })).toBeVisible({ timeout: LOAD_TIMEOUT });
  // The create looks first and sends; the request is stored, its answer lost, and the service
  // is down for the next tries while the prescriber works.
  await setFaults(
    { method: 'POST', path: '/Task', fault: 'dropAfterCommit', times: 1 },
    { method: 'POST', path: '/Task', fault: 'status', status: 503, times: 1 },
    { method: 'GET', path: '/Task', fault: 'status', status: 503, times: null, skip: 1 },
  );
  await statin.getByRole('button', { name: 'Ask for renewal' }).click();
  await expect(statin.getByTestId('save-status')).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
  const [stored] = await renewalTasks();
  expect(stored.status).toBe('requested');
  await fhirPut({ ...stored, status: 'accepted', meta: undefined }, `W/"${stored.meta.versionId}"`);

  const before = await currentSentSeq();
  await clearFaults();
  await statin.getByRole('button', { name: 'Retry now' }).click({ timeout: 2_000 }).catch(() => {});
  await expect(statin.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await expect(statin.getByTestId('renewal-status')).toContainText('accepted');
  const tasks = await renewalTasks();
  expect(tasks).toHaveLength(1);
  expect(tasks[0].status, 'the prescriber\'s answer stands').toBe('accepted');
  const writes = (await sentSince(before)).filter((w) => w.url.includes('/Task'));
  expect(writes.filter((w) => w.method === 'PUT'), 'never written back').toEqual([]);
});

test('lab results: grouped by test, latest value with range, out-of-range marked in words and signs, a described chart, history on request', async ({ page }) => {
  await open(page, TITLES.labs);
  const tests = page.getByTestId('lab-results').getByTestId('lab-test');
  await expect(tests).toHaveCount(6, { timeout: LOAD_TIMEOUT });
  const tsh = tests.filter({ has: page.getByRole('heading', { name: 'P-TSH' }) });
  await expect(tsh).toContainText('Latest 1.8 mU/l');
  await expect(tsh).toContainText('Reference range 0.5–3.6 mU/l');
  const chart = tsh.getByRole('img');
  await expect(chart).toHaveAttribute('aria-label', /P-TSH: 9 results .* lowest 1\.8, highest 5\.8/);
  expect(await marksDrawn(chart, 'path.tahto-chart-out'), 'the two high results drawn as squares').toBe(2);
  expect(await marksDrawn(chart, 'path.tahto-chart-point'), 'the seven others as dots').toBe(7);
  await tsh.getByText('All results (9)').click();
  const rows = tsh.getByRole('row');
  await expect(rows).toHaveCount(10); // header + 9
  await expect(tsh.getByRole('row').filter({ hasText: '5.8 mU/l' })).toContainText('▲ High');
  const ldl = tests.filter({ has: page.getByRole('heading', { name: 'P-Kol-LDL' }) });
  await expect(ldl.getByRole('img')).toBeVisible();
});

test('a long lab history (1,200 results) arrives in pages and each table grows on request', async ({ page }) => {
  const base = new Date('2020-01-01T06:00:00Z').getTime();
  const resources = Array.from({ length: 1200 }, (_, i) => ({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }], text: 'P-Gluk' },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: new Date(base + i * 3_600_000).toISOString(),
    valueQuantity: { value: 4 + (i % 30) / 10, unit: 'mmol/l' },
    referenceRange: [{ low: { value: 4 }, high: { value: 6 } }],
  }));
  for (let i = 0; i < resources.length; i += 50) await Promise.all(resources.slice(i, i + 50).map(fhirPost));

  await open(page, TITLES.labs);
  const gluk = page.getByTestId('lab-test').filter({ has: page.getByRole('heading', { name: 'P-Gluk', exact: true }) });
  await expect(gluk).toBeVisible({ timeout: LOAD_TIMEOUT });
  const older = page.getByRole('button', { name: 'Fetch older ones' });
  await expect(older, 'the first page of 250 is full: there are older ones').toBeVisible();
  await gluk.getByText(/^All results \(\d+\)$/).click();
  await expect(gluk.getByRole('row')).toHaveCount(11); // header + 10 shown at first
  await gluk.getByRole('button', { name: /^Show more/ }).click();
  await expect(gluk.getByRole('row')).toHaveCount(61);
  // A new result arrives meanwhile: pages fetched by offset now overlap the ones shown by one
  // result each, which is shown once (the new one comes with the next visit).
  await fhirPost({ ...resources[0], effectiveDateTime: new Date(base + 2000 * 3_600_000).toISOString() });
  // 1,254 results shown in all (with the demo data's 54): more pages until there are no more.
  for (let i = 0; i < 8 && (await older.isVisible()); i += 1) {
    await older.click();
    await expect(section(page, 'lab-results').getByText('Fetching your data…')).toBeHidden({ timeout: LOAD_TIMEOUT });
  }
  await expect(older, 'all fetched: no more pages').toBeHidden({ timeout: LOAD_TIMEOUT });
  await expect(gluk.getByText('All results (1200)'), 'none shown twice').toBeVisible();
  // Older pages were added to the card in place: the history the citizen opened is still open,
  // with the rows they asked for, and the chart draws the latest 60 and says so.
  await expect(gluk.getByRole('row'), 'the open history kept its 60 rows').toHaveCount(61);
  await expect(gluk.getByRole('button', { name: 'Show more (1140 left)' })).toBeVisible();
  await expect(gluk.getByRole('img')).toHaveAttribute('aria-label', /^P-Gluk: the latest 60 of 1200 results /);
  await expect(gluk.getByText('The chart shows the latest 60 of 1200 results; all of them are in the table.')).toBeVisible();
  const chart = gluk.getByRole('img');
  expect((await marksDrawn(chart, 'path.tahto-chart-point')) + (await marksDrawn(chart, 'path.tahto-chart-out'))).toBe(60);
});

test('vaccinations, visits and the access log list what the server holds, newest first; emergency viewings stand out', async ({ page }) => {
  await open(page, TITLES.vaccinations);
  const vaccinations = section(page, 'vaccinations').locator('li');
  await expect(vaccinations).toHaveCount(6, { timeout: LOAD_TIMEOUT });
  await expect(vaccinations.first()).toContainText('COVID-19-rokote (mRNA)');
  await expect(vaccinations.first()).toContainText('Batch CV25-5510');

  await navTo(page, TITLES.visits);
  const visits = section(page, 'visits').locator('li');
  await expect(visits).toHaveCount(8, { timeout: LOAD_TIMEOUT });
  await expect(visits.first()).toContainText('Vuositarkastus');

  await navTo(page, TITLES.access);
  const access = section(page, 'access-log').locator('li');
  await expect(access).toHaveCount(10, { timeout: LOAD_TIMEOUT });
  await expect(access.filter({ hasText: 'Emergency care' })).toHaveCount(1);
  await expect(access.filter({ hasText: 'Emergency care' })).toContainText('LT Juha Nieminen');
});

test('a list that cannot be fetched says why and fetches again on Try again', async ({ page }) => {
  await setFaults({ method: 'GET', path: '/Immunization', times: 2, fault: 'status', status: 503 });
  await open(page, TITLES.vaccinations);
  const list = section(page, 'vaccinations');
  await expect(list.getByText(/Your data could not be fetched/)).toBeVisible({ timeout: LOAD_TIMEOUT });
  const tryAgain = list.getByRole('button', { name: 'Try again' });
  // From the keyboard; it fails again: said again (the alert region changes, cleared and then
  // written), and the focus stays on the button.
  await page.evaluate(() => {
    const alerts = document.querySelector('[data-testid=alerts]');
    window.__alertTexts = [];
    new MutationObserver(() => window.__alertTexts.push(alerts.textContent)).observe(alerts, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  await tryAgain.focus();
  await page.keyboard.press('Enter');
  await expect
    .poll(() => page.evaluate(() => window.__alertTexts.filter((t) => t.includes('Your data could not be fetched')).length), {
      timeout: LOAD_TIMEOUT,
    })
    .toBeGreaterThan(0);
  await expect(tryAgain).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(list.locator('li')).toHaveCount(6, { timeout: LOAD_TIMEOUT });
  await expect(list.getByText(/Your data could not be fetched/)).toBeHidden();
});

test('measurements: impossible values are explained before sending; a valid one is saved as an Observation and survives reload', async ({ page }) => {
  await open(page, TITLES.measurements);
  const m = section(page, 'measurements');
  const save = m.getByRole('button', { name: 'Save measurement' });
  const problem = m.locator('#tahto-m-problem');

  await m.getByLabel('Systolic (mmHg)').fill('abc');
  await m.getByLabel('Diastolic (mmHg)').fill('80');
  await save.click();
  await expect(problem).toHaveText('Enter the value in numbers, for example 72.5.');
  await expect(m.getByLabel('Systolic (mmHg)')).toBeFocused();
  await expect(m.getByLabel('Systolic (mmHg)')).toHaveAttribute('aria-invalid', 'true');

  await m.getByLabel('Systolic (mmHg)').fill('80');
  await m.getByLabel('Diastolic (mmHg)').fill('128');
  await save.click();
  await expect(problem).toContainText('must be higher than the diastolic');

  await m.getByRole('radio', { name: 'Weight' }).check();
  await m.getByLabel('Weight (kg)').fill('725');
  await save.click();
  await expect(problem).toContainText('Weight (kg): 725 is not a possible value');
  expect((await sentSince(sentFrom())).filter((w) => parseBody(w)?.resourceType === 'Observation'), 'nothing sent').toHaveLength(0);

  await m.getByLabel('Weight (kg)').fill('72,5');
  await save.click();
  await expect(problem).toBeEmpty();
  await expect(m.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await expect(m.getByTestId('measurement').first()).toContainText('72.5 kg', { timeout: LOAD_TIMEOUT });

  const stored = await fhirSearch('Observation', `patient=Patient/${PATIENT_ID}&category=vital-signs`);
  expect(stored).toHaveLength(1);
  expect(stored[0].valueQuantity).toMatchObject({ value: 72.5, code: 'kg' });
  expect(stored[0].code.coding[0].code).toBe('29463-7');

  await page.reload();
  await expect(section(page, 'measurements').getByTestId('measurement').first()).toContainText('72.5 kg', { timeout: LOAD_TIMEOUT });
});

test('a measurement saved while the service is down is listed as not sent yet, kept over a reload, and stored once after recovery', async ({ page }) => {
  await setFaults({ method: 'POST', path: '/Observation', fault: 'status', status: 503, retryAfter: 2, times: 2 });
  await open(page, TITLES.measurements);
  const m = section(page, 'measurements');
  await m.getByRole('radio', { name: 'Blood glucose' }).check();
  await m.getByLabel('Blood glucose (mmol/l)').fill('5,6');
  await m.getByRole('button', { name: 'Save measurement' }).click();
  await expect(m.getByTestId('save-status')).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
  await expect(m.getByTestId('measurement-pending')).toContainText('5.6 mmol/l');
  await page.reload();
  await expect(section(page, 'measurements').getByTestId('measurement').first()).toContainText('5.6 mmol/l', { timeout: 30_000 });
  await expect(section(page, 'measurements').getByTestId('measurement-pending')).toHaveCount(0);
  const stored = await fhirSearch('Observation', `patient=Patient/${PATIENT_ID}&category=vital-signs`);
  expect(stored, 'stored once').toHaveLength(1);
});

for (const lang of ['en', 'fi', 'sv']) {
  test(`accessibility (axe): no violations on the home page and every records page in ${lang}`, async ({ page }, testInfo) => {
    await page.goto(`${APP_URL}/`);
    if (lang !== 'en') {
      await page.getByRole('button', { name: { fi: 'Suomi', sv: 'Svenska' }[lang], exact: true }).click();
    }
    const report = [];
    const check = async (name) => {
      const results = await new AxeBuilder({ page }).analyze();
      await testInfo.attach(`axe-${lang}-${name}`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
      if (results.violations.length > 0) report.push(`axe (${lang}, ${name}):\n${formatAxeViolations(results.violations)}`);
    };
    await expect(page.locator('#tahto-home-title')).toBeVisible({ timeout: LOAD_TIMEOUT });
    await check('home');
    for (const key of ['prescriptions', 'lab-results', 'vaccinations', 'visits', 'access-log', 'measurements']) {
      await page.getByTestId(`home-${key}`).getByRole('link').click();
      await expectListed(page, key);
      if (key === 'lab-results') await section(page, key).locator('summary').first().click();
      await check(key);
      await page.getByRole('navigation', { name: /Osiot|Avsnitt|Sections/ }).getByRole('link').first().click();
    }
    expect(report, report.join('\n')).toEqual([]);
  });
}

test('screenshots of the home page and every records page at 360 px and 1280 px', async ({ page }, testInfo) => {
  const dir = path.join(testInfo.project.outputDir, 'screenshots');
  await mkdir(dir, { recursive: true });
  const shot = async (name, width) => {
    await page.setViewportSize({ width, height: width < 400 ? 740 : 900 });
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `no horizontal scrolling at ${width} px on ${name}`).toBeLessThanOrEqual(width);
    const file = path.join(dir, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`${name}-${width}`, { path: file, contentType: 'image/png' });
  };
  await page.goto(`${APP_URL}/`);
  await expect(page.locator('#tahto-home-title')).toBeVisible({ timeout: LOAD_TIMEOUT });
  for (const width of [360, 1280]) await shot('home', width);
  for (const key of ['prescriptions', 'lab-results', 'vaccinations', 'visits', 'access-log', 'measurements']) {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByTestId(`home-${key}`).getByRole('link').click();
    await expectListed(page, key);
    for (const width of [360, 1280]) await shot(key, width);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').first().click();
  }
});
