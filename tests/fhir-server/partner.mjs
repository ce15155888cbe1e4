// A partner's site for trying Tahto embedded: serves examples/partner/ (a municipality's wellbeing
// page with two <tahto-embed> elements) on an origin of its own, under a strict Content-Security-
// Policy of its own that lets in exactly Tahto's script and frame. The page names Tahto as
// https://tahto.example, as a partner's would; this server writes the Tahto it is given instead.
//
// Run it on another *site* than Tahto (`localhost` beside Tahto's 127.0.0.1) and the browser keeps
// Tahto's storage in the frame for this site only, as for a real partner. ./scripts/run starts it;
// Playwright starts it twice (the partner, and a third origin that is not on Tahto's list).
//
// CLI: node partner.mjs --port 8090 --tahto-origin http://127.0.0.1:8080 [--host localhost]
//        [--dir ../../examples/partner]
//   --host localhost listens on 127.0.0.1 and, where there is one, [::1].
import { runIfMain, stopOnSignal } from './cli.mjs';
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

export function createPartnerServer({ dir, tahtoOrigin }) {
  const root = resolve(dir);
  const tahto = checkOrigin(tahtoOrigin);
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
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[ext], 'Content-Length': body.length });
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
    },
  });
  const options = { dir: values.dir, tahtoOrigin: values['tahto-origin'] };
  createPartnerServer(options); // checks the options before anything listens
  let servers;
  try {
    servers = await listenAll(() => createPartnerServer(options), values.host, Number(values.port));
  } catch (err) {
    console.error(`cannot listen on ${values.host}:${values.port}: ${err.message}`);
    process.exit(1);
  }
  const host = values.host.includes(':') ? `[${values.host}]` : values.host;
  console.log(`Partner page on http://${host}:${servers[0].address().port}/ (Tahto from ${checkOrigin(options.tahtoOrigin)})`);
  stopOnSignal(servers, 200);
}

runIfMain(import.meta.url, main);
