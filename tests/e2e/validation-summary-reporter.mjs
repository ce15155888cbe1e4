// Prints one summary line at the end of the run: how many FHIR resources the app sent through the
// proxy, how many were checked by both validators (@medplum/core and fhir.js), and how many errors.
// Each test's afterEach attaches its counts as the "fhir-validation" attachment.
export default class ValidationSummaryReporter {
  constructor() {
    this.ended = 0;
    this.totals = { tests: 0, requests: 0, sent: 0, validated: 0, passed: 0, errors: 0 };
  }

  printsToStdio() {
    return false;
  }

  onTestEnd(test, result) {
    this.ended += 1;
    for (const attachment of result.attachments) {
      if (attachment.name !== 'fhir-validation' || !attachment.body) continue;
      try {
        const v = JSON.parse(attachment.body.toString('utf8'));
        this.totals.tests += 1;
        this.totals.requests += v.requests ?? 0;
        this.totals.sent += v.sent ?? 0;
        this.totals.validated += v.validated ?? 0;
        this.totals.passed += v.passed ?? 0;
        this.totals.errors += v.errors?.length ?? 0;
      } catch {
        /* ignore a malformed attachment */
      }
    }
  }

  onEnd() {
    if (this.ended === 0) return; // e.g. --list
    const t = this.totals;
    process.stdout.write(
      `\nFHIR validation summary: ${t.sent} resources sent by the app (${t.requests} requests with a body, ` +
        `${t.tests} tests) · ${t.validated} validated by both validators (@medplum/core + fhir.js) · ` +
        `${t.passed} passed · ${t.errors} errors\n`,
    );
  }
}
