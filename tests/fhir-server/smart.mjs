// SMART App Launch 2.2 for the local servers, as plain data and pure functions: which scopes exist
// (auth.mjs grants them), what a granted scope allows and which records are a patient's (server.mjs
// enforces both). One module, so the two servers cannot disagree.

/** The resource types the local FHIR server holds (its CapabilityStatement lists the same). */
export const RESOURCE_TYPES = [
  'AuditEvent', 'Consent', 'DiagnosticReport', 'DocumentReference', 'Encounter', 'Immunization', 'Location',
  'MedicationRequest', 'Observation', 'Organization', 'Patient', 'Practitioner', 'Task',
];

/** The scopes that are not about resources: sign-in, launch context, refresh. */
export const LAUNCH_SCOPES = ['openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'online_access'];

/** SMART v2 permissions in their required order: create, read, update, delete, search. */
const CRUDS = 'cruds';
const V1 = { read: 'rs', write: 'cud', '*': CRUDS };

/** What `scopes_supported` advertises: the launch scopes and the widest scope of each type. */
export const SCOPES_SUPPORTED = [...LAUNCH_SCOPES, 'patient/*.cruds', ...RESOURCE_TYPES.map((t) => `patient/${t}.cruds`)];

/** What SMART's discovery says this pair (auth.mjs + server.mjs --auth-issuer) can do. */
export const CAPABILITIES = [
  'launch-standalone', 'launch-ehr', 'client-public', 'context-standalone-patient', 'context-ehr-patient',
  'permission-patient', 'permission-v2', 'permission-v1', 'sso-openid-connect', 'permission-offline', 'permission-online',
];

export const VERBS = { c: 'creating', r: 'reading', u: 'updating', d: 'deleting', s: 'searching' };

/**
 * `patient/<Type>.<cruds>` (v2: a non-empty subset of c, r, u, d, s in that order) or
 * `patient/<Type>.read|write|*` (v1), `<Type>` one the server holds or `*`: the type and the
 * interactions it allows, or null (not a patient scope, or malformed: granted nothing).
 */
export function parseScope(scope) {
  const m = /^patient\/([A-Za-z]+|\*)\.([a-z*]+)$/.exec(scope);
  if (!m || (m[1] !== '*' && !RESOURCE_TYPES.includes(m[1]))) return null;
  const letters = Object.hasOwn(V1, m[2]) ? V1[m[2]] : m[2];
  // In order, each letter at most once: "rs" and "cruds" are scopes, "sr" and "rr" are not.
  let at = 0;
  for (const letter of letters) {
    at = CRUDS.indexOf(letter, at) + 1;
    if (at === 0) return null;
  }
  return { type: m[1], interactions: new Set(letters) };
}

/** Every well-formed patient scope (v2 subsets and v1 forms) for every type and `*`. */
export function patientScopes() {
  const subsets = [];
  for (let mask = 1; mask < 32; mask += 1) {
    subsets.push([...CRUDS].filter((_, i) => mask & (1 << (4 - i))).join(''));
  }
  const permissions = [...subsets, ...Object.keys(V1)];
  return ['*', ...RESOURCE_TYPES].flatMap((type) => permissions.map((p) => `patient/${type}.${p}`));
}

/** True when one of `scopes` allows `interaction` (c, r, u, d or s) on `type`. */
export function allows(scopes, type, interaction) {
  for (const scope of scopes) {
    const parsed = parseScope(scope);
    if (parsed && (parsed.type === '*' || parsed.type === type) && parsed.interactions.has(interaction)) return true;
  }
  return false;
}

// ---- The patient compartment ------------------------------------------------------------------

/**
 * The fields that link a resource to its patient, per type the server holds (FHIR's Patient
 * compartment, the parts these types use). Types not listed (Organization, Practitioner,
 * Location) are shared: in no patient's compartment.
 */
export const PATIENT_LINKS = {
  AuditEvent: ['entity.what'],
  Consent: ['patient'],
  DiagnosticReport: ['subject'],
  DocumentReference: ['subject'],
  Encounter: ['subject'],
  Immunization: ['patient'],
  MedicationRequest: ['subject'],
  Observation: ['subject'],
  Task: ['for'],
};

/** The search parameters that name a patient (with or without a modifier such as `:Patient`). */
export const PATIENT_SEARCH_PARAMS = new Set(['patient', 'subject', 'for', 'beneficiary', 'entity']);

/** A FHIR resource id: 1–64 of letters, digits, `-` and `.`. */
export const isFhirId = (value) => typeof value === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(value);

/** `Patient/x`, `…/Patient/x` or (`bare`) `x` → "x"; anything else → null. */
export function patientIdOf(reference, { bare = false } = {}) {
  const text = String(reference ?? '').trim();
  const m = /^(?:.*\/)?Patient\/([^/]*)$/.exec(text);
  if (m) return isFhirId(m[1]) ? m[1] : null;
  return bare && isFhirId(text) ? text : null;
}

/**
 * The ids of the patients a resource is about: a Patient's own id; otherwise the Patient
 * references in its link fields (and, for types not listed, in the usual `patient`, `subject`,
 * `for` and `beneficiary`, so a record of an unexpected type is still kept to its patient).
 */
export function patientsOf(resource) {
  const ids = new Set();
  if (resource?.resourceType === 'Patient') {
    if (resource.id) ids.add(resource.id);
    return ids;
  }
  const paths = PATIENT_LINKS[resource?.resourceType] ?? ['patient', 'subject', 'for', 'beneficiary'];
  for (const path of paths) {
    for (const value of valuesAt(resource, path.split('.'))) {
      const id = patientIdOf(value?.reference);
      if (id) ids.add(id);
    }
  }
  return ids;
}

function valuesAt(value, [head, ...rest]) {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, [head, ...rest]));
  if (head === undefined) return [value];
  return valuesAt(value[head], rest);
}

/** True when `patient` may see `resource`: it is theirs, or about no patient at all (shared). */
export function visibleTo(resource, patient) {
  const ids = patientsOf(resource);
  return ids.size === 0 || ids.has(patient);
}

/** True when `type` is a patient's record (a write of it must name the signed-in patient). */
export function inPatientCompartment(type) {
  return type === 'Patient' || type in PATIENT_LINKS;
}
