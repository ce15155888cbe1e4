// Trunk post-build hook (Trunk.toml) for a release build:
// 1. Minifies wasm-bindgen's JS glue. Trunk 0.21's own minifier gives up on the glue's
//    `export default` and leaves it as is. Each file's `integrity` hash in index.html is updated,
//    so the browser's subresource integrity check still passes.
// 2. Names each lazily loaded bundle (src/sections.rs; Trunk writes them unhashed) after its
//    content, `<name>-<hash>.js` / `<name>-<hash>_bg.wasm`, and tells the app the names on the host
//    element (`data-bundle-<name>`), so a new release is never mixed with a cached old bundle.
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== 'release' || !staging) process.exit(0);

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { minify } = require('terser');

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
  console.log(`minify-js: ${name} ${before.length} -> ${Buffer.byteLength(code)} bytes`);
}

// Trunk's HTML minifier may drop the quotes: id="tahto" or id=tahto.
const HOST = /\bid="?tahto"?(?=[\s>])/;
if (!HOST.test(html)) throw new Error('index.html has no #tahto host element');
for (const name of ['declarations', 'records']) {
  const js = join(staging, `${name}.js`);
  const wasm = join(staging, `${name}_bg.wasm`);
  let hash;
  try {
    hash = createHash('sha256').update(readFileSync(js)).update(readFileSync(wasm)).digest('hex').slice(0, 16);
  } catch {
    continue; // not built (yet)
  }
  const stem = `${name}-${hash}`;
  renameSync(js, join(staging, `${stem}.js`));
  renameSync(wasm, join(staging, `${stem}_bg.wasm`));
  html = html.replace(HOST, (host) => `${host} data-bundle-${name}="${stem}"`);
  console.log(`minify-js: bundle ${name} -> ${stem}`);
}
writeFileSync(htmlPath, html);
