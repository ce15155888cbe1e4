// Writes go only where they belong (issue 9, item 6), end to end through the real FHIR server behind
// the fault proxy, in Chromium with its real IndexedDB. Whatever the outbox holds — written there by
// a bug, an older or newer version, another person on the same browser, or by hand — Tahto sends a
// stored entry only to its configured FHIR base, only as a resource type it writes, to a path whose
// segments are FHIR ids (percent-encoded), and only for the person and backend that own it:
// - entries of a resource type Tahto never writes (`Patient`), and updates whose id is a path
//   traversal or a smuggled query, are ended as not sendable without any request, and the citizen
//   sees that end, in words that do not blame the service, on the item and on the home page;
// - entries owned by another person, or by the same person on another backend, are neither sent nor
//   shown nor removed: they stay as stored, for their owner;
// - the citizen's own queued save among them is still sent, once, and confirmed.
// The entries are planted in the very format the app stores (read back from a real queued save) and
// every request the browser made is checked, as well as the server's data. The second test: an entry
// of hers for a record this version does not know (a newer version's, say) is not sent and left as
// stored, for the version that knows it.
import { test, expect } from '@playwright/test';
import {
  APP_URL,
  FHIR_BASE,
  FHIR_BASE_VIA_PROXY,
  LOAD_TIMEOUT,
  PATIENT_ID,
  PROXY_ORIGIN,
  SAVE_TIMEOUT,
  SECOND_PATIENT_ID,
  clearFaults,
  consentHoldsDecision,
  currentSentSeq,
  expectConfirmed,
  expectOrganDonationConsentShape,
  fhirGet,
  freshServerPerTest,
  navTo,
  openOrganDonation,
  organDonationConsents,
  outboxEntries,
  parseBody,
  sentSince,
  setFaults,
  watchBrowserErrors,
} from './helpers.mjs';
import { seedResources } from '../fhir-server/seed.mjs';

freshServerPerTest(test);

/** The resource types Tahto writes (src/fhir/write.rs `WRITTEN_TYPES`). */
const WRITTEN_TYPES = ['Consent', 'DocumentReference', 'Task', 'Observation'];
/** A write Tahto may send: a create of a written type, or an update of one at a FHIR id. */
const WRITE_PATH = new RegExp(`^/fhir/R4/(${WRITTEN_TYPES.join('|')})(/[A-Za-z0-9.-]{1,64})?$`);

/**
 * The owner tag of one person on one backend, as `Citizen::tag` computes it (src/save/record.rs):
 * FNV-1a, 64 bit, of `<base>\n<patient>`, as 16 hex digits.
 */
function ownerTag(fhirBase, patientId) {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(`${fhirBase}\n${patientId}`)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * Stores `entries` in the page's real IndexedDB outbox as the app does (src/save/store.rs: database
 * `tahto`, store `outbox`, each entry as JSON text under its id).
 */
function plantOutboxEntries(page, entries) {
  return page.evaluate(async (entries) => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('tahto');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      const tx = db.transaction('outbox', 'readwrite');
      for (const entry of entries) tx.objectStore('outbox').put(JSON.stringify(entry), entry.id);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }, entries);
}

/**
 * Every request the pages of `context` make, any method, in order, but for the app's own files:
 * whatever goes anywhere but the app's origin, and anything under `/fhir` wherever it goes. The
 * proxy logs only writes; the browser sees reads and deletes too.
 */
function recordFhirRequests(context) {
  const app = new URL(APP_URL).origin;
  const requests = [];
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === app && !url.pathname.startsWith('/fhir')) return;
    requests.push({ method: request.method(), url: request.url(), origin: url.origin, path: url.pathname, query: url.search });
  });
  return requests;
}

/**
 * What the server holds, resource by resource: the current version of every seeded resource (or
 * its HTTP status when it cannot be read) and every version in each type's history.
 */
async function serverSnapshot() {
  const types = [...new Set([...seedResources().map((r) => r.resourceType), ...WRITTEN_TYPES])].sort();
  const current = {};
  for (const r of seedResources()) {
    const res = await fetch(`${FHIR_BASE}/${r.resourceType}/${encodeURIComponent(r.id)}`);
    current[`${r.resourceType}/${r.id}`] = res.ok ? await res.json() : `HTTP ${res.status}`;
  }
  const history = {};
  for (const type of types) {
    const bundle = await fhirGet(`/${type}/_history?_count=10000`);
    history[type] = (bundle?.entry ?? [])
      .map((e) => e.resource)
      .filter(Boolean)
      .map((r) => `${r.resourceType}/${r.id}/_history/${r.meta?.versionId}`)
      .sort();
  }
  return { current, history };
}

const uuid = () => `urn:uuid:${crypto.randomUUID()}`;

/** A copy of the stored entry `template` (as the app wrote it) with `changes`: due now, never tried. */
function plantedFrom(template, changes) {
  const entry = structuredClone(template);
  delete entry.failure;
  delete entry.sending;
  delete entry.after;
  delete entry.theirs;
  Object.assign(entry, { id: uuid(), attempts: 0, log: [], earlier: [], next: 0, created: Date.now() }, changes);
  return entry;
}

/**
 * A real save of the organ donation decision ("refuse"), queued: the service refuses writes with
 * a 503 and an hour's Retry-After. Returns its stored entry (the template of the format), the
 * Patient resource and the server's data as they are before anything is planted.
 */
async function queueRealSave(page) {
  await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, retryAfter: 3600, times: null });
  const ui = await openOrganDonation(page);
  await ui.radio('refuse').check();
  await ui.saveButton.click();
  await expect(ui.saveStatus).toHaveAttribute('data-state', 'queued', { timeout: SAVE_TIMEOUT });
  await expect.poll(async () => (await outboxEntries(page)).map((e) => e.failure?.[0]), { timeout: SAVE_TIMEOUT }).toEqual([503]);
  const [mine] = await outboxEntries(page);
  // The format, as this test relies on it: whose it is, which record, how it is written.
  expect(mine).toMatchObject({ owner: ownerTag(FHIR_BASE_VIA_PROXY, PATIENT_ID), record: 'organ-donation', type: 'Consent', seq: 0 });
  expect(mine.write[0]).toBe('create');
  // Retry-After is honoured up to 30 minutes (src/save/retry.rs): far beyond this test, so the
  // real save is not due when the planted entries are, and is sent only when she retries it.
  expect(mine.next, 'the real save waits out the Retry-After').toBeGreaterThan(Date.now() + 10 * 60_000);
  const patient = await fhirGet(`/Patient/${PATIENT_ID}`);
  // A Patient body that, stored by any planted entry, would rename her.
  const hijacked = { ...structuredClone(patient), name: [{ family: 'Kaapattu', given: ['Helmi'] }] };
  delete hijacked.meta;
  return { ui, mine, patient, hijacked, before: await serverSnapshot() };
}

/** Her outcomes as the app keeps them (src/save/kept.rs): [[record, state, copy, at], …]. */
async function keptOutcomes(page, owner) {
  const text = await page.evaluate((key) => localStorage.getItem(key), `tahto.${owner}.outcomes`);
  return text ? JSON.parse(text) : [];
}

/**
 * Every request the browser made for FHIR went to the configured base, each path segment after it
 * a resource type, a FHIR id or `_history`; nothing was written but the written types at FHIR
 * ids, nothing was deleted, nothing names a hostile id, raw or encoded, and every search value is
 * percent-encoded.
 */
function expectOnlyWellFormedRequests(requests) {
  expect(requests.length, 'the app talked to the FHIR base').toBeGreaterThan(0);
  const proxy = new URL(PROXY_ORIGIN).origin;
  const segment = /^\/fhir\/R4\/[A-Z][A-Za-z]{0,63}(\/(_history|[A-Za-z0-9.-]{1,64}))*$/;
  const stray = requests.filter((r) => r.origin !== proxy || !segment.test(r.path));
  expect(stray.map((r) => `${r.method} ${r.url}`), 'requests outside the configured base, or with a segment that is no FHIR id').toEqual([]);
  const writes = requests.filter((r) => !['GET', 'OPTIONS'].includes(r.method));
  const badWrites = writes.filter((r) => !['POST', 'PUT'].includes(r.method) || !WRITE_PATH.test(r.path) || r.query !== '');
  expect(badWrites.map((r) => `${r.method} ${r.url}`), 'writes outside the written types').toEqual([]);
  const hostile = requests.filter((r) => /_method/i.test(r.url) || /\.\.|%2E|%2F|%3F|kanta-information-notice/i.test(r.path));
  expect(hostile.map((r) => `${r.method} ${r.url}`), 'requests naming a hostile id').toEqual([]);
  // Search values are percent-encoded too (`Patient%2Fhelmi-esimerkki`, `http%3A%2F%2F…%7C…`).
  const raw = requests.filter((r) => /[/|: "<>#]/.test(r.query));
  expect(raw.map((r) => `${r.method} ${r.url}`), 'query values not percent-encoded').toEqual([]);
}

test('stored entries of other types, with hostile ids, or of another person or backend are never sent; her own save is', async ({ page, context }) => {
  const problems = watchBrowserErrors(context);
  const requests = recordFhirRequests(context);
  const seq = await currentSentSeq();
  const { ui, mine, patient, hijacked, before } = await queueRealSave(page);
  const ours = mine.owner;

  // Hers, and never to be sent: each on a record of its own, so that its end shows on its item.
  const bad = {
    // (a) A Consent record that claims to be a Patient: an update of her Patient resource.
    patientType: plantedFrom(mine, {
      seq: 1, record: 'advance-directive', type: 'Patient', resource: hijacked, write: ['update', PATIENT_ID, patient.meta.versionId],
    }),
    // (b) Updates whose id climbs out of its type (a browser would resolve `..` unencoded), or
    // smuggles a query (a DELETE override of the notice).
    traversal: plantedFrom(mine, {
      seq: 2, record: 'disclosure-consent', type: 'Consent', resource: { ...hijacked, id: `../Patient/${PATIENT_ID}` },
      write: ['update', `../Patient/${PATIENT_ID}`, patient.meta.versionId],
    }),
    query: plantedFrom(mine, {
      seq: 3, record: 'living-will', type: 'DocumentReference', resource: { resourceType: 'DocumentReference', status: 'current' },
      write: ['update', 'kanta-information-notice?_method=DELETE', '1'],
    }),
  };
  // (a) A Patient of a record no Tahto version has: not sent either (how it ends is the next test).
  const unknownRecord = plantedFrom(mine, {
    seq: 4, record: 'patient', type: 'Patient', resource: hijacked, write: ['update', PATIENT_ID, patient.meta.versionId],
  });
  // (c) Saves that would be sendable, but are not hers here: the same person on another backend
  // (the FHIR server itself, not through the proxy), and another person on this backend. Due at
  // once: were they taken for hers, the first send after the reload would carry them.
  const elsewhere = (owner, patientId, seqNo) => {
    const identifier = uuid();
    const resource = structuredClone(mine.resource);
    resource.patient = { reference: `Patient/${patientId}` };
    resource.identifier = resource.identifier.map((i) => (i.system === 'urn:ietf:rfc:3986' ? { ...i, value: identifier } : i));
    return plantedFrom(mine, { seq: seqNo, owner, resource, write: ['create', `urn:ietf:rfc:3986|${identifier}`] });
  };
  const others = [
    elsewhere(ownerTag(FHIR_BASE, PATIENT_ID), PATIENT_ID, 5),
    elsewhere(ownerTag(FHIR_BASE_VIA_PROXY, SECOND_PATIENT_ID), SECOND_PATIENT_ID, 6),
  ];
  for (const other of others) expect(other.owner).not.toBe(ours);
  await plantOutboxEntries(page, [...Object.values(bad), unknownRecord, ...others]);
  expect(await outboxEntries(page)).toHaveLength(7);

  // The next visit, the service back: the outbox finds what an earlier one left and deals with
  // what is due (all but her real save, which waits out its Retry-After).
  await clearFaults();
  await page.reload();
  const badIds = Object.values(bad).map((e) => e.id);
  await expect.poll(async () => (await outboxEntries(page)).map((e) => e.id).filter((id) => badIds.includes(id)), {
    message: 'each of her unsendable entries ends',
    timeout: SAVE_TIMEOUT,
  }).toEqual([]);

  // Each ended visibly: refused, on the home page and on its item, and kept so.
  await navTo(page, 'Home', { timeout: LOAD_TIMEOUT });
  for (const section of ['advance-directive', 'disclosures', 'living-will']) {
    await expect(page.getByTestId(`home-${section}`).getByTestId('home-state'), section).toContainText(
      'Tahto did not send this save',
      { timeout: LOAD_TIMEOUT },
    );
  }
  await navTo(page, 'Advance directive');
  const directive = page.locator('[data-section="advance-directive"]').getByTestId('save-status');
  await expect(directive).toHaveAttribute('data-state', 'rejected', { timeout: LOAD_TIMEOUT });
  await expect(directive).toContainText('Tahto did not send this save');
  await expect(directive).toContainText('Nothing was sent. What was recorded earlier is unchanged.');
  await expect(directive).not.toContainText('HTTP');
  const outcomes = Object.fromEntries((await keptOutcomes(page, ours)).map(([record, state]) => [record, state?.[0]]));
  expect(outcomes).toMatchObject({ 'advance-directive': 'rejected', 'disclosure-consent': 'rejected', 'living-will': 'rejected' });

  // Her own save is still waiting, the only one listed; she retries it and it is stored, once.
  await page.getByTestId('unsent-badge').click();
  const item = page.getByTestId('unsent-item');
  await expect(item).toHaveCount(1);
  await expect(item.getByRole('heading')).toHaveText('Organ donation decision');
  await item.getByRole('button', { name: 'Retry now' }).click();
  await expect(item).toHaveCount(0, { timeout: SAVE_TIMEOUT });
  await navTo(page, 'Organ donation decision');
  await expectConfirmed(ui, 1);
  const consents = await organDonationConsents();
  expect(consents).toHaveLength(1);
  expectOrganDonationConsentShape(consents[0]);
  expect(consentHoldsDecision(consents[0], { choice: 'refuse' })).toBe(true);

  // Written: her save, twice (the attempt refused with 503, and the retry), nothing else at all.
  // The planted entries were due from the reload on, before her retry: a send of any would be
  // logged before her second POST.
  const writes = await sentSince(seq);
  expect(writes.map((w) => `${w.method} ${w.url} ${w.fault ?? 'ok'}`)).toEqual(['POST /fhir/R4/Consent status', 'POST /fhir/R4/Consent ok']);
  const hers = mine.resource.identifier[0].value;
  expect(writes.map((w) => parseBody(w)?.identifier?.[0]?.value)).toEqual([hers, hers]);
  // Requested at all, reads included (the proxy logs only writes; the browser sees every one).
  expectOnlyWellFormedRequests(requests);

  // The server holds what it held, and her one new decision.
  const after = await serverSnapshot();
  expect(after.current, 'every seeded resource as it was (nothing changed, nothing deleted)').toEqual(before.current);
  expect(await fhirGet(`/Patient/${PATIENT_ID}`)).toEqual(patient);
  expect(after.history.Consent.filter((v) => !before.history.Consent.includes(v))).toEqual([`Consent/${consents[0].id}/_history/1`]);
  expect({ ...after.history, Consent: before.history.Consent }).toEqual(before.history);
  expect(await organDonationConsents(SECOND_PATIENT_ID), 'nothing for the other person').toHaveLength(0);

  // The others' entries are where they were, as they were: theirs to send.
  const left = (await outboxEntries(page)).filter((e) => e.owner !== ours).sort((a, b) => a.seq - b.seq);
  expect(left).toEqual(others);
  expect(problems, 'no browser error or panic').toEqual([]);
});

// An entry of hers whose record this version does not know (left by a newer version, say) is
// neither sent, nor shown, nor deleted: `save/store.rs` does not read it, so it stays as stored for
// the version that knows it.
test('a stored entry of hers for a record Tahto does not know is not sent and stays as stored', async ({ page, context }) => {
  const requests = recordFhirRequests(context);
  const seq = await currentSentSeq();
  const { mine, patient, hijacked, before } = await queueRealSave(page);
  const unknownRecord = plantedFrom(mine, {
    seq: 1, record: 'patient', type: 'Patient', resource: hijacked, write: ['update', PATIENT_ID, patient.meta.versionId],
  });
  // After it, an entry that certainly ends (a Consent record claiming to be a Patient): once it has
  // ended, the outbox has dealt with every due entry before it, this one included.
  const marker = plantedFrom(mine, {
    seq: 2, record: 'advance-directive', type: 'Patient', resource: hijacked, write: ['update', PATIENT_ID, patient.meta.versionId],
  });
  await plantOutboxEntries(page, [unknownRecord, marker]);
  await clearFaults();
  await page.reload();
  await expect.poll(async () => (await outboxEntries(page)).some((e) => e.id === marker.id), { timeout: SAVE_TIMEOUT }).toBe(false);
  await navTo(page, 'Home', { timeout: LOAD_TIMEOUT });
  await expect(page.getByTestId('home-advance-directive').getByTestId('home-state')).toContainText('Tahto did not send this save');

  // Not sent: only her real save's refused attempt was written; the server is as it was.
  expect((await sentSince(seq)).map((w) => `${w.method} ${w.url} ${w.fault ?? 'ok'}`)).toEqual(['POST /fhir/R4/Consent status']);
  expectOnlyWellFormedRequests(requests);
  expect(await fhirGet(`/Patient/${PATIENT_ID}`)).toEqual(patient);
  expect((await serverSnapshot()).current).toEqual(before.current);

  // Left as stored, for the version that knows its record; not listed among her unsent saves.
  const kept = (await outboxEntries(page)).find((e) => e.id === unknownRecord.id);
  expect(kept, 'the entry of a record this version does not know stays as stored').toEqual(unknownRecord);
  await page.getByTestId('unsent-badge').click();
  const item = page.getByTestId('unsent-item');
  await expect(item).toHaveCount(1);
  await expect(item.getByRole('heading')).toHaveText('Organ donation decision');
});
