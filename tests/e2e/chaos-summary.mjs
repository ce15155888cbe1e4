// Prints the chaos suite's one summary line at the end of a run, summed over every test (and every
// worker: Playwright starts a new worker after a failed test, so an afterAll in the spec only sees
// part of the run). Each chaos test attaches its counts as the "chaos-ledger" attachment.
//
// Wire it with:  npx playwright test e2e/chaos.spec.mjs --reporter=list,./e2e/validation-summary-reporter.mjs,./e2e/chaos-summary.mjs
// or add ['./e2e/chaos-summary.mjs'] to `reporter` in playwright.config.mjs. While it is active the
// spec's own afterAll line is not printed (it sees TAHTO_CHAOS_SUMMARY_REPORTER in its environment).
export const FIELDS = ['attempted', 'confirmed', 'rejectedAsExpected', 'lost', 'duplicated', 'silent'];
export const DETAIL_FIELDS = ['conflictShown', 'keptMine', 'tookTheirs', 'unsettled', 'tests'];

/**
 * The record kinds (src/save/record.rs `Record::key`, before any "/"), in the order the per-type
 * line lists them; a kind not listed here follows, in alphabetical order.
 */
export const WRITE_TYPES = [
  'organ-donation',
  'advance-directive',
  'living-will',
  'notice',
  'disclosure-consent',
  'disclosure-refusal',
  'renewal',
  'measurement',
];

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

/** Adds a ledger's confirmed/attempted to its write type (ledgers without `type` are left out). */
export function addByType(byType, counts) {
  const type = counts?.type;
  if (typeof type !== 'string' || type === '') return byType;
  const t = (byType[type] ??= { attempted: 0, confirmed: 0 });
  t.attempted += Number(counts.attempted ?? 0);
  t.confirmed += Number(counts.confirmed ?? 0);
  return byType;
}

/** `chaos by write type: organ-donation 9/9, advance-directive 3/3, …` (confirmed/attempted). */
export function byTypeLine(byType) {
  const known = WRITE_TYPES.filter((t) => t in byType);
  const others = Object.keys(byType)
    .filter((t) => !WRITE_TYPES.includes(t))
    .sort();
  const parts = [...known, ...others].map((t) => `${t} ${byType[t].confirmed}/${byType[t].attempted}`);
  return `chaos by write type: ${parts.join(', ')}`;
}

export default class ChaosSummaryReporter {
  constructor() {
    process.env.TAHTO_CHAOS_SUMMARY_REPORTER = '1'; // inherited by the workers started after this
    this.totals = emptyTotals();
    this.byType = {};
    this.seen = 0;
  }

  printsToStdio() {
    return false;
  }

  onTestEnd(test, result) {
    for (const attachment of result.attachments) {
      if (attachment.name !== 'chaos-ledger' || !attachment.body) continue;
      try {
        const counts = JSON.parse(attachment.body.toString('utf8'));
        addCounts(this.totals, counts);
        addByType(this.byType, counts);
        this.seen += 1;
      } catch {
        /* ignore a malformed attachment */
      }
    }
  }

  onEnd() {
    if (this.seen === 0) return;
    const lines = [summaryLine(this.totals)];
    if (Object.keys(this.byType).length > 0) lines.push(byTypeLine(this.byType));
    lines.push(detailLine(this.totals));
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
