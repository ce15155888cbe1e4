// Writes the service worker's list of files (public/sw.js, copied by Trunk) for a release build:
// every file of the build but the entry document (cached as served, with its configuration), the
// service worker itself, public/embed.js (partners' pages load it; Tahto's own never do, and the
// worker does not serve other sites' pages) and the precompressed copies. Named after the files' contents, so a new
// build is a new service worker, which the app offers to the citizen (src/ui/app_update.rs).
// Usage: node scripts/sw-manifest.mjs <dist>   (scripts/post-build.mjs calls it for Trunk)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });

/** Files of the build the service worker does not cache. */
export const NOT_CACHED = new Set(['index.html', 'sw.js', 'embed.js']);

export function writeServiceWorker(dist) {
  const swPath = join(dist, 'sw.js');
  const sw = readFileSync(swPath, 'utf8');
  if (!sw.includes("'__TAHTO_BUILD__'") || !sw.includes('/* __TAHTO_FILES__ */ []')) {
    throw new Error('sw-manifest: sw.js has no placeholders (written twice?)');
  }
  const files = walk(dist)
    .map((p) => relative(dist, p).split('\\').join('/'))
    .filter((f) => !NOT_CACHED.has(f) && !/\.(br|gz)$/.test(f) && !f.startsWith('.'))
    .sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(readFileSync(join(dist, f)));
  hash.update(sw);
  const build = hash.digest('hex').slice(0, 16);
  const out = sw
    .replace("'__TAHTO_BUILD__'", JSON.stringify(build))
    .replace('/* __TAHTO_FILES__ */ []', JSON.stringify(files.map((f) => `./${f}`)));
  writeFileSync(swPath, out);
  return { build, files };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { build, files } = writeServiceWorker(process.argv[2] ?? 'dist');
  console.log(`sw-manifest: build ${build}, ${files.length} files`);
}
