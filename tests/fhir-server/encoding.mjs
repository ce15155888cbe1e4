// Content-Encoding negotiation shared by the static server (precompressed files) and the local FHIR
// server (JSON compressed on the fly). node:zlib only.
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/**
 * The encoding to answer with, given the request's `Accept-Encoding` and the encodings on offer
 * (in the server's order of preference, e.g. `['br', 'gzip']`): the one the client weighs highest
 * (q > 0), the server's order breaking ties, or `null` for identity. `*` stands for any encoding
 * not named; `q=0` refuses.
 */
export function negotiateEncoding(acceptEncoding, offered = ['br', 'gzip']) {
  if (!acceptEncoding) return null;
  const q = new Map();
  for (const part of String(acceptEncoding).split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    let weight = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q') weight = Number.parseFloat(v);
    }
    q.set(token.trim(), Number.isFinite(weight) ? weight : 0);
  }
  let best = null;
  let bestWeight = 0;
  for (const enc of offered) {
    const weight = q.has(enc) ? q.get(enc) : enc === 'gzip' && q.has('x-gzip') ? q.get('x-gzip') : q.get('*');
    // The client's weights first; among equals, the server's order.
    if (weight !== undefined && weight > bestWeight) {
      best = enc;
      bestWeight = weight;
    }
  }
  return best;
}

/** `Vary` with `Accept-Encoding` added once to what `existing` already names. */
export function varyWith(existing, name = 'Accept-Encoding') {
  const names = String(existing ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.includes('*') || names.some((n) => n.toLowerCase() === name.toLowerCase())) return names.join(', ');
  return [...names, name].join(', ');
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Compresses a response body on the fly: brotli at quality 5 (a good ratio at a few ms for JSON of
 * tens of KB; 11 is for precompressed files only) or gzip level 6. Off the main thread (zlib's pool).
 */
export function compressBody(body, encoding) {
  if (encoding === 'br') {
    return brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
  }
  if (encoding === 'gzip') return gzipAsync(body, { level: 6 });
  throw new Error(`unknown encoding ${encoding}`);
}
