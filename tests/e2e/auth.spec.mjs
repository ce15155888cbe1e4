// Signing in as the citizen (issue 12): Tahto with `data-sign-in="smart"` against a FHIR server
// that takes only tokens of the dev SMART authorization server (tests/fhir-server/auth.mjs, built on
// oidc-provider): the real redirect, sign-in form, code exchange with PKCE, and bearer tokens. The
// test's own HTTP client (smart-client.mjs) signs in the same way to seed and read the server.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createHash } from 'node:crypto';
import { noticeConfirmation, NOTICE_URL } from '../fhir-server/seed.mjs';
import { signIn } from '../fhir-server/smart-client.mjs';
import {
  APP_SMART_URL,
  AUTH_ORIGIN,
  DEMO_CITIZENS,
  HEADINGS,
  LANGUAGE_BUTTON,
  formatAxeViolations,
  LOAD_TIMEOUT,
  PARTNER_URL,
  ORGAN_DONATION_CATEGORY,
  SMART_FHIR_BASE,
  SMART_FHIR_PORT,
  expectConfirmed,
  expectSaveState,
  navTo,
  organDonationPage,
  tahtoFrame,
  expectFrameFitsContent,
  recordTahtoEvents,
  tahtoEvents,
  waitForTahtoEvent,
  outboxEntries,
  waitForDecisionLoaded,
  watchBrowserErrors,
} from './helpers.mjs';

const SMART_ORIGIN = `http://127.0.0.1:${SMART_FHIR_PORT}`;
const HELMI = DEMO_CITIZENS.helmi;

/** A token of `citizen`'s own, for the test to seed and read the server as they could. */
async function tokenOf(citizen) {
  const tokens = await signIn({
    issuer: AUTH_ORIGIN,
    fhirBase: SMART_FHIR_BASE,
    redirectUri: `${APP_SMART_URL}/`,
    scope: 'openid fhirUser launch/patient patient/Consent.crus patient/Patient.r',
    citizen,
  });
  return tokens.access_token;
}

async function smartFhir(token, method, path, body) {
  const response = await fetch(`${SMART_FHIR_BASE}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/fhir+json',
      ...(body ? { 'Content-Type': 'application/fhir+json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** `citizen`'s organ donation decisions on the server, read with their own token. */
async function organDonationsOf(citizen) {
  const token = await tokenOf(citizen);
  const bundle = await smartFhir(
    token,
    'GET',
    `/Consent?patient=Patient/${citizen.patient}&category=${encodeURIComponent(ORGAN_DONATION_CATEGORY)}`,
  );
  return (bundle.entry ?? []).map((e) => e.resource).filter((r) => r.resourceType === 'Consent');
}

/** The citizen has read the current notice, so declarations can be saved. */
async function confirmNoticeAs(citizen) {
  await smartFhir(await tokenOf(citizen), 'POST', '/Consent', noticeConfirmation(citizen.patient, NOTICE_URL));
}

/** The authorization server grants less than asked from now on (as a citizen unticking scopes). */
async function withhold(scopes) {
  await fetch(`${AUTH_ORIGIN}/__admin/withhold-scopes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ scopes }),
  });
}

/** The query of a request the page made to `prefix`. */
const paramsOf = (url) => Object.fromEntries(new URL(url).searchParams);

/** Signs in on the authorization server's own page (Tahto has sent the citizen there). */
async function signInThere(page, citizen) {
  await page.waitForURL(`${AUTH_ORIGIN}/**`, { timeout: LOAD_TIMEOUT });
  await page.getByLabel('Username').fill(citizen.username);
  await page.getByLabel('Password').fill(citizen.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${APP_SMART_URL}/**`, { timeout: LOAD_TIMEOUT });
}

/** Opens Tahto, which finds nobody signed in and asks; signs in as `citizen`. */
async function openAndSignIn(page, citizen) {
  await page.goto(`${APP_SMART_URL}/`);
  await expect(page.getByRole('heading', { name: 'Sign in to Tahto' })).toBeVisible({ timeout: LOAD_TIMEOUT });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInThere(page, citizen);
  await expect(page.getByTestId('patient-banner')).toContainText('Esimerkki', { timeout: LOAD_TIMEOUT });
}

/** Her organ donation page, its decision loaded (signed in already). */
async function organDonationLoaded(page) {
  await navTo(page, HEADINGS.en);
  const ui = organDonationPage(page);
  await waitForDecisionLoaded(ui);
  return ui;
}

/**
 * She signs in without a refresh token (the server grants no online_access, so nothing can renew
 * the sign-in), and the server stops taking every token issued so far as she saves: the save
 * waits for her. Her organ donation page, with that save queued.
 */
async function saveAfterSignInEnded(page, citizen = HELMI) {
  await withhold(['online_access']);
  await openAndSignIn(page, citizen);
  const ui = await organDonationLoaded(page);
  await fetch(`${SMART_ORIGIN}/__admin/expire-tokens`, { method: 'POST' });
  await ui.radio('consent').check();
  await ui.saveButton.click();
  await expectSaveState(ui, 'queued');
  return ui;
}

/** A new EHR launch context for `citizen` at the authorization server (as the partner's portal makes one). */
async function launchFor(citizen) {
  const response = await fetch(`${AUTH_ORIGIN}/__admin/launch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ patient: citizen.patient }),
  });
  return (await response.json()).launch;
}

/**
 * A partner's page (served for this test at the partner's origin) with Tahto-with-sign-in in it,
 * `attributes` on its <tahto-embed>; Tahto's frame, once it is there. The page is made by the test,
 * so the browser takes it for a public site: it may load Tahto from this computer only with the
 * local network permission a real partner never needs.
 */
async function partnerWithTahto(page, attributes = {}) {
  await page.context().grantPermissions(['local-network-access']);
  const extra = Object.entries(attributes).map(([k, v]) => ` ${k}="${v.replaceAll('"', '&quot;')}"`).join('');
  await page.route(`${PARTNER_URL}/signed-in-partner`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>
        <script src="${APP_SMART_URL}/embed.js"></script></head>
        <body><main><h1>Partner</h1><tahto-embed section="organ-donation" lang="en"${extra}></tahto-embed></main></body></html>`,
    }),
  );
  await page.goto(`${PARTNER_URL}/signed-in-partner`);
  const frame = await tahtoFrame(page, 'organ-donation', { origin: APP_SMART_URL });
  await expect(frame.getByRole('heading', { name: 'Sign in to Tahto' })).toBeVisible({ timeout: LOAD_TIMEOUT });
  return frame;
}

/** Taps "Sign in" in the frame: the sign-in's own window, and the authorization request it made. */
async function openSignInWindow(page, frame) {
  const opened = page.waitForEvent('popup');
  // From the whole context, listening before the tap: the window may be on its way before the
  // test hears of it.
  const authorizing = page.context().waitForEvent('request', {
    predicate: (r) => r.url().startsWith(`${AUTH_ORIGIN}/auth?`),
    timeout: LOAD_TIMEOUT,
  });
  await frame.getByRole('button', { name: 'Sign in', exact: true }).click();
  const popup = await opened;
  const authorize = await authorizing;
  expect(authorize.frame().page(), 'asked from the sign-in window').toBe(popup);
  return { popup, asked: paramsOf(authorize.url()) };
}

/** She consents on `ui` (her organ donation page): confirmed, and stored once, as hers. */
async function consentAndCheckStoredAsHers(ui) {
  await ui.radio('consent').check();
  await ui.saveButton.click();
  await expectConfirmed(ui, 1);
  const saved = await organDonationsOf(HELMI);
  expect(saved).toHaveLength(1);
  expect(saved[0].patient.reference).toBe(`Patient/${HELMI.patient}`);
}

/** Until `opened` (a window) has closed (it may have before the test heard of it: then at once). */
async function closes(opened) {
  if (!opened.isClosed()) await opened.waitForEvent('close', { timeout: LOAD_TIMEOUT });
}

/** The request that ends the authorization server's session, from now on. */
function sessionEnding(page, timeout = LOAD_TIMEOUT) {
  return page.context().waitForEvent('request', {
    predicate: (r) => r.url().startsWith(`${AUTH_ORIGIN}/session/end`),
    timeout,
  });
}

/**
 * After signing out in a partner's frame: the sign-out `window` closes, the frame opens again
 * saying so, and the server's session has ended (signing in again asks who she is). The frame,
 * opened again.
 */
async function expectSignedOutInFrame(page, window) {
  await closes(window);
  const again = await tahtoFrame(page, 'organ-donation', { origin: APP_SMART_URL });
  await expect(again.getByTestId('signed-out')).toHaveText('You have signed out.', { timeout: LOAD_TIMEOUT });
  const { popup: next } = await openSignInWindow(page, again);
  await expect(next.getByLabel('Username')).toBeVisible({ timeout: LOAD_TIMEOUT });
  await next.close();
  return again;
}

/** Signs in as `citizen` on the authorization server's page in the sign-in window; it closes. */
async function signInInWindow(popup, citizen) {
  await popup.getByLabel('Username').fill(citizen.username);
  await popup.getByLabel('Password').fill(citizen.password);
  const closed = popup.waitForEvent('close', { timeout: LOAD_TIMEOUT });
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await closed;
}

/** Every value Tahto's origin keeps in the browser: storage, IndexedDB, cookies, caches' URLs. */
async function everythingStored(page) {
  const inPage = await page.evaluate(async () => {
    const out = [];
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i++) out.push(storage.key(i), storage.getItem(storage.key(i)));
    }
    const request = (r) => new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    for (const { name } of await indexedDB.databases()) {
      const db = await request(indexedDB.open(name));
      for (const store of db.objectStoreNames) {
        const values = await request(db.transaction(store).objectStore(store).getAll());
        out.push(JSON.stringify(values));
      }
      db.close();
    }
    for (const key of await caches.keys()) {
      const cache = await caches.open(key);
      for (const r of await cache.keys()) out.push(r.url);
    }
    return out;
  });
  const cookies = await page.context().cookies(APP_SMART_URL);
  return [...inPage, ...cookies.map((c) => `${c.name}=${c.value}`)].join('\n');
}

test.beforeEach(async () => {
  await fetch(`${SMART_ORIGIN}/__admin/reset`, { method: 'POST' });
  // Nothing withheld, no launches left from another test.
  await fetch(`${AUTH_ORIGIN}/__admin/reset`, { method: 'POST' });
});

test('sign-in: PKCE S256, state and audience; a declaration saved as the signed-in patient, with her token only in memory', async ({ page, context }) => {
  const problems = watchBrowserErrors(context);
  await confirmNoticeAs(HELMI);
  const authorizations = [];
  const fhirRequests = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${AUTH_ORIGIN}/auth?`)) authorizations.push(r.url());
    if (r.url().startsWith(SMART_FHIR_BASE) && !r.url().includes('.well-known')) fhirRequests.push(r);
  });
  const tokenRequest = page.waitForRequest(`${AUTH_ORIGIN}/token`, { timeout: 60_000 });
  const tokenResponse = page.waitForResponse(`${AUTH_ORIGIN}/token`, { timeout: 60_000 });

  // Nobody signed in: first silently (prompt=none), which needs the citizen; then she is asked.
  await openAndSignIn(page, HELMI);
  expect(authorizations).toHaveLength(2);
  const [silent, asked] = authorizations.map(paramsOf);
  expect(silent.prompt).toBe('none');
  expect(asked.prompt).toBeUndefined();
  for (const params of [silent, asked]) {
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: 'tahto',
      redirect_uri: `${APP_SMART_URL}/`,
      aud: SMART_FHIR_BASE,
      code_challenge_method: 'S256',
    });
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const scopes = params.scope.split(' ');
    expect(scopes).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'launch/patient', 'patient/Consent.crus']));
    expect(scopes.filter((s) => s.startsWith('patient/') && /\*/.test(s)), 'no wildcard scopes').toEqual([]);
  }
  expect(asked.state, 'a new state per request').not.toBe(silent.state);

  // The code came back with the state and went to the token endpoint with the verifier whose
  // SHA-256 is the challenge sent: the code is bound to this tab.
  const form = new URLSearchParams((await tokenRequest).postData());
  expect(form.get('grant_type')).toBe('authorization_code');
  expect(form.get('client_id')).toBe('tahto');
  const verifier = form.get('code_verifier');
  expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(createHash('sha256').update(verifier).digest('base64url')).toBe(asked.code_challenge);
  const tokens = await (await tokenResponse).json();
  expect(tokens.patient).toBe(HELMI.patient);
  // The code and state left the address at once.
  expect(page.url()).toBe(`${APP_SMART_URL}/`);
  await expect(page.getByTestId('patient-banner')).toHaveText(/^Helmi .*Esimerkki, born \S/);

  // Her decision is saved as her, with her token.
  await consentAndCheckStoredAsHers(await organDonationLoaded(page));
  expect(fhirRequests.length).toBeGreaterThan(2);
  for (const request of fhirRequests) {
    expect(await request.headerValue('authorization'), request.url()).toBe(`Bearer ${tokens.access_token}`);
  }

  // Nothing Tahto keeps holds a token (nor the PKCE verifier, which was read once and removed).
  const stored = await everythingStored(page);
  expect(stored).toContain('organ-donation');
  for (const secret of [tokens.access_token, tokens.id_token, tokens.refresh_token, verifier].filter(Boolean)) {
    expect(stored.includes(secret), 'a token or the verifier in storage').toBe(false);
  }
  expect(problems.filter((p) => !/favicon/.test(p)), 'no browser errors').toEqual([]);
});

test('a reload signs in again silently while the authorization server\'s session lasts', async ({ page }) => {
  await openAndSignIn(page, HELMI);
  const authorizations = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${AUTH_ORIGIN}/auth?`)) authorizations.push(paramsOf(r.url()));
  });
  await page.reload();
  await expect(page.getByTestId('patient-banner')).toContainText('Esimerkki', { timeout: LOAD_TIMEOUT });
  await expect(page.getByRole('heading', { name: 'Sign in to Tahto' })).toHaveCount(0);
  expect(authorizations.map((a) => a.prompt)).toEqual(['none']);
});

test('the sign-in ends while a save waits: it waits visibly, never refused, and is sent once after signing in again', async ({ page }) => {
  await confirmNoticeAs(HELMI);
  const ui = await saveAfterSignInEnded(page);
  await expect(ui.saveStatus).toContainText('your sign-in has ended');
  // Whose it is, and who made it (her sign-in's fhirUser), kept with the save.
  const [waiting] = await outboxEntries(page);
  expect(waiting.by).toBe(`Patient/${HELMI.patient}`);
  // Said at once, with the way back.
  const ended = page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Sign in again' }) });
  await expect(ended).toBeVisible();
  await expect(ended).toContainText('Your sign-in has ended. Saves not yet sent are kept, and go once you sign in again.');
  expect(await organDonationsOf(HELMI)).toHaveLength(0);

  // Offline, signing in again cannot start: said, and the button is there to try again.
  await page.context().setOffline(true);
  await ended.getByRole('button', { name: 'Sign in again' }).click();
  await expect(ended.getByTestId('sign-in-again-problem')).toHaveText(
    'Could not reach the identification service. Check your internet connection and try again.',
  );
  await expect(ended.getByRole('button', { name: 'Sign in again' })).toBeEnabled();
  await page.context().setOffline(false);

  // Signing in again (silently: the authorization server's session lasts) brings her back to the
  // same section, and the save goes, once, as hers.
  await ended.getByRole('button', { name: 'Sign in again' }).click();
  await page.waitForURL(`${APP_SMART_URL}/organ-donation`, { timeout: LOAD_TIMEOUT });
  await expect(page.getByTestId('patient-banner')).toContainText('Esimerkki', { timeout: LOAD_TIMEOUT });
  await expectConfirmed(organDonationPage(page), 1);
  await expect(page.getByRole('button', { name: 'Sign in again' })).toBeHidden();
  const saved = await organDonationsOf(HELMI);
  expect(saved, 'stored once').toHaveLength(1);
  expect(saved[0].patient.reference).toBe(`Patient/${HELMI.patient}`);
});

test('the sign-in page: in fi, sv and en, axe-clean, and a problem said in words', async ({ page }) => {
  await page.goto(`${APP_SMART_URL}/`);
  const titles = { fi: 'Kirjaudu Tahtoon', sv: 'Logga in i Tahto', en: 'Sign in to Tahto' };
  await expect(page.getByRole('heading', { name: titles.en })).toBeVisible({ timeout: LOAD_TIMEOUT });
  for (const lang of ['fi', 'sv', 'en']) {
    await page.getByRole('button', { name: LANGUAGE_BUTTON[lang], exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(titles[lang]);
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(violations, formatAxeViolations(violations)).toEqual([]);
  }
  // The citizen cancels at the authorization server: said so, and she can try again.
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${AUTH_ORIGIN}/**`, { timeout: LOAD_TIMEOUT });
  const url = new URL(page.url());
  const pending = await page.goto(`${APP_SMART_URL}/?error=access_denied&state=forged`);
  expect(pending.ok()).toBe(true);
  await expect(page.getByTestId('sign-in-problem')).toHaveText('The answer from the sign-in could not be checked, so it was not used. Sign in again.');
  expect(url.origin).toBe(AUTH_ORIGIN);
});

test('A signs out keeping an unsent save; B signs in on the same browser and neither sees nor sends it; A signs in again and it is sent', async ({ page }) => {
  const MATTI = DEMO_CITIZENS.matti;
  await confirmNoticeAs(HELMI);
  await confirmNoticeAs(MATTI);
  // Her sign-in ends on the server while she saves: the save waits for her.
  let ui = await saveAfterSignInEnded(page);

  // She signs out, keeping it on this device.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  const panel = page.getByTestId('sign-out');
  // Her sign-in has ended, so sending first would wait for ever: not offered, and said why.
  await expect(panel).toContainText('1 saves cannot be sent until you choose: the record was changed elsewhere, or your sign-in has ended.');
  await expect(panel.getByRole('button')).toHaveText([
    'Keep them on this device and sign out',
    'Discard them and sign out',
    'Cancel',
  ]);
  await panel.getByRole('button', { name: 'Keep them on this device and sign out' }).click();
  await page.waitForURL(`${APP_SMART_URL}/**`, { timeout: LOAD_TIMEOUT });
  await expect(page.getByTestId('signed-out')).toHaveText('You have signed out.', { timeout: LOAD_TIMEOUT });
  const kept = await outboxEntries(page);
  expect(kept.map((e) => e.record), 'her unsent save is kept').toEqual(['organ-donation']);

  // Matti signs in on the same browser: the authorization server's session ended, so he is asked.
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await signInThere(page, MATTI);
  await expect(page.getByTestId('patient-banner')).toContainText('Matti Meikäläinen', { timeout: LOAD_TIMEOUT });
  await expect(page.getByTestId('unsent-badge')).toBeHidden();
  ui = await organDonationLoaded(page);
  await expect(ui.summary).toContainText('You have not recorded a decision.');
  await expect(ui.radio('consent')).not.toBeChecked();
  // Give a send every chance to happen: none may, under his name or hers.
  await page.waitForTimeout(2_000);
  expect(await organDonationsOf(MATTI)).toHaveLength(0);
  expect(await organDonationsOf(HELMI)).toHaveLength(0);
  expect((await outboxEntries(page)).map((e) => e.owner), 'hers, still waiting').toEqual(kept.map((e) => e.owner));

  // He signs out (nothing unsent: no question); she signs in again, and her save goes, once.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByTestId('sign-out').getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByTestId('signed-out')).toBeVisible({ timeout: LOAD_TIMEOUT });
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await signInThere(page, HELMI);
  await expect(page.getByTestId('patient-banner')).toContainText('Esimerkki', { timeout: LOAD_TIMEOUT });
  await expect.poll(() => organDonationsOf(HELMI).then((c) => c.length), { timeout: LOAD_TIMEOUT }).toBe(1);
  expect(await organDonationsOf(MATTI)).toHaveLength(0);
  await expect.poll(() => outboxEntries(page).then((e) => e.length)).toBe(0);
  // Three sign-ins and two sign-outs later, no token was ever kept.
  expect(await everythingStored(page)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
});

test('the browser refuses to keep saves: a waiting save is said to be on this page only, and signing out does not offer to keep it', async ({ page, context }) => {
  await confirmNoticeAs(HELMI);
  await context.addInitScript(() => {
    // As in a locked-down private window: no IndexedDB, and localStorage refuses every write
    // (this tab's sessionStorage, which the sign-in's redirect needs, still works).
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (this === window.localStorage) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return setItem.call(this, key, value);
    };
  });
  const ui = await saveAfterSignInEnded(page);
  await expect(page.getByRole('alert').filter({ hasText: 'did not let Tahto keep your save' })).toBeVisible();
  // Not "kept safely on this device": it is in this tab's memory only.
  await expect(ui.saveStatus).toContainText('What you saved is only on this page');
  await expect(ui.saveStatus).not.toContainText('on this device and will be sent');

  await page.getByTestId('unsent-badge').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unsent saves');
  await expect(page.getByText('The browser does not let Tahto keep them on this device, so they are only on this page.', { exact: false })).toBeVisible();
  await expect(page.getByText('nothing is lost if you close the page')).toBeHidden();

  // Signing out reloads the page: "keep them on this device" would lose the save, so it is not offered.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  const panel = page.getByTestId('sign-out');
  await expect(panel).toContainText('1 saves cannot be sent until you choose');
  await expect(panel.getByRole('button')).toHaveText(['Discard them and sign out', 'Cancel']);
  await panel.getByRole('button', { name: 'Cancel' }).click();
  expect(await organDonationsOf(HELMI), 'nothing sent while her sign-in has ended').toHaveLength(0);
});

test('signing out in one tab signs out the others, and the next sign-in asks for the password again', async ({ page, context }) => {
  await openAndSignIn(page, HELMI);
  // A second tab, signed in silently on the authorization server's session.
  const other = await context.newPage();
  await other.goto(`${APP_SMART_URL}/`);
  await expect(other.getByTestId('patient-banner')).toContainText('Esimerkki', { timeout: LOAD_TIMEOUT });

  // She signs out in the first and leaves: the second shows nothing of hers.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByTestId('sign-out').getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByTestId('signed-out')).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(other.getByRole('heading', { name: 'Sign in to Tahto' })).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(other.getByTestId('patient-banner')).toHaveCount(0);
  await expect(other.getByTestId('signed-out')).toHaveText('You have signed out.');

  // A reload does not sign anyone in silently; the next sign-in asks for the password
  // (`prompt=login`), even where the authorization server's session had outlived hers.
  await other.reload();
  await expect(other.getByRole('heading', { name: 'Sign in to Tahto' })).toBeVisible({ timeout: LOAD_TIMEOUT });
  const asked = other.waitForRequest((r) => r.url().startsWith(`${AUTH_ORIGIN}/auth?`));
  await other.getByRole('button', { name: 'Sign in', exact: true }).click();
  expect(new URL((await asked).url()).searchParams.get('prompt')).toBe('login');
  await signInThere(other, HELMI);
  await expect(other.getByTestId('patient-banner')).toContainText('Esimerkki', { timeout: LOAD_TIMEOUT });
  await other.close();
});

test('a request outside what the sign-in allows is refused by the server and said in plain words', async ({ page }) => {
  // The citizen unticked her consent decisions at the authorization server: Tahto's token does not
  // carry the Consent scope, and the FHIR server refuses those requests (403).
  await withhold(['patient/Consent.crus']);
  const refused = [];
  page.on('response', (r) => {
    if (r.url().startsWith(`${SMART_FHIR_BASE}/Consent`) && r.status() === 403) refused.push(r.url());
  });
  await openAndSignIn(page, HELMI);
  await navTo(page, HEADINGS.en);
  const ui = organDonationPage(page);
  await expect(ui.root).toContainText(
    'Your decision could not be loaded: your sign-in does not give access to this information.',
    { timeout: LOAD_TIMEOUT },
  );
  expect(refused.length, 'the server refused, Tahto did not guess').toBeGreaterThan(0);
  // Her name is still shown: reading her own Patient is allowed.
  await expect(page.getByTestId('patient-banner')).toContainText('Esimerkki');
});

test('with a refresh token, an expired token is renewed without asking, once for all waiting requests, and the save goes', async ({ page }) => {
  await confirmNoticeAs(HELMI);
  const grants = [];
  page.on('request', (r) => {
    if (r.url() === `${AUTH_ORIGIN}/token`) grants.push(new URLSearchParams(r.postData()).get('grant_type'));
  });
  const firstTokens = page.waitForResponse(`${AUTH_ORIGIN}/token`, { timeout: 60_000 }).then((r) => r.json());
  await openAndSignIn(page, HELMI);
  expect((await firstTokens).refresh_token, 'online_access granted: a refresh token').toBeTruthy();
  const ui = await organDonationLoaded(page);

  await fetch(`${SMART_ORIGIN}/__admin/expire-tokens`, { method: 'POST' });
  await ui.radio('consent').check();
  await ui.saveButton.click();
  await expectConfirmed(ui, 1);
  expect(grants, 'signed in once, renewed once').toEqual(['authorization_code', 'refresh_token']);
  await expect(page.getByRole('button', { name: 'Sign in again' })).toBeHidden();
  const saved = await organDonationsOf(HELMI);
  expect(saved, 'stored once').toHaveLength(1);
  // Renewed again later with the rotated refresh token (the first one is spent: used again, it
  // would revoke the sign-in).
  await fetch(`${SMART_ORIGIN}/__admin/expire-tokens`, { method: 'POST' });
  await ui.radio('refuse').check();
  await ui.saveButton.click();
  await expectConfirmed(ui, 2);
  expect(grants).toEqual(['authorization_code', 'refresh_token', 'refresh_token']);
});

test('in a partner\'s frame, the portal\'s EHR launch: she signs in in a window of its own, the frame saves as her, and signs out', async ({ page }) => {
  await confirmNoticeAs(HELMI);
  const launch = await launchFor(HELMI);
  const toAuth = [];
  page.context().on('request', (r) => {
    if (r.url().startsWith(AUTH_ORIGIN)) toAuth.push(r.url());
  });
  await recordTahtoEvents(page);
  const frame = await partnerWithTahto(page, { iss: SMART_FHIR_BASE, launch, theme: JSON.stringify({ brand: '#005a8c' }) });
  expect(toAuth, 'nothing to the authorization server before she asks').toEqual([]);
  // Before she signs in, the frame is linked to the partner's page: ready, the partner's look,
  // and as tall as the sign-in page (not the frame's first 640 px).
  const ready = await waitForTahtoEvent(page, 'ready');
  expect(ready.detail).toMatchObject({ section: 'organ-donation', lang: 'en' });
  const brand = () => frame.evaluate(() => document.getElementById('tahto').style.getPropertyValue('--tahto-brand'));
  await expect.poll(brand, { message: "the partner's theme, on the sign-in page" }).toBe('#005a8c');
  await expectFrameFitsContent(frame, 'the sign-in page');

  const { popup, asked } = await openSignInWindow(page, frame);
  // The launch goes with the request, and the answer comes back to Tahto's own page, not the frame.
  expect(asked.launch).toBe(launch);
  expect(asked.scope.split(' ')).toContain('launch');
  expect(asked.redirect_uri).toBe(`${APP_SMART_URL}/signed-in.html`);
  expect(asked.aud).toBe(SMART_FHIR_BASE);
  expect(asked.code_challenge_method).toBe('S256');
  expect(asked.prompt, 'she is asked, in her own window').toBeUndefined();
  const tokenRequests = [];
  frame.page().on('request', (r) => {
    if (r.url() === `${AUTH_ORIGIN}/token`) tokenRequests.push({ frame: r.frame().url(), body: new URLSearchParams(r.postData() ?? '') });
  });
  // signed-in.html hands the answer back and the frame closes the window.
  await signInInWindow(popup, HELMI);
  await expect(frame.getByTestId('patient-banner')).toContainText('Helmi Esimerkki', { timeout: LOAD_TIMEOUT });
  // The code was exchanged in the frame, with the verifier whose SHA-256 is the challenge sent.
  expect(tokenRequests).toHaveLength(1);
  expect(new URL(tokenRequests[0].frame).pathname).toBe('/embed');
  const verifier = tokenRequests[0].body.get('code_verifier');
  expect(createHash('sha256').update(verifier).digest('base64url')).toBe(asked.code_challenge);
  expect(tokenRequests[0].body.get('redirect_uri')).toBe(`${APP_SMART_URL}/signed-in.html`);
  expect(new URL(frame.url()).searchParams.get('code'), 'no code in the frame\'s address').toBeNull();

  // The frame shows her section and saves as her. The link to the partner's page is the same:
  // no second ready, the look kept, the unsent count told, the frame fits the section.
  const ui = organDonationPage(frame);
  await waitForDecisionLoaded(ui);
  await waitForTahtoEvent(page, 'unsent', { where: (e) => e.detail.count === 0 });
  expect(await tahtoEvents(page, { type: 'ready' }), 'ready once per frame load').toHaveLength(1);
  expect(await brand()).toBe('#005a8c');
  await expectFrameFitsContent(frame, 'her section, signed in');
  await consentAndCheckStoredAsHers(ui);

  // Signing out inside the frame: the authorization server ends its session in a window opened
  // at the tap, which closes itself back on signed-in.html; the frame shows its sign-in page.
  await frame.getByRole('button', { name: 'Sign out', exact: true }).click();
  const signingOut = page.waitForEvent('popup');
  const ending = sessionEnding(page);
  await frame.getByTestId('sign-out').getByRole('button', { name: 'Sign out', exact: true }).click();
  const endWindow = await signingOut;
  const ended = paramsOf((await ending).url());
  expect(ended.post_logout_redirect_uri).toBe(`${APP_SMART_URL}/signed-in.html`);
  expect(ended.id_token_hint, 'her sign-in named').toBeTruthy();
  const again = await expectSignedOutInFrame(page, endWindow);
  await expect(again.getByTestId('patient-banner')).toHaveCount(0);
  expect(new URL(again.url()).searchParams.has('signed-out'), 'said once: a reload is not another sign-out').toBe(false);
});

test('in a partner\'s frame, "send them first, then sign out": the window opened at the tap waits, saying so, then the server\'s session ends too', async ({ page }) => {
  await confirmNoticeAs(HELMI);
  const frame = await partnerWithTahto(page);
  const { popup } = await openSignInWindow(page, frame);
  await signInInWindow(popup, HELMI);
  const ui = organDonationPage(frame);
  await expect(frame.getByTestId('patient-banner')).toContainText('Helmi Esimerkki', { timeout: LOAD_TIMEOUT });
  await waitForDecisionLoaded(ui);
  // The FHIR server cannot be reached: her save waits.
  const creates = `${SMART_ORIGIN}/**/Consent*`;
  const unreachable = (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue());
  await page.route(creates, unreachable);
  await ui.radio('consent').check();
  await ui.saveButton.click();
  await expectSaveState(ui, 'queued');

  // She signs out, sending the save first. The browser opens the window only in her tap: it is
  // opened there and says what it waits for, in her language.
  await frame.getByRole('button', { name: 'Sign out', exact: true }).click();
  const opened = page.waitForEvent('popup');
  await frame.getByTestId('sign-out').getByRole('button', { name: 'Send them first, then sign out' }).click();
  const waiting = await opened;
  await expect(waiting.locator('body')).toHaveText('Signing out… Tahto is sending your saves first.');
  await expect(waiting.locator('html')).toHaveAttribute('lang', 'en');
  await expect(frame.getByTestId('sign-out')).toContainText('Waiting for 1 saves to be sent.');
  expect(await organDonationsOf(HELMI), 'nothing stored yet').toHaveLength(0);

  // The server is back: the save goes (the outbox's own retry), then the window ends the
  // session at the authorization server, naming her sign-in, and closes.
  const ending = sessionEnding(page, 30_000);
  await page.unroute(creates, unreachable);
  const ended = paramsOf((await ending).url());
  expect(ended.id_token_hint, 'her sign-in named').toBeTruthy();
  expect(await organDonationsOf(HELMI), 'her save stored once, before she was signed out').toHaveLength(1);
  await expectSignedOutInFrame(page, waiting);
});

test('in a partner\'s frame, the sign-in ends while a save waits: it waits visibly, and goes once after signing in again in the window', async ({ page }) => {
  // No refresh token: nothing renews the sign-in without her.
  await withhold(['online_access']);
  await confirmNoticeAs(HELMI);
  const frame = await partnerWithTahto(page, { iss: SMART_FHIR_BASE, launch: await launchFor(HELMI) });
  const { popup } = await openSignInWindow(page, frame);
  await signInInWindow(popup, HELMI);
  const ui = organDonationPage(frame);
  await waitForDecisionLoaded(ui);

  await fetch(`${SMART_ORIGIN}/__admin/expire-tokens`, { method: 'POST' });
  await ui.radio('consent').check();
  await ui.saveButton.click();
  await expectSaveState(ui, 'queued');
  await expect(ui.saveStatus).toContainText('your sign-in has ended');
  const ended = frame.getByRole('alert').filter({ has: frame.getByRole('button', { name: 'Sign in again' }) });
  await expect(ended).toBeVisible();
  expect(await organDonationsOf(HELMI)).toHaveLength(0);

  // The window asks nothing (her session there lasts) and closes; no page load: the save goes
  // from where she is, once, as hers.
  const again = page.waitForEvent('popup');
  await ended.getByRole('button', { name: 'Sign in again' }).click();
  await closes(await again);
  await expectConfirmed(ui, 1);
  await expect(frame.getByRole('button', { name: 'Sign in again' })).toBeHidden();
  const saved = await organDonationsOf(HELMI);
  expect(saved, 'stored once').toHaveLength(1);
  expect(saved[0].patient.reference).toBe(`Patient/${HELMI.patient}`);
});

test('in a partner\'s frame: code that cannot be fetched, a closed window and a blocked one are said, a launch for someone else is refused, and a launch from an unknown server is not followed', async ({ page }) => {
  // The portal launched for Matti. The sign-in window's code cannot be fetched first: said, the
  // window closed, nothing lost.
  const frame = await partnerWithTahto(page, { iss: SMART_FHIR_BASE, launch: await launchFor(DEMO_CITIZENS.matti) });
  const windowPart = /\/tahto-split_sign_in_window-[0-9a-f]+\.wasm/;
  await page.route(windowPart, (route) => route.abort('internetdisconnected'));
  const blank = page.waitForEvent('popup');
  await frame.getByRole('button', { name: 'Sign in', exact: true }).click();
  await closes(await blank);
  await expect(frame.getByTestId('sign-in-problem')).toHaveText('Could not reach the identification service. Check your internet connection and try again.');
  await page.unroute(windowPart);
  // She closes the sign-in window herself.
  let { popup } = await openSignInWindow(page, frame);
  await popup.getByLabel('Username').waitFor({ timeout: LOAD_TIMEOUT });
  await popup.close();
  await expect(frame.getByTestId('sign-in-problem')).toHaveText('The sign-in window was closed before you signed in. You can try again.', { timeout: LOAD_TIMEOUT });
  await expect(frame.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();

  // Helmi signs in to Matti's launch: the authorization server refuses, and the frame says so.
  ({ popup } = await openSignInWindow(page, frame));
  await expect(frame.getByTestId('sign-in-problem')).toBeEmpty();
  await signInInWindow(popup, HELMI);
  await expect(frame.getByTestId('sign-in-problem')).toHaveText('Signing in was cancelled or not allowed. You can try again.');
  await expect(frame.getByTestId('patient-banner')).toHaveCount(0);

  // A launch naming another FHIR server: said, and not followed.
  const other = await partnerWithTahto(page, { iss: 'https://fhir.elsewhere.example/R4', launch: 'abc' });
  await expect(other.getByTestId('sign-in-problem')).toHaveText('The site you came from asked for a sign-in to a service Tahto does not know, so that request was not used. You can sign in to Tahto as usual.');
  // A browser that opens no window: said, with Tahto's own address as the way.
  await other.evaluate(() => {
    window.openAsBrowserDoes = window.open;
    window.open = () => null;
  });
  await other.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(other.getByTestId('sign-in-problem')).toHaveText('Your browser did not open the sign-in window. Allow pop-up windows for this site, or open Tahto in a tab of its own.');
  const open = other.getByRole('link', { name: 'Open Tahto (opens in a new tab)' });
  await expect(open).toHaveAttribute('href', `${APP_SMART_URL}/`);
  await expect(open).toHaveAttribute('target', '_blank');
  // Her own sign-in, without the launch (her session at the authorization server lasts, so the
  // window asks nothing and closes).
  await other.evaluate(() => {
    window.open = window.openAsBrowserDoes;
  });
  let asked;
  ({ popup, asked } = await openSignInWindow(page, other));
  expect(asked.launch).toBeUndefined();
  expect(asked.scope.split(' ')).not.toContain('launch');
  await expect(other.getByTestId('patient-banner')).toContainText('Helmi Esimerkki', { timeout: LOAD_TIMEOUT });
  expect(popup.isClosed()).toBe(true);
});

test('an EHR launch in a tab of its own: signed in for the launch, and the launch leaves the address; one from an unknown server is not followed', async ({ page }) => {
  const launch = await launchFor(HELMI);
  const authorizing = page.waitForRequest((r) => r.url().startsWith(`${AUTH_ORIGIN}/auth?`));
  await page.goto(`${APP_SMART_URL}/organ-donation?iss=${encodeURIComponent(SMART_FHIR_BASE)}&launch=${launch}`);
  const asked = paramsOf((await authorizing).url());
  expect(asked.launch).toBe(launch);
  expect(asked.scope.split(' ')).toContain('launch');
  expect(asked.prompt, 'a launch asks her, not silently').toBeUndefined();
  await signInThere(page, HELMI);
  await expect(page.getByTestId('patient-banner')).toContainText('Helmi Esimerkki', { timeout: LOAD_TIMEOUT });
  expect(new URL(page.url()).pathname).toBe('/organ-donation');
  expect(new URL(page.url()).search, 'nothing of the launch or the answer left').toBe('');

  await page.goto(`${APP_SMART_URL}/?iss=https%3A%2F%2Ffhir.elsewhere.example%2FR4&launch=abc`);
  await expect(page.getByTestId('sign-in-problem')).toHaveText('The site you came from asked for a sign-in to a service Tahto does not know, so that request was not used. You can sign in to Tahto as usual.', { timeout: LOAD_TIMEOUT });
});

test('an old answer in the address (a bookmark, a shared link) is never used, and leaves the address', async ({ page }) => {
  const tokenRequests = [];
  page.on('request', (r) => {
    if (r.url() === `${AUTH_ORIGIN}/token`) tokenRequests.push(r.url());
  });
  await page.goto(`${APP_SMART_URL}/organ-donation?code=stolen-code&state=stolen-state`);
  await expect(page.getByRole('heading', { name: 'Sign in to Tahto' })).toBeVisible({ timeout: LOAD_TIMEOUT });
  expect(page.url(), 'the code and state are gone from the address').toBe(`${APP_SMART_URL}/organ-donation`);
  expect(tokenRequests, 'no code was exchanged').toEqual([]);
});
