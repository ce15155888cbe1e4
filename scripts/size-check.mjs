// Size budgets (DESIGN §6), release build, brotli. Deterministic, so it may fail CI.
// - First load: index.html and everything it loads (all wasm + js + css except the lazily loaded
//   bundles, which index.html names in `data-bundle-<name>`): ≤ budget.
// - Each lazily loaded bundle (fetched when the citizen first opens one of its sections): ≤ its own
//   budget (Tahto's, not DESIGN's: about a second more at 1.6 Mbps, paid once, then cached).
// Usage: node scripts/size-check.mjs [dist] [firstLoadBudgetKB] [bundleBudgetKB]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, extname, relative } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const budgetKB = Number(process.argv[3] ?? 150);
const bundleBudgetKB = Number(process.argv[4] ?? 210);
const counted = new Set(['.wasm', '.js', '.css', '.html']);

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
  console.error(`size: no .wasm in ${dist}; build first (trunk build --release)`);
  process.exit(1);
}
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const bundles = [...html.matchAll(/data-bundle-([a-z]+)="([A-Za-z0-9_-]+)"/g)].map((m) => ({ name: m[1], stem: m[2] }));
const bundleOf = (file) => bundles.find((b) => file === `${b.stem}.js` || file === `${b.stem}_bg.wasm`);

const kb = (n) => (n / 1024).toFixed(1);
for (const f of files) console.log(`size: ${f.name.padEnd(44)} ${kb(f.raw).padStart(8)} KB raw ${kb(f.brotli).padStart(7)} KB brotli`);
let ok = true;
const report = (label, total, budget) => {
  const within = total <= budget * 1024;
  ok &&= within;
  console.log(`size: ${label} ${kb(total)} KB brotli (budget ${budget} KB) ${within ? 'OK' : 'OVER BUDGET'}`);
};
const sum = (list) => list.reduce((s, f) => s + f.brotli, 0);
for (const b of bundles) report(`bundle ${b.name}`, sum(files.filter((f) => bundleOf(f.name) === b)), bundleBudgetKB);
report('first load', sum(files.filter((f) => !bundleOf(f.name))), budgetKB);
process.exit(ok ? 0 : 1);
