// A partner's site for trying Tahto embedded: serves examples/partner/ (a municipality's wellbeing
// page with two <tahto-embed> elements) on an origin of its own, under a strict Content-Security-
// Policy of its own that lets in exactly Tahto's script and frame. The page names Tahto as
// https://tahto.example, as a partner's would; this server writes the Tahto it is given instead.
//
// Run it on another *site* than Tahto (`localhost` beside Tahto's 127.0.0.1) and the browser keeps
// Tahto's storage in the frame for this site only, as for a real partner. ./scripts/run starts it;
// Playwright starts it twice (the partner, and a third origin that is not on Tahto's list).
//
// An EHR launch (SMART App Launch), with --launch-issuer, --fhir-base and --patient: the demo
// partner "has signed in" that patient (Helmi, in ./scripts/run). A real portal's backend creates
// the launch context after its own sign-in; this server asks the dev authorization server
// (auth.mjs `POST /__admin/launch`) for a fresh one each time it serves the page, and writes
// `iss="<FHIR base>" launch="<id>"` into every <tahto-embed> start tag. Tahto in the frame then
// asks the citizen to confirm who they are in a sign-in window of its own. All of it server-side:
// the page never talks to the authorization server, so its policy names only Tahto. Without an
// answer from the authorization server the page goes out without a launch (one line logged) and
// the frames offer an ordinary sign-in.
//
// CLI: node partner.mjs --port 8090 --tahto-origin http://127.0.0.1:8080 [--host localhost]
//        [--dir ../../examples/partner]
//        [--launch-issuer http://127.0.0.1:8110 --fhir-base <FHIR base URL> --patient <Patient id>]
//   --host localhost listens on 127.0.0.1 and, where there is one, [::1].
import { runIfMain, stopOnSignal } from './cli.mjs';
import { isFhirId } from './smart.mjs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** How the example page names Tahto; replaced by the server's `tahtoOrigin` in what it serves. */
export const PLACEHOLDER_ORIGIN = 'https://tahto.example';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};
/** Text files in which the placeholder is replaced. */
const REWRITTEN = new Set(['.html', '.js', '.css']);

/** An http(s) origin exactly (no path, user, query or fragment), normalized; throws otherwise. */
export function checkOrigin(value, what = '--tahto-origin') {
  let url;
  try {
    url = new URL(String(value ?? ''));
  } catch {
    throw new Error(`${what}: ${value} is not an origin (http(s)://host[:port])`);
  }
  if (!/^https?:$/.test(url.protocol) || !/^https?:\/\/[^/?#@\s]+\/?$/i.test(String(value))) {
    throw new Error(`${what}: ${value} is not an origin (http(s)://host[:port])`);
  }
  return url.origin;
}

/** A FHIR base: an absolute http(s) URL without user, query or fragment; throws otherwise. */
function checkFhirBase(value) {
  let url;
  try {
    url = new URL(String(value ?? ''));
  } catch {
    throw new Error(`--fhir-base: ${value} is not a URL`);
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new Error(`--fhir-base: ${value} is not an http(s) FHIR base (no user, query or fragment)`);
  }
  return String(value).replace(/\/+$/, '');
}

/** A Patient id as FHIR allows it (and auth.mjs's launch endpoint takes). */
function checkPatient(value) {
  if (!isFhirId(value)) throw new Error(`--patient: ${value} is not a Patient id`);
  return value;
}

const escapeAttribute = (v) =>
  String(v).replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll("'", '&#39;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * `html` with `iss` and `launch` as the first attributes of every <tahto-embed> start tag (first:
 * of two same-named attributes the browser keeps the first). Comments are left as they are.
 */
export function withLaunch(html, { iss, launch }) {
  const attributes = ` iss="${escapeAttribute(iss)}" launch="${escapeAttribute(launch)}"`;
  return html.replace(/<!--[\s\S]*?-->|<tahto-embed(?=[\s/>])/gi, (m) => (m.startsWith('<!--') ? m : m + attributes));
}

/** A fresh EHR launch context for `patient` from the dev authorization server; throws if none. */
async function createLaunch(issuer, patient, { timeoutMs = 3000 } = {}) {
  const response = await fetch(`${issuer}/__admin/launch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ patient }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`it answered ${response.status}`);
  let launch;
  try {
    ({ launch } = JSON.parse(text));
  } catch {
    throw new Error('it answered no JSON');
  }
  if (typeof launch !== 'string' || !launch || launch.length > 256) throw new Error('it answered no launch id');
  return launch;
}

/**
 * The partner page's own policy: its own files, Tahto's script and Tahto's frame, nothing inline.
 * This is what a partner adds for Tahto: `script-src` and `frame-src` naming Tahto's origin.
 */
export function partnerPolicy(tahtoOrigin) {
  return [
    "default-src 'self'",
    `script-src 'self' ${tahtoOrigin}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `frame-src ${tahtoOrigin}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * For tests: a page of this origin with nothing on it, to open as a popup or put in another
 * site's frame (so its policy, unlike the partner page's, lets any page frame it).
 */
const BLANK = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Blank</title></head><body><p>Blank page</p></body></html>\n';

/**
 * The partner's server (not listening yet). With `launchIssuer`, `fhirBase` and `patient` (all or
 * none), the page goes out with a fresh EHR launch for `patient`; `log` says when it cannot.
 */
export function createPartnerServer({ dir, tahtoOrigin, launchIssuer, fhirBase, patient, log = console.error }) {
  const root = resolve(dir);
  const tahto = checkOrigin(tahtoOrigin);
  const given = [launchIssuer, fhirBase, patient].filter((v) => v !== undefined).length;
  if (given !== 0 && given !== 3) throw new Error('an EHR launch needs all of --launch-issuer, --fhir-base and --patient');
  const ehr = given === 3 && { issuer: checkOrigin(launchIssuer, '--launch-issuer'), iss: checkFhirBase(fhirBase), patient: checkPatient(patient) };
  const page = join(root, 'index.html');
  const headers = {
    'Content-Security-Policy': partnerPolicy(tahto),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
  const send = (res, status, type, body, head, extra = {}) => {
    res.writeHead(status, { ...headers, ...extra, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(head ? undefined : body);
  };
  const framable = { 'Content-Security-Policy': headers['Content-Security-Policy'].replace(/; frame-ancestors [^;]*$/, '') };
  return http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return send(res, 405, TYPES['.txt'], 'Method not allowed');
      }
      const head = req.method === 'HEAD';
      let pathname;
      try {
        pathname = decodeURIComponent(new URL(req.url, 'http://local').pathname);
      } catch {
        return send(res, 400, TYPES['.txt'], 'Bad request', head);
      }
      if (pathname === '/__blank') return send(res, 200, TYPES['.html'], BLANK, head, framable);
      if (pathname.endsWith('/')) pathname += 'index.html';
      const file = resolve(join(root, pathname));
      if (pathname.includes('\0') || !file.startsWith(root + sep)) return send(res, 403, TYPES['.txt'], 'Forbidden', head);
      const info = await stat(file).catch(() => null);
      const ext = extname(file).toLowerCase();
      if (!info?.isFile() || !TYPES[ext]) return send(res, 404, TYPES['.txt'], 'Not found', head);
      let body = await readFile(file);
      if (REWRITTEN.has(ext)) body = Buffer.from(body.toString('utf8').replaceAll(PLACEHOLDER_ORIGIN, tahto), 'utf8');
      const extra = {};
      if (ehr && file === page) {
        try {
          const launch = await createLaunch(ehr.issuer, ehr.patient);
          body = Buffer.from(withLaunch(body.toString('utf8'), { iss: ehr.iss, launch }), 'utf8');
          extra['Cache-Control'] = 'no-store'; // a launch is for one page load
        } catch (err) {
          log(`partner: no EHR launch from ${ehr.issuer} (${err.cause?.code ?? err.message}); the page goes out without one`);
        }
      }
      res.writeHead(200, { ...headers, ...extra, 'Content-Type': TYPES[ext], 'Content-Length': body.length });
      res.end(head ? undefined : body);
    } catch (err) {
      if (res.headersSent) return res.destroy(err);
      send(res, 500, TYPES['.txt'], `Internal error: ${err.message}`);
    }
  });
}

/** Listens on `host` (for `localhost`: 127.0.0.1, and [::1] where the machine has it). */
async function listenAll(make, host, port) {
  const hosts = host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
  const servers = [];
  for (const [i, h] of hosts.entries()) {
    const server = make();
    const ok = await new Promise((done, fail) => {
      server.once('error', (err) => (i > 0 && ['EADDRNOTAVAIL', 'EAFNOSUPPORT'].includes(err.code) ? done(false) : fail(err)));
      server.listen(port, h, () => done(true));
    });
    if (ok) servers.push(server);
  }
  return servers;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8090' },
      host: { type: 'string', default: 'localhost' },
      dir: { type: 'string', default: fileURLToPath(new URL('../../examples/partner/', import.meta.url)) },
      'tahto-origin': { type: 'string', default: 'http://127.0.0.1:8080' },
      'launch-issuer': { type: 'string' },
      'fhir-base': { type: 'string' },
      patient: { type: 'string' },
    },
  });
  const options = {
    dir: values.dir,
    tahtoOrigin: values['tahto-origin'],
    launchIssuer: values['launch-issuer'],
    fhirBase: values['fhir-base'],
    patient: values.patient,
  };
  createPartnerServer(options); // checks the options before anything listens
  let servers;
  try {
    servers = await listenAll(() => createPartnerServer(options), values.host, Number(values.port));
  } catch (err) {
    console.error(`cannot listen on ${values.host}:${values.port}: ${err.message}`);
    process.exit(1);
  }
  const host = values.host.includes(':') ? `[${values.host}]` : values.host;
  const launch = options.patient ? `, an EHR launch for ${options.patient} from ${checkOrigin(options.launchIssuer)}` : '';
  console.log(`Partner page on http://${host}:${servers[0].address().port}/ (Tahto from ${checkOrigin(options.tahtoOrigin)})${launch}`);
  stopOnSignal(servers, 200);
}

runIfMain(import.meta.url, main);
