// Size budget of the first load (DESIGN §6): all wasm + js + css of the release build, brotli.
// Deterministic, so it may fail CI. Usage: node scripts/size-check.mjs [dist] [budgetKB]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const budgetKB = Number(process.argv[3] ?? 150);
const counted = new Set(['.wasm', '.js', '.css', '.html']);

const files = readdirSync(dist)
  .filter((name) => counted.has(extname(name)) && statSync(join(dist, name)).isFile())
  .map((name) => {
    const raw = readFileSync(join(dist, name));
    const brotli = brotliCompressSync(raw, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    }).length;
    return { name, raw: raw.length, brotli };
  })
  .sort((a, b) => b.brotli - a.brotli);

if (!files.some((f) => f.name.endsWith('.wasm'))) {
  console.error(`size: no .wasm in ${dist}; build first (trunk build --release)`);
  process.exit(1);
}
const kb = (n) => (n / 1024).toFixed(1);
for (const f of files) console.log(`size: ${f.name.padEnd(40)} ${kb(f.raw).padStart(8)} KB raw ${kb(f.brotli).padStart(7)} KB brotli`);
const total = files.reduce((sum, f) => sum + f.brotli, 0);
const ok = total <= budgetKB * 1024;
console.log(`size: first load ${kb(total)} KB brotli (budget ${budgetKB} KB) ${ok ? 'OK' : 'OVER BUDGET'}`);
process.exit(ok ? 0 : 1);
