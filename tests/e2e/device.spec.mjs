// What Tahto keeps on the device, and what it says when the service itself fails (issue 9, items 7
// and 8), end to end: the real FHIR server behind the fault proxy, Chromium with its real storage.
// - When saves keep failing for everyone, one notice says so: not the citizen's mistake, kept on
//   this device, sent automatically, how to print meanwhile; it goes by itself on recovery.
// - Each unsent save shows its age; the browser is asked to keep Tahto's storage; "Forget this
//   device" removes everything, after the unsent saves are sent or discarded by a confirmed choice.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import {
  LOAD_TIMEOUT,
  SAVE_TIMEOUT,
  clearFaults,
  formatAxeViolations,
  freshServerPerTest,
  openOrganDonation,
  organDonationConsents,
  outboxEntries,
  setFaults,
  tahtoLocalStorage,
} from './helpers.mjs';

freshServerPerTest(test);

const serviceDown = { method: 'POST', path: '/Consent', fault: 'status', status: 503, times: null };

/** Every key Tahto keeps in localStorage. */
const localKeys = async (page) => Object.keys(await tahtoLocalStorage(page));
/** The keys that hold what a citizen entered or saved (drafts, outcomes, copies, creation keys). */
const citizenData = async (page) => (await localKeys(page)).filter((k) => /\.(draft|outcomes|key|outbox|measurement-form)\b/.test(k));

/** Records every text the app's alert region says (it says one at a time; each is announced). */
async function recordAlerts(page) {
  await page.addInitScript(() => {
    window.__tahtoAlerts = [];
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid=alerts]')?.textContent ?? '';
      if (text && window.__tahtoAlerts.at(-1) !== text) window.__tahtoAlerts.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => window.__tahtoAlerts.join('\n'));
}

test('when the service refuses every save, one notice says it is not the citizen\'s mistake; it goes by itself on recovery', async ({ page }) => {
  const alerts = await recordAlerts(page);
  await setFaults(serviceDown);
  const ui = await openOrganDonation(page);
  const notice = page.getByTestId('service-notice');
  await expect(notice).toBeHidden();
  await ui.radio('refuse').check();
  await ui.saveButton.click();
  await expect(ui.saveStatus).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
  await expect(notice).toBeVisible({ timeout: SAVE_TIMEOUT });
  await expect(notice).toContainText('The service cannot save right now');
  await expect(notice).toContainText('not with you or your device');
  await expect(notice).toContainText('will be sent automatically');
  await expect(notice).toContainText('choose Print');
  await expect.poll(alerts, { timeout: SAVE_TIMEOUT }).toContain('The service cannot save right now');
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations, formatAxeViolations(axe.violations)).toEqual([]);

  // In Finnish too.
  await ui.languageButton('fi').click();
  await expect(notice).toContainText('Vika on palvelussa, ei sinussa eikä laitteessasi.');
  await ui.languageButton('en').click();

  // The unsent list says how old the save is.
  await page.getByTestId('unsent-badge').click();
  await expect(page.getByTestId('unsent-item').getByTestId('unsent-age')).toContainText(/Made \d/);

  // The service recovers: the save goes through and the notice goes, without a click on it.
  await clearFaults();
  // Retry now; the automatic retry may be quicker (then the item, and its button, are gone).
  await page
    .getByTestId('unsent-item')
    .getByRole('button', { name: 'Retry now' })
    .click({ timeout: 5_000 })
    .catch(() => {});
  await expect(page.getByTestId('unsent-item')).toHaveCount(0, { timeout: SAVE_TIMEOUT });
  await expect(notice).toBeHidden({ timeout: SAVE_TIMEOUT });
  expect(await organDonationConsents()).toHaveLength(1);
});

test('one failed attempt of a single save is not called a service failure', async ({ page }) => {
  await setFaults({ ...serviceDown, status: 500, times: 1 });
  const ui = await openOrganDonation(page);
  await ui.radio('consent').check();
  await ui.saveButton.click();
  await expect(ui.saveStatus).toHaveAttribute('data-state', 'confirmed', { timeout: 30_000 });
  await expect(page.getByTestId('service-notice')).toBeHidden();
});

test('forget this device: the browser is asked to keep storage; unsent saves are discarded only by a confirmed choice, then nothing is left', async ({ page }) => {
  await page.addInitScript(() => {
    // Count the requests to keep storage (the browser's own answer is kept).
    const storage = navigator.storage;
    const persist = storage?.persist?.bind(storage);
    window.__tahtoPersistAsked = 0;
    if (persist) storage.persist = () => { window.__tahtoPersistAsked += 1; return persist(); };
  });
  await setFaults(serviceDown);
  const ui = await openOrganDonation(page);
  await ui.radio('refuse').check();
  await ui.saveButton.click();
  await expect(ui.saveStatus).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
  await ui.radio('consent').check(); // a draft typed after it, not saved
  expect(await page.evaluate(() => window.__tahtoPersistAsked)).toBeGreaterThanOrEqual(1);
  expect(await outboxEntries(page)).toHaveLength(1);
  expect((await citizenData(page)).length).toBeGreaterThan(0);

  const menu = page.getByRole('button', { name: 'Forget this device' });
  await menu.click();
  const panel = page.getByTestId('forget-device');
  await expect(panel).toContainText('1 saves have not reached the service yet');
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations, formatAxeViolations(axe.violations)).toEqual([]);
  await panel.getByRole('button', { name: 'Discard them and forget the device' }).click();
  await expect(panel).toContainText('Discard 1 unsent saves? They will never reach the service.');
  // "No" keeps everything.
  await panel.getByRole('button', { name: 'No, do not discard' }).click();
  expect(await outboxEntries(page)).toHaveLength(1);
  await panel.getByRole('button', { name: 'Discard them and forget the device' }).click();
  // Listening before the tap: the reload that follows can be quicker than the next line.
  const reloaded = page.waitForEvent('load');
  await panel.getByRole('button', { name: 'Yes, discard and forget' }).click();
  await reloaded;

  await expect(page.getByTestId('unsent-badge')).toBeHidden({ timeout: LOAD_TIMEOUT });
  // Only what the page itself has read again since the reload may be there (the notice check).
  expect(await citizenData(page), 'nothing the citizen entered or saved is left in localStorage').toEqual([]);
  expect(await outboxEntries(page), 'nor in IndexedDB').toEqual([]);
  await expect(page.getByTestId('announcer')).toContainText('This device no longer keeps anything of yours.');
  await clearFaults();
  const again = await openOrganDonation(page);
  for (const key of ['consent', 'refuse', 'except']) await expect(again.radio(key)).not.toBeChecked();
  expect(await organDonationConsents(), 'the discarded save was never sent').toHaveLength(0);
});

test('forget this device after sending: it waits until the unsent save is stored, then forgets', async ({ page }) => {
  const ui = await openOrganDonation(page);
  await ui.radio('refuse').check();
  await setFaults(serviceDown);
  await ui.saveButton.click();
  await expect(ui.saveStatus).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
  await page.getByRole('button', { name: 'Forget this device' }).click();
  const panel = page.getByTestId('forget-device');
  await panel.getByRole('button', { name: 'Send them first, then forget' }).click();
  await expect(panel).toContainText('Waiting for 1 saves to be sent');
  expect(await organDonationConsents()).toHaveLength(0);
  await clearFaults();
  await page.waitForEvent('load', { timeout: 30_000 });
  await expect(page.getByTestId('announcer')).toContainText('This device no longer keeps anything of yours.', { timeout: LOAD_TIMEOUT });
  expect(await citizenData(page)).toEqual([]);
  expect(await organDonationConsents(), 'sent once before forgetting').toHaveLength(1);
});
