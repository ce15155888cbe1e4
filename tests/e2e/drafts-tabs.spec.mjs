// A draft open in two tabs of one browser, end to end: the real FHIR server behind the fault proxy,
// two pages of one context (one origin's storage), the server read directly.
// - What the citizen types in one tab shows in the other, without a reload, both ways.
// - A save confirmed in one tab forgets only the draft it was made of: typing done in the other tab
//   while it was on its way stays, in both tabs and after a reload. Nothing typed is lost; the
//   newest typing wins.
import { test, expect } from '@playwright/test';
import {
  LOAD_TIMEOUT,
  PATIENT_ID,
  SAVE_TIMEOUT,
  confirmNoticeOnServer,
  fhirSearch,
  freshServerPerTest,
  gotoSection,
  sentSince,
  setFaults,
} from './helpers.mjs';

const { sentFrom } = freshServerPerTest(test);

const TITLE = 'Living will';
const wills = () => fhirSearch('DocumentReference', `patient=Patient/${PATIENT_ID}&type=http://loinc.org|86533-7`);
const willText = (will) => Buffer.from(will.content[0].attachment.data, 'base64').toString('utf8');

/** The living will page of `page`, opened fresh and loaded (nothing recorded yet). */
async function openWill(page) {
  await gotoSection(page, TITLE);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(TITLE, { timeout: LOAD_TIMEOUT });
  const s = page.locator('[data-section="living-will"]');
  const ui = {
    page,
    current: s.getByTestId('living-will-current'),
    text: s.getByLabel('Your living will'),
    save: s.getByRole('button', { name: 'Save living will' }),
    status: s.getByTestId('save-status'),
    stale: s.getByTestId('stale-draft'),
  };
  await expect(ui.current).toContainText('You have not written a living will.', { timeout: LOAD_TIMEOUT });
  return ui;
}

test('two tabs: typing shows in the other tab, and typing done while the other tab saves is kept after its save and a reload', async ({ page, context }) => {
  await confirmNoticeOnServer();
  const a = await openWill(page);
  const b = await openWill(await context.newPage());

  // Each tab follows the other's typing, without a reload.
  await a.text.fill('Ensimmäinen versio.');
  await expect(b.text, 'tab B shows what was typed in tab A').toHaveValue('Ensimmäinen versio.');
  await b.text.fill('Toinen versio.');
  await expect(a.text, 'tab A shows what was typed in tab B').toHaveValue('Toinen versio.');

  // Tab A saves; the service holds the answer back while the citizen goes on typing in tab B.
  await setFaults({ method: 'POST', path: '/DocumentReference', fault: 'delay', delayMs: 8000, times: 1 });
  await a.save.click();
  await expect
    .poll(async () => (await sentSince(sentFrom())).filter((w) => w.method === 'POST' && w.url.includes('/DocumentReference')).length, {
      timeout: SAVE_TIMEOUT,
      message: 'tab A has sent its save',
    })
    .toBe(1);
  await b.text.fill('Kolmas versio, kirjoitettu tallennuksen aikana.');
  await expect(a.status, 'tab A\'s save is still on its way').toHaveAttribute('data-state', 'saving');
  await expect(a.text, 'tab A shows the newer typing of tab B').toHaveValue('Kolmas versio, kirjoitettu tallennuksen aikana.');

  // Tab A's save is confirmed: what it sent is recorded, and tab B's newer typing stays the draft.
  await expect(a.status).toHaveAttribute('data-state', 'confirmed', { timeout: SAVE_TIMEOUT });
  const recorded = await wills();
  expect(recorded, 'one living will recorded').toHaveLength(1);
  expect(willText(recorded[0]), 'holding what tab A sent').toBe('Toinen versio.');
  await expect(a.current).toContainText('Current version recorded');
  await expect(a.text, 'tab A keeps the draft typed in tab B after its save').toHaveValue('Kolmas versio, kirjoitettu tallennuksen aikana.');
  await expect(b.text).toHaveValue('Kolmas versio, kirjoitettu tallennuksen aikana.');

  // Reloaded, tab B still has it: the draft was not forgotten in storage, and it builds on the
  // version just saved (the citizen's own), not on a version changed elsewhere.
  await b.page.reload();
  await expect(b.current).toContainText('Current version recorded', { timeout: LOAD_TIMEOUT });
  await expect(b.text, 'tab B\'s typing survives the reload').toHaveValue('Kolmas versio, kirjoitettu tallennuksen aikana.');
  await expect(b.stale).toBeHidden();
  await expect(a.stale).toBeHidden();
  expect(await wills(), 'nothing more was sent').toHaveLength(1);
});
