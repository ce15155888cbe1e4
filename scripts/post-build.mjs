// Trunk post-build hook (Trunk.toml) of a release build, one step after the other (Trunk runs the
// hooks of a stage side by side, so they are one hook):
// 1. The linker split (scripts/split.mjs), when Trunk built with `--features split`.
// 2. Minifies the JS. Trunk 0.21's own minifier gives up on wasm-bindgen's `export default` and
//    leaves it as is. Each file's `integrity` hash in index.html is updated, so the browser's
//    subresource integrity check still passes.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { split } from './split.mjs';

const staging = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== 'release' || !staging) process.exit(0);

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { minify } = require('terser');

const parts = split(staging);
if (parts) console.log(`post-build: split into ${parts.parts.length} parts: ${parts.sizes.join(', ')}`);

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const htmlPath = join(staging, 'index.html');
let html = readFileSync(htmlPath, 'utf8');
for (const name of readdirSync(staging).filter((n) => n.endsWith('.js'))) {
  const path = join(staging, name);
  const before = readFileSync(path);
  const { code } = await minify(before.toString('utf8'), { module: true, compress: { passes: 2 }, mangle: true });
  if (!code) throw new Error(`terser produced nothing for ${name}`);
  writeFileSync(path, code);
  const oldHash = sri(before);
  if (html.includes(oldHash)) html = html.replaceAll(oldHash, sri(Buffer.from(code)));
  console.log(`post-build: minified ${name} ${before.length} -> ${Buffer.byteLength(code)} bytes`);
}

writeFileSync(htmlPath, html);
