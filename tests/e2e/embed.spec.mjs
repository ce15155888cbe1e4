// Tahto embedded in a partner's page (issue 11): public/embed.js's <tahto-embed> puts Tahto in a
// frame on Tahto's own origin, and the two talk only by typed messages. Two origins and two sites:
// Tahto for partners on 127.0.0.1 (frame-ancestors naming the partner), the partner's page
// (examples/partner/, tests/fhir-server/partner.mjs) on `localhost`, so the browser partitions the
// frame's storage as for a real partner; and the same page on a third origin, which Tahto's list
// does not name. The real FHIR server behind the fault proxy, the release build in ../dist.
//
// First the element alone, against a stand-in for Tahto's frame (what embed.js promises, whatever
// the frame does); then the element with Tahto in it (what the partner and the citizen see).
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer } from '../fhir-server/static.mjs';
import {
  APP_EMBED_URL,
  FHIR_BASE_VIA_PROXY,
  PATIENT_ID,
  LOAD_TIMEOUT,
  PARTNER_URL,
  SAVE_TIMEOUT,
  THIRD_URL,
  axeInFrame,
  clearFaults,
  confirmNoticeOnServer,
  embedUrl,
  expectConfirmed,
  expectSaveState,
  formatAxeViolations,
  frameHeights,
  expectFrameFitsContent,
  freshServerPerTest,
  navInFrame,
  organDonationConsents,
  organDonationPage,
  outboxEntries,
  recordTahtoEvents,
  refuseNextConsentPost,
  setFaults,
  tahtoEvents,
  tahtoFrame,
  waitForDecisionLoaded,
  waitForTahtoEvent,
  watchFrameMessages,
} from './helpers.mjs';

freshServerPerTest(test);

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

const SANDBOX = [
  'allow-scripts', 'allow-same-origin', 'allow-forms', 'allow-popups', 'allow-popups-to-escape-sandbox', 'allow-modals',
  'allow-storage-access-by-user-activation', 'allow-downloads',
];
const TITLE = {
  fi: 'Tahto – terveystietoni ja tahdonilmaisuni',
  sv: 'Tahto – mina hälsouppgifter och viljeyttringar',
  en: 'Tahto – my health data and declarations',
};
const ORGAN_DONATION = 'Organ donation decision';
const DONATION = 'embed-donation';
const MEASUREMENTS = 'embed-measurements';

/** The visible main heading inside a frame of Tahto. */
const heading = (frame) => frame.locator('main h1:visible');

/** Calls a method of the element `id` in the partner's page, as the page's own script would. */
const call = (page, id, method, ...args) =>
  page.evaluate(({ id, method, args }) => document.getElementById(id)[method](...args), { id, method, args });

// ---------------------------------------------------------------------------------------------
// The element alone: Tahto's embed entry answered by a stand-in that records what it receives and
// says what it is told to (on Tahto's origin, as the real frame is).

const STAND_IN = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in for Tahto</title></head>
<body><p>Stand-in for Tahto's frame</p><button type="button">In the frame</button><script>
let n = 0;
window.received = [];
addEventListener('message', (e) => received.push({ origin: e.origin, fromParent: e.source === parent, data: e.data }));
window.say = (messageType, payload) => parent.postMessage({ messageId: 'tahto-' + ++n, messageType, payload }, '*');
window.sayRaw = (data) => parent.postMessage(data, '*');
</script></body></html>`;

/** Tahto's embed entry (and `/__stand-in-popup`) on Tahto's origin answered by the stand-in. */
async function standIn(page) {
  await page.context().route(
    (url) => url.origin === APP_EMBED_URL && (url.pathname === '/embed' || url.pathname === '/__stand-in-popup'),
    (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: STAND_IN }),
  );
}

/** What the stand-in in `frame` has received from the element's page. */
const received = (frame) => frame.evaluate(() => window.received.filter((m) => m.fromParent));

const say = (frame, type, payload) => frame.evaluate(([t, p]) => window.say(t, p), [type, payload]);

test.describe('the element, against a stand-in for the frame', () => {
  test('the frame: the embed entry on Tahto\'s origin, titled, sandboxed, without a referrer; the page cannot reach it', async ({ page }) => {
    await standIn(page);
    await page.goto(`${PARTNER_URL}/`);
    const frame = await tahtoFrame(page, 'organ-donation');
    const iframe = await (await frame.frameElement()).evaluate((f) => {
      const box = f.getBoundingClientRect();
      return {
        src: f.getAttribute('src'),
        title: f.title,
        lang: f.lang,
        sandbox: [...f.sandbox],
        allow: f.getAttribute('allow'),
        referrerPolicy: f.getAttribute('referrerpolicy'),
        name: f.name,
        width: box.width,
        height: box.height,
        elementWidth: f.getRootNode().host.getBoundingClientRect().width,
        tabIndex: f.tabIndex,
      };
    });
    expect(iframe.src).toBe(embedUrl('organ-donation'));
    expect(iframe.title).toBe(TITLE.en);
    expect(iframe.lang).toBe('en');
    expect(iframe.sandbox.sort()).toEqual([...SANDBOX].sort());
    expect(iframe.sandbox, 'never the top page\'s navigation').not.toContain('allow-top-navigation');
    expect(iframe.allow).toBe('storage-access');
    expect(iframe.referrerPolicy).toBe('no-referrer');
    expect(iframe.name, 'no name another window could target').toBe('');
    expect(iframe.width).toBe(iframe.elementWidth);
    expect(iframe.height, 'a sensible height until the frame says its own').toBe(640);
    expect(iframe.tabIndex).toBe(0);
    expect(await frame.evaluate(() => document.referrer)).toBe('');
    const measurements = await tahtoFrame(page, 'measurements');
    expect(measurements.url()).toBe(embedUrl('measurements'));
    // The page's scripts: a closed shadow root, and the frames are not in window.frames (so no
    // other frame of the page can address them either).
    expect(await page.evaluate(() => {
      const element = document.getElementById('embed-donation');
      return [element.shadowRoot, window.frames.length, typeof element.showSection, element.children.length];
    })).toEqual([null, 0, 'function', 0]);
  });

  test('messages to the frame wait for ready, then go exactly shaped, to Tahto\'s origin only; later changes go at once', async ({ page }) => {
    await standIn(page);
    await recordTahtoEvents(page);
    const warnings = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.goto(`${PARTNER_URL}/`);
    const frame = await tahtoFrame(page, 'organ-donation');
    await expect(frame.locator('p')).toHaveText('Stand-in for Tahto\'s frame');

    // Before the frame is ready: asked for, kept (the last of each kind).
    await call(page, DONATION, 'showSection', 'visits');
    await call(page, DONATION, 'showSection', 'lab-results');
    await page.evaluate(() => document.getElementById('embed-donation').setAttribute('lang', 'sv'));
    await call(page, DONATION, 'setTheme', { brand: '#6a1b4d', font: '"Open Sans", Arial, sans-serif' });
    await call(page, DONATION, 'showSection', 'no-such-section');
    await call(page, DONATION, 'setLanguage', 'de');
    await call(page, DONATION, 'setTheme', { brand: 'red' });
    await page.waitForTimeout(300);
    expect(await received(frame), 'nothing before ready').toEqual([]);
    expect(warnings.join('\n')).toMatch(/no-such-section/);
    expect(warnings.join('\n')).toMatch(/"de"/);
    expect(warnings.join('\n')).toMatch(/theme brand: "red"/);
    // The frame's title follows the language asked for.
    expect(await (await frame.frameElement()).evaluate((f) => [f.title, f.lang])).toEqual([TITLE.sv, 'sv']);

    await say(frame, 'ready', { section: 'organ-donation', lang: 'en', partitioned: true });
    await expect.poll(async () => (await received(frame)).length).toBe(3);
    const first = await received(frame);
    for (const m of first) {
      expect(m.origin).toBe(PARTNER_URL);
      expect(Object.keys(m.data).sort()).toEqual(['messageId', 'messageType', 'payload']);
      expect(m.data.messageId).toMatch(/^.{1,64}$/);
    }
    expect(first.map((m) => [m.data.messageType, m.data.payload])).toEqual([
      ['set-theme', { brand: '#6a1b4d', font: '"Open Sans", Arial, sans-serif' }],
      ['show-section', { section: 'lab-results' }],
      ['set-language', { lang: 'sv' }],
    ]);
    expect(new Set(first.map((m) => m.data.messageId)).size, 'each its own id').toBe(3);
    expect((await waitForTahtoEvent(page, 'ready', { source: DONATION })).detail).toEqual({ section: 'organ-donation', lang: 'en', partitioned: true });

    // After ready: attribute changes and methods go at once.
    await page.evaluate(() => {
      const element = document.getElementById('embed-donation');
      element.setAttribute('section', 'measurements');
      element.setAttribute('lang', 'fi');
      element.setAttribute('theme', '{"radius":"8px"}');
      element.setAttribute('theme', 'not json');
      element.setTheme({});
      element.setTheme({ radius: '25px' });
    });
    await expect.poll(async () => (await received(frame)).length).toBe(7);
    expect((await received(frame)).slice(3).map((m) => [m.data.messageType, m.data.payload])).toEqual([
      ['show-section', { section: 'measurements' }],
      ['set-language', { lang: 'fi' }],
      ['set-theme', { radius: '8px' }],
      ['set-theme', {}],
    ]);
    expect(await (await frame.frameElement()).evaluate((f) => f.title)).toBe(TITLE.fi);
    // The other element's frame heard none of it; its page's attribute theme goes on its ready.
    const other = await tahtoFrame(page, 'measurements');
    expect(await received(other)).toEqual([]);
  });

  test('what the frame says becomes tahto-* events; anything malformed, of another origin or window is dropped', async ({ page }) => {
    await standIn(page);
    await recordTahtoEvents(page);
    await page.goto(`${PARTNER_URL}/`);
    const frame = await tahtoFrame(page, 'organ-donation');
    await expect(frame.locator('p')).toHaveText('Stand-in for Tahto\'s frame');
    const height = async () => (await frame.frameElement()).evaluate((f) => f.getBoundingClientRect().height);

    // Each message type, exactly as the protocol has it (extra payload fields are not passed on).
    await say(frame, 'ready', { section: 'organ-donation', lang: 'sv', partitioned: false });
    await say(frame, 'navigate', { section: 'living-will' });
    await say(frame, 'saved', { kind: 'organ-donation', id: 'c-1.x', version: '3', note: 'not passed on' });
    await say(frame, 'save-failed', { kind: 'measurement', reason: 'not-sendable' });
    await say(frame, 'save-failed', { kind: 'advance-directive', reason: 'conflict' });
    await say(frame, 'unsent', { count: 2 });
    await say(frame, 'resize', { height: 812 });
    await expect.poll(height).toBe(812);
    await say(frame, 'resize', { height: 5 });
    await expect.poll(height, 'at least a usable frame').toBe(120);
    await say(frame, 'resize', { height: 10 ** 9 });
    await expect.poll(height, 'bounded').toBe(200000);
    await say(frame, 'resize', { height: 900 });
    await expect.poll(height).toBe(900);

    // Malformed: none of these is an event, none moves the frame.
    const malformed = [
      null, 'resize', 42, ['resize', { height: 300 }],
      { messageType: 'resize', payload: { height: 300 } },
      { messageId: '', messageType: 'resize', payload: { height: 300 } },
      { messageId: 'x'.repeat(65), messageType: 'resize', payload: { height: 300 } },
      { messageId: 7, messageType: 'resize', payload: { height: 300 } },
      { messageId: 'm', messageType: 'resize', payload: 300 },
      { messageId: 'm', messageType: 'resize', payload: { height: -1 } },
      { messageId: 'm', messageType: 'resize', payload: { height: 300.5 } },
      { messageId: 'm', messageType: 'resize', payload: { height: '300' } },
      { messageId: 'm', messageType: 'RESIZE', payload: { height: 300 } },
      { messageId: 'm', messageType: 'show-section', payload: { section: 'home' } },
      { messageId: 'm', messageType: 'navigate', payload: { section: '../admin' } },
      { messageId: 'm', messageType: 'ready', payload: { section: 'home', lang: 'de', partitioned: true } },
      { messageId: 'm', messageType: 'ready', payload: { section: 'home', lang: 'fi', partitioned: 'yes' } },
      { messageId: 'm', messageType: 'saved', payload: { kind: 'lab-result', id: '1', version: '1' } },
      { messageId: 'm', messageType: 'saved', payload: { kind: 'organ-donation', id: 'a b', version: '1' } },
      { messageId: 'm', messageType: 'saved', payload: { kind: 'organ-donation', id: '1' } },
      { messageId: 'm', messageType: 'save-failed', payload: { kind: 'organ-donation', reason: 'timeout' } },
      { messageId: 'm', messageType: 'unsent', payload: { count: -1 } },
      { messageId: 'm', messageType: '__proto__', payload: {} },
      { messageId: 'm', messageType: 'toString', payload: {} },
    ];
    await frame.evaluate((list) => list.forEach((m) => window.sayRaw(m)), malformed);

    // Right message, wrong sender: a popup on Tahto's origin (not this element's frame), and a
    // window of a third origin, each posting to the partner's page.
    const fake = { messageId: 'fake', messageType: 'saved', payload: { kind: 'organ-donation', id: 'fake', version: '99' } };
    const fakeResize = { messageId: 'fake', messageType: 'resize', payload: { height: 333 } };
    for (const url of [`${APP_EMBED_URL}/__stand-in-popup`, `${THIRD_URL}/__blank`]) {
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate((u) => window.open(u, '_blank'), url)]);
      await popup.waitForLoadState();
      await popup.evaluate((messages) => messages.forEach((m) => window.opener.postMessage(m, '*')), [fake, fakeResize]);
      await popup.close();
    }
    // A last valid one: everything before it has been handled.
    await say(frame, 'unsent', { count: 0 });
    await waitForTahtoEvent(page, 'unsent', { source: DONATION, where: (e) => e.detail.count === 0 });

    const events = (await tahtoEvents(page, { source: DONATION })).map(({ type, detail, bubbles, composed }) => ({ type, detail, bubbles, composed }));
    const ev = (type, detail) => ({ type, detail, bubbles: true, composed: true });
    expect(events).toEqual([
      ev('ready', { section: 'organ-donation', lang: 'sv', partitioned: false }),
      ev('navigate', { section: 'living-will' }),
      ev('saved', { kind: 'organ-donation', id: 'c-1.x', version: '3' }),
      ev('save-failed', { kind: 'measurement', reason: 'not-sendable' }),
      ev('save-failed', { kind: 'advance-directive', reason: 'conflict' }),
      ev('unsent', { count: 2 }),
      ev('resize', { height: 812 }),
      ev('resize', { height: 5 }),
      ev('resize', { height: 10 ** 9 }),
      ev('resize', { height: 900 }),
      ev('unsent', { count: 0 }),
    ]);
    expect(await height()).toBe(900);
    expect(await tahtoEvents(page, { source: MEASUREMENTS }), 'the other element heard nothing of it').toEqual([]);
    // The page's own log shows them (examples/partner/partner.js).
    await expect(page.locator('#events li[data-source="embed-donation"]')).toHaveCount(11);
    await expect(page.locator('#events li[data-type="saved"]')).toHaveText('embed-donation tahto-saved {"kind":"organ-donation","id":"c-1.x","version":"3"}');
    await expect(page.locator('#status-donation')).toHaveText('Tahto is ready: everything sent.');
  });

  test('keyboard: the frame is in the page\'s tab order, between the elements around it', async ({ page }) => {
    await standIn(page);
    await page.goto(`${PARTNER_URL}/`);
    const donation = await tahtoFrame(page, 'organ-donation');
    const measurements = await tahtoFrame(page, 'measurements');
    for (const f of [donation, measurements]) await expect(f.getByRole('button', { name: 'In the frame' })).toBeVisible();
    const where = async () => {
      const onHost = await page.evaluate(() => document.activeElement.id || document.activeElement.tagName);
      const inside = await Promise.all([donation, measurements].map((f) => f.evaluate(() => (document.hasFocus() ? document.activeElement.tagName : '-'))));
      return [onHost, ...inside].join(' ');
    };
    await page.locator('#before-donation').focus();
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const from = await where();
      await page.keyboard.press('Tab');
      await expect.poll(where).not.toBe(from);
      seen.push(await where());
    }
    expect(seen).toEqual([
      'embed-donation BUTTON -',
      'after-donation - -',
      'embed-measurements - BUTTON',
      'language - -',
    ]);
    await page.keyboard.press('Shift+Tab');
    await expect.poll(where).toBe('embed-measurements - BUTTON');
  });

  test('moved in the page: the frame loads again, says ready again and gets the theme again; one listener', async ({ page }) => {
    await standIn(page);
    await recordTahtoEvents(page);
    await page.goto(`${PARTNER_URL}/`);
    let frame = await tahtoFrame(page, 'organ-donation');
    await expect(frame.locator('p')).toHaveText('Stand-in for Tahto\'s frame');
    await say(frame, 'ready', { section: 'organ-donation', lang: 'en', partitioned: true });
    await expect.poll(async () => (await received(frame)).map((m) => m.data.messageType)).toEqual(['set-theme']);
    expect((await received(frame))[0].data.payload).toEqual({ brand: '#005a8c', radius: '6px' });

    const historyBefore = await page.evaluate(() => history.length);
    await page.evaluate(() => document.getElementById('measurements').append(document.getElementById('embed-donation')));
    await expect.poll(async () => {
      frame = await tahtoFrame(page, 'organ-donation');
      return frame.evaluate(() => window.received?.length).catch(() => -1);
    }, { message: 'a new document in the frame' }).toBe(0);
    await call(page, DONATION, 'showSection', 'visits');
    await page.waitForTimeout(200);
    expect(await received(frame), 'waits for the new document\'s ready').toEqual([]);
    await say(frame, 'ready', { section: 'organ-donation', lang: 'en', partitioned: true });
    await expect.poll(async () => (await received(frame)).map((m) => [m.data.messageType, m.data.payload])).toEqual([
      ['set-theme', { brand: '#005a8c', radius: '6px' }],
      ['show-section', { section: 'visits' }],
    ]);
    await say(frame, 'unsent', { count: 4 });
    await waitForTahtoEvent(page, 'unsent', { source: DONATION });
    await page.waitForTimeout(200);
    expect(await tahtoEvents(page, { type: 'unsent', source: DONATION }), 'heard once').toHaveLength(1);
    expect(await page.evaluate(() => history.length), 'the host\'s history').toBe(historyBefore);
  });
});

// ---------------------------------------------------------------------------------------------
// The element with Tahto in it.

/** The partner's page, Tahto's frame for `section` ready in it. */
async function openPartner(page, section = 'organ-donation', source = DONATION) {
  await recordTahtoEvents(page);
  await page.goto(`${PARTNER_URL}/`);
  const frame = await tahtoFrame(page, section);
  const ready = await waitForTahtoEvent(page, 'ready', { source });
  return { frame, ready };
}

/** The organ donation page inside the frame, its decision loaded. */
async function organDonationIn(frame) {
  const ui = organDonationPage(frame);
  await expect(heading(frame)).toHaveText(ORGAN_DONATION, { timeout: LOAD_TIMEOUT });
  await waitForDecisionLoaded(ui);
  return ui;
}

test('a save in the frame: confirmed inside, tahto-saved outside with the server\'s id and version; the frame follows its content', async ({ page }) => {
  await confirmNoticeOnServer();
  const { frame, ready } = await openPartner(page);
  expect(ready.detail).toEqual({ section: 'organ-donation', lang: 'en', partitioned: true });
  const ui = await organDonationIn(frame);
  // Opened below the fold of the phone: its height is right before the citizen scrolls to it.
  const below = await (await frame.frameElement()).evaluate((f) => f.getBoundingClientRect().top >= innerHeight);
  expect(below, 'the frame starts below the fold').toBe(true);
  const start = await expectFrameFitsContent(frame, 'opened', { offscreen: true });

  // Taller: "except" shows the organs. Shorter again: another choice hides them.
  await ui.radio('except').check();
  await expect(ui.notDonatedGroup).toBeVisible();
  const tall = await expectFrameFitsContent(frame, 'the organs shown');
  expect(tall.iframe).toBeGreaterThan(start.iframe);
  await ui.radio('consent').check();
  await expect(ui.notDonatedGroup).toBeHidden();
  const short = await expectFrameFitsContent(frame, 'the organs hidden');
  expect(short.iframe).toBeLessThan(tall.iframe);
  expect((await tahtoEvents(page, { type: 'resize', source: DONATION })).length).toBeGreaterThanOrEqual(3);

  await ui.saveButton.click();
  const receipt = await expectConfirmed(ui, 1);
  const [stored] = await organDonationConsents();
  expect(stored.id).toBe(receipt.id);
  const saved = await waitForTahtoEvent(page, 'saved', { source: DONATION });
  expect(saved.detail).toEqual({ kind: 'organ-donation', id: stored.id, version: stored.meta.versionId });
  expect(saved.detail.version).toBe('1');
  await expectFrameFitsContent(frame, 'the receipt shown');
  // The partner's own log shows it, and nothing of the decision.
  const logged = page.locator('#events li[data-type="saved"]');
  await expect(logged).toHaveText(`embed-donation tahto-saved ${JSON.stringify(saved.detail)}`);
  expect(JSON.stringify(await tahtoEvents(page))).not.toMatch(/permit|consent|donat(e|ion decision)/i);
});

test('a refused save: tahto-save-failed outside, the server\'s words stay inside', async ({ page }) => {
  await confirmNoticeOnServer();
  const { frame } = await openPartner(page);
  const ui = await organDonationIn(frame);
  await refuseNextConsentPost('Henkilötunnus puuttuu', 'required');
  await ui.radio('except').check();
  await ui.organ('Lungs').check();
  await ui.saveButton.click();
  await expectSaveState(ui, 'rejected');
  await expect(ui.saveStatus).toContainText('Henkilötunnus puuttuu');
  const failed = await waitForTahtoEvent(page, 'save-failed', { source: DONATION });
  expect(failed.detail).toEqual({ kind: 'organ-donation', reason: 'rejected' });
  await page.waitForTimeout(1000);
  await expect(ui.saveStatus).toContainText('Henkilötunnus puuttuu');
  await expect(ui.organ('Lungs')).toBeChecked();
  expect(await tahtoEvents(page, { type: 'saved' })).toEqual([]);
  await expect(page.locator('#events li[data-type="save-failed"]')).toHaveCount(1);
  expect(await organDonationConsents()).toHaveLength(0);
});

/** What the citizen sees and how it looks, inside a frame of Tahto. */
function appState(frame) {
  return frame.evaluate(() => {
    const style = (el) => {
      if (!el) return null;
      const cs = getComputedStyle(el);
      return [cs.color, cs.backgroundColor, cs.fontFamily, cs.borderRadius].join(' | ');
    };
    const host = document.getElementById('tahto');
    return {
      headings: [...document.querySelectorAll('main h1')].filter((h) => h.checkVisibility()).map((h) => h.textContent.trim()),
      lang: document.querySelector('.tahto-app')?.getAttribute('lang'),
      hostStyle: host?.getAttribute('style') ?? '',
      tahto: style(host),
      header: style(document.querySelector('.tahto-header')),
      button: style(document.querySelector('main .tahto-button')),
    };
  });
}

/**
 * A partner's page of this test's own, holding Tahto's frame as a plain iframe beside a frame of
 * the third origin: a server on `localhost` (another site than Tahto's, as the partner's is) and a
 * Tahto of its own whose frame-ancestors name it. (A page fulfilled by Playwright's routing has
 * no address, so Chromium's local network checks would refuse its local frames.) `/blank` is an
 * empty page of the same origin.
 */
async function partnerByHand() {
  let tahto = '';
  const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pages = http.createServer((req, res) => {
    const blank = new URL(req.url, 'http://x').pathname === '/blank';
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'self'; frame-src ${tahto} ${THIRD_URL}; script-src 'none'`,
    });
    res.end(blank
      ? '<!doctype html><html lang="en"><meta charset="utf-8"><title>Blank</title><p>Blank</p></html>'
      : `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tahto by hand</title></head><body>
        <iframe title="${TITLE.en}" src="${embedUrl('organ-donation', { host, origin: tahto })}" sandbox="${SANDBOX.join(' ')}"
          allow="storage-access" referrerpolicy="no-referrer" width="360" height="900"></iframe>
        <iframe title="Another site" src="${THIRD_URL}/__blank" width="300" height="100"></iframe></body></html>`);
  });
  await listen(pages);
  const host = `http://localhost:${pages.address().port}`;
  const app = createStaticServer({ dir: DIST, fhirBase: FHIR_BASE_VIA_PROXY, patient: PATIENT_ID, lang: 'en', frameAncestors: `'self' ${host}` });
  await listen(app);
  tahto = `http://127.0.0.1:${app.address().port}`;
  const close = (server) => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  return { host, tahto, stop: () => Promise.all([close(pages), close(app)]) };
}

test('messages from a third origin, from another window of the partner\'s origin, and malformed ones reach the frame and change nothing', async ({ page }) => {
  // embed.js's frame is in a closed shadow root, which window.frames does not list: nothing else
  // in the partner's page can even address it (the stand-in tests check that). To prove that the
  // frame itself refuses such messages, this partner page holds Tahto's frame as a plain iframe,
  // beside a frame of a third origin.
  await confirmNoticeOnServer();
  const site = await partnerByHand();
  try {
    await messagesChangeNothing(page, site);
  } finally {
    await site.stop();
  }
});

async function messagesChangeNothing(page, { host, tahto }) {
  // What Tahto tells this page (the init script runs whatever the page's CSP).
  await page.addInitScript((tahto) => {
    if (window.top !== window) return;
    window.__fromTahto = [];
    addEventListener('message', (e) => {
      if (e.origin === tahto) window.__fromTahto.push(e.data);
    });
  }, tahto);
  await page.goto(`${host}/`);
  const frame = await tahtoFrame(page, 'organ-donation', { origin: tahto });
  await expect.poll(() => page.frames().some((f) => f.url().startsWith(`${THIRD_URL}/`))).toBe(true);
  const third = page.frames().find((f) => f.url().startsWith(`${THIRD_URL}/`));
  const fromTahto = () => page.evaluate(() => window.__fromTahto);
  await expect.poll(async () => (await fromTahto()).some((m) => m.messageType === 'ready'), { timeout: LOAD_TIMEOUT, message: 'ready' }).toBe(true);
  await organDonationIn(frame);
  const seen = await watchFrameMessages(frame);
  const before = await appState(frame);
  const told = (await fromTahto()).length;

  // Each would change the section, the language and the look if it were taken.
  const wouldChange = (tag) => [
    { messageId: `${tag}-1`, messageType: 'show-section', payload: { section: 'lab-results' } },
    { messageId: `${tag}-2`, messageType: 'set-language', payload: { lang: 'sv' } },
    { messageId: `${tag}-3`, messageType: 'set-theme', payload: { brand: '#6a1b4d', radius: '20px' } },
  ];
  // 1. A frame of a third origin in the partner's page.
  await third.evaluate((messages) => {
    const others = Array.from({ length: parent.frames.length }, (_, i) => parent.frames[i]).filter((w) => w !== window);
    for (const w of others) for (const m of messages) w.postMessage(m, '*');
  }, wouldChange('third'));
  // 2. A popup on the partner's own origin, through its opener.
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate(() => window.open('/blank', '_blank'))]);
  await popup.waitForLoadState();
  expect(new URL(popup.url()).origin).toBe(host);
  await popup.evaluate(({ messages, tahto }) => {
    for (const m of messages) window.opener.frames[0].postMessage(m, tahto);
  }, { messages: wouldChange('popup'), tahto });
  // 3. The partner's page itself, with messages that are not the protocol's.
  const malformed = [
    { messageType: 'show-section', payload: { section: 'lab-results' } },
    { messageId: '', messageType: 'show-section', payload: { section: 'lab-results' } },
    { messageId: 'x'.repeat(65), messageType: 'show-section', payload: { section: 'lab-results' } },
    { messageId: 'm4', messageType: 'show-section', payload: { section: 'lab-results' }, extra: 1 },
    { messageId: 'm5', messageType: 'show-section', payload: { section: '../admin' } },
    { messageId: 'm6', messageType: 'show-section', payload: { section: 'lab-results', also: 'visits' } },
    { messageId: 'm7', messageType: 'show-section', payload: 'lab-results' },
    { messageId: 'm8', messageType: 'SHOW-SECTION', payload: { section: 'lab-results' } },
    { messageId: 'm9', messageType: 'navigate', payload: { section: 'lab-results' } },
    { messageId: 'm10', messageType: 'set-language', payload: { lang: 'de' } },
    { messageId: 'm11', messageType: 'set-language', payload: { lang: 'sv-FI' } },
    { messageId: 'm12', messageType: 'set-theme', payload: { brand: 'red; background:url(https://evil.example/x)' } },
    { messageId: 'm13', messageType: 'set-theme', payload: { brand: '#6a1b4d', shadow: '1px' } },
    { messageId: 'm14', messageType: 'set-theme', payload: { font: 'x} body{display:none' } },
    { messageId: 'm15', messageType: 'set-theme', payload: { radius: '40px' } },
    'show-section lab-results',
    ['show-section', { section: 'lab-results' }],
    null,
    42,
  ];
  await page.evaluate(({ messages, tahto }) => {
    for (const m of messages) window.frames[0].postMessage(m, tahto);
  }, { messages: malformed, tahto });

  // They all reached the frame…
  await expect.poll(async () => (await seen()).length, { message: 'every message reached the frame' }).toBe(3 + 3 + malformed.length);
  const got = await seen();
  expect(got.filter((m) => m.origin === THIRD_URL && !m.fromParent).map((m) => m.data.messageId)).toEqual(['third-1', 'third-2', 'third-3']);
  expect(got.filter((m) => m.origin === host && !m.fromParent).map((m) => m.data.messageId)).toEqual(['popup-1', 'popup-2', 'popup-3']);
  expect(got.filter((m) => m.origin === host && m.fromParent)).toHaveLength(malformed.length);
  // …and changed nothing: the section, the language, the look; nothing told to the partner.
  await page.waitForTimeout(1000);
  expect(await appState(frame)).toEqual(before);
  expect((await fromTahto()).slice(told).filter((m) => m.messageType === 'navigate')).toEqual([]);

  // The same request from the partner's page, well-formed: taken (so the others were refused).
  await page.evaluate((tahto) => window.frames[0].postMessage({ messageId: 'ok-1', messageType: 'show-section', payload: { section: 'lab-results' } }, tahto), tahto);
  await expect(heading(frame)).toHaveText('Lab results', { timeout: LOAD_TIMEOUT });
  await expect.poll(async () => (await fromTahto()).filter((m) => m.messageType === 'navigate').map((m) => m.payload)).toEqual([{ section: 'lab-results' }]);
}

/** Computed styles of the partner page's own elements, its style sheets and its global names. */
function hostSnapshot(page) {
  return page.evaluate(() => {
    const properties = ['display', 'position', 'color', 'background-color', 'font-family', 'font-size', 'font-weight', 'line-height',
      'margin-top', 'margin-right', 'margin-bottom', 'margin-left', 'padding-top', 'padding-left', 'border-top-width', 'text-align', 'visibility'];
    const selectors = ['html', 'body', '.site-header', '.site-name', '.site-header a', 'main', 'h1', '.lead', '#donation h2', '#before-donation',
      '#after-donation', '.status', 'select', 'fieldset', 'label', '#events', '.site-footer'];
    const styles = {};
    for (const selector of selectors) {
      const cs = getComputedStyle(document.querySelector(selector));
      styles[selector] = Object.fromEntries(properties.map((p) => [p, cs.getPropertyValue(p)]));
    }
    return {
      styles,
      styleSheets: document.styleSheets.length,
      adopted: document.adoptedStyleSheets.length,
      // The page's own log fills with Tahto's events; everything else counts.
      elements: [...document.querySelectorAll('*')].filter((e) => !e.closest('#events, .status')).length,
      head: document.head.innerHTML,
      globals: Object.getOwnPropertyNames(window).filter((n) => !/^\d+$|^__playwright/.test(n)).sort(),
    };
  });
}

test('Tahto leaves the partner\'s page as it was: its styles, style sheets, elements and globals', async ({ browser }) => {
  const snapshot = async (blockEmbed) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    if (blockEmbed) await page.route(`${APP_EMBED_URL}/embed.js`, (route) => route.abort());
    await recordTahtoEvents(page);
    await page.goto(`${PARTNER_URL}/`);
    if (!blockEmbed) {
      await tahtoFrame(page, 'organ-donation');
      await expect.poll(() => page.evaluate(() => customElements.get('tahto-embed') !== undefined)).toBe(true);
    }
    const shot = await hostSnapshot(page);
    await context.close();
    return shot;
  };
  const without = await snapshot(true);
  const withTahto = await snapshot(false);
  expect(withTahto.styles).toEqual(without.styles);
  expect(withTahto.styleSheets).toBe(without.styleSheets);
  expect(withTahto.adopted).toBe(0);
  expect(withTahto.elements, 'no element added to the page (the frame is in the shadow root)').toBe(without.elements);
  expect(withTahto.head).toBe(without.head);
  expect(withTahto.globals, 'no global name').toEqual(without.globals);
});

test.describe('a partner page with hostile CSS', () => {
  // The partner's CSP allows no inline style; this page's own author does as they please.
  test.use({ bypassCSP: true });

  test('cannot hide, shrink or restyle Tahto: its layout inside the frame is intact and it still works', async ({ page }, testInfo) => {
    await confirmNoticeOnServer();
    await page.goto(`${PARTNER_URL}/`);
    const frame = await tahtoFrame(page, 'organ-donation');
    const ui = await organDonationIn(frame);
    // The frame as wide as the page (as the reset below makes it), so the two layouts compare.
    await page.addStyleTag({ content: 'main { padding-left: 0 !important; padding-right: 0 !important; }' });
    // Settled: the frame as tall as its content (not the network: the other view may still read).
    await expectFrameFitsContent(frame, 'the page reset');
    const measure = async () => {
      const element = await frame.frameElement();
      const box = await element.evaluate((f) => {
        const r = f.getBoundingClientRect();
        const cs = getComputedStyle(f.getRootNode().host);
        return { width: r.width, height: r.height, display: cs.display, visibility: cs.visibility, opacity: cs.opacity };
      });
      // Every visible element of Tahto's document, where it is and how it looks.
      const inside = await frame.evaluate(() => {
        const elements = [...document.body.querySelectorAll('*')].filter((e) => e.checkVisibility({ visibilityProperty: true, opacityProperty: true }));
        return {
          width: innerWidth,
          height: innerHeight,
          count: elements.length,
          layout: elements.map((e) => {
            const r = e.getBoundingClientRect();
            const cs = getComputedStyle(e);
            return `${e.tagName} ${[r.x, r.y + scrollY, r.width, r.height].map(Math.round).join(',')} ${cs.color} ${cs.backgroundColor} ${cs.fontSize}`;
          }),
        };
      });
      // For the eye (a frame's content is painted where it is on screen): its first screenful.
      await element.evaluate((f) => f.getRootNode().host.scrollIntoView({ block: 'start' }));
      const image = await page.screenshot();
      return { box, inside, image };
    };
    await expect.poll(async () => (await frameHeights(frame)).iframe).toBeGreaterThan(300);
    // Settled: the same twice in a row (the rest of the app arrives after the first paint).
    let before = await measure();
    await expect.poll(async () => {
      const again = await measure();
      const same = JSON.stringify(again.inside) === JSON.stringify(before.inside) && JSON.stringify(again.box) === JSON.stringify(before.box);
      before = again;
      return same;
    }, { timeout: LOAD_TIMEOUT, intervals: [500] }).toBe(true);

    const h1Before = await page.evaluate(() => getComputedStyle(document.querySelector('h1')).fontSize);
    await page.addStyleTag({
      content: `
        * { all: unset !important; }
        iframe { display: none !important; }
        tahto-embed, tahto-embed * { display: none !important; visibility: hidden !important; opacity: 0 !important;
          height: 0 !important; max-height: 0 !important; overflow: hidden !important; transform: scale(0.1) !important;
          filter: blur(8px) !important; clip-path: inset(50%) !important; pointer-events: none !important; }
        :host, ::slotted(*) { display: none !important; }
      `,
    });
    // It took effect on the partner's own page.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('h1')).fontSize)).not.toBe(h1Before);
    let after;
    await expect.poll(async () => {
      after = await measure();
      return JSON.stringify(after.inside) === JSON.stringify(before.inside);
    }, { timeout: 5_000 }).toBe(true);
    await testInfo.attach('before-hostile-css', { body: before.image, contentType: 'image/png' });
    await testInfo.attach('after-hostile-css', { body: after.image, contentType: 'image/png' });
    expect(after.box).toEqual(before.box);
    expect(after.box.display).toBe('block');
    expect(after.inside.count).toBeGreaterThan(20);
    expect(after.inside).toEqual(before.inside);

    // And it still takes the citizen's input.
    await ui.radio('refuse').check();
    await expect(ui.radio('refuse')).toBeChecked();
  });
});

test('the host\'s history never changes: sections change inside, by the citizen and by the partner; the partner\'s change takes the focus only from inside', async ({ page }) => {
  await confirmNoticeOnServer();
  const { frame } = await openPartner(page);
  await organDonationIn(frame);
  const before = await page.evaluate(() => history.length);
  const address = page.url();
  for (const [name, section] of [['Lab results', 'lab-results'], ['Visits', 'visits'], [ORGAN_DONATION, 'organ-donation']]) {
    await navInFrame(frame, name);
    await expect(heading(frame)).toHaveText(name, { timeout: LOAD_TIMEOUT });
    await waitForTahtoEvent(page, 'navigate', { source: DONATION, where: (e) => e.detail.section === section });
  }
  // The partner changes the section while the citizen is in the frame: the focus goes to the
  // new section's heading (the one it was in is gone).
  await call(page, DONATION, 'showSection', 'visits');
  await expect(heading(frame)).toHaveText('Visits', { timeout: LOAD_TIMEOUT });
  await expect.poll(() => frame.evaluate(() => document.activeElement?.textContent)).toBe('Visits');
  // ... and while the citizen is in the partner's page: the focus stays there.
  await page.evaluate(() => {
    const button = Object.assign(document.createElement('button'), { id: 'e2e-partner-focus', textContent: 'Partner' });
    document.body.prepend(button);
    button.focus();
  });
  // The frame in view (scrolling moves no focus): Chromium runs no animation frames in a
  // cross-origin frame outside the viewport, and Tahto moves focus in one.
  await (await frame.frameElement()).scrollIntoViewIfNeeded();
  await call(page, DONATION, 'showSection', 'measurements');
  await expect(heading(frame)).toHaveText('My measurements', { timeout: LOAD_TIMEOUT });
  await frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  expect(await page.evaluate(() => document.activeElement?.id), 'the partner\'s page keeps the focus').toBe('e2e-partner-focus');
  expect(await frame.evaluate(() => document.hasFocus())).toBe(false);
  expect(await page.evaluate(() => history.length)).toBe(before);
  expect(page.url()).toBe(address);
  expect(frame.url(), 'the frame\'s own address stays the entry').toBe(embedUrl('organ-donation'));
  expect((await tahtoEvents(page, { type: 'navigate', source: DONATION })).map((e) => e.detail.section)).toEqual(['lab-results', 'visits', 'organ-donation', 'visits', 'measurements']);
});

test('partitioned storage: an unsent save is kept for this site, said so inside and outside, and sent once the service is back', async ({ page, context }) => {
  await confirmNoticeOnServer();
  await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, times: null });
  const { frame, ready } = await openPartner(page);
  expect(ready.detail.partitioned, 'Tahto on 127.0.0.1 in a page of localhost: another site').toBe(true);
  const ui = await organDonationIn(frame);
  await expect(frame.getByTestId('frame-storage-notice')).toBeVisible();
  await expect(page.locator('#status-donation')).toContainText('kept in this browser for this site');

  await ui.radio('consent').check();
  await ui.saveButton.click();
  await expectSaveState(ui, 'queued');
  const unsent = await waitForTahtoEvent(page, 'unsent', { source: DONATION, where: (e) => e.detail.count >= 1 });
  expect(unsent.detail.count).toBeGreaterThanOrEqual(1);
  // The partner's other view of Tahto shares this site's storage, and hears of it too.
  await waitForTahtoEvent(page, 'unsent', { source: MEASUREMENTS, where: (e) => e.detail.count >= 1 });
  await expect(page.locator('#status-donation')).toContainText('not yet sent');
  expect(await outboxEntries(frame), 'kept in the frame\'s storage').toHaveLength(1);
  // Tahto on its own (first-party) sees none of it: the browser keeps the frame's storage apart.
  const own = await context.newPage();
  await own.goto(`${APP_EMBED_URL}/`);
  await expect(own.locator('main h1:visible')).toHaveText('Home', { timeout: LOAD_TIMEOUT });
  expect(await outboxEntries(own)).toEqual([]);
  await own.close();

  await clearFaults();
  await ui.retryNow.click({ timeout: 2_000 }).catch(() => {});
  await expectConfirmed(ui, 1);
  await waitForTahtoEvent(page, 'unsent', { source: DONATION, where: (e) => e.detail.count === 0, timeout: SAVE_TIMEOUT });
  const saved = await waitForTahtoEvent(page, 'saved', { source: DONATION });
  const [stored] = await organDonationConsents();
  expect(saved.detail).toEqual({ kind: 'organ-donation', id: stored.id, version: '1' });
  expect(await organDonationConsents(), 'stored once').toHaveLength(1);
  await expect(page.locator('#status-donation')).toContainText('everything sent');
});

test('Tahto\'s own storage refused: the citizen asks, the browser says no, the frame says so and the unsent save stays for this site', async ({ page }) => {
  await confirmNoticeOnServer();
  await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, times: null });
  const { frame } = await openPartner(page);
  const ui = await organDonationIn(frame);
  await ui.radio('consent').check();
  await ui.saveButton.click();
  await expectSaveState(ui, 'queued');
  const notice = frame.getByTestId('frame-storage-notice');
  await expect(notice).toContainText('Your browser can let Tahto keep them in its own storage');
  // Playwright's contexts block third-party cookies and Tahto was never visited on its own here:
  // Chromium refuses without asking (NotAllowedError).
  expect(await frame.evaluate(() => document.hasStorageAccess()), 'the premise: no storage access yet').toBe(false);
  const ask = frame.getByTestId('frame-ask-storage');
  await expect(ask).toHaveAccessibleName('Allow Tahto\'s own storage');
  await ask.click();
  await expect(frame.getByTestId('frame-ask-answer')).toHaveText('Your browser did not allow it. Saves not yet sent are still kept for this site.');
  await expect(frame.getByTestId('frame-ask-answer')).toHaveAttribute('role', 'status');
  await expect(ask, 'the citizen may ask again').toBeEnabled();
  expect(await outboxEntries(frame), 'still kept in the frame\'s storage').toHaveLength(1);
  await expectSaveState(ui, 'queued');
});

test('third-party cookies allowed (Chrome\'s default): the frame gets Tahto\'s own storage; a save left unsent for the site moves there and is sent once', async ({ playwright }, testInfo) => {
  // A profile of its own, so the browser's cookie setting can change between two visits:
  // Playwright's contexts block third-party cookies (as incognito windows do), a citizen's
  // everyday Chrome does not, and then the Storage Access API hands the frame Tahto's own
  // IndexedDB, localStorage, locks and channel without asking.
  await confirmNoticeOnServer();
  // Retry-After keeps the app from trying again while the browser is closed under it: a send cut
  // off that way is rightly shown as on its way until its mark expires, longer than this test waits.
  await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, times: null, retryAfter: 120 });
  const dir = mkdtempSync(join(tmpdir(), 'tahto-profile-'));
  mkdirSync(join(dir, 'Default'));
  const preferences = join(dir, 'Default', 'Preferences');
  const cookies = (mode) => {
    let prefs = {};
    try {
      prefs = JSON.parse(readFileSync(preferences, 'utf8'));
    } catch {
      // a new profile
    }
    prefs.profile = { ...(prefs.profile ?? {}), cookie_controls_mode: mode };
    writeFileSync(preferences, JSON.stringify(prefs));
  };
  const launch = () => playwright.chromium.launchPersistentContext(dir, { ...testInfo.project.use.launchOptions, viewport: { width: 360, height: 740 } });
  let context;
  try {
    // First visit, third-party cookies blocked: the save waits in the partner site's storage.
    cookies(1);
    context = await launch();
    let page = await context.newPage();
    let { frame, ready } = await openPartner(page);
    expect(ready.detail.partitioned).toBe(true);
    const first = await organDonationIn(frame);
    await first.radio('consent').check();
    await first.saveButton.click();
    await expectSaveState(first, 'queued');
    expect(await outboxEntries(frame), 'kept for the partner\'s site').toHaveLength(1);
    await context.close();

    // Second visit, cookies allowed: Tahto's own storage, and the save moved into it.
    cookies(0);
    context = await launch();
    page = await context.newPage();
    ({ frame, ready } = await openPartner(page));
    expect(ready.detail.partitioned, 'the partner is told storage is not kept per site').toBe(false);
    // The save moved, the frame opens again on it (and says ready again).
    await expect
      .poll(async () => (await tahtoEvents(page, { type: 'ready', source: DONATION })).length, { timeout: LOAD_TIMEOUT })
      .toBe(2);
    expect(await frame.evaluate(() => document.hasStorageAccess()), 'the premise: cookie access granted').toBe(true);
    await expect.poll(() => outboxEntries(frame), { message: 'moved out of the partner site\'s storage' }).toEqual([]);
    await expect(frame.getByTestId('frame-storage-notice')).toBeHidden();
    const ui = await organDonationIn(frame);
    await expectSaveState(ui, 'queued');
    // Tahto on its own origin holds it now: the same save, in Tahto's own storage.
    const own = await context.newPage();
    await own.goto(`${APP_EMBED_URL}/`);
    await expect(own.locator('main h1:visible')).toHaveText('Home', { timeout: LOAD_TIMEOUT });
    const [moved] = await outboxEntries(own);
    expect(moved?.record).toBe('organ-donation');
    await own.close();

    await clearFaults();
    await ui.retryNow.click({ timeout: 2_000 }).catch(() => {});
    await expectConfirmed(ui, 1);
    await waitForTahtoEvent(page, 'unsent', { source: DONATION, where: (e) => e.detail.count === 0, timeout: SAVE_TIMEOUT });
    expect(await organDonationConsents(), 'stored once').toHaveLength(1);
  } finally {
    await context?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
});

test('a site not on the list cannot frame Tahto: the browser refuses it (frame-ancestors), the element never hears ready', async ({ page }) => {
  const refused = [];
  page.on('console', (m) => {
    if (/frame-ancestors/.test(m.text())) refused.push(m.text());
  });
  await recordTahtoEvents(page);
  await page.goto(`${THIRD_URL}/`);
  await expect.poll(() => refused.length, { message: 'the browser reports both frames refused' }).toBeGreaterThanOrEqual(2);
  for (const text of refused) expect(text).toContain(`frame-ancestors 'self' ${PARTNER_URL}`);
  // What Tahto answers for that entry: the list names the partner, not this site.
  const answer = await fetch(embedUrl('organ-donation', { host: THIRD_URL }));
  expect(answer.headers.get('content-security-policy')).toMatch(new RegExp(`frame-ancestors 'self' ${PARTNER_URL.replace(/[.]/g, '\\.')}$`));
  // Nothing of Tahto runs in the page's frames.
  await page.waitForTimeout(1500);
  for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
    expect(await frame.evaluate(() => Boolean(document.getElementById('tahto'))).catch(() => false), frame.url()).toBe(false);
    expect(frame.url()).not.toMatch(new RegExp(`^${APP_EMBED_URL}/`));
  }
  expect(await tahtoEvents(page)).toEqual([]);
});

test('the partner\'s settings drive both views: language, section and look; the log shows what came back', async ({ page }) => {
  await confirmNoticeOnServer();
  const { frame } = await openPartner(page);
  const measurements = await tahtoFrame(page, 'measurements');
  await waitForTahtoEvent(page, 'ready', { source: MEASUREMENTS });
  await expect(heading(measurements)).toHaveText('My measurements', { timeout: LOAD_TIMEOUT });
  // The attribute theme, sent on ready.
  await expect.poll(() => frame.evaluate(() => document.getElementById('tahto').style.getPropertyValue('--tahto-brand'))).toBe('#005a8c');

  await page.getByLabel('Language').selectOption('sv');
  for (const f of [frame, measurements]) {
    await expect(f.locator('.tahto-app')).toHaveAttribute('lang', 'sv');
    expect(await (await f.frameElement()).evaluate((e) => e.title)).toBe(TITLE.sv);
  }
  await page.getByLabel('First view shows').selectOption('lab-results');
  await expect(heading(frame)).toHaveText('Laboratorieresultat', { timeout: LOAD_TIMEOUT });
  await waitForTahtoEvent(page, 'navigate', { source: DONATION, where: (e) => e.detail.section === 'lab-results' });

  // By keyboard: the views still grow as their sections fill, moving the controls under a click.
  await page.getByLabel('Plum and serif').focus();
  await page.keyboard.press('Space');
  for (const f of [frame, measurements]) {
    await expect.poll(() => f.evaluate(() => document.getElementById('tahto').style.getPropertyValue('--tahto-brand'))).toBe('#6a1b4d');
  }
  await page.getByLabel('Tahto\'s own').focus();
  await page.keyboard.press('Space');
  await expect.poll(() => frame.evaluate(() => document.getElementById('tahto').style.getPropertyValue('--tahto-brand'))).toBe('');
  await expect(page.locator('#events li[data-type="ready"]')).toHaveCount(2);
  await expect(page.locator('#events li[data-type="navigate"][data-source="embed-donation"]')).toHaveText(/"section":"lab-results"/);
});

for (const lang of ['fi', 'sv', 'en']) {
  test(`accessibility (axe) inside both frames in ${lang}, and of the partner's page`, async ({ page }, testInfo) => {
    await confirmNoticeOnServer();
    const { frame } = await openPartner(page);
    const measurements = await tahtoFrame(page, 'measurements');
    await waitForTahtoEvent(page, 'ready', { source: MEASUREMENTS });
    if (lang !== 'en') await page.getByLabel('Language').selectOption(lang);
    const report = [];
    for (const [name, f, title] of [['organ-donation', frame, { fi: 'Elinluovutustahto', sv: 'Donationsvilja', en: ORGAN_DONATION }[lang]], ['measurements', measurements, null]]) {
      await expect(f.locator('.tahto-app')).toHaveAttribute('lang', lang, { timeout: LOAD_TIMEOUT });
      if (title) await expect(heading(f)).toHaveText(title, { timeout: LOAD_TIMEOUT });
      else await expect(heading(f)).toBeVisible({ timeout: LOAD_TIMEOUT });
      if (name === 'organ-donation') await waitForDecisionLoaded(organDonationPage(f));
      expect(await (await f.frameElement()).evaluate((e) => [e.title, e.lang])).toEqual([TITLE[lang], lang]);
      const results = await axeInFrame(page, f).analyze();
      await testInfo.attach(`axe-${lang}-${name}`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
      expect(results.passes.length, 'axe ran inside the frame').toBeGreaterThan(10);
      if (results.violations.length > 0) report.push(`axe (${lang}, ${name} frame):\n${formatAxeViolations(results.violations)}`);
    }
    const host = await new AxeBuilder({ page }).analyze();
    if (host.violations.length > 0) report.push(`axe (${lang}, the partner's page):\n${formatAxeViolations(host.violations)}`);
    expect(report.join('\n\n')).toBe('');
  });
}

test('keyboard: Tab from the partner\'s button goes to the frame\'s first focusable element, and on through Tahto to the button after it', async ({ page }) => {
  await confirmNoticeOnServer();
  await page.goto(`${PARTNER_URL}/`);
  const frame = await tahtoFrame(page, 'organ-donation');
  await organDonationIn(frame);
  await expect(heading(await tahtoFrame(page, 'measurements'))).toHaveText('My measurements', { timeout: LOAD_TIMEOUT });
  // Tahto takes no focus on its own: the partner's page keeps it where the citizen is (here: nowhere).
  expect(await page.evaluate(() => document.activeElement?.tagName), 'Tahto did not take the focus on load').toBe('BODY');
  /** The element focused inside the frame (and whether the frame has focus), described. */
  const focusedInside = () => frame.evaluate(() => {
    const el = document.activeElement;
    return document.hasFocus() && el && el !== document.body ? `${el.tagName.toLowerCase()} ${el.textContent.trim().slice(0, 40) || el.getAttribute('aria-label') || ''}` : null;
  });
  const firstTabbable = await frame.evaluate(() => {
    const candidates = document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]');
    const el = [...candidates].find((e) => e.tabIndex >= 0 && !e.disabled && !e.closest('[inert]') && e.checkVisibility({ visibilityProperty: true })
      && !(e.type === 'radio' && !e.checked && document.querySelector(`input[type=radio][name="${e.name}"]:checked`)));
    return `${el.tagName.toLowerCase()} ${el.textContent.trim().slice(0, 40) || el.getAttribute('aria-label') || ''}`;
  });

  await page.locator('#before-donation').focus();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement.id)).toBe('embed-donation');
  expect(await focusedInside()).toBe(firstTabbable);

  // Focus crosses processes (the frame is another site's): wait for each move before the next.
  const where = async () => {
    const onHost = await page.evaluate(() => document.activeElement.id);
    const inside = await frame.evaluate(() => (document.hasFocus() ? [...document.querySelectorAll('*')].indexOf(document.activeElement) : -1));
    return `${onHost} ${inside}`;
  };
  let steps = 0;
  let at = await where();
  for (; steps < 400; steps++) {
    await page.keyboard.press('Tab');
    const from = at;
    await expect.poll(async () => (at = await where()), { message: `step ${steps}: focus moves` }).not.toBe(from);
    const onHost = at.split(' ')[0];
    if (onHost === 'after-donation') break;
    expect(onHost, `step ${steps}: focus stays in Tahto until it leaves it`).toBe('embed-donation');
  }
  expect(steps, 'reached the button after the element').toBeLessThan(400);
  expect(steps, 'through Tahto\'s own controls').toBeGreaterThan(3);
  // And back: Shift+Tab returns into the frame.
  await page.keyboard.press('Shift+Tab');
  expect(await page.evaluate(() => document.activeElement.id)).toBe('embed-donation');
  expect(await focusedInside()).not.toBeNull();
});
