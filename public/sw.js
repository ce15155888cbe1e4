// Tahto's service worker: the app opens without a network, and a part of the app is never missing
// in the middle of a session.
//
// - Install: every file of this build (the list below, written by scripts/post-build.mjs) and the
//   entry document as the server sends it (with its configuration) go into a cache named after the
//   build. The new version then waits: it is offered to the citizen (src/ui/app_update.rs), never
//   forced in the middle of a save; it takes over on "Update now" or once every Tahto tab is closed.
// - Fetch: the app's own files come from the cache (their names change with their content, so a
//   cached copy is never stale); a page load asks the network first, so a new version and new
//   configuration are seen at once, and falls back to the cached entry document offline. Nothing
//   else is touched: FHIR requests go to the network as if there were no service worker, so a save
//   never ends in a copy made by the cache.
// - Activate: caches of builds older than the one before are removed; the previous one is kept
//   for a tab that still runs it.
/* global self, caches */
const BUILD = '__TAHTO_BUILD__';
const FILES = /* __TAHTO_FILES__ */ [];
const PREFIX = 'tahto-app-';
const CACHE = PREFIX + BUILD;
const KEEP = 2; // this build and the one before

const scope = new URL(self.registration.scope);
const shellUrl = new URL('./', scope).href;
const fileUrls = new Set(FILES.map((f) => new URL(f, scope).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // A file named after its content cannot be stale, so the copy the page has just fetched
      // is taken from the HTTP cache: on a first visit the rest of the app is downloaded once,
      // not twice. Any other file goes past the HTTP cache (`reload`), so a half-updated
      // deployment is not mixed in.
      const named = (url) => /-[0-9a-f]{16}(_bg)?\.(wasm|js|css)$/.test(url);
      await cache.addAll([...fileUrls].map((url) => new Request(url, { cache: named(url) ? 'default' : 'reload' })));
      const shell = await fetch(new Request(shellUrl, { cache: 'reload' }));
      if (!shell.ok) throw new Error(`entry document: HTTP ${shell.status}`);
      await cache.put(shellUrl, shellOf(await shell.text(), shell.headers));
      // Remember the order builds arrived in, for the clean-up on activate.
      await cache.put(new URL('./__tahto-installed', scope).href, new Response(String(Date.now())));
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const ours = (await caches.keys()).filter((k) => k.startsWith(PREFIX));
      const installedAt = async (key) => {
        const hit = await (await caches.open(key)).match(new URL('./__tahto-installed', scope).href);
        return hit ? Number(await hit.text()) || 0 : 0;
      };
      const dated = await Promise.all(ours.map(async (k) => [k, k === CACHE ? Infinity : await installedAt(k)]));
      dated.sort((a, b) => b[1] - a[1]);
      await Promise.all(dated.slice(KEEP).map(([k]) => caches.delete(k)));
      // The first install takes the open tab at once, so it opens offline next time; an update
      // arrives here only once the citizen chose it (or closed every tab).
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'tahto:update-now') self.skipWaiting();
});

/** The file from this build's cache or, for a tab still on the previous build, from that one. */
async function fromCaches(request) {
  const own = await (await caches.open(CACHE)).match(request);
  if (own) return own;
  const any = await caches.match(request);
  return any ?? fetch(request);
}

/**
 * The entry document as stored under `shellUrl`: its text and headers, not the address it came
 * from (a page load may be the sign-in's return, `/?code=…&state=…`, or a partner's frame,
 * `/embed?…`). The text is decoded, so the encoding and length it had on the wire are dropped.
 */
function shellOf(text, headers) {
  const kept = new Headers(headers);
  kept.delete('content-encoding');
  kept.delete('content-length');
  return new Response(text, { headers: kept });
}

/**
 * This build's main script (not `tahto-parts-…`) and stylesheet: an entry document that names both
 * is this build's. The script's name changes with the app's code (a Rust-only release keeps the
 * stylesheet's), the stylesheet's with the style (a style-only release keeps the script's).
 */
const ownNames = FILES.map((f) => f.split('/').pop()).filter((f) => /^tahto-[0-9a-f]{16}\.(js|css)$/.test(f));

async function page(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      // The newest entry document (and configuration) for the next offline start: only if it is
      // this build's. A newer deployment's names files this worker does not hold.
      const copy = response.clone();
      copy
        .text()
        .then(async (text) => {
          if (!ownNames.every((name) => text.includes(name))) return;
          await (await caches.open(CACHE)).put(shellUrl, shellOf(text, copy.headers));
        })
        .catch(() => {});
    }
    return response;
  } catch (networkDown) {
    // This build's own: `caches.match` would search the caches oldest first, and an older
    // build's document names files this worker does not serve.
    const cached = await (await caches.open(CACHE)).match(shellUrl);
    if (cached) return cached;
    throw networkDown;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || !url.href.startsWith(scope.href)) return;
  // A page load of the app (a route, no file extension, or the entry document). Any other page
  // (signed-in.html, the sign-in window's last stop) is the network's: never the app's shell.
  const appPage = !/\.[A-Za-z0-9]+$/.test(url.pathname) || url.pathname.endsWith('/index.html');
  if (request.mode === 'navigate' && appPage) {
    event.respondWith(page(request));
  } else if (fileUrls.has(url.origin + url.pathname)) {
    event.respondWith(fromCaches(request));
  }
});
