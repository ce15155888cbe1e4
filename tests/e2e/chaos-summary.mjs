// Prints the chaos suite's one summary line at the end of a run, summed over every test (and every
// worker: Playwright starts a new worker after a failed test, so an afterAll in the spec only sees
// part of the run). Each chaos test attaches its counts as the "chaos-ledger" attachment.
//
// Wire it with:  npx playwright test e2e/chaos.spec.mjs --reporter=list,./e2e/validation-summary-reporter.mjs,./e2e/chaos-summary.mjs
// or add ['./e2e/chaos-summary.mjs'] to `reporter` in playwright.config.mjs. While it is active the
// spec's own afterAll line is not printed (it sees TAHTO_CHAOS_SUMMARY_REPORTER in its environment).
export const FIELDS = ['attempted', 'confirmed', 'rejectedAsExpected', 'lost', 'duplicated', 'silent'];
export const DETAIL_FIELDS = ['conflictShown', 'keptMine', 'tookTheirs', 'unsettled', 'tests'];

export function emptyTotals() {
  return Object.fromEntries([...FIELDS, ...DETAIL_FIELDS].map((k) => [k, 0]));
}

export function addCounts(totals, counts) {
  for (const k of [...FIELDS, ...DETAIL_FIELDS]) totals[k] += Number(counts?.[k] ?? 0);
  return totals;
}

export function summaryLine(t) {
  return (
    `chaos: saves attempted ${t.attempted}, confirmed ${t.confirmed}, rejected-as-expected ${t.rejectedAsExpected}, ` +
    `lost ${t.lost}, duplicated ${t.duplicated}, silent ${t.silent}`
  );
}

export function detailLine(t) {
  return (
    `chaos detail: ${t.tests} tests · conflicts shown ${t.conflictShown} (kept mine ${t.keptMine}, ` +
    `took the other version ${t.tookTheirs}) · saves still unsettled at the end of their test ${t.unsettled}`
  );
}

export default class ChaosSummaryReporter {
  constructor() {
    process.env.TAHTO_CHAOS_SUMMARY_REPORTER = '1'; // inherited by the workers started after this
    this.totals = emptyTotals();
    this.seen = 0;
  }

  printsToStdio() {
    return false;
  }

  onTestEnd(test, result) {
    for (const attachment of result.attachments) {
      if (attachment.name !== 'chaos-ledger' || !attachment.body) continue;
      try {
        addCounts(this.totals, JSON.parse(attachment.body.toString('utf8')));
        this.seen += 1;
      } catch {
        /* ignore a malformed attachment */
      }
    }
  }

  onEnd() {
    if (this.seen === 0) return;
    process.stdout.write(`\n${summaryLine(this.totals)}\n${detailLine(this.totals)}\n`);
  }
}
