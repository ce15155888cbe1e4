// Size budgets (issue 10), release build, brotli. Deterministic, so it may fail CI.
// - First load: what the start page needs: the entry document and every file but the parts the
//   linker split off (`*-split_<part>-<hash>.wasm`, `*-chunk_<n>-<hash>.wasm`, fetched the first
//   time a section of theirs is opened).
// - Everything: every file a citizen can ever download, all sections opened (what the service
//   worker caches).
// embed.js (the loader partners' pages include) is not in the first load, but it is in everything:
// a citizen on a partner's page downloads it with the app. So are signed-in.html and its script,
// the last stop of the sign-in window a partner's frame opens (loaded there, never by the app).
// Usage: node scripts/size-check.mjs [dist] [firstLoadBudgetKB] [everythingBudgetKB]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, extname, relative } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const firstBudgetKB = Number(process.argv[3] ?? 110);
const allBudgetKB = Number(process.argv[4] ?? 282);
const counted = new Set(['.wasm', '.js', '.css', '.html', '.svg', '.json', '.webmanifest']);
const isPart = (name) => /-(split_[a-z_]+|chunk_\d+)-[0-9a-f]{16}\.wasm$/.test(name);
/** Files for partners' pages (public/embed.js), not part of the app. */
const isForPartners = (name) => name === 'embed.js';
/** The sign-in window's last page (public/signed-in.html), not part of the app. */
const isSignInWindow = (name) => name === 'signed-in.html' || name === 'signed-in.js';
const isFirstLoad = (name) => !isPart(name) && !isForPartners(name) && !isSignInWindow(name);

const walk = (dir) =>
  readdirSync(dir).filter((name) => !name.startsWith('.')).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
const files = walk(dist)
  .filter((path) => counted.has(extname(path)))
  .map((path) => {
    const raw = readFileSync(path);
    const brotli = brotliCompressSync(raw, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    }).length;
    return { name: relative(dist, path), raw: raw.length, brotli };
  })
  .sort((a, b) => b.brotli - a.brotli);

if (!files.some((f) => f.name.endsWith('.wasm'))) {
  console.error(`size: no .wasm in ${dist}; build first (trunk build --release --features split)`);
  process.exit(1);
}
if (!files.some((f) => isPart(f.name))) {
  console.error('size: no split-off parts: build with --features split');
  process.exit(1);
}

const kb = (n) => (n / 1024).toFixed(1);
for (const f of files) {
  const kind = isForPartners(f.name) ? 'partners' : isSignInWindow(f.name) ? 'sign-in window' : isPart(f.name) ? 'part' : 'first';
  console.log(`size: ${f.name.padEnd(52)} ${kb(f.raw).padStart(8)} KB raw ${kb(f.brotli).padStart(7)} KB brotli  ${kind}`);
}
let ok = true;
const report = (label, total, budget) => {
  const within = total <= budget * 1024;
  ok &&= within;
  console.log(`size: ${label} ${kb(total)} KB brotli (budget ${budget} KB) ${within ? 'OK' : 'OVER BUDGET'}`);
};
const sum = (list) => list.reduce((s, f) => s + f.brotli, 0);
report('first load', sum(files.filter((f) => isFirstLoad(f.name))), firstBudgetKB);
report('everything', sum(files), allBudgetKB);
process.exit(ok ? 0 : 1);
