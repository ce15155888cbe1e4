// The partner's page and its server (tests/fhir-server/partner.mjs, examples/partner/), and
// public/embed.js against what the frame side knows: node:test, real HTTP on free ports.
// Run: node --test tests/fhir-server/
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { PLACEHOLDER_ORIGIN, checkOrigin, createPartnerServer, partnerPolicy, withLaunch } from './partner.mjs';
import { DEMO_CITIZENS } from './auth.mjs';
import { PATIENT_ID } from './seed.mjs';
import { CLIENT_ID, CookieJar, authorize, pkcePair, signIn } from './smart-client.mjs';
import { freePort, spawnReady } from './spawn-ready.mjs';
import { externalizeInline } from '../../scripts/externalize-inline.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');
const DEMO = join(ROOT, 'examples/partner');
const TAHTO = 'http://127.0.0.1:18082';

function get(url, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.end();
  });
}

/** The directives of a Content-Security-Policy, by name. */
const directives = (csp) => Object.fromEntries(csp.split(/;\s*/).map((d) => d.trim().split(/\s+/)).map(([name, ...v]) => [name, v.join(' ')]));

describe('partner server (scripts/run, Playwright)', () => {
  let server;
  let origin;
  before(async () => {
    server = createPartnerServer({ dir: DEMO, tahtoOrigin: TAHTO });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  }));

  test('the page: Tahto\'s script from the Tahto it is given, two elements, an event log', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await get(`${origin}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.ok(res.body.includes(`<script src="${TAHTO}/embed.js" defer></script>`), 'the embed script, from Tahto');
      assert.ok(!res.body.includes(PLACEHOLDER_ORIGIN), 'no placeholder left');
      assert.match(res.body, /<tahto-embed id="embed-donation" section="organ-donation" lang="en" theme='\{[^']*\}'><\/tahto-embed>/);
      assert.match(res.body, /<tahto-embed id="embed-measurements" section="measurements" lang="en"><\/tahto-embed>/);
      assert.match(res.body, /<ol id="events"><\/ol>/);
    }
  });

  test('its own strict policy lets in exactly Tahto\'s script and frame', async () => {
    const res = await get(`${origin}/`);
    const csp = directives(res.headers['content-security-policy']);
    assert.equal(csp['script-src'], `'self' ${TAHTO}`);
    assert.equal(csp['frame-src'], TAHTO);
    assert.equal(csp['style-src'], "'self'");
    assert.equal(csp['default-src'], "'self'");
    assert.doesNotMatch(res.headers['content-security-policy'], /unsafe|\*/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(partnerPolicy(TAHTO), res.headers['content-security-policy']);
  });

  test('the page has nothing inline that a CSP without \'unsafe-inline\' would block', () => {
    const html = readFileSync(join(DEMO, 'index.html'), 'utf8');
    assert.deepEqual(externalizeInline(html).problems, [], 'no inline handlers or style attributes');
    assert.doesNotMatch(html, /<style|<script(?![^>]*\ssrc=)[^>]*>/i, 'no inline script or style');
    // The theme attribute is JSON the element takes (colours, a radius of 0–24 px).
    const theme = JSON.parse(html.match(/theme='([^']*)'/)[1]);
    assert.deepEqual(Object.keys(theme).sort(), ['brand', 'radius']);
  });

  test('files, types, and nothing else: 404, 403, 405; a blank page for tests', async () => {
    assert.equal((await get(`${origin}/partner.css`)).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await get(`${origin}/partner.js`)).headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get(`${origin}/missing.html`)).status, 404);
    assert.equal((await get(`${origin}/..%2f..%2fpackage.json`)).status, 403);
    assert.equal((await get(`${origin}/`, { method: 'POST' })).status, 405);
    const head = await get(`${origin}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    const blank = await get(`${origin}/__blank`);
    assert.equal(blank.status, 200);
    assert.match(blank.body, /<title>Blank<\/title>/);
    assert.ok(blank.headers['content-security-policy'], 'every answer under the policy');
    assert.doesNotMatch(blank.headers['content-security-policy'], /frame-ancestors/, 'the blank page may be put in any frame');
    assert.match((await get(`${origin}/`)).headers['content-security-policy'], /frame-ancestors 'self'$/);
  });

  test('--tahto-origin is an origin exactly', () => {
    assert.equal(checkOrigin('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
    assert.equal(checkOrigin('https://Tahto.Example.fi/'), 'https://tahto.example.fi');
    for (const bad of ['', 'tahto.example.fi', 'https://tahto.example.fi/app', 'https://u@tahto.example.fi', 'ftp://x.fi', 'https://x.fi?a', '*']) {
      assert.throws(() => checkOrigin(bad), /not an origin/, bad);
    }
    const cli = spawnSync(process.execPath, [join(HERE, 'partner.mjs'), '--port', '0', '--tahto-origin', 'https://x.fi/path'], { encoding: 'utf8' });
    assert.notEqual(cli.status, 0);
    assert.match(cli.stderr, /not an origin/);
  });

  test('the command line: listens on localhost and says where', async () => {
    const child = spawn(process.execPath, [join(HERE, 'partner.mjs'), '--port', '0', '--host', '127.0.0.1', '--tahto-origin', TAHTO], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
        setTimeout(() => reject(new Error(`no ready line: ${out}`)), 5000);
      });
      const url = line.match(/Partner page on (http:\/\/127\.0\.0\.1:\d+\/) \(Tahto from http:\/\/127\.0\.0\.1:18082\)/)?.[1];
      assert.ok(url, line);
      assert.equal((await get(url)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

/** A partner server on a free port of 127.0.0.1; resolves with its origin and a `close`. */
async function startPartner(options) {
  const server = createPartnerServer({ dir: DEMO, tahtoOrigin: TAHTO, ...options });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }),
  };
}

/** The <tahto-embed> start tags of a page, outside comments (no attribute value holds a `>`). */
const embedTags = (html) => html.replace(/<!--[\s\S]*?-->/g, '').match(/<tahto-embed\b[^>]*>/g) ?? [];
/** An attribute's raw (still escaped) value in a start tag. */
const attribute = (tag, name) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

describe('an EHR launch from the partner\'s page (scripts/run)', () => {
  const children = new Set();
  const REDIRECT = 'http://127.0.0.1:18087/signed-in.html';
  let issuer;
  let fhirBase;
  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    fhirBase = `http://127.0.0.1:${await freePort()}/fhir/R4`;
    await spawnReady('auth.mjs', ['--port', String(port), '--fhir-base', fhirBase, '--redirect-uri', REDIRECT], /SMART authorization server listening/, {
      children,
      timeoutMs: 20_000,
    });
  });
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  });

  test('each page load: every element gets iss and a fresh launch the authorization server knows, for the patient', async () => {
    const logged = [];
    const partner = await startPartner({ launchIssuer: issuer, fhirBase, patient: PATIENT_ID, log: (line) => logged.push(line) });
    try {
      const launches = [];
      for (const path of ['/', '/index.html', '/']) {
        const res = await get(`${partner.origin}${path}`);
        assert.equal(res.status, 200, path);
        const tags = embedTags(res.body);
        assert.equal(tags.length, 2);
        for (const tag of tags) assert.equal(attribute(tag, 'iss'), fhirBase, tag);
        const [launch, other] = tags.map((tag) => attribute(tag, 'launch'));
        assert.match(launch, /^[A-Za-z0-9_-]{16,}$/);
        assert.equal(other, launch, 'one launch per page');
        launches.push(launch);
        // The rest of the page as without a launch: the elements' own attributes, the comment.
        assert.match(res.body, /<tahto-embed iss="[^"]+" launch="[^"]+" id="embed-donation" section="organ-donation" lang="en" theme='\{[^']*\}'><\/tahto-embed>/);
        assert.ok(res.body.includes('a <tahto-embed> element per place'), 'comments are left as they are');
        assert.equal(res.headers['cache-control'], 'no-store', 'a launch is for one load');
        // Server-side only: the page's policy names Tahto and nothing of the authorization server.
        assert.equal(res.headers['content-security-policy'], partnerPolicy(TAHTO));
        assert.ok(!res.headers['content-security-policy'].includes(issuer));
      }
      assert.equal(new Set(launches).size, 3, 'a fresh launch per load');
      // Only the page: its other files as they are.
      const css = await get(`${partner.origin}/partner.css`);
      assert.equal(css.headers['cache-control'], 'no-cache');
      assert.doesNotMatch(css.body, /launch=/);

      // The authorization server knows the launch, for Helmi: she signs in with it, Matti may not.
      const scope = 'launch openid fhirUser patient/Patient.r';
      const token = await signIn({ issuer, fhirBase, redirectUri: REDIRECT, scope, citizen: DEMO_CITIZENS.helmi, launch: launches[0] });
      assert.equal(token.patient, PATIENT_ID);
      const { challenge } = pkcePair();
      const { params } = await authorize({
        issuer,
        jar: new CookieJar(),
        credentials: DEMO_CITIZENS.matti,
        params: {
          response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, scope, state: 's', aud: fhirBase,
          code_challenge: challenge, code_challenge_method: 'S256', launch: launches[1],
        },
      });
      assert.equal(params.error, 'access_denied');
      assert.deepEqual(logged, []);
    } finally {
      await partner.close();
    }
  });

  test('the command line: --launch-issuer, --fhir-base and --patient, all or none', async () => {
    const port = await freePort();
    await spawnReady(
      'partner.mjs',
      ['--port', String(port), '--host', '127.0.0.1', '--tahto-origin', TAHTO, '--launch-issuer', issuer, '--fhir-base', fhirBase, '--patient', PATIENT_ID],
      new RegExp(`Partner page on http://127\\.0\\.0\\.1:${port}/ \\(Tahto from ${TAHTO.replaceAll('.', '\\.')}\\), an EHR launch for ${PATIENT_ID} from ${issuer.replaceAll('.', '\\.')}`),
      { children },
    );
    const tags = embedTags((await get(`http://127.0.0.1:${port}/`)).body);
    assert.equal(tags.length, 2);
    for (const tag of tags) assert.equal(attribute(tag, 'iss'), fhirBase);

    for (const [args, error] of [
      [['--launch-issuer', issuer], /all of --launch-issuer, --fhir-base and --patient/],
      [['--launch-issuer', issuer, '--fhir-base', fhirBase, '--patient', 'helmi esimerkki'], /--patient: .* is not a Patient id/],
      [['--launch-issuer', `${issuer}/auth`, '--fhir-base', fhirBase, '--patient', PATIENT_ID], /--launch-issuer: .* is not an origin/],
      [['--launch-issuer', issuer, '--fhir-base', `${fhirBase}?x=1`, '--patient', PATIENT_ID], /--fhir-base: .* is not an http\(s\) FHIR base/],
      [['--launch-issuer', issuer, '--fhir-base', 'fhir/R4', '--patient', PATIENT_ID], /--fhir-base: .* is not a URL/],
    ]) {
      const cli = spawnSync(process.execPath, [join(HERE, 'partner.mjs'), '--port', '0', '--tahto-origin', TAHTO, ...args], { encoding: 'utf8' });
      assert.notEqual(cli.status, 0, args.join(' '));
      assert.match(cli.stderr, error);
    }
  });
});

describe('the partner\'s page without a launch', () => {
  test('without the launch options: no launch attributes, as before', async () => {
    const partner = await startPartner({});
    try {
      const res = await get(`${partner.origin}/`);
      assert.equal(embedTags(res.body).length, 2);
      for (const tag of embedTags(res.body)) assert.doesNotMatch(tag, /\s(iss|launch)=/, tag);
      assert.equal(res.headers['cache-control'], 'no-cache');
    } finally {
      await partner.close();
    }
  });

  test('the authorization server down or answering badly: the page without a launch, one line logged', async () => {
    // Nothing listens on a free port; a stand-in answers each way a server should not.
    const down = `http://127.0.0.1:${await freePort()}`;
    const answers = [[500, '{"error":"server_error"}'], [200, 'not json'], [200, '{}'], [200, '{"launch": 7}'], [200, '{"launch": ""}']];
    const asked = [];
    const standIn = http.createServer((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      const [status, body] = answers[asked.length - 1];
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    await new Promise((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    const bad = `http://127.0.0.1:${standIn.address().port}`;
    try {
      for (const [issuer, times] of [[down, 1], [bad, answers.length]]) {
        const logged = [];
        const partner = await startPartner({ launchIssuer: issuer, fhirBase: 'http://127.0.0.1:1/fhir/R4', patient: PATIENT_ID, log: (line) => logged.push(line) });
        try {
          for (let i = 0; i < times; i += 1) {
            const res = await get(`${partner.origin}/`);
            assert.equal(res.status, 200);
            assert.equal(embedTags(res.body).length, 2);
            for (const tag of embedTags(res.body)) assert.doesNotMatch(tag, /\s(iss|launch)=/, tag);
            assert.equal(res.headers['cache-control'], 'no-cache');
          }
          assert.equal(logged.length, times, logged.join('\n'));
          for (const line of logged) {
            assert.ok(line.startsWith(`partner: no EHR launch from ${issuer} (`), line);
            assert.doesNotMatch(line, /\n/);
          }
          if (issuer === down) assert.match(logged[0], /ECONNREFUSED/);
          else assert.match(logged[0], /answered 500/);
        } finally {
          await partner.close();
        }
      }
      assert.deepEqual(asked, answers.map(() => 'POST /__admin/launch'));
    } finally {
      standIn.close();
      standIn.closeAllConnections();
    }
  });

  test('attribute values are escaped', async () => {
    const launch = `a"b'c<d>&e`;
    const standIn = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ launch }));
    });
    await new Promise((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    const fhirBase = `http://127.0.0.1:1/fhir/"R4'&<x>`;
    const partner = await startPartner({ launchIssuer: `http://127.0.0.1:${standIn.address().port}`, fhirBase, patient: PATIENT_ID });
    try {
      const { body } = await get(`${partner.origin}/`);
      for (const tag of embedTags(body)) {
        assert.ok(tag.startsWith(`<tahto-embed iss="http://127.0.0.1:1/fhir/&quot;R4&#39;&amp;&lt;x&gt;" launch="a&quot;b&#39;c&lt;d&gt;&amp;e" id="embed-`), tag);
      }
      assert.equal(embedTags(body).length, 2);
    } finally {
      await partner.close();
      standIn.close();
      standIn.closeAllConnections();
    }
  });

  test('withLaunch: every start tag, in any case; not comments, not other elements', () => {
    const html = '<!-- <tahto-embed> --><tahto-embed></tahto-embed><TAHTO-EMBED\nid=x/><tahto-embedded></tahto-embedded><p>&lt;tahto-embed&gt;</p>';
    assert.equal(
      withLaunch(html, { iss: 'https://fhir.example/R4', launch: 'L1' }),
      '<!-- <tahto-embed> --><tahto-embed iss="https://fhir.example/R4" launch="L1"></tahto-embed>' +
        '<TAHTO-EMBED iss="https://fhir.example/R4" launch="L1"\nid=x/><tahto-embedded></tahto-embedded><p>&lt;tahto-embed&gt;</p>',
    );
  });
});

describe('public/embed.js', () => {
  const source = readFileSync(join(ROOT, 'public/embed.js'), 'utf8');
  /** An array literal `const NAME = [...]` of embed.js. */
  const list = (name) => vm.runInNewContext(source.match(new RegExp(`const ${name} = (\\[[^\\]]*\\])`))[1]);

  test('knows exactly the sections and the kinds of record the app has', () => {
    const sections = readFileSync(join(ROOT, 'src/sections.rs'), 'utf8');
    const keyFn = sections.slice(sections.indexOf('pub fn key(self)'));
    const views = [...keyFn.slice(0, keyFn.indexOf('\n    }\n')).matchAll(/View::\w+ => "([^"]+)"/g)].map((m) => m[1]);
    assert.equal(views.length, 13);
    assert.deepEqual([...list('SECTIONS')].sort(), [...views].sort());
    // A record's kind is its key's first part (src/save/record.rs `Record::key`, `Record::kind`).
    const record = readFileSync(join(ROOT, 'src/save/record.rs'), 'utf8');
    const keys = record.slice(record.indexOf('pub fn key(&self)'));
    const kinds = [...keys.slice(0, keys.indexOf('\n    }\n')).matchAll(/=> (?:"([a-z-]+)"\.into\(\)|format!\("([a-z-]+)\/)/g)].map((m) => m[1] ?? m[2]);
    assert.equal(kinds.length, 8);
    assert.deepEqual([...list('KINDS')].sort(), [...kinds].sort());
  });

  test('a classic script that defines <tahto-embed> once, from where it was loaded', () => {
    // A minimal browser: enough for the script to run and define its element.
    const defined = new Map();
    const warnings = [];
    const sandbox = {
      URL,
      console: { error: (m) => warnings.push(m), warn: (m) => warnings.push(m) },
      crypto: globalThis.crypto,
      document: { currentScript: { src: 'https://tahto.example.fi/app/embed.js?v=1' }, documentElement: { lang: 'fi' } },
      Document: { prototype: {} },
      HTMLElement: class {},
      CustomEvent: class {},
      customElements: {
        get: (name) => defined.get(name),
        define: (name, element) => {
          if (defined.has(name)) throw new Error('defined twice');
          defined.set(name, element);
        },
      },
    };
    sandbox.window = sandbox;
    vm.runInNewContext(source, sandbox, { filename: 'embed.js' });
    assert.equal(defined.get('tahto-embed')?.tahtoOrigin, 'https://tahto.example.fi');
    // Loaded twice (two partners' widgets on one page): the second copy stays quiet.
    vm.runInNewContext(source, sandbox);
    assert.deepEqual(warnings, []);
    sandbox.document.currentScript = { src: 'https://other.example.fi/embed.js' };
    vm.runInNewContext(source, sandbox);
    assert.match(warnings.join('\n'), /already defined for https:\/\/tahto\.example\.fi/);
    // As a module (no currentScript): said, not thrown.
    sandbox.document.currentScript = null;
    vm.runInNewContext(source, sandbox);
    assert.match(warnings.at(-1), /classic script/);
  });

  test('the build copies it (index.html) and the release minifies it as a classic script', () => {
    assert.match(readFileSync(join(ROOT, 'index.html'), 'utf8'), /<link data-trunk rel="copy-file" href="public\/embed\.js" \/>/);
    const postBuild = readFileSync(join(ROOT, 'scripts/post-build.mjs'), 'utf8');
    assert.match(postBuild, /minified\('embed\.js', \{ module: false \}\)/);
    // What it builds an address from: `embed` next to the script, the section, the language, this page.
    assert.match(source, /new URL\('embed', script\.src\)/);
    assert.match(source, /searchParams\.set\('host', location\.origin\)/);
    // Never `*` as a target.
    assert.doesNotMatch(source, /postMessage\([^)]*'\*'\)/);
  });
});

test('examples/partner holds only the page and its own files', () => {
  assert.deepEqual(readdirSync(DEMO).sort(), ['index.html', 'partner.css', 'partner.js']);
});
