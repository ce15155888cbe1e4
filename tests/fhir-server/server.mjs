// Tahto's local FHIR R4 server: Medplum's FhirRouter + MemoryRepository behind node:http, with the
// behaviours a real backend has and the in-memory repository lacks (validation, referential checks
// on the patient, sequential versions, ETag/Location/Last-Modified, If-Match, If-None-Exist, stable
// history, CORS, JSON-file persistence, a reset to the seed), and JSON compressed (brotli or gzip)
// as a production server sends it.
//
// With --auth-issuer (SMART App Launch 2.2, auth.mjs): the base's `.well-known/smart-configuration`
// is open; every other FHIR request needs a Bearer JWT from that issuer for this base, and is held
// to the token's scopes and patient (smart.mjs). POST /__admin/expire-tokens refuses every token
// issued until then. Without it, the server is open as before.
//
// CLI: node server.mjs --port 8103 [--host 127.0.0.1] [--data path/to/fhir.json]
//        [--auth-issuer http://127.0.0.1:18110 [--audience <another base URL the tokens may name>]]
import { runIfMain, serve } from './cli.mjs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import {
  OperationOutcomeError,
  evalFhirPath,
  getStatus,
  globalSchema,
  isResourceType,
  matchesSearchRequest,
  normalizeOperationOutcome,
  notFound,
} from '@medplum/core';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { compressBody, negotiateEncoding, varyWith } from './encoding.mjs';
import { SEED_LAST_UPDATED, seedResources } from './seed.mjs';
import {
  CAPABILITIES,
  PATIENT_SEARCH_PARAMS,
  RESOURCE_TYPES,
  SCOPES_SUPPORTED,
  VERBS,
  allows,
  inPatientCompartment,
  isFhirId,
  patientIdOf,
  patientsOf,
  visibleTo,
} from './smart.mjs';
import { issueText, loadMedplumDefinitions, medplumIssues } from './validate.mjs';

const FHIR_PREFIX = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const STORE_FORMAT = 'tahto-fhir-store/1';

// ---- CORS (shared with the proxy so both answer identically) -----------------------------------

export const CORS_ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
export const CORS_ALLOW_HEADERS =
  'Content-Type, Accept, If-Match, If-None-Exist, If-None-Match, Prefer, Authorization, X-Request-Id';
// WWW-Authenticate: the app reads why a token was refused (RFC 6750).
export const CORS_EXPOSE_HEADERS = 'ETag, Location, Last-Modified, Content-Location, Retry-After, WWW-Authenticate';

/** CORS headers for a response to `req`; echo the Origin so credentials would also work. */
export function corsHeaders(req) {
  const origin = req.headers.origin;
  return {
    'Access-Control-Allow-Origin': origin || '*',
    ...(origin ? { Vary: 'Origin' } : {}),
    'Access-Control-Allow-Methods': CORS_ALLOW_METHODS,
    'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
    'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS,
    'Access-Control-Max-Age': '600',
  };
}

// ---- OperationOutcome helpers ----------------------------------------------------------------

/** A one-issue OperationOutcome with the same readable text in details.text and diagnostics. */
export function outcome(code, text, { severity = 'error', expression } = {}) {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity, code, details: { text }, diagnostics: text, ...(expression ? { expression } : {}) }],
  };
}

/** Carries an HTTP status and an OperationOutcome up to the request handler. */
class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(body.issue?.[0]?.diagnostics ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}
const fail = (status, code, text, opts) => new HttpError(status, outcome(code, text, opts));

// ---- Repository: Medplum's in-memory repo with sequential versions and stable history --------

/**
 * The signed-in patient while a request runs (with --auth-issuer): searches and type history see
 * only what is theirs or shared, whichever path in Medplum's router reaches the repository.
 */
const compartment = new AsyncLocalStorage();
const seenBy = (resource) => {
  const access = compartment.getStore();
  return !access || visibleTo(resource, access.patient);
};

class TahtoRepository extends MemoryRepository {
  // Medplum's repo keeps its maps in `this.resources` / `this.history` (TS-private, plain JS fields).
  #clock = 0;
  deleted = new Set(); // "Type/id" of deleted resources, so a read can answer 410 instead of 404

  /** Strictly increasing server time, so `_sort=_lastUpdated` and history order never tie. */
  #now() {
    this.#clock = Math.max(Date.now(), this.#clock + 1);
    return new Date(this.#clock).toISOString();
  }

  versionsOf(type, id) {
    return this.history.get(type)?.get(id) ?? [];
  }

  /** Every write ends here (Medplum's updateResource also calls createResource). */
  async createResource(resource) {
    const r = structuredClone(resource);
    r.id ??= this.generateId();
    const prev = this.versionsOf(r.resourceType, r.id).at(-1);
    const nextVid = (prev ? Number(prev.meta.versionId) : 0) + 1;
    r.meta = { ...r.meta, versionId: String(nextVid), lastUpdated: this.#now() };
    this.deleted.delete(`${r.resourceType}/${r.id}`);
    return super.createResource(r);
  }

  /** Put a version back exactly as stored (seed and persisted data keep their meta). */
  async restoreVersion(resource) {
    this.#clock = Math.max(this.#clock, Date.parse(resource.meta.lastUpdated));
    return super.createResource(resource);
  }

  async deleteResource(type, id) {
    await super.deleteResource(type, id);
    this.deleted.add(`${type}/${id}`);
  }

  /** Medplum reverses its history array in place (order flips on every call); copy and sort instead. */
  async readHistory(type, id, options = {}) {
    if (!this.resources.get(type)?.has(id)) throw new OperationOutcomeError(notFound);
    return historyBundle(this.versionsOf(type, id), options);
  }

  /** Type-level history (Medplum has no route for it): all versions of all ids, newest first. */
  readTypeHistory(type, options = {}) {
    const all = [...(this.history.get(type)?.values() ?? [])].flat().filter(seenBy);
    return historyBundle(all, options);
  }

  clear() {
    super.clear();
    this.deleted.clear();
  }

  /**
   * Medplum's search with the same results, at a cost that lets a citizen have thousands of lab
   * results: Medplum's own clones every match and evaluates the sort expression twice per
   * comparison (minutes at 10,000); this evaluates it once per match and clones only the page.
   */
  async search(request) {
    const matches = [];
    for (const resource of this.resources.get(request.resourceType)?.values() ?? []) {
      if (seenBy(resource) && matchesSearchRequest(resource, request)) matches.push(resource);
    }
    let rows = matches;
    // Like Medplum: one stable sort per rule, in order; an unknown parameter leaves the order.
    for (const rule of request.sortRules ?? []) {
      const expression = globalSchema.types[request.resourceType]?.searchParams?.[rule.code]?.expression;
      if (!expression) continue;
      const sign = rule.descending ? -1 : 1;
      const keyed = rows.map((resource) => ({ resource, key: JSON.stringify(evalFhirPath(expression, resource)) }));
      keyed.sort((a, b) => a.key.localeCompare(b.key) * sign);
      rows = keyed.map((k) => k.resource);
    }
    const offset = request.offset ?? 0;
    const page = rows.slice(offset, request.count === undefined ? undefined : offset + request.count);
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: page.length ? page.map((resource) => ({ resource: structuredClone(resource) })) : undefined,
      total: matches.length,
    };
  }
}

function newestFirst(a, b) {
  return (
    b.meta.lastUpdated.localeCompare(a.meta.lastUpdated) ||
    Number(b.meta.versionId) - Number(a.meta.versionId) ||
    a.id.localeCompare(b.id)
  );
}

function historyBundle(versions, { offset = 0, limit } = {}) {
  const sorted = [...versions].sort(newestFirst);
  const page = sorted.slice(offset, limit === undefined ? undefined : offset + limit);
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: sorted.length,
    entry: page.map((v) => ({
      resource: structuredClone(v),
      request: { method: v.meta.versionId === '1' ? 'POST' : 'PUT', url: `${v.resourceType}/${v.id}` },
      response: {
        status: v.meta.versionId === '1' ? '201 Created' : '200 OK',
        etag: `W/"${v.meta.versionId}"`,
        lastModified: v.meta.lastUpdated,
      },
    })),
  };
}

// ---- The store: repo + router + persistence -------------------------------------------------

/**
 * Medplum's search parameters shared by many resource types carry one FHIRPath branch per type
 * (`AllergyIntolerance.patient | CarePlan.subject… | Observation.subject…`), and Medplum evaluates
 * every branch for every stored resource: about 1 ms per Observation for `patient` alone. Each type
 * gets its own copy with only its own branches, which give the same values (the others never
 * match it); `originalExpressions` keeps what was there for the test that checks that.
 */
export const originalExpressions = new Map(); // "Type.code" → Medplum's expression
function narrowSearchParameters() {
  if (originalExpressions.size) return;
  for (const [type, { searchParams }] of Object.entries(globalSchema.types)) {
    for (const [code, param] of Object.entries(searchParams ?? {})) {
      const branches = topLevelBranches(param.expression ?? '');
      const own = branches.filter((b) => new RegExp(`^\\(*${type}(\\.|\\s|\\)|$)`).test(b));
      if (branches.length < 2 || own.length === 0 || own.length === branches.length) continue;
      originalExpressions.set(`${type}.${code}`, param.expression);
      searchParams[code] = { ...param, expression: own.join(' | ') };
    }
  }
}

/** `a | (b | c) | d` → [`a`, `(b | c)`, `d`]: splits on `|` outside parentheses and quotes. */
function topLevelBranches(expression) {
  const branches = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i += 1) {
    const c = expression[i];
    if (c === "'" && expression[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '(') depth += 1;
    else if (!quoted && c === ')') depth -= 1;
    else if (!quoted && depth === 0 && c === '|') {
      branches.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  branches.push(expression.slice(start).trim());
  return branches;
}

export class FhirStore {
  constructor({ dataFile } = {}) {
    loadMedplumDefinitions();
    narrowSearchParameters();
    this.dataFile = dataFile;
    this.repo = new TahtoRepository();
    this.router = new FhirRouter();
    this.queue = Promise.resolve(); // writes run one at a time: check + write + persist is atomic
  }

  /** Load --data if present, else the seed (and write it when --data is given). */
  async init() {
    if (this.dataFile && existsSync(this.dataFile)) {
      await this.#load(JSON.parse(readFileSync(this.dataFile, 'utf8')));
    } else {
      await this.reset();
    }
  }

  async reset() {
    this.repo.clear();
    const seed = seedResources();
    assertValid(seed, 'seed');
    for (const r of seed) {
      await this.repo.restoreVersion({ ...r, meta: { ...r.meta, versionId: '1', lastUpdated: SEED_LAST_UPDATED } });
    }
    this.persist();
    return seed.length;
  }

  async #load(data) {
    if (data.format !== STORE_FORMAT) throw new Error(`${this.dataFile}: not a ${STORE_FORMAT} file`);
    this.repo.clear();
    for (const version of data.history) await this.repo.restoreVersion(version);
    for (const key of data.deleted ?? []) {
      const [type, id] = key.split('/');
      await this.repo.deleteResource(type, id);
    }
    assertValid(this.currentResources(), this.dataFile);
  }

  currentResources() {
    return [...this.repo.resources.values()].flatMap((m) => [...m.values()]);
  }

  /** Atomic: write a temp file, then rename over the old one. */
  persist() {
    if (!this.dataFile) return;
    const history = [...this.repo.history.values()].flatMap((m) => [...m.values()].flat());
    history.sort((a, b) => a.meta.lastUpdated.localeCompare(b.meta.lastUpdated) || a.id.localeCompare(b.id));
    const data = { format: STORE_FORMAT, history, deleted: [...this.repo.deleted] };
    const tmp = `${this.dataFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.dataFile);
  }

  /** Run a write exclusively; persist after it succeeds. */
  exclusive(fn) {
    const run = this.queue.then(async () => {
      const result = await fn();
      this.persist();
      return result;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Route through Medplum's FhirRouter; turn its outcome into an HttpError when it is not 2xx. */
  async route(method, url, body, headers = {}) {
    const [oo, resource] = await this.router.handleRequest(
      { method, url, body, headers, params: {}, query: {}, pathname: '' },
      this.repo
    );
    const status = getStatus(oo);
    if (status >= 400) throw new HttpError(status, readableOutcome(oo));
    return { status, resource };
  }
}

function assertValid(resources, label) {
  const problems = resources.flatMap((r) =>
    medplumIssues(r).map((i) => `${r.resourceType}/${r.id}: ${issueText(i)}`)
  );
  if (problems.length) throw new Error(`invalid resources in ${label}:\n  ${problems.join('\n  ')}`);
}

/** Medplum outcomes with details.text and diagnostics both set to a readable sentence. */
function readableOutcome(oo) {
  return {
    resourceType: 'OperationOutcome',
    issue: (oo.issue ?? []).map((i) => {
      const text = issueText(i);
      const { diagnostics: _d, ...rest } = i;
      return { ...rest, details: { ...i.details, text }, diagnostics: text };
    }),
  };
}

// ---- Write checks ----------------------------------------------------------------------------

function checkBody(type, body, id) {
  if (!isResourceType(type)) throw fail(404, 'not-supported', `Unknown resource type ${type}`);
  if (body === undefined) throw fail(400, 'required', 'Request body is empty; expected a FHIR resource');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw fail(400, 'structure', 'Request body must be a JSON object (a FHIR resource)');
  }
  if (body.resourceType !== type) {
    throw fail(400, 'invalid', `Incorrect resource type: the URL is for ${type}, but the body is ${body.resourceType ?? 'missing resourceType'}`);
  }
  if (id !== undefined && body.id !== id) {
    throw fail(400, 'invalid', `Incorrect resource id: the URL is for ${type}/${id}, but the body has id ${body.id ?? '(none)'}`);
  }
}

function validateOrFail(resource) {
  const issues = medplumIssues(resource);
  if (issues.length) throw new HttpError(400, readableOutcome({ issue: issues }));
}

/** A real backend refuses a record about a patient it does not know; so do we. */
function checkPatientReferences(repo, resource) {
  for (const field of ['patient', 'subject', 'for']) {
    const values = [resource[field]].flat().filter(Boolean);
    for (const value of values) {
      const m = /^(?:.*\/)?Patient\/([^/?#]+)$/.exec(value?.reference ?? '');
      if (!m) continue;
      if (!repo.resources.get('Patient')?.has(m[1])) {
        throw fail(400, 'processing', `Patient/${m[1]} does not exist (${resource.resourceType}.${field})`, {
          expression: [`${resource.resourceType}.${field}`],
        });
      }
    }
  }
}

/** `W/"3"` or `"3"` → "3". */
function parseETag(value) {
  const m = /^(?:W\/)?"([^"]*)"$/.exec(String(value).trim());
  return m ? m[1] : String(value).trim();
}

function checkIfMatch(repo, type, id, ifMatch) {
  if (!ifMatch) return;
  const current = repo.resources.get(type)?.get(id);
  if (!current) throw fail(412, 'conflict', `If-Match given, but ${type}/${id} does not exist`);
  const wanted = parseETag(ifMatch);
  if (current.meta.versionId !== wanted) {
    throw fail(
      412,
      'conflict',
      `Version conflict: ${type}/${id} is at version ${current.meta.versionId}, but the request was based on version ${wanted}`
    );
  }
}

/** Server-managed fields are the server's: drop what the client sent. */
function stripServerMeta(resource) {
  if (resource.meta) {
    delete resource.meta.versionId;
    delete resource.meta.lastUpdated;
    if (Object.keys(resource.meta).length === 0) delete resource.meta;
  }
}

// ---- SMART: tokens, scopes and the patient compartment (with --auth-issuer) -----------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());

/** 401: no token, or one this server does not take (RFC 6750's answer, and a FHIR one). */
function unauthorized(text) {
  return new HttpError(401, outcome('login', text), {
    'WWW-Authenticate': `Bearer realm="tahto", error="invalid_token", error_description="${text}"`,
  });
}

/**
 * Verifies access tokens from `issuer` (its discovery fetched at start and kept; retried until
 * the authorization server answers) and serves the FHIR base's SMART discovery.
 */
export function createTokenGuard({ issuer, audiences = [] }) {
  issuer = issuer.replace(/\/+$/, '');
  let jwks;
  let notBefore = 0; // epoch seconds: tokens issued earlier are refused (POST /__admin/expire-tokens)
  const discovered = (async () => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
        if (response.ok) {
          const config = await response.json();
          // A restarted authorization server has a new key: look again soon, not after jose's 30 s.
          jwks = createRemoteJWKSet(new URL(config.jwks_uri), { cooldownDuration: 1000 });
          return config;
        }
      } catch {
        // not up yet
      }
      if (attempt === 40) console.warn(`waiting for the authorization server at ${issuer}`);
      await sleep(250);
    }
  })();

  /** The issuer's discovery, or 503 when it has not answered for 10 s. */
  async function configuration() {
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new HttpError(503, outcome('transient', 'The sign-in service is not reachable; try again later'), { 'Retry-After': '5' })),
        10_000,
      );
    });
    try {
      return await Promise.race([discovered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    /** The request's token, verified: { patient, scopes }, or a 401 HttpError. */
    async verify(req, base) {
      const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(req.headers.authorization ?? '');
      if (!m) throw unauthorized('Sign-in required: the request has no access token');
      const config = await configuration();
      let payload;
      try {
        ({ payload } = await jwtVerify(m[1], jwks, { issuer: config.issuer, audience: [base, ...audiences], typ: 'at+jwt' }));
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw unauthorized('The access token has expired');
        if (err instanceof joseErrors.JOSEError && !(err instanceof joseErrors.JWKSTimeout)) {
          throw unauthorized('The access token is not valid');
        }
        // The keys could not be fetched: the sign-in service is down, not the token wrong.
        throw new HttpError(503, outcome('transient', 'The sign-in service is not reachable; try again later'), { 'Retry-After': '5' });
      }
      if (typeof payload.iat !== 'number' || payload.iat < notBefore) throw unauthorized('The access token has expired');
      if (typeof payload.patient !== 'string' || !payload.patient) throw unauthorized('The access token names no patient');
      return { patient: payload.patient, scopes: String(payload.scope ?? '').split(' ').filter(Boolean) };
    },

    /**
     * Refuses every token issued until now. `iat` counts whole seconds: wait for the next one, so
     * a token issued before this returns has an earlier `iat`, and one issued after it does not.
     */
    async expireTokens() {
      const next = Math.floor(Date.now() / 1000) + 1;
      await sleep(next * 1000 - Date.now() + 5);
      notBefore = next;
      return next;
    },

    /** SMART App Launch 2.2 discovery (`end_session_endpoint`: an extension, for signing out). */
    async smartConfiguration() {
      const c = await configuration();
      return {
        issuer: c.issuer,
        jwks_uri: c.jwks_uri,
        authorization_endpoint: c.authorization_endpoint,
        token_endpoint: c.token_endpoint,
        revocation_endpoint: c.revocation_endpoint,
        end_session_endpoint: c.end_session_endpoint,
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: SCOPES_SUPPORTED,
        response_types_supported: ['code'],
        capabilities: CAPABILITIES,
      };
    },
  };
}

/** The SMART interaction a request is (c, r, u, d, s), or null when it is none (its own 404/405/501). */
function interactionOf(method, seg) {
  const [type, id] = seg;
  if (!isResourceType(type)) return null;
  if (method === 'GET') return seg.length === 1 || (seg.length === 2 && id === '_history') ? 's' : 'r';
  if (method === 'POST' && seg.length === 1) return 'c';
  if (method === 'PUT' && seg.length === 2) return 'u';
  if (method === 'DELETE' && seg.length === 2) return 'd';
  return null;
}

/** 403 unless the token's scopes allow the request's interaction on its type. */
function checkScopes(access, method, seg) {
  const interaction = interactionOf(method, seg);
  if (!interaction || allows(access.scopes, seg[0], interaction)) return;
  throw new HttpError(403, outcome('forbidden', `The sign-in does not allow ${VERBS[interaction]} ${seg[0]}`), {
    'WWW-Authenticate': `Bearer realm="tahto", error="insufficient_scope", scope="patient/${seg[0]}.${interaction}"`,
  });
}

const notTheirs = (what) => fail(403, 'forbidden', `The sign-in allows only the signed-in patient's records, and ${what}`);

/** 403 when `type/id` (any version) is another patient's record: read, history, update, delete. */
function checkInstance(repo, access, type, id) {
  const latest = repo.versionsOf(type, id).at(-1);
  const theirs = type === 'Patient' ? id === access.patient : !latest || visibleTo(latest, access.patient);
  if (!theirs) throw notTheirs(`${type}/${id} is another patient's`);
}

/** 403 when a search names another patient (results are kept to the patient anyway: `seenBy`). */
function checkSearch(access, type, params) {
  for (const [key, value] of params) {
    const [name, modifier] = key.split(':');
    const named = PATIENT_SEARCH_PARAMS.has(name) ? modifier === undefined || modifier === 'Patient' : type === 'Patient' && key === '_id';
    if (!named) continue;
    for (const item of value.split(',')) {
      const id = patientIdOf(item, { bare: name !== 'entity' });
      if (id && id !== access.patient) throw notTheirs("the search names another patient's");
    }
  }
}

/** Whether a searchset entry (a match, or an `_include`d resource) may go to this token. */
function mayInclude(access, type, resource) {
  if (!visibleTo(resource, access.patient)) return false;
  return resource.resourceType === type || allows(access.scopes, resource.resourceType, 'r');
}

/** 403 when a write names another patient, or a patient's record does not name the signed-in one. */
function checkWrite(access, resource) {
  if (!access) return;
  const ids = patientsOf(resource);
  if ([...ids].some((id) => id !== access.patient)) throw notTheirs(`this ${resource.resourceType} names another patient`);
  if (inPatientCompartment(resource.resourceType) && !ids.has(access.patient)) {
    throw notTheirs(`this ${resource.resourceType} does not name Patient/${access.patient}`);
  }
}

// ---- HTTP layer ------------------------------------------------------------------------------

function send(res, req, status, body, headers = {}) {
  if (body === undefined) {
    res.writeHead(status, { ...corsHeaders(req), ...headers });
    return res.end();
  }
  return sendBody(res, req, status, JSON.stringify(body), { ...corsHeaders(req), 'Content-Type': FHIR_JSON, ...headers });
}

/** Bodies at least this long are compressed when the client accepts it (smaller gain nothing). */
export const COMPRESS_MIN_BYTES = 1024;

/**
 * Sends a JSON body, brotli- or gzip-compressed when it is over COMPRESS_MIN_BYTES and the client
 * accepts it. The whole body is compressed before the head is written, so `Content-Length` is
 * the compressed length: a reader (or the fault proxy cutting an answer short) sees a complete
 * or a visibly truncated body, never a chunked stream with a wrong length. `Vary: Accept-Encoding`
 * on every body, compressed or not, so no cache hands one client's encoding to another.
 */
function sendBody(res, req, status, text, headers) {
  const payload = Buffer.from(text, 'utf8');
  const vary = varyWith(headers.Vary);
  const encoding = payload.length >= COMPRESS_MIN_BYTES ? negotiateEncoding(req.headers['accept-encoding']) : null;
  const finish = (bytes, extra = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { ...headers, Vary: vary, ...extra, 'Content-Length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };
  if (!encoding) return finish(payload);
  return compressBody(payload, encoding).then(
    (packed) => finish(packed, { 'Content-Encoding': encoding }),
    (err) => {
      console.error(`compression failed (${encoding}), sending identity: ${err.message}`);
      finish(payload);
    },
  );
}

function resourceHeaders(base, r, { location = false } = {}) {
  const url = `${base}/${r.resourceType}/${r.id}/_history/${r.meta.versionId}`;
  return {
    ETag: `W/"${r.meta.versionId}"`,
    'Last-Modified': new Date(r.meta.lastUpdated).toUTCString(),
    'Content-Location': url,
    ...(location ? { Location: url } : {}),
  };
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type && type !== 'application/fhir+json' && type !== 'application/json') {
    throw fail(415, 'not-supported', `Unsupported Content-Type ${type}; use application/fhir+json`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw fail(400, 'structure', `Request body is not valid JSON: ${err.message}`);
  }
}

/** Search query → Medplum form: a bare `patient=<id>` becomes `patient=Patient/<id>`. */
function searchUrl(type, params) {
  const q = new URLSearchParams(params);
  for (const key of ['patient']) {
    const values = q.getAll(key);
    if (values.length) {
      q.delete(key);
      for (const v of values) q.append(key, isFhirId(v) ? `Patient/${v}` : v);
    }
  }
  const qs = q.toString();
  return qs ? `${type}?${qs}` : type;
}

/** Searchset decoration Medplum's memory repo leaves out: fullUrl, search.mode, self link. */
function decorateBundle(bundle, base, selfUrl) {
  return {
    ...bundle,
    link: [{ relation: 'self', url: selfUrl }],
    entry: bundle.entry?.map((e) => ({
      fullUrl: `${base}/${e.resource.resourceType}/${e.resource.id}`,
      ...e,
      ...(bundle.type === 'searchset' ? { search: { mode: 'match' } } : {}),
    })),
  };
}

function capabilityStatement(base, { smart = false } = {}) {
  const types = RESOURCE_TYPES;
  const interactions = ['read', 'vread', 'update', 'delete', 'history-instance', 'history-type', 'create', 'search-type'];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: SEED_LAST_UPDATED,
    publisher: 'Tahto (local test server)',
    kind: 'instance',
    software: { name: 'Tahto local FHIR server on @medplum/fhir-router', version: '4.5.2' },
    implementation: { description: 'Local FHIR R4 server for Tahto development and tests', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        // With --auth-issuer: SMART App Launch (the endpoints are in .well-known/smart-configuration).
        ...(smart
          ? { security: { service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }] } }
          : {}),
        resource: types.map((type) => ({
          type,
          interaction: interactions.map((code) => ({ code })),
          versioning: 'versioned-update',
          readHistory: true,
          updateCreate: true,
          conditionalCreate: true,
        })),
      },
    ],
  };
}

/**
 * The server over `store`. `authIssuer` (SMART, see the top of this file): the authorization
 * server whose tokens it takes; `audiences`: base URLs the tokens may name besides this server's
 * own (as the request's Host gives it: a proxy that keeps Host is the same server).
 */
export function createServer(store, { authIssuer, audiences = [] } = {}) {
  const guard = authIssuer ? createTokenGuard({ issuer: authIssuer, audiences }) : null;
  const server = http.createServer(async (req, res) => {
    try {
      await handle(store, req, res, guard);
    } catch (err) {
      if (err instanceof HttpError) return send(res, req, err.status, err.body, err.headers);
      const oo = normalizeOperationOutcome(err);
      const status = err instanceof OperationOutcomeError ? getStatus(oo) : 500;
      if (status >= 500) console.error(err);
      send(res, req, status, status >= 500 ? outcome('exception', `Internal server error: ${err.message}`) : readableOutcome(oo));
    }
  });
  server.guard = guard;
  return server;
}

async function handle(store, req, res, guard) {
  if (req.method === 'OPTIONS') return send(res, req, 204);
  const url = new URL(req.url, 'http://local');
  const path = url.pathname;

  if (path === '/__admin/health' && req.method === 'GET') return sendJson(res, req, 200, { ok: true });
  if (path === '/__admin/reset' && req.method === 'POST') {
    const count = await store.exclusive(() => store.reset());
    return sendJson(res, req, 200, { ok: true, resources: count });
  }
  if (path === '/__admin/expire-tokens' && req.method === 'POST' && guard) {
    const notBefore = await guard.expireTokens();
    return sendJson(res, req, 200, { ok: true, notBefore: new Date(notBefore * 1000).toISOString() });
  }
  if (path !== FHIR_PREFIX && !path.startsWith(`${FHIR_PREFIX}/`)) {
    throw fail(404, 'not-found', `No such endpoint: ${req.method} ${path} (the FHIR base is ${FHIR_PREFIX})`);
  }

  const base = `http://${req.headers.host ?? 'localhost'}${FHIR_PREFIX}`;
  const seg = path.slice(FHIR_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  let access = null; // { patient, scopes } of the request's token, with --auth-issuer
  if (guard) {
    if (req.method === 'GET' && seg.join('/') === '.well-known/smart-configuration') {
      return sendJson(res, req, 200, await guard.smartConfiguration());
    }
    // The CapabilityStatement stays open: a client reads it before it has a token.
    if (!(req.method === 'GET' && seg.length === 1 && seg[0] === 'metadata')) {
      access = await guard.verify(req, base);
      checkScopes(access, req.method, seg);
    }
  }
  return compartment.run(access, () => fhirRequest(store, req, res, { url, base, seg, access, guard }));
}

async function fhirRequest(store, req, res, { url, base, seg, access, guard }) {
  const [type, id, op, vid] = seg;
  if (access && seg.length >= 2 && id !== '_history') checkInstance(store.repo, access, type, id);
  const hasBody = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
  const body = hasBody ? await readBody(req) : undefined;
  const { repo } = store;

  // --- reads
  if (req.method === 'GET') {
    if (seg.length === 1 && type === 'metadata') return send(res, req, 200, capabilityStatement(base, { smart: Boolean(guard) }));
    if (seg.length === 1) {
      if (access) checkSearch(access, type, url.searchParams);
      const { resource } = await store.route('GET', searchUrl(type, url.searchParams), undefined, req.headers);
      if (access) {
        const kept = resource.entry?.filter((e) => mayInclude(access, type, e.resource));
        resource.entry = kept?.length ? kept : undefined;
      }
      return send(res, req, 200, decorateBundle(resource, base, `${base}${url.pathname.slice(FHIR_PREFIX.length)}${url.search}`));
    }
    if (seg.length === 2 && id === '_history') {
      const bundle = repo.readTypeHistory(type, pageOptions(url));
      return send(res, req, 200, decorateBundle(bundle, base, `${base}/${type}/_history`));
    }
    if (seg.length >= 2 && repo.deleted.has(`${type}/${id}`) && seg.length !== 4) {
      throw fail(410, 'deleted', `${type}/${id} has been deleted`);
    }
    if (seg.length === 2) {
      const r = await readOr404(store, `${type}/${id}`);
      return send(res, req, 200, r, resourceHeaders(base, r));
    }
    if (seg.length === 3 && op === '_history') {
      if (!repo.resources.get(type)?.has(id)) throw fail(404, 'not-found', `${type}/${id} does not exist`);
      const bundle = await repo.readHistory(type, id, pageOptions(url));
      return send(res, req, 200, decorateBundle(bundle, base, `${base}/${type}/${id}/_history`));
    }
    if (seg.length === 4 && op === '_history') {
      const r = repo.versionsOf(type, id).find((v) => v.meta.versionId === vid);
      if (!r) throw fail(404, 'not-found', `${type}/${id} has no version ${vid}`);
      return send(res, req, 200, r, resourceHeaders(base, r));
    }
  }

  // --- writes
  if (req.method === 'POST' && seg.length === 1) {
    return create(store, req, res, base, type, body);
  }
  if (req.method === 'POST' && seg.length === 0) {
    throw fail(501, 'not-supported', 'Batch and transaction Bundles are not supported by this server');
  }
  if (req.method === 'PUT' && seg.length === 2) {
    return update(store, req, res, base, type, id, body);
  }
  if (req.method === 'DELETE' && seg.length === 2) {
    await store.exclusive(async () => {
      if (!repo.resources.get(type)?.has(id)) throw fail(404, 'not-found', `${type}/${id} does not exist`);
      checkIfMatch(repo, type, id, req.headers['if-match']);
      await repo.deleteResource(type, id);
    });
    return send(res, req, 204);
  }
  if (req.method === 'PATCH') throw fail(501, 'not-supported', 'PATCH is not supported; send the whole resource with PUT');
  throw fail(405, 'not-supported', `${req.method} ${url.pathname} is not supported`);
}

function sendJson(res, req, status, body) {
  return sendBody(res, req, status, JSON.stringify(body), { ...corsHeaders(req), 'Content-Type': 'application/json; charset=utf-8' });
}

function pageOptions(url) {
  const int = (k) => (url.searchParams.has(k) ? Number.parseInt(url.searchParams.get(k), 10) : undefined);
  return { offset: int('_offset') ?? 0, limit: int('_count') };
}

async function readOr404(store, ref) {
  try {
    return (await store.route('GET', ref)).resource;
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) throw fail(404, 'not-found', `${ref} does not exist`);
    throw err;
  }
}

async function create(store, req, res, base, type, body) {
  checkBody(type, body);
  const resource = structuredClone(body);
  delete resource.id; // the server assigns ids on create
  stripServerMeta(resource);
  validateOrFail(resource);
  checkWrite(compartment.getStore(), resource);
  const ifNoneExist = req.headers['if-none-exist'];
  const { status, resource: stored } = await store.exclusive(async () => {
    checkPatientReferences(store.repo, resource);
    // Medplum's conditionalCreate: 1 match → 200 with it, >1 → 412, none → create.
    return store.route('POST', type, resource, ifNoneExist ? { 'if-none-exist': ifNoneExist } : {});
  });
  send(res, req, status, stored, resourceHeaders(base, stored, { location: true }));
}

async function update(store, req, res, base, type, id, body) {
  checkBody(type, body, id);
  const resource = structuredClone(body);
  stripServerMeta(resource);
  validateOrFail(resource);
  checkWrite(compartment.getStore(), resource);
  const { existed, stored } = await store.exclusive(async () => {
    checkIfMatch(store.repo, type, id, req.headers['if-match']);
    checkPatientReferences(store.repo, resource);
    const existed = store.repo.resources.get(type)?.has(id) ?? false;
    const { resource: stored } = await store.route('PUT', `${type}/${id}`, resource);
    return { existed, stored };
  });
  send(res, req, existed ? 200 : 201, stored, resourceHeaders(base, stored, { location: true }));
}

// ---- CLI -------------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8103' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      'auth-issuer': { type: 'string' },
      audience: { type: 'string', multiple: true },
    },
  });
  const store = new FhirStore({ dataFile: values.data });
  await store.init();
  const server = createServer(store, { authIssuer: values['auth-issuer'], audiences: values.audience ?? [] });
  serve(server, values, () => {
    const { port } = server.address();
    const smart = values['auth-issuer'] ? ` (SMART: tokens from ${values['auth-issuer']})` : '';
    console.log(`FHIR server listening on http://${values.host}:${port}${FHIR_PREFIX}${smart}`);
  });
}

runIfMain(import.meta.url, main);
