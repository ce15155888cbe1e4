// Shared helpers for Tahto's end-to-end tests: the real FHIR server (read directly, never through the
// proxy), the fault proxy's control API and sent log, FHIR validation of everything the app sent,
// browser error collection and the page's accessible parts.
import { expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { validateBoth } from '../fhir-server/validate.mjs';
import { NOTICE_URL, noticeConfirmation } from '../fhir-server/seed.mjs';
import {
  APP_EMBED_URL,
  APP_URL,
  FHIR_BASE,
  FHIR_ORIGIN,
  PARTNER_URL,
  PATIENT_ID,
  PROXY_ORIGIN,
} from './env.mjs';

export * from './env.mjs';

/** Generous, bounded waits: the first load compiles the wasm module. */
export const LOAD_TIMEOUT = 30_000;
export const SAVE_TIMEOUT = 20_000;

export const ORGAN_DONATION_CATEGORY = 'http://loinc.org|64300-7';
export const SNOMED = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
export const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';

export const CHOICE = {
  consent: 'I consent to donating my organs and tissues',
  refuse: 'I refuse donation of my organs and tissues',
  except: 'I consent, except for the organs and tissues I choose',
};
export const ORGANS = [
  'Kidneys',
  'Liver',
  'Heart',
  'Lungs',
  'Pancreas',
  'Small intestine',
  'Corneas',
  'Skin',
  'Bones',
  'Heart valves',
];
export const HEADINGS = {
  en: 'Organ donation decision',
  fi: 'Elinluovutustahto',
  sv: 'Donationsvilja',
};
export const LANGUAGE_BUTTON = { fi: 'Suomi', sv: 'Svenska', en: 'English' };
export { NOTICE_URL };
/** LOINC "Privacy policy acknowledgment Document": a read-confirmation of the Kanta notice. */
export const NOTICE_READ_CATEGORY = 'http://loinc.org|57016-8';

// ---------------------------------------------------------------------------------------------
// Plain HTTP to the servers

async function http(method, url, { body, headers = {}, okStatuses } = {}) {
  const init = { method, headers: { accept: 'application/fhir+json, application/json', ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  const ok = okStatuses ? okStatuses.includes(res.status) : res.ok;
  if (!ok) {
    throw new Error(`${method} ${url} → HTTP ${res.status}: ${text.slice(0, 500)}`);
  }
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reset the FHIR server to its seed data. */
export async function resetServer() {
  await http('POST', `${FHIR_ORIGIN}/__admin/reset`);
}

/** Install fault rules in the proxy (replaces nothing: rules are added). */
export async function setFaults(...rules) {
  await http('POST', `${PROXY_ORIGIN}/__proxy/faults`, { body: { rules } });
}

/** Replaces every fault rule by `rules` at once (no gap in which a retry passes unfaulted). */
export async function replaceFaults(...rules) {
  await http('POST', `${PROXY_ORIGIN}/__proxy/faults`, { body: { rules, replace: true } });
}

/**
 * Keep-alive on the proxy's connections to the app (on by default; `clearFaults` turns it back on).
 * Off, every answer closes its connection, so the browser cannot silently resend a request whose
 * answer was lost on a reused connection: every lost answer reaches the app.
 */
export async function setKeepAlive(enabled) {
  await http('POST', `${PROXY_ORIGIN}/__proxy/keep-alive`, { body: { enabled } });
}

/** Remove every fault rule from the proxy (and turn keep-alive back on). */
export async function clearFaults() {
  await http('DELETE', `${PROXY_ORIGIN}/__proxy/faults`);
}

function sentEntries(payload) {
  if (Array.isArray(payload)) return payload;
  for (const key of ['sent', 'entries', 'requests', 'items']) {
    if (Array.isArray(payload?.[key])) return payload[key];
  }
  throw new Error(`Unexpected /__proxy/sent payload: ${JSON.stringify(payload).slice(0, 300)}`);
}

/** Everything the app sent with a body through the proxy, strictly after `seq`. */
export async function sentSince(seq = 0) {
  const payload = await http('GET', `${PROXY_ORIGIN}/__proxy/sent?since=${seq}`);
  return sentEntries(payload).filter((e) => Number(e.seq) > seq);
}

/** The highest sequence number in the proxy's sent log so far (0 when empty). */
export async function currentSentSeq() {
  const payload = await http('GET', `${PROXY_ORIGIN}/__proxy/sent`);
  return sentEntries(payload).reduce((max, e) => Math.max(max, Number(e.seq) || 0), 0);
}

/** Case-insensitive header lookup in a sent-log entry. */
export function header(entry, name) {
  const headers = entry?.headers ?? {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name.toLowerCase()) return Array.isArray(v) ? v.join(', ') : String(v);
  }
  return undefined;
}

/** Parse a sent-log body into JSON (or return undefined when it is not JSON). */
export function parseBody(entry) {
  const body = entry?.body;
  if (body == null || body === '') return undefined;
  if (typeof body === 'object') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** GET from the real FHIR server (not through the proxy). */
export async function fhirGet(pathAndQuery) {
  return http('GET', `${FHIR_BASE}${pathAndQuery}`);
}

/** PUT a resource to the real FHIR server (as another device would), optionally with If-Match. */
export async function fhirPut(resource, ifMatch) {
  return http('PUT', `${FHIR_BASE}/${resource.resourceType}/${resource.id}`, {
    body: resource,
    headers: { 'content-type': 'application/fhir+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) },
  });
}

/** POST a resource to the real FHIR server (as the care provider's system would). */
export async function fhirPost(resource) {
  return http('POST', `${FHIR_BASE}/${resource.resourceType}`, {
    body: resource,
    headers: { 'content-type': 'application/fhir+json' },
  });
}

/** The resources of a search on the real FHIR server. */
export async function fhirSearch(resourceType, query) {
  return bundleResources(await fhirGet(`/${resourceType}?${query}`), resourceType);
}

function bundleResources(bundle, resourceType) {
  return (bundle?.entry ?? [])
    .map((e) => e.resource)
    .filter((r) => r && r.resourceType === resourceType);
}

/** Every organ-donation Consent the server holds for a patient. */
export async function organDonationConsents(patientId = PATIENT_ID) {
  const bundle = await fhirGet(
    `/Consent?patient=Patient/${encodeURIComponent(patientId)}` +
      `&category=${encodeURIComponent(ORGAN_DONATION_CATEGORY)}&_count=100`,
  );
  return bundleResources(bundle, 'Consent');
}

/** The read-confirmations of the "Kanta information" notice the server holds for a patient. */
export async function noticeConfirmations(patientId = PATIENT_ID) {
  const bundle = await fhirGet(
    `/Consent?patient=Patient/${encodeURIComponent(patientId)}` +
      `&category=${encodeURIComponent(NOTICE_READ_CATEGORY)}&_count=100`,
  );
  return bundleResources(bundle, 'Consent');
}

/**
 * Records on the server, as an earlier visit would have, that the citizen read `version` of the
 * notice (directly, not through the proxy: it is not something this test's app sent). Idempotent.
 */
export async function confirmNoticeOnServer(version = NOTICE_URL, patientId = PATIENT_ID) {
  const existing = await noticeConfirmations(patientId);
  if (existing.some((c) => c.policy?.some((p) => p.uri === version))) return;
  await http('POST', `${FHIR_BASE}/Consent`, {
    headers: { 'content-type': 'application/fhir+json' },
    body: noticeConfirmation(patientId, version),
  });
}

/** Publishes a new version of the notice on the server (as the service would). */
export async function publishNotice(version, date) {
  const current = await fhirGet('/DocumentReference/kanta-information-notice');
  const next = structuredClone(current);
  next.date = date;
  for (const c of next.content) c.attachment.url = version;
  delete next.meta;
  await fhirPut(next);
}

/**
 * Each test of a spec on a fresh server: demo data reset, no faults, browser errors collected; after
 * it, every resource the app sent is checked with both FHIR validators and any browser error fails
 * the test. Returns `sentFrom()`: the proxy's sent-log position when the current test began.
 */
export function freshServerPerTest(test) {
  let startSeq = 0;
  let browserProblems = [];
  test.beforeEach(async ({ context }) => {
    await resetServer();
    await clearFaults();
    startSeq = await currentSentSeq();
    browserProblems = watchBrowserErrors(context);
  });
  test.afterEach(async ({}, testInfo) => {
    await clearFaults().catch(() => {});
    await expectValidSendsAndNoBrowserErrors(testInfo, startSeq, browserProblems);
  });
  return { sentFrom: () => startSeq };
}

/**
 * After a test: every resource the app sent since `startSeq` passes both FHIR validators (the result
 * is attached to the test), and the browser reported no error. Throws with all the problems found.
 */
export async function expectValidSendsAndNoBrowserErrors(testInfo, startSeq, browserProblems) {
  const validation = await validateSentSince(startSeq);
  await testInfo.attach('fhir-validation', { body: JSON.stringify(validation), contentType: 'application/json' });
  const failures = [];
  if (validation.errors.length > 0) {
    failures.push(
      `FHIR validation: ${validation.errors.length} error(s) in what the app sent:\n  ` + validation.errors.join('\n  '),
    );
  }
  if (browserProblems.length > 0) failures.push(`Browser errors:\n  ${browserProblems.join('\n  ')}`);
  if (failures.length > 0) {
    console.log(`\n[${testInfo.title}]\n${failures.join('\n')}`);
    throw new Error(failures.join('\n'));
  }
}

/** Every Consent of any kind the server holds for a patient. */
export async function allConsents(patientId = PATIENT_ID) {
  const bundle = await fhirGet(`/Consent?patient=Patient/${encodeURIComponent(patientId)}&_count=200`);
  return bundleResources(bundle, 'Consent');
}

/** True when `text` occurs in any string anywhere in `value` (base64 attachment data is decoded). */
export function deepContainsText(value, text) {
  if (value == null) return false;
  if (typeof value === 'string') return value.includes(text);
  if (Array.isArray(value)) return value.some((v) => deepContainsText(v, text));
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (deepContainsText(v, text)) return true;
      if (k === 'data' && typeof v === 'string') {
        try {
          if (Buffer.from(v, 'base64').toString('utf8').includes(text)) return true;
        } catch {
          /* not base64 */
        }
      }
    }
  }
  return false;
}

export function hasCoding(codeableConcepts, system, code) {
  const list = Array.isArray(codeableConcepts) ? codeableConcepts : [codeableConcepts];
  return list.some((cc) => (cc?.coding ?? []).some((c) => c.system === system && c.code === code));
}

/** Text naming a CodeableConcept list: every display and text, lower-cased. */
export function conceptWords(codeableConcepts) {
  const list = Array.isArray(codeableConcepts) ? codeableConcepts : [codeableConcepts];
  return list
    .flatMap((cc) => [cc?.text, ...(cc?.coding ?? []).flatMap((c) => [c.display, c.code])])
    .filter(Boolean)
    .join(' | ')
    .toLowerCase();
}

/** The checks every organ-donation Consent must pass, whatever the decision. */
export function expectOrganDonationConsentShape(consent, patientId = PATIENT_ID) {
  expect(consent.resourceType).toBe('Consent');
  expect(consent.status, 'Consent.status').toBe('active');
  expect(consent.patient?.reference, 'Consent.patient').toBe(`Patient/${patientId}`);
  expect(hasCoding(consent.scope, CONSENT_SCOPE, 'adr'), 'scope consentscope adr').toBe(true);
  expect(hasCoding(consent.category, LOINC, '59284-0'), 'category LOINC 59284-0').toBe(true);
  expect(hasCoding(consent.category, LOINC, '64300-7'), 'category LOINC 64300-7').toBe(true);
  expect(hasCoding(consent.provision?.action ?? [], SNOMED, '53958007'), 'provision.action SNOMED 53958007').toBe(
    true,
  );
  const identifiers = Array.isArray(consent.identifier) ? consent.identifier : [consent.identifier].filter(Boolean);
  const uuid = identifiers.find((i) => i.system === 'urn:ietf:rfc:3986');
  expect(uuid, 'identifier with system urn:ietf:rfc:3986').toBeTruthy();
  expect(uuid.value).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  return uuid.value;
}

// ---------------------------------------------------------------------------------------------
// FHIR validation of everything the app sent

/**
 * Validates every FHIR resource body the app sent through the proxy since `seq` with both
 * validators. Returns { sent, validated, passed, errors: string[] }.
 */
export async function validateSentSince(seq) {
  const entries = await sentSince(seq);
  const result = { requests: entries.length, sent: 0, validated: 0, passed: 0, errors: [] };
  for (const entry of entries) {
    const where = `#${entry.seq} ${entry.method} ${entry.url}`;
    if (entry.body == null || entry.body === '') continue; // no body: not a resource
    const resource = parseBody(entry);
    if (resource === undefined) {
      result.errors.push(`${where}: body is not JSON: ${String(entry.body).slice(0, 200)}`);
      continue;
    }
    if (!resource || typeof resource !== 'object' || Array.isArray(resource) || !resource.resourceType) {
      result.errors.push(`${where}: body is not a FHIR resource: ${JSON.stringify(resource).slice(0, 200)}`);
      continue;
    }
    result.sent += 1;
    let verdict;
    try {
      verdict = await validateBoth(resource);
    } catch (err) {
      result.errors.push(`${where}: validator threw: ${err?.stack ?? err}`);
      continue;
    }
    result.validated += 1;
    const medplum = verdict?.medplum ?? [];
    const fhirjs = verdict?.fhirjs ?? [];
    for (const m of medplum) result.errors.push(`${where} ${resource.resourceType} [@medplum/core] ${m}`);
    for (const m of fhirjs) result.errors.push(`${where} ${resource.resourceType} [fhir.js] ${m}`);
    if (medplum.length === 0 && fhirjs.length === 0) result.passed += 1;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Browser errors

/**
 * Collects page errors and Rust panics from every page of a context. Console errors caused by
 * deliberately injected faults ("Failed to load resource: … 500") are expected and not collected.
 */
export function watchBrowserErrors(context) {
  const problems = [];
  context.on('weberror', (webError) => {
    const err = webError.error();
    problems.push(`pageerror on ${webError.page()?.url() ?? '?'}: ${err?.stack ?? err}`);
  });
  context.on('console', (msg) => {
    const text = msg.text();
    if (/panicked/i.test(text)) problems.push(`panic in console (${msg.type()}): ${text}`);
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The organ donation page

export function organDonationPage(page) {
  // Every page stays mounted (hidden when not shown): find the organ donation page's own parts.
  const root = page.locator('article[aria-labelledby="tahto-od-title"]');
  const decisionGroup = page.getByRole('group', { name: 'Your decision', exact: true });
  const notDonatedGroup = page.getByRole('group', { name: 'Not to be donated', exact: true });
  return {
    page,
    root,
    heading: page.getByRole('heading', { level: 1 }),
    summary: root.getByTestId('current-decision'),
    decisionGroup,
    radio: (key) => page.getByRole('radio', { name: CHOICE[key], exact: true }),
    notDonatedGroup,
    organ: (name) => notDonatedGroup.getByRole('checkbox', { name, exact: true }),
    note: page.getByLabel('Additional note (optional)', { exact: true }),
    saveButton: page.getByRole('button', { name: 'Save decision', exact: true }),
    saveStatus: root.getByTestId('save-status'),
    receipt: root.getByTestId('receipt'),
    retryNow: root.getByRole('button', { name: 'Retry now', exact: true }).first(),
    locked: root.getByTestId('locked'),
    // A locator (for its state); go there with navTo.
    nav: (name) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true, includeHidden: true }),
    announcer: page.getByTestId('announcer'),
    alerts: page.getByTestId('alerts'),
    languageButton: (lang) => page.getByRole('button', { name: LANGUAGE_BUTTON[lang], exact: true }),
  };
}

/** The "Kanta information" page's parts. */
export function noticePage(page) {
  const root = page.locator('article[aria-labelledby="tahto-notice-title"]');
  return {
    page,
    root,
    heading: root.getByRole('heading', { level: 1 }),
    notice: root.getByTestId('notice'),
    confirm: root.getByRole('button', { name: 'I have read the information', exact: true }),
    confirmed: root.getByTestId('notice-confirmed'),
    saveStatus: root.getByTestId('save-status'),
    receipt: root.getByTestId('receipt'),
  };
}

/**
 * Open the app and wait until the organ donation page has loaded the current decision. Unless
 * `noticeConfirmed` is false, the citizen has confirmed the current notice earlier (on the server),
 * so the declaration is open.
 */
/**
 * Goes to the section named `name` through the navigation, as a citizen does: on a phone most
 * sections are under "All sections", which is opened first; on a wide screen all are shown.
 */
export async function navTo(page, name, { timeout = LOAD_TIMEOUT } = {}) {
  const nav = page.getByRole('navigation', { name: 'Sections' });
  const link = nav.getByRole('link', { name, exact: true });
  const all = nav.getByRole('button', { name: 'All sections', exact: true });
  await expect(link.or(all).first()).toBeVisible({ timeout });
  if (!(await link.isVisible())) {
    if ((await all.getAttribute('aria-expanded')) !== 'true') await all.click({ timeout });
  }
  await link.click({ timeout });
}

/** Opens the app in a fresh tab (the home page) and goes to the section named `name`. */
export async function gotoSection(page, name, baseUrl = APP_URL) {
  await page.goto(`${baseUrl}/`);
  await navTo(page, name);
}

export async function openOrganDonation(page, { baseUrl = APP_URL, expectNone = true, noticeConfirmed = true } = {}) {
  if (noticeConfirmed && baseUrl === APP_URL) await confirmNoticeOnServer();
  // A fresh tab starts at the home page; the declarations bundle loads on first use.
  await gotoSection(page, HEADINGS.en, baseUrl);
  const ui = organDonationPage(page);
  await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
  await waitForDecisionLoaded(ui);
  if (expectNone) await expect(ui.summary).toContainText('You have not recorded a decision.');
  return ui;
}

export async function waitForDecisionLoaded(ui) {
  await expect(ui.summary).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(ui.summary).not.toContainText('Loading', { timeout: LOAD_TIMEOUT });
}


/** Wait for a save to end in the given state. */
export async function expectSaveState(ui, state, timeout = SAVE_TIMEOUT) {
  await expect(ui.saveStatus).toHaveAttribute('data-state', state, { timeout });
}

/** Reads "Record id: …", "Version: N" from the receipt. */
export async function readReceipt(ui) {
  await expect(ui.receipt).toBeVisible();
  const text = await ui.receipt.innerText();
  const id = text.match(/Record id:\s*([A-Za-z0-9.\-]{1,64})/)?.[1];
  const version = text.match(/Version:\s*(\d+)/)?.[1];
  return { text, id, version };
}

/** Wait for the server-confirmed state with the given version; returns the receipt. */
export async function expectConfirmed(ui, expectedVersion) {
  await expectSaveState(ui, 'confirmed');
  await expect(ui.saveStatus).toContainText(
    new RegExp(`Saved at \\d{2}:\\d{2}\\s*·\\s*version ${expectedVersion}(?!\\d)`),
  );
  const receipt = await readReceipt(ui);
  expect(receipt.id, `receipt record id in: ${receipt.text}`).toBeTruthy();
  expect(receipt.version, `receipt version in: ${receipt.text}`).toBe(String(expectedVersion));
  expect(receipt.text).toMatch(/Server time:\s*\S+/);
  return receipt;
}

/** Save with the current form and wait for the server-confirmed state; returns the receipt. */
export async function saveAndConfirm(ui, expectedVersion) {
  await expect(ui.saveButton).toBeEnabled();
  await ui.saveButton.click();
  return expectConfirmed(ui, expectedVersion);
}

/** Requests in the sent log that created or updated a Consent. */
export function consentWrites(entries) {
  return entries.filter((e) => {
    const path = String(e.url).replace(/^https?:\/\/[^/]+/, '');
    return /\/Consent(\/|\?|$)/.test(path) && (e.method === 'POST' || e.method === 'PUT');
  });
}

/** Formats axe violations for a failure message. */
export function formatAxeViolations(violations) {
  return violations
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${n.failureSummary?.replace(/\n/g, '\n      ')}`).join('\n'),
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Chaos suite additions: a recorder of every save state a page showed, the server's full history
// of a citizen's organ-donation record, and matching a stored Consent against a decision.

/**
 * Records, in every page of the context, each change of the save status (data-state and its text)
 * as { state, text, at } in `window.__tahtoSaveLog`. A MutationObserver sees states that last only
 * a moment (e.g. "queued" for the few hundred ms before an automatic retry) which polling would
 * miss. The log survives reloads (kept in sessionStorage on pagehide); each load adds a
 * "(page load)" entry. `at` is the page's Date.now() (fake time when page.clock is installed).
 *
 * `target` names the item whose save status is recorded (every page stays mounted, so there are
 * several): the first element matching the CSS selector `item` (and, with `hasText`, whose text
 * contains it), then its `[data-testid="save-status"]`. The default is the organ donation page.
 */
export const ORGAN_DONATION_TARGET = { item: 'article[aria-labelledby="tahto-od-title"]' };

export async function recordSaveStates(context, target = ORGAN_DONATION_TARGET) {
  await context.addInitScript((target) => {
    const KEY = '__tahtoSaveLog';
    let log = [];
    try {
      log = JSON.parse(sessionStorage.getItem(KEY) || '[]');
    } catch {
      log = [];
    }
    log.push({ state: '(page load)', text: '', at: Date.now() });
    window.__tahtoSaveLog = log;
    const waiters = new Set();
    window.__tahtoSaveWaiters = waiters;
    let last = '';
    const check = () => {
      // The target item's save (every page stays mounted, so there are several).
      const item = [...document.querySelectorAll(target.item)].find(
        (e) => !target.hasText || (e.textContent ?? '').includes(target.hasText),
      );
      const el = item?.querySelector('[data-testid="save-status"]');
      if (!el) return;
      const state = el.getAttribute('data-state') ?? '';
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 400);
      const key = `${state}|${text}`;
      if (key === last) return;
      last = key;
      log.push({ state, text, at: Date.now() });
      for (const waiter of [...waiters]) waiter();
    };
    new MutationObserver(check).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
    addEventListener('pagehide', () => {
      try {
        sessionStorage.setItem(KEY, JSON.stringify(log));
      } catch {
        /* full: the in-memory log is still read by the tests */
      }
    });
  }, target);
}

/** The save states the page has shown so far (see recordSaveStates). */
export async function saveStateLog(page) {
  return page.evaluate(() => window.__tahtoSaveLog ?? []);
}

/** Every stored version of every organ-donation Consent of a patient (from _history). */
export async function organDonationHistory(patientId = PATIENT_ID) {
  const versions = [];
  for (const consent of await organDonationConsents(patientId)) {
    const bundle = await fhirGet(`/Consent/${encodeURIComponent(consent.id)}/_history?_count=1000`);
    versions.push(...bundleResources(bundle, 'Consent'));
  }
  return versions;
}

const ORGAN_WORD = {
  Kidneys: /kidney/,
  Liver: /liver/,
  Heart: /heart(?! valve)/,
  Lungs: /lung/,
  Pancreas: /pancrea/,
  'Small intestine': /intestin/,
  Corneas: /cornea/,
  Skin: /skin/,
  Bones: /bone/,
  'Heart valves': /valve/,
};

/**
 * True when a stored organ-donation Consent holds `decision`:
 * { choice: 'consent' | 'refuse' | 'except', organs?: string[] (UI names), note?: string }.
 */
export function consentHoldsDecision(consent, decision) {
  if (!consent?.provision) return false;
  const nested = consent.provision.provision ?? [];
  const organs = decision.organs ?? [];
  if (decision.choice === 'refuse') {
    if (consent.provision.type !== 'deny') return false;
  } else {
    if (consent.provision.type !== 'permit') return false;
    if (nested.length !== (decision.choice === 'except' ? organs.length : 0)) return false;
    for (const organ of organs) {
      const word = ORGAN_WORD[organ] ?? new RegExp(organ.toLowerCase());
      if (!nested.some((p) => p.type === 'deny' && word.test(conceptWords(p.code ?? [])))) return false;
    }
  }
  if (decision.note && !deepContainsText(consent, decision.note)) return false;
  return true;
}

/**
 * Another device changes the citizen's organ donation decision on the server: the stored version
 * becomes "except the liver" (version 2 over version 1). Returns the stored resource.
 */
export async function changeElsewhereToExceptLiver() {
  const [v1] = await organDonationConsents();
  const elsewhere = structuredClone(v1);
  delete elsewhere.meta;
  elsewhere.provision.provision = [
    { type: 'deny', code: [{ coding: [{ system: SNOMED, code: '10200004', display: 'Liver structure' }], text: 'Liver' }] },
  ];
  return fhirPut(elsewhere, 'W/"1"');
}

/** The next POST of a Consent is refused with a 400 whose OperationOutcome says `diagnostics`. */
export async function refuseNextConsentPost(diagnostics, code = 'invalid') {
  await setFaults({
    method: 'POST',
    path: '/Consent',
    times: 1,
    fault: 'status',
    status: 400,
    body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] },
  });
}

// ---------------------------------------------------------------------------------------------
// What the app keeps in the browser

/** The keys Tahto keeps in the page's localStorage, with their values. */
export function tahtoLocalStorage(page) {
  return page.evaluate(() =>
    Object.fromEntries(Object.keys(localStorage).filter((k) => k.startsWith('tahto')).map((k) => [k, localStorage.getItem(k)])),
  );
}

/**
 * The outbox entries in the page's real IndexedDB (database `tahto`, store `outbox`,
 * src/save/store.rs), parsed; [] when there are none. Never creates the database.
 */
export function outboxEntries(page) {
  return page.evaluate(async () => {
    const request = (r) =>
      new Promise((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const open = indexedDB.open('tahto');
    open.onupgradeneeded = () => open.transaction.abort(); // absent: do not create it
    let db;
    try {
      db = await request(open);
    } catch {
      return [];
    }
    try {
      if (!db.objectStoreNames.contains('outbox')) return [];
      return (await request(db.transaction('outbox').objectStore('outbox').getAll())).map((t) => JSON.parse(t));
    } finally {
      db.close();
    }
  });
}

/**
 * The unsent saves of `record` (its `Record::key`; one ending in `/` matches every record of that
 * kind, e.g. `measurement/`) as the app keeps them, or null when none is kept.
 */
export async function unsentKept(page, record) {
  const mine = (await outboxEntries(page)).filter((e) =>
    record.endsWith('/') ? String(e.record).startsWith(record) : e.record === record,
  );
  return mine.length > 0 ? mine : null;
}

// ---------------------------------------------------------------------------------------------
// The states a tracked save showed (with recordSaveStates) and the writes it sent

/** The states shown by the tracked save `entry` ({ page, startIndex }) so far: [{ state, text, at }]. */
export async function shownSince(entry) {
  return (await saveStateLog(entry.page)).slice(entry.startIndex + 1).filter((e) => e.state !== '(page load)');
}

/** Index in `shown` of the first entry matching, or -1. */
export function findShown(shown, state, text) {
  return shown.findIndex((e) => e.state === state && (!text || e.text.includes(text)));
}

export function formatShown(shown) {
  return shown.map((e) => `${e.state}: ${e.text.slice(0, 120)}`).join('\n    ');
}

/** The writes of a sent log, one a line, for a failure message. */
export function describeWrites(writes) {
  return writes.map((w) => `#${w.seq} ${w.method} ${w.url} ${w.fault ?? 'ok'} ${parseBody(w)?.identifier?.[0]?.value ?? ''}`).join('\n    ');
}

/**
 * Every one of `writes` was the same idempotent create: a POST carrying one client identifier and
 * an If-None-Exist naming it (so a resend after a lost answer finds the stored resource).
 */
export function expectSameIdempotentCreate(writes) {
  const identifiers = new Set();
  const problems = [];
  for (const w of writes) {
    const value = parseBody(w)?.identifier?.find((i) => i.system === 'urn:ietf:rfc:3986')?.value;
    let ifNoneExist = header(w, 'If-None-Exist') ?? '';
    try {
      ifNoneExist = decodeURIComponent(ifNoneExist);
    } catch {
      /* keep it as sent */
    }
    if (w.method !== 'POST') problems.push(`#${w.seq} is a ${w.method}, not a create`);
    if (!/^urn:uuid:/.test(value ?? '')) problems.push(`#${w.seq} carries no client identifier`);
    if (ifNoneExist !== `identifier=urn:ietf:rfc:3986|${value}`) {
      problems.push(`#${w.seq} If-None-Exist ${JSON.stringify(ifNoneExist)} does not name its identifier ${value}`);
    }
    identifiers.add(value);
  }
  expect(problems, `every attempt is the same idempotent create:\n    ${describeWrites(writes)}`).toEqual([]);
  expect([...identifiers], 'every attempt resent the same identifier').toHaveLength(1);
  return writes;
}

// ---------------------------------------------------------------------------------------------
// Tahto embedded in a partner's page (public/embed.js, examples/partner/)

/** What the frame tells the partner's page, as `tahto-<type>` events on the element. */
export const TAHTO_EVENT_TYPES = ['ready', 'resize', 'navigate', 'saved', 'save-failed', 'unsent'];

/** The embed entry `public/embed.js` opens for `section` and `lang` in a page of `host`. */
export function embedUrl(section, { lang = 'en', host = PARTNER_URL, origin = APP_EMBED_URL } = {}) {
  const url = new URL('/embed', origin);
  url.searchParams.set('section', section);
  url.searchParams.set('lang', lang);
  url.searchParams.set('host', host);
  return url.href;
}

/**
 * Records every tahto-* event the top page hears, from the first script on, in
 * `window.__tahtoEvents`: { type, source (the element's id), detail, bubbles, composed }.
 */
export async function recordTahtoEvents(page) {
  await page.addInitScript((types) => {
    if (window.top !== window) return;
    window.__tahtoEvents = [];
    for (const type of types) {
      document.addEventListener(`tahto-${type}`, (e) => {
        window.__tahtoEvents.push({ type, source: e.target?.id ?? '', detail: e.detail, bubbles: e.bubbles, composed: e.composed });
      });
    }
  }, TAHTO_EVENT_TYPES);
}

/** The tahto-* events heard so far, of `type` and from the element `source` when given. */
export async function tahtoEvents(page, { type, source } = {}) {
  const all = await page.evaluate(() => window.__tahtoEvents ?? []);
  return all.filter((e) => (!type || e.type === type) && (!source || e.source === source));
}

/** Waits for a tahto-* event of `type` (from `source`, matching `where`); returns the last such. */
export async function waitForTahtoEvent(page, type, { source, where = () => true, timeout = LOAD_TIMEOUT } = {}) {
  let found;
  await expect
    .poll(async () => {
      found = (await tahtoEvents(page, { type, source })).filter(where).at(-1);
      return Boolean(found);
    }, { timeout, message: `a tahto-${type} event${source ? ` from #${source}` : ''}` })
    .toBe(true);
  return found;
}

/**
 * The frame of Tahto (on `origin`) that was opened for `section` (its address's `section`):
 * found through the browser's frame tree, since embed.js keeps it in a closed shadow root.
 */
export async function tahtoFrame(page, section, { origin = APP_EMBED_URL, timeout = LOAD_TIMEOUT } = {}) {
  const find = () =>
    page.frames().find((f) => {
      if (!f.url().startsWith(`${origin}/`)) return false;
      return new URL(f.url()).searchParams.get('section') === section;
    });
  await expect.poll(() => Boolean(find()), { timeout, message: `Tahto's frame for ${section}` }).toBe(true);
  return find();
}

/** The iframe element's height (CSS px) and its document's content height and viewport. */
export async function frameHeights(frame) {
  const element = await frame.frameElement();
  const iframe = await element.evaluate((f) => f.getBoundingClientRect().height);
  const inside = await frame.evaluate(() => ({
    content: Math.ceil(document.documentElement.getBoundingClientRect().height),
    scroll: document.documentElement.scrollHeight,
    viewport: window.innerHeight,
  }));
  return { iframe, ...inside };
}

/**
 * Waits until the iframe is exactly as tall as its content and nothing scrolls inside, in view.
 * With `offscreen`, first as tall as its content where it is: below the fold (the partner's page
 * puts the first frame there on a phone) Chromium pauses the frame's rendering, its resize
 * observer and its own viewport, and the height must follow Tahto's content even so.
 */
export async function expectFrameFitsContent(frame, what, { offscreen = false } = {}) {
  if (offscreen) {
    await expect
      .poll(async () => {
        const h = await frameHeights(frame);
        return Math.abs(h.iframe - h.content) <= 1 ? 'as tall as its content' : JSON.stringify(h);
      }, { timeout: 10_000, message: `the iframe follows its content (${what}) below the fold` })
      .toBe('as tall as its content');
  }
  await (await frame.frameElement()).scrollIntoViewIfNeeded();
  await expect
    .poll(async () => {
      const h = await frameHeights(frame);
      return Math.abs(h.iframe - h.content) <= 1 && h.scroll <= h.viewport ? 'fits' : JSON.stringify(h);
    }, { timeout: 10_000, message: `the iframe follows its content (${what}): no scrollbar inside, no empty space` })
    .toBe('fits');
  return frameHeights(frame);
}

/** Goes to section `name` through the navigation inside Tahto's frame (buttons in memory routing). */
export async function navInFrame(frame, name, { timeout = LOAD_TIMEOUT } = {}) {
  const nav = frame.getByRole('navigation', { name: 'Sections' });
  const item = nav.getByRole('button', { name, exact: true }).or(nav.getByRole('link', { name, exact: true })).first();
  const all = nav.getByRole('button', { name: 'All sections', exact: true });
  await expect(item.or(all).first()).toBeVisible({ timeout });
  if (!(await item.isVisible())) {
    if ((await all.getAttribute('aria-expanded')) !== 'true') await all.click({ timeout });
  }
  await item.click({ timeout });
}

/**
 * Records, inside `frame`, every message its window receives from now on; returns a function that
 * reads them: [{ origin, fromParent (sent by the window that holds the frame), data }].
 */
export async function watchFrameMessages(frame) {
  await frame.evaluate(() => {
    window.__seenMessages = [];
    addEventListener('message', (e) => {
      window.__seenMessages.push({ origin: e.origin, fromParent: e.source === window.parent, data: e.data });
    });
  });
  return () => frame.evaluate(() => window.__seenMessages);
}

/**
 * axe over one frame's document (and the frames inside it), as AxeBuilder runs over a page: the
 * frame of embed.js is in a closed shadow root, which axe does not enter from the partner's page.
 */
export function axeInFrame(page, frame) {
  const scope = {
    evaluate: (fn, arg) => frame.evaluate(fn, arg),
    mainFrame: () => frame,
    frames: () => [frame, ...frame.childFrames()],
    context: () => page.context(),
  };
  return new AxeBuilder({ page: scope });
}
