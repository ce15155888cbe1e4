// Chaos end-to-end tests of the save contract (DESIGN.md §1) on the organ donation page: the network
// goes away, the service fails, answers are lost, cut off or never come, another device or another
// tab changes the record, the outage lasts 48 hours. Nothing the app sends is mocked: the app talks
// to the fault proxy (18104), the proxy to the real FHIR server (18103), and every case checks both
// what the citizen sees and what the server holds (read directly, not through the proxy). Every
// resource the app sent is checked by both FHIR validators after each test.
//
//   cd /work/main/tests && npx playwright test e2e/chaos.spec.mjs
//
// Every save a test makes is tracked in a ledger; after each test it is settled against the save
// states the page showed (recorded by a MutationObserver, so even a state shown for a moment is
// seen) and against the server's history of the record. The suite prints:
//   chaos: saves attempted N, confirmed N, rejected-as-expected N, lost N, duplicated N, silent N
// lost = a save whose content never reached the server and never showed rejected/conflict (a save
//   replaced by the citizen's later save of the same record in another tab is superseded, not lost);
// duplicated = a test that ended with more than one organ-donation Consent for the citizen;
// silent = a save that ended in no visible state (still "saving", or nothing shown).
import { test, expect } from '@playwright/test';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CHOICE,
  HEADINGS,
  LOAD_TIMEOUT,
  PATIENT_ID,
  SNOMED,
  clearFaults,
  consentHoldsDecision,
  consentWrites,
  expectSameIdempotentCreate,
  findShown,
  formatShown,
  shownSince,
  unsentKept,
  currentSentSeq,
  expectConfirmed,
  expectOrganDonationConsentShape,
  expectSaveState,
  fhirPut,
  header,
  openOrganDonation,
  organDonationConsents,
  organDonationHistory,
  parseBody,
  recordSaveStates,
  resetServer,
  saveStateLog,
  sentSince,
  setFaults,
  expectValidSendsAndNoBrowserErrors,
  waitForDecisionLoaded,
  watchBrowserErrors,
  changeElsewhereToExceptLiver,
  refuseNextConsentPost,
} from './helpers.mjs';
import { addCounts, detailLine, emptyTotals, summaryLine } from './chaos-summary.mjs';

/** The record the organ donation page saves (its key in the outbox, src/save/outbox.rs). */
// The outbox key of the organ donation decision (save/record.rs `Record::key`).
const RECORD = 'organ-donation';
/**
 * An automatic retry after the fault is gone, in tests where the save failed once or twice: the
 * backoff's full-jitter ceiling is then 2–4 s (src/save/retry.rs). After a longer run of failures
 * the ceiling doubles each time, so such tests press "Retry now" instead of waiting.
 */
const AUTO_RETRY_TIMEOUT = 15_000;
const POST_CONSENT = { method: 'POST', path: '/Consent' };

/**
 * Presses the organ donation page's "Retry now" if the save still waits for its retry. It is
 * looked up and pressed in one step inside the page: a retry already under way hides the button,
 * and a separate look then press could wait for a button that is gone.
 */
async function retryNowIfWaiting(ui) {
  await ui.page.evaluate(() => {
    const page = document.querySelector('article[aria-labelledby="tahto-od-title"]');
    const button = [...(page?.querySelectorAll('button') ?? [])].find((b) => b.textContent.trim() === 'Retry now');
    button?.click();
  });
}

let startSeq = 0;
let browserProblems = [];
/** Saves made in the current test: { page, ui, label, decision, expected, startIndex, keptMine, tookTheirs }. */
let ledger = [];
let sawFailure = false;

test.beforeEach(async ({ context }) => {
  await resetServer();
  await clearFaults();
  startSeq = await currentSentSeq();
  browserProblems = watchBrowserErrors(context);
  await recordSaveStates(context);
  ledger = [];
});

test.afterEach(async ({}, testInfo) => {
  await clearFaults().catch(() => {});
  // Settle the ledger first: it must be counted whether or not the test passed.
  let counts = null;
  try {
    counts = await settleLedger();
  } catch (err) {
    console.log(`[${testInfo.title}] could not settle the chaos ledger: ${err?.stack ?? err}`);
  }
  if (counts) {
    await testInfo.attach('chaos-ledger', { body: JSON.stringify(counts), contentType: 'application/json' });
    appendFileSync(ledgerFile(testInfo), `${JSON.stringify(counts)}\n`);
  }
  if (testInfo.status !== testInfo.expectedStatus) sawFailure = true;

  await expectValidSendsAndNoBrowserErrors(testInfo, startSeq, browserProblems);
});

test.afterAll(async ({}, testInfo) => {
  if (process.env.TAHTO_CHAOS_SUMMARY_REPORTER) return; // e2e/chaos-summary.mjs prints it for the whole run
  const file = ledgerFile(testInfo);
  if (!existsSync(file)) return;
  const totals = emptyTotals();
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) addCounts(totals, JSON.parse(line));
  // After a failed test Playwright continues in a new worker, whose afterAll prints the full line.
  const note = sawFailure ? ' (so far: a test failed in this worker; a later line, if any, covers the whole run)' : '';
  console.log(`\n${summaryLine(totals)}${note}\n${detailLine(totals)}`);
});

function ledgerFile(testInfo) {
  mkdirSync(testInfo.project.outputDir, { recursive: true });
  // One file per run: every worker of a run is a child of the same runner process.
  return path.join(testInfo.project.outputDir, `chaos-ledger-${process.ppid}.jsonl`);
}

// -------------------------------------------------------------------------------------------------
// The ledger

/**
 * Clicks Save for `decision` and tracks the save. `expected` is the end the test expects:
 * 'confirmed', 'rejected' or 'conflict'; 'either' for a save another tab may supersede.
 */
async function save(ui, decision, expected = 'confirmed', label = describeDecision(decision)) {
  const startIndex = (await saveStateLog(ui.page)).length - 1;
  const entry = { page: ui.page, ui, label, decision, expected, startIndex, keptMine: false, tookTheirs: false };
  ledger.push(entry);
  await expect(ui.saveButton).toBeEnabled();
  await ui.saveButton.click();
  return entry;
}

function describeDecision(d) {
  return [d.choice, ...(d.organs ?? []), d.note ? `note "${d.note}"` : ''].filter(Boolean).join(' ');
}

const VISIBLE_ENDS = new Set(['confirmed', 'rejected', 'conflict', 'queued']);

/** What each tracked save ended as, from the states its page showed and the server's history. */
async function settleLedger() {
  // `type`: the record kind, for the per-type line of e2e/chaos-summary.mjs.
  const counts = { ...emptyTotals(), tests: 1, type: RECORD };
  const history = await organDonationHistory();
  const current = await organDonationConsents();
  const lines = [];
  for (const [i, s] of ledger.entries()) {
    const log = await saveStateLog(s.page).catch(() => null);
    const next = ledger.slice(i + 1).find((t) => t.page === s.page);
    // The states this save showed: up to the next save on the page, or up to a reload that came after
    // it had settled (a reload continues a save only while it is unsent: saving or queued).
    const shown = [];
    for (const e of (log ?? []).slice(s.startIndex + 1, next ? next.startIndex + 1 : undefined)) {
      if (e.state === '(page load)') {
        if (shown.length > 0 && !['saving', 'queued'].includes(shown.at(-1))) break;
        continue;
      }
      shown.push(e.state);
    }
    const final = shown.at(-1) ?? '(nothing)';
    const onServer = history.some((c) => consentHoldsDecision(c, s.decision));
    const showedRefusal = shown.includes('rejected') || shown.includes('conflict');
    counts.attempted += 1;
    if (final === 'confirmed' && onServer) counts.confirmed += 1;
    if (s.expected === 'rejected' && final === 'rejected' && !onServer) counts.rejectedAsExpected += 1;
    // The same citizen's later save of the same record in another tab replaces an unsent earlier
    // one (one record per citizen; the newest request wins): superseded, not lost.
    const superseded =
      s.expected === 'either' &&
      ledger.slice(i + 1).some((t) => t.page !== s.page && history.some((c) => consentHoldsDecision(c, t.decision)));
    if (!onServer && !showedRefusal && !superseded) counts.lost += 1;
    const resolvedByChoice = s.tookTheirs && shown.includes('conflict');
    if (!VISIBLE_ENDS.has(final) && !resolvedByChoice) counts.silent += 1;
    if (final === 'queued' || final === 'saving') counts.unsettled += 1;
    if (shown.includes('conflict')) counts.conflictShown += 1;
    if (s.keptMine) counts.keptMine += 1;
    if (s.tookTheirs) counts.tookTheirs += 1;
    lines.push(
      `  save ${i + 1} (${s.label}): shown ${shown.join(' → ') || '(nothing)'}; on the server: ${onServer}` +
        (superseded && !onServer ? ' (superseded by a later save in another tab)' : ''),
    );
  }
  if (current.length > 1) counts.duplicated += 1;
  if (counts.lost + counts.duplicated + counts.silent > 0 || test.info().status !== test.info().expectedStatus) {
    console.log(`[${test.info().title}] ledger:\n${lines.join('\n')}\n  organ-donation Consents on the server: ${current.length}`);
  }
  if (lines.length > 0) {
    test.info().annotations.push({
      type: 'chaos-ledger',
      description: `${lines.join('\n')}\n  organ-donation Consents on the server: ${current.length}`,
    });
  }
  return counts;
}

// -------------------------------------------------------------------------------------------------
// Small tools

/** Exactly one organ-donation Consent holding `decision`; returns it. */
async function expectOneConsentHolding(decision, receipt) {
  const consents = await organDonationConsents();
  const listed = consents.map((c) => `${c.id} v${c.meta?.versionId} ${c.provision?.type}`).join('; ');
  expect(consents.length, `organ-donation Consents on the server (one record per citizen): ${listed}`).toBe(1);
  const [consent] = consents;
  expectOrganDonationConsentShape(consent);
  expect(consentHoldsDecision(consent, decision), `the server holds ${describeDecision(decision)}: ${JSON.stringify(consent.provision)}`).toBe(true);
  if (receipt) {
    expect(consent.id, 'the receipt names the stored resource').toBe(receipt.id);
    expect(consent.meta?.versionId, 'the receipt names the stored version').toBe(receipt.version);
  }
  return consent;
}

/**
 * Waits (real time, no page timers: they are fake in case 9) for the next save state after log index
 * `afterIndex` that ends an attempt, and reads the "Next automatic try at HH:MM:SS" it shows as an
 * instant on the page's clock and in its time zone: { index, state, text, now, nextTry }.
 */
async function nextRetryShown(page, afterIndex, timeoutMs = 30_000) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no end of an attempt after log index ${afterIndex} in ${timeoutMs} ms`)), timeoutMs);
  });
  const found = page.evaluate(
    (afterIndex) =>
      new Promise((resolve) => {
        const ENDS = ['queued', 'confirmed', 'rejected', 'conflict', 'draft'];
        const check = () => {
          const log = window.__tahtoSaveLog;
          for (let i = afterIndex + 1; i < log.length; i++) {
            if (!ENDS.includes(log[i].state)) continue;
            window.__tahtoSaveWaiters.delete(check);
            const now = Date.now();
            let nextTry = null;
            const m = /Next automatic try at (\d{2}):(\d{2}):(\d{2})/.exec(log[i].text);
            if (m) {
              const d = new Date(now);
              d.setHours(Number(m[1]), Number(m[2]), Number(m[3]), 0);
              nextTry = d.getTime();
              if (nextTry < now - 1_000) nextTry += 24 * 3_600_000; // past midnight
            }
            resolve({ index: i, state: log[i].state, text: log[i].text, now, nextTry });
            return true;
          }
          return false;
        };
        if (!check()) window.__tahtoSaveWaiters.add(check);
      }),
    afterIndex,
  );
  try {
    return await Promise.race([found, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// -------------------------------------------------------------------------------------------------

test.describe('chaos: the save contract under faults', () => {
  test('1 offline → online: queued "could not reach the service", then confirmed by the automatic retry, once', async ({ page, context }) => {
    const ui = await openOrganDonation(page);
    const decision = { choice: 'consent' };
    await ui.radio('consent').check();

    await context.setOffline(true);
    await save(ui, decision);
    await expectSaveState(ui, 'queued');
    await expect(ui.saveStatus).toContainText('Not saved yet');
    await expect(ui.saveStatus).toContainText('could not reach the service');
    await expect(ui.saveStatus).toContainText(/Next automatic try at \d{2}:\d{2}:\d{2}/);
    await expect(ui.retryNow).toBeVisible();
    await expect(ui.saveStatus).not.toContainText('Saved at');
    expect(await unsentKept(page, RECORD), 'the unsent save is kept on the device').not.toBeNull();
    expect(consentWrites(await sentSince(startSeq)), 'nothing reached the service while offline').toHaveLength(0);
    expect(await organDonationConsents()).toHaveLength(0);

    await context.setOffline(false);
    // No click: the app's own retry must get it through.
    await expectSaveState(ui, 'confirmed', AUTO_RETRY_TIMEOUT);
    const receipt = await expectConfirmed(ui, 1);
    await expect(ui.radio('consent')).toBeChecked();
    await expectOneConsentHolding(decision, receipt);
    const writes = expectSameIdempotentCreate(consentWrites(await sentSince(startSeq)));
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(await unsentKept(page, RECORD), 'nothing left unsent').toBeNull();
  });

  test('2 503 with Retry-After: 3 → queued "wait 3 s", the retry is not sent before 3 s, then confirmed automatically', async ({ page }) => {
    const ui = await openOrganDonation(page);
    const decision = { choice: 'refuse' };
    await setFaults({ ...POST_CONSENT, fault: 'status', status: 503, retryAfter: 3, times: 1 });
    await ui.radio('refuse').check();
    await save(ui, decision);

    await expectSaveState(ui, 'queued', 5_000);
    await expect(ui.saveStatus).toContainText('Not saved yet');
    await expect(ui.saveStatus).toContainText('(HTTP 503)');
    await expect(ui.saveStatus).toContainText('The service asked to wait 3 s');
    await expect(ui.saveStatus).toContainText(/Next automatic try at \d{2}:\d{2}:\d{2}/);
    expect(await organDonationConsents()).toHaveLength(0);

    await expectSaveState(ui, 'confirmed', AUTO_RETRY_TIMEOUT);
    const receipt = await expectConfirmed(ui, 1);
    await expectOneConsentHolding(decision, receipt);

    const writes = expectSameIdempotentCreate(consentWrites(await sentSince(startSeq)));
    expect(writes, 'the 503 and one retry').toHaveLength(2);
    expect(writes[0].fault).toBe('status');
    expect(writes[1].fault).toBeNull();
    const waited = Date.parse(writes[1].time) - Date.parse(writes[0].time);
    expect(waited, 'ms between the 503 and the retry (proxy clock): not before Retry-After').toBeGreaterThanOrEqual(3_000);
    // Retry-After is a floor plus the first backoff's jitter (0–2 s); allow 1 s for the round trips.
    expect(waited, 'ms between the 503 and the retry: Retry-After + at most the first jitter').toBeLessThanOrEqual(6_000);
  });

  test('3 connection dropped after the server committed → not saved yet, then confirmed as that one resource', async ({ page }) => {
    const ui = await openOrganDonation(page);
    const decision = { choice: 'refuse', note: 'Ei elinluovutusta.' };
    // Three lost answers, not one: a POST whose connection closes without an answer on a *reused*
    // keep-alive socket is resent by Chromium itself within milliseconds (measured: the resend
    // arrives ~15 ms later and the app only ever sees "saving → confirmed"). That resend is harmless
    // only because it carries the app's If-None-Exist. The app keeps several sockets open (it also
    // reads the notice), so a resend can land on another reused socket and be resent again; the
    // third loss reaches the app as a failure, which is what this case is about. With the
    // declarations bundle reading four pages at once there are more reused sockets still, so the
    // proxy drops six answers (Chromium was seen absorbing four): some reach the app. When none is
    // absorbed, the backoff over six failures may take a minute or more, so the wait is long.
    test.setTimeout(150_000);
    await setFaults({ ...POST_CONSENT, fault: 'dropAfterCommit', times: 6 });
    await ui.radio('refuse').check();
    await ui.note.fill(decision.note);
    const entry = await save(ui, decision);

    await expectSaveState(ui, 'confirmed', 120_000);
    const receipt = await expectConfirmed(ui, 1);
    const shown = await shownSince(entry);
    const queued = findShown(shown, 'queued', 'could not reach the service');
    expect(queued, `"Not saved yet" shown before the confirmation:\n    ${formatShown(shown)}`).toBeGreaterThanOrEqual(0);
    expect(findShown(shown, 'confirmed'), 'confirmed only after the not-saved state').toBeGreaterThan(queued);
    expect(shown.slice(0, queued).some((e) => e.state === 'confirmed'), 'never "saved" before the retry').toBe(false);

    const consent = await expectOneConsentHolding(decision, receipt);
    expect(consent.meta?.versionId, 'the retry found the committed create, wrote nothing new').toBe('1');
    const writes = expectSameIdempotentCreate(consentWrites(await sentSince(startSeq)));
    expect(writes.length, 'the create was retried').toBeGreaterThanOrEqual(7);
    expect(writes.slice(0, 6).every((w) => w.fault === 'dropAfterCommit')).toBe(true);
  });

  test('4 hung request → "answering slowly", queued "did not answer in time" at the 20 s limit, then confirmed automatically', async ({ page }) => {
    test.setTimeout(75_000);
    const ui = await openOrganDonation(page);
    const decision = { choice: 'consent' };
    await setFaults({ ...POST_CONSENT, fault: 'hang', times: 1 });
    await ui.radio('consent').check();
    const entry = await save(ui, decision);

    await expectSaveState(ui, 'saving', 2_000);
    await expect(ui.saveStatus).toContainText('the service is answering slowly', { timeout: 8_000 });
    await expect(ui.saveStatus).toHaveAttribute('data-state', 'saving');
    await expect(ui.saveStatus).not.toContainText('Saved at');

    await expectSaveState(ui, 'confirmed', 35_000);
    const receipt = await expectConfirmed(ui, 1);
    const shown = await shownSince(entry);
    const saving = findShown(shown, 'saving');
    const slow = findShown(shown, 'saving', 'answering slowly');
    const queued = findShown(shown, 'queued', 'did not answer in time');
    const why = `states shown:\n    ${formatShown(shown)}`;
    expect(saving, why).toBe(0);
    expect(slow, `the watchdog spoke before the time limit; ${why}`).toBeGreaterThan(saving);
    expect(queued, `queued "did not answer in time"; ${why}`).toBeGreaterThan(slow);
    expect(findShown(shown, 'confirmed'), why).toBeGreaterThan(queued);
    const slowAfter = shown[slow].at - shown[saving].at;
    expect(slowAfter, 'ms until "answering slowly"').toBeGreaterThanOrEqual(3_900);
    expect(slowAfter).toBeLessThan(6_000);
    const limit = shown[queued].at - shown[saving].at;
    expect(limit, 'ms until the request was given up (20 s limit)').toBeGreaterThanOrEqual(19_900);
    expect(limit).toBeLessThan(23_000);

    await expectOneConsentHolding(decision, receipt);
    const writes = expectSameIdempotentCreate(consentWrites(await sentSince(startSeq)));
    expect(writes, 'the hung create and its retry').toHaveLength(2);
    expect(writes[0].fault).toBe('hang');
  });

  test('5 truncated JSON answer to the create → queued "cut off or unreadable", then confirmed as the one resource', async ({ page }) => {
    const ui = await openOrganDonation(page);
    const decision = { choice: 'except', organs: ['Kidneys', 'Corneas'] };
    await setFaults({ ...POST_CONSENT, fault: 'truncate', times: 1 });
    await ui.radio('except').check();
    await ui.organ('Kidneys').check();
    await ui.organ('Corneas').check();
    const entry = await save(ui, decision);

    await expectSaveState(ui, 'confirmed', 20_000);
    const receipt = await expectConfirmed(ui, 1);
    const shown = await shownSince(entry);
    const queued = findShown(shown, 'queued', 'cut off or unreadable');
    expect(queued, `queued "cut off or unreadable":\n    ${formatShown(shown)}`).toBeGreaterThanOrEqual(0);
    expect(shown.slice(0, queued).some((e) => e.state === 'confirmed'), 'a cut-off answer is never "saved"').toBe(false);
    expect(findShown(shown, 'confirmed')).toBeGreaterThan(queued);

    const consent = await expectOneConsentHolding(decision, receipt);
    expect(consent.meta?.versionId, 'the retry was recognised by If-None-Exist').toBe('1');
    const writes = expectSameIdempotentCreate(consentWrites(await sentSince(startSeq)));
    expect(writes).toHaveLength(2);
    expect(writes[0].fault).toBe('truncate');
  });

  /** Saves "consent" as v1 in the app, then another device writes "except the liver" as v2. */
  async function decisionChangedElsewhere(page) {
    const ui = await openOrganDonation(page);
    await ui.radio('consent').check();
    await save(ui, { choice: 'consent' });
    const first = await expectConfirmed(ui, 1);
    const stored = await changeElsewhereToExceptLiver();
    expect(stored.meta.versionId).toBe('2');

    // The citizen, still looking at version 1, saves a refusal: the server answers 412.
    await ui.radio('refuse').check();
    const entry = await save(ui, { choice: 'refuse' }, 'conflict');
    await expectSaveState(ui, 'conflict');
    await expect(ui.saveStatus).toContainText('changed elsewhere');
    await expect(ui.saveStatus).not.toContainText('Saved at');
    const conflict = page.getByTestId('conflict');
    await expect(conflict).toBeVisible();
    await expect(page.getByTestId('conflict-mine')).toContainText(CHOICE.refuse);
    await expect(page.getByTestId('conflict-theirs')).toContainText('version 2');
    await expect(page.getByTestId('conflict-theirs')).toContainText(CHOICE.except);
    await expect(page.getByTestId('conflict-theirs')).toContainText('Liver');
    await expect(ui.radio('refuse'), 'the citizen\'s input is kept').toBeChecked();
    // A change of mind waits for the choice: a save now would wait behind the undecided one,
    // and hide the choice.
    await ui.radio('consent').check();
    await expect(ui.saveButton).toBeDisabled();
    await expect(conflict).toBeVisible();
    await expectSaveState(ui, 'conflict');
    await ui.radio('refuse').check();

    // Nothing was overwritten.
    const consents = await organDonationConsents();
    expect(consents).toHaveLength(1);
    expect(consents[0].id).toBe(first.id);
    expect(consents[0].meta?.versionId).toBe('2');
    expect(consentHoldsDecision(consents[0], { choice: 'except', organs: ['Liver'] })).toBe(true);
    const puts = consentWrites(await sentSince(startSeq)).filter((w) => w.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(String(puts[0].url)).toContain(`/Consent/${first.id}`);
    expect(header(puts[0], 'If-Match')).toBe('W/"1"');
    return { ui, entry, first };
  }

  test('6a 412 after another device changed the record → both versions shown; "Keep mine" stores mine as version 3', async ({ page }) => {
    const { ui, entry, first } = await decisionChangedElsewhere(page);
    entry.expected = 'confirmed';
    entry.keptMine = true;
    const before = await currentSentSeq();
    await page.getByRole('button', { name: 'Keep mine', exact: true }).click();

    const receipt = await expectConfirmed(ui, 3);
    expect(receipt.id).toBe(first.id);
    await expect(page.getByTestId('conflict')).toHaveCount(0);
    // Edited during the conflict and kept: nothing is left "not saved yet".
    await expect(ui.root.getByTestId('draft-actions')).toBeHidden();
    await expect(ui.radio('refuse')).toBeChecked();
    const consent = await expectOneConsentHolding({ choice: 'refuse' }, receipt);
    expect(consent.meta?.versionId).toBe('3');
    const puts = consentWrites(await sentSince(before));
    expect(puts, 'one write for "Keep mine"').toHaveLength(1);
    expect(puts[0].method).toBe('PUT');
    expect(header(puts[0], 'If-Match'), 'written on top of the other version').toBe('W/"2"');
  });

  test('6b 412 after another device changed the record → "Take the other version" shows theirs; server stays at version 2, nothing more sent', async ({ page }) => {
    const { ui, entry, first } = await decisionChangedElsewhere(page);
    entry.tookTheirs = true;
    const before = await currentSentSeq();
    await page.getByRole('button', { name: 'Take the other version', exact: true }).click();

    await expect(page.getByTestId('conflict')).toHaveCount(0);
    await expect(ui.radio('except')).toBeChecked();
    await expect(ui.organ('Liver')).toBeChecked();
    await expect(ui.organ('Kidneys')).not.toBeChecked();
    await expect(ui.radio('refuse')).not.toBeChecked();
    await expect(ui.summary).toContainText(CHOICE.except);
    await expect(ui.summary).toContainText('version 2');
    await expect(ui.saveStatus).not.toHaveAttribute('data-state', /^(saving|queued|conflict)$/);
    expect(await unsentKept(page, RECORD), 'my discarded version is not kept for resending').toBeNull();

    // Longer than the first automatic retry could wait (0–2 s): nothing is sent.
    await page.waitForTimeout(2_500);
    expect(consentWrites(await sentSince(before)), 'nothing sent after taking the other version').toHaveLength(0);
    // Not after a reload either (a kept request would be resent on load).
    await page.reload();
    await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
    await waitForDecisionLoaded(ui);
    await expect(ui.radio('except')).toBeChecked();
    await expect(ui.organ('Liver')).toBeChecked();
    await page.waitForTimeout(1_000);
    expect(consentWrites(await sentSince(before)), 'nothing sent after the reload').toHaveLength(0);

    const consents = await organDonationConsents();
    expect(consents).toHaveLength(1);
    expect(consents[0].id).toBe(first.id);
    expect(consents[0].meta?.versionId, 'the server still holds the other device\'s version').toBe('2');
    expect(consentHoldsDecision(consents[0], { choice: 'except', organs: ['Liver'] })).toBe(true);
  });

  test('7 reload while queued: the kept save is resent on load and confirmed after recovery without a click', async ({ page }) => {
    const ui = await openOrganDonation(page);
    const decision = { choice: 'refuse', note: 'Päätös tehty harkiten.' };
    await setFaults({ ...POST_CONSENT, fault: 'status', status: 503, times: null });
    await ui.radio('refuse').check();
    await ui.note.fill(decision.note);
    await save(ui, decision);
    await expectSaveState(ui, 'queued');
    await expect(ui.saveStatus).toContainText('(HTTP 503)');
    expect(await unsentKept(page, RECORD), 'the unsent save is kept before the reload').not.toBeNull();

    const beforeReload = await currentSentSeq();
    await page.reload();
    await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
    await expect(ui.summary).toBeVisible({ timeout: LOAD_TIMEOUT });
    // The kept request goes out again at once on load (and meets the same 503).
    await expect
      .poll(async () => consentWrites(await sentSince(beforeReload)).length, {
        message: 'the kept save is resent on load',
        timeout: 5_000,
      })
      .toBeGreaterThanOrEqual(1);
    await expect(ui.saveStatus).toHaveAttribute('data-state', /^(queued|saving)$/, { timeout: 10_000 });
    await expect(ui.radio('refuse'), 'the restored form shows the decision').toBeChecked();
    await expect(ui.note).toHaveValue(decision.note);
    await expect(ui.summary, 'the pending decision is shown as not yet recorded').toContainText(CHOICE.refuse);
    expect(await organDonationConsents()).toHaveLength(0);

    await clearFaults();
    await expectSaveState(ui, 'confirmed', 20_000);
    const receipt = await expectConfirmed(ui, 1);
    await expect(ui.radio('refuse')).toBeChecked();
    await expectOneConsentHolding(decision, receipt);
    expectSameIdempotentCreate(consentWrites(await sentSince(startSeq)));
    expect(await unsentKept(page, RECORD)).toBeNull();
  });

  test('8 two tabs save while the service returns 503 → after recovery every save is stored once, no duplicate record', async ({ page, context }) => {
    const a = await openOrganDonation(page);
    const pageB = await context.newPage();
    const b = await openOrganDonation(pageB);
    await setFaults({ ...POST_CONSENT, fault: 'status', status: 503, times: null });

    await a.radio('consent').check();
    await save(a, { choice: 'consent' }, 'either', 'tab A: consent');
    await expectSaveState(a, 'queued');
    await b.radio('refuse').check();
    await save(b, { choice: 'refuse' }, 'either', 'tab B: refuse');
    await expectSaveState(b, 'queued');
    expect(await organDonationConsents()).toHaveLength(0);

    await clearFaults();
    for (const [name, ui] of [['A', a], ['B', b]]) {
      await expect(ui.saveStatus, `tab ${name} settles`).toHaveAttribute('data-state', /^(confirmed|conflict)$/, {
        timeout: 20_000,
      });
    }
    // Let any follow-up (a read-back, a second write) finish before reading the server.
    await expect
      .poll(async () => [await a.saveStatus.getAttribute('data-state'), await b.saveStatus.getAttribute('data-state')].join(), {
        timeout: 5_000,
      })
      .toMatch(/^(confirmed|conflict),(confirmed|conflict)$/);

    const consents = await organDonationConsents();
    const writes = consentWrites(await sentSince(startSeq));
    const summary =
      `server holds ${consents.length} organ-donation Consent(s): ` +
      consents.map((c) => `${c.id} v${c.meta?.versionId} ${c.provision?.type} ${c.identifier?.[0]?.value}`).join('; ') +
      `\n  writes sent: ` +
      writes.map((w) => `#${w.seq} ${w.method} ${w.url} ${w.fault ?? 'ok'} ${parseBody(w)?.identifier?.[0]?.value}`).join('\n    ');
    expect.soft(consents.length, `one record per citizen, no duplicate: ${summary}`).toBe(1);
    const decisions = [{ choice: 'consent' }, { choice: 'refuse' }];
    for (const c of consents) {
      expect.soft(decisions.some((d) => consentHoldsDecision(c, d)), `${c.id} holds one of the two tabs' decisions`).toBe(true);
    }

    // Both tabs, reloaded, show what the server now holds (or their own confirmed save).
    expect(consents.length).toBeGreaterThanOrEqual(1);
    const latest = consents.reduce((x, y) => (Date.parse(x.meta.lastUpdated) >= Date.parse(y.meta.lastUpdated) ? x : y));
    const latestText = consentHoldsDecision(latest, { choice: 'refuse' }) ? CHOICE.refuse : CHOICE.consent;
    for (const [name, ui] of [['A', a], ['B', b]]) {
      await ui.page.reload();
      await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
      await waitForDecisionLoaded(ui);
      await expect.soft(ui.summary, `tab ${name} after reload shows the recorded decision`).toContainText(latestText);
      await expect.soft(ui.summary).toContainText(`version ${latest.meta.versionId}`);
    }
  });

  test('8b two tabs, one outbox: a save shows live in the other tab, an edit there joins the waiting save, and one tab sends at a time', async ({ page, context }) => {
    const a = await openOrganDonation(page);
    const pageB = await context.newPage();
    const b = await openOrganDonation(pageB);
    const badgeB = pageB.getByTestId('unsent-badge');
    await setFaults({ ...POST_CONSENT, fault: 'status', status: 503, times: null });

    await a.radio('consent').check();
    await save(a, { choice: 'consent' }, 'either', 'tab A: consent');
    await expectSaveState(a, 'queued');
    // Tab B did nothing: it shows the shared outbox as it changes, without a reload.
    await expectSaveState(b, 'queued');
    await expect(b.saveStatus).toContainText('(HTTP 503)');
    await expect(b.summary, 'tab B shows the pending decision of tab A').toContainText(CHOICE.consent);
    await expect(badgeB).toContainText('1');

    // An edit in tab B while the save waits replaces its content; it keeps its place and key.
    await b.radio('refuse').check();
    await save(b, { choice: 'refuse' }, 'confirmed', 'tab B: refuse');
    await expectSaveState(b, 'queued');
    await expect(a.summary, 'tab A now shows the newer pending decision').toContainText(CHOICE.refuse);
    const kept = await unsentKept(page, RECORD);
    expect(kept, 'one waiting save for the record, in IndexedDB').toHaveLength(1);
    expect(kept[0].resource.provision.type, 'holding the newest edit').toBe('deny');

    // Recovery, with every create slowed down so that two tabs sending at once would overlap.
    // The save has failed an unknown number of times by now, so the automatic retry may be up to
    // 2 s × 2^(n-1) away; both tabs press "Retry now" at once instead, which is also the sharpest
    // test of one tab sending at a time.
    await clearFaults();
    await setFaults({ ...POST_CONSENT, fault: 'delay', delayMs: 700, times: null });
    await Promise.all([retryNowIfWaiting(a), retryNowIfWaiting(b)]);
    await expectSaveState(a, 'confirmed', AUTO_RETRY_TIMEOUT);
    await expectSaveState(b, 'confirmed', AUTO_RETRY_TIMEOUT);
    const receipt = await expectConfirmed(b, 1);
    const receiptA = await expectConfirmed(a, 1);
    expect(receiptA.id, 'both tabs show the same stored record').toBe(receipt.id);
    await expectOneConsentHolding({ choice: 'refuse' }, receipt);
    expectSameIdempotentCreate(consentWrites(await sentSince(startSeq)));
    expect(await unsentKept(page, RECORD)).toBeNull();
    await expect(badgeB).toBeHidden();

    const writes = consentWrites(await sentSince(startSeq));
    expect(writes.filter((w) => w.fault === null || w.fault === 'delay'), 'stored by exactly one create').toHaveLength(1);
    const overlaps = [];
    for (let i = 1; i < writes.length; i++) {
      const before = writes[i - 1];
      if (before.done === null || Date.parse(writes[i].time) < Date.parse(before.done)) {
        overlaps.push(`#${writes[i].seq} started while #${before.seq} was unanswered`);
      }
    }
    expect(overlaps, `one tab sends at a time (${writes.length} writes)`).toEqual([]);
  });

  test('9 a 48-hour outage on a fake clock: retries stay capped at 5 min and far fewer than 30 s polling; confirmed after recovery', async ({ page }) => {
    // page.clock drives the app's timers: gloo-timers call the page's setTimeout/clearTimeout, which
    // the clock replaces, and js_sys::Date::now() reads the fake Date. The ~1,150 rounds take ~45 s:
    // every page.clock.runFor() also registers a context init script (Playwright replays clock calls
    // on new documents), so each call costs a little more than the last; plain checks inside the loop
    // instead of expect() keep the rest cheap.
    test.setTimeout(180_000);
    const HOUR = 3_600_000;
    const CAP = 5 * 60_000;
    await page.clock.install({ time: new Date('2026-06-01T09:00:00+03:00') });
    const ui = await openOrganDonation(page);
    const decision = { choice: 'refuse' };
    await ui.radio('refuse').check();
    await setFaults({ ...POST_CONSENT, fault: 'status', status: 503, times: null });
    // From now on only the test moves the app's clock.
    await page.clock.pauseAt(new Date((await page.evaluate(() => Date.now())) + 1_000));

    const entry = await save(ui, decision);
    const outageStart = await page.evaluate(() => Date.now());
    const firstSeq = startSeq;
    let index = entry.startIndex;
    const waits = [];
    let fakeNow = outageStart;
    // Each round: wait (real time) until the 503 has been shown as queued with its next try, then move
    // the clock to just past that next try, which fires exactly that retry (the watchdog, 4 s, and
    // the request limit, 20 s, of the new attempt stay in the future, so they do not fire).
    const problems = [];
    for (;;) {
      const q = await nextRetryShown(page, index);
      // Plain checks, asserted after the loop: an expect() per round would cost more than the round.
      if (q.state !== 'queued' || q.nextTry === null) {
        throw new Error(`round ${waits.length + 1}: expected queued with a next try, the page shows ${q.state}: ${q.text}`);
      }
      if (!q.text.includes('(HTTP 503)')) problems.push(`round ${waits.length + 1}: ${q.text}`);
      index = q.index;
      fakeNow = q.now;
      const wait = q.nextTry - q.now; // to the second shown, so up to 1 s short
      waits.push(wait);
      // Exponential backoff with full jitter: after n failed attempts the wait is at most 2 s · 2^(n-1), capped at 5 min.
      const ceiling = Math.min(2_000 * 2 ** Math.min(waits.length - 1, 30), CAP);
      if (wait > ceiling) problems.push(`round ${waits.length}: the next try is ${wait} ms away, over the ${ceiling} ms ceiling`);
      if (q.nextTry + 1_000 - outageStart > 48 * HOUR) break;
      await page.clock.runFor(q.nextTry + 1_000 - q.now);
    }
    expect(problems, 'every round: queued with the 503 shown, next try within the backoff ceiling (≤ 5 min)').toEqual([]);
    const duringOutage = consentWrites(await sentSince(firstSeq));
    const hours = (fakeNow - outageStart) / HOUR;
    console.log(
      `[48 h outage] ${duringOutage.length} requests in ${hours.toFixed(1)} fake hours; ` +
        `waits (s): first ${waits.slice(0, 8).map((w) => Math.round(w / 1000)).join(', ')} … ` +
        `max ${Math.round(Math.max(...waits) / 1000)}, mean ${Math.round(waits.reduce((x, y) => x + y, 0) / waits.length / 1000)}`,
    );
    expect(hours, 'the fake clock covered the outage').toBeGreaterThanOrEqual(47.9);
    expect(duringOutage.length, 'one request per round').toBe(waits.length);
    expect(duringOutage.length, 'far fewer requests than 30 s polling (5760 in 48 h)').toBeLessThan(48 * 60 * 2);
    expect(duringOutage.length, 'still retrying at least every 5 min').toBeGreaterThanOrEqual((48 * 60) / 5);
    expect(await organDonationConsents()).toHaveLength(0);
    await expect(ui.saveStatus).toHaveAttribute('data-state', 'queued');
    await expect(ui.radio('refuse')).toBeChecked();

    // The service recovers; 5 more minutes pass.
    await clearFaults();
    await page.clock.fastForward(CAP);
    await expectSaveState(ui, 'confirmed', 20_000);
    const receipt = await expectConfirmed(ui, 1);
    await expectOneConsentHolding(decision, receipt);
    expectSameIdempotentCreate(consentWrites(await sentSince(startSeq)));
  });

  test('10 400 with an OperationOutcome → rejected with the server\'s words, input kept, nothing stored, not retried', async ({ page }) => {
    const ui = await openOrganDonation(page);
    const decision = { choice: 'except', organs: ['Lungs'], note: 'Keuhkoja ei saa luovuttaa.' };
    await refuseNextConsentPost('Suostumuksen potilasviite puuttuu');
    await ui.radio('except').check();
    await ui.organ('Lungs').check();
    await ui.note.fill(decision.note);
    const entry = await save(ui, decision, 'rejected');

    await expectSaveState(ui, 'rejected');
    await expect(ui.saveStatus).toContainText('The service did not accept');
    await expect(ui.saveStatus).toContainText('Suostumuksen potilasviite puuttuu');
    await expect(ui.saveStatus).not.toContainText('Saved at');
    await expect(ui.retryNow).toHaveCount(0);
    await expect(ui.radio('except')).toBeChecked();
    await expect(ui.organ('Lungs')).toBeChecked();
    await expect(ui.note).toHaveValue(decision.note);
    await expect(ui.summary).toContainText('You have not recorded a decision.');

    // Longer than any first automatic retry (0–2 s): a refusal is not retried.
    await page.waitForTimeout(2_500);
    const writes = consentWrites(await sentSince(startSeq));
    expect(writes, 'one attempt, not retried').toHaveLength(1);
    expect(writes[0].fault).toBe('status');
    expect(await organDonationConsents(), 'nothing stored').toHaveLength(0);
    expect(await unsentKept(page, RECORD), 'a refused save is not resent on the next visit').toBeNull();
    const shown = await shownSince(entry);
    expect(shown.map((e) => e.state), formatShown(shown)).toEqual(['saving', 'rejected']);
  });
});
