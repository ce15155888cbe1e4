// What the glue between the main module and JavaScript can lose (issue 10, size).
//
// 1. Short import names. wasm-bindgen names each import after the function and a hash
//    (`__wbg_getItem_49556a3e59cfb688`): some 210 of them, each written twice in the first load
//    (the wasm's import section and the key of the glue's import object). The hashes are random
//    digits that no compressor can shrink. After the build is optimised, each import of `module`
//    is renamed `_0`, `_1`, …, in the wasm and in the glue together; a name the glue does not hold
//    exactly once stops the build.
// 2. Short export names for the exports named after mangled Rust symbols (the closures the glue
//    calls, `_ZN12wasm_bindgen7convert8closures1_6invoke17h831f7ec987fc80bdE`), likewise.
// 3. Dead classes. Leptos depends on server_fn, which depends on wasm-streams, whose three classes
//    are exported to JavaScript whether used or not: their methods stay in the first load as
//    exports. Tahto never streams; no import can create one (the glue has no `__wrap` for them),
//    so they and their exports go before wasm-opt, which then drops their code. A class that is
//    referenced anywhere else in the glue stops the build.

import { encodeLeb, leb, mapSections } from './wasm-bytes.mjs';

/** `text` as a literal inside a regular expression. */
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The byte length of an import's description of `kind`, starting at `p`. */
function descEnd(bytes, kind, p) {
  const limits = (q) => {
    const flags = bytes[q++];
    [, q] = leb(bytes, q);
    if (flags & 1) [, q] = leb(bytes, q);
    return q;
  };
  switch (kind) {
    case 0: return leb(bytes, p)[1]; // function: type index
    case 1: return limits(p + 1); // table: reference type, limits
    case 2: return limits(p); // memory: limits
    case 3: return p + 2; // global: value type, mutability
    case 4: return leb(bytes, p + 1)[1]; // tag: attribute, type index
    default: throw new Error(`trim-glue: unknown import kind ${kind}`);
  }
}

/** `wasm` with the contents of its section `id` replaced by `rewrite(wasm, start, end)`. */
const withSection = (wasm, id, rewrite) =>
  mapSections(wasm, (section) => (section.id === id ? rewrite(wasm, section.body, section.end) : undefined));

/**
 * Renames every import of `module` in `wasm` (a Buffer). Returns the new module and the renames,
 * `[[old, new], …]`, in import order.
 */
export function shortenImports(wasm, module) {
  const renames = [];
  const rewritten = withSection(wasm, 2, (bytes, body, end) => {
    let [count, q] = leb(bytes, body);
    const entries = [encodeLeb(count)];
    while (count--) {
      const [moduleLength, m] = leb(bytes, q);
      const moduleName = bytes.subarray(m, m + moduleLength).toString('utf8');
      const [fieldLength, f] = leb(bytes, m + moduleLength);
      let field = bytes.subarray(f, f + fieldLength).toString('utf8');
      const kind = bytes[f + fieldLength];
      const after = descEnd(bytes, kind, f + fieldLength + 1);
      if (moduleName === module) {
        const short = `_${renames.length.toString(36)}`;
        renames.push([field, short]);
        field = short;
      }
      const fieldBytes = Buffer.from(field, 'utf8');
      entries.push(bytes.subarray(q, m + moduleLength), encodeLeb(fieldBytes.length), fieldBytes, bytes.subarray(f + fieldLength, after));
      q = after;
    }
    if (q !== end) throw new Error('trim-glue: the import section did not parse to its end');
    return Buffer.concat(entries);
  });
  return { wasm: rewritten, renames };
}

/** Renames the import object's keys in the glue `js`, each of which must occur exactly once. */
export function renameImportKeys(js, renames) {
  for (const [from, to] of renames) {
    const key = new RegExp(`(?<![\\w$])${escape(from)}(?=\\s*:)`, 'g');
    const found = js.match(key)?.length ?? 0;
    if (found !== 1 || js.split(from).length !== 2) {
      throw new Error(`trim-glue: the glue names ${from} ${found} times as a key, not once`);
    }
    js = js.replace(key, to);
  }
  return js;
}

/** The glue's classes of wasm-streams (via leptos → server_fn), never used by Tahto. */
export const DEAD_CLASSES = ['IntoUnderlyingByteSource', 'IntoUnderlyingSink', 'IntoUnderlyingSource'];

/** Removes `classes` from the unminified glue `js`; returns it and the wasm exports they used. */
export function dropDeadClasses(js, classes) {
  const exports = new Set();
  const cut = (start, end) => {
    for (const m of js.slice(start, end).matchAll(/\bwasm\.(\w+)/g)) exports.add(m[1]);
    js = js.slice(0, start) + js.slice(end);
  };
  for (const name of classes) {
    if (js.includes(`${name}.__wrap`)) throw new Error(`trim-glue: ${name} can be made by the wasm`);
    const start = js.indexOf(`export class ${name} {`);
    const end = js.indexOf('\n}\n', start);
    if (start < 0 || end < 0) throw new Error(`trim-glue: no class ${name} in the glue`);
    cut(start, end + 3);
    js = js.replace(`if (Symbol.dispose) ${name}.prototype[Symbol.dispose] = ${name}.prototype.free;\n`, '');
    const registry = js.indexOf(`const ${name}Finalization =`);
    const registryEnd = js.indexOf(');\n', registry);
    if (registry < 0 || registryEnd < 0) throw new Error(`trim-glue: no finalization of ${name}`);
    cut(registry, registryEnd + 3);
    if (new RegExp(`\\b${name}\\b`).test(js)) throw new Error(`trim-glue: ${name} is still used`);
  }
  for (const name of exports) {
    if (js.includes(`wasm.${name}`)) throw new Error(`trim-glue: wasm.${name} is still used`);
  }
  return { js, exports: [...exports] };
}

/**
 * `wasm` with each export renamed by `rename(name)` (a new name, the same, or `null` to drop it).
 */
function mapExports(wasm, rename) {
  return withSection(wasm, 7, (bytes, body) => {
    let [count, q] = leb(bytes, body);
    const kept = [];
    while (count--) {
      const [length, n] = leb(bytes, q);
      const name = rename(bytes.subarray(n, n + length).toString('utf8'));
      const after = leb(bytes, n + length + 1)[1];
      if (name !== null) {
        const nameBytes = Buffer.from(name, 'utf8');
        kept.push(Buffer.concat([encodeLeb(nameBytes.length), nameBytes, bytes.subarray(n + length, after)]));
      }
      q = after;
    }
    return Buffer.concat([encodeLeb(kept.length), ...kept]);
  });
}

/** Removes the exports named `names` from `wasm` (a Buffer); the optimiser then drops their code. */
export function dropExports(wasm, names) {
  const drop = new Set(names);
  let dropped = 0;
  const out = mapExports(wasm, (name) => (drop.has(name) ? (dropped++, null) : name));
  if (dropped !== drop.size) throw new Error(`trim-glue: ${drop.size - dropped} of the exports to drop are not there`);
  return out;
}

/**
 * Renames the exports of `wasm` named after mangled Rust symbols (`_ZN…`) to `_x0`, `_x1`, …;
 * returns the new module and the renames.
 */
export function shortenMangledExports(wasm) {
  const renames = [];
  const rewritten = mapExports(wasm, (name) => {
    if (!name.startsWith('_ZN')) return name;
    const short = `_x${renames.length.toString(36)}`;
    renames.push([name, short]);
    return short;
  });
  return { wasm: rewritten, renames };
}

/** Renames every use of the renamed exports in the glue `js`; each must be used. */
export function renameExportUses(js, renames) {
  for (const [from, to] of renames) {
    const use = new RegExp(`(?<![\\w$])${escape(from)}(?![\\w$])`, 'g');
    if (!use.test(js)) throw new Error(`trim-glue: the glue never uses the export ${from}`);
    js = js.replace(use, to);
  }
  return js;
}
