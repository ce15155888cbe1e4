// A SMART App Launch client over plain HTTP, for tests (auth.test.mjs, and any test that needs a
// token for the auth-enforcing FHIR server): the authorization code flow with PKCE S256, a
// citizen's sign-in on auth.mjs's form, redirects followed by hand with a cookie jar kept by hand
// (the authorization server's session lives in cookies, as in a browser).
import { createHash, randomBytes } from 'node:crypto';

export const CLIENT_ID = 'tahto';

/** The cookies of one browser, by name (the auth server's cookie names do not collide across paths). */
export class CookieJar {
  cookies = new Map();

  /** Take the Set-Cookie headers of a response; an empty value or a past expiry deletes. */
  take(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expires = attributes.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
      const gone = value === '' || (expires && Date.parse(expires.slice(8)) <= Date.now());
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** A PKCE pair: the verifier the app keeps, the S256 challenge it sends. */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** One request with the jar's cookies, never following redirects. */
export async function request(jar, url, { method = 'GET', form, headers = {} } = {}) {
  const response = await fetch(url, {
    method,
    redirect: 'manual',
    headers: {
      ...(jar.cookies.size ? { Cookie: jar.header() } : {}),
      ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      ...headers,
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  jar.take(response);
  return response;
}

/**
 * GET the authorization endpoint with `params` and follow redirects until one goes to the
 * redirect URI. On the sign-in page, submit `credentials` ({username, password}) if given, else
 * stop there. Returns { params } (the redirect's query: code, state, error…) or { loginPage }
 * (the page's HTML, the form's URL, the last response).
 */
export async function authorize({ issuer, jar, params, credentials, maxSteps = 10 }) {
  const redirectUri = params.redirect_uri;
  let url = `${issuer}/auth?${new URLSearchParams(params)}`;
  let init = {};
  for (let step = 0; step < maxSteps; step += 1) {
    const response = await request(jar, url, init);
    init = {};
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (`${next.origin}${next.pathname}` === redirectUri.replace(/\?.*$/, '')) {
        return { params: Object.fromEntries(next.searchParams), location: next.href };
      }
      url = next.href;
      continue;
    }
    const html = await response.text();
    const action = /<form method="post" action="([^"]+\/login)"/.exec(html)?.[1];
    if (!action) throw new Error(`authorize: unexpected ${response.status} at ${url}: ${html.slice(0, 300)}`);
    const loginUrl = new URL(action, url).href;
    if (!credentials) return { loginPage: html, loginUrl, response };
    url = loginUrl;
    init = { method: 'POST', form: credentials };
    credentials = undefined; // once: a second sign-in page means the first was refused
  }
  throw new Error('authorize: too many redirects');
}

/** POST the token endpoint (a form, as a browser app sends it); returns { status, body, response }. */
export async function tokenRequest(issuer, form, { origin } = {}) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(origin ? { Origin: origin } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: await response.json(), response };
}

/**
 * The whole standalone (or, with `launch`, EHR) launch: sign in as `citizen` ({username,
 * password}), exchange the code. Returns the token response's JSON plus `jar` (the browser's
 * session, for silent sign-in and sign-out). Throws when the flow ends in an error.
 */
export async function signIn({ issuer, fhirBase, redirectUri, scope, citizen, launch, jar = new CookieJar() }) {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(8).toString('hex');
  const { params } = await authorize({
    issuer,
    jar,
    credentials: citizen && { username: citizen.username, password: citizen.password },
    params: {
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: redirectUri,
      scope,
      state,
      aud: fhirBase,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(launch ? { launch } : {}),
    },
  });
  if (!params?.code) throw new Error(`signIn: no code: ${JSON.stringify(params)}`);
  if (params.state !== state) throw new Error('signIn: state mismatch');
  const { status, body } = await tokenRequest(issuer, {
    grant_type: 'authorization_code',
    code: params.code,
    redirect_uri: redirectUri,
    client_id: CLIENT_ID,
    code_verifier: verifier,
  });
  if (status !== 200) throw new Error(`signIn: token endpoint answered ${status}: ${JSON.stringify(body)}`);
  return { ...body, jar };
}

/** The payload of a JWT, unverified (tests read what the server put in). */
export function jwtPayload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}
