// Trunk post-build hook (Trunk.toml) of a release build, one step after the other (Trunk starts
// the hooks of a stage side by side, and each of these rewrites index.html):
// 1. The linker split (scripts/split.mjs), when Trunk built with `--features split`; else
//    wasm-opt on Trunk's one module (index.html turns Trunk's own wasm-opt off: it would only
//    optimise a module the split then replaces).
// 2. Minifies the JS (public/embed.js as the classic script it is). Trunk 0.21's own minifier
//    gives up on wasm-bindgen's `export default` and leaves it as is.
// 3. Trunk's inline loader and index.html's <style> to hashed files, for a CSP without
//    'unsafe-inline' (scripts/externalize-inline.mjs).
// 4. The service worker's list of files (scripts/sw-manifest.mjs), then the worker minified.
// 5. brotli and gzip copies of every compressible file (scripts/precompress.mjs).
// A file that changes keeps index.html's `integrity` for it true.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { optimizeUnsplit, split } from './split.mjs';
import { externalizeInline } from './externalize-inline.mjs';
import { precompress } from './precompress.mjs';
import { writeServiceWorker } from './sw-manifest.mjs';

const staging = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== 'release' || !staging) process.exit(0);

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { minify } = require('terser');

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const htmlPath = join(staging, 'index.html');

/** Rewrites `path` with `change` and keeps its integrity in index.html true. */
async function rewrite(path, change) {
  const before = readFileSync(path);
  const after = await change(before);
  writeFileSync(path, after);
  const html = readFileSync(htmlPath, 'utf8');
  const old = sri(before);
  if (html.includes(old)) writeFileSync(htmlPath, html.replaceAll(old, sri(after)));
  return { before: before.length, after: after.length };
}

const parts = await split(staging);
if (parts) {
  console.log(`post-build: split into ${parts.parts.length} parts: ${parts.sizes.join(', ')}`);
} else {
  const wasm = await optimizeUnsplit(staging, rewrite);
  console.log(`post-build: one module (no split feature): ${wasm}`);
}

/** `name` minified by terser (a module unless `module` is false). */
const minified = (name, { module = true } = {}) =>
  rewrite(join(staging, name), async (bytes) => {
    const { code } = await minify(bytes.toString('utf8'), { module, compress: { passes: 2 }, mangle: true });
    if (!code) throw new Error(`terser produced nothing for ${name}`);
    return Buffer.from(code);
  });

// embed.js is a classic script (partners' pages load it with a plain <script src>).
const CLASSIC = new Set(['sw.js', 'embed.js']);
for (const name of readdirSync(staging).filter((n) => n.endsWith('.js') && !CLASSIC.has(n))) {
  const { before, after } = await minified(name);
  console.log(`post-build: minified ${name} ${before} -> ${after} bytes`);
}
if (readdirSync(staging).includes('embed.js')) {
  const { before, after } = await minified('embed.js', { module: false });
  console.log(`post-build: minified embed.js ${before} -> ${after} bytes`);
}

const inline = externalizeInline(readFileSync(htmlPath, 'utf8'), { base: process.env.TRUNK_PUBLIC_URL || '/' });
if (inline.problems.length) {
  throw new Error(`index.html cannot run under a CSP without 'unsafe-inline':\n  ${inline.problems.join('\n  ')}`);
}
for (const f of inline.files) writeFileSync(join(staging, f.name), f.content);
writeFileSync(htmlPath, inline.html);
console.log(`post-build: inline code moved to ${inline.files.map((f) => f.name).join(', ')}`);

const sw = writeServiceWorker(staging);
// After its list is written: terser would drop the comment that marks where the list goes.
await minified('sw.js', { module: false });
console.log(`post-build: service worker for build ${sw.build}, ${sw.files.length} files`);

precompress(staging, { log: (line) => console.log(`post-build: ${line}`) });
