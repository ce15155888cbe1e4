// The linker split of a release build (issue 10), run by scripts/post-build.mjs when Trunk built
// with `--features split`: what src/rest.rs marks `split_off!` moves out of the first load into
// one part, the rest of the app, fetched right after the first paint.
//
// Trunk 0.21 does not split by itself, so this replaces the module Trunk staged with the pipeline
// cargo-leptos `--split` runs, using the same crate (wasm_split_cli_support):
//   1. wasm-split-cli on the linked module (built with --emit-relocs, .cargo/config.toml):
//      the main module, one part per section, shared chunks, and the JS that loads them;
//   2. wasm-bindgen --keep-lld-exports --no-demangle on the main module (the parts import the
//      linker's exports);
//   3. wasm-opt -Oz on every module, with the features index.html names; then the main module's
//      imports from its glue get short names, and classes of a dependency Tahto never uses go
//      (scripts/trim-glue.mjs);
//   4. every file named after its content: the parts by their own hash, the JS by one build id
//      (the main JS and the loader import each other, so neither can be named after itself alone);
//   5. index.html points at the new files, with subresource integrity, and preloads only what the
//      first load needs.
// Usage (standalone, for experiments): node scripts/split.mjs <staging-dir>
import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEAD_CLASSES, dropDeadClasses, dropExports, renameExportUses, renameImportKeys, shortenImports, shortenMangledExports,
} from './trim-glue.mjs';
import { nameForOrder } from './order-functions.mjs';

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
// wasm-opt warns about every name subsection it does not know (the split tool writes them): its
// output is shown only when it fails.
const runQuiet = (cmd, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: root });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${err}`))));
  });

function targetDir() {
  if (process.env.CARGO_TARGET_DIR) return process.env.CARGO_TARGET_DIR;
  const meta = JSON.parse(run('cargo', ['metadata', '--format-version', '1', '--no-deps']).toString('utf8'));
  return meta.target_directory;
}

/** What no browser reads: the toolchain's names and the features it was built for. */
const STRIP = ['--strip-producers', '--strip-target-features'];
/**
 * What binaryen may assume: the lowest kilobyte of memory is never used, so a small constant
 * added to an address can become the access's offset. It holds: the linker puts the stack below
 * the data, from 1 MB down to 0, and Tahto's deepest recursion (JSON, `web/json.rs`) is bounded,
 * so the stack never comes near its last kilobyte (measured: 0.3 KB off the first load, 1.0 KB
 * off everything).
 */
const ASSUME = ['--low-memory-unused'];
/** After -Oz: the functions in the order of the names `nameForOrder` gave them (compression). */
const ORDER = ['--reorder-functions-by-name'];

/** wasm-opt on the module at `path`, in place, with its functions ordered for compression. */
async function optimize(path, params) {
  writeFileSync(path, nameForOrder(readFileSync(path)).wasm);
  await runQuiet('wasm-opt', ['-Oz', ...params, ...ASSUME, ...ORDER, ...STRIP, path, '-o', path]);
}

/** The wasm-opt features index.html gives Trunk, so every part is optimised alike. */
function wasmOptParams() {
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  const m = html.match(/data-wasm-opt-params="([^"]*)"/);
  const params = m ? m[1].split(/\s+/).filter(Boolean) : [];
  // TAHTO_WASM_NAMES=1 keeps function names (a stack trace names the function that panicked).
  return process.env.TAHTO_WASM_NAMES ? [...params, '-g'] : params;
}

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });

/**
 * The module without the linker's custom sections (`linking`, `reloc.*`): kept by --emit-relocs
 * for the split, they make binaryen refuse to optimise an unsplit module.
 */
export const withoutLinkerSections = (bytes) =>
  mapSections(bytes, ({ name }) => (name === 'linking' || name?.startsWith('reloc.') ? null : undefined));

/** A release build without the split feature: Trunk's module, optimised as the split ones are. */
export async function optimizeUnsplit(staging, rewrite) {
  const html = readFileSync(join(staging, 'index.html'), 'utf8');
  const loader = html.match(/from '\/(tahto-[0-9a-f]+)\.js'/);
  if (!loader) throw new Error('post-build: no Trunk loader for tahto in index.html');
  const wasm = join(staging, `${loader[1]}_bg.wasm`);
  await rewrite(wasm, async (bytes) => {
    const work = mkdtempSync(join(tmpdir(), 'tahto-opt-'));
    try {
      const file = join(work, 'in.wasm');
      writeFileSync(file, withoutLinkerSections(bytes));
      await optimize(file, wasmOptParams());
      return readFileSync(file);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
  return wasm;
}

/**
 * Splits the app Trunk staged in `staging`, if it was built with the split feature.
 * Returns a summary, or null when there was nothing to split (a dev or unsplit build).
 */
export async function split(staging, { force = false } = {}) {
  const htmlPath = join(staging, 'index.html');
  let html = readFileSync(htmlPath, 'utf8');
  const loader = html.match(/from '\/(tahto-[0-9a-f]+)\.js'/);
  if (!loader) throw new Error('split: no Trunk loader for tahto in index.html');
  const trunkStem = loader[1];
  const trunkJs = join(staging, `${trunkStem}.js`);
  // A build with the split feature imports the parts' loaders from a placeholder module; `force`
  // re-splits a dist that was split before (experiments).
  if (!force && !readFileSync(trunkJs, 'utf8').includes(PLACEHOLDER)) return null;

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
    const trimmed = dropDeadClasses(readFileSync(join(bg, 'tahto.js'), 'utf8'), DEAD_CLASSES);
    writeFileSync(join(bg, 'tahto.js'), trimmed.js);
    writeFileSync(join(bg, 'tahto_bg.wasm'), dropExports(readFileSync(join(bg, 'tahto_bg.wasm')), trimmed.exports));
    const params = wasmOptParams();
    const modules = [join(bg, 'tahto_bg.wasm'), ...readdirSync(parts)
      .filter((n) => n.endsWith('.wasm') && n !== 'tahto.wasm')
      .map((n) => join(parts, n))];
    // The biggest first, as many at once as there are cores.
    const queue = [...modules].sort((a, b) => statSync(b).size - statSync(a).size);
    const worker = async () => {
      for (let m = queue.shift(); m; m = queue.shift()) await optimize(m, params);
    };
    await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));

    const short = shortenImports(readFileSync(modules[0]), './tahto_bg.js');
    const shortExports = shortenMangledExports(short.wasm);
    writeFileSync(modules[0], shortExports.wasm);
    const mainJs = renameExportUses(
      renameImportKeys(readFileSync(join(bg, 'tahto.js'), 'utf8'), short.renames),
      shortExports.renames,
    );
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

    // Only the module specifiers change: the same strings are also the wasm's import module names,
    // the keys of the import object, which must stay as the linker wrote them.
    const respecify = (text, from, to) => {
      const esc = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return text.replace(new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(\\s*)(['"])${esc}\\2`, 'g'), `$1$2${to}$2`);
    };
    let js = respecify(mainJs, './__wasm_split.js', `./${names.link}`);
    for (const [from, to] of snippetNames) js = respecify(js, from, `./${to}`);
    if (/from\s*['"]\.\/__wasm_split\.js/.test(js)) throw new Error('split: main JS still imports __wasm_split.js');
    let link = linkJs.replaceAll('"./tahto.js"', `"./${names.js}"`);
    for (const [from, to] of partNames) link = link.replaceAll(`"./${from}"`, `"./${to}"`);
    for (const from of partNames.keys()) {
      if (link.includes(`"./${from}"`)) throw new Error(`split: loader still names ${from}`);
    }

    // Out with Trunk's module and snippets (and any earlier split), in with the split build.
    for (const old of readdirSync(staging).filter((n) => /^tahto-(chunk_|split_|parts-|snippet-)/.test(n))) {
      rmSync(join(staging, old));
    }
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
    // Chromium checks integrity on module preloads; on a fetch preload it ignores it and warns.
    const preload = (file, rel, extra = '') =>
      rel === 'modulepreload'
        ? `<link rel=${rel} href=/${file} crossorigin integrity=${sri(readFileSync(join(staging, file)))}>`
        : `<link rel=${rel} href=/${file} crossorigin${extra}>`;
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
  const summary = await split(process.argv[2] ?? 'dist', { force: process.argv.includes('--force') });
  console.log(summary ? `split: ${summary.sizes.join(', ')}` : 'split: not a split build, nothing to do');
}
