// Black-box tests of the local FHIR server and the fault proxy over real HTTP, each a real child
// process on a free port; the static server (headers, fallback, encodings), the release steps
// (scripts/externalize-inline.mjs, scripts/precompress.mjs) and deploy/nginx.conf against it.
// Run: node --test tests/fhir-server/
import { freePort, spawnReady } from './spawn-ready.mjs';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { evalFhirPath, globalSchema, parseSearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import { NOTICE_URL, PATIENT_ID, seedResources } from './seed.mjs';
import { FhirStore, originalExpressions } from './server.mjs';
import { validateBoth } from './validate.mjs';
import { negotiateEncoding } from './encoding.mjs';
import {
  cacheControl,
  contentSecurityPolicy,
  createStaticServer,
  injectConfig,
  isHashed,
  openerPolicy,
  parseFrameAncestors,
  partnerOrigins,
  printedHeaders,
  securityHeaders,
} from './static.mjs';
import { writeServiceWorker } from '../../scripts/sw-manifest.mjs';
import { externalizeInline } from '../../scripts/externalize-inline.mjs';
import { dropDeadClasses, dropExports, renameImportKeys, shortenImports } from '../../scripts/trim-glue.mjs';
import { demangle, nameForOrder, orderKey } from '../../scripts/order-functions.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ORIGIN = 'http://app.tahto.test';
const children = new Set();


/** Spawn `node script args…` and resolve once it prints its ready line. */
function start(script, args, ready) {
  return spawnReady(script, args, ready, { children });
}

function stop(child) {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function startServer(extra = []) {
  const port = await freePort();
  const child = await start('server.mjs', ['--port', String(port), ...extra], /FHIR server listening on/);
  return { child, port, base: `http://127.0.0.1:${port}/fhir/R4`, root: `http://127.0.0.1:${port}` };
}

// Kill children even if a test run is interrupted.
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

const FHIR = 'application/fhir+json';

/** fetch + parsed JSON body (or text when it is not JSON). */
async function call(url, { method = 'GET', body, headers = {}, timeout = 5000 } = {}) {
  const res = await fetch(url, {
    method,
    headers: { Origin: ORIGIN, ...(body !== undefined ? { 'Content-Type': FHIR } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeout),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

function consent(identifierValue = `urn:uuid:${randomUUID()}`, patient = PATIENT_ID) {
  return {
    resourceType: 'Consent',
    identifier: [{ system: 'urn:ietf:rfc:3986', value: identifierValue }],
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'adr' }] },
    category: [
      { coding: [{ system: 'http://loinc.org', code: '59284-0' }] },
      { coding: [{ system: 'http://loinc.org', code: '64300-7' }] },
    ],
    patient: { reference: `Patient/${patient}` },
    dateTime: '2026-11-23T10:00:00+02:00',
    policy: [{ uri: 'https://www.finlex.fi/fi/laki/ajantasa/2001/20010101' }],
    provision: {
      type: 'permit',
      action: [{ coding: [{ system: 'http://snomed.info/sct', code: '53958007', display: 'Donation' }] }],
    },
  };
}

const ident = (r) => `urn:ietf:rfc:3986|${r.identifier[0].value}`;
const issueTexts = (oo) => oo.issue.map((i) => i.details?.text ?? i.diagnostics).join(' | ');

let S; // the shared in-memory server
let P; // the proxy in front of it

before(async () => {
  S = await startServer();
  const port = await freePort();
  const child = await start('proxy.mjs', ['--port', String(port), '--upstream', S.root], /Fault proxy listening on/);
  P = { child, root: `http://127.0.0.1:${port}`, base: `http://127.0.0.1:${port}/fhir/R4` };
});

after(async () => {
  await Promise.all([...children].map(stop));
});

describe('seed data', () => {
  test('every seeded resource passes both validators', async () => {
    const seed = seedResources();
    assert.ok(seed.length > 90, `expected a realistic seed, got ${seed.length}`);
    for (const r of seed) {
      const { medplum, fhirjs } = await validateBoth(r);
      assert.deepEqual([...medplum, ...fhirjs], [], `${r.resourceType}/${r.id}`);
    }
  });

  test('is deterministic and has no consents yet, but has the current notice', async () => {
    assert.deepEqual(seedResources(), seedResources());
    assert.equal(seedResources().filter((r) => r.resourceType === 'Consent').length, 0);
    const { status, json, headers } = await call(`${S.base}/DocumentReference/kanta-information-notice`);
    assert.equal(status, 200);
    assert.equal(json.content[0].attachment.url, NOTICE_URL);
    assert.equal(headers.get('etag'), 'W/"1"');
    assert.match(Buffer.from(json.content[0].attachment.data, 'base64').toString('utf8'), /Kanta/);
  });
});

describe('FHIR server', () => {
  test('metadata and admin health', async () => {
    const meta = await call(`${S.base}/metadata`);
    assert.equal(meta.status, 200);
    assert.equal(meta.json.resourceType, 'CapabilityStatement');
    assert.match(meta.headers.get('content-type'), /^application\/fhir\+json/);
    const health = await call(`${S.root}/__admin/health`);
    assert.deepEqual([health.status, health.json], [200, { ok: true }]);
  });

  test('invalid resources, malformed JSON and a wrong resourceType are 400 with an OperationOutcome', async () => {
    const invalid = await call(`${S.base}/Consent`, { method: 'POST', body: { resourceType: 'Consent', status: 'active' } });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.resourceType, 'OperationOutcome');
    assert.match(issueTexts(invalid.json), /Consent\.scope: Missing required property/);
    assert.equal(invalid.json.issue[0].diagnostics, invalid.json.issue[0].details.text);

    const badType = await call(`${S.base}/Observation`, { method: 'POST', body: { ...consent(), status: 'nonsense', foo: 1 } });
    assert.equal(badType.status, 400);
    assert.match(issueTexts(badType.json), /URL is for Observation, but the body is Consent/);

    const malformed = await call(`${S.base}/Consent`, { method: 'POST', body: '{"resourceType": "Consent",' });
    assert.equal(malformed.status, 400);
    assert.match(issueTexts(malformed.json), /not valid JSON/);

    const extra = await call(`${S.base}/Consent`, { method: 'POST', body: { ...consent(), colour: 'blue' } });
    assert.equal(extra.status, 400);
    assert.match(issueTexts(extra.json), /colour/);
  });

  test('a reference to a Patient that does not exist is 400 processing', async () => {
    const res = await call(`${S.base}/Consent`, { method: 'POST', body: consent(undefined, 'xyz') });
    assert.equal(res.status, 400);
    assert.equal(res.json.issue[0].code, 'processing');
    assert.match(res.json.issue[0].details.text, /Patient\/xyz does not exist/);
  });

  test('create and update: sequential versions, Location, ETag, Last-Modified; application/json accepted', async () => {
    const c = await call(`${S.base}/Consent`, { method: 'POST', body: consent(), headers: { 'Content-Type': 'application/json' } });
    assert.equal(c.status, 201);
    const { id } = c.json;
    assert.equal(c.json.meta.versionId, '1');
    assert.equal(c.headers.get('location'), `${S.base}/Consent/${id}/_history/1`);
    assert.equal(c.headers.get('etag'), 'W/"1"');
    assert.equal(new Date(c.headers.get('last-modified')).getTime(), Math.floor(Date.parse(c.json.meta.lastUpdated) / 1000) * 1000);

    const u = await call(`${S.base}/Consent/${id}`, { method: 'PUT', body: { ...c.json, status: 'inactive' } });
    assert.equal(u.status, 200);
    assert.equal(u.json.meta.versionId, '2');
    assert.equal(u.headers.get('etag'), 'W/"2"');
    assert.equal(u.headers.get('location'), `${S.base}/Consent/${id}/_history/2`);
    assert.ok(u.json.meta.lastUpdated > c.json.meta.lastUpdated);

    const u3 = await call(`${S.base}/Consent/${id}`, { method: 'PUT', body: u.json });
    assert.equal(u3.json.meta.versionId, '3');

    const read = await call(`${S.base}/Consent/${id}`);
    assert.equal(read.headers.get('etag'), 'W/"3"');
    assert.ok(read.headers.get('last-modified'));
    const v1 = await call(`${S.base}/Consent/${id}/_history/1`);
    assert.deepEqual([v1.status, v1.json.status, v1.headers.get('etag')], [200, 'active', 'W/"1"']);

    const putNew = await call(`${S.base}/Consent/client-chosen-${randomUUID()}`, { method: 'PUT', body: { ...consent(), id: undefined } });
    assert.equal(putNew.status, 400, 'id in body must match the URL');
    const newId = `client-chosen-${randomUUID().slice(0, 8)}`;
    const created = await call(`${S.base}/Consent/${newId}`, { method: 'PUT', body: { ...consent(), id: newId } });
    assert.deepEqual([created.status, created.json.meta.versionId], [201, '1']);
  });

  test('If-Match with a stale version is 412 on PUT and DELETE', async () => {
    const c = (await call(`${S.base}/Consent`, { method: 'POST', body: consent() })).json;
    const ok = await call(`${S.base}/Consent/${c.id}`, { method: 'PUT', body: c, headers: { 'If-Match': 'W/"1"' } });
    assert.equal(ok.status, 200);
    const stale = await call(`${S.base}/Consent/${c.id}`, { method: 'PUT', body: c, headers: { 'If-Match': 'W/"1"' } });
    assert.equal(stale.status, 412);
    assert.equal(stale.json.resourceType, 'OperationOutcome');
    assert.match(issueTexts(stale.json), /version 2/);
    const staleDelete = await call(`${S.base}/Consent/${c.id}`, { method: 'DELETE', headers: { 'If-Match': 'W/"1"' } });
    assert.equal(staleDelete.status, 412);
    const del = await call(`${S.base}/Consent/${c.id}`, { method: 'DELETE', headers: { 'If-Match': 'W/"2"' } });
    assert.equal(del.status, 204);
    assert.equal((await call(`${S.base}/Consent/${c.id}`)).status, 410);
  });

  test('If-None-Exist returns the existing resource instead of a duplicate; two matches are 412', async () => {
    const body = consent();
    const headers = { 'If-None-Exist': `identifier=${ident(body)}` };
    const first = await call(`${S.base}/Consent`, { method: 'POST', body, headers });
    const again = await call(`${S.base}/Consent`, { method: 'POST', body, headers });
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.json.meta.versionId, '1');
    assert.equal(again.headers.get('etag'), 'W/"1"');
    const search = await call(`${S.base}/Consent?identifier=${encodeURIComponent(ident(body))}`);
    assert.equal(search.json.total, 1);

    // Concurrent retries (several tabs, a retry racing a slow first attempt) still make one resource.
    const raced = consent();
    const racedHeaders = { 'If-None-Exist': `identifier=${ident(raced)}` };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => call(`${S.base}/Consent`, { method: 'POST', body: raced, headers: racedHeaders }))
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 201]);
    assert.equal(new Set(results.map((r) => r.json.id)).size, 1);

    const dup = consent();
    await call(`${S.base}/Consent`, { method: 'POST', body: dup });
    await call(`${S.base}/Consent`, { method: 'POST', body: dup });
    const ambiguous = await call(`${S.base}/Consent`, { method: 'POST', body: dup, headers: { 'If-None-Exist': `identifier=${ident(dup)}` } });
    assert.equal(ambiguous.status, 412);
  });

  test('instance and type history are stable, newest first', async () => {
    const c = (await call(`${S.base}/Consent`, { method: 'POST', body: consent() })).json;
    await call(`${S.base}/Consent/${c.id}`, { method: 'PUT', body: c });
    await call(`${S.base}/Consent/${c.id}`, { method: 'PUT', body: c });
    for (let i = 0; i < 3; i++) {
      const h = await call(`${S.base}/Consent/${c.id}/_history`);
      assert.equal(h.json.type, 'history');
      assert.deepEqual(h.json.entry.map((e) => e.resource.meta.versionId), ['3', '2', '1']);
    }
    const typeHistory = await call(`${S.base}/Consent/_history`);
    const times = typeHistory.json.entry.map((e) => e.resource.meta.lastUpdated);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.equal(typeHistory.json.entry[0].resource.id, c.id);
  });

  test('search: the current-consent query, subject/patient forms, _sort, _count, identifier', async () => {
    const older = (await call(`${S.base}/Consent`, { method: 'POST', body: consent() })).json;
    const newer = (await call(`${S.base}/Consent`, { method: 'POST', body: consent() })).json;
    const q = `${S.base}/Consent?patient=Patient/${PATIENT_ID}&category=http://loinc.org|64300-7&status=active&_sort=-_lastUpdated&_count=1`;
    const res = await call(q);
    assert.equal(res.status, 200);
    assert.equal(res.json.type, 'searchset');
    assert.equal(res.json.entry.length, 1);
    assert.equal(res.json.entry[0].resource.id, newer.id);
    assert.equal(res.json.entry[0].fullUrl, `${S.base}/Consent/${newer.id}`);
    assert.ok(res.json.total >= 2);

    const asc = await call(`${S.base}/Consent?patient=Patient/${PATIENT_ID}&_sort=_lastUpdated`);
    const ids = asc.json.entry.map((e) => e.resource.id);
    assert.ok(ids.indexOf(older.id) < ids.indexOf(newer.id));

    const bare = await call(`${S.base}/Consent?patient=${PATIENT_ID}`);
    assert.equal(bare.json.total, asc.json.total, 'a bare patient id is accepted too');

    const labs = await call(`${S.base}/Observation?subject=Patient/${PATIENT_ID}&category=laboratory&code=http://loinc.org|3016-3&_sort=-date&_count=3`);
    assert.equal(labs.json.total, 9);
    assert.equal(labs.json.entry.length, 3);
    assert.equal(labs.json.entry[0].resource.id, 'lab-tsh-2026-11-12');

    const byIdentifier = await call(`${S.base}/Consent?identifier=${encodeURIComponent(ident(older))}`);
    assert.deepEqual(byIdentifier.json.entry.map((e) => e.resource.id), [older.id]);
    const none = await call(`${S.base}/Consent?identifier=urn:ietf:rfc:3986|urn:uuid:${randomUUID()}`);
    assert.equal(none.json.total, 0);
  });

  test('CORS on errors and preflight', async () => {
    const err = await call(`${S.base}/Consent/does-not-exist`);
    assert.equal(err.status, 404);
    assert.equal(err.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(err.headers.get('access-control-expose-headers'), /ETag.*Location.*Last-Modified/);
    const bad = await call(`${S.base}/Consent`, { method: 'POST', body: '{' });
    assert.equal(bad.headers.get('access-control-allow-origin'), ORIGIN);

    const pre = await fetch(`${S.base}/Consent/x`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'if-match, content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(pre.headers.get('access-control-allow-methods'), /PUT/);
    assert.match(pre.headers.get('access-control-allow-headers'), /If-Match/);
    assert.match(pre.headers.get('access-control-allow-headers'), /If-None-Exist/);
  });
});

describe('search', () => {
  test("answers exactly as Medplum's own search: filters, sort rules in order, _offset, _count", async () => {
    const store = new FhirStore();
    await store.init();
    // Lab results with tied dates (a stable sort must keep them in the same order as Medplum).
    for (let i = 0; i < 120; i += 1) {
      await store.repo.createResource({
        resourceType: 'Observation',
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
        code: { coding: [{ system: 'http://loinc.org', code: `9${i % 4}-0` }] },
        subject: { reference: `Patient/${PATIENT_ID}` },
        effectiveDateTime: `2025-0${1 + (i % 9)}-1${i % 7}T08:00:00Z`,
        valueQuantity: { value: i, unit: 'mmol/l' },
      });
    }
    const queries = [
      `Observation?patient=Patient/${PATIENT_ID}&category=laboratory&_sort=-date&_count=50&_offset=25`,
      `Observation?subject=Patient/${PATIENT_ID}&code=http://loinc.org|92-0&_sort=date`,
      `Observation?patient=Patient/${PATIENT_ID}&_sort=-date,code&_count=500`,
      `Observation?patient=Patient/${PATIENT_ID}&_sort=-nosuchparameter&_count=7`,
      `Consent?patient=Patient/${PATIENT_ID}&_sort=-_lastUpdated`,
      `Task?patient=Patient/nobody`,
    ];
    for (const query of queries) {
      const request = parseSearchRequest(query);
      const ours = await store.repo.search(request);
      const medplums = await MemoryRepository.prototype.search.call(store.repo, request);
      assert.deepEqual(ours, medplums, query);
    }
    const page = await store.repo.search(parseSearchRequest(queries[0]));
    assert.equal(page.entry.length, 50, 'the query found enough to make the comparison mean something');
  });

  test("each type's own branch of a shared search parameter finds what Medplum's whole expression finds", async () => {
    const store = new FhirStore();
    await store.init();
    assert.ok(originalExpressions.has('Observation.patient') && originalExpressions.has('Observation.date'));
    let compared = 0;
    for (const resource of store.currentResources()) {
      for (const [code, param] of Object.entries(globalSchema.types[resource.resourceType].searchParams ?? {})) {
        const original = originalExpressions.get(`${resource.resourceType}.${code}`);
        if (!original) continue;
        assert.notEqual(param.expression, original);
        const key = `${resource.resourceType}/${resource.id} ${code}`;
        assert.deepEqual(evalFhirPath(param.expression, resource), evalFhirPath(original, resource), key);
        compared += 1;
      }
    }
    assert.ok(compared > 100, `compared ${compared} values`);
  });
});

describe('persistence and reset', () => {
  let dir;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tahto-fhir-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('data survives a restart; reset restores exactly the seed and persists it', async () => {
    const file = join(dir, 'fhir.json');
    let s = await startServer(['--data', file]);
    assert.ok(existsSync(file), 'seed written at first start');
    const c = (await call(`${s.base}/Consent`, { method: 'POST', body: consent() })).json;
    await call(`${s.base}/Consent/${c.id}`, { method: 'PUT', body: c });
    await stop(s.child);

    s = await startServer(['--data', file]);
    const read = await call(`${s.base}/Consent/${c.id}`);
    assert.deepEqual([read.status, read.json.meta.versionId], [200, '2']);
    const h = await call(`${s.base}/Consent/${c.id}/_history`);
    assert.deepEqual(h.json.entry.map((e) => e.resource.meta.versionId), ['2', '1']);
    // Versions keep counting after a restart.
    const u = await call(`${s.base}/Consent/${c.id}`, { method: 'PUT', body: read.json, headers: { 'If-Match': 'W/"2"' } });
    assert.equal(u.json.meta.versionId, '3');

    const reset = await call(`${s.root}/__admin/reset`, { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.equal(reset.json.resources, seedResources().length);
    assert.equal((await call(`${s.base}/Consent/${c.id}`)).status, 404);
    assert.equal((await call(`${s.base}/Consent`)).json.total, 0);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.history.length, seedResources().length);
    await stop(s.child);
  });
});

describe('fault proxy', () => {
  const faults = (...rules) => call(`${P.root}/__proxy/faults`, { method: 'POST', body: { rules } });
  const post = (body, opts = {}) => call(`${P.base}/Consent`, { method: 'POST', body, ...opts });
  const countOnServer = async (r) =>
    (await call(`${S.base}/Consent?identifier=${encodeURIComponent(ident(r))}`)).json.total;

  beforeEach(async () => {
    await call(`${P.root}/__proxy/faults`, { method: 'DELETE' });
  });

  test('forwards transparently; Location points at the proxy', async () => {
    assert.equal((await call(`${P.root}/__proxy/health`)).status, 200);
    const c = await post(consent());
    assert.equal(c.status, 201);
    assert.equal(c.headers.get('location'), `${P.base}/Consent/${c.json.id}/_history/1`);
    assert.equal(c.headers.get('access-control-allow-origin'), ORIGIN);
  });

  test('status faults carry Retry-After, an OperationOutcome and CORS headers', async () => {
    await faults(
      { method: 'POST', path: '/Consent', fault: 'status', status: 503, retryAfter: 7 },
      { method: 'POST', path: '/Consent', fault: 'status', status: 429, retryAfter: 2 },
      { method: 'POST', path: '/Consent', fault: 'status', status: 500 }
    );
    const body = consent();
    const r503 = await post(body);
    assert.equal(r503.status, 503);
    assert.equal(r503.headers.get('retry-after'), '7');
    assert.equal(r503.json.resourceType, 'OperationOutcome');
    assert.equal(r503.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(r503.headers.get('access-control-expose-headers'), /Retry-After/);
    const r429 = await post(body);
    assert.deepEqual([r429.status, r429.headers.get('retry-after'), r429.json.issue[0].code], [429, '2', 'throttled']);
    const r500 = await post(body);
    assert.equal(r500.status, 500);
    assert.equal(await countOnServer(body), 0, 'nothing reached the server');
    assert.equal((await post(body)).status, 201, 'rules are used up');

    const custom = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', details: { text: 'Ei sallittu' } }] };
    await faults({ path: '/Consent', fault: 'status', status: 400, body: custom });
    const r400 = await post(consent());
    assert.deepEqual([r400.status, r400.json], [400, custom]);
  });

  test('drop: the connection dies and the server never sees the request', async () => {
    await faults({ method: 'POST', fault: 'drop' });
    const body = consent();
    await assert.rejects(post(body), TypeError);
    assert.equal(await countOnServer(body), 0);
  });

  test('dropAfterCommit: the response is lost but the resource exists on the server', async () => {
    await faults({ method: 'POST', fault: 'dropAfterCommit' });
    const body = consent();
    await assert.rejects(post(body), TypeError);
    assert.equal(await countOnServer(body), 1);
    // The retry with If-None-Exist finds it instead of making a duplicate.
    const retry = await post(body, { headers: { 'If-None-Exist': `identifier=${ident(body)}` } });
    assert.equal(retry.status, 200);
    assert.equal(await countOnServer(body), 1);
  });

  test('hang: no answer until the client gives up', async () => {
    await faults({ method: 'POST', fault: 'hang' });
    const t0 = Date.now();
    await assert.rejects(post(consent(), { timeout: 300 }), (e) => e.name === 'TimeoutError');
    assert.ok(Date.now() - t0 >= 290);
  });

  test('truncate: upstream status and headers, half the body, fixed Content-Length', async () => {
    await faults({ method: 'GET', path: `/Patient/${PATIENT_ID}`, fault: 'truncate' });
    const res = await call(`${P.base}/Patient/${PATIENT_ID}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), 'W/"1"');
    assert.equal(res.json, undefined, 'body is not valid JSON');
    assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(res.text));
    const full = await call(`${P.base}/Patient/${PATIENT_ID}`);
    assert.equal(full.json.id, PATIENT_ID);
    assert.equal(Buffer.byteLength(res.text), Math.floor(Buffer.byteLength(full.text) / 2));
  });

  test('conflict412 answers 412 without forwarding', async () => {
    await faults({ method: 'PUT', fault: 'conflict412' });
    const c = (await post(consent())).json;
    const res = await call(`${P.base}/Consent/${c.id}`, { method: 'PUT', body: c, headers: { 'If-Match': 'W/"1"' } });
    assert.equal(res.status, 412);
    assert.equal(res.json.issue[0].code, 'conflict');
    assert.equal((await call(`${S.base}/Consent/${c.id}`)).json.meta.versionId, '1');
  });

  test('html200: a maintenance page with 200 and CORS, nothing forwarded', async () => {
    await faults({ method: 'POST', fault: 'html200' });
    const body = consent();
    const res = await post(body);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(res.text, /<html/);
    assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(res.headers.get('x-fault-injected'), 'html200');
    assert.equal(await countOnServer(body), 0, 'nothing reached the server');
  });

  test('minimal: stored, then a 2xx without body but with Location, ETag and Last-Modified', async () => {
    await faults({ method: 'POST', fault: 'minimal' }, { method: 'PUT', fault: 'minimal' });
    const body = consent();
    const created = await post(body);
    assert.equal(created.status, 201);
    assert.equal(created.text, '');
    assert.equal(created.headers.get('content-length'), '0');
    assert.equal(created.headers.get('content-type'), null);
    const [, id] = created.headers.get('location').match(/\/Consent\/([^/]+)\/_history\/1$/);
    assert.equal(created.headers.get('etag'), 'W/"1"');
    assert.ok(created.headers.get('last-modified'));
    assert.match(created.headers.get('access-control-expose-headers'), /ETag, Location/);
    assert.equal(await countOnServer(body), 1);
    const stored = (await call(`${S.base}/Consent/${id}`)).json;
    const updated = await call(`${P.base}/Consent/${id}`, { method: 'PUT', body: stored, headers: { 'If-Match': 'W/"1"' } });
    assert.deepEqual([updated.status, updated.text, updated.headers.get('etag')], [200, '', 'W/"2"']);
    assert.equal((await call(`${S.base}/Consent/${id}`)).json.meta.versionId, '2');
    // A refusal passes as it is.
    await faults({ method: 'PUT', fault: 'minimal' });
    const stale = await call(`${P.base}/Consent/${id}`, { method: 'PUT', body: stored, headers: { 'If-Match': 'W/"1"' } });
    assert.equal(stale.status, 412);
    assert.equal(stale.json.resourceType, 'OperationOutcome');
  });

  test('badVersion: stored, then answered with a version no FHIR server stores', async () => {
    await faults({ method: 'POST', fault: 'badVersion' }, { method: 'POST', fault: 'badVersion', version: '7€' });
    const body = consent();
    const res = await post(body);
    assert.equal(res.status, 201);
    assert.equal(res.json.meta.versionId, '1 "x"');
    assert.equal(res.headers.get('etag'), 'W/"1 "x""');
    assert.match(res.headers.get('location'), /\/_history\/1%20%22x%22$/);
    assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(res.text));
    assert.equal((await call(`${S.base}/Consent/${res.json.id}`)).json.meta.versionId, '1', 'the server holds version 1');
    const other = await post(consent());
    assert.equal(other.json.meta.versionId, '7€');
    assert.equal(other.headers.get('etag'), null, 'not sendable as a header at all');
    // A search answer: every found resource.
    await faults({ method: 'GET', path: '/Consent?', fault: 'badVersion', version: '7€' });
    const found = await call(`${P.base}/Consent?identifier=${encodeURIComponent(ident(body))}`);
    assert.equal(found.json.resourceType, 'Bundle');
    assert.deepEqual(found.json.entry.map((e) => e.resource.meta.versionId), ['7€']);
  });

  test('wrongShape: stored, then answered with JSON that is not the resource', async () => {
    await faults(
      { method: 'POST', fault: 'wrongShape' },
      { method: 'POST', fault: 'wrongShape', body: { resourceType: 'Consent', id: 'x' } }
    );
    const body = consent();
    const res = await post(body);
    assert.equal(res.status, 201);
    assert.deepEqual(res.json, { resourceType: 'Bundle', type: 'searchset', total: 0 });
    assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(res.text));
    assert.equal(await countOnServer(body), 1);
    const second = await post(consent());
    assert.deepEqual(second.json, { resourceType: 'Consent', id: 'x' });
  });

  test('delay waits, then forwards', async () => {
    await faults({ method: 'POST', fault: 'delay', delayMs: 400 });
    const t0 = Date.now();
    const res = await post(consent());
    assert.equal(res.status, 201);
    assert.ok(Date.now() - t0 >= 390, `took ${Date.now() - t0} ms`);
  });

  test('times and skip; times: null lasts until cleared; preflight is never faulted', async () => {
    await faults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, skip: 1, times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(consent())).status);
    assert.deepEqual(statuses, [201, 503, 503, 201]);

    await faults({ path: '/Consent', fault: 'status', status: 500, times: null });
    const pre = await fetch(`${P.base}/Consent`, { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(pre.status, 204);
    for (let i = 0; i < 3; i++) assert.equal((await post(consent())).status, 500);
    const listed = await call(`${P.root}/__proxy/faults`);
    assert.equal(listed.json.rules.at(-1).fired, 3);
    await call(`${P.root}/__proxy/faults`, { method: 'DELETE' });
    assert.equal((await post(consent())).status, 201);
  });

  test('keep-alive off: every answer closes its connection, until the faults are cleared', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const connection = (method = 'GET') =>
      new Promise((resolve, reject) => {
        const req = http.request(`${P.base}/Patient/${PATIENT_ID}`, { method, agent, headers: { Origin: ORIGIN } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers.connection));
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await connection(), 'keep-alive');
    const set = await call(`${P.root}/__proxy/keep-alive`, { method: 'POST', body: { enabled: false } });
    assert.equal(set.json.enabled, false);
    assert.equal(await connection(), 'close', 'a forwarded answer');
    assert.equal(await connection('OPTIONS'), 'close', 'a preflight');
    await faults({ method: 'GET', fault: 'status', status: 503 });
    assert.equal(await connection(), 'close', "the proxy's own answer");
    assert.equal((await call(`${P.root}/__proxy/keep-alive`, { method: 'POST', body: { enabled: 'no' } })).status, 400);
    await call(`${P.root}/__proxy/faults`, { method: 'DELETE' });
    assert.equal((await call(`${P.root}/__proxy/keep-alive`)).json.enabled, true);
    assert.equal(await connection(), 'keep-alive');
    agent.destroy();
  });

  test('sent log records every request with a body, faulted or not', async () => {
    const before = (await call(`${P.root}/__proxy/sent`)).json;
    const since = before.at(-1)?.seq ?? 0;
    await faults({ method: 'POST', fault: 'status', status: 503 });
    const a = consent();
    const b = consent();
    await post(a, { headers: { 'If-None-Exist': `identifier=${ident(a)}` } });
    await post(b);
    await call(`${P.base}/Patient/${PATIENT_ID}`); // GETs are not logged
    const log = (await call(`${P.root}/__proxy/sent?since=${since}`)).json;
    assert.equal(log.length, 2);
    assert.deepEqual(log.map((e) => e.fault), ['status', null]);
    assert.deepEqual(log.map((e) => e.body.identifier[0].value), [a.identifier[0].value, b.identifier[0].value]);
    assert.equal(log[0].method, 'POST');
    assert.equal(log[0].url, '/fhir/R4/Consent');
    assert.equal(log[0].headers['if-none-exist'], `identifier=${ident(a)}`);
    assert.equal(log[1].seq, log[0].seq + 1);
    assert.ok(!Number.isNaN(Date.parse(log[0].time)));
  });
});

// ---- Compression, the static server and the deployment example (issue 10, "Served as in production")

/** A GET with exactly these headers, the body as sent (no decompression). */
function raw(url, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.end();
  });
}

const decode = (res) => {
  const enc = res.headers['content-encoding'];
  if (enc === 'br') return brotliDecompressSync(res.body);
  if (enc === 'gzip') return gunzipSync(res.body);
  assert.equal(enc, undefined, `unexpected Content-Encoding ${enc}`);
  return res.body;
};
const varies = (res, name = 'accept-encoding') =>
  (res.headers.vary ?? '').toLowerCase().split(',').map((s) => s.trim()).includes(name);

describe('negotiateEncoding', () => {
  test('prefers brotli, honours q-values, * and x-gzip; identity when nothing offered is accepted', () => {
    assert.equal(negotiateEncoding('gzip, deflate, br, zstd'), 'br');
    assert.equal(negotiateEncoding('gzip, deflate'), 'gzip');
    assert.equal(negotiateEncoding('br;q=0, gzip;q=0.5'), 'gzip');
    assert.equal(negotiateEncoding('br;q=0, *'), 'gzip');
    assert.equal(negotiateEncoding('*;q=0, identity'), null);
    assert.equal(negotiateEncoding('x-gzip'), 'gzip');
    assert.equal(negotiateEncoding('identity'), null);
    assert.equal(negotiateEncoding(''), null);
    assert.equal(negotiateEncoding(undefined), null);
    assert.equal(negotiateEncoding('br', ['gzip']), null, 'only what is on offer');
    assert.equal(negotiateEncoding('BR ; Q=1'), 'br');
    assert.equal(negotiateEncoding('gzip;q=1, br;q=0.5'), 'gzip', "the client's weights first");
  });
});

describe('FHIR server compression', () => {
  const bundleUrl = () => `${S.base}/Observation?patient=${PATIENT_ID}`;

  test('JSON over 1 KB: brotli or gzip as accepted, Vary with Origin, Content-Length of what is sent', async () => {
    const plain = await raw(bundleUrl(), { headers: { Origin: ORIGIN } });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.length > 1024, `a search answer of ${plain.body.length} bytes`);
    assert.ok(varies(plain) && varies(plain, 'origin'), `Vary: ${plain.headers.vary}`);
    for (const [accept, expected] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip;q=0.8', 'gzip'],
      ['identity', undefined],
    ]) {
      const res = await raw(bundleUrl(), { headers: { Origin: ORIGIN, 'Accept-Encoding': accept } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], expected, accept);
      assert.equal(Number(res.headers['content-length']), res.body.length, accept);
      assert.ok(varies(res) && varies(res, 'origin'), `Vary: ${res.headers.vary}`);
      assert.equal(res.headers['access-control-allow-origin'], ORIGIN);
      assert.deepEqual(JSON.parse(decode(res)).entry.length, JSON.parse(plain.body).entry.length);
      if (expected) assert.ok(res.body.length < plain.body.length / 3, `${expected}: ${res.body.length} of ${plain.body.length}`);
    }
  });

  test('small answers stay identity; writes keep ETag and Location when compressed', async () => {
    const small = await raw(`${S.root}/__admin/health`, { headers: { 'Accept-Encoding': 'br, gzip' } });
    assert.equal(small.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(small.body), { ok: true });
    const res = await fetch(`${S.base}/Consent`, {
      method: 'POST',
      headers: { 'Content-Type': FHIR, 'Accept-Encoding': 'gzip', Origin: ORIGIN },
      body: JSON.stringify({ ...consent(), policy: Array.from({ length: 40 }, (_, i) => ({ uri: `https://www.finlex.fi/fi/laki/ajantasa/2001/2001010${i}` })) }),
    });
    // fetch decodes; the header says what was sent.
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(res.headers.get('etag'), 'W/"1"');
    assert.match(res.headers.get('location'), /\/Consent\/[^/]+\/_history\/1$/);
    assert.equal((await res.json()).resourceType, 'Consent');
  });

  test('through the proxy: forwarded answers keep their encoding, rewritten ones are plain JSON', async () => {
    const through = await raw(`${P.base}/Observation?patient=${PATIENT_ID}`, { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(through.headers['content-encoding'], 'br');
    assert.ok(JSON.parse(decode(through)).entry.length > 0);
    await call(`${P.root}/__proxy/faults`, {
      method: 'POST',
      body: { rules: [{ method: 'PUT', path: `/Patient/${PATIENT_ID}`, fault: 'wrongShape' }] },
    });
    try {
      const patient = (await call(`${S.base}/Patient/${PATIENT_ID}`)).json;
      const put = await fetch(`${P.base}/Patient/${PATIENT_ID}`, {
        method: 'PUT',
        headers: { 'Content-Type': FHIR, 'Accept-Encoding': 'br, gzip' },
        body: JSON.stringify({ ...patient, meta: undefined, text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'p'.repeat(1500)}</div>` } }),
      });
      assert.equal(put.headers.get('content-encoding'), null);
      assert.notEqual((await put.json()).resourceType, 'Patient', 'the proxy rewrote a readable body');
    } finally {
      await call(`${P.root}/__proxy/faults`, { method: 'DELETE' });
    }
  });
});

/**
 * A build as Trunk leaves it (inline loader and style), then the release steps run on it.
 * `signedIn`: with the sign-in window's last stop (public/signed-in.html and .js, copied as is).
 */
function fixtureDist({ signedIn = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tahto-dist-'));
  const hash = '0123456789abcdef';
  const js = `export default async function init() { return ${JSON.stringify('glue '.repeat(400))}; }\n`;
  const wasm = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(8000, 7)]);
  const sri = (b) => `sha384-${createHash('sha384').update(b).digest('base64')}`;
  const files = {
    [`tahto-${hash}.js`]: js,
    [`tahto-${hash}_bg.wasm`]: wasm,
    'tahto-fedcba9876543210.css': `.tahto { color: #222; }\n${'.tahto p { margin: 0 }\n'.repeat(60)}`,
    'favicon.svg': `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">${'<rect width="1" height="1"/>'.repeat(20)}</svg>`,
    [`snippets/tahto-${hash}/inline0.js`]: `export function f() { return ${JSON.stringify('snippet '.repeat(100))}; }\n`,
    'sw.js': `self.addEventListener('fetch', () => {});\n${'// padding\n'.repeat(100)}`,
    'embed.js': `(() => { customElements.define('tahto-embed', class extends HTMLElement {}); })();\n${'// padding\n'.repeat(100)}`,
    'manifest.webmanifest': JSON.stringify({ name: 'Tahto', pad: 'x'.repeat(300) }),
    'index.html':
      '<!doctype html><html lang=fi><meta charset=utf-8><title>Tahto</title>' +
      `<script type=module>import init, * as bindings from '/tahto-${hash}.js';\nconst wasm = await init({ module_or_path: '/tahto-${hash}_bg.wasm' });\nwindow.wasmBindings = bindings;</script>` +
      `<link href=/tahto-fedcba9876543210.css rel=stylesheet><style>body{margin:0}</style>` +
      `<link crossorigin href=/tahto-${hash}.js integrity=${sri(Buffer.from(js))} rel=modulepreload>` +
      `<link as=fetch crossorigin href=/tahto-${hash}_bg.wasm integrity=${sri(wasm)} rel=preload type=application/wasm>` +
      '</head><body><div class=tahto data-fhir-base=http://127.0.0.1:8103/fhir/R4 data-lang=fi data-patient=helmi-esimerkki id=tahto></div></body></html>',
    ...(signedIn
      ? {
        'signed-in.html': `<!doctype html><html lang=fi><meta charset=utf-8><title>Tahto</title><script src=signed-in.js defer></script>${'<p>Kirjaudutaan…</p>'.repeat(20)}</html>`,
        'signed-in.js': `(() => { window.opener?.postMessage({ tahtoSignIn: location.search }, location.origin); })();\n${'// padding\n'.repeat(100)}`,
      }
      : {}),
  };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  chmodSync(dir, 0o755); // nginx's workers read it too
  const run = (script) =>
    execFileSync(process.execPath, [join(HERE, '../../scripts', script), dir], { encoding: 'utf8' });
  return { dir, hash, run };
}

/** Serves `dir` with static.mjs in this process; resolves to its origin and a stop function. */
async function serveStatic(options) {
  const server = createStaticServer({ patient: PATIENT_ID, lang: 'en', ...options });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }),
  };
}

/** A name in a hand-written wasm module: its byte length, then its bytes. */
const wasmName = (t) => [Buffer.byteLength(t), ...Buffer.from(t)];
/** A section (or a name subsection) of a hand-written wasm module: its id, size and bytes. */
const wasmSection = (id, body) => [id, ...(body.length < 128 ? [body.length] : [(body.length & 0x7f) | 0x80, body.length >> 7]), ...body];

describe('release steps: short import names', () => {
  // A module importing a function, a memory, a table and a global from the glue's module, and a
  // function from another module, which keeps its name.
  const [str, section] = [wasmName, wasmSection];
  const module = Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 0]), // type 0: (i32) -> ()
    ...section(2, [
      5,
      ...str('./glue.js'), ...str('__wbg_log_0123456789abcdef'), 0, 0,
      ...str('./glue.js'), ...str('__wbg_memory_fedcba9876543210'), 2, 1, 1, 2,
      ...str('./glue.js'), ...str('__wbindgen_table'), 1, 0x6f, 0, 1,
      ...str('./other.js'), ...str('keep_me'), 0, 0,
      ...str('./glue.js'), ...str('__wbg_flag_00ff'), 3, 0x7f, 0,
    ]),
    ...section(0, [...str('note'), 1, 2, 3]),
  ]);
  const glue = `const imports = { "./glue.js": {
    __wbg_log_0123456789abcdef: function(a) { console.log(a); },
    __wbg_memory_fedcba9876543210: mem, __wbindgen_table: t,
    __wbg_flag_00ff: g } };`;

  test('renames the glue module\'s imports in the wasm and the glue together, nothing else', () => {
    const { wasm, renames } = shortenImports(module, './glue.js');
    assert.deepEqual(renames.map(([, to]) => to), ['_0', '_1', '_2', '_3']);
    assert.deepEqual(
      WebAssembly.Module.imports(new WebAssembly.Module(wasm)).map(({ module: m, name, kind }) => `${m} ${name} ${kind}`),
      ['./glue.js _0 function', './glue.js _1 memory', './glue.js _2 table', './other.js keep_me function', './glue.js _3 global'],
    );
    assert.ok(wasm.includes(Buffer.from('note')), 'other sections as they were');
    const js = renameImportKeys(glue, renames);
    assert.match(js, /_0: function\(a\)/);
    assert.match(js, /_1: mem, _2: t,\s+_3: g/);
    assert.doesNotMatch(js, /__wbg_|__wbindgen_table/);
  });

  test('a name the glue does not hold exactly once as a key stops the build', () => {
    const { renames } = shortenImports(module, './glue.js');
    assert.throws(() => renameImportKeys(glue.replace('__wbg_flag_00ff: g', 'x: g'), renames), /__wbg_flag_00ff 0 times/);
    assert.throws(() => renameImportKeys(`${glue} // __wbg_log_0123456789abcdef`, renames), /not once/);
    assert.throws(() => shortenImports(Buffer.from('not wasm at all'), './glue.js'), /not a wasm module/);
  });
});

describe('release steps: function order', () => {
  /** A Rust symbol in the legacy mangling, as rustc writes it. */
  const mangle = (...idents) => `_ZN${idents.map((i) => `${i.length}${i}`).join('')}E`;
  const [str, section] = [wasmName, wasmSection];
  // Three functions returning 10, 20 and 30, exported as a, b and c, named so that their order by
  // path (the first, the third, the second) is neither the linker's nor that of the mangled names.
  const names = [
    mangle('alloc', 'fmt', 'format', 'h0123456789abcdef'),
    mangle('_$LT$T$u20$as$u20$tachys..view..any_view..IntoAny$GT$', 'into_any', 'build', 'h00000000000000aa'),
    mangle('core', 'ptr', 'drop_in_place$LT$alloc..vec..Vec$LT$u8$GT$$GT$', 'hffffffffffffffff'),
  ];
  const module = (withNames) => Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 1, 0x7f]), // type 0: () -> i32
    ...section(3, [3, 0, 0, 0]),
    ...section(7, [3, ...str('a'), 0, 0, ...str('b'), 0, 1, ...str('c'), 0, 2]),
    ...section(10, [3, 4, 0, 0x41, 10, 0x0b, 4, 0, 0x41, 20, 0x0b, 4, 0, 0x41, 30, 0x0b]),
    ...(withNames
      ? section(0, [
        ...str('name'),
        ...section(0, str('tahto')), // the module's name: kept
        ...section(1, [3, ...names.flatMap((n, i) => [i, ...str(n)])]),
      ])
      : []),
  ]);
  const results = (wasm) => {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(wasm));
    return [exports.a(), exports.b(), exports.c()];
  };

  test('demangles rustc\'s symbols to their paths without the hash', () => {
    assert.equal(demangle(names[0]), 'alloc::fmt::format');
    assert.equal(demangle(names[1]), '<T as tachys::view::any_view::IntoAny>::into_any::build');
    assert.equal(demangle(names[2]), 'core::ptr::drop_in_place<alloc::vec::Vec<u8>>');
    assert.equal(demangle(`${names[0]}.llvm.1234`), 'alloc::fmt::format');
    for (const other of ['__wbindgen_malloc', 'intounderlyingsink_write externref shim', '_ZN4toolongE', '_ZNxE']) {
      assert.equal(demangle(other), null, other);
    }
  });

  test('puts the copies of one generic function side by side', () => {
    const copies = ['u8', 'tahto::save::Record'].map((t) =>
      orderKey(mangle('core', 'ptr', `drop_in_place$LT$${t.replaceAll('::', '..')}$GT$`, 'h0000000000000001')));
    const between = orderKey(mangle('core', 'ptr', 'drop_in_place$LT$alloc..string..String$GT$', 'h0000000000000002'));
    const other = orderKey(mangle('core', 'ptr', 'read', 'h0000000000000003'));
    const sorted = [other, copies[1], between, copies[0]].sort();
    assert.deepEqual(sorted.slice(0, 3).map((k) => k.split('|')[0]), Array(3).fill('core::ptr::drop_in_place'));
    assert.equal(sorted[3], other);
    assert.equal(orderKey('__wbindgen_malloc'), '__wbindgen_malloc|__wbindgen_malloc');
  });

  test('puts the implementations of one trait\'s method side by side', () => {
    const clone = (type) => orderKey(mangle(`_$LT$${type}$u20$as$u20$core..clone..Clone$GT$`, 'clone', 'h0000000000000004'));
    const keys = [clone('alloc..vec..Vec$LT$T$GT$'), clone('tahto..save..Record')];
    for (const key of keys) assert.match(key, /^core::clone::Clone::clone\|</);
    assert.equal(keys[0].split('|')[1], '<alloc::vec::Vec<T> as core::clone::Clone>::clone');
    const call = orderKey(mangle('_$LT$F$u20$as$u20$core..ops..function..FnOnce$LT$$LP$A$C$$RP$$GT$$GT$', 'call_once', 'h0000000000000005'));
    assert.equal(call, 'core::ops::function::FnOnce::call_once|<F as core::ops::function::FnOnce<(A,)>>::call_once');
  });

  test('names each function after its place; wasm-opt lays them out so and they do the same', () => {
    const { wasm, named } = nameForOrder(module(true));
    assert.equal(named, 3);
    assert.deepEqual(results(wasm), [10, 20, 30]);
    assert.ok(wasm.includes(Buffer.from(`${orderKey(names[1])}#0000001`)));
    assert.ok(wasm.includes(Buffer.from('tahto')), 'the module\'s own name kept');
    const dir = mkdtempSync(join(tmpdir(), 'tahto-order-'));
    try {
      writeFileSync(join(dir, 'in.wasm'), wasm);
      execFileSync('wasm-opt', [join(dir, 'in.wasm'), '--reorder-functions-by-name', '-o', join(dir, 'out.wasm')]);
      const out = readFileSync(join(dir, 'out.wasm'));
      assert.deepEqual(results(out), [10, 20, 30]);
      // The bodies (size 4, no locals, i32.const n, end) in the order of the code section: by path.
      const constants = [...out.toString('hex').matchAll(/040041(..)0b/g)].map((m) => parseInt(m[1], 16));
      assert.deepEqual(constants, [10, 30, 20]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a module without names is left as it is', () => {
    const { wasm, named } = nameForOrder(module(false));
    assert.equal(named, 0);
    assert.deepEqual(wasm, module(false));
  });
});

describe('release steps: externalize-inline and precompress', () => {
  test('inline script and style become hashed files with integrity; the preloads stay; idempotent', () => {
    const { dir, hash, run } = fixtureDist();
    try {
      const before = readFileSync(join(dir, 'index.html'), 'utf8');
      assert.match(run('externalize-inline.mjs'), /inline-[0-9a-f]{16}\.js/);
      const html = readFileSync(join(dir, 'index.html'), 'utf8');
      assert.doesNotMatch(html, /<script\b[^>]*>[^<]/, 'no inline script body');
      assert.doesNotMatch(html, /<style/i);
      const script = html.match(/<script type="module" src="\/(inline-[0-9a-f]{16}\.js)" integrity="(sha384-[^"]+)"><\/script>/);
      const style = html.match(/<link rel="stylesheet" href="\/(inline-[0-9a-f]{16}\.css)" integrity="(sha384-[^"]+)">/);
      assert.ok(script && style, html);
      const loader = readFileSync(join(dir, script[1]));
      assert.match(loader.toString(), new RegExp(`import init, \\* as bindings from '/tahto-${hash}\\.js'`));
      assert.equal(script[2], `sha384-${createHash('sha384').update(loader).digest('base64')}`);
      assert.equal(readFileSync(join(dir, style[1]), 'utf8'), 'body{margin:0}');
      // In place: the loader where it was, the host page's style after the app's.
      assert.ok(html.indexOf(script[1]) < html.indexOf('tahto-fedcba9876543210.css'));
      assert.ok(html.indexOf('tahto-fedcba9876543210.css') < html.indexOf(style[1]));
      for (const kept of before.match(/<link[^>]*rel=(?:modulepreload|preload)[^>]*>/g)) assert.ok(html.includes(kept), kept);
      assert.match(run('externalize-inline.mjs'), /nothing inline/);
      assert.equal(readFileSync(join(dir, 'index.html'), 'utf8'), html);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('what no file can fix fails the build: inline handlers, style attributes, import maps', () => {
    const { problems } = externalizeInline(
      '<html><body onload="go()"><p style="color:red">x</p><script type="importmap">{}</script><!-- <p onclick=x> --></body></html>',
    );
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.deepEqual(externalizeInline('<script type="application/json">{"a":1}</script>').files, []);
  });

  test('precompress writes .br and .gz once, skips up-to-date copies, redoes stale ones, drops orphans', () => {
    const { dir, hash, run } = fixtureDist();
    try {
      assert.match(run('precompress.mjs'), /\b(\d+) written, 0 up to date/);
      const wasm = join(dir, `tahto-${hash}_bg.wasm`);
      assert.deepEqual(brotliDecompressSync(readFileSync(`${wasm}.br`)), readFileSync(wasm));
      assert.deepEqual(gunzipSync(readFileSync(`${wasm}.gz`)), readFileSync(wasm));
      assert.ok(existsSync(join(dir, `snippets/tahto-${hash}/inline0.js.br`)));
      assert.match(run('precompress.mjs'), /\(0 written, \d+ up to date, 0 removed\)/);
      const later = new Date(Date.now() + 5000);
      utimesSync(join(dir, 'sw.js'), later, later);
      rmSync(join(dir, 'favicon.svg'));
      assert.match(run('precompress.mjs'), /\(2 written, \d+ up to date, 2 removed\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('precompress writes no copy of the entry document, and removes an old one', () => {
    // index.html is the one file edited at deployment (its host element's configuration), and
    // nginx (`gzip_static`) and Caddy (`precompressed`) send a copy without asking whether it is
    // older than the file: every browser would get the build's configuration. static.mjs
    // compresses the document it serves itself.
    const { dir, run } = fixtureDist({ signedIn: true });
    const copies = ['index.html.br', 'index.html.gz'].map((name) => join(dir, name));
    try {
      run('precompress.mjs');
      for (const copy of copies) assert.equal(existsSync(copy), false, copy);
      assert.ok(existsSync(join(dir, 'signed-in.html.br')), 'another HTML file has its copies');
      // An older precompress's copies, up to date by their time: removed all the same.
      const later = new Date(Date.now() + 5000);
      for (const copy of copies) {
        writeFileSync(copy, 'stale');
        utimesSync(copy, later, later);
      }
      assert.match(run('precompress.mjs'), /\(0 written, \d+ up to date, 2 removed\)/);
      for (const copy of copies) assert.equal(existsSync(copy), false, copy);
      // Only the entry document: an HTML file elsewhere has its copies.
      mkdirSync(join(dir, 'docs'));
      writeFileSync(join(dir, 'docs/index.html'), '<p>Tahto</p>'.repeat(200));
      assert.match(run('precompress.mjs'), /\(2 written, \d+ up to date, 0 removed\)/);
      assert.ok(existsSync(join(dir, 'docs/index.html.br')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('release steps: the service worker\'s list', () => {
  test('every file of the build but the entry document, the worker, embed.js and the compressed copies', () => {
    const { dir, hash, run } = fixtureDist();
    try {
      writeFileSync(join(dir, 'sw.js'), "const BUILD = '__TAHTO_BUILD__'; const FILES = /* __TAHTO_FILES__ */ [];\n");
      run('precompress.mjs');
      const { build, files } = writeServiceWorker(dir);
      assert.match(build, /^[0-9a-f]{16}$/);
      assert.deepEqual(files, ['favicon.svg', 'manifest.webmanifest', `snippets/tahto-${hash}/inline0.js`, 'tahto-fedcba9876543210.css',
        `tahto-${hash}.js`, `tahto-${hash}_bg.wasm`].sort());
      assert.doesNotMatch(readFileSync(join(dir, 'sw.js'), 'utf8'), /embed\.js|index\.html/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('static server (scripts/run, Playwright)', () => {
  const FHIR_BASE = 'http://127.0.0.1:18104/fhir/R4';
  let fx;
  let app;
  before(async () => {
    fx = fixtureDist({ signedIn: true });
    fx.run('externalize-inline.mjs');
    fx.run('precompress.mjs');
    app = await serveStatic({ dir: fx.dir, fhirBase: FHIR_BASE });
  });
  after(async () => {
    await app?.stop();
    rmSync(fx.dir, { recursive: true, force: true });
  });
  const expectSecurity = (res, what) => {
    const expected = securityHeaders({ fhirBase: FHIR_BASE });
    for (const [name, value] of Object.entries(expected)) assert.equal(res.headers[name.toLowerCase()], value, `${what}: ${name}`);
  };

  test('the Content-Security-Policy is strict and names the FHIR origin', () => {
    const csp = contentSecurityPolicy({ fhirBase: 'https://fhir.example.fi/R4', frameAncestors: "'self' https://portal.example.fi" });
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*/);
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.equal(directives['script-src'], "'self' 'wasm-unsafe-eval'");
    assert.equal(directives['style-src'], "'self'");
    assert.equal(directives['connect-src'], "'self' https://fhir.example.fi");
    assert.equal(directives['frame-ancestors'], "'self' https://portal.example.fi");
    for (const d of ['default-src', 'img-src', 'worker-src', 'manifest-src', 'base-uri', 'form-action', 'object-src']) assert.ok(directives[d], d);
    // A base that is not http(s) gives no origin to connect to (and never a password).
    assert.match(contentSecurityPolicy({ fhirBase: 'javascript:alert(1)//' }), /connect-src 'self';/);
    assert.match(contentSecurityPolicy({ fhirBase: 'https://u:pw@x.fi/R4' }), /connect-src 'self' https:\/\/x\.fi;/);
  });

  test('frame-ancestors takes only exact origins, self or none', () => {
    assert.equal(parseFrameAncestors("'self'  https://Portal.Example.fi:8443 http://127.0.0.1:8080"), "'self' https://portal.example.fi:8443 http://127.0.0.1:8080");
    assert.equal(parseFrameAncestors("'none'"), "'none'");
    assert.equal(parseFrameAncestors('https://portal.example.fi:443 http://[::1]:8080'), 'https://portal.example.fi http://[::1]:8080');
    assert.equal(parseFrameAncestors('http://localhost:8090 http://127.1.2.3'), 'http://localhost:8090 http://127.1.2.3');
    for (const bad of ['*', '', 'https://*.example.fi', 'https:', 'portal.example.fi', 'https://portal.example.fi/', 'https://portal.example.fi/x',
      'https://u:p@portal.example.fi', 'ftp://portal.example.fi', "'none' 'self'", 'data:', "'unsafe-inline'", 'https://x.fi?a', 'https://x.fi#',
      // Plain http only on this computer, as data-partner-origins (src/config.rs) takes it.
      'http://portal.example.fi', 'http://localhost.example.fi', 'http://10.0.0.1:8090']) {
      assert.throws(() => parseFrameAncestors(bad), /frame-ancestors/, JSON.stringify(bad));
    }
    assert.throws(() => createStaticServer({ dir: fx.dir, fhirBase: FHIR_BASE, frameAncestors: '*' }), /wildcard/);
    const cli = spawnSync(process.execPath, [join(HERE, 'static.mjs'), '--print-headers', '--frame-ancestors', 'https://*.x.fi'], { encoding: 'utf8' });
    assert.notEqual(cli.status, 0);
    assert.match(cli.stderr, /frame-ancestors/);
  });

  test('the entry document: config injected, no-cache with an ETag, compressed, security headers', async () => {
    const plain = await raw(`${app.origin}/`);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(plain.headers['cache-control'], 'no-cache');
    assert.ok(varies(plain));
    expectSecurity(plain, '/');
    assert.match(plain.body.toString(), /data-fhir-base="http:\/\/127\.0\.0\.1:18104\/fhir\/R4"/);
    assert.match(plain.body.toString(), /data-lang="en"/);
    const br = await raw(`${app.origin}/`, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(Number(br.headers['content-length']), br.body.length);
    assert.deepEqual(decode(br), plain.body);
    assert.notEqual(br.headers.etag, plain.headers.etag, 'each encoding its own ETag');
    const again = await raw(`${app.origin}/`, { headers: { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const head = await raw(`${app.origin}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), plain.body.length);
  });

  test('SPA fallback: a path without an extension is the entry document; a missing file is a 404', async () => {
    const doc = await raw(`${app.origin}/`);
    for (const path of ['/organ-donation', '/lab-results', '/unsent', '/lab-results/2024?page=2', '/snippets', '/embed',
      '/embed?section=organ-donation&lang=sv&host=http%3A%2F%2Flocalhost%3A8090']) {
      const res = await raw(`${app.origin}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['cache-control'], 'no-cache', path);
      assert.deepEqual(res.body, doc.body, path);
      expectSecurity(res, path);
    }
    for (const path of ['/missing.js', '/tahto-0000000000000000_bg.wasm', '/favicon.ico']) {
      const res = await raw(`${app.origin}${path}`);
      assert.equal(res.status, 404, path);
      expectSecurity(res, path);
    }
    const traversal = await raw(`${app.origin}/..%2f..%2f..%2fetc%2fpasswd`);
    assert.equal(traversal.status, 403);
    const post = await raw(`${app.origin}/`, { method: 'POST' });
    assert.equal(post.status, 405);
    expectSecurity(post, 'POST /');
  });

  test('a request target that is no URL (GET //, //a:b, //[, //%, POST //) is a 400 (405), and the server goes on', async () => {
    // Over a raw socket: node's URL parser throws on these, and an answer that parsed again while
    // writing its headers took the whole server down (an unhandled rejection).
    const exchange = (text) =>
      new Promise((resolve, reject) => {
        const { port } = new URL(app.origin);
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
        const chunks = [];
        socket.on('data', (c) => chunks.push(c));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
        socket.on('error', reject);
        socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
      });
    const statuses = (answer) => [...answer.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]));
    for (const [request, expected] of [['GET //', 400], ['GET //a:b', 400], ['GET //[', 400], ['GET //%', 400], ['HEAD //', 400], ['POST //', 405]]) {
      // Then a normal request on the same connection: it still answers.
      const answer = await exchange(`${request} HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.deepEqual(statuses(answer), [expected, 200], `${request}\n${answer}`);
      const head = answer.split('\r\n\r\n')[0].toLowerCase();
      assert.match(head, /^cache-control: no-store$/m, request);
      assert.match(head, /^cross-origin-opener-policy: same-origin$/m, request);
      assert.match(head, /^content-security-policy: default-src 'self';/m, request);
    }
    const after = await raw(`${app.origin}/`);
    assert.equal(after.status, 200);
  });

  test('hashed files: immutable, the precompressed copy the client accepts, identity otherwise', async () => {
    const path = `/tahto-${fx.hash}_bg.wasm`;
    const bytes = readFileSync(join(fx.dir, path));
    for (const [accept, expected] of [['gzip, deflate, br, zstd', 'br'], ['gzip', 'gzip'], [undefined, undefined], ['br;q=0', undefined]]) {
      const res = await raw(`${app.origin}${path}`, { headers: accept ? { 'Accept-Encoding': accept } : {} });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/wasm');
      assert.equal(res.headers['content-encoding'], expected, String(accept));
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(Number(res.headers['content-length']), res.body.length);
      assert.ok(varies(res));
      expectSecurity(res, path);
      assert.deepEqual(decode(res), bytes);
    }
    const loader = readFileSync(join(fx.dir, 'index.html'), 'utf8').match(/\/inline-[0-9a-f]{16}\.js/)[0];
    const res = await raw(`${app.origin}${loader}`, { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
  });

  test('caching of the rest: service worker and manifest revalidated, snippets revalidated, favicon an hour', async () => {
    const cases = {
      '/sw.js': 'no-cache',
      '/embed.js': 'no-cache',
      '/manifest.webmanifest': 'no-cache',
      [`/snippets/tahto-${fx.hash}/inline0.js`]: 'no-cache',
      '/favicon.svg': 'public, max-age=3600',
      '/tahto-fedcba9876543210.css': 'public, max-age=31536000, immutable',
    };
    for (const [path, expected] of Object.entries(cases)) {
      const res = await raw(`${app.origin}${path}`, { headers: { 'Accept-Encoding': 'br' } });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['cache-control'], expected, path);
      assert.equal(cacheControl(path), expected, path);
      assert.equal(res.headers['content-encoding'], 'br', path);
    }
    for (const path of ['/sw.js', '/embed.js']) {
      const first = await raw(`${app.origin}${path}`);
      assert.equal(first.headers['content-type'], 'text/javascript; charset=utf-8', path);
      assert.ok(first.headers.etag, path);
      assert.equal((await raw(`${app.origin}${path}`, { headers: { 'If-None-Match': first.headers.etag } })).status, 304, path);
    }
    assert.equal(isHashed('tahto-0123456789abcdef_bg.wasm'), true);
    assert.equal(isHashed('0123456789abcdef0123.wasm'), true);
    assert.equal(isHashed('inline0.js'), false);
    assert.equal(isHashed('tahto-0123456789abcde.js'), false, '15 hex digits are not a content hash');
  });

  test('partner sites: data-partner-origins is frame-ancestors without \'self\', on every entry document', async () => {
    assert.equal(partnerOrigins("'self'"), '');
    assert.equal(partnerOrigins("'none'"), '');
    assert.equal(partnerOrigins("'self' https://Portal.Example.fi:443 http://localhost:8090"), 'https://portal.example.fi http://localhost:8090');
    assert.throws(() => partnerOrigins('https://*.x.fi'), /wildcard/);
    const ancestors = "'self' https://portal.example.fi http://localhost:8090";
    const partnered = await serveStatic({ dir: fx.dir, fhirBase: FHIR_BASE, frameAncestors: ancestors });
    try {
      const attribute = (body) => body.toString().match(/<div\b[^>]*\bid=tahto\b[^>]*>/)[0].match(/\sdata-partner-origins="([^"]*)"/)?.[1];
      for (const path of ['/', '/index.html', '/organ-donation', '/embed?section=measurements&lang=fi&host=https%3A%2F%2Fportal.example.fi']) {
        for (const accept of [undefined, 'br']) {
          const res = await raw(`${partnered.origin}${path}`, { headers: accept ? { 'Accept-Encoding': accept } : {} });
          assert.equal(res.status, 200, path);
          const frameAncestors = res.headers['content-security-policy'].match(/frame-ancestors ([^;]*)/)[1];
          assert.equal(frameAncestors, ancestors, path);
          assert.equal(attribute(decode(res)), frameAncestors.replace("'self' ", ''), path);
        }
      }
      // The default ('self'): no partner, said as an empty list (a document that named one would
      // be overridden, not trusted).
      assert.equal(attribute((await raw(`${app.origin}/embed?host=http%3A%2F%2Flocalhost%3A8090`)).body), '');
    } finally {
      await partnered.stop();
    }
  });

  test('data-partner-origins is set on the host element however the build wrote it, and nowhere else', () => {
    const partners = 'https://p.fi http://localhost:8090';
    const cases = [
      // Trunk's minifier drops quotes, and `=""` of an empty value.
      ['<div class=tahto data-partner-origins id=tahto>', '<div class=tahto data-partner-origins="https://p.fi http://localhost:8090" id=tahto>'],
      ['<div id="tahto" data-partner-origins="https://old.fi">', '<div id="tahto" data-partner-origins="https://p.fi http://localhost:8090">'],
      ['<div id=tahto data-partner-origins=https://old.fi>', '<div id=tahto data-partner-origins="https://p.fi http://localhost:8090">'],
      ['<div data-lang=fi id=tahto>', '<div data-lang=fi id=tahto data-partner-origins="https://p.fi http://localhost:8090">'],
      ['<p data-partner-origins=x></p><div id=tahto></div>', '<p data-partner-origins=x></p><div id=tahto data-partner-origins="https://p.fi http://localhost:8090"></div>'],
      ['<div id=tahtox data-partner-origins=x>', '<div id=tahtox data-partner-origins=x>'],
    ];
    for (const [html, expected] of cases) assert.equal(injectConfig(html, { partners }), expected, html);
    assert.equal(injectConfig('<div id=tahto data-lang=fi>', {}), '<div id=tahto data-lang=fi>', 'no partners given: untouched');
    assert.match(injectConfig('<div id=tahto>', { partners: 'https://a.fi"><script>' }), /data-partner-origins="https:\/\/a\.fi&quot;>&lt;script>"/);
    // The release's own index.html has the attribute (empty: no partner) for the server to set.
    assert.match(readFileSync(join(HERE, '../../index.html'), 'utf8'), /\sdata-partner-origins=""/);
  });

  test('the sign-in window\'s last stop keeps its opener (COOP unsafe-none); every other path same-origin', async () => {
    for (const path of ['/signed-in.html', '/tahto/signed-in.html', '/a/b/signed-in.html']) assert.equal(openerPolicy(path), 'unsafe-none', path);
    for (const path of ['/', '/index.html', '/organ-donation', '/embed', '/signed-in', '/signed-in.js', '/embed.js', '/sw.js', `/tahto-${fx.hash}_bg.wasm`,
      '/signed-in.html/', '/not-signed-in.html', '/signed-in.htm', '/signed-in.html.br', '/signed-in.html/x']) {
      assert.equal(openerPolicy(path), 'same-origin', path);
    }
    // Only COOP differs.
    const page = securityHeaders({ fhirBase: FHIR_BASE }, '/signed-in.html');
    assert.deepEqual(page, { ...securityHeaders({ fhirBase: FHIR_BASE }), 'Cross-Origin-Opener-Policy': 'unsafe-none' });
    const expectPage = (res, what) => {
      for (const [name, value] of Object.entries(page)) assert.equal(res.headers[name.toLowerCase()], value, `${what}: ${name}`);
    };
    const html = readFileSync(join(fx.dir, 'signed-in.html'));
    // As the authorization server sends the popup back: with the answer in the query.
    for (const path of ['/signed-in.html', '/signed-in.html?code=abc&state=xyz', '/signed%2Din.html']) {
      for (const accept of [undefined, 'gzip, deflate, br']) {
        const res = await raw(`${app.origin}${path}`, { headers: accept ? { 'Accept-Encoding': accept } : {} });
        assert.equal(res.status, 200, path);
        assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', path);
        assert.equal(res.headers['cache-control'], 'no-cache', path);
        assert.deepEqual(decode(res), html, path);
        expectPage(res, `${path} (${accept ?? 'identity'})`);
      }
    }
    const first = await raw(`${app.origin}/signed-in.html`);
    const again = await raw(`${app.origin}/signed-in.html`, { headers: { 'If-None-Match': first.headers.etag } });
    assert.equal(again.status, 304);
    expectPage(again, '304 /signed-in.html');
    expectPage(await raw(`${app.origin}/signed-in.html`, { method: 'HEAD' }), 'HEAD /signed-in.html');
    // By path, whatever the status, as nginx's map and Caddy's matchers.
    const missing = await raw(`${app.origin}/tahto/signed-in.html`);
    assert.equal(missing.status, 404);
    expectPage(missing, '404 /tahto/signed-in.html');
    for (const path of ['/', '/organ-donation', '/signed-in', `/tahto-${fx.hash}_bg.wasm`, '/embed.js', '/signed-in.js', '/sw.js', '/missing.js']) {
      const res = await raw(`${app.origin}${path}`, { headers: { 'Accept-Encoding': 'br' } });
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', path);
      expectSecurity(res, path);
    }
  });

  test('--print-headers: the COOP exception for the sign-in page, by path for nginx and Caddy, by --path for plain', () => {
    const args = ['--fhir-base', 'https://fhir.example.fi/R4', '--auth-issuer', 'https://tunnistus.example.fi'];
    const print = (...extra) => execFileSync(process.execPath, [join(HERE, 'static.mjs'), '--print-headers', ...args, ...extra], { encoding: 'utf8' });
    assert.match(print(), /^Cross-Origin-Opener-Policy: same-origin$/m);
    assert.match(print('--path', '/signed-in.html'), /^Cross-Origin-Opener-Policy: unsafe-none$/m);
    assert.match(print(), /connect-src 'self' https:\/\/fhir\.example\.fi https:\/\/tunnistus\.example\.fi;/);
    const nginx = print('--format', 'nginx');
    assert.match(nginx, /^map \$uri \$tahto_coop \{\n {4}default "same-origin";\n {4}~\(\^\|\/\)signed-in\\\.html\$ "unsafe-none";\n\}$/m);
    assert.match(nginx, /^add_header Cross-Origin-Opener-Policy \$tahto_coop always;$/m);
    assert.doesNotMatch(nginx, /add_header Cross-Origin-Opener-Policy "/);
    const caddy = print('--format', 'caddy');
    assert.match(caddy, /^@signed_in path_regexp \(\^\|\/\)signed-in\\\.html\$$/m);
    assert.match(caddy, /^@not_signed_in not path_regexp \(\^\|\/\)signed-in\\\.html\$$/m);
    assert.match(caddy, /^header @not_signed_in Cross-Origin-Opener-Policy "same-origin"$/m);
    assert.match(caddy, /^header @signed_in Cross-Origin-Opener-Policy "unsafe-none"$/m);
    assert.doesNotMatch(caddy, /^header Cross-Origin-Opener-Policy/m);
    assert.throws(() => printedHeaders('nginx', {}, '/signed-in.html'), /--path/);
  });

  test('--print-headers names the entry document\'s data-partner-origins for nginx and Caddy', () => {
    for (const format of ['nginx', 'caddy']) {
      const out = execFileSync(process.execPath, [join(HERE, 'static.mjs'), '--print-headers', '--format', format, '--fhir-base', 'https://fhir.example.fi/R4',
        '--frame-ancestors', "'self' https://portal.example.fi"], { encoding: 'utf8' });
      assert.match(out, /frame-ancestors 'self' https:\/\/portal\.example\.fi"/, format);
      assert.match(out, /^# dist\/index\.html, the host element: data-partner-origins="https:\/\/portal\.example\.fi"$/m, format);
    }
    const plain = execFileSync(process.execPath, [join(HERE, 'static.mjs'), '--print-headers'], { encoding: 'utf8' });
    assert.doesNotMatch(plain, /^#/m);
  });

  test('a copy older than its file is not served', async () => {
    const path = join(fx.dir, 'sw.js');
    const later = new Date(Date.now() + 60_000);
    utimesSync(path, later, later);
    try {
      const res = await raw(`${app.origin}/sw.js`, { headers: { 'Accept-Encoding': 'br, gzip' } });
      assert.equal(res.headers['content-encoding'], undefined);
      assert.deepEqual(res.body, readFileSync(path));
    } finally {
      fx.run('precompress.mjs');
    }
  });
});

/** A path the web server answers with the entry document (index.html or an app route). */
const isEntryDocument = (path) => {
  const pathname = path.split('?')[0];
  return pathname === '/index.html' || !/\.[A-Za-z0-9]+$/.test(pathname);
};

/**
 * A web server configured from deploy/ answers as static.mjs does for the same build: status,
 * security headers and caching (errors included: never kept), and for a 200 the type, encoding and
 * Vary, for every kind of path and with brotli, gzip and no encoding accepted. But the entry
 * document: static.mjs writes the configuration into it and compresses it as it serves it; a web
 * server sends dist/index.html as it is, with no precompressed copy (scripts/precompress.mjs writes
 * none: it is the file edited at deployment).
 */
async function answersLikeStatic(origin, staticOrigin, fx, { brotli = true } = {}) {
  for (let i = 0; i < 50 && !(await raw(`${origin}/`).catch(() => null)); i++) await new Promise((r) => setTimeout(r, 100));
  const index = readFileSync(join(fx.dir, 'index.html'));
  const loader = index.toString().match(/\/inline-[0-9a-f]{16}\.js/)[0];
  const paths = ['/', '/index.html', '/organ-donation', '/lab-results/2024', `/tahto-${fx.hash}_bg.wasm`, `/tahto-${fx.hash}.js`,
    loader, '/tahto-fedcba9876543210.css', `/snippets/tahto-${fx.hash}/inline0.js`, '/sw.js', '/embed.js', '/manifest.webmanifest', '/favicon.svg',
    '/missing.js', '/embed', '/embed?section=organ-donation&lang=sv&host=https%3A%2F%2Fportal.example.fi',
    '/signed-in.html', '/signed-in.html?code=abc&state=xyz', '/signed-in.js', '/tahto/signed-in.html',
    // A content-hashed name not (yet) deployed: its 404 must not be cached for a year.
    '/tahto-0123456789abcdef.wasm'];
  const type = (v) => (v ?? '').toLowerCase().replace(/\s+/g, '');
  const names = Object.keys(securityHeaders({ fhirBase: 'https://fhir.example.fi/R4' }));
  for (const accept of [...(brotli ? ['gzip, deflate, br'] : []), 'gzip', null]) {
    for (const path of paths) {
      const headers = accept ? { 'Accept-Encoding': accept } : {};
      const [ours, theirs] = await Promise.all([raw(`${staticOrigin}${path}`, { headers }), raw(`${origin}${path}`, { headers })]);
      const what = `${path} (${accept ?? 'identity'})`;
      assert.equal(theirs.status, ours.status, what);
      for (const name of names) assert.equal(theirs.headers[name.toLowerCase()], ours.headers[name.toLowerCase()], `${what}: ${name}`);
      // The sign-in window's last stop keeps its opener; nothing else does.
      const coop = /^[^?]*\/signed-in\.html(\?|$)/.test(path) ? 'unsafe-none' : 'same-origin';
      assert.equal(theirs.headers['cross-origin-opener-policy'], coop, `${what}: Cross-Origin-Opener-Policy`);
      assert.equal(theirs.headers['cache-control'], ours.headers['cache-control'], `${what}: Cache-Control`);
      if (ours.status !== 200) {
        assert.equal(theirs.headers['cache-control'], 'no-store', `${what}: an error is not kept`);
        continue;
      }
      assert.equal(type(theirs.headers['content-type']), type(ours.headers['content-type']), `${what}: Content-Type`);
      if (isEntryDocument(path)) {
        assert.equal(theirs.headers['content-encoding'], undefined, `${what}: the entry document as it is`);
        assert.deepEqual(theirs.body, index, `${what}: dist/index.html`);
        continue;
      }
      assert.equal(theirs.headers['content-encoding'], ours.headers['content-encoding'], `${what}: Content-Encoding`);
      assert.equal(varies(theirs), varies(ours), `${what}: Vary`);
    }
  }
}

/**
 * The entry document edited at deployment (its configuration, after the build's precompression)
 * is what a web server sends, whatever the browser accepts: never an older copy in its place.
 */
async function sendsEditedEntryDocument(origin, fx) {
  const file = join(fx.dir, 'index.html');
  const built = readFileSync(file, 'utf8');
  const edited = built.replace(/(\sdata-fhir-base=)[^\s>]+/, '$1"https://fhir.example.fi/R4"');
  assert.notEqual(edited, built);
  writeFileSync(file, edited);
  for (const path of ['/', '/index.html', '/organ-donation', '/embed?section=organ-donation&lang=sv']) {
    for (const accept of ['br, gzip', 'gzip', null]) {
      const res = await raw(`${origin}${path}`, { headers: accept ? { 'Accept-Encoding': accept } : {} });
      const what = `${path} (${accept ?? 'identity'})`;
      assert.equal(res.status, 200, what);
      assert.equal(decode(res).toString(), edited, what);
    }
  }
}

describe('deployment example (deploy/nginx.conf)', () => {
  const CONF = join(HERE, '../../deploy/nginx.conf');
  const EXAMPLE = { fhirBase: 'https://fhir.example.fi/R4', frameAncestors: "'self'", authIssuer: 'https://tunnistus.example.fi' };
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  const BROTLI_MODULE = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';
  const SKIP = nginx ? false : 'nginx is not installed (Debian: apt-get install nginx-light libnginx-mod-http-brotli-static)';

  test('sends the same security headers as static.mjs, CSP included, COOP by path', () => {
    const conf = readFileSync(CONF, 'utf8');
    const added = Object.fromEntries(
      [...conf.matchAll(/^\s*add_header\s+([\w-]+)\s+"([^"]*)"\s+always;/gm)].map((m) => [m[1], m[2]]),
    );
    // COOP from the map, by path (an add_header in a location would drop the others).
    assert.match(conf, /^\s*add_header Cross-Origin-Opener-Policy \$tahto_coop always;/m);
    const map = conf.match(/^\s*map \$uri \$tahto_coop \{\n([\s\S]*?)\n\s*\}/m)[1];
    const entries = [...map.matchAll(/^\s*(\S+)\s+"([^"]*)";$/gm)].map((m) => [m[1], m[2]]);
    assert.equal(entries.length, map.trim().split('\n').length, map);
    const coopOf = (uri) => (entries.find(([key]) => key.startsWith('~') && new RegExp(key.slice(1)).test(uri)) ?? entries.find(([key]) => key === 'default'))[1];
    for (const path of ['/', '/organ-donation', '/index.html', '/signed-in.html', '/tahto/signed-in.html', '/signed-in.js', '/embed.js', '/tahto-0123456789abcdef_bg.wasm']) {
      assert.deepEqual({ ...added, 'Cross-Origin-Opener-Policy': coopOf(path) }, securityHeaders(EXAMPLE, path), path);
    }
    assert.match(added['Content-Security-Policy'], /connect-src 'self' https:\/\/fhir\.example\.fi https:\/\/tunnistus\.example\.fi;/);
    // Generated: every line --print-headers writes (but its comments) is in the file.
    const lines = conf.split('\n').map((l) => l.trim());
    for (const line of printedHeaders('nginx', EXAMPLE).filter((l) => !l.startsWith('#'))) assert.ok(lines.includes(line.trim()), line);
    assert.match(conf, /^\s*add_header Cache-Control \$tahto_cache_control always;/m);
    assert.match(conf, /try_files \$uri \/index\.html;/);
    assert.match(conf, /gzip_static on;/);
  });

  test('nginx -t accepts it; a running nginx answers as static.mjs does', { skip: SKIP }, async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'tahto-nginx-'));
    const fx = fixtureDist({ signedIn: true });
    fx.run('externalize-inline.mjs');
    fx.run('precompress.mjs');
    const port = await freePort();
    const brotli = existsSync(BROTLI_MODULE);
    let conf = readFileSync(CONF, 'utf8')
      .replace(/^\s*listen 8080;/m, `listen 127.0.0.1:${port};`)
      .replace(/^\s*root \/srv\/tahto\/dist;/m, `root ${fx.dir};`)
      .replace(/^http \{/m, `http {\n    access_log ${work}/access.log;\n` +
        ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `    ${k}_temp_path ${work}/${k};`).join('\n'));
    if (!brotli) conf = conf.replace(/^load_module .*brotli.*$/m, '').replace(/^\s*brotli_static on;$/m, '');
    writeFileSync(join(work, 'nginx.conf'), conf);
    const globals = `pid ${work}/nginx.pid;${process.getuid?.() === 0 ? ' user root;' : ''}`;
    const args = ['-p', work, '-c', join(work, 'nginx.conf'), '-e', join(work, 'error.log'), '-g', globals];
    const check = spawnSync(nginx, ['-t', ...args], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    const started = spawnSync(nginx, args, { encoding: 'utf8' });
    assert.equal(started.status, 0, started.stderr);
    const app = await serveStatic({ dir: fx.dir, ...EXAMPLE });
    try {
      await answersLikeStatic(`http://127.0.0.1:${port}`, app.origin, fx, { brotli });
      await sendsEditedEntryDocument(`http://127.0.0.1:${port}`, fx);
      if (!brotli) t.diagnostic(`no ${BROTLI_MODULE}: compared gzip and identity only`);
    } finally {
      await app.stop();
      spawnSync(nginx, [...args, '-s', 'stop'], { encoding: 'utf8' });
      rmSync(fx.dir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('deployment example (deploy/Caddyfile)', () => {
  const FILE = join(HERE, '../../deploy/Caddyfile');
  const EXAMPLE = { fhirBase: 'https://fhir.example.fi/R4', frameAncestors: "'self'", authIssuer: 'https://tunnistus.example.fi' };
  const caddy = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((p) => existsSync(p));
  const SKIP = caddy ? false : 'caddy is not installed (Debian: apt-get install caddy)';

  test('sends the same security headers as static.mjs, CSP included, COOP by path', () => {
    const text = readFileSync(FILE, 'utf8');
    const snippet = text.match(/^\(tahto_security_headers\) \{\n([\s\S]*?)\n\}/m)[1];
    const set = Object.fromEntries([...snippet.matchAll(/^\theader ([\w-]+) "([^"]*)"$/gm)].map((m) => [m[1], m[2]]));
    // COOP by two matchers that exclude each other, so Caddy's order of `header` cannot matter.
    const matcher = (name) => {
      const [, not, re] = text.match(new RegExp(`^\\t@${name} (not )?path_regexp (\\S+)$`, 'm'));
      return { not: !!not, re: new RegExp(re) };
    };
    const coops = [...snippet.matchAll(/^\theader @(\w+) Cross-Origin-Opener-Policy "([^"]*)"$/gm)].map((m) => ({ matcher: matcher(m[1]), value: m[2] }));
    assert.equal(coops.length, 2);
    for (const path of ['/', '/organ-donation', '/index.html', '/signed-in.html', '/tahto/signed-in.html', '/signed-in.js', '/embed.js', '/tahto-0123456789abcdef_bg.wasm']) {
      const matching = coops.filter(({ matcher }) => matcher.re.test(path) !== matcher.not);
      assert.equal(matching.length, 1, path);
      assert.deepEqual({ ...set, 'Cross-Origin-Opener-Policy': matching[0].value }, securityHeaders(EXAMPLE, path), path);
    }
    assert.match(set['Content-Security-Policy'], /connect-src 'self' https:\/\/fhir\.example\.fi https:\/\/tunnistus\.example\.fi;/);
    // Generated: every line --print-headers writes (but its comments) is in the file, the header
    // lines in the snippet in order (the matchers are the site's: its error handler sees them).
    const lines = (part) => part.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const printed = printedHeaders('caddy', EXAMPLE).filter((l) => !l.startsWith('#'));
    const headerLines = printed.filter((l) => l.startsWith('header '));
    assert.deepEqual(lines(snippet).filter((l) => printed.includes(l)), headerLines);
    for (const line of printed) assert.ok(lines(text).includes(line), line);
    assert.match(snippet, /^\theader -Server$/m);
  });

  test('caddy validates it; a running caddy answers as static.mjs does', { skip: SKIP }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'tahto-caddy-'));
    const fx = fixtureDist({ signedIn: true });
    fx.run('externalize-inline.mjs');
    fx.run('precompress.mjs');
    const port = await freePort();
    const conf = `{\n\tadmin off\n\tauto_https off\n}\n\n` +
      readFileSync(FILE, 'utf8').replace(/^:8080 \{/m, `http://127.0.0.1:${port} {`).replace(/^\troot \* \/srv\/tahto\/dist$/m, `\troot * ${fx.dir}`);
    const file = join(work, 'Caddyfile');
    writeFileSync(file, conf);
    const env = { ...process.env, HOME: work, XDG_DATA_HOME: work, XDG_CONFIG_HOME: work };
    const check = spawnSync(caddy, ['validate', '--config', file, '--adapter', 'caddyfile'], { encoding: 'utf8', env });
    assert.equal(check.status, 0, check.stderr);
    const child = spawn(caddy, ['run', '--config', file, '--adapter', 'caddyfile'], { stdio: 'ignore', env });
    children.add(child);
    const app = await serveStatic({ dir: fx.dir, ...EXAMPLE });
    try {
      await answersLikeStatic(`http://127.0.0.1:${port}`, app.origin, fx);
      await sendsEditedEntryDocument(`http://127.0.0.1:${port}`, fx);
    } finally {
      await app.stop();
      await stop(child);
      rmSync(fx.dir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });
});
