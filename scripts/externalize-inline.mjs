// Moves every inline <script> and <style> of a build's index.html into a content-hashed file next
// to it, so the page runs under a Content-Security-Policy without 'unsafe-inline'
// (tests/fhir-server/static.mjs `contentSecurityPolicy`, deploy/nginx.conf).
//
//   node scripts/externalize-inline.mjs [dir]   (default: $TRUNK_STAGING_DIR in a Trunk hook, else dist)
//
// Generic: whatever Trunk's loader says today (`import init … from '/tahto-<hash>.js'; await init(…)`)
// or tomorrow, each inline script becomes `inline-<16 hex>.js` referenced by
// `<script type="module" src=… integrity=…>` (a classic script keeps being classic and blocking),
// and each inline style `inline-<16 hex>.css` referenced by `<link rel="stylesheet" href=…
// integrity=…>` in the same place, so order and behaviour are unchanged. Everything else (Trunk's
// `modulepreload`/`preload` links with their integrity) is left as it is. Data blocks
// (`type="application/json"` and the like) are not run and stay. Idempotent: a page with nothing
// inline is left alone.
//
// Fails (exit 1) on what no file can fix and the CSP would block: an inline import map or
// speculation rules, inline event handlers (`onclick=`), `style=` attributes, `javascript:` URLs.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A tag's attributes, quoted values may hold `>`.
const ATTRS = `((?:[^>"']|"[^"]*"|'[^']*')*)`;
const ELEMENT = new RegExp(
  `<!--[\\s\\S]*?-->|<script\\b${ATTRS}>([\\s\\S]*?)<\\/script\\s*>|<style\\b${ATTRS}>([\\s\\S]*?)<\\/style\\s*>`,
  'gi',
);
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const JS_TYPES = new Set([
  '', 'module', 'text/javascript', 'application/javascript', 'text/ecmascript', 'application/ecmascript',
  'application/x-javascript', 'text/x-javascript', 'text/jscript', 'text/livescript',
]);
// Script types the CSP governs that cannot be moved to a file.
const CSP_INLINE_ONLY = new Set(['importmap', 'speculationrules']);

/** [[name, value|undefined], …] in document order, names lower-cased. */
export function parseAttrs(text) {
  const out = [];
  for (const m of text.matchAll(ATTR)) out.push([m[1].toLowerCase(), m[2] ?? m[3] ?? m[4]]);
  return out;
}

const escapeAttr = (v) => v.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
const attrsText = (attrs) =>
  attrs.map(([k, v]) => (v === undefined ? ` ${k}` : ` ${k}="${escapeAttr(v)}"`)).join('');
const sha256hex = (bytes) => createHash('sha256').update(bytes).digest('hex');
const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/**
 * Rewrites `html`: returns `{ html, files: [{ name, content }] }`, the files to write next to it.
 * `base` is the public URL the files are served under (Trunk's `public_url`, `/` by default).
 */
export function externalizeInline(html, { base = '/' } = {}) {
  const files = [];
  const problems = [];
  const url = (name) => `${base.endsWith('/') ? base : `${base}/`}${name}`;
  const file = (content, ext) => {
    const bytes = Buffer.from(content, 'utf8');
    const name = `inline-${sha256hex(bytes).slice(0, 16)}.${ext}`;
    if (!files.some((f) => f.name === name)) files.push({ name, content: bytes });
    return { href: url(name), integrity: sri(bytes) };
  };
  const out = html.replace(ELEMENT, (whole, scriptAttrs, scriptBody, styleAttrs, styleBody) => {
    if (whole.startsWith('<!--')) return whole;
    if (scriptAttrs !== undefined) {
      const attrs = parseAttrs(scriptAttrs);
      if (attrs.some(([k]) => k === 'src')) return whole;
      const type = (attrs.find(([k]) => k === 'type')?.[1] ?? '').trim().toLowerCase();
      if (CSP_INLINE_ONLY.has(type)) {
        problems.push(`an inline <script type="${type}"> cannot be moved to a file; give its hash to script-src`);
        return whole;
      }
      if (!JS_TYPES.has(type)) return whole; // a data block: never run, the CSP does not apply
      if (scriptBody.trim() === '') return '';
      const module = type === 'module';
      const { href, integrity } = file(scriptBody, 'js');
      // An inline classic script runs at once, in place: `defer`/`async` meant nothing on it and
      // would change when it runs now that it has a `src`. A module keeps `async` if it had it.
      const kept = attrs.filter(([k]) => !['type', 'nonce', 'integrity', ...(module ? [] : ['defer', 'async'])].includes(k));
      const type_ = module ? [['type', 'module']] : [];
      return `<script${attrsText([...type_, ['src', href], ['integrity', integrity], ...kept])}></script>`;
    }
    const attrs = parseAttrs(styleAttrs);
    if (styleBody.trim() === '') return '';
    const { href, integrity } = file(styleBody, 'css');
    const kept = attrs.filter(([k]) => ['media', 'title', 'blocking'].includes(k));
    return `<link${attrsText([['rel', 'stylesheet'], ['href', href], ['integrity', integrity], ...kept])}>`;
  });

  // What the CSP blocks and no file can carry: handlers, style attributes, javascript: URLs.
  const withoutComments = out.replace(/<!--[\s\S]*?-->/g, '');
  for (const tag of withoutComments.matchAll(new RegExp(`<([a-zA-Z][\\w-]*)${ATTRS}>`, 'g'))) {
    for (const [k, v] of parseAttrs(tag[2])) {
      if (/^on[a-z]+$/.test(k)) problems.push(`<${tag[1]} ${k}=…>: an inline event handler`);
      if (k === 'style') problems.push(`<${tag[1]} style=…>: a style attribute`);
      if (v !== undefined && /^\s*javascript:/i.test(v)) problems.push(`<${tag[1]} ${k}="javascript:…">`);
    }
  }
  return { html: out, files, problems };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const asHook = !process.argv[2] && !!process.env.TRUNK_STAGING_DIR;
  // As a Trunk hook, only a release build is served under the CSP (`trunk serve` injects its own
  // inline reload script).
  if (asHook && process.env.TRUNK_PROFILE !== 'release') process.exit(0);
  const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist';
  const base = process.env.TRUNK_PUBLIC_URL || '/';
  const path = join(dir, 'index.html');
  const before = readFileSync(path, 'utf8');
  const { html, files, problems } = externalizeInline(before, { base });
  if (problems.length) {
    console.error(`externalize-inline: ${path} cannot run under a CSP without 'unsafe-inline':`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  for (const f of files) {
    writeFileSync(join(dir, f.name), f.content);
    console.log(`externalize-inline: ${f.name} (${f.content.length} bytes)`);
  }
  if (html !== before) writeFileSync(path, html);
  else console.log('externalize-inline: nothing inline');
}
