// Static server for the built app (dist/), with runtime config injected into index.html's host
// element so the same build runs against any backend, patient and language.
//
// CLI: node static.mjs --port 8080 --dir ../../dist --fhir-base http://127.0.0.1:8103/fhir/R4
//        --patient helmi-esimerkki [--lang fi] [--host 127.0.0.1]
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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
};

const escapeAttr = (v) => String(v).replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

/** Set data-fhir-base / data-patient / data-lang on the host element (attributes it already has). */
export function injectConfig(html, { fhirBase, patient, lang }) {
  const set = (text, name, value) =>
    // Quoted or not: Trunk's release minifier drops the quotes of simple attribute values.
    value === undefined
      ? text
      : text.replace(new RegExp(`(\\s${name}=)(?:"[^"]*"|'[^']*'|[^\\s>"']+)`), `$1"${escapeAttr(value)}"`);
  return set(set(set(html, 'data-fhir-base', fhirBase), 'data-patient', patient), 'data-lang', lang);
}

export function createStaticServer({ dir, fhirBase, patient, lang, patientParam = false }) {
  const root = resolve(dir);

  async function sendIndex(res, method, url) {
    // Tests only (`--patient-param`): `?patient=<id>` opens the app as another citizen on the
    // same origin, as a second person using the same browser would.
    const asked = patientParam ? url.searchParams.get('patient') : null;
    const config = { fhirBase, patient: asked ?? patient, lang };
    const html = injectConfig(await readFile(join(root, 'index.html'), 'utf8'), config);
    res.writeHead(200, {
      'Content-Type': TYPES['.html'],
      'Content-Length': Buffer.byteLength(html),
      'Cache-Control': 'no-store', // config is per server start; never serve a stale shell
    });
    res.end(method === 'HEAD' ? undefined : html);
  }

  return http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' });
        return res.end();
      }
      const url = new URL(req.url, 'http://local');
      const pathname = decodeURIComponent(url.pathname);
      const file = resolve(join(root, pathname));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403);
        return res.end();
      }
      if (pathname === '/' || pathname === '/index.html') return await sendIndex(res, req.method, url);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        // A missing asset is a 404; any other path is a client-side route → the app shell.
        if (extname(pathname)) {
          res.writeHead(404, { 'Content-Type': TYPES['.txt'] });
          return res.end('Not found');
        }
        return await sendIndex(res, req.method, url);
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': TYPES['.txt'] });
      res.end(`Internal error: ${err.message}`);
    }
  });
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
    },
  });
  const server = createStaticServer({
    dir: values.dir,
    fhirBase: values['fhir-base'],
    patient: values.patient,
    lang: values.lang,
    patientParam: values['patient-param'],
  });
  server.listen(Number(values.port), values.host, () => {
    console.log(`Tahto app on http://${values.host}:${server.address().port}/`);
  });
  server.on('error', (err) => {
    console.error(`cannot listen on ${values.host}:${values.port}: ${err.message}`);
    process.exit(1);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
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
