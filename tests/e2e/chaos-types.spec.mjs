// The chaos suite over every write type (issue 9, item 9): the organ donation decision, the advance
// directive, the living will, the notice read-confirmation, a disclosure consent, a disclosure
// refusal of a visit, a prescription renewal request and an own measurement. Each goes through the
// same three faults, generated from one table:
//   (a) the answer to the first write is lost after the server committed it (dropAfterCommit);
//   (b) the service fails twice (503 with Retry-After, then 500) and then recovers;
//   (c) the service fails until cleared, and the page is reloaded while the save is queued.
// Nothing the app sends is mocked: the app talks to the fault proxy, the proxy to the real FHIR
// server, and every case checks what the citizen saw (every save state the item showed, recorded by
// a MutationObserver) and what the server holds (read directly, not through the proxy): exactly one
// resource, holding the citizen's content, with the id and version the receipt names.
//
//   cd tests && npx playwright test e2e/chaos-types.spec.mjs
//
// Each test attaches a "chaos-ledger" like chaos.spec.mjs (same fields, plus `type`: the record
// kind, as in src/save/record.rs `Record::key`), which e2e/chaos-summary.mjs sums into the chaos
// line and the per-type line "chaos by write type: organ-donation 9/9, …".
import { test, expect } from '@playwright/test';
import {
  CHOICE,
  LOAD_TIMEOUT,
  NOTICE_URL,
  PATIENT_ID,
  SNOMED,
  clearFaults,
  confirmNoticeOnServer,
  consentHoldsDecision,
  currentSentSeq,
  deepContainsText,
  expectConfirmed,
  expectValidSendsAndNoBrowserErrors,
  fhirGet,
  fhirSearch,
  gotoSection,
  hasCoding,
  noticeConfirmations,
  organDonationConsents,
  recordSaveStates,
  resetServer,
  saveStateLog,
  sentSince,
  setFaults,
  setKeepAlive,
  watchBrowserErrors,
  describeWrites,
  expectSameIdempotentCreate,
  findShown,
  formatShown,
  shownSince,
  unsentKept,
} from './helpers.mjs';
import { emptyTotals } from './chaos-summary.mjs';

/** The automatic retries after a fault is gone (backoff with full jitter: a few seconds here). */
const AUTO_RETRY_TIMEOUT = 20_000;

const section = (page, key) => page.locator(`[data-section="${key}"]`);
const byRole = (root, role, name) => root.getByRole(role, { name, exact: true });

/** Text of a DocumentReference's first attachment, decoded. */
function attachmentText(doc) {
  const data = doc?.content?.[0]?.attachment?.data;
  return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}

// -------------------------------------------------------------------------------------------------
// The write types. Each one:
//   type      the record kind (src/save/record.rs `Record::key`, before any "/")
//   record    the outbox key of the item saved here (for the IndexedDB check)
//   path      the resource path its create is POSTed to (where faults are set)
//   target    the item whose save status is recorded (helpers.mjs `recordSaveStates`)
//   title     the section's name in the navigation
//   notice    the notice must be confirmed on the server first (every declaration)
//   item      the item on the page: its [data-testid=save-status] is the save's state
//   ready     waits until the page has loaded what it shows (also after a reload)
//   act       the citizen's action: one save
//   stored    what the server holds of this type for the citizen (current versions)
//   holds     true when a stored resource holds what the citizen entered
// -------------------------------------------------------------------------------------------------

const OD_NOTE = 'Päätös tehty harkiten (kaaos).';
const AD_NOTE = 'Haluan kuulla musiikkia loppuun asti.';
const LW_TEXT = 'En halua pitkittää elämääni koneiden avulla. Kaaostesti.';
const VISIT = 'Vuositarkastus';
const VISIT_REF = 'Encounter/enc-2026-09-08';
const RX_NAME = 'Atorvastatin 20 mg';
const RX_ID = 'rx-atorvastatin-2025';

const disclosureConsents = () => fhirSearch('Consent', `patient=Patient/${PATIENT_ID}&category=http://loinc.org|59284-0&_count=100`);
const isPrivacy = (c) => hasCoding(c.scope, 'http://terminology.hl7.org/CodeSystem/consentscope', 'patient-privacy');

const TYPES = [
  {
    type: 'organ-donation',
    record: 'organ-donation',
    path: '/Consent',
    target: { item: '[data-section="organ-donation"]' },
    title: 'Organ donation decision',
    notice: true,
    item: (page) => section(page, 'organ-donation'),
    ready: async (page) => {
      const summary = section(page, 'organ-donation').getByTestId('current-decision');
      await expect(summary).toBeVisible({ timeout: LOAD_TIMEOUT });
      await expect(summary).not.toContainText('Loading', { timeout: LOAD_TIMEOUT });
    },
    act: async (page) => {
      const s = section(page, 'organ-donation');
      await byRole(s, 'radio', CHOICE.refuse).check();
      await s.getByLabel('Additional note (optional)', { exact: true }).fill(OD_NOTE);
      await byRole(s, 'button', 'Save decision').click();
    },
    stored: () => organDonationConsents(),
    holds: (c) => consentHoldsDecision(c, { choice: 'refuse', note: OD_NOTE }),
  },
  {
    type: 'advance-directive',
    record: 'advance-directive',
    path: '/Consent',
    target: { item: '[data-section="advance-directive"]' },
    title: 'Advance directive',
    notice: true,
    item: (page) => section(page, 'advance-directive'),
    ready: async (page) => {
      const current = section(page, 'advance-directive').getByTestId('advance-directive-current');
      await expect(current).toBeVisible({ timeout: LOAD_TIMEOUT });
      await expect(current).not.toContainText('Fetching', { timeout: LOAD_TIMEOUT });
    },
    act: async (page) => {
      const s = section(page, 'advance-directive');
      await byRole(s.getByRole('group', { name: 'Resuscitation' }), 'radio', 'I do not want it').check();
      await s.getByLabel('Other wishes (optional)').fill(AD_NOTE);
      await byRole(s, 'button', 'Save advance directive').click();
    },
    stored: () =>
      fhirSearch('Consent', `patient=Patient/${PATIENT_ID}&category=http://terminology.hl7.org/CodeSystem/consentcategorycodes|acd&_count=100`),
    holds: (c) =>
      c.status === 'active' &&
      (c.provision?.provision ?? []).some((p) => p.type === 'deny' && hasCoding(p.action ?? [], SNOMED, '89666000')) &&
      deepContainsText(c, AD_NOTE),
  },
  {
    type: 'living-will',
    record: 'living-will',
    path: '/DocumentReference',
    target: { item: '[data-section="living-will"]' },
    title: 'Living will',
    notice: true,
    item: (page) => section(page, 'living-will'),
    ready: async (page) => {
      const current = section(page, 'living-will').getByTestId('living-will-current');
      await expect(current).toBeVisible({ timeout: LOAD_TIMEOUT });
      await expect(current).not.toContainText('Loading', { timeout: LOAD_TIMEOUT });
    },
    act: async (page) => {
      const s = section(page, 'living-will');
      await s.getByLabel('Your living will').fill(LW_TEXT);
      await byRole(s, 'button', 'Save living will').click();
    },
    stored: () => fhirSearch('DocumentReference', `patient=Patient/${PATIENT_ID}&type=http://loinc.org|86533-7&_count=100`),
    holds: (d) => attachmentText(d) === LW_TEXT,
  },
  {
    type: 'notice',
    record: 'notice/',
    path: '/Consent',
    // The notice is in the first load, not in a section of a lazily loaded bundle.
    target: { item: 'article[aria-labelledby="tahto-notice-title"]' },
    title: 'Information about the Kanta services',
    notice: false,
    item: (page) => page.locator('article[aria-labelledby="tahto-notice-title"]'),
    ready: async (page) => {
      await expect(page.locator('article[aria-labelledby="tahto-notice-title"]').getByTestId('notice')).toBeVisible({ timeout: LOAD_TIMEOUT });
    },
    act: async (page) => {
      await byRole(page.locator('article[aria-labelledby="tahto-notice-title"]'), 'button', 'I have read the information').click();
    },
    stored: () => noticeConfirmations(),
    holds: (c) => c.status === 'active' && (c.policy ?? []).some((p) => p.uri === NOTICE_URL),
  },
  {
    type: 'disclosure-consent',
    record: 'disclosure-consent',
    path: '/Consent',
    target: { item: '[data-section="disclosures"] [data-testid="disclosure"]' },
    title: 'Disclosure consents and refusals',
    notice: true,
    item: (page) => section(page, 'disclosures').getByTestId('disclosure').first(),
    ready: async (page) => {
      await expect(section(page, 'disclosures').getByTestId('disclosure').first()).toBeVisible({ timeout: LOAD_TIMEOUT });
    },
    act: async (page) => {
      await byRole(section(page, 'disclosures').getByTestId('disclosure').first(), 'button', 'Give consent').click();
    },
    stored: async () => (await disclosureConsents()).filter((c) => isPrivacy(c) && !c.provision?.data),
    holds: (c) => c.status === 'active' && c.provision?.type === 'permit' && !c.provision?.data,
  },
  {
    type: 'disclosure-refusal',
    record: `disclosure-refusal/${VISIT_REF}`,
    path: '/Consent',
    target: { item: '[data-section="disclosures"] [data-testid="refusal-visits"] [data-testid="disclosure"]', hasText: VISIT },
    title: 'Disclosure consents and refusals',
    notice: true,
    item: (page) => section(page, 'disclosures').getByTestId('refusal-visits').getByTestId('disclosure').filter({ hasText: VISIT }),
    ready: async (page) => {
      const visit = section(page, 'disclosures').getByTestId('refusal-visits').getByTestId('disclosure').filter({ hasText: VISIT });
      await expect(visit).toBeVisible({ timeout: LOAD_TIMEOUT });
    },
    act: async (page) => {
      const visit = section(page, 'disclosures').getByTestId('refusal-visits').getByTestId('disclosure').filter({ hasText: VISIT });
      await byRole(visit, 'button', 'Refuse disclosure of this visit').click();
    },
    stored: async () => (await disclosureConsents()).filter((c) => isPrivacy(c) && c.provision?.data),
    holds: (c) =>
      c.status === 'active' && c.provision?.type === 'deny' && c.provision?.data?.[0]?.reference?.reference === VISIT_REF,
  },
  {
    type: 'renewal',
    record: `renewal/${RX_ID}`,
    path: '/Task',
    target: { item: '[data-section="prescriptions"] [data-testid="prescriptions-active"] [data-testid="prescription"]', hasText: RX_NAME },
    title: 'Prescriptions',
    notice: false,
    item: (page) => section(page, 'prescriptions').getByTestId('prescriptions-active').getByTestId('prescription').filter({ hasText: RX_NAME }),
    ready: async (page) => {
      const rx = section(page, 'prescriptions').getByTestId('prescriptions-active').getByTestId('prescription').filter({ hasText: RX_NAME });
      await expect(rx).toBeVisible({ timeout: LOAD_TIMEOUT });
    },
    act: async (page) => {
      const rx = section(page, 'prescriptions').getByTestId('prescriptions-active').getByTestId('prescription').filter({ hasText: RX_NAME });
      await byRole(rx, 'button', 'Ask for renewal').click();
    },
    stored: () => fhirSearch('Task', `patient=Patient/${PATIENT_ID}&code=${SNOMED}|103742009&_count=100`),
    holds: (t) => t.status === 'requested' && t.focus?.reference === `MedicationRequest/${RX_ID}` && t.for?.reference === `Patient/${PATIENT_ID}`,
  },
  {
    type: 'measurement',
    record: 'measurement/',
    path: '/Observation',
    target: { item: '[data-section="measurements"] form' },
    title: 'My measurements',
    notice: false,
    item: (page) => section(page, 'measurements').locator('form'),
    ready: async (page) => {
      await expect(section(page, 'measurements').getByRole('button', { name: 'Save measurement' })).toBeVisible({ timeout: LOAD_TIMEOUT });
    },
    act: async (page) => {
      const m = section(page, 'measurements');
      await m.getByRole('radio', { name: 'Weight' }).check();
      await m.getByLabel('Weight (kg)').fill('72,5');
      await m.getByRole('button', { name: 'Save measurement' }).click();
    },
    stored: () => fhirSearch('Observation', `patient=Patient/${PATIENT_ID}&category=vital-signs&_count=100`),
    holds: (o) => o.valueQuantity?.value === 72.5 && o.valueQuantity?.code === 'kg' && o.code?.coding?.[0]?.code === '29463-7',
  },
];

// -------------------------------------------------------------------------------------------------
// Per test: a fresh server, no faults, browser errors collected, the item's save states recorded.

let startSeq = 0;
let browserProblems = [];
/** The type under test and its saves: { page, label, startIndex }. */
let current = null;
let ledger = [];

test.afterEach(async ({}, testInfo) => {
  await clearFaults().catch(() => {});
  // Settle the ledger first: it must be counted whether or not the test passed.
  if (current) {
    let counts = null;
    try {
      counts = await settleLedger(current);
    } catch (err) {
      console.log(`[${testInfo.title}] could not settle the chaos ledger: ${err?.stack ?? err}`);
    }
    if (counts) await testInfo.attach('chaos-ledger', { body: JSON.stringify(counts), contentType: 'application/json' });
    current = null;
  }
  await expectValidSendsAndNoBrowserErrors(testInfo, startSeq, browserProblems);
});

async function begin(t, context) {
  await resetServer();
  await clearFaults();
  startSeq = await currentSentSeq();
  browserProblems = watchBrowserErrors(context);
  await recordSaveStates(context, t.target);
  current = t;
  ledger = [];
}

/** Opens the type's page in a fresh tab and waits until it has loaded. */
async function open(t, page) {
  if (t.notice) await confirmNoticeOnServer();
  await gotoSection(page, t.title);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.title, { timeout: LOAD_TIMEOUT });
  await t.ready(page);
  const status = t.item(page).getByTestId('save-status');
  return { page, saveStatus: status, receipt: status.getByTestId('receipt') };
}

/** The citizen's one save, tracked in the ledger. */
async function save(t, ui) {
  const startIndex = (await saveStateLog(ui.page)).length - 1;
  const entry = { page: ui.page, label: t.type, startIndex };
  ledger.push(entry);
  await t.act(ui.page);
  return entry;
}

// -------------------------------------------------------------------------------------------------
// The ledger (as in chaos.spec.mjs)

const VISIBLE_ENDS = new Set(['confirmed', 'rejected', 'conflict', 'queued']);

/** Every stored version of the given resources (from _history). */
async function historyOf(resources) {
  const versions = [];
  for (const r of resources) {
    const bundle = await fhirGet(`/${r.resourceType}/${encodeURIComponent(r.id)}/_history?_count=1000`);
    versions.push(...(bundle?.entry ?? []).map((e) => e.resource).filter(Boolean));
  }
  return versions;
}

/** The states a tracked save showed, up to the next save or a reload after it had settled. */
function statesOf(log, s, next) {
  const shown = [];
  for (const e of (log ?? []).slice(s.startIndex + 1, next ? next.startIndex + 1 : undefined)) {
    if (e.state === '(page load)') {
      if (shown.length > 0 && !['saving', 'queued'].includes(shown.at(-1))) break;
      continue;
    }
    shown.push(e.state);
  }
  return shown;
}

async function settleLedger(t) {
  const counts = { ...emptyTotals(), tests: 1, type: t.type };
  const stored = await t.stored();
  const history = await historyOf(stored);
  const lines = [];
  for (const [i, s] of ledger.entries()) {
    const log = await saveStateLog(s.page).catch(() => null);
    const next = ledger.slice(i + 1).find((x) => x.page === s.page);
    const shown = statesOf(log, s, next);
    const final = shown.at(-1) ?? '(nothing)';
    const onServer = history.some((r) => t.holds(r));
    const showedRefusal = shown.includes('rejected') || shown.includes('conflict');
    counts.attempted += 1;
    if (final === 'confirmed' && onServer) counts.confirmed += 1;
    if (!onServer && !showedRefusal) counts.lost += 1;
    if (!VISIBLE_ENDS.has(final)) counts.silent += 1;
    if (final === 'queued' || final === 'saving') counts.unsettled += 1;
    if (shown.includes('conflict')) counts.conflictShown += 1;
    lines.push(`  save ${i + 1} (${s.label}): shown ${shown.join(' → ') || '(nothing)'}; on the server: ${onServer}`);
  }
  if (stored.length > 1) counts.duplicated += 1;
  const held = `  ${t.type} resources on the server: ${stored.length}`;
  if (counts.lost + counts.duplicated + counts.silent > 0 || test.info().status !== test.info().expectedStatus) {
    console.log(`[${test.info().title}] ledger:\n${lines.join('\n')}\n${held}`);
  }
  if (lines.length > 0) test.info().annotations.push({ type: 'chaos-ledger', description: `${lines.join('\n')}\n${held}` });
  return counts;
}

// -------------------------------------------------------------------------------------------------
// Checks

/** Creates and updates of the type's resource the app sent since the test began. */
function writesTo(t, entries) {
  return entries.filter((e) => {
    const p = String(e.url).replace(/^https?:\/\/[^/]+/, '').split('?')[0];
    return (p.endsWith(t.path) || p.includes(`${t.path}/`)) && (e.method === 'POST' || e.method === 'PUT');
  });
}

/** The server holds exactly one resource of the type, with the citizen's content, as the receipt says. */
async function expectOneHeld(t, receipt) {
  const stored = await t.stored();
  const listed = stored.map((r) => `${r.resourceType}/${r.id} v${r.meta?.versionId}`).join('; ');
  expect(stored.length, `${t.type} resources on the server (no duplicate from a retry): ${listed}`).toBe(1);
  const [r] = stored;
  expect(t.holds(r), `the server holds what the citizen entered: ${JSON.stringify(r).slice(0, 600)}`).toBe(true);
  expect(r.id, 'the receipt names the stored resource').toBe(receipt.id);
  expect(r.meta?.versionId, 'the receipt names the stored version').toBe(receipt.version);
  return r;
}

// -------------------------------------------------------------------------------------------------

for (const t of TYPES) {
  test.describe(`chaos by write type: ${t.type}`, () => {
    test.beforeEach(async ({ context }) => begin(t, context));

    test(`${t.type} (a) answer lost after the server committed → not saved yet, then confirmed as that one resource`, async ({ page }) => {
      // Chromium resends a request by itself when a reused keep-alive connection closes without an
      // answer, as often as it has idle connections (measured: three lost answers in a row were all
      // absorbed, and the app only saw "saving → confirmed"). Without keep-alive every request
      // travels on a fresh connection, so the one lost answer reaches the app.
      await setKeepAlive(false);
      const ui = await open(t, page);
      await setFaults({ method: 'POST', path: t.path, fault: 'dropAfterCommit', times: 1 });
      const entry = await save(t, ui);

      await expect(ui.saveStatus).toHaveAttribute('data-state', 'confirmed', { timeout: AUTO_RETRY_TIMEOUT });
      const receipt = await expectConfirmed(ui, 1);
      const shown = await shownSince(entry);
      const why = `states shown:\n    ${formatShown(shown)}\n  writes:\n    ${describeWrites(writesTo(t, await sentSince(startSeq)))}`;
      const queued = findShown(shown, 'queued', 'could not reach the service');
      expect(queued, `"Not saved yet" shown before the confirmation; ${why}`).toBeGreaterThanOrEqual(0);
      expect(shown.slice(0, queued).some((e) => e.state === 'confirmed'), `never "saved" before the retry; ${why}`).toBe(false);
      expect(findShown(shown, 'confirmed'), why).toBeGreaterThan(queued);

      const stored = await expectOneHeld(t, receipt);
      expect(stored.meta?.versionId, 'the retry found the committed create and wrote nothing new').toBe('1');
      const writes = expectSameIdempotentCreate(writesTo(t, await sentSince(startSeq)));
      expect(writes.map((w) => w.fault), `the lost create, then its retry:\n    ${describeWrites(writes)}`).toEqual(['dropAfterCommit', null]);
      expect(await unsentKept(page, t.record), 'nothing left unsent').toBeNull();
    });

    test(`${t.type} (b) 503 then 500 → queued with the reason, then confirmed automatically, once`, async ({ page }) => {
      const ui = await open(t, page);
      // Retry-After keeps the first queued state up long enough to be read live.
      await setFaults(
        { method: 'POST', path: t.path, fault: 'status', status: 503, retryAfter: 2, times: 1 },
        { method: 'POST', path: t.path, fault: 'status', status: 500, times: 1 },
      );
      const entry = await save(t, ui);

      await expect(ui.saveStatus).toHaveAttribute('data-state', 'queued', { timeout: 5_000 });
      await expect(ui.saveStatus).toContainText('Not saved yet');
      await expect(ui.saveStatus).toContainText('(HTTP 503)');
      await expect(ui.saveStatus).toContainText(/Next automatic try at \d{2}:\d{2}:\d{2}/);
      await expect(ui.saveStatus).not.toContainText('Saved at');
      await expect(byRole(ui.saveStatus, 'button', 'Retry now')).toBeVisible();
      expect(await t.stored(), 'nothing stored yet').toHaveLength(0);

      // No click: the app's own retries get it through.
      await expect(ui.saveStatus).toHaveAttribute('data-state', 'confirmed', { timeout: AUTO_RETRY_TIMEOUT });
      const receipt = await expectConfirmed(ui, 1);
      const shown = await shownSince(entry);
      const why = `states shown:\n    ${formatShown(shown)}`;
      const q503 = findShown(shown, 'queued', '(HTTP 503)');
      const q500 = findShown(shown, 'queued', '(HTTP 500)');
      expect(q503, `queued "(HTTP 503)"; ${why}`).toBeGreaterThanOrEqual(0);
      expect(q500, `then queued "(HTTP 500)"; ${why}`).toBeGreaterThan(q503);
      expect(findShown(shown, 'confirmed'), `confirmed only after both failures; ${why}`).toBeGreaterThan(q500);
      expect(shown.at(-1).state, why).toBe('confirmed');

      await expectOneHeld(t, receipt);
      const writes = expectSameIdempotentCreate(writesTo(t, await sentSince(startSeq)));
      expect(writes.map((w) => w.fault), `two failures and one retry that got through:\n    ${describeWrites(writes)}`).toEqual(['status', 'status', null]);
      expect(await unsentKept(page, t.record), 'nothing left unsent').toBeNull();
    });

    test(`${t.type} (c) reload while queued → still queued after the reload (kept in IndexedDB), confirmed after recovery without a click`, async ({ page }) => {
      const ui = await open(t, page);
      await setFaults({ method: 'POST', path: t.path, fault: 'status', status: 503, times: null });
      await save(t, ui);
      await expect(ui.saveStatus).toHaveAttribute('data-state', 'queued', { timeout: 10_000 });
      await expect(ui.saveStatus).toContainText('(HTTP 503)');
      expect(await unsentKept(page, t.record), 'the unsent save is kept on the device before the reload').not.toBeNull();

      const beforeReload = await currentSentSeq();
      await page.reload();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.title, { timeout: LOAD_TIMEOUT });
      await t.ready(page);
      // The kept save is sent again at once (meeting the same 503)…
      await expect
        .poll(async () => writesTo(t, await sentSince(beforeReload)).length, { message: 'the kept save is resent after the reload', timeout: 10_000 })
        .toBeGreaterThanOrEqual(1);
      expect(await unsentKept(page, t.record), 'still kept after the reload').not.toBeNull();
      expect(await t.stored(), 'nothing stored yet').toHaveLength(0);
      // …and shown on its item as not saved yet. Soft: when the page does not show it, the test
      // still goes on to the recovery, so that the ledger and the report say how the save ended.
      await expect.soft(ui.saveStatus, 'the kept save shows its state on its item after the reload').toHaveAttribute('data-state', 'queued', { timeout: 10_000 });
      await expect.soft(ui.saveStatus).toContainText('(HTTP 503)', { timeout: 1_000 });

      await clearFaults();
      await expect
        .poll(async () => (await t.stored()).length, { message: 'stored after the recovery, without a click', timeout: AUTO_RETRY_TIMEOUT })
        .toBe(1);
      await expect(ui.saveStatus, 'the save ends confirmed on its item, without a click').toHaveAttribute('data-state', 'confirmed', { timeout: 10_000 });
      const receipt = await expectConfirmed(ui, 1);
      await expectOneHeld(t, receipt);
      expectSameIdempotentCreate(writesTo(t, await sentSince(startSeq)));
      expect(await unsentKept(page, t.record), 'nothing left unsent').toBeNull();
    });
  });
}
