// A wasm module's sections, read and rewritten, for the release steps (scripts/split.mjs,
// scripts/trim-glue.mjs, scripts/order-functions.mjs). The binary format:
// https://webassembly.github.io/spec/core/binary/modules.html

/** Reads an unsigned LEB128 at `p`; returns [value, next position]. */
export function leb(bytes, p) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[p++];
    if (b === undefined) throw new Error('wasm: a number runs past the end of the module');
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [value, p];
    shift += 7;
  }
}

export function encodeLeb(value) {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return Buffer.from(out);
}

/** A name as the binary format writes it: its length, then its UTF-8 bytes. */
export const encodeName = (name) => {
  const bytes = Buffer.from(name, 'utf8');
  return Buffer.concat([encodeLeb(bytes.length), bytes]);
};

/**
 * `wasm` (a Buffer) with each section passed through `rewrite(section)`, where `section` is
 * `{ id, body, end, name }` (the bounds of its contents in `wasm`; `name`, a custom section's).
 * `rewrite` returns the section's new contents (a Buffer), `undefined` to keep it, or `null` to
 * drop it.
 */
export function mapSections(wasm, rewrite) {
  if (wasm.length < 8 || wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('wasm: not a wasm module');
  const out = [wasm.subarray(0, 8)];
  let p = 8;
  while (p < wasm.length) {
    const id = wasm[p];
    const [size, body] = leb(wasm, p + 1);
    const end = body + size;
    if (end > wasm.length) throw new Error('wasm: a section runs past the end of the module');
    let name;
    if (id === 0) {
      const [length, at] = leb(wasm, body);
      name = wasm.subarray(at, at + length).toString('utf8');
    }
    const contents = rewrite({ id, body, end, name });
    if (contents === undefined) out.push(wasm.subarray(p, end));
    else if (contents !== null) out.push(Buffer.from([id]), encodeLeb(contents.length), contents);
    p = end;
  }
  return Buffer.concat(out);
}
