// SMART App Launch 2.2 end to end over real HTTP: the dev authorization server (auth.mjs) and a
// FHIR server that takes only its tokens (server.mjs with authIssuer), in this process on free
// ports; the CLIs once as child processes. The citizen's sign-in is driven as a browser would:
// authorize → sign-in form → redirects with a cookie jar → code → token with the PKCE verifier.
// Run: node --test tests/fhir-server/
import { freePort, spawnReady } from './spawn-ready.mjs';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLIENT_ID, DEMO_CITIZENS, createAuthServer } from './auth.mjs';
import { PATIENT_ID, SECOND_PATIENT_ID, noticeConfirmation } from './seed.mjs';
import { FhirStore, createServer } from './server.mjs';
import { CookieJar, authorize, jwtPayload, pkcePair, request, signIn, tokenRequest } from './smart-client.mjs';
import { contentSecurityPolicy, injectConfig } from './static.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REDIRECT = 'http://127.0.0.1:18085/';
const APP_ORIGIN = 'http://127.0.0.1:18085';
const { helmi, matti } = DEMO_CITIZENS;
const ALL = 'openid fhirUser launch/patient patient/*.cruds';


const listen = (server, port) => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const close = (server) => {
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  return closed;
};

let issuer;
let fhirBase;
let authServer;
let fhirServer;

before(async () => {
  const [authPort, fhirPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${authPort}`;
  fhirBase = `http://127.0.0.1:${fhirPort}/fhir/R4`;
  authServer = createAuthServer({ issuer, fhirBase, redirectUris: [REDIRECT] });
  await listen(authServer, authPort);
  const store = new FhirStore();
  await store.init();
  fhirServer = createServer(store, { authIssuer: issuer });
  await listen(fhirServer, fhirPort);
});

after(async () => {
  await Promise.all([close(authServer), close(fhirServer)]);
});

/** The sign-in as a citizen, for `scope` (the whole flow). */
const signInAs = (citizen, scope = ALL, extra = {}) => signIn({ issuer, fhirBase, redirectUri: REDIRECT, scope, citizen, ...extra });

/** A FHIR request with `token` (or none); JSON body in and out. */
async function fhir(token, path, { method = 'GET', body, headers = {} } = {}) {
  const response = await fetch(`${fhirBase}${path}`, {
    method,
    headers: {
      Origin: APP_ORIGIN,
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'Content-Type': 'application/fhir+json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Authorization request parameters for the tahto client. */
function authParams(extra = {}) {
  const { challenge } = pkcePair();
  return {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT,
    scope: ALL,
    state: 's1',
    aud: fhirBase,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

const issueText = (body) => body.issue[0].details.text;

describe('discovery', () => {
  test('smart-configuration is open and names the issuer endpoints', async () => {
    const { status, body, headers } = await fhir(undefined, '/.well-known/smart-configuration');
    assert.equal(status, 200);
    assert.equal(headers.get('access-control-allow-origin'), APP_ORIGIN);
    const oidc = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    assert.equal(body.issuer, issuer);
    for (const key of ['authorization_endpoint', 'token_endpoint', 'revocation_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      assert.equal(body[key], oidc[key], key);
      assert.ok(body[key].startsWith(issuer), key);
    }
    assert.deepEqual(body.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(body.token_endpoint_auth_methods_supported, ['none']);
    assert.deepEqual(body.response_types_supported, ['code']);
    assert.deepEqual(body.grant_types_supported, ['authorization_code', 'refresh_token']);
    for (const scope of ['openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'patient/Consent.cruds']) {
      assert.ok(body.scopes_supported.includes(scope), scope);
    }
    for (const capability of [
      'launch-standalone', 'launch-ehr', 'client-public', 'context-standalone-patient', 'context-ehr-patient',
      'permission-patient', 'permission-v2', 'sso-openid-connect', 'permission-offline',
    ]) {
      assert.ok(body.capabilities.includes(capability), capability);
    }
  });

  test('the CapabilityStatement stays open and says SMART-on-FHIR', async () => {
    const { status, body } = await fhir(undefined, '/metadata');
    assert.equal(status, 200);
    assert.equal(body.rest[0].security.service[0].coding[0].code, 'SMART-on-FHIR');
  });
});

describe('sign-in page', () => {
  test('is accessible, lists the demo citizens and says when the password is wrong', async () => {
    const jar = new CookieJar();
    const { loginPage, loginUrl } = await authorize({ issuer, jar, params: authParams() });
    assert.match(loginPage, /<html lang="en">/);
    assert.match(loginPage, /<h1>[^<]+<\/h1>/);
    assert.match(loginPage, /<label for="username">Username<\/label><input id="username"/);
    assert.match(loginPage, /<label for="password">Password<\/label><input id="password" name="password" type="password"/);
    assert.match(loginPage, /<button type="submit">Sign in<\/button>/);
    assert.match(loginPage, /helmi<\/code> \/ <code>tahto-demo/);
    assert.doesNotMatch(loginPage, /role="alert"/);

    const wrong = await request(jar, loginUrl, { method: 'POST', form: { username: 'helmi', password: 'nope' } });
    const html = await wrong.text();
    assert.match(html, /<p role="alert">Wrong username or password<\/p>/);
    assert.match(html, /value="helmi"/); // the username is kept, the password not
  });

  test('a sign-in form without its interaction cookie says so, with no details', async () => {
    const { loginUrl } = await authorize({ issuer, jar: new CookieJar(), params: authParams() });
    const stale = await request(new CookieJar(), loginUrl, { method: 'POST', form: helmi });
    assert.equal(stale.status, 400);
    assert.match(await stale.text(), /role="alert">This sign-in has expired/);
  });
});

describe('authorization code with PKCE', () => {
  test('gives a JWT for the FHIR base with the patient, and the patient in the response', async () => {
    const token = await signInAs(helmi, 'openid fhirUser launch/patient patient/Observation.rs patient/Consent.crus user/Foo.r');
    assert.equal(token.patient, PATIENT_ID);
    assert.equal(token.token_type, 'Bearer');
    // Exactly what was asked, of what exists (user/ scopes are not this server's).
    assert.equal(token.scope, 'openid fhirUser launch/patient patient/Observation.rs patient/Consent.crus');
    const claims = jwtPayload(token.access_token);
    assert.equal(claims.aud, fhirBase);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.patient, PATIENT_ID);
    assert.equal(claims.fhirUser, `Patient/${PATIENT_ID}`);
    assert.equal(claims.scope, token.scope);
    assert.ok(claims.exp - claims.iat <= 600);
    assert.equal(jwtPayload(token.id_token).fhirUser, `${fhirBase}/Patient/${PATIENT_ID}`);
    assert.equal(token.refresh_token, undefined); // neither offline_access nor online_access

    const read = await fhir(token.access_token, `/Observation?patient=${PATIENT_ID}&_count=1`);
    assert.equal(read.status, 200);
    assert.ok(read.body.total > 0);
  });

  test('the token endpoint answers CORS from any origin', async () => {
    const preflight = await fetch(`${issuer}/token`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://elsewhere.test', 'Access-Control-Request-Method': 'POST' },
    });
    assert.ok(preflight.status < 300);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://elsewhere.test');
    const { response } = await tokenRequest(issuer, { grant_type: 'authorization_code', code: 'x', client_id: CLIENT_ID, redirect_uri: REDIRECT, code_verifier: 'v'.repeat(43) }, { origin: 'http://elsewhere.test' });
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://elsewhere.test');
  });

  test('a wrong code_verifier is refused', async () => {
    const jar = new CookieJar();
    const { params } = await authorize({ issuer, jar, params: authParams(), credentials: helmi });
    assert.ok(params.code);
    const { status, body } = await tokenRequest(issuer, {
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: REDIRECT,
      client_id: CLIENT_ID,
      code_verifier: pkcePair().verifier,
    });
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
  });

  test('code_challenge_method=plain and a missing challenge are refused', async () => {
    const jar = new CookieJar();
    const plain = await authorize({ issuer, jar, params: authParams({ code_challenge: 'p'.repeat(43), code_challenge_method: 'plain' }) });
    assert.equal(plain.params.error, 'invalid_request');
    const { code_challenge: _c, code_challenge_method: _m, ...without } = authParams();
    const none = await authorize({ issuer, jar, params: without });
    assert.equal(none.params.error, 'invalid_request');
  });

  test('an aud that is not the FHIR base is refused', async () => {
    const { params } = await authorize({ issuer, jar: new CookieJar(), params: authParams({ aud: 'https://elsewhere.test/fhir' }) });
    assert.equal(params.error, 'invalid_request');
  });
});

describe('the FHIR server takes only valid tokens', () => {
  test('no token, a garbage token and an id token: 401 with WWW-Authenticate', async () => {
    const { id_token: idToken } = await signInAs(helmi);
    for (const token of [undefined, 'garbage.token.here', idToken]) {
      const { status, headers, body } = await fhir(token, `/Patient/${PATIENT_ID}`);
      assert.equal(status, 401, String(token).slice(0, 10));
      assert.match(headers.get('www-authenticate'), /^Bearer realm="tahto", error="invalid_token"/);
      assert.match(headers.get('access-control-expose-headers'), /WWW-Authenticate/);
      assert.equal(headers.get('access-control-allow-origin'), APP_ORIGIN);
      assert.equal(body.resourceType, 'OperationOutcome');
      assert.equal(body.issue[0].code, 'login');
      assert.ok(issueText(body).length > 10);
    }
  });

  test('a preflight needs no token and allows Authorization', async () => {
    const response = await fetch(`${fhirBase}/Consent`, {
      method: 'OPTIONS',
      headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(response.status, 204);
    assert.match(response.headers.get('access-control-allow-headers'), /Authorization/);
  });

  test('a scope the token lacks: 403 naming the type and interaction', async () => {
    const { access_token: token } = await signInAs(helmi, 'openid launch/patient patient/Observation.rs');
    const created = await fhir(token, '/Consent', { method: 'POST', body: noticeConfirmation(PATIENT_ID) });
    assert.equal(created.status, 403);
    assert.equal(created.body.issue[0].code, 'forbidden');
    assert.equal(issueText(created.body), 'The sign-in does not allow creating Consent');
    assert.match(created.headers.get('www-authenticate'), /error="insufficient_scope"/);
    assert.equal((await fhir(token, `/Consent?patient=${PATIENT_ID}`)).status, 403);
    assert.equal((await fhir(token, `/Observation?patient=${PATIENT_ID}`)).status, 200);
    // .rs: search and read, no update.
    const search = await fhir(token, `/Observation?patient=${PATIENT_ID}&_count=1`);
    const observation = search.body.entry[0].resource;
    assert.equal((await fhir(token, `/Observation/${observation.id}`)).status, 200);
    const put = await fhir(token, `/Observation/${observation.id}`, { method: 'PUT', body: observation });
    assert.equal(put.status, 403);
    assert.equal(issueText(put.body), 'The sign-in does not allow updating Observation');
  });

  test('SMART v1 scopes count too', async () => {
    const { access_token: token } = await signInAs(helmi, 'openid patient/Consent.read');
    assert.equal((await fhir(token, `/Consent?patient=${PATIENT_ID}`)).status, 200);
    assert.equal((await fhir(token, '/Consent', { method: 'POST', body: noticeConfirmation(PATIENT_ID) })).status, 403);
  });
});

describe('the patient compartment', () => {
  let helmiToken;
  let mattiToken;
  before(async () => {
    helmiToken = (await signInAs(helmi)).access_token;
    mattiToken = (await signInAs(matti)).access_token;
  });

  test("another patient's Patient and records are refused", async () => {
    assert.equal((await fhir(helmiToken, `/Patient/${PATIENT_ID}`)).status, 200);
    const other = await fhir(helmiToken, `/Patient/${SECOND_PATIENT_ID}`);
    assert.equal(other.status, 403);
    assert.equal(other.body.issue[0].code, 'forbidden');
    assert.equal((await fhir(helmiToken, `/Consent?patient=${SECOND_PATIENT_ID}`)).status, 403);
    assert.equal((await fhir(helmiToken, `/Consent?patient=Patient/${SECOND_PATIENT_ID}`)).status, 403);
    assert.equal((await fhir(helmiToken, `/Observation?subject=${SECOND_PATIENT_ID}`)).status, 403);
    assert.equal((await fhir(helmiToken, `/Patient?_id=${SECOND_PATIENT_ID}`)).status, 403);
    // Matti's token sees none of Helmi's lab results, by id or by search.
    const helmis = await fhir(helmiToken, `/Observation?patient=${PATIENT_ID}&_count=1`);
    const observationId = helmis.body.entry[0].resource.id;
    assert.equal((await fhir(mattiToken, `/Observation/${observationId}`)).status, 403);
    assert.equal((await fhir(mattiToken, `/Observation/${observationId}/_history`)).status, 403);
    const mine = await fhir(mattiToken, '/Observation');
    assert.equal(mine.status, 200);
    assert.equal(mine.body.total, 0);
    assert.equal((await fhir(mattiToken, '/Observation/_history')).body.total, 0);
  });

  test('a search without a patient gets only theirs and what is shared', async () => {
    const patients = await fhir(helmiToken, '/Patient');
    assert.deepEqual(patients.body.entry.map((e) => e.resource.id), [PATIENT_ID]);
    const all = await fhir(helmiToken, '/Observation?_count=1000');
    assert.ok(all.body.total > 0);
    assert.ok(all.body.entry.every((e) => e.resource.subject.reference === `Patient/${PATIENT_ID}`));
    // The notice is about no patient: both see it; so are organizations.
    const notice = await fhir(mattiToken, '/DocumentReference?status=current');
    assert.deepEqual(notice.body.entry.map((e) => e.resource.id), ['kanta-information-notice']);
    assert.equal((await fhir(mattiToken, '/Organization/org-tays')).status, 200);
  });

  test("writes about another patient, or about none, are refused; one's own are stored", async () => {
    const forMatti = await fhir(helmiToken, '/Consent', { method: 'POST', body: noticeConfirmation(SECOND_PATIENT_ID) });
    assert.equal(forMatti.status, 403);
    const { patient: _p, ...aboutNobody } = noticeConfirmation(PATIENT_ID);
    assert.equal((await fhir(helmiToken, '/Consent', { method: 'POST', body: aboutNobody })).status, 403);
    const created = await fhir(helmiToken, '/Consent', { method: 'POST', body: noticeConfirmation(PATIENT_ID) });
    assert.equal(created.status, 201);
    const { id } = created.body;
    // Matti can neither read, overwrite nor delete it, nor find it.
    assert.equal((await fhir(mattiToken, `/Consent/${id}`)).status, 403);
    const stolen = { ...noticeConfirmation(SECOND_PATIENT_ID), id };
    assert.equal((await fhir(mattiToken, `/Consent/${id}`, { method: 'PUT', body: stolen })).status, 403);
    assert.equal((await fhir(mattiToken, `/Consent/${id}`, { method: 'DELETE' })).status, 403);
    assert.equal((await fhir(mattiToken, '/Consent')).body.total ?? 0, 0);
    // Nor can Helmi hand it to Matti.
    const moved = { ...created.body, patient: { reference: `Patient/${SECOND_PATIENT_ID}` } };
    assert.equal((await fhir(helmiToken, `/Consent/${id}`, { method: 'PUT', body: moved })).status, 403);
    assert.equal((await fhir(helmiToken, `/Consent/${id}`)).status, 200);
  });
});

describe('token lifetime', () => {
  test('/__admin/expire-tokens refuses every earlier token; a new one works', async () => {
    const { access_token: before } = await signInAs(helmi);
    assert.equal((await fhir(before, `/Patient/${PATIENT_ID}`)).status, 200);
    const expired = await fetch(`${fhirBase.replace(/\/fhir\/R4$/, '')}/__admin/expire-tokens`, { method: 'POST' });
    assert.equal(expired.status, 200);
    const refused = await fhir(before, `/Patient/${PATIENT_ID}`);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate'), /error="invalid_token", error_description="The access token has expired"/);
    const { access_token: after } = await signInAs(helmi);
    assert.equal((await fhir(after, `/Patient/${PATIENT_ID}`)).status, 200);
  });

  test('refresh tokens rotate, carry the patient, and a reused one is refused', async () => {
    for (const scope of ['openid launch/patient online_access patient/Patient.r', 'openid launch/patient offline_access patient/Patient.r']) {
      const first = await signInAs(helmi, scope);
      assert.ok(first.refresh_token, scope);
      assert.ok(first.scope.split(' ').includes(scope.split(' ')[2]), scope);
      const refreshed = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID }, { origin: APP_ORIGIN });
      assert.equal(refreshed.status, 200);
      assert.equal(refreshed.response.headers.get('access-control-allow-origin'), APP_ORIGIN);
      assert.equal(refreshed.body.patient, PATIENT_ID);
      assert.notEqual(refreshed.body.refresh_token, first.refresh_token);
      assert.equal(jwtPayload(refreshed.body.access_token).patient, PATIENT_ID);
      assert.equal((await fhir(refreshed.body.access_token, `/Patient/${PATIENT_ID}`)).status, 200);
      const reused = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID });
      assert.equal(reused.status, 400);
      assert.equal(reused.body.error, 'invalid_grant');
      // Reuse revokes the grant: the rotated token is gone too.
      const rotated = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token, client_id: CLIENT_ID });
      assert.equal(rotated.body.error, 'invalid_grant');
    }
  });

  test('the revocation endpoint (CORS from any origin) ends a refresh token', async () => {
    const { refresh_token: refreshToken } = await signInAs(helmi, 'openid online_access patient/Patient.r');
    const revoked = await fetch(`${issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://elsewhere.test' },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token', client_id: CLIENT_ID }),
    });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.headers.get('access-control-allow-origin'), 'http://elsewhere.test');
    const refused = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID });
    assert.equal(refused.body.error, 'invalid_grant');
  });
});

describe('EHR launch', () => {
  const launchFor = async (patient) => {
    const response = await fetch(`${issuer}/__admin/launch`, { method: 'POST', body: JSON.stringify({ patient }) });
    assert.equal(response.status, 200);
    return (await response.json()).launch;
  };

  test("gives the launch's patient", async () => {
    const launch = await launchFor(PATIENT_ID);
    const token = await signInAs(helmi, 'launch openid fhirUser patient/Patient.r', { launch });
    assert.equal(token.patient, PATIENT_ID);
    assert.equal(jwtPayload(token.access_token).patient, PATIENT_ID);
  });

  test('a citizen who is not the launch patient gets access_denied, signing in or signed in', async () => {
    const launch = await launchFor(SECOND_PATIENT_ID);
    const jar = new CookieJar();
    const denied = await authorize({ issuer, jar, params: authParams({ scope: 'launch openid', launch }), credentials: helmi });
    assert.equal(denied.params.error, 'access_denied');
    assert.equal(denied.params.state, 's1');
    const silent = await authorize({ issuer, jar, params: authParams({ scope: 'launch openid', launch, prompt: 'none' }) });
    assert.equal(silent.params.error, 'access_denied');
    const again = await authorize({ issuer, jar, params: authParams({ scope: 'launch openid', launch }) });
    assert.equal(again.params.error, 'access_denied');
  });

  test('an unknown launch is invalid_request', async () => {
    const { params } = await authorize({ issuer, jar: new CookieJar(), params: authParams({ scope: 'launch openid', launch: 'nope' }) });
    assert.equal(params.error, 'invalid_request');
  });
});

describe('withheld scopes (the citizen unticks them)', () => {
  const CONSENT = 'patient/Consent.crus';
  const ASKED = `openid fhirUser launch/patient patient/Patient.r ${CONSENT}`;
  const admin = (path, body) =>
    fetch(`${issuer}/__admin/${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  const withhold = async (scopes) => {
    const response = await admin('withhold-scopes', { scopes });
    assert.equal(response.status, 200);
    assert.deepEqual((await response.json()).withheld, scopes);
  };
  /** The scopes as granted: the token response's and the access token's, which must agree. */
  const granted = (token) => {
    assert.equal(jwtPayload(token.access_token).scope, token.scope);
    return token.scope.split(' ');
  };
  after(() => admin('reset'));

  test('a withheld scope is left out of the token, and the FHIR server refuses what it would allow', async () => {
    await withhold([CONSENT]);
    const token = await signInAs(helmi, ASKED);
    assert.deepEqual(granted(token), ['openid', 'fhirUser', 'launch/patient', 'patient/Patient.r']);
    const search = await fhir(token.access_token, `/Consent?patient=${PATIENT_ID}`);
    assert.equal(search.status, 403);
    assert.equal(search.body.resourceType, 'OperationOutcome');
    assert.equal(search.body.issue[0].code, 'forbidden');
    const created = await fhir(token.access_token, '/Consent', { method: 'POST', body: noticeConfirmation(PATIENT_ID) });
    assert.equal(created.status, 403);
    assert.equal(created.body.resourceType, 'OperationOutcome');
    assert.equal(issueText(created.body), 'The sign-in does not allow creating Consent');
    const own = await fhir(token.access_token, `/Patient/${PATIENT_ID}`);
    assert.equal(own.status, 200);
    assert.equal(own.body.id, PATIENT_ID);

    await withhold([]);
    const restored = await signInAs(helmi, ASKED);
    assert.ok(granted(restored).includes(CONSENT));
    assert.equal((await fhir(restored.access_token, `/Consent?patient=${PATIENT_ID}`)).status, 200);
  });

  test('only the exact scope string is withheld', async () => {
    await withhold([CONSENT, 'patient/Observation.rs']);
    const token = await signInAs(matti, `openid patient/Consent.rs ${CONSENT} patient/*.r`);
    assert.deepEqual(granted(token), ['openid', 'patient/Consent.rs', 'patient/*.r']);
    assert.equal((await fhir(token.access_token, `/Consent?patient=${SECOND_PATIENT_ID}`)).status, 200);
    assert.equal((await fhir(token.access_token, '/Consent', { method: 'POST', body: noticeConfirmation(SECOND_PATIENT_ID) })).status, 403);
    await withhold([]);
  });

  test('withholding online_access or fhirUser: no refresh token, no fhirUser in the id token', async () => {
    await withhold(['online_access', 'fhirUser']);
    const token = await signInAs(helmi, 'openid fhirUser patient/Patient.r online_access');
    assert.deepEqual(granted(token), ['openid', 'patient/Patient.r']);
    assert.equal(token.refresh_token, undefined);
    assert.equal(jwtPayload(token.id_token).fhirUser, undefined);
    await withhold([]);
  });

  test('silent sign-in (prompt=none) follows the withheld scopes both ways', async () => {
    const jar = new CookieJar();
    assert.ok(granted(await signInAs(helmi, ASKED, { jar })).includes(CONSENT));
    const silently = async () => {
      const { verifier, challenge } = pkcePair();
      const { params } = await authorize({ issuer, jar, params: authParams({ scope: ASKED, prompt: 'none', code_challenge: challenge }) });
      assert.ok(params.code, JSON.stringify(params));
      const { status, body } = await tokenRequest(issuer, { grant_type: 'authorization_code', code: params.code, redirect_uri: REDIRECT, client_id: CLIENT_ID, code_verifier: verifier });
      assert.equal(status, 200);
      return body;
    };
    await withhold([CONSENT]);
    const without = await silently();
    assert.ok(!granted(without).includes(CONSENT));
    assert.equal((await fhir(without.access_token, `/Consent?patient=${PATIENT_ID}`)).status, 403);
    await withhold([]);
    assert.ok(granted(await silently()).includes(CONSENT));
  });

  test('a refresh after withholding leaves the scope out', async () => {
    const first = await signInAs(helmi, `${ASKED} online_access`);
    assert.ok(granted(first).includes(CONSENT));
    await withhold([CONSENT]);
    const refreshed = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT_ID });
    assert.equal(refreshed.status, 200);
    assert.deepEqual(granted(refreshed.body), ['openid', 'fhirUser', 'launch/patient', 'patient/Patient.r', 'online_access']);
    assert.equal((await fhir(refreshed.body.access_token, `/Consent?patient=${PATIENT_ID}`)).status, 403);
    assert.equal((await fhir(refreshed.body.access_token, `/Patient/${PATIENT_ID}`)).status, 200);
    await withhold([]);
  });

  test('a malformed body is refused; reset grants everything and forgets launches', async () => {
    for (const body of [undefined, {}, { scopes: 'patient/Consent.crus' }, { scopes: [1] }, { scopes: ['two scopes'] }]) {
      assert.equal((await admin('withhold-scopes', body)).status, 400, JSON.stringify(body));
    }
    const { launch } = await (await admin('launch', { patient: PATIENT_ID })).json();
    await withhold([CONSENT]);
    const reset = await admin('reset');
    assert.equal(reset.status, 200);
    assert.ok(granted(await signInAs(helmi, ASKED)).includes(CONSENT));
    const { params } = await authorize({ issuer, jar: new CookieJar(), params: authParams({ scope: 'launch openid', launch }) });
    assert.equal(params.error, 'invalid_request');
  });
});

describe('session', () => {
  test('prompt=none: login_required without a session, a code with one', async () => {
    const jar = new CookieJar();
    const without = await authorize({ issuer, jar, params: authParams({ prompt: 'none' }) });
    assert.equal(without.params.error, 'login_required');
    assert.equal(without.params.state, 's1');
    await signInAs(helmi, ALL, { jar });
    const { verifier, challenge } = pkcePair();
    const silent = await authorize({ issuer, jar, params: authParams({ prompt: 'none', code_challenge: challenge }) });
    assert.ok(silent.params.code);
    const { status, body } = await tokenRequest(issuer, { grant_type: 'authorization_code', code: silent.params.code, redirect_uri: REDIRECT, client_id: CLIENT_ID, code_verifier: verifier });
    assert.equal(status, 200);
    assert.equal(body.patient, PATIENT_ID);
  });

  test('sign-out ends the session without asking and returns to the app', async () => {
    for (const hint of ['client_id', 'id_token_hint']) {
      const jar = new CookieJar();
      const token = await signInAs(matti, ALL, { jar });
      const query = new URLSearchParams({
        ...(hint === 'client_id' ? { client_id: CLIENT_ID } : { id_token_hint: token.id_token }),
        post_logout_redirect_uri: REDIRECT,
        state: 'bye',
      });
      const page = await request(jar, `${issuer}/session/end?${query}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      // The confirmation submits itself: its one script is allowed by its hash.
      const script = /<script>([^<]+)<\/script>/.exec(html)[1];
      const { createHash } = await import('node:crypto');
      const hash = createHash('sha256').update(script).digest('base64');
      assert.ok(page.headers.get('content-security-policy').includes(`'sha256-${hash}'`));
      const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)[1];
      const form = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1], m[2]]));
      assert.equal(form.logout, 'yes');
      const done = await request(jar, action, { method: 'POST', form });
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), `${REDIRECT}?state=bye`);
      const after = await authorize({ issuer, jar, params: authParams({ prompt: 'none' }) });
      assert.equal(after.params.error, 'login_required', hint);
    }
  });
});

describe('static server with sign-in', () => {
  test('data-sign-in="smart" and no data-patient; the issuer in connect-src', () => {
    const html = '<div id="tahto" data-fhir-base="x" data-patient="helmi-esimerkki" data-lang="fi"></div>';
    const smart = injectConfig(html, { fhirBase: fhirBase, patient: PATIENT_ID, signIn: 'smart' });
    assert.match(smart, /data-sign-in="smart"/);
    assert.doesNotMatch(smart, /data-patient/);
    assert.equal(injectConfig(html, { fhirBase: 'x', patient: PATIENT_ID }), html);
    assert.match(contentSecurityPolicy({ fhirBase, authIssuer: issuer }), new RegExp(`connect-src 'self' ${new URL(fhirBase).origin} ${issuer};`));
    assert.match(contentSecurityPolicy({ fhirBase }), new RegExp(`connect-src 'self' ${new URL(fhirBase).origin};`));
  });
});

describe('the CLIs', () => {
  const children = new Set();
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  });

  const start = (script, args, ready) => spawnReady(script, args, ready, { children, timeoutMs: 20_000 });

  test('auth.mjs and server.mjs --auth-issuer start and work together', async () => {
    const [authPort, fhirPort] = [await freePort(), await freePort()];
    const cliIssuer = `http://127.0.0.1:${authPort}`;
    const cliBase = `http://127.0.0.1:${fhirPort}/fhir/R4`;
    // The FHIR server first: it waits for the authorization server.
    await start('server.mjs', ['--port', String(fhirPort), '--auth-issuer', cliIssuer], /FHIR server listening/);
    await start(
      'auth.mjs',
      ['--port', String(authPort), '--fhir-base', cliBase, '--redirect-uri', REDIRECT, '--redirect-uri', 'http://127.0.0.1:18086/', '--access-token-ttl', '120'],
      /SMART authorization server listening/,
    );
    assert.equal((await fetch(`${cliIssuer}/__admin/health`)).status, 200);
    const config = await (await fetch(`${cliBase}/.well-known/smart-configuration`)).json();
    assert.equal(config.token_endpoint, `${cliIssuer}/token`);
    const token = await signIn({ issuer: cliIssuer, fhirBase: cliBase, redirectUri: 'http://127.0.0.1:18086/', scope: ALL, citizen: helmi });
    assert.ok(token.expires_in <= 120);
    const response = await fetch(`${cliBase}/Patient/${PATIENT_ID}`, { headers: { Authorization: `Bearer ${token.access_token}` } });
    assert.equal(response.status, 200);
    assert.equal((await fetch(`${cliBase}/Patient/${PATIENT_ID}`)).status, 401);
  });
});
