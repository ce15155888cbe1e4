// Writes a brotli (quality 11) and a gzip (level 9) copy next to every compressible file of a
// build, for servers that send precompressed files (tests/fhir-server/static.mjs, nginx
// `gzip_static`/`brotli_static`, Caddy `precompressed`). node:zlib only.
//
// Never of the entry document (`index.html` at the top of the build, ~1.5 KB): it is the one file
// edited at deployment (its host element's data-fhir-base, data-patient, …), and nginx and Caddy
// send a copy without asking whether it is older than the file, so every browser would get the
// build's configuration. An old copy of it is removed. (static.mjs compresses it as it serves it.)
//
//   node scripts/precompress.mjs [dir]     (default: $TRUNK_STAGING_DIR in a Trunk hook, else dist)
//
// Idempotent: a copy whose modification time is not older than its file's is up to date and is
// skipped (each copy is given its file's modification time, so Last-Modified agrees across
// encodings); a copy that would not be smaller than the file is not written (and an old one is
// removed), and copies whose file is gone are removed. Prints what it did and the totals.
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Extensions worth compressing (images other than SVG, fonts and archives are compressed already). */
export const COMPRESSIBLE = new Set([
  '.js', '.mjs', '.wasm', '.css', '.svg', '.html', '.json', '.webmanifest', '.map', '.txt', '.xml',
]);
/** The entry document, relative to the build: never precompressed (see above). */
export const ENTRY_DOCUMENT = 'index.html';
export const ENCODINGS = [
  { suffix: '.br', encode: brotli },
  { suffix: '.gz', encode: (bytes) => gzipSync(bytes, { level: 9 }) },
];

function brotli(bytes, name) {
  const text = extname(name) !== '.wasm';
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_MODE]: text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

/**
 * A copy is up to date when it is not older than its file. Two milliseconds of slack: utimes takes
 * seconds as a float, so the copy's time may come back a fraction of a millisecond earlier.
 */
export const upToDate = (source, copy) => copy.mtimeMs + 2 >= source.mtimeMs;

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : walk(path);
    return entry.isFile() ? [path] : [];
  });

export function precompress(dir, { log = console.log } = {}) {
  const files = walk(dir);
  const present = new Set(files);
  const totals = { files: 0, written: 0, skipped: 0, removed: 0, raw: 0, br: 0, gz: 0 };
  for (const path of files) {
    const enc = ENCODINGS.find((e) => path.endsWith(e.suffix));
    if (enc) {
      // A copy whose file is gone (an older build's) would be served for nothing, or wrongly.
      // A copy of the entry document would be served in place of the configured file.
      const source = path.slice(0, -enc.suffix.length);
      const entry = relative(dir, source) === ENTRY_DOCUMENT;
      if (entry || !present.has(source) || !COMPRESSIBLE.has(extname(source).toLowerCase())) {
        rmSync(path);
        totals.removed++;
        log(`precompress: removed ${relative(dir, path)} (${entry ? 'the entry document is edited at deployment' : `no ${relative(dir, source)}`})`);
      }
      continue;
    }
    if (relative(dir, path) === ENTRY_DOCUMENT || !COMPRESSIBLE.has(extname(path).toLowerCase())) continue;
    totals.files++;
    const info = statSync(path);
    totals.raw += info.size;
    let bytes;
    for (const { suffix, encode } of ENCODINGS) {
      const copy = `${path}${suffix}`;
      const key = suffix === '.br' ? 'br' : 'gz';
      const old = present.has(copy) ? statSync(copy) : null;
      if (old && upToDate(info, old)) {
        totals.skipped++;
        totals[key] += old.size;
        continue;
      }
      bytes ??= readFileSync(path);
      const packed = encode(bytes, path);
      if (packed.length >= bytes.length) {
        if (old) rmSync(copy);
        totals[key] += bytes.length;
        continue;
      }
      writeFileSync(copy, packed);
      utimesSync(copy, info.atimeMs / 1000, info.mtimeMs / 1000);
      totals.written++;
      totals[key] += packed.length;
    }
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  log(
    `precompress: ${totals.files} files, ${kb(totals.raw)} → brotli ${kb(totals.br)}, gzip ${kb(totals.gz)}` +
      ` (${totals.written} written, ${totals.skipped} up to date, ${totals.removed} removed)`,
  );
  return totals;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist';
  // As a Trunk hook, only a release build is served compressed.
  if (!process.argv[2] && process.env.TRUNK_STAGING_DIR && process.env.TRUNK_PROFILE !== 'release') process.exit(0);
  try {
    statSync(dir);
  } catch {
    console.error(`precompress: no directory ${dir}`);
    process.exit(1);
  }
  precompress(dir);
}
