// End-to-end tests of the organ donation decision page against the real local FHIR server, with the
// fault proxy in between. No request of the app is mocked: the app talks to the proxy, the proxy to
// the server, and the tests read what the server holds directly (not through the proxy).
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  CHOICE,
  HEADINGS,
  SAVE_TIMEOUT,
  LOAD_TIMEOUT,
  ORGANS,
  SNOMED,
  allConsents,
  clearFaults,
  conceptWords,
  consentWrites,
  currentSentSeq,
  deepContainsText,
  expectConfirmed,
  expectOrganDonationConsentShape,
  expectSaveState,
  formatAxeViolations,
  freshServerPerTest,
  header,
  openOrganDonation,
  organDonationConsents,
  parseBody,
  saveAndConfirm,
  sentSince,
  setFaults,
  waitForDecisionLoaded,
  changeElsewhereToExceptLiver,
  refuseNextConsentPost,
} from './helpers.mjs';

const FINNISH_NOTE = 'Äidin toive: ei sydäntä';

const { sentFrom } = freshServerPerTest(test);

/** The If-None-Exist value the design asks for, for a given identifier value. */
function ifNoneExistFor(identifierValue) {
  return `identifier=urn:ietf:rfc:3986|${identifierValue}`;
}

function decodeHeader(value) {
  try {
    return decodeURIComponent(value ?? '');
  } catch {
    return value;
  }
}

// -------------------------------------------------------------------------------------------------

test('saving a decision shows Saving…, then a server-confirmed version 1 that survives reload', async ({ page }) => {
  const ui = await openOrganDonation(page);
  const consentsBefore = (await allConsents()).length;

  // Nothing chosen yet: Save is disabled (soft: the rest of the flow is still checked), no radio checked.
  await expect(ui.decisionGroup).toBeVisible();
  for (const key of Object.keys(CHOICE)) await expect(ui.radio(key)).not.toBeChecked();
  await expect.soft(ui.saveButton, 'Save is disabled while nothing is chosen').toBeDisabled({ timeout: 2_000 });
  await expect(ui.notDonatedGroup).toHaveCount(0);

  // Hold the create 1.5 s in the proxy so that the optimistic "Saving…" state is observable.
  await setFaults({ method: 'POST', path: '/Consent', fault: 'delay', delayMs: 1500, times: 1 });
  await ui.radio('consent').check();
  await expect(ui.saveButton).toBeEnabled();
  await ui.saveButton.click();
  await expectSaveState(ui, 'saving', 5_000);
  await expect(ui.saveStatus).toContainText('Saving…');
  await expect(ui.saveStatus).not.toContainText('Saved at');

  const receipt = await expectConfirmed(ui, 1);
  await expect(ui.radio('consent')).toBeChecked();

  // Announced in the app's single live region.
  await expect(page.locator('[role=status]')).toHaveCount(1);
  await expect(page.locator('[role=alert]')).toHaveCount(1);
  await expect(ui.announcer).toContainText(/Saved/);

  // The server holds exactly one organ donation Consent: permit, version 1, the receipt's id.
  const consents = await organDonationConsents();
  expect(consents, 'organ donation Consents on the server').toHaveLength(1);
  const [consent] = consents;
  const identifierValue = expectOrganDonationConsentShape(consent);
  expect(consent.provision.type).toBe('permit');
  expect(consent.provision.provision ?? []).toHaveLength(0);
  expect(consent.meta?.versionId).toBe('1');
  expect(consent.id).toBe(receipt.id);
  expect((await allConsents()).length, 'Consents of any kind for the patient').toBe(consentsBefore + 1);

  // The create was idempotent: If-None-Exist with the resource's own identifier.
  const writes = consentWrites(await sentSince(sentFrom()));
  expect(writes.length).toBeGreaterThanOrEqual(1);
  for (const w of writes) {
    expect(w.method).toBe('POST');
    expect(decodeHeader(header(w, 'If-None-Exist')), `If-None-Exist of #${w.seq}`).toBe(
      ifNoneExistFor(identifierValue),
    );
  }

  // After a reload the summary shows the recorded decision and the form is pre-filled.
  await page.reload();
  await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
  await waitForDecisionLoaded(ui);
  await expect(ui.summary).toContainText(CHOICE.consent);
  await expect(ui.summary).toContainText('version 1');
  await expect(ui.summary).not.toContainText('You have not recorded a decision.');
  await expect(ui.radio('consent')).toBeChecked();
  await expect(ui.radio('refuse')).not.toBeChecked();
  await expect(ui.radio('except')).not.toBeChecked();
});

test('changing the decision to "except" updates the same Consent to version 2 with nested deny provisions and the note', async ({ page }) => {
  const ui = await openOrganDonation(page);
  await ui.radio('consent').check();
  const first = await saveAndConfirm(ui, 1);
  const [v1] = await organDonationConsents();
  const identifierValue = expectOrganDonationConsentShape(v1);

  // The third choice reveals the organ list.
  await ui.radio('except').check();
  await expect(ui.notDonatedGroup).toBeVisible();
  for (const organ of ORGANS) {
    await expect(ui.organ(organ), organ).toHaveCount(1);
    await expect(ui.organ(organ), organ).not.toBeChecked();
  }
  await ui.organ('Kidneys').check();
  await ui.organ('Corneas').check();
  await ui.note.fill(FINNISH_NOTE);

  const second = await saveAndConfirm(ui, 2);
  expect(second.id, 'an update keeps the record id').toBe(first.id);

  // The server holds the same Consent at version 2.
  const consents = await organDonationConsents();
  expect(consents, 'organ donation Consents on the server').toHaveLength(1);
  const [consent] = consents;
  expect(consent.id).toBe(first.id);
  expect(consent.meta?.versionId).toBe('2');
  expect(expectOrganDonationConsentShape(consent), 'identifier kept').toBe(identifierValue);
  expect(consent.provision.type).toBe('permit');
  const nested = consent.provision.provision ?? [];
  expect(nested, 'nested provisions').toHaveLength(2);
  for (const p of nested) {
    expect(p.type).toBe('deny');
    expect((p.code ?? []).length, 'nested provision names an organ').toBeGreaterThan(0);
    expect((p.code ?? []).some((cc) => (cc.coding ?? []).some((c) => c.system === SNOMED))).toBe(true);
  }
  const words = nested.map((p) => conceptWords(p.code));
  expect(words.some((w) => /kidney/.test(w)), `a nested provision names the kidneys: ${words}`).toBe(true);
  expect(words.some((w) => /cornea/.test(w)), `a nested provision names the corneas: ${words}`).toBe(true);
  expect(deepContainsText(consent, FINNISH_NOTE), 'the note is stored, UTF-8 intact').toBe(true);

  // The update was a PUT to that id with If-Match on version 1.
  const puts = consentWrites(await sentSince(sentFrom())).filter((w) => w.method === 'PUT');
  expect(puts.length).toBeGreaterThanOrEqual(1);
  expect(String(puts[0].url)).toContain(`/Consent/${first.id}`);
  expect(header(puts[0], 'If-Match')).toBe('W/"1"');

  // After a reload the form is pre-filled with the recorded decision.
  await page.reload();
  await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
  await waitForDecisionLoaded(ui);
  await expect(ui.summary).toContainText(CHOICE.except);
  await expect(ui.summary).toContainText('version 2');
  await expect(ui.radio('except')).toBeChecked();
  await expect(ui.notDonatedGroup).toBeVisible();
  for (const organ of ORGANS) {
    if (organ === 'Kidneys' || organ === 'Corneas') await expect(ui.organ(organ), organ).toBeChecked();
    else await expect(ui.organ(organ), organ).not.toBeChecked();
  }
  await expect(ui.note).toHaveValue(FINNISH_NOTE);
});

test('a 500 from the service queues the save with the reason, keeps the input, and "Retry now" confirms it once', async ({ page }) => {
  const ui = await openOrganDonation(page);
  const note = 'Päätös tehty harkiten.';

  // The service answers every create with 500 until the fault is cleared (times: null). (A one-shot fault would race
  // the app's own automatic retry, and the queued state might never be observable.) Its Retry-After puts the next
  // automatic try two minutes away, so it is the citizen's "Retry now" that sends the save, not a retry that happens
  // to fall between clearing the fault and the tap (a loaded machine lost that race).
  await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 500, times: null, retryAfter: 120 });
  await ui.radio('refuse').check();
  await ui.note.fill(note);
  await ui.saveButton.click();

  await expectSaveState(ui, 'queued');
  await expect(ui.saveStatus).toContainText('Not saved yet');
  await expect(ui.saveStatus).toContainText('(HTTP 500)');
  await expect(ui.saveStatus).not.toContainText('Saved at');
  await expect(ui.retryNow).toBeVisible();
  await expect(ui.radio('refuse')).toBeChecked();
  await expect(ui.note).toHaveValue(note);
  expect(await organDonationConsents(), 'nothing stored while the service fails').toHaveLength(0);

  // The service recovers; the citizen retries.
  await clearFaults();
  const beforeRetry = await currentSentSeq();
  await ui.retryNow.click();
  const receipt = await expectConfirmed(ui, 1);
  expect(consentWrites(await sentSince(beforeRetry)).length, 'Retry now sent the save').toBeGreaterThanOrEqual(1);

  const consents = await organDonationConsents();
  expect(consents, 'exactly one Consent after the retry').toHaveLength(1);
  const identifierValue = expectOrganDonationConsentShape(consents[0]);
  expect(consents[0].provision.type).toBe('deny');
  expect(consents[0].id).toBe(receipt.id);
  expect(deepContainsText(consents[0], note)).toBe(true);

  // Every attempt was the same idempotent create.
  const writes = consentWrites(await sentSince(sentFrom()));
  expect(writes.length).toBeGreaterThanOrEqual(2);
  for (const w of writes) {
    expect(w.method).toBe('POST');
    expect(decodeHeader(header(w, 'If-None-Exist'))).toBe(ifNoneExistFor(identifierValue));
  }
});

test('a dropped connection queues the save as "could not reach the service"; Retry now confirms it', async ({ page }) => {
  const ui = await openOrganDonation(page);
  await setFaults({ method: 'POST', path: '/Consent', fault: 'drop', times: null });
  await ui.radio('consent').check();
  await ui.saveButton.click();

  await expectSaveState(ui, 'queued');
  await expect(ui.saveStatus).toContainText('Not saved yet');
  await expect(ui.saveStatus).toContainText('could not reach the service');
  await expect(ui.radio('consent')).toBeChecked();
  expect(await organDonationConsents()).toHaveLength(0);

  // Back online: the automatic retry (up to a few seconds away) or Retry now, whichever comes
  // first, must confirm it exactly once.
  await clearFaults();
  await ui.retryNow.click({ timeout: 2_000 }).catch(() => {});
  const receipt = await expectConfirmed(ui, 1);
  const consents = await organDonationConsents();
  expect(consents).toHaveLength(1);
  expect(consents[0].id).toBe(receipt.id);
});

test('a response lost after the server committed does not create a duplicate on retry', async ({ page }) => {
  const ui = await openOrganDonation(page);
  await setFaults({ method: 'POST', path: '/Consent', fault: 'dropAfterCommit', times: 1 });
  await ui.radio('refuse').check();
  await ui.saveButton.click();

  // The first attempt is committed on the server, but the app never hears of it.
  await expect(ui.saveStatus).toHaveAttribute('data-state', /^(saving|queued|confirmed)$/);
  await expect(ui.saveStatus).not.toHaveAttribute('data-state', 'saving', { timeout: 20_000 });
  if ((await ui.saveStatus.getAttribute('data-state')) === 'queued') {
    await expect(ui.saveStatus).toContainText('Not saved yet');
    // The automatic retry may win the race with the button; either path must end confirmed.
    await ui.retryNow.click({ timeout: 3_000 }).catch(() => {});
  }
  const receipt = await expectConfirmed(ui, 1);

  const consents = await organDonationConsents();
  expect(consents, 'no duplicate after a retried create').toHaveLength(1);
  expect(consents[0].id).toBe(receipt.id);
  expect(consents[0].meta?.versionId).toBe('1');
  const posts = consentWrites(await sentSince(sentFrom())).filter((w) => w.method === 'POST');
  expect(posts.length, 'the create was retried').toBeGreaterThanOrEqual(2);
  const ids = new Set(posts.map((w) => parseBody(w)?.identifier?.[0]?.value));
  expect(ids.size, 'every attempt carried the same identifier').toBe(1);
});

test('a decision changed elsewhere meanwhile is shown as a conflict ("changed elsewhere"); nothing is overwritten', async ({ page }) => {
  const ui = await openOrganDonation(page);
  await ui.radio('consent').check();
  const receipt = await saveAndConfirm(ui, 1);

  // Another device changes the decision on the server: version 2, "except the liver".
  const stored = await changeElsewhereToExceptLiver();
  expect(stored.meta.versionId).toBe('2');

  // The citizen, still looking at version 1, saves a refusal: the server answers 412 to If-Match W/"1".
  await ui.radio('refuse').check();
  await ui.saveButton.click();
  await expectSaveState(ui, 'conflict');
  await expect(ui.saveStatus).toContainText('changed elsewhere');
  await expect(ui.saveStatus).not.toContainText('Saved at');
  await expect(ui.radio('refuse')).toBeChecked();

  // The other device's version is untouched.
  const consents = await organDonationConsents();
  expect(consents).toHaveLength(1);
  expect(consents[0].id).toBe(receipt.id);
  expect(consents[0].meta?.versionId).toBe('2');
  expect(consents[0].provision.type).toBe('permit');
  expect(conceptWords(consents[0].provision.provision?.[0]?.code)).toMatch(/liver/);
  const puts = consentWrites(await sentSince(sentFrom())).filter((w) => w.method === 'PUT');
  expect(puts.length).toBeGreaterThanOrEqual(1);
  expect(header(puts[0], 'If-Match')).toBe('W/"1"');
});

test('a first decision that waited offline while another device recorded one is a conflict, not a second decision', async ({ page, browser }) => {
  // This phone is offline: its first decision waits.
  const ui = await openOrganDonation(page);
  await page.context().setOffline(true);
  await ui.radio('refuse').check();
  await ui.saveButton.click();
  await expectSaveState(ui, 'queued');

  // Meanwhile the citizen records a decision on another device (its own browser, its own storage).
  const elsewhere = await browser.newContext();
  const other = await openOrganDonation(await elsewhere.newPage(), { noticeConfirmed: false });
  await other.radio('consent').check();
  const theirs = await saveAndConfirm(other, 1);
  await elsewhere.close();

  // Back online, the waiting create finds the decision in force: both are shown, nothing stored.
  const before = await currentSentSeq();
  await page.context().setOffline(false);
  await expectSaveState(ui, 'conflict', LOAD_TIMEOUT);
  await expect(page.getByTestId('conflict')).toBeVisible();
  let consents = await organDonationConsents();
  expect(consents, 'no second decision beside the other device\'s').toHaveLength(1);
  expect(consents[0].provision.type).toBe('permit');
  expect(consentWrites(await sentSince(before)), 'looked for the decision in force, sent nothing').toEqual([]);

  // She keeps hers: written over the other device's, as its next version.
  await page.getByRole('button', { name: 'Keep mine', exact: true }).click();
  const receipt = await expectConfirmed(ui, 2);
  expect(receipt.id).toBe(theirs.id);
  consents = await organDonationConsents();
  expect(consents).toHaveLength(1);
  expect(consents[0].provision.type).toBe('deny');
});

test('a 400 OperationOutcome shows the server\'s own words; the kept input can be saved again', async ({ page }) => {
  const ui = await openOrganDonation(page);
  await refuseNextConsentPost('Henkilötunnus puuttuu', 'required');
  await ui.radio('except').check();
  await ui.organ('Lungs').check();
  await ui.saveButton.click();

  await expectSaveState(ui, 'rejected');
  await expect(ui.saveStatus).toContainText('The service did not accept');
  await expect(ui.saveStatus).toContainText('Henkilötunnus puuttuu');
  await expect(ui.radio('except')).toBeChecked();
  await expect(ui.organ('Lungs')).toBeChecked();
  expect(await organDonationConsents()).toHaveLength(0);

  // The fault was one-shot: the same input, submitted again, is stored.
  const receipt = await saveAndConfirm(ui, 1);
  const consents = await organDonationConsents();
  expect(consents).toHaveLength(1);
  expect(consents[0].id).toBe(receipt.id);
  expect(consents[0].provision.provision ?? []).toHaveLength(1);
  expect(conceptWords(consents[0].provision.provision[0].code)).toMatch(/lung/);
});

test('the language switch changes the page and persists across reload', async ({ page }) => {
  const ui = await openOrganDonation(page);
  await expect(ui.languageButton('en')).toHaveAttribute('aria-pressed', 'true');

  await ui.languageButton('fi').click();
  await expect(ui.heading).toHaveText(HEADINGS.fi);
  await expect(ui.languageButton('fi')).toHaveAttribute('aria-pressed', 'true');
  await expect(ui.languageButton('en')).toHaveAttribute('aria-pressed', 'false');
  expect(await ui.heading.evaluate((el) => el.closest('[lang]')?.getAttribute('lang'))).toMatch(/^fi\b/);

  await page.reload();
  await expect(ui.heading).toHaveText(HEADINGS.fi, { timeout: LOAD_TIMEOUT });
  await expect(ui.languageButton('fi')).toHaveAttribute('aria-pressed', 'true');

  await ui.languageButton('sv').click();
  await expect(ui.heading).toHaveText(HEADINGS.sv);
  await expect(ui.languageButton('sv')).toHaveAttribute('aria-pressed', 'true');
  expect(await ui.heading.evaluate((el) => el.closest('[lang]')?.getAttribute('lang'))).toMatch(/^sv\b/);
  await page.reload();
  await expect(ui.heading).toHaveText(HEADINGS.sv, { timeout: LOAD_TIMEOUT });
});

for (const lang of ['en', 'fi', 'sv']) {
  test(`accessibility (axe): no violations on the organ donation page in ${lang}`, async ({ page }, testInfo) => {
    const ui = await openOrganDonation(page);
    if (lang !== 'en') await ui.languageButton(lang).click();
    await expect(ui.heading).toHaveText(HEADINGS[lang]);
    expect(await ui.heading.evaluate((el) => el.closest('[lang]')?.getAttribute('lang'))).toMatch(
      new RegExp(`^${lang}\\b`),
    );

    const states = [];
    states.push(['initial', await new AxeBuilder({ page }).analyze()]);

    // The third choice reveals the organ checkboxes; check them too (radios in DOM order).
    await page.getByRole('radio').nth(2).check();
    await expect(page.getByRole('checkbox')).toHaveCount(ORGANS.length);
    states.push(['except chosen', await new AxeBuilder({ page }).analyze()]);

    const report = [];
    for (const [state, results] of states) {
      await testInfo.attach(`axe-${lang}-${state}`, {
        body: JSON.stringify(results.violations, null, 2),
        contentType: 'application/json',
      });
      if (results.violations.length > 0) {
        report.push(`axe (${lang}, ${state}): ${results.violations.length} violation(s)\n${formatAxeViolations(results.violations)}`);
      }
    }
    if (report.length > 0) console.log(report.join('\n'));
    expect(report, report.join('\n')).toEqual([]);
  });
}

test('screenshots at 360 px and 1280 px', async ({ page }, testInfo) => {
  const dir = path.join(testInfo.project.outputDir, 'screenshots');
  await mkdir(dir, { recursive: true });
  const shot = async (name) => {
    const file = path.join(dir, `organ-donation-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(name, { path: file, contentType: 'image/png' });
  };
  const noHorizontalScroll = async (width) => {
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `no horizontal scrolling at ${width} px`).toBeLessThanOrEqual(width);
  };

  await page.setViewportSize({ width: 360, height: 740 });
  const ui = await openOrganDonation(page);
  await noHorizontalScroll(360);
  await shot('360-empty');

  await page.setViewportSize({ width: 1280, height: 900 });
  await noHorizontalScroll(1280);
  await shot('1280-empty');

  await page.setViewportSize({ width: 360, height: 740 });
  await ui.radio('except').check();
  await ui.organ('Kidneys').check();
  await ui.organ('Heart valves').check();
  await ui.note.fill(FINNISH_NOTE);
  await noHorizontalScroll(360);
  await shot('360-except');

  await saveAndConfirm(ui, 1);
  await noHorizontalScroll(360);
  await shot('360-confirmed');

  await page.setViewportSize({ width: 1280, height: 900 });
  await noHorizontalScroll(1280);
  await shot('1280-confirmed');
});

// -------------------------------------------------------------------------------------------------
// DESIGN.md §1 save contract, beyond the brief's list: drafts, the durable outbox, automatic retries.

test.describe('save contract (DESIGN §1)', () => {
  test('an unsent save shows in the header badge and the "Unsent saves" list, can be retried from there, and leaving warns', async ({ page }) => {
    const ui = await openOrganDonation(page);
    const badge = page.getByTestId('unsent-badge');
    await expect(badge).toBeHidden();
    // Until the fault is cleared (times: null): with a count, the outbox's own retry after
    // Retry-After could use up the second 503 before the test clicks Retry now.
    await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, times: null });
    await ui.radio('consent').check();
    await ui.saveButton.click();
    await expectSaveState(ui, 'queued');

    await expect(badge).toHaveText('Unsent saves: 1');
    await badge.click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unsent saves');
    const item = page.getByTestId('unsent-item');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('Organ donation decision');
    await expect(item).toContainText('Not saved yet');
    // Retry now from the list: another 503, still unsent, still listed.
    const writesBefore = consentWrites(await sentSince(sentFrom())).length;
    await item.getByRole('button', { name: 'Retry now', exact: true }).click();
    await expect
      .poll(async () => consentWrites(await sentSince(sentFrom())).length, { timeout: 5_000 })
      .toBeGreaterThan(writesBefore);
    await expect(item).toContainText('Not saved yet');

    // Leaving the page with an unsent save asks first.
    let asked = null;
    page.once('dialog', async (dialog) => {
      asked = dialog.type();
      await dialog.dismiss();
    });
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => asked, { message: 'the browser asked before leaving' }).toBe('beforeunload');
  });

  test('a confirmed save leaves nothing unsent: no badge, and no warning on leaving', async ({ page }) => {
    const ui = await openOrganDonation(page);
    await ui.radio('refuse').check();
    await saveAndConfirm(ui, 1);
    await expect(page.getByTestId('unsent-badge')).toBeHidden();
    let asked = null;
    page.once('dialog', async (dialog) => {
      asked = dialog.type();
      await dialog.dismiss();
    });
    await page.close({ runBeforeUnload: true });
    expect(asked, 'no "leave site?" question when everything is saved').toBeNull();
  });

  test('when the browser refuses storage, the save is still sent and confirmed, and the citizen is told it is not kept on this device', async ({ page, context }) => {
    await context.addInitScript(() => {
      // As in a locked-down private window: no IndexedDB, and localStorage refuses every write.
      Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
      Storage.prototype.setItem = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    const ui = await openOrganDonation(page);
    await ui.radio('refuse').check();
    // The draft cannot be kept either, and the citizen is told where it lives.
    await expect(ui.root.getByTestId('draft-only-here')).toContainText('Your change is only on this page');
    // The service is down at first: what waits is said to be on this page only, not on this device.
    await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, times: null });
    await ui.saveButton.click();
    await expect(page.getByRole('alert').filter({ hasText: 'did not let Tahto keep your save' })).toBeVisible({
      timeout: SAVE_TIMEOUT,
    });
    await expect(ui.saveStatus).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
    await expect(ui.saveStatus).toContainText('only on this page');
    const notice = page.getByTestId('service-notice');
    await expect(notice).toContainText('so they are only on this page. Keep the page open', { timeout: SAVE_TIMEOUT });
    await expect(notice).not.toContainText('You can close the page');
    await clearFaults();
    // Retry now; the automatic retry may be quicker (then the button is gone).
    await ui.saveStatus.getByRole('button', { name: 'Retry now' }).click({ timeout: 5_000 }).catch(() => {});
    const receipt = await expectConfirmed(ui, 1);
    const consents = await organDonationConsents();
    expect(consents, 'stored once, from memory').toHaveLength(1);
    expect(consents[0].id).toBe(receipt.id);
    expect(consents[0].provision?.type).toBe('deny');
  });

  test('an unsaved draft survives a reload', async ({ page }) => {
    const ui = await openOrganDonation(page);
    await ui.radio('except').check();
    await ui.organ('Liver').check();
    await ui.note.fill(FINNISH_NOTE);

    await page.reload();
    await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
    await waitForDecisionLoaded(ui);
    await expect(ui.radio('except')).toBeChecked();
    await expect(ui.organ('Liver')).toBeChecked();
    await expect(ui.note).toHaveValue(FINNISH_NOTE);
    expect(await organDonationConsents(), 'a draft is not sent').toHaveLength(0);
  });

  test('a queued save survives a reload and is stored once the service recovers', async ({ page }) => {
    const ui = await openOrganDonation(page);
    await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, times: null });
    await ui.radio('refuse').check();
    await ui.note.fill(FINNISH_NOTE);
    await ui.saveButton.click();
    await expectSaveState(ui, 'queued');

    await page.reload();
    await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
    await expect(ui.summary).toBeVisible({ timeout: LOAD_TIMEOUT });
    await expect(ui.saveStatus).toHaveAttribute('data-state', /^(queued|saving)$/, { timeout: LOAD_TIMEOUT });
    await expect(ui.radio('refuse')).toBeChecked();
    await expect(ui.note).toHaveValue(FINNISH_NOTE);

    await clearFaults();
    if ((await ui.saveStatus.getAttribute('data-state')) === 'queued') {
      await ui.retryNow.click({ timeout: 3_000 }).catch(() => {}); // an automatic retry may win
    }
    await expectConfirmed(ui, 1);
    const consents = await organDonationConsents();
    expect(consents, 'stored exactly once').toHaveLength(1);
    expect(consents[0].provision.type).toBe('deny');
  });

  test('a 503 with Retry-After is retried automatically, not before Retry-After', async ({ page }) => {
    const ui = await openOrganDonation(page);
    await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, retryAfter: 2, times: 1 });
    await ui.radio('consent').check();
    await ui.saveButton.click();
    await expectSaveState(ui, 'queued');
    await expect(ui.saveStatus).toContainText('(HTTP 503)');

    // No click: the app retries on its own.
    await expectConfirmed(ui, 1);
    const posts = consentWrites(await sentSince(sentFrom()));
    expect(posts.length).toBeGreaterThanOrEqual(2);
    const waited = Date.parse(posts[1].time) - Date.parse(posts[0].time);
    expect(waited, 'ms between the 503 and the retry').toBeGreaterThanOrEqual(1_900);
    expect(await organDonationConsents()).toHaveLength(1);
  });
});
