// A record's life on the device (issue 9: items 1–3), end to end through the real FHIR server behind
// the fault proxy, in Chromium with its real IndexedDB and localStorage:
// - every person's entries kept apart on one browser (a second citizen on the same origin);
// - a draft is only what the citizen typed, and a draft started on a version that changed elsewhere
//   is shown beside it, never saved over it unseen;
// - input the server refused survives a reload until the citizen fixes or discards it.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import {
  APP_URL,
  LOAD_TIMEOUT,
  NOTICE_URL,
  PATIENT_ID,
  SAVE_TIMEOUT,
  SECOND_PATIENT_ID,
  changeElsewhereToExceptLiver,
  clearFaults,
  confirmNoticeOnServer,
  consentWrites,
  currentSentSeq,
  fhirPut,
  fhirSearch,
  formatAxeViolations,
  freshServerPerTest,
  gotoSection,
  header,
  openOrganDonation,
  organDonationConsents,
  organDonationPage,
  outboxEntries,
  tahtoLocalStorage,
  parseBody,
  saveAndConfirm,
  sentSince,
  setFaults, navTo } from './helpers.mjs';

freshServerPerTest(test);
const section = (page, key) => page.locator(`[data-section="${key}"]`);

const localKeys = tahtoLocalStorage;

test('a second person on the same browser sees nothing of the first one, and never sends her unsent save', async ({ page }) => {
  // Helmi: one save queued (the service refuses for now), one draft typed and not saved.
  await confirmNoticeOnServer();
  await confirmNoticeOnServer(NOTICE_URL, SECOND_PATIENT_ID);
  await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, times: null });
  await gotoSection(page, 'Advance directive');
  const ad = section(page, 'advance-directive');
  await ad.getByRole('group', { name: 'Dialysis' }).getByRole('radio', { name: 'I want it' }).check({ timeout: LOAD_TIMEOUT });
  await ad.getByRole('button', { name: 'Save advance directive' }).click();
  await expect(ad.getByTestId('save-status')).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
  await navTo(page, 'Organ donation decision');
  const helmi = organDonationPage(page);
  await helmi.radio('refuse').check({ timeout: LOAD_TIMEOUT });
  await helmi.note.fill('Helmin oma luonnos');
  await expect(page.getByTestId('unsent-badge')).toContainText('1');
  const helmisEntries = await outboxEntries(page);
  expect(helmisEntries).toHaveLength(1);

  // Matti opens Tahto in the same browser, on the same origin; then the service is back. Only
  // then: until Helmi's page is gone it may itself retry her save (for her, rightly).
  await page.goto(`${APP_URL}/?patient=${SECOND_PATIENT_ID}`);
  await navTo(page, 'Organ donation decision', { timeout: LOAD_TIMEOUT });
  const seq = await currentSentSeq();
  await clearFaults();
  const matti = organDonationPage(page);
  await expect(matti.summary).toContainText('You have not recorded a decision.', { timeout: LOAD_TIMEOUT });
  for (const key of ['consent', 'refuse', 'except']) await expect(matti.radio(key)).not.toBeChecked();
  await expect(matti.note).toHaveValue('');
  await expect(page.getByTestId('unsent-badge')).toBeHidden();
  await navTo(page, 'Advance directive');
  await expect(section(page, 'advance-directive').getByTestId('save-status')).toHaveAttribute('data-state', 'draft');
  // Give Matti's outbox every chance to (wrongly) send Helmi's entry.
  await page.waitForTimeout(3_000);
  const sentWhileMatti = (await sentSince(seq)).filter((e) => e.method === 'POST' || e.method === 'PUT');
  expect(sentWhileMatti.map((e) => `${e.method} ${e.url}`), 'nothing of Helmi is sent under Matti').toEqual([]);
  expect((await fhirSearch('Consent', `patient=Patient/${PATIENT_ID}&category=http://terminology.hl7.org/CodeSystem/consentcategorycodes|acd`))).toHaveLength(0);
  // Matti saves his own decision: it is his, and Helmi's entry stays where it is.
  await navTo(page, 'Organ donation decision');
  await matti.radio('consent').check();
  await saveAndConfirm(matti, 1);
  const mattis = await organDonationConsents(SECOND_PATIENT_ID);
  expect(mattis).toHaveLength(1);
  expect(await organDonationConsents(PATIENT_ID)).toHaveLength(0);
  expect((await outboxEntries(page)).map((e) => e.id)).toEqual(helmisEntries.map((e) => e.id));

  // Helmi again: her draft is in her form, and her save is sent for her.
  await page.goto(`${APP_URL}/`);
  await navTo(page, 'Organ donation decision', { timeout: LOAD_TIMEOUT });
  await expect(helmi.radio('refuse')).toBeChecked({ timeout: LOAD_TIMEOUT });
  await expect(helmi.note).toHaveValue('Helmin oma luonnos');
  await expect(page.getByTestId('unsent-badge')).toBeHidden({ timeout: SAVE_TIMEOUT });
  const directives = await fhirSearch('Consent', `patient=Patient/${PATIENT_ID}&category=http://terminology.hl7.org/CodeSystem/consentcategorycodes|acd`);
  expect(directives, 'sent once, for Helmi').toHaveLength(1);
  expect(directives[0].patient.reference).toBe(`Patient/${PATIENT_ID}`);
  // Every key Tahto keeps names its owner: none of Matti's keys is Helmi's.
  const keys = Object.keys(await localKeys(page)).filter((k) => k !== 'tahto.lang');
  const owners = new Set(keys.map((k) => k.split('.')[1]));
  expect(owners.size, `keys of two people: ${keys.join(', ')}`).toBe(2);
});

test('opening a page copies nothing into drafts; a draft of a record changed elsewhere is shown beside it, never saved over it unseen', async ({ page }) => {
  const ui = await openOrganDonation(page);
  await ui.radio('consent').check();
  await saveAndConfirm(ui, 1);
  await page.reload();
  await navTo(ui.page, 'Organ donation decision', { timeout: LOAD_TIMEOUT }).catch(() => {});
  await expect(ui.radio('consent')).toBeChecked({ timeout: LOAD_TIMEOUT });
  let kept = await localKeys(page);
  expect(Object.keys(kept).filter((k) => k.includes('.draft.')), 'the recorded decision fills the form, not a draft').toEqual([]);

  // The citizen starts changing it; meanwhile another device stores version 2.
  await ui.radio('refuse').check();
  await expect(page.getByTestId('draft-actions').filter({ visible: true })).toContainText('kept on this device');
  kept = await localKeys(page);
  expect(Object.keys(kept).filter((k) => k.includes('.draft.organ-donation'))).toHaveLength(1);
  await changeElsewhereToExceptLiver();
  const seq = await currentSentSeq();
  await page.reload();
  await navTo(ui.page, 'Organ donation decision', { timeout: LOAD_TIMEOUT }).catch(() => {});
  const stale = ui.root.getByTestId('stale-draft');
  await expect(stale).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(stale.getByTestId('stale-mine')).toContainText('I refuse donation');
  await expect(stale.getByTestId('stale-saved')).toContainText('Saved version 2');
  await expect(stale.getByTestId('stale-saved')).toContainText('Liver');
  await expect(ui.saveButton).toBeDisabled();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations, formatAxeViolations(axe.violations)).toEqual([]);
  expect(consentWrites(await sentSince(seq)), 'nothing is sent while the citizen chooses').toEqual([]);

  // The citizen has seen both and goes on with theirs: saved knowingly over version 2.
  await stale.getByRole('button', { name: 'Continue with my changes' }).click();
  await expect(stale).toBeHidden();
  await saveAndConfirm(ui, 3);
  const puts = consentWrites(await sentSince(seq)).filter((e) => e.method === 'PUT');
  expect(header(puts.at(-1), 'If-Match')).toBe('W/"2"');
  expect(parseBody(puts.at(-1)).provision.type).toBe('deny');

  // Another round, and this time the saved version wins: the draft goes, the form shows it.
  await ui.radio('consent').check();
  await changeElsewhereAgain();
  await page.reload();
  await navTo(ui.page, 'Organ donation decision', { timeout: LOAD_TIMEOUT }).catch(() => {});
  await expect(stale).toBeVisible({ timeout: LOAD_TIMEOUT });
  await stale.getByRole('button', { name: 'Use the saved version' }).click();
  await expect(stale).toBeHidden();
  await expect(ui.radio('except')).toBeChecked();
  kept = await localKeys(page);
  expect(Object.keys(kept).filter((k) => k.includes('.draft.'))).toEqual([]);
});

/** Another device stores "except the liver" over whatever version is current. */
async function changeElsewhereAgain() {
  const [current] = await organDonationConsents();
  const next = structuredClone(current);
  delete next.meta;
  next.provision.type = 'permit';
  next.provision.provision = [{ type: 'deny', code: [{ coding: [{ system: 'http://snomed.info/sct', code: '10200004', display: 'Liver structure' }], text: 'Liver' }] }];
  await fhirPut(next, `W/"${current.meta.versionId}"`);
}

test('a living will the server refused is still there after a reload, until the citizen discards it (with a confirmation)', async ({ page }) => {
  await confirmNoticeOnServer();
  await setFaults({
    method: 'POST', path: '/DocumentReference', times: 1, fault: 'status', status: 422,
    body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'Asiakirjan tallennus estetty.' }] },
  });
  await gotoSection(page, 'Living will');
  const s = section(page, 'living-will');
  const text = s.getByLabel('Your living will');
  await text.fill('Tämä teksti ei saa kadota.', { timeout: LOAD_TIMEOUT });
  await s.getByRole('button', { name: 'Save living will' }).click();
  await expect(s.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected', { timeout: SAVE_TIMEOUT });
  await expect(s.getByTestId('save-status')).toContainText('Asiakirjan tallennus estetty.');

  await page.reload();
  await navTo(page, 'Living will', { timeout: LOAD_TIMEOUT }).catch(() => {});
  await expect(text).toHaveValue('Tämä teksti ei saa kadota.', { timeout: LOAD_TIMEOUT });
  await expect(s.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected');
  const actions = s.getByTestId('draft-actions');
  await expect(actions).toContainText('kept on this device');

  // Discarding asks first; "No" keeps it.
  await actions.getByRole('button', { name: 'Discard my changes' }).click();
  await expect(actions.getByText('Discard your changes? This cannot be undone.')).toBeVisible();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations, formatAxeViolations(axe.violations)).toEqual([]);
  await actions.getByRole('button', { name: 'No, keep them' }).click();
  await expect(text).toHaveValue('Tämä teksti ei saa kadota.');
  await actions.getByRole('button', { name: 'Discard my changes' }).click();
  await actions.getByRole('button', { name: 'Yes, discard' }).click();
  await expect(text).toHaveValue('');
  await page.reload();
  await navTo(page, 'Living will', { timeout: LOAD_TIMEOUT }).catch(() => {});
  await expect(s.getByTestId('living-will-current')).toContainText('You have not written a living will.', { timeout: LOAD_TIMEOUT });
  await expect(text).toHaveValue('');

  // Fixed and saved: the draft goes once the server holds it.
  await text.fill('Toinen yritys.');
  await s.getByRole('button', { name: 'Save living will' }).click();
  await expect(s.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  const kept = await localKeys(page);
  expect(Object.keys(kept).filter((k) => k.includes('.draft.'))).toEqual([]);
});

test('a refused advance directive keeps its input across a reload', async ({ page }) => {
  await confirmNoticeOnServer();
  await setFaults({
    method: 'POST', path: '/Consent', times: 1, fault: 'status', status: 400,
    body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Hoitotahto hylätty.' }] },
  });
  await gotoSection(page, 'Advance directive');
  const s = section(page, 'advance-directive');
  await s.getByRole('group', { name: 'Tube feeding' }).getByRole('radio', { name: 'I do not want it' }).check({ timeout: LOAD_TIMEOUT });
  await s.getByLabel('Other wishes (optional)').fill('Haluan olla kotona.');
  await s.getByRole('button', { name: 'Save advance directive' }).click();
  await expect(s.getByTestId('save-status')).toHaveAttribute('data-state', 'rejected', { timeout: SAVE_TIMEOUT });
  await page.reload();
  await navTo(page, 'Advance directive', { timeout: LOAD_TIMEOUT }).catch(() => {});
  await expect(s.getByRole('group', { name: 'Tube feeding' }).getByRole('radio', { name: 'I do not want it' })).toBeChecked({ timeout: LOAD_TIMEOUT });
  await expect(s.getByLabel('Other wishes (optional)')).toHaveValue('Haluan olla kotona.');
  await s.getByRole('button', { name: 'Save advance directive' }).click();
  await expect(s.getByTestId('save-status')).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  await expectConfirmedDirective();
});

async function expectConfirmedDirective() {
  const found = await fhirSearch('Consent', `patient=Patient/${PATIENT_ID}&category=http://terminology.hl7.org/CodeSystem/consentcategorycodes|acd`);
  expect(found).toHaveLength(1);
  expect(JSON.stringify(found[0])).toContain('Haluan olla kotona.');
}
