// Tahto's dev SMART App Launch 2.2 authorization server, on oidc-provider: the citizen signs in
// (two demo citizens), the public client `tahto` gets a code (PKCE S256 only), then JWT access
// tokens for the FHIR base with the citizen's `patient` and `fhirUser`, rotating refresh tokens,
// silent sign-in (`prompt=none`), EHR launch (`launch`) and sign-out (RP-initiated logout).
// server.mjs --auth-issuer verifies the tokens and enforces their scopes and patient.
//
// CLI: node auth.mjs --port 18110 [--host 127.0.0.1] --fhir-base <FHIR base URL>
//        --redirect-uri <uri> [--redirect-uri <uri> …] [--access-token-ttl 600]
// Test control (open, like the FHIR server's): GET /__admin/health,
//   POST /__admin/launch {"patient": "<id>"} → {"launch": "<opaque id>"} (an EHR launch context),
//   POST /__admin/withhold-scopes {"scopes": ["patient/Consent.crus", …]} → {"withheld": […]}: from
//     then on no grant (sign-in, silent sign-in, refresh) includes those exact scope strings, as if
//     the citizen had unticked them on a consent screen; [] grants everything asked again,
//   POST /__admin/reset → {"ok": true}: no scopes withheld, no launches.
import { runIfMain, serve } from './cli.mjs';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import Provider, { errors, interactionPolicy } from 'oidc-provider';
import { PATIENT_ID, SECOND_PATIENT_ID } from './seed.mjs';
import { LAUNCH_SCOPES, isFhirId, patientScopes } from './smart.mjs';

export const CLIENT_ID = 'tahto';

/** The demo citizens (a dev server: the sign-in page lists them too). */
export const DEMO_CITIZENS = {
  helmi: { username: 'helmi', password: 'tahto-demo', patient: PATIENT_ID },
  matti: { username: 'matti', password: 'tahto-demo', patient: SECOND_PATIENT_ID },
};
const citizen = (accountId) => Object.values(DEMO_CITIZENS).find((c) => c.username === accountId);

// A fixed key: the session and interaction cookies of a dev server survive its restart.
const DEV_COOKIE_KEY = 'tahto-dev-only-cookie-key-not-a-secret';

/** The scopes the FHIR base's access tokens may carry: sign-in and launch ones, and every patient scope. */
const RESOURCE_SCOPES = new Set([...LAUNCH_SCOPES, ...patientScopes()]);

const trimSlash = (url) => String(url).replace(/\/+$/, '');

/**
 * The authorization server as an http.Server (not listening yet). `issuer`: its own URL
 * (`http://<host>:<port>`); `fhirBase`: the FHIR base its tokens are for (their `aud`);
 * `redirectUris`: the tahto client's redirect and post-logout URIs (exact match).
 */
export function createAuthServer({ issuer, fhirBase, redirectUris, accessTokenTtl = 600 }) {
  if (!fhirBase) throw new Error('createAuthServer: fhirBase is required');
  if (!redirectUris?.length) throw new Error('createAuthServer: at least one redirect URI is required');
  fhirBase = trimSlash(fhirBase);
  const launches = new Map(); // launch id → { patient }: EHR launch contexts (POST /__admin/launch)
  const withheld = new Set(); // scopes the "citizen" refuses (POST /__admin/withhold-scopes)

  // A new signing key per start: tokens of an earlier run fail verification, as they should.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `tahto-dev-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' };

  // Login first, then the launch check (it needs the signed-in citizen), then consent.
  const policy = interactionPolicy.base();
  policy.add(
    new interactionPolicy.Prompt(
      { name: 'launch', requestable: false },
      new interactionPolicy.Check(
        'launch_patient_mismatch',
        'The launch is for another patient than the signed-in citizen',
        'access_denied',
        (ctx) => {
          const { launch } = ctx.oidc.params;
          const signedIn = citizen(ctx.oidc.session.accountId);
          if (!launch || !signedIn) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
          return launches.get(launch)?.patient !== signedIn.patient;
        },
      ),
    ),
    1,
  );

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_name: 'Tahto',
        token_endpoint_auth_method: 'none', // public: a browser app keeps no secret; PKCE instead
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: redirectUris,
        post_logout_redirect_uris: redirectUris,
      },
    ],
    responseTypes: ['code'],
    pkce: { required: () => true }, // oidc-provider 9 knows S256 only: `plain` is refused
    scopes: LAUNCH_SCOPES,
    claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
    // SMART's `launch` (EHR launch context) and `aud` (the FHIR base the app means).
    extraParams: {
      async launch(ctx, value) {
        if (value !== undefined && !launches.has(value)) throw new errors.InvalidRequest('unknown launch');
      },
      async aud(ctx, value) {
        if (value !== undefined && trimSlash(value) !== fhirBase) {
          throw new errors.InvalidRequest(`aud must be this server's FHIR base (${fhirBase})`);
        }
      },
    },
    cookies: { keys: [DEV_COOKIE_KEY] }, // never `secure`: oidc-provider sets it only over https
    jwks: { keys: [jwk] },
    // A public client with PKCE: any origin may call the token and revocation endpoints.
    clientBasedCORS: () => true,
    features: {
      devInteractions: { enabled: false }, // our own sign-in page below
      userinfo: { enabled: false }, // SMART needs none; with it, openid tokens would be for userinfo
      revocation: { enabled: true, allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      resourceIndicators: {
        enabled: true,
        // Every token is for the FHIR base, asked for or not.
        defaultResource: () => fhirBase,
        useGrantedResource: () => true,
        getResourceServerInfo(ctx, indicator) {
          if (trimSlash(indicator) !== fhirBase) throw new errors.InvalidTarget();
          return {
            // Filtering here also narrows refreshes of grants made before the scopes were withheld.
            scope: [...RESOURCE_SCOPES].filter((s) => !withheld.has(s)).join(' '),
            audience: fhirBase,
            accessTokenFormat: 'jwt',
            accessTokenTTL: accessTokenTtl,
          };
        },
      },
    },
    interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount(ctx, accountId) {
      const who = citizen(accountId);
      if (!who) return undefined;
      return {
        accountId,
        // SMART: fhirUser in the id token is the FHIR URL of the signed-in user.
        claims: () => ({ sub: accountId, fhirUser: `${fhirBase}/Patient/${who.patient}` }),
      };
    },
    // The access token (a JWT for the FHIR server) names whose records it opens.
    extraTokenClaims(ctx, token) {
      const who = citizen(token.accountId);
      return who ? { patient: who.patient, fhirUser: `Patient/${who.patient}` } : undefined;
    },
    // No consent screen for Tahto: the grant is exactly what was asked, less withheld scopes
    // (oidc-provider then narrows each code and token to the request's scopes). Nothing asked,
    // nothing granted.
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (!grant || grant.accountId !== oidc.session.accountId) {
        grant = new oidc.provider.Grant({ accountId: oidc.session.accountId, clientId: oidc.client.clientId });
      }
      const asked = [...oidc.requestParamScopes];
      grant.addOIDCScope(asked.filter((s) => LAUNCH_SCOPES.includes(s)).join(' '));
      grant.addResourceScope(fhirBase, asked.filter((s) => RESOURCE_SCOPES.has(s)).join(' '));
      // Rejected, not left out: the session's grant may hold them from an earlier sign-in, and a
      // rejected scope counts as answered (no consent prompt, so prompt=none still works).
      // Rewritten on every sign-in, so [] grants them again.
      delete grant.rejected;
      if (withheld.size) {
        grant.rejectOIDCScope([...withheld].join(' '));
        grant.rejectResourceScope(fhirBase, [...withheld].join(' '));
      }
      await grant.save();
      return grant;
    },
    // SMART: offline_access for a refresh token that outlives the session, online_access for one
    // that ends with it (oidc-provider's expiresWithSession: without offline_access).
    issueRefreshToken: (ctx, client, source) =>
      client.grantTypeAllowed('refresh_token') && (source.scopes.has('offline_access') || source.scopes.has('online_access')),
    rotateRefreshToken: true, // a reused refresh token then revokes the whole grant
    ttl: {
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 12 * 3600,
      Session: 12 * 3600,
      // A rotated refresh token lives as long as the one it replaced, never longer.
      RefreshToken: (ctx) => ctx?.oidc?.entities.RotatedRefreshToken?.remainingTTL ?? 12 * 3600,
    },
    renderError,
  });
  // Server errors in one line: the message only, never the request (it may carry tokens).
  provider.on('server_error', (ctx, err) => console.error(`auth: ${ctx.method} ${ctx.path}: ${err.message}`));

  // oidc-provider follows OpenID Connect: offline_access only with prompt=consent, else dropped.
  // SMART apps ask for it plainly, and here consent is given without a screen (see interaction):
  // so an authorization request for offline_access without a prompt asks consent. A silent
  // sign-in (prompt=none) still gets no offline_access.
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/auth' && !ctx.query.prompt) {
      const scopes = String(ctx.query.scope ?? '').split(' ');
      if (scopes.includes('offline_access')) ctx.query = { ...ctx.query, prompt: 'consent' };
    }
    return next();
  });

  // SMART puts the patient in the token response too (authorization code and refresh).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200 || !ctx.body?.access_token) return;
    const who = citizen(ctx.oidc.entities.AccessToken?.accountId);
    if (who) ctx.body = { ...ctx.body, patient: who.patient };
  });

  const callback = provider.callback();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, issuer);
    try {
      if (url.pathname === '/__admin/health' && req.method === 'GET') return sendJson(res, 200, { ok: true });
      if (url.pathname === '/__admin/launch' && req.method === 'POST') {
        const body = await readJson(req);
        if (!isFhirId(body?.patient)) {
          return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected {"patient": "<Patient id>"}' });
        }
        const launch = randomBytes(16).toString('base64url');
        launches.set(launch, { patient: body.patient });
        return sendJson(res, 200, { launch });
      }
      if (url.pathname === '/__admin/withhold-scopes' && req.method === 'POST') {
        const scopes = (await readJson(req))?.scopes;
        // Scope tokens as RFC 6749 defines them (no spaces, no quotes or backslashes).
        if (!Array.isArray(scopes) || scopes.length > 1000 || !scopes.every((s) => typeof s === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/.test(s))) {
          return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected {"scopes": ["<scope>", …]}' });
        }
        withheld.clear();
        for (const scope of scopes) withheld.add(scope);
        return sendJson(res, 200, { withheld: [...withheld] });
      }
      if (url.pathname === '/__admin/reset' && req.method === 'POST') {
        withheld.clear();
        launches.clear();
        return sendJson(res, 200, { ok: true });
      }
      const step = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(url.pathname);
      if (step) return await interaction(req, res, step[1], Boolean(step[2]));
      return callback(req, res);
    } catch (err) {
      if (res.headersSent) return res.destroy();
      // An interaction that expired or belongs to another browser: no health data, just a way back.
      const expired = err instanceof errors.SessionNotFound || err.name === 'SessionNotFound';
      if (!expired) console.error(`auth: ${req.method} ${url.pathname}: ${err.message}`);
      return sendHtml(res, expired ? 400 : 500, page(
        'Sign-in interrupted',
        `<h1>Sign-in interrupted</h1><p role="alert">${expired ? 'This sign-in has expired.' : 'Something went wrong.'} Go back to Tahto and sign in again.</p>`,
      ));
    }
  });

  /** The sign-in page (GET) and its form (POST …/login); the launch and consent steps need no page. */
  async function interaction(req, res, uid, submitted) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    const { name } = details.prompt;
    if (name === 'launch') {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The launch is for another patient than the signed-in citizen' },
        { mergeWithLastSubmission: false },
      );
    }
    if (name === 'consent') {
      // Only `prompt=consent` gets here (the grant already holds what was asked): nothing to ask.
      return provider.interactionFinished(req, res, { consent: { grantId: details.grantId } }, { mergeWithLastSubmission: true });
    }
    if (!submitted || req.method !== 'POST') return sendHtml(res, 200, loginPage(uid));
    const form = new URLSearchParams(await readText(req));
    const username = (form.get('username') ?? '').trim();
    const who = citizen(username);
    if (!who || form.get('password') !== who.password) return sendHtml(res, 200, loginPage(uid, { failed: true, username }));
    return provider.interactionFinished(req, res, { login: { accountId: who.username } }, { mergeWithLastSubmission: false });
  }

  server.provider = provider;
  server.launches = launches;
  server.withheldScopes = withheld;
  server.issuer = issuer;
  return server;
}

// ---- Pages (accessible, no script but the sign-out's auto-submit, no health data) ---------------

const escapeHtml = (v) =>
  String(v).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const STYLE =
  'body{font:1rem/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1b1b1b;background:#f4f4f4}' +
  'main{max-width:24rem;margin:0 auto;background:#fff;padding:1.5rem;border-radius:.5rem}' +
  'label{display:block;margin-top:1rem;font-weight:600}' +
  'input{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #555;border-radius:.25rem}' +
  'button{margin-top:1.5rem;font:inherit;padding:.5rem 1.25rem;border:0;border-radius:.25rem;background:#0b5394;color:#fff;cursor:pointer}' +
  '[role=alert]{color:#8b0000;font-weight:600}.note{margin-top:2rem;font-size:.875rem;color:#444}';

function page(title, body) {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} – Tahto (dev)</title><style>${STYLE}</style></head>` +
    `<body><main>${body}</main></body></html>`
  );
}

function loginPage(uid, { failed = false, username = '' } = {}) {
  const names = Object.values(DEMO_CITIZENS).map((c) => `<code>${c.username}</code> / <code>${c.password}</code>`);
  return page(
    'Sign in',
    `<h1>Sign in to Tahto</h1>` +
      (failed ? '<p role="alert">Wrong username or password</p>' : '') +
      `<form method="post" action="/interaction/${escapeHtml(uid)}/login">` +
      `<label for="username">Username</label>` +
      `<input id="username" name="username" autocomplete="username" value="${escapeHtml(username)}">` +
      `<label for="password">Password</label>` +
      `<input id="password" name="password" type="password" autocomplete="current-password">` +
      `<button type="submit">Sign in</button></form>` +
      `<p class="note">Development server. Demo citizens: ${names.join(', ')}.</p>`,
  );
}

/**
 * oidc-provider's sign-out confirmation, submitted at once: Tahto's "Sign out" is the citizen's
 * answer already. The inline script is allowed by its hash alone; without script, one button.
 */
async function logoutSource(ctx, form) {
  const script = 'document.getElementById("op.logoutForm").submit()';
  const hash = createHash('sha256').update(script).digest('base64');
  ctx.set('Content-Security-Policy', `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; frame-ancestors 'none'`);
  const autoForm = form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Sign out</button></noscript></form>',
  );
  ctx.type = 'html';
  ctx.body = page('Signing out', `<h1>Signing out</h1>${autoForm}<script>${script}</script>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = page('Signed out', '<h1>Signed out</h1><p>You have signed out. You can close this page.</p>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  ctx.body = page(
    'Sign-in error',
    `<h1>Sign-in error</h1><p role="alert">${escapeHtml(out.error_description ?? out.error ?? 'Something went wrong')}</p>` +
      `<p>Error code: <code>${escapeHtml(out.error ?? 'server_error')}</code></p>`,
  );
}

// ---- HTTP helpers --------------------------------------------------------------------------------

async function readText(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's JSON body, or undefined when it is not JSON. */
async function readJson(req) {
  try {
    return JSON.parse(await readText(req));
  } catch {
    return undefined;
  }
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendHtml(res, status, html) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // No script on these pages. No form-action: Chromium applies it to the redirect back to the app.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(html),
  });
  res.end(html);
}

// ---- CLI ---------------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '18110' },
      host: { type: 'string', default: '127.0.0.1' },
      'fhir-base': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'access-token-ttl': { type: 'string', default: '600' },
    },
  });
  if (!values['fhir-base']) throw new Error('--fhir-base <FHIR base URL> is required');
  if (!values['redirect-uri']?.length) throw new Error('--redirect-uri <uri> is required (repeat it for more)');
  const ttl = Number(values['access-token-ttl']);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error('--access-token-ttl: a positive number of seconds');
  const issuer = `http://${values.host}:${values.port}`;
  const server = createAuthServer({
    issuer,
    fhirBase: values['fhir-base'],
    redirectUris: values['redirect-uri'],
    accessTokenTtl: ttl,
  });
  serve(server, values, () => {
    console.log(`SMART authorization server listening on ${issuer} (tokens for ${trimSlash(values['fhir-base'])})`);
  });
}

runIfMain(import.meta.url, main);
