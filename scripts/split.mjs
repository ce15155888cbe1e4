// The linker split of a release build (issue 10), run by scripts/post-build.mjs when Trunk built
// with `--features split`: the sections marked `split_off!` in src/pages/mod.rs move out of the
// first load into parts fetched the first time a section is opened.
//
// Trunk 0.21 does not split by itself, so this replaces the module Trunk staged with the pipeline
// cargo-leptos `--split` runs, using the same crate (wasm_split_cli_support):
//   1. wasm-split-cli on the linked module (built with --emit-relocs, .cargo/config.toml):
//      the main module, one part per section, shared chunks, and the JS that loads them;
//   2. wasm-bindgen --keep-lld-exports --no-demangle on the main module (the parts import the
//      linker's exports);
//   3. wasm-opt -Oz on every module, with the features index.html names;
//   4. every file named after its content: the parts by their own hash, the JS by one build id
//      (the main JS and the loader import each other, so neither can be named after itself alone);
//   5. index.html points at the new files, with subresource integrity, and preloads only what the
//      first load needs.
// Usage (standalone, for experiments): node scripts/split.mjs <staging-dir>
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PLACEHOLDER = '__wasm_split_placeholder__';

const sha = (algo, ...parts) => {
  const h = createHash(algo);
  for (const p of parts) h.update(p);
  return h;
};
const hex16 = (...parts) => sha('sha256', ...parts).digest('hex').slice(0, 16);
const sri = (bytes) => `sha384-${sha('sha384', bytes).digest('base64')}`;
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });

function targetDir() {
  if (process.env.CARGO_TARGET_DIR) return process.env.CARGO_TARGET_DIR;
  const meta = JSON.parse(run('cargo', ['metadata', '--format-version', '1', '--no-deps']).toString('utf8'));
  return meta.target_directory;
}

/** The wasm-opt features index.html gives Trunk, so every part is optimised alike. */
function wasmOptParams() {
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  const m = html.match(/data-wasm-opt-params="([^"]*)"/);
  return m ? m[1].split(/\s+/).filter(Boolean) : [];
}

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });

/**
 * Splits the app Trunk staged in `staging`, if it was built with the split feature.
 * Returns a summary, or null when there was nothing to split (a dev or unsplit build).
 */
export function split(staging) {
  const htmlPath = join(staging, 'index.html');
  let html = readFileSync(htmlPath, 'utf8');
  const loader = html.match(/from '\/(tahto-[0-9a-f]+)\.js'/);
  if (!loader) throw new Error('split: no Trunk loader for tahto in index.html');
  const trunkStem = loader[1];
  const trunkJs = join(staging, `${trunkStem}.js`);
  if (!readFileSync(trunkJs, 'utf8').includes(PLACEHOLDER)) return null;

  const raw = join(targetDir(), 'wasm32-unknown-unknown', 'release', 'tahto.wasm');
  if (!existsSync(raw)) throw new Error(`split: ${raw} not found`);
  const work = mkdtempSync(join(tmpdir(), 'tahto-split-'));
  try {
    const parts = join(work, 'parts');
    const bg = join(work, 'bg');
    run('wasm-split-cli', [raw, parts, '--target', 'web', '--out-name', 'tahto']);
    run('wasm-bindgen', [
      join(parts, 'tahto.wasm'), '--out-dir', bg, '--target', 'web',
      '--keep-lld-exports', '--no-demangle', '--out-name', 'tahto',
    ]);
    const params = wasmOptParams();
    const modules = [join(bg, 'tahto_bg.wasm'), ...readdirSync(parts)
      .filter((n) => n.endsWith('.wasm') && n !== 'tahto.wasm')
      .map((n) => join(parts, n))];
    for (const m of modules) run('wasm-opt', ['-Oz', ...params, m, '-o', m]);

    const mainJs = readFileSync(join(bg, 'tahto.js'), 'utf8');
    const linkJs = readFileSync(join(parts, '__wasm_split.js'), 'utf8');
    const snippets = existsSync(join(bg, 'snippets')) ? walk(join(bg, 'snippets')) : [];

    // Names: a part after its content; the JS after the whole build.
    const partNames = new Map(); // "split_x.wasm" -> "tahto-part-x-<hash>.wasm"
    for (const m of modules.slice(1)) {
      const base = m.slice(parts.length + 1);
      const stem = base.replace(/\.wasm$/, '').replace(/[^A-Za-z0-9_-]/g, '-');
      partNames.set(base, `tahto-${stem}-${hex16(readFileSync(m))}.wasm`);
    }
    const id = hex16(...modules.map((m) => readFileSync(m)), mainJs, linkJs, ...snippets.map((s) => readFileSync(s)));
    const names = {
      js: `tahto-${id}.js`,
      wasm: `tahto-${id}_bg.wasm`,
      link: `tahto-parts-${id}.js`,
    };
    const snippetNames = new Map(); // "./snippets/tahto-…/inline0.js" -> "tahto-snippet-<hash>.js"
    for (const s of snippets) {
      snippetNames.set(`./${relative(bg, s).split('\\').join('/')}`, `tahto-snippet-${hex16(readFileSync(s))}.js`);
    }

    let js = mainJs.replaceAll("'./__wasm_split.js'", `'./${names.link}'`).replaceAll('"./__wasm_split.js"', `"./${names.link}"`);
    for (const [from, to] of snippetNames) js = js.replaceAll(`'${from}'`, `'./${to}'`).replaceAll(`"${from}"`, `"./${to}"`);
    if (js.includes('__wasm_split.js')) throw new Error('split: main JS still names __wasm_split.js');
    let link = linkJs.replaceAll('"./tahto.js"', `"./${names.js}"`);
    for (const [from, to] of partNames) link = link.replaceAll(`"./${from}"`, `"./${to}"`);
    for (const from of partNames.keys()) {
      if (link.includes(`"./${from}"`)) throw new Error(`split: loader still names ${from}`);
    }

    // Out with Trunk's module and snippets, in with the split build.
    rmSync(trunkJs);
    rmSync(join(staging, `${trunkStem}_bg.wasm`));
    rmSync(join(staging, 'snippets'), { recursive: true, force: true });
    writeFileSync(join(staging, names.js), js);
    writeFileSync(join(staging, names.link), link);
    writeFileSync(join(staging, names.wasm), readFileSync(modules[0]));
    for (const m of modules.slice(1)) writeFileSync(join(staging, partNames.get(m.slice(parts.length + 1))), readFileSync(m));
    for (const [from, to] of snippetNames) writeFileSync(join(staging, to), readFileSync(join(bg, from)));

    // index.html: Trunk's loader imports the new module; the preloads are the first load's files.
    html = html.replaceAll(`/${trunkStem}_bg.wasm`, `/${names.wasm}`).replaceAll(`/${trunkStem}.js`, `/${names.js}`);
    html = html.replace(/<link\b[^>]*\brel="?(?:modulepreload|preload)"?[^>]*>/g, '');
    const preload = (file, rel, extra = '') =>
      `<link rel=${rel} href=/${file} crossorigin integrity=${sri(readFileSync(join(staging, file)))}${extra}>`;
    const preloads = [
      preload(names.js, 'modulepreload'),
      preload(names.link, 'modulepreload'),
      ...[...snippetNames.values()].map((f) => preload(f, 'modulepreload')),
      preload(names.wasm, 'preload', ' as=fetch type=application/wasm'),
    ].join('');
    html = html.replace('</head>', `${preloads}</head>`);
    writeFileSync(htmlPath, html);

    const sizes = [names.wasm, ...partNames.values()].map((f) => `${f} ${statSync(join(staging, f)).size}`);
    return { id, main: names.js, parts: [...partNames.values()], sizes };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const summary = split(process.argv[2] ?? 'dist');
  console.log(summary ? `split: ${summary.sizes.join(', ')}` : 'split: not a split build, nothing to do');
}
