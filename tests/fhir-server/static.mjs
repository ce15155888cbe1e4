// Static server for the built app (dist/), served as in production: runtime config injected into
// index.html's host element (so the same build runs against any backend, patient and language; the
// partner sites of --frame-ancestors as data-partner-origins, so the two are one list),
// precompressed brotli/gzip by `Accept-Encoding`, caching by kind of file, the SPA fallback and the
// security headers (a strict Content-Security-Policy without 'unsafe-inline'). deploy/nginx.conf
// does the same for a real deployment; tests/fhir-server/server.test.mjs checks that they agree.
//
// CLI: node static.mjs --port 8080 --dir ../../dist --fhir-base http://127.0.0.1:8103/fhir/R4
//        --patient helmi-esimerkki [--lang fi] [--host 127.0.0.1]
//        [--frame-ancestors "'self' https://portal.example.fi"] [--patient-param]
//        [--sign-in smart --auth-issuer http://127.0.0.1:18110]
//        (--sign-in smart: the citizen signs in, SMART App Launch: the host element gets
//        data-sign-in="smart" and no data-patient; --auth-issuer: the authorization server's origin
//        is added to connect-src, for the token endpoint)
//      node static.mjs --print-headers [--format plain|nginx|caddy] [--fhir-base …] [--frame-ancestors …]
//        [--auth-issuer …] [--path /signed-in.html]
//        prints the security headers (for a web server's configuration, deploy/nginx.conf and
//        deploy/Caddyfile) and exits: plain, those of one path (--path, / by default); nginx and
//        caddy, with Cross-Origin-Opener-Policy by path (`openerPolicy`) and the entry document's
//        matching data-partner-origins.
import { runIfMain, serve } from './cli.mjs';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import { basename, extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { negotiateEncoding } from './encoding.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
};
/** What scripts/precompress.mjs writes `.br`/`.gz` copies of. */
const COMPRESSIBLE = new Set(['.js', '.mjs', '.wasm', '.css', '.svg', '.html', '.json', '.webmanifest', '.map', '.txt', '.xml']);
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
];

// ---- Security headers (shared with deploy/nginx.conf through --print-headers and the tests) --------

export const DEFAULT_FRAME_ANCESTORS = "'self'";

/**
 * Checks a `frame-ancestors` value: `'none'`, or `'self'` and/or exact origins
 * (`https://portal.example.fi`, `http://127.0.0.1:8080`: plain http only on this computer),
 * separated by spaces. No wildcards, no schemes alone, no paths: who may frame the citizen's
 * health data is named, never guessed.
 * Returns the value normalized (single spaces, origins as the URL parser writes them).
 */
export function parseFrameAncestors(value) {
  const tokens = String(value ?? '').trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw new Error('frame-ancestors: empty (use \'none\' to forbid framing)');
  if (tokens.includes("'none'")) {
    if (tokens.length > 1) throw new Error("frame-ancestors: 'none' stands alone");
    return "'none'";
  }
  const out = [];
  for (const token of tokens) {
    if (token === "'self'") {
      out.push(token);
      continue;
    }
    if (token.includes('*')) throw new Error(`frame-ancestors: no wildcards (${token})`);
    let url;
    try {
      url = new URL(token);
    } catch {
      throw new Error(`frame-ancestors: ${token} is not an origin (https://host[:port])`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new Error(`frame-ancestors: ${token} is not an http(s) origin`);
    }
    // As for data-fhir-base (src/config.rs), which reads the same list as data-partner-origins:
    // plain http only for this computer.
    if (url.protocol === 'http:' && !/^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/.test(url.hostname)) {
      throw new Error(`frame-ancestors: ${token} must be https (plain http only for localhost, 127.0.0.0/8 and [::1])`);
    }
    // Exactly an origin: scheme, host, optional port; no user, path (not even a slash), query or fragment.
    if (!/^https?:\/\/[^/?#@\s]+$/i.test(token) || url.username || url.password) {
      throw new Error(`frame-ancestors: ${token} is not an origin (no user, path, query or fragment)`);
    }
    out.push(url.origin);
  }
  return [...new Set(out)].join(' ');
}

/**
 * The partner sites of a `frame-ancestors` value: its exact origins, without `'self'` (Tahto's own
 * pages) or `'none'`, space-separated. The entry document's host element carries this list as
 * `data-partner-origins` (`injectConfig`), so the sites the browser lets frame Tahto and the sites
 * Tahto talks to in a frame are one list.
 */
export function partnerOrigins(frameAncestors = DEFAULT_FRAME_ANCESTORS) {
  return parseFrameAncestors(frameAncestors)
    .split(' ')
    .filter((token) => !token.startsWith("'"))
    .join(' ');
}

/** The FHIR base's origin for connect-src, or null when it is not an http(s) URL. */
function fhirOrigin(fhirBase) {
  try {
    const url = new URL(fhirBase);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The Content-Security-Policy Tahto is served with. No 'unsafe-inline' and no 'unsafe-eval':
 * the build has no inline script or style (scripts/externalize-inline.mjs); WebAssembly needs
 * 'wasm-unsafe-eval' and nothing more. Tahto talks to its own origin and the FHIR base only, and,
 * when the citizen signs in (`authIssuer`), to the authorization server's token endpoint.
 */
export function contentSecurityPolicy({ fhirBase, frameAncestors = DEFAULT_FRAME_ANCESTORS, authIssuer } = {}) {
  const fhir = fhirBase === undefined ? null : fhirOrigin(fhirBase);
  const auth = authIssuer === undefined ? null : fhirOrigin(authIssuer);
  const connect = [...new Set(["'self'", fhir, auth].filter(Boolean))].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    `frame-ancestors ${parseFrameAncestors(frameAncestors)}`,
  ].join('; ');
}

/**
 * Powerful features Tahto never uses, denied to it and to anything it could ever embed. Only
 * features Chromium knows: an unknown one is a console warning on every load (the e2e
 * serving.spec fails on it), so e.g. `bluetooth` is left out.
 */
export const PERMISSIONS_POLICY = [
  'accelerometer', 'autoplay', 'browsing-topics', 'camera', 'display-capture', 'encrypted-media',
  'fullscreen', 'geolocation', 'gyroscope', 'hid', 'idle-detection', 'local-fonts', 'magnetometer', 'microphone',
  'midi', 'otp-credentials', 'payment', 'picture-in-picture', 'publickey-credentials-get', 'screen-wake-lock',
  'serial', 'usb', 'window-management', 'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/**
 * The sign-in window's last stop (public/signed-in.html, next to index.html, under any base path),
 * as a regular expression source that JavaScript, nginx (PCRE) and Caddy (Go) read alike: the one
 * path that `openerPolicy` exempts, in this server and in the deploy examples.
 */
export const SIGNED_IN_PATH = '(^|/)signed-in\\.html$';
const signedIn = new RegExp(SIGNED_IN_PATH);

/**
 * Cross-Origin-Opener-Policy for a served path: `same-origin`, so no other window keeps a handle
 * on a window showing health data; `unsafe-none` for signed-in.html only. Tahto signs in from a
 * partner's frame through a popup that ends there and hands the answer back with
 * `window.opener.postMessage`: with `same-origin` the browser cuts the popup from its opener and
 * the sign-in is lost. The page holds no app and no data (one small script), so it is the only
 * one that keeps its opener. By the path asked for, whatever the status, as nginx's `map` and
 * Caddy's matchers see it.
 */
export function openerPolicy(pathname = '/') {
  return signedIn.test(pathname) ? 'unsafe-none' : 'same-origin';
}

/** Every security header, on every response (documents, files, errors) of `pathname`. */
export function securityHeaders(options = {}, pathname = '/') {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    // The path says which health section the citizen is in (/organ-donation, /lab-results):
    // no Referer to the FHIR server or anywhere else. Tahto has no outbound link that needs one.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': openerPolicy(pathname),
    'Permissions-Policy': PERMISSIONS_POLICY,
  };
}

// ---- Caching --------------------------------------------------------------------------------

/**
 * A file named after its content: `tahto-<16+ hex>.css`, `tahto-<hash>_bg.wasm`,
 * `inline-<hash>.js`, `<hash>.wasm`. Only the file's own name counts: wasm-bindgen's
 * `snippets/<crate>-<hash>/` is named after the crate, not the content.
 */
export const isHashed = (name) => /(?:^|[-._])[0-9a-f]{16,}(?=[-._])/i.test(basename(name));

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const SHORT = 'public, max-age=3600';

/**
 * Cache-Control for a served path: hashed files forever; the entry document, the service worker
 * and manifests revalidated each time (a new release is seen at once); unhashed code (wasm-bindgen
 * snippets) revalidated too, since its name does not change with it; other unhashed files (the
 * favicon) an hour.
 */
export function cacheControl(pathname) {
  const name = basename(pathname);
  const ext = extname(name).toLowerCase();
  if (pathname === '/' || name === 'index.html' || !ext) return REVALIDATE;
  // embed.js: partners load it by this one name, so a release reaches them on their next load.
  if (name === 'sw.js' || name === 'embed.js' || ext === '.webmanifest' || name === 'manifest.json') return REVALIDATE;
  if (isHashed(name)) return IMMUTABLE;
  if (['.js', '.mjs', '.wasm', '.css', '.html', '.json', '.map'].includes(ext)) return REVALIDATE;
  return SHORT;
}

// ---- Entry document ---------------------------------------------------------------------------

const escapeAttr = (v) => String(v).replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

/** The host element's start tag (`<div id="tahto" …>`, quoted or not), or null. */
const HOST_TAG = /<div\b(?=[^>]*\sid=(?:"tahto"|'tahto'|tahto(?=[\s>])))[^>]*>/i;

/**
 * Sets `name` on the host element's start tag, adding it when the tag lacks it (Trunk's release
 * minifier drops an empty value's `=""`, and may drop the quotes of simple ones).
 */
function setHostAttribute(html, name, value) {
  return html.replace(HOST_TAG, (tag) => {
    const attribute = new RegExp(`(\\s${name})(?:=(?:"[^"]*"|'[^']*'|[^\\s>"']+))?(?=[\\s/>])`, 'i');
    const set = ` ${name}="${escapeAttr(value)}"`;
    return attribute.test(tag) ? tag.replace(attribute, set) : tag.replace(/\s*\/?>$/, (end) => `${set}${end}`);
  });
}

/** Removes `name` from the host element's start tag (quoted, unquoted or bare). */
function removeHostAttribute(html, name) {
  return html.replace(HOST_TAG, (tag) =>
    tag.replace(new RegExp(`\\s+${name}(?:=(?:"[^"]*"|'[^']*'|[^\\s>"']+))?(?=[\\s/>])`, 'i'), ''),
  );
}

/**
 * Set data-fhir-base / data-patient / data-lang / data-routing on the host element (attributes it
 * already has), and `data-partner-origins` always when `partners` is given (see `partnerOrigins`).
 * `signIn: 'smart'`: the citizen signs in, so the page names no patient: `data-sign-in="smart"`
 * and no `data-patient` at all (whose records these are is the sign-in's to say).
 */
export function injectConfig(html, { fhirBase, patient, lang, routing, partners, signIn }) {
  const set = (text, name, value) =>
    // Quoted or not: Trunk's release minifier drops the quotes of simple attribute values.
    value === undefined
      ? text
      : text.replace(new RegExp(`(\\s${name}=)(?:"[^"]*"|'[^']*'|[^\\s>"']+)`), `$1"${escapeAttr(value)}"`);
  const smart = signIn === 'smart';
  const attributes = { 'data-fhir-base': fhirBase, 'data-patient': smart ? undefined : patient, 'data-lang': lang, 'data-routing': routing };
  let configured = Object.entries(attributes).reduce((text, [name, value]) => set(text, name, value), html);
  if (smart) configured = setHostAttribute(removeHostAttribute(configured, 'data-patient'), 'data-sign-in', 'smart');
  return partners === undefined ? configured : setHostAttribute(configured, 'data-partner-origins', partners);
}

/**
 * The request's target, parsed once per request and never throwing: `url` (null when it does not
 * parse: `//`, `//a:b`, `//[`, `//%`), `pathname` decoded (null when it does not parse or decode:
 * either is a 400) and `asked`, the path as COOP sees it (as asked when it does not decode, the
 * target up to its query when it does not parse).
 */
export function parseTarget(target) {
  let url;
  try {
    url = new URL(target, 'http://local');
  } catch {
    return { url: null, pathname: null, asked: String(target).split(/[?#]/)[0] };
  }
  let pathname = null;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    // Not decodable: a 400, whose COOP goes by the path as asked.
  }
  return { url, pathname, asked: pathname ?? url.pathname };
}

const targets = new WeakMap();

/** `parseTarget` of a request, once: the handler and every answer's headers read the same. */
function requestTarget(req) {
  let target = targets.get(req);
  if (!target) {
    target = parseTarget(req.url);
    targets.set(req, target);
  }
  return target;
}

/** The request's path as COOP and the file lookup see it; never throws. */
const requestPath = (req) => requestTarget(req).asked;

const etagOf = (bytes) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;

/** The ETag of one encoding of a representation: each encoding is its own (RFC 9110 §8.8.3). */
const etagFor = (etag, encoding) => (encoding ? `${etag.slice(0, -1)}-${encoding}"` : etag);

/** True when `If-None-Match` names `etag` (weak comparison, as for GET). */
function notModified(req, etag) {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (t) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => bare(t) === bare(etag));
}

/**
 * Serves `dir` as in production. `frameAncestors`: who may frame the app (see
 * `parseFrameAncestors`); checked here, so a bad value stops the server from starting.
 */
export function createStaticServer({
  dir,
  fhirBase,
  patient,
  lang,
  routing,
  patientParam = false,
  frameAncestors = DEFAULT_FRAME_ANCESTORS,
  signIn,
  authIssuer,
}) {
  if (signIn !== undefined && signIn !== 'smart') throw new Error(`--sign-in: only "smart" is known, not ${JSON.stringify(signIn)}`);
  const root = resolve(dir);
  const security = securityHeaders({ fhirBase, frameAncestors, authIssuer });
  // The same list as frame-ancestors, in the entry document: they cannot disagree.
  const partners = partnerOrigins(frameAncestors);
  // The injected entry document per (index.html, config), with its compressed forms.
  const documents = new Map();

  function entryDocument(raw, config) {
    const key = `${etagOf(raw)}\n${config.fhirBase}\n${config.patient}\n${config.lang}\n${config.routing}\n${config.partners}\n${config.signIn}`;
    let doc = documents.get(key);
    if (!doc) {
      const body = Buffer.from(injectConfig(raw.toString('utf8'), config), 'utf8');
      doc = {
        etag: etagOf(body),
        identity: body,
        br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
        gzip: gzipSync(body, { level: 9 }),
      };
      if (documents.size > 32) documents.clear();
      documents.set(key, doc);
    }
    return doc;
  }

  function head(res, status, headers) {
    // COOP goes by the path asked for (`openerPolicy`), decoded as the file lookup decodes it.
    const coop = { 'Cross-Origin-Opener-Policy': openerPolicy(requestPath(res.req)) };
    res.writeHead(status, { ...security, ...coop, ...headers });
  }

  async function sendIndex(req, res, url) {
    // Tests only (`--patient-param`): `?patient=<id>` opens the app as another citizen on the
    // same origin, as a second person using the same browser would.
    const asked = patientParam ? url.searchParams.get('patient') : null;
    const doc = entryDocument(await readFile(join(root, 'index.html')), { fhirBase, patient: asked ?? patient, lang, routing, partners, signIn });
    const encoding = negotiateEncoding(req.headers['accept-encoding']);
    const body = encoding ? doc[encoding] : doc.identity;
    const etag = etagFor(doc.etag, encoding);
    // `no-cache`, not `no-store`: the document is revalidated on every load, and its ETag is that of
    // the injected text, so a server started with another configuration (or a new build) is seen
    // at once, while an unchanged one costs a 304.
    const headers = {
      'Content-Type': TYPES['.html'],
      'Cache-Control': REVALIDATE,
      Vary: 'Accept-Encoding',
      ETag: etag,
      ...(encoding ? { 'Content-Encoding': encoding } : {}),
    };
    if (notModified(req, etag)) {
      head(res, 304, headers);
      return res.end();
    }
    head(res, 200, { ...headers, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function sendFile(req, res, pathname, file, info) {
    const ext = extname(file).toLowerCase();
    const compressible = COMPRESSIBLE.has(ext);
    let chosen = { path: file, info, encoding: null };
    if (compressible) {
      // A copy counts only while it is not older than its file (scripts/precompress.mjs).
      const offered = [];
      for (const { encoding, suffix } of PRECOMPRESSED) {
        const copy = await stat(file + suffix).catch(() => null);
        if (copy?.isFile() && copy.mtimeMs + 2 >= info.mtimeMs) offered.push({ path: file + suffix, info: copy, encoding });
      }
      const encoding = negotiateEncoding(req.headers['accept-encoding'], offered.map((o) => o.encoding));
      if (encoding) chosen = offered.find((o) => o.encoding === encoding);
    }
    const etag = etagFor(`"${info.size.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}"`, chosen.encoding);
    const headers = {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Cache-Control': cacheControl(pathname),
      'Last-Modified': info.mtime.toUTCString(),
      ETag: etag,
      ...(compressible ? { Vary: 'Accept-Encoding' } : {}),
      ...(chosen.encoding ? { 'Content-Encoding': chosen.encoding } : {}),
    };
    if (notModified(req, etag)) {
      head(res, 304, headers);
      return res.end();
    }
    head(res, 200, { ...headers, 'Content-Length': chosen.info.size });
    if (req.method === 'HEAD') return res.end();
    await pipeline(createReadStream(chosen.path), res);
  }

  function sendStatus(res, status, text, extra = {}) {
    head(res, status, { 'Content-Type': TYPES['.txt'], 'Cache-Control': 'no-store', ...extra });
    res.end(text);
  }

  return http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendStatus(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
      const { url, pathname } = requestTarget(req);
      if (pathname === null) return sendStatus(res, 400, 'Bad request');
      const file = resolve(join(root, pathname));
      if (pathname.includes('\0') || (file !== root && !file.startsWith(root + sep))) return sendStatus(res, 403, 'Forbidden');
      if (pathname === '/' || pathname === '/index.html') return await sendIndex(req, res, url);
      const info = await stat(file).catch(() => null);
      if (info?.isFile()) return await sendFile(req, res, pathname, file, info);
      // A missing file is a 404; any other path (/organ-donation, /lab-results/…, the embed entry
      // /embed?section=…&host=… of public/embed.js) is a route of the app: the entry document, so
      // deep links and reloads work.
      if (extname(pathname)) return sendStatus(res, 404, 'Not found');
      return await sendIndex(req, res, url);
    } catch (err) {
      if (res.headersSent) return res.destroy(err);
      sendStatus(res, 500, `Internal error: ${err.message}`);
    }
  });
}

/**
 * The lines of `--print-headers`. plain: the headers of one path (`--path`, `/` by default).
 * nginx and caddy: the headers of every path, Cross-Origin-Opener-Policy by path as `openerPolicy`
 * (nginx: a `map` for the http level, then the server's add_header lines; Caddy: two matchers that
 * exclude each other, so Caddy's own order of `header` directives cannot undo the exception), and
 * the entry document's data-partner-origins.
 */
export function printedHeaders(format, options = {}, path) {
  if (!['plain', 'nginx', 'caddy'].includes(format)) throw new Error(`--format: plain, nginx or caddy, not ${format}`);
  if (format === 'plain') return Object.entries(securityHeaders(options, path)).map(([name, value]) => `${name}: ${value}`);
  if (path !== undefined) throw new Error('--path: with --format plain only (nginx and caddy get every path\'s rule)');
  const coop = 'Cross-Origin-Opener-Policy';
  const [severed, kept] = [openerPolicy('/'), openerPolicy('/signed-in.html')];
  const headers = Object.entries(securityHeaders(options));
  const lines =
    format === 'nginx'
      ? [
        `# http level: ${coop} by path (static.mjs openerPolicy); the sign-in window's last stop keeps its opener`,
        'map $uri $tahto_coop {',
        `    default ${JSON.stringify(severed)};`,
        `    ~${SIGNED_IN_PATH} ${JSON.stringify(kept)};`,
        '}',
        '# server level, every response:',
        ...headers.map(([name, value]) => (name === coop ? `add_header ${name} $tahto_coop always;` : `add_header ${name} "${value}" always;`)),
      ]
      : [
        `# ${coop} by path (static.mjs openerPolicy); the sign-in window's last stop keeps its opener.`,
        '# The matchers in the site block (handle_errors sees them, and may not define them again):',
        `@signed_in path_regexp ${SIGNED_IN_PATH}`,
        `@not_signed_in not path_regexp ${SIGNED_IN_PATH}`,
        ...headers.flatMap(([name, value]) =>
          name === coop
            ? [`header @not_signed_in ${name} "${severed}"`, `header @signed_in ${name} "${kept}"`]
            : [`header ${name} "${value}"`],
        ),
      ];
  // The entry document's half of frame-ancestors, for a server that serves dist/index.html as is.
  return [...lines, `# dist/index.html, the host element: data-partner-origins="${partnerOrigins(options.frameAncestors)}"`];
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string', default: '../../dist' },
      'fhir-base': { type: 'string', default: 'http://127.0.0.1:8103/fhir/R4' },
      patient: { type: 'string', default: 'helmi-esimerkki' },
      lang: { type: 'string' },
      'patient-param': { type: 'boolean', default: false },
      'frame-ancestors': { type: 'string', default: DEFAULT_FRAME_ANCESTORS },
      'print-headers': { type: 'boolean', default: false },
      format: { type: 'string', default: 'plain' },
      'sign-in': { type: 'string' },
      'auth-issuer': { type: 'string' },
      path: { type: 'string' },
    },
  });
  const options = { fhirBase: values['fhir-base'], frameAncestors: values['frame-ancestors'], authIssuer: values['auth-issuer'] };
  if (values['print-headers']) {
    for (const line of printedHeaders(values.format, options, values.path)) console.log(line);
    return;
  }
  const server = createStaticServer({
    dir: values.dir,
    ...options,
    patient: values.patient,
    lang: values.lang,
    patientParam: values['patient-param'],
    signIn: values['sign-in'],
  });
  // An inline script or style is blocked by the CSP: say so now rather than show a blank page.
  const index = await readFile(join(values.dir, 'index.html'), 'utf8').catch(() => '');
  if (/<script\b(?![^>]*\ssrc=)[^>]*>\s*\S|<style\b/i.test(index)) {
    console.warn(`${join(values.dir, 'index.html')} has an inline <script> or <style>, which the CSP blocks: run node scripts/externalize-inline.mjs ${values.dir}`);
  }
  serve(server, values, () => {
    console.log(`Tahto app on http://${values.host}:${server.address().port}/`);
  });
}

runIfMain(import.meta.url, main);
