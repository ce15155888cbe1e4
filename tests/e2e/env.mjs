// Ports and base URLs shared by playwright.config.mjs, the helpers and the reporter.
// Override with environment variables; the defaults match DESIGN.md and the test brief.
export const FHIR_PORT = Number(process.env.TAHTO_FHIR_PORT ?? 18103);
export const PROXY_PORT = Number(process.env.TAHTO_PROXY_PORT ?? 18104);
export const APP_PORT = Number(process.env.TAHTO_APP_PORT ?? 18080);
export const APP_UNKNOWN_PATIENT_PORT = Number(process.env.TAHTO_APP2_PORT ?? 18081);
/** Tahto for partners (embed.spec): its frame-ancestors name the partner's origin. */
export const APP_EMBED_PORT = Number(process.env.TAHTO_EMBED_APP_PORT ?? 18082);
/** The partner's page (tests/fhir-server/partner.mjs), on `localhost`: another site than Tahto's. */
export const PARTNER_PORT = Number(process.env.TAHTO_PARTNER_PORT ?? 18090);
/** The same page on a third origin, which Tahto's list does not name. */
export const THIRD_PORT = Number(process.env.TAHTO_THIRD_PORT ?? 18091);
/** The SMART authorization server (tests/fhir-server/auth.mjs): the citizen signs in there. */
export const AUTH_PORT = Number(process.env.TAHTO_AUTH_PORT ?? 18110);
/** A FHIR server that takes only that server's tokens (server.mjs --auth-issuer). */
export const SMART_FHIR_PORT = Number(process.env.TAHTO_SMART_FHIR_PORT ?? 18113);
/** Tahto with sign-in (static.mjs --sign-in smart) against that FHIR server. */
export const APP_SMART_PORT = Number(process.env.TAHTO_APP_SMART_PORT ?? 18085);

export const HOST = '127.0.0.1';
export const FHIR_ORIGIN = `http://${HOST}:${FHIR_PORT}`;
export const PROXY_ORIGIN = `http://${HOST}:${PROXY_PORT}`;
/** FHIR base as the tests see it: the real server, directly, never through the proxy. */
export const FHIR_BASE = `${FHIR_ORIGIN}/fhir/R4`;
/** FHIR base the app is configured with: through the fault proxy. */
export const FHIR_BASE_VIA_PROXY = `${PROXY_ORIGIN}/fhir/R4`;
export const APP_URL = `http://${HOST}:${APP_PORT}`;
export const APP_UNKNOWN_PATIENT_URL = `http://${HOST}:${APP_UNKNOWN_PATIENT_PORT}`;
export const APP_EMBED_URL = `http://${HOST}:${APP_EMBED_PORT}`;
/** `localhost`, not 127.0.0.1: another site, so the browser partitions the frame's storage. */
export const PARTNER_URL = `http://localhost:${PARTNER_PORT}`;
export const THIRD_URL = `http://${HOST}:${THIRD_PORT}`;
/** The authorization server's issuer (its origin). */
export const AUTH_ORIGIN = `http://${HOST}:${AUTH_PORT}`;
export const SMART_FHIR_BASE = `http://${HOST}:${SMART_FHIR_PORT}/fhir/R4`;
export const APP_SMART_URL = `http://${HOST}:${APP_SMART_PORT}`;

export const PATIENT_ID = 'helmi-esimerkki';
export const UNKNOWN_PATIENT_ID = 'does-not-exist';
export const SECOND_PATIENT_ID = 'matti-meikalainen';

/** The authorization server's demo citizens (auth.mjs DEMO_CITIZENS) and their Patient ids. */
export const DEMO_CITIZENS = {
  helmi: { username: 'helmi', password: 'tahto-demo', patient: PATIENT_ID },
  matti: { username: 'matti', password: 'tahto-demo', patient: SECOND_PATIENT_ID },
};

/**
 * The sections whose code is split off the first load, in the navigation's order: each one's path
 * (and `data-section`) and its heading in English.
 */
export const SPLIT_SECTIONS = [
  ['notice', 'Information about the Kanta services'],
  ['organ-donation', 'Organ donation decision'],
  ['advance-directive', 'Advance directive'],
  ['living-will', 'Living will'],
  ['disclosures', 'Disclosure consents and refusals'],
  ['prescriptions', 'Prescriptions'],
  ['lab-results', 'Lab results'],
  ['vaccinations', 'Vaccinations'],
  ['visits', 'Visits'],
  ['access-log', 'Who viewed my data'],
  ['measurements', 'My measurements'],
];
