// Short names for the main module's imports from its wasm-bindgen glue (issue 10, size).
//
// wasm-bindgen names each import after the function and a hash (`__wbg_getItem_49556a3e59cfb688`):
// some 210 of them, each written twice in the first load (the wasm's import section and the key
// of the glue's import object). The hashes are random digits that no compressor can shrink. After
// the build is optimised, each import of `module` is renamed `_0`, `_1`, …, in the wasm and in
// the glue together; a name the glue does not hold exactly once stops the build.

/** Reads an unsigned LEB128 at `p`; returns [value, next position]. */
function leb(bytes, p) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[p++];
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [value, p];
    shift += 7;
  }
}

function encodeLeb(value) {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return Buffer.from(out);
}

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
    default: throw new Error(`short-imports: unknown import kind ${kind}`);
  }
}

/**
 * Renames every import of `module` in `wasm` (a Buffer). Returns the new module and the renames,
 * `[[old, new], …]`, in import order.
 */
export function shortenImports(wasm, module) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('short-imports: not a wasm module');
  const out = [wasm.subarray(0, 8)];
  const renames = [];
  let p = 8;
  while (p < wasm.length) {
    const id = wasm[p];
    const [size, body] = leb(wasm, p + 1);
    const end = body + size;
    if (id !== 2) {
      out.push(wasm.subarray(p, end));
      p = end;
      continue;
    }
    let [count, q] = leb(wasm, body);
    const entries = [encodeLeb(count)];
    while (count--) {
      const [moduleLength, m] = leb(wasm, q);
      const moduleName = wasm.subarray(m, m + moduleLength).toString('utf8');
      const [fieldLength, f] = leb(wasm, m + moduleLength);
      let field = wasm.subarray(f, f + fieldLength).toString('utf8');
      const kind = wasm[f + fieldLength];
      const after = descEnd(wasm, kind, f + fieldLength + 1);
      if (moduleName === module) {
        const short = `_${renames.length.toString(36)}`;
        renames.push([field, short]);
        field = short;
      }
      const fieldBytes = Buffer.from(field, 'utf8');
      entries.push(wasm.subarray(q, m + moduleLength), encodeLeb(fieldBytes.length), fieldBytes, wasm.subarray(f + fieldLength, after));
      q = after;
    }
    if (q !== end) throw new Error('short-imports: the import section did not parse to its end');
    const section = Buffer.concat(entries);
    out.push(Buffer.from([2]), encodeLeb(section.length), section);
    p = end;
  }
  return { wasm: Buffer.concat(out), renames };
}

/** Renames the import object's keys in the glue `js`, each of which must occur exactly once. */
export function renameImportKeys(js, renames) {
  for (const [from, to] of renames) {
    const key = new RegExp(`(?<![\\w$])${from.replace(/[$]/g, '\\$&')}(?=\\s*:)`, 'g');
    const found = js.match(key)?.length ?? 0;
    if (found !== 1 || js.split(from).length !== 2) {
      throw new Error(`short-imports: the glue names ${from} ${found} times as a key, not once`);
    }
    js = js.replace(key, to);
  }
  return js;
}
