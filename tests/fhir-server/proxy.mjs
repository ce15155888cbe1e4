// Fault-injection HTTP proxy in front of the FHIR server. Tests set faults over HTTP
// (POST /__proxy/faults) and read what the app really sent (GET /__proxy/sent).
//
// POST /__proxy/keep-alive {"enabled": false} makes every answer close its connection
// (`Connection: close`) until DELETE /__proxy/faults. A browser resends a request by itself when a
// *reused* keep-alive connection closes without an answer (Chromium does, as often as it has idle
// connections to try), so with keep-alive on a lost answer (`drop`, `dropAfterCommit`) may never
// reach the app; with it off every request travels on a fresh connection and every loss does.
//
// CLI: node proxy.mjs --port 8104 --upstream http://127.0.0.1:8103
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { corsHeaders, outcome } from './server.mjs';

const FAULTS = new Set([
  'delay',
  'status',
  'drop',
  'dropAfterCommit',
  'hang',
  'truncate',
  'conflict412',
  // Answers that are not the stored resource (issue 9): see applyFault.
  'html200',
  'minimal',
  'badVersion',
  'wrongShape',
]);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

// What a captive portal or a maintenance page answers to anything: 200, text/html.
export const MAINTENANCE_PAGE =
  '<!doctype html><html lang="fi"><head><title>Huoltokatko</title></head>' +
  '<body><h1>Palvelu on huollossa</h1><p>Yritä myöhemmin uudelleen.</p></body></html>';

// A version a browser cannot send back in If-Match as is (quotes break W/"…").
export const BAD_VERSION = '1 "x"';

// JSON of the wrong shape for a write's answer.
const WRONG_SHAPE = { resourceType: 'Bundle', type: 'searchset', total: 0 };

// Default OperationOutcome per injected status: what a real FHIR server or gateway would say.
const DEFAULT_ISSUES = {
  400: ['invalid', 'Bad request'],
  401: ['login', 'Authentication required'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  408: ['timeout', 'Request timeout'],
  409: ['conflict', 'Conflict: the resource was changed by another request'],
  412: ['conflict', 'Precondition failed: the resource has been changed since it was read (version conflict)'],
  422: ['processing', 'Unprocessable entity'],
  429: ['throttled', 'Too many requests, please retry later'],
  500: ['exception', 'Internal server error'],
  502: ['transient', 'Bad gateway: the upstream service did not answer'],
  503: ['transient', 'Service temporarily unavailable, please retry later'],
  504: ['timeout', 'Gateway timeout: the upstream service did not answer in time'],
};

export function defaultOutcome(status) {
  const [code, text] = DEFAULT_ISSUES[status] ?? [status >= 500 ? 'exception' : 'processing', `HTTP ${status}`];
  return outcome(code, text);
}

export function createProxy({ upstream }) {
  const target = new URL(upstream);
  const rules = [];
  const sent = [];
  let nextRuleId = 1;
  let seq = 0;
  let keepAlive = true;

  /** First rule that fires for this request, updating its counters; rules fire in insertion order. */
  function takeRule(method, url) {
    for (const rule of rules) {
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.path && !url.includes(rule.path)) continue;
      if (rule.times !== null && rule.fired >= rule.times) continue; // used up
      rule.seen++;
      if (rule.seen <= rule.skip) continue; // let the first `skip` matches through
      rule.fired++;
      return rule;
    }
    return null;
  }

  function addRules(list) {
    const added = [];
    for (const raw of list) {
      if (!raw || !FAULTS.has(raw.fault)) {
        throw new Error(`unknown fault ${JSON.stringify(raw?.fault)}; expected one of ${[...FAULTS].join(', ')}`);
      }
      const rule = {
        ...raw,
        id: nextRuleId++,
        times: 'times' in raw ? raw.times : 1, // null = until cleared
        skip: raw.skip ?? 0,
        seen: 0,
        fired: 0,
      };
      rules.push(rule);
      added.push(rule);
    }
    return added;
  }

  const server = http.createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const path = new URL(req.url, 'http://local').pathname;
      if (path.startsWith('/__proxy/')) return control(req, res, path, body);
      if (!keepAlive) res.setHeader('Connection', 'close');

      // Preflights are never faulted: a faulted preflight would look like a CORS error, not the fault.
      const rule = req.method === 'OPTIONS' ? null : takeRule(req.method, req.url);
      if (BODY_METHODS.has(req.method) && !path.startsWith('/__')) {
        const entry = {
          seq: ++seq,
          time: new Date().toISOString(),
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: parseMaybeJson(body),
          fault: rule?.fault ?? null,
          // When the answer was finished (or the connection closed): tells overlapping requests apart.
          done: null,
        };
        sent.push(entry);
        res.on('close', () => {
          entry.done = new Date().toISOString();
        });
      }
      await applyFault(rule, req, res, body);
    } catch (err) {
      if (!res.headersSent) reply(req, res, 502, outcome('transient', `Bad gateway: ${err.message}`));
      else res.destroy();
    }
  });

  async function applyFault(rule, req, res, body) {
    const fault = rule?.fault;
    const injected = fault ? { 'X-Fault-Injected': fault } : {};
    switch (fault) {
      case undefined:
        return forwardStreaming(req, res, body);
      case 'delay':
        await sleep(rule.delayMs ?? 1000);
        return forwardStreaming(req, res, body, injected);
      case 'status': {
        const status = rule.status ?? 500;
        const headers = { ...injected, ...(rule.headers ?? {}) };
        if (rule.retryAfter !== undefined) headers['Retry-After'] = String(rule.retryAfter);
        return reply(req, res, status, rule.body ?? defaultOutcome(status), headers);
      }
      case 'conflict412':
        return reply(req, res, 412, rule.body ?? defaultOutcome(412), injected);
      case 'drop':
        return req.socket.destroy(); // the server never sees it
      case 'hang':
        return; // never answer; the socket closes when the client gives up (or at shutdown)
      case 'dropAfterCommit': {
        await forwardBuffered(req, body); // the server has committed; the answer is lost
        return req.socket.destroy();
      }
      case 'html200':
        // Not forwarded: nothing is stored, yet the answer is a 200.
        return reply(req, res, 200, rule.body ?? MAINTENANCE_PAGE, injected, 'text/html; charset=utf-8');
      case 'minimal': {
        // Forwarded and stored; a 2xx loses its body as with `Prefer: return=minimal`, keeping
        // Location/ETag/Last-Modified.
        const up = await forwardBuffered(req, body);
        if (!is2xx(up.status)) return relay(res, up, injected);
        const headers = { ...up.headers, ...injected, 'content-length': '0' };
        delete headers['content-type'];
        delete headers['transfer-encoding'];
        res.writeHead(up.status, headers);
        return res.end();
      }
      case 'badVersion': {
        // Forwarded (and a write stored); the 2xx answer claims a version no FHIR server stores:
        // a resource's, or every found resource's in a search Bundle.
        const up = await forwardBuffered(req, body);
        const resource = is2xx(up.status) ? parseMaybeJson(up.body) : null;
        const version = rule.version ?? BAD_VERSION;
        if (resource?.resourceType === 'Bundle') {
          for (const entry of resource.entry ?? []) if (entry.resource?.meta) entry.resource.meta.versionId = version;
          return relay(res, { ...up, headers: { ...up.headers, ...injected }, body: Buffer.from(JSON.stringify(resource)) });
        }
        if (!resource?.meta) return relay(res, up, injected);
        resource.meta.versionId = version;
        const headers = { ...up.headers, ...injected };
        // Node refuses header bytes above 0xFF: such a version only reaches the body.
        if (/^[\x20-\x7e\x80-\xff]*$/.test(version)) headers.etag = `W/"${version}"`;
        else delete headers.etag;
        if (headers.location) headers.location = headers.location.replace(/_history\/[^/]*$/, `_history/${encodeURIComponent(version)}`);
        return relay(res, { ...up, headers, body: Buffer.from(JSON.stringify(resource)) });
      }
      case 'wrongShape': {
        // Forwarded and stored; the 2xx answer is JSON, but not the stored resource.
        const up = await forwardBuffered(req, body);
        if (!is2xx(up.status)) return relay(res, up, injected);
        const shape = rule.body ?? WRONG_SHAPE;
        const payload = Buffer.from(typeof shape === 'string' ? shape : JSON.stringify(shape));
        return relay(res, { ...up, headers: { ...up.headers, ...injected }, body: payload });
      }
      case 'truncate': {
        const up = await forwardBuffered(req, body);
        const half = up.body.subarray(0, Math.floor(up.body.length / 2));
        const headers = { ...endToEnd(up.headers), ...injected, 'content-length': String(half.length) };
        delete headers['transfer-encoding'];
        res.writeHead(up.status, headers);
        return res.end(half);
      }
    }
  }

  /** Sends a buffered upstream answer (perhaps rewritten) with a Content-Length that fits it. */
  function relay(res, up, extraHeaders = {}) {
    const headers = { ...up.headers, ...extraHeaders, 'content-length': String(up.body.length) };
    delete headers['transfer-encoding'];
    res.writeHead(up.status, headers);
    res.end(up.body);
  }

  function upstreamRequest(req, body, { identity = false } = {}) {
    const headers = { ...req.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    // A body the proxy reads or rewrites (buffered faults) is asked for uncompressed; a streamed
    // one passes as the server encoded it.
    if (identity) headers['accept-encoding'] = 'identity';
    if (body.length === 0 && !BODY_METHODS.has(req.method)) delete headers['content-length'];
    // Host is kept as the client sent it, so the server's Location/fullUrl point back at the proxy.
    return http.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
    });
  }

  function forwardStreaming(req, res, body, extraHeaders = {}) {
    return new Promise((resolve, reject) => {
      const up = upstreamRequest(req, body);
      up.on('response', (upRes) => {
        res.writeHead(upRes.statusCode, { ...endToEnd(upRes.headers), ...extraHeaders });
        upRes.pipe(res);
        upRes.on('end', resolve);
        upRes.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    });
  }

  function forwardBuffered(req, body) {
    return new Promise((resolve, reject) => {
      const up = upstreamRequest(req, body, { identity: true });
      up.on('response', async (upRes) => {
        try {
          resolve({ status: upRes.statusCode, headers: { ...upRes.headers }, body: await readAll(upRes) });
        } catch (err) {
          reject(err);
        }
      });
      up.on('error', reject);
      up.end(body);
    });
  }

  function control(req, res, path, body) {
    if (req.method === 'OPTIONS') return reply(req, res, 204);
    const url = new URL(req.url, 'http://local');
    const json = (status, value) => reply(req, res, status, value, {}, 'application/json; charset=utf-8');
    if (path === '/__proxy/health' && req.method === 'GET') return json(200, { ok: true, upstream: target.origin });
    if (path === '/__proxy/faults') {
      if (req.method === 'GET') return json(200, { rules });
      if (req.method === 'DELETE') {
        rules.length = 0;
        keepAlive = true;
        return json(200, { ok: true, rules });
      }
      if (req.method === 'POST') {
        try {
          const parsed = JSON.parse(body.toString('utf8') || '{}');
          const list = Array.isArray(parsed) ? parsed : parsed.rules ?? [parsed];
          // `replace`: the new rules take the old ones' place at once, with no moment in between
          // in which a retry could pass unfaulted.
          if (!Array.isArray(parsed) && parsed.replace === true) rules.length = 0;
          return json(200, { ok: true, added: addRules(list), rules });
        } catch (err) {
          return json(400, { ok: false, error: err.message });
        }
      }
    }
    if (path === '/__proxy/keep-alive') {
      if (req.method === 'GET') return json(200, { enabled: keepAlive });
      if (req.method === 'POST') {
        try {
          const parsed = JSON.parse(body.toString('utf8') || '{}');
          if (typeof parsed.enabled !== 'boolean') throw new Error('expected {"enabled": true|false}');
          keepAlive = parsed.enabled;
          return json(200, { ok: true, enabled: keepAlive });
        } catch (err) {
          return json(400, { ok: false, error: err.message });
        }
      }
    }
    if (path === '/__proxy/sent') {
      if (req.method === 'GET') {
        const since = Number(url.searchParams.get('since') ?? 0);
        return json(200, sent.filter((e) => e.seq > since));
      }
      if (req.method === 'DELETE') {
        sent.length = 0;
        return json(200, { ok: true });
      }
    }
    return json(404, { ok: false, error: `no such control endpoint: ${req.method} ${path}` });
  }

  return server;
}

/**
 * The upstream answer's headers without its hop-by-hop connection headers: the proxy's own
 * connection to the browser decides those (keep-alive, or `Connection: close`).
 */
function endToEnd(headers) {
  const out = { ...headers };
  delete out.connection;
  delete out['keep-alive'];
  return out;
}

/** A response made by the proxy itself: always with the server's CORS headers. */
function reply(req, res, status, body, headers = {}, contentType = 'application/fhir+json; charset=utf-8') {
  const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...corsHeaders(req),
    ...(body === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) }),
    ...headers,
  });
  res.end(payload);
}

async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function parseMaybeJson(buf) {
  const text = buf.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const is2xx = (status) => status >= 200 && status < 300;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8104' },
      host: { type: 'string', default: '127.0.0.1' },
      upstream: { type: 'string', default: 'http://127.0.0.1:8103' },
    },
  });
  const server = createProxy({ upstream: values.upstream });
  server.listen(Number(values.port), values.host, () => {
    const { port } = server.address();
    console.log(`Fault proxy listening on http://${values.host}:${port} -> ${values.upstream}`);
  });
  server.on('error', (err) => {
    console.error(`cannot listen on ${values.host}:${values.port}: ${err.message}`);
    process.exit(1);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // includes hung connections
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
