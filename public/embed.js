// Tahto in a partner's page, as a frame on Tahto's own origin:
//
//   <script src="https://tahto.example/embed.js" defer></script>
//   <tahto-embed section="organ-donation" lang="sv" theme='{"brand":"#005a8c"}'></tahto-embed>
//
// A portal that has signed the citizen in starts Tahto in context (SMART EHR launch) with
// `iss="<FHIR base>" launch="<launch id>"`; Tahto then signs in in a window of its own.
//
// The citizen's data, drafts and unsent saves live in the frame, on Tahto's origin, where the
// partner's scripts cannot read them. The element and the frame talk only by messages
// `{ messageId, messageType, payload }` (README, "Embedding and configuration"); every message the
// frame sends is re-emitted on the element as a `tahto-<messageType>` event, its payload as the
// event's detail. The frame's address is set once: after that only messages (the host page's
// history never changes). Dependency-free, classic script: works under a partner's strict CSP
// (no inline style: the styles are a constructed style sheet in a closed shadow root).
(() => {
  'use strict';
  const TAG = 'tahto-embed';
  const script = document.currentScript;
  if (!script || !script.src) {
    console.error(`<${TAG}>: load embed.js with <script src="…/embed.js"> (a classic script, not a module)`);
    return;
  }
  const ENTRY = new URL('embed', script.src);
  const TAHTO = ENTRY.origin;
  if (!window.customElements) return;
  const defined = customElements.get(TAG);
  if (defined) {
    if (defined.tahtoOrigin !== TAHTO) console.warn(`<${TAG}>: already defined for ${defined.tahtoOrigin}; ${script.src} is not used`);
    return;
  }

  const SECTIONS = ['home', 'notice', 'unsent', 'organ-donation', 'advance-directive', 'living-will', 'disclosures',
    'prescriptions', 'lab-results', 'vaccinations', 'visits', 'access-log', 'measurements'];
  const KINDS = ['organ-donation', 'advance-directive', 'living-will', 'notice', 'disclosure-consent',
    'disclosure-refusal', 'renewal', 'measurement'];
  const LANGS = ['fi', 'sv', 'en'];
  const REASONS = ['rejected', 'conflict', 'not-sendable'];
  const TITLES = {
    fi: 'Tahto – terveystietoni ja tahdonilmaisuni',
    sv: 'Tahto – mina hälsouppgifter och viljeyttringar',
    en: 'Tahto – my health data and declarations',
  };
  /** Until the first `resize`, and the bounds of any (CSS px). */
  const INITIAL_HEIGHT = 640;
  const MIN_HEIGHT = 120;
  const MAX_HEIGHT = 200000;

  const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isCount = (v) => Number.isSafeInteger(v) && v >= 0;
  const isId = (v) => typeof v === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(v);
  const oneOf = (list) => (v) => typeof v === 'string' && list.includes(v);
  const isSection = oneOf(SECTIONS);
  const isKind = oneOf(KINDS);
  const isLang = oneOf(LANGS);

  /**
   * What the frame may say, field by field: the payload as re-emitted (only these fields), or
   * undefined for anything else. Tahto's own release serves this file, so the lists match the frame.
   */
  const FROM_FRAME = {
    ready: (p) => isSection(p.section) && isLang(p.lang) && typeof p.partitioned === 'boolean'
      && { section: p.section, lang: p.lang, partitioned: p.partitioned },
    resize: (p) => isCount(p.height) && { height: p.height },
    navigate: (p) => isSection(p.section) && { section: p.section },
    saved: (p) => isKind(p.kind) && isId(p.id) && isId(p.version) && { kind: p.kind, id: p.id, version: p.version },
    'save-failed': (p) => isKind(p.kind) && oneOf(REASONS)(p.reason) && { kind: p.kind, reason: p.reason },
    unsent: (p) => isCount(p.count) && { count: p.count },
  };

  /** A theme as the frame takes it (colours, a radius of 0–24 px, a font list), or null. */
  const THEME = {
    brand: (v) => /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(v),
    ink: (v) => THEME.brand(v),
    bg: (v) => THEME.brand(v),
    card: (v) => THEME.brand(v),
    radius: (v) => /^\d{1,2}px$/.test(v) && parseInt(v, 10) <= 24,
    font: (v) => v.trim().length > 0 && v.length <= 100 && /^[\p{L}\p{N} ,'"-]+$/u.test(v),
  };
  function checkTheme(theme) {
    if (!isObject(theme)) return null;
    for (const [key, value] of Object.entries(theme)) {
      if (!has(THEME, key) || typeof value !== 'string' || !THEME[key](value)) {
        console.warn(`<${TAG}>: theme ${key}: ${JSON.stringify(value)} is not taken (the theme is sent whole or not at all)`);
        return null;
      }
    }
    return { ...theme };
  }
  function parseTheme(text) {
    if (text === null || text.trim() === '') return {};
    try {
      return checkTheme(JSON.parse(text));
    } catch {
      console.warn(`<${TAG}>: the theme attribute is not JSON`);
      return null;
    }
  }

  const random = () => Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');

  // The element's own box and the frame in it. Important declarations of the shadow tree win over
  // the host page's, important or not (CSS Cascade 5, context): a reset such as
  // `* { all: unset !important }` cannot hide, shrink or distort it. Nothing here reaches out of
  // the shadow root, and nothing of the page reaches the frame element in it.
  const CSS = `
:host {
  display: block !important; position: relative !important; box-sizing: border-box !important;
  visibility: visible !important; opacity: 1 !important; overflow: visible !important;
  height: auto !important; min-height: 0 !important; max-height: none !important;
  padding: 0 !important; border: 0 !important; transform: none !important; filter: none !important;
  clip-path: none !important; mask: none !important; contain: none !important;
  content-visibility: visible !important; pointer-events: auto !important; zoom: 1 !important;
}
:host([hidden]) { display: none !important; }
iframe {
  all: initial !important; display: block !important; box-sizing: border-box !important;
  width: 100% !important; min-width: 0 !important; max-width: 100% !important;
  border: 0 !important; margin: 0 !important; padding: 0 !important; visibility: visible !important;
  color-scheme: normal !important;
}`;
  let sheet = null;
  const styles = () => {
    if (!sheet && 'adoptedStyleSheets' in Document.prototype) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    return sheet;
  };

  class TahtoEmbed extends HTMLElement {
    static tahtoOrigin = TAHTO;
    static get observedAttributes() {
      return ['section', 'lang', 'theme'];
    }

    #root;
    #frame = null;
    #ready = false;
    /** Messages for the frame until it is ready, the last of each type. */
    #queue = new Map();
    #theme = null;
    /** The language last asked for (attribute or method), which the frame's title is in. */
    #asked = null;
    #listening = false;
    #onMessage = (event) => this.#receive(event);

    constructor() {
      super();
      this.#root = this.attachShadow({ mode: 'closed' });
      const own = styles();
      if (own) this.#root.adoptedStyleSheets = [own];
    }

    connectedCallback() {
      if (!this.#listening) {
        window.addEventListener('message', this.#onMessage);
        this.#listening = true;
      }
      if (this.#frame) {
        // Moved in the page: the frame loads again and says `ready` again.
        this.#ready = false;
        return;
      }
      const lang = this.#lang();
      const section = this.getAttribute('section');
      const src = new URL(ENTRY);
      if (isSection(section)) src.searchParams.set('section', section);
      else if (section !== null) console.warn(`<${TAG}>: section ${JSON.stringify(section)} is not one of ${SECTIONS.join(', ')}`);
      if (lang) src.searchParams.set('lang', lang);
      src.searchParams.set('host', location.origin);
      // An EHR launch (SMART App Launch): the partner portal's FHIR server and its launch context,
      // which Tahto's sign-in carries to the authorization server. Read once, like the section.
      const iss = this.getAttribute('iss');
      const launch = this.getAttribute('launch');
      if (iss && launch) {
        src.searchParams.set('iss', iss);
        src.searchParams.set('launch', launch);
      } else if (iss || launch) console.warn(`<${TAG}>: an EHR launch needs both iss and launch`);
      this.#theme ??= parseTheme(this.getAttribute('theme'));

      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-popups '
        + 'allow-popups-to-escape-sandbox allow-modals allow-storage-access-by-user-activation allow-downloads');
      frame.setAttribute('allow', 'storage-access');
      frame.referrerPolicy = 'no-referrer';
      // The inline style through the CSSOM (allowed under a CSP without 'unsafe-inline'), so the
      // frame is usable even where constructed style sheets are not.
      frame.style.setProperty('display', 'block', 'important');
      frame.style.setProperty('width', '100%', 'important');
      frame.style.setProperty('border', '0', 'important');
      this.#frame = frame;
      this.#setHeight(INITIAL_HEIGHT);
      // Set before it is in the document: its one navigation, never an entry in the host's history.
      frame.src = src.href;
      this.#asked ??= lang;
      this.#title(this.#asked ?? document.documentElement.lang.slice(0, 2));
      this.#root.append(frame);
    }

    /** Moved with `moveBefore`: the frame stays loaded and linked. */
    connectedMoveCallback() {}

    disconnectedCallback() {
      window.removeEventListener('message', this.#onMessage);
      this.#listening = false;
      this.#ready = false;
    }

    attributeChangedCallback(name, before, value) {
      // Before the frame exists, its address carries them.
      if (!this.#frame || before === value) return;
      if (name === 'section') this.showSection(value);
      else if (name === 'lang') this.setLanguage(value);
      else if (name === 'theme') {
        const theme = parseTheme(value);
        if (theme) this.setTheme(theme);
      }
    }

    /** Shows `section` (one of the section keys) inside. */
    showSection(section) {
      if (!isSection(section)) {
        console.warn(`<${TAG}>: section ${JSON.stringify(section)} is not one of ${SECTIONS.join(', ')}`);
        return;
      }
      this.#send('show-section', { section });
    }

    /** Tahto's language inside: fi, sv or en (the frame's title follows). */
    setLanguage(lang) {
      if (!isLang(lang)) {
        console.warn(`<${TAG}>: language ${JSON.stringify(lang)} is not one of ${LANGS.join(', ')}`);
        return;
      }
      this.#asked = lang;
      this.#title(lang);
      this.#send('set-language', { lang });
    }

    /** The partner's look: `{ brand?, ink?, bg?, card?, radius?, font? }`, replacing the one before. */
    setTheme(theme) {
      const checked = checkTheme(theme);
      if (!checked) return;
      this.#theme = checked;
      this.#send('set-theme', checked);
    }

    #lang() {
      const lang = this.getAttribute('lang');
      if (lang === null) return null;
      if (isLang(lang)) return lang;
      console.warn(`<${TAG}>: lang ${JSON.stringify(lang)} is not one of ${LANGS.join(', ')}`);
      return null;
    }

    /** The frame's accessible name, in `lang` (Finnish when Tahto does not speak it). */
    #title(lang) {
      if (!this.#frame) return;
      const known = isLang(lang) ? lang : 'fi';
      this.#frame.title = TITLES[known];
      this.#frame.lang = known;
    }

    #setHeight(px) {
      this.#frame?.style.setProperty('height', `${Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.round(px)))}px`, 'important');
    }

    #send(messageType, payload) {
      if (!this.#ready) {
        this.#queue.delete(messageType);
        this.#queue.set(messageType, payload);
        return;
      }
      this.#post(messageType, payload);
    }

    #post(messageType, payload) {
      // Exactly the three fields; to Tahto's origin only (if the frame is anything else, nothing goes).
      this.#frame?.contentWindow?.postMessage({ messageId: `host-${random()}`, messageType, payload }, TAHTO);
    }

    #receive(event) {
      // Only Tahto, and only this element's frame (not another element's, not a popup of Tahto's).
      const frame = this.#frame?.contentWindow;
      if (event.origin !== TAHTO || !frame || event.source !== frame) return;
      const data = event.data;
      if (!isObject(data) || typeof data.messageId !== 'string' || data.messageId.length < 1 || data.messageId.length > 64) return;
      if (typeof data.messageType !== 'string' || !has(FROM_FRAME, data.messageType) || !isObject(data.payload)) return;
      const detail = FROM_FRAME[data.messageType](data.payload);
      if (!detail) return;
      if (data.messageType === 'resize') this.#setHeight(detail.height);
      if (data.messageType === 'ready') {
        // Again after the frame loaded again (moved in the page, or Tahto updated itself): the
        // theme is not in its address, so it goes first; then what was asked meanwhile.
        this.#ready = true;
        // Nothing asked: the title in the language Tahto speaks.
        if (!this.#asked) this.#title(detail.lang);
        const queued = [...this.#queue];
        this.#queue.clear();
        if (this.#theme && Object.keys(this.#theme).length > 0) this.#post('set-theme', this.#theme);
        for (const [type, payload] of queued) if (type !== 'set-theme') this.#post(type, payload);
      }
      this.dispatchEvent(new CustomEvent(`tahto-${data.messageType}`, { detail, bubbles: true, composed: true }));
    }
  }

  customElements.define(TAG, TahtoEmbed);
})();
