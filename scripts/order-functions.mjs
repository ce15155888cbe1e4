// The order of a module's functions, for compression (issue 10, size).
//
// Brotli finds a repeat more cheaply the nearer it is. The linker lays functions out in no order
// that helps: the copies one generic function gets for each type it is used with, which are nearly
// the same code (`<T as IntoAny>::into_any::build`, `drop_in_place<…>`, `RenderEffect<T>::new…`),
// end up far apart. Before wasm-opt, each function's name (the name section, which the build
// strips from what it ships) becomes its place in the order: its demangled path with the generic
// arguments left out (a trait's method first: `<X as Clone>::clone` as `Clone::clone`), then its
// full path. wasm-opt's `--reorder-functions-by-name`, after `-Oz`, lays the functions out in that
// order. The order changes nothing a module does.
// Measured on the split release build: the first load 1.7 KB smaller, everything 4.6 KB (brotli).
import { encodeLeb, encodeName, leb, mapSections } from './wasm-bytes.mjs';

const ESCAPES = {
  SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',',
};

/**
 * A Rust symbol in the legacy mangling (`_ZN…E`, what rustc 1.95 writes) as a path without its
 * hash (`<T as tachys::view::any_view::IntoAny>::into_any::build`); null for any other name.
 */
export function demangle(symbol) {
  const m = /^_ZN(.*)E(?:\.[\w.]+)?$/s.exec(symbol);
  if (!m) return null;
  const mangled = m[1];
  const parts = [];
  let p = 0;
  while (p < mangled.length) {
    const digits = /^\d+/.exec(mangled.slice(p));
    if (!digits) return null;
    p += digits[0].length;
    const length = Number(digits[0]);
    if (length === 0 || p + length > mangled.length) return null;
    parts.push(mangled.slice(p, p + length));
    p += length;
  }
  if (parts.length > 1 && /^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts
    .map((part) =>
      part
        .replace(/^_\$/, '$')
        .replace(/\.\./g, '::')
        // Left to right, one escape at a time: `$LT$u8$GT$` is `<u8>`, not a `$u8$`.
        .replace(/\$([^$]*)\$/g, (all, code) =>
          ESCAPES[code] ?? (/^u[0-9a-f]{1,6}$/.test(code) ? String.fromCodePoint(parseInt(code.slice(1), 16)) : all)),
    )
    .join('::');
}

/** `<X as Trait>::rest` as `Trait::rest`; any other path as it is. */
function byTrait(path) {
  if (!path.startsWith('<')) return path;
  let depth = 0;
  let as = -1;
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '<') depth += 1;
    else if (path[i] === '>') {
      depth -= 1;
      if (depth === 0) return as < 0 ? path : path.slice(as + 4, i) + path.slice(i + 1);
    } else if (depth === 1 && as < 0 && path.startsWith(' as ', i)) as = i;
  }
  return path;
}

/**
 * Where a function named `name` goes: the copies of one generic function side by side, and the
 * implementations of one trait's method (`<X as Clone>::clone`) next to each other.
 */
export function orderKey(name) {
  const path = demangle(name) ?? name;
  let bare = byTrait(path);
  for (let before = ''; before !== bare; ) {
    before = bare;
    bare = bare.replace(/<[^<>]*>/g, '');
  }
  return `${bare}|${path}`;
}

/**
 * `wasm` (a Buffer) with each function's name replaced by its place in the order (`orderKey`,
 * then its index, so no two are the same); `named` counts them (0: the module has no names, and
 * its order stays as the linker left it).
 */
export function nameForOrder(wasm) {
  let named = 0;
  const out = mapSections(wasm, ({ name, body, end }) => {
    if (name !== 'name') return undefined;
    const [nameLength, at] = leb(wasm, body);
    let p = at + nameLength;
    const subsections = [wasm.subarray(body, p)];
    while (p < end) {
      const kind = wasm[p];
      const [size, start] = leb(wasm, p + 1);
      const subEnd = start + size;
      if (kind !== 1) {
        subsections.push(wasm.subarray(p, subEnd));
        p = subEnd;
        continue;
      }
      // The function names: a count, then (index, name) pairs.
      let [count, q] = leb(wasm, start);
      const entries = [encodeLeb(count)];
      while (count--) {
        const [index, n] = leb(wasm, q);
        const [length, s] = leb(wasm, n);
        const old = wasm.subarray(s, s + length).toString('utf8');
        entries.push(encodeLeb(index), encodeName(`${orderKey(old)}#${String(index).padStart(7, '0')}`));
        named += 1;
        q = s + length;
      }
      if (q !== subEnd) throw new Error('order-functions: the function names did not parse to their end');
      const names = Buffer.concat(entries);
      subsections.push(Buffer.from([kind]), encodeLeb(names.length), names);
      p = subEnd;
    }
    return Buffer.concat(subsections);
  });
  return { wasm: out, named };
}
