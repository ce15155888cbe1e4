// The advance directive, the living will and disclosure consents/refusals, end to end: the real
// FHIR server behind the fault proxy, the declarations bundle in Chromium, the server read directly.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  APP_URL,
  CHOICE,
  LOAD_TIMEOUT,
  PATIENT_ID,
  SAVE_TIMEOUT,
  clearFaults,
  confirmNoticeOnServer,
  fhirPost,
  fhirSearch,
  formatAxeViolations,
  freshServerPerTest,
  gotoSection,
  header,
  parseBody,
  sentSince,
  setFaults, navTo } from './helpers.mjs';

const { sentFrom } = freshServerPerTest(test);

const TITLES = {
  directive: 'Advance directive',
  will: 'Living will',
  disclosures: 'Disclosure consents and refusals',
};
const section = (page, key) => page.locator(`[data-section="${key}"]`);

async function open(page, title, { noticeConfirmed = true } = {}) {
  if (noticeConfirmed) await confirmNoticeOnServer();
  await gotoSection(page, title);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title, { timeout: LOAD_TIMEOUT });
}

const directives = () =>
  fhirSearch('Consent', `patient=Patient/${PATIENT_ID}&category=http://terminology.hl7.org/CodeSystem/consentcategorycodes|acd`);
const wills = () => fhirSearch('DocumentReference', `patient=Patient/${PATIENT_ID}&type=http://loinc.org|86533-7`);
const disclosures = () => fhirSearch('Consent', `patient=Patient/${PATIENT_ID}&category=http://loinc.org|59284-0`);

test('every declaration stays locked until the notice is confirmed', async ({ page }) => {
  await open(page, TITLES.directive, { noticeConfirmed: false });
  for (const [key, title] of [['advance-directive', TITLES.directive], ['living-will', TITLES.will], ['disclosures', TITLES.disclosures]]) {
    await navTo(page, title);
    const s = section(page, key);
    await expect(s.getByTestId('locked')).toBeVisible({ timeout: LOAD_TIMEOUT });
    await expect(s.getByTestId('locked')).toContainText('First confirm the information about the Kanta services');
    await expect(s.locator('form, [data-testid=disclosure]').first()).toBeHidden();
  }
  await section(page, 'disclosures').getByRole('button', { name: 'Read the information about the Kanta services' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Information about the Kanta services');

  // Confirmed (and stored): every declaration opens.
  await page.getByRole('button', { name: 'I have read the information' }).click();
  await expect(page.getByTestId('notice-confirmed')).toBeVisible({ timeout: SAVE_TIMEOUT });
  for (const [key, title] of [['advance-directive', TITLES.directive], ['living-will', TITLES.will], ['disclosures', TITLES.disclosures]]) {
    await navTo(page, title);
    await expect(section(page, key).getByTestId('locked')).toBeHidden({ timeout: LOAD_TIMEOUT });
    await expect(section(page, key).locator('form, [data-testid=disclosure]').first()).toBeVisible({ timeout: LOAD_TIMEOUT });
  }
});

test('advance directive: structured wishes, a contact and cleaned free text are one Consent the server holds; an update is If-Match; it survives reload', async ({ page }) => {
  await open(page, TITLES.directive);
  const s = section(page, 'advance-directive');
  await expect(s.getByTestId('advance-directive-current')).toContainText('You have not recorded an advance directive.', { timeout: LOAD_TIMEOUT });
  const save = s.getByRole('button', { name: 'Save advance directive' });

  await save.click();
  await expect(s.getByText('Choose at least one item or write your wishes.')).toBeVisible();
  await s.getByLabel('Phone number').fill('040 123 4567');
  await save.click();
  await expect(s.getByText("Please also write the person's name.")).toBeVisible();

  await s.getByRole('group', { name: 'Resuscitation' }).getByRole('radio', { name: 'I do not want it' }).check();
  await s.getByRole('group', { name: 'Ventilator treatment' }).getByRole('radio', { name: 'I want it' }).check();
  await s.getByRole('group', { name: 'Where I want to be cared for at the end of life' }).getByRole('radio', { name: 'At home' }).check();
  await s.getByLabel('Name', { exact: true }).fill('Matti Esimerkki');
  // A letter typed for a digit: said before anything is sent, and the number stays to be fixed.
  await s.getByLabel('Phone number').fill('040 l23 4567');
  await save.click();
  await expect(s.getByText('Please write the phone number in digits, for example +358 40 123 4567.')).toBeVisible();
  await expect(s.getByLabel('Phone number')).toHaveValue('040 l23 4567');
  expect(await directives(), 'nothing sent').toHaveLength(0);
  await s.getByLabel('Phone number').fill('040 123 4567');
  const note = s.getByLabel('Other wishes (optional)');
  await note.fill('Haluan\u200B kuunnella musiikkia.\u0007');
  await expect(s.getByText('2 hidden or control characters were removed')).toBeVisible();
  await expect(s.getByText('27 / 4000 characters')).toBeVisible();
  await save.click();
  await expect(s.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });

  const [stored] = await directives();
  expect(stored.scope.coding[0].code).toBe('adr');
  const wishes = stored.provision.provision.map((p) => `${p.action[0].coding[0].code}:${p.type}`).sort();
  expect(wishes).toEqual(['40617009:permit', '89666000:deny']);
  expect(JSON.stringify(stored.extension)).toContain('Matti Esimerkki');
  expect(JSON.stringify(stored.extension)).toContain('Haluan kuunnella musiikkia.');
  expect(JSON.stringify(stored.extension)).not.toContain('\u200B');

  await page.reload();
  const current = section(page, 'advance-directive').getByTestId('advance-directive-current');
  await expect(current).toContainText('Resuscitation: I do not want it', { timeout: LOAD_TIMEOUT });
  await expect(current).toContainText('At home');
  await expect(current).toContainText('version 1');

  await section(page, 'advance-directive').getByRole('group', { name: 'Dialysis' }).getByRole('radio', { name: 'I do not want it' }).check();
  await section(page, 'advance-directive').getByRole('button', { name: 'Save advance directive' }).click();
  await expect(current).toContainText('version 2', { timeout: SAVE_TIMEOUT });
  const all = await directives();
  expect(all, 'updated in place, not duplicated').toHaveLength(1);
  const puts = (await sentSince(sentFrom())).filter((w) => w.method === 'PUT');
  expect(puts.length).toBeGreaterThanOrEqual(1);
  expect(header(puts.at(-1), 'If-Match')).toBe('W/"1"');
});

test('advance directive: a save the server refuses shows its reason and keeps the input', async ({ page }) => {
  await setFaults({
    method: 'POST', path: '/Consent', times: 1, fault: 'status', status: 400,
    body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Hoitotahdon tallennus on tilapäisesti estetty.' }] },
  });
  await open(page, TITLES.directive);
  const s = section(page, 'advance-directive');
  await s.getByRole('group', { name: 'Tube feeding' }).getByRole('radio', { name: 'I want it' }).check({ timeout: LOAD_TIMEOUT });
  await s.getByRole('button', { name: 'Save advance directive' }).click();
  await expect(s.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected', { timeout: SAVE_TIMEOUT });
  await expect(s.getByTestId('save-status')).toContainText('Hoitotahdon tallennus on tilapäisesti estetty.');
  await expect(s.getByRole('group', { name: 'Tube feeding' }).getByRole('radio', { name: 'I want it' })).toBeChecked();
  expect(await directives()).toHaveLength(0);
});

test('living will: pasted text is cleaned with a visible note, counted as typed, saved as a DocumentReference; a new version replaces the old', async ({ page }) => {
  await open(page, TITLES.will);
  const s = section(page, 'living-will');
  await expect(s.getByTestId('living-will-current')).toContainText('You have not written a living will.', { timeout: LOAD_TIMEOUT });
  const text = s.getByLabel('Your living will');
  await text.fill('En halua\u00A0pitkittää\u200D elämääni koneiden avulla.\u202E');
  await expect(s.getByText(/hidden or control characters were removed/)).toBeVisible();
  await expect(s.getByText('44 / 20000 characters')).toBeVisible();
  await s.getByRole('button', { name: 'Save living will' }).click();
  await expect(s.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  const [first] = await wills();
  expect(first.content[0].attachment.contentType).toBe('text/plain; charset=utf-8');
  expect(Buffer.from(first.content[0].attachment.data, 'base64').toString('utf8')).toBe('En halua pitkittää elämääni koneiden avulla.');

  await page.reload();
  const again = section(page, 'living-will');
  await expect(again.getByTestId('living-will-current')).toContainText('Current version recorded', { timeout: LOAD_TIMEOUT });
  await expect(again.getByLabel('Your living will')).toHaveValue('En halua pitkittää elämääni koneiden avulla.');
  // The service refuses the second version once: corrected on the same page, it is not taken
  // for a version changed elsewhere.
  await setFaults({ method: 'POST', path: '/DocumentReference', fault: 'status', status: 422, times: 1 });
  await again.getByLabel('Your living will').fill('Toinen versio');
  await again.getByRole('button', { name: 'Save living will' }).click();
  await expect(again.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected', { timeout: SAVE_TIMEOUT });
  await again.getByLabel('Your living will').fill('Toinen versio.');
  await expect(again.getByTestId('stale-draft')).toBeHidden();
  await again.getByRole('button', { name: 'Save living will' }).click();
  await expect(again.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  const all = await wills();
  expect(all, 'every version kept').toHaveLength(2);
  const second = all.find((d) => d.id !== first.id);
  expect(second.relatesTo[0]).toMatchObject({ code: 'replaces', target: { reference: `DocumentReference/${first.id}` } });
});

test('disclosures: consent given and withdrawn (inactive, same record), a visit refused and the refusal withdrawn', async ({ page }) => {
  await open(page, TITLES.disclosures);
  const s = section(page, 'disclosures');
  const consentItem = s.getByTestId('disclosure').first();
  await expect(consentItem).toContainText('You have not given consent.', { timeout: LOAD_TIMEOUT });
  await consentItem.getByRole('button', { name: 'Give consent' }).click();
  await expect(consentItem.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await expect(consentItem.getByTestId('disclosure-state')).toContainText('Your consent is in force');
  let stored = await disclosures();
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ status: 'active', provision: { type: 'permit' } });

  await consentItem.getByRole('button', { name: 'Withdraw consent' }).click();
  await expect(consentItem).toContainText('You have not given consent.', { timeout: SAVE_TIMEOUT });
  stored = await disclosures();
  expect(stored, 'withdrawn, not deleted').toHaveLength(1);
  expect(stored[0]).toMatchObject({ status: 'inactive', meta: { versionId: '2' } });

  const visit = s.getByTestId('refusal-visits').getByTestId('disclosure').filter({ hasText: 'Vuositarkastus' });
  await visit.getByRole('button', { name: 'Refuse disclosure of this visit' }).click();
  await expect(visit.getByTestId('disclosure-state')).toContainText('Disclosure refused', { timeout: SAVE_TIMEOUT });
  const refusal = (await disclosures()).find((c) => c.provision.type === 'deny');
  expect(refusal.provision.data[0].reference.reference).toBe('Encounter/enc-2026-09-08');

  await page.reload();
  const visitAgain = section(page, 'disclosures').getByTestId('refusal-visits').getByTestId('disclosure').filter({ hasText: 'Vuositarkastus' });
  await expect(visitAgain.getByTestId('disclosure-state')).toContainText('Disclosure refused', { timeout: LOAD_TIMEOUT });
  await visitAgain.getByRole('button', { name: 'Withdraw refusal' }).click();
  await expect(visitAgain.getByRole('button', { name: 'Refuse disclosure of this visit' })).toBeVisible({ timeout: SAVE_TIMEOUT });
  expect((await disclosures()).find((c) => c.provision.type === 'deny').status).toBe('inactive');
  const bodies = (await sentSince(sentFrom())).map(parseBody).filter(Boolean);
  expect(bodies.every((b) => b.resourceType === 'Consent')).toBe(true);
});

test('two consents in force (one recorded elsewhere too): each is withdrawn in its turn, never shown as none while one is', async ({ page }) => {
  await open(page, TITLES.disclosures);
  const item = section(page, 'disclosures').getByTestId('disclosure').first();
  await expect(item).toContainText('You have not given consent.', { timeout: LOAD_TIMEOUT });
  await item.getByRole('button', { name: 'Give consent' }).click();
  await expect(item.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  // The same decision recorded at a health centre as well: a second consent in force.
  const [given] = await disclosures();
  const { id, meta, identifier, ...elsewhere } = given;
  await fhirPost({ ...elsewhere, dateTime: new Date().toISOString() });
  await page.reload();
  const again = section(page, 'disclosures').getByTestId('disclosure').first();
  await expect(again.getByTestId('disclosure-state')).toContainText('Your consent is in force', { timeout: LOAD_TIMEOUT });
  for (const left of [1, 0]) {
    await again.getByRole('button', { name: 'Withdraw consent' }).click();
    await expect.poll(async () => (await disclosures()).filter((c) => c.status === 'active').length, { timeout: SAVE_TIMEOUT }).toBe(left);
    await expect(again.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
    if (left) await expect(again.getByTestId('disclosure-state')).toContainText('Your consent is in force');
  }
  await expect(again).toContainText('You have not given consent.', { timeout: SAVE_TIMEOUT });
});

test('printed while a new decision is on its way: the recorded one, never the one not yet recorded', async ({ page }) => {
  await open(page, 'Organ donation decision');
  const od = section(page, 'organ-donation');
  await od.getByRole('radio', { name: CHOICE.consent, exact: true }).check({ timeout: LOAD_TIMEOUT });
  await od.getByRole('button', { name: 'Save decision' }).click();
  await expect(od.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await setFaults({ method: 'PUT', path: '/Consent', fault: 'status', status: 503, times: null });
  await od.getByRole('radio', { name: CHOICE.refuse, exact: true }).check();
  await od.getByRole('button', { name: 'Save decision' }).click();
  await expect(od.getByTestId('save-status')).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
  const current = od.getByTestId('current-decision');
  await expect(current, 'on screen: the new decision, marked as not yet recorded').toContainText(CHOICE.refuse);
  await page.emulateMedia({ media: 'print' });
  await expect(current.getByTestId('printed-decision')).toContainText(CHOICE.consent);
  await expect(current.getByText(CHOICE.refuse)).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
});

test('print views: the organ donation decision and the advance directive print as dated, signable documents (PDF artifacts)', async ({ page }, testInfo) => {
  const dir = path.join(testInfo.project.outputDir, 'print');
  await mkdir(dir, { recursive: true });
  await open(page, 'Organ donation decision');
  const od = section(page, 'organ-donation');
  await od.getByRole('radio', { name: CHOICE.consent, exact: true }).check({ timeout: LOAD_TIMEOUT });
  await od.getByRole('button', { name: 'Save decision' }).click();
  await expect(od.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await expect(od.getByRole('button', { name: 'Print' })).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(od.getByText('Signature and name in block letters')).toBeVisible();
  await expect(od.getByText(/Stored in the Kanta services .*, id .*, version 1\./)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeHidden();
  await expect(od.getByRole('button', { name: 'Save decision' })).toBeHidden();
  await page.pdf({ path: path.join(dir, 'organ-donation.pdf') });
  await testInfo.attach('organ-donation.pdf', { path: path.join(dir, 'organ-donation.pdf'), contentType: 'application/pdf' });

  await page.emulateMedia({ media: 'screen' });
  await navTo(page, TITLES.directive);
  const ad = section(page, 'advance-directive');
  await ad.getByRole('group', { name: 'Resuscitation' }).getByRole('radio', { name: 'I do not want it' }).check({ timeout: LOAD_TIMEOUT });
  await ad.getByRole('button', { name: 'Save advance directive' }).click();
  await expect(ad.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await page.emulateMedia({ media: 'print' });
  await expect(ad.getByTestId('advance-directive-current')).toContainText('Resuscitation: I do not want it');
  await expect(ad.getByText('Place and date')).toBeVisible();
  await page.pdf({ path: path.join(dir, 'advance-directive.pdf') });
  await testInfo.attach('advance-directive.pdf', { path: path.join(dir, 'advance-directive.pdf'), contentType: 'application/pdf' });
});

for (const lang of ['en', 'fi', 'sv']) {
  test(`accessibility (axe): no violations on the declaration pages in ${lang}, locked and open`, async ({ page }, testInfo) => {
    await page.goto(`${APP_URL}/`);
    if (lang !== 'en') await page.getByRole('button', { name: { fi: 'Suomi', sv: 'Svenska' }[lang], exact: true }).click();
    const report = [];
    const check = async (name) => {
      const results = await new AxeBuilder({ page }).analyze();
      await testInfo.attach(`axe-${lang}-${name}`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
      if (results.violations.length > 0) report.push(`axe (${lang}, ${name}):\n${formatAxeViolations(results.violations)}`);
    };
    const visit = async (key) => {
      await page.getByTestId(`home-${key}`).getByRole('link').click();
      await expect(section(page, key).getByRole('heading', { level: 1 })).toBeVisible({ timeout: LOAD_TIMEOUT });
      await page.waitForLoadState('networkidle');
    };
    const home = () => page.getByRole('navigation', { name: /Osiot|Avsnitt|Sections/ }).getByRole('link').first().click();
    for (const key of ['advance-directive', 'living-will', 'disclosures']) {
      await visit(key);
      await check(`${key}-locked`);
      await home();
    }
    await confirmNoticeOnServer();
    await page.reload();
    for (const key of ['organ-donation', 'advance-directive', 'living-will', 'disclosures']) {
      await visit(key);
      await check(key);
      await home();
    }
    expect(report, report.join('\n')).toEqual([]);
  });
}

test('screenshots of every declaration page at 360 px and 1280 px', async ({ page }, testInfo) => {
  const dir = path.join(testInfo.project.outputDir, 'screenshots');
  await mkdir(dir, { recursive: true });
  await confirmNoticeOnServer();
  await page.goto(`${APP_URL}/`);
  for (const key of ['notice', 'organ-donation', 'advance-directive', 'living-will', 'disclosures']) {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByTestId(`home-${key}`).getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: LOAD_TIMEOUT });
    await page.waitForLoadState('networkidle');
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: width < 400 ? 740 : 900 });
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth, `no horizontal scrolling at ${width} px on ${key}`).toBeLessThanOrEqual(width);
      const file = path.join(dir, `${key}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await testInfo.attach(`${key}-${width}`, { path: file, contentType: 'image/png' });
    }
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').first().click();
  }
});

test('home page: each declaration with its state (the save state while one is pending), the notice, waiting renewals and unsent saves', async ({ page }, testInfo) => {
  await confirmNoticeOnServer();
  await fhirPost({
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '103742009' }] },
    focus: { reference: 'MedicationRequest/rx-atorvastatin-2025' },
    for: { reference: `Patient/${PATIENT_ID}` },
    authoredOn: new Date().toISOString(),
  });
  await page.goto(`${APP_URL}/`);
  const card = (key) => page.getByTestId(`home-${key}`);
  await expect(card('notice')).toContainText('You have confirmed reading the current notice.', { timeout: LOAD_TIMEOUT });
  await expect(card('organ-donation').getByTestId('home-state')).toHaveText('Not recorded');
  await expect(card('advance-directive').getByTestId('home-state')).toHaveText('Not recorded');
  await expect(card('disclosures').getByTestId('home-state')).toHaveText('Not recorded · Refusals to disclose: 0');
  await expect(card('prescriptions').getByTestId('home-state')).toHaveText('Renewal requests waiting: 1');
  await expect(page.getByTestId('home-unsent')).toBeHidden();

  // A save that cannot reach the service: the card shows it, and the unsent count.
  await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, times: 100 });
  await card('advance-directive').getByRole('link').click();
  const s = section(page, 'advance-directive');
  await s.getByRole('group', { name: 'Dialysis' }).getByRole('radio', { name: 'I want it' }).check({ timeout: LOAD_TIMEOUT });
  await s.getByRole('button', { name: 'Save advance directive' }).click();
  await expect(s.getByTestId('save-status')).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Home' }).click();
  await expect(card('advance-directive').getByTestId('home-state')).toContainText('Not saved yet');
  await expect(page.getByTestId('home-unsent')).toContainText('Unsent saves: 1');

  // Recovered: confirmed, and the home page shows it recorded today. The fault stays while the
  // list is looked at, so the outbox's own backoff retry cannot empty it before then.
  await page.getByTestId('home-unsent').getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unsent saves');
  const dir = path.join(testInfo.project.outputDir, 'screenshots');
  await mkdir(dir, { recursive: true });
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width < 400 ? 740 : 900 });
    await page.screenshot({ path: path.join(dir, `unsent-${width}.png`), fullPage: true });
    await testInfo.attach(`unsent-${width}`, { path: path.join(dir, `unsent-${width}.png`), contentType: 'image/png' });
  }
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations, formatAxeViolations(axe.violations)).toEqual([]);
  await clearFaults();
  // Once the fault is gone, the backoff retry (its wait is random) may send the save before the
  // press. "Retry now" is pressed only while the save still waits, found and pressed in one step
  // inside the page: a separate find then press would wait for a button that is gone.
  await page.evaluate(() => document.querySelector('[data-testid="unsent-item"] button')?.click());
  await expect(page.getByTestId('unsent-item')).toHaveCount(0, { timeout: SAVE_TIMEOUT });
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Home' }).click();
  await expect(card('advance-directive').getByTestId('home-state')).toHaveText(/^Recorded \d\d\/\d\d\/\d{4}$/, { timeout: LOAD_TIMEOUT });
});
