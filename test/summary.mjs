// Pure helpers for test/run-all.mjs: turn each runner's JSON report into counts, and counts into
// the closing line CI reads (`N passed, N failed`, with `, N skipped` only when there are some).

/** @typedef {{ passed: number, failed: number, skipped: number }} Counts */

/** @param {{ passed: number, failed: number, skipped?: number }} counts */
export function formatSummary({ passed, failed, skipped = 0 }) {
  const line = `${passed} passed, ${failed} failed`;
  return skipped > 0 ? `${line}, ${skipped} skipped` : line;
}

/**
 * Vitest's JSON reporter uses Jest's report shape.
 * @param {{ numPassedTests?: number, numFailedTests?: number, numPendingTests?: number, numTodoTests?: number }} report
 * @returns {Counts}
 */
export function countVitest(report) {
  return {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

/**
 * Playwright's JSON reporter: `expected` passed, `flaky` passed on a retry, `unexpected` failed.
 * @param {{ stats?: { expected?: number, unexpected?: number, flaky?: number, skipped?: number } }} report
 * @returns {Counts}
 */
export function countPlaywright({ stats = {} }) {
  return {
    passed: (stats.expected ?? 0) + (stats.flaky ?? 0),
    failed: stats.unexpected ?? 0,
    skipped: stats.skipped ?? 0,
  };
}

/**
 * A runner that exited non-zero failed even if its report counts no failed test (a file that did
 * not load, an unhandled error, a web server that did not start): count that as one failure.
 * @param {Counts} counts
 * @param {number | null} exitCode
 * @returns {Counts}
 */
export function accountForExitCode(counts, exitCode) {
  return exitCode !== 0 && counts.failed === 0 ? { ...counts, failed: 1 } : counts;
}

/** @param {Counts[]} all @returns {Counts} */
export function addCounts(all) {
  return all.reduce(
    (sum, c) => ({
      passed: sum.passed + c.passed,
      failed: sum.failed + c.failed,
      skipped: sum.skipped + c.skipped,
    }),
    { passed: 0, failed: 0, skipped: 0 },
  );
}

/**
 * @param {{ name: string, status: string, counts: Counts, seconds: number }[]} rows
 * @returns {string}
 */
export function formatTable(rows) {
  const header = ['step', 'result', 'passed', 'failed', 'skipped', 'time'];
  const cells = rows.map((r) => [
    r.name,
    r.status,
    String(r.counts.passed),
    String(r.counts.failed),
    String(r.counts.skipped),
    `${r.seconds.toFixed(1)}s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (/** @type {string[]} */ row) =>
    row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}
