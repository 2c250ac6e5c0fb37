import { describe, expect, it } from 'vitest';
import {
  accountForExitCode,
  addCounts,
  countPlaywright,
  countVitest,
  formatSummary,
  formatTable,
} from '../summary.mjs';

describe('formatSummary', () => {
  it('prints passed and failed, and skipped only when there are some', () => {
    expect(formatSummary({ passed: 12, failed: 0 })).toBe('12 passed, 0 failed');
    expect(formatSummary({ passed: 3, failed: 1, skipped: 0 })).toBe('3 passed, 1 failed');
    expect(formatSummary({ passed: 3, failed: 1, skipped: 2 })).toBe(
      '3 passed, 1 failed, 2 skipped',
    );
  });
});

describe('runner reports', () => {
  it('reads Vitest counts, with todo tests counted as skipped', () => {
    const report = { numPassedTests: 5, numFailedTests: 1, numPendingTests: 2, numTodoTests: 1 };
    expect(countVitest(report)).toEqual({ passed: 5, failed: 1, skipped: 3 });
  });

  it('reads Playwright counts, with flaky tests counted as passed', () => {
    const report = { stats: { expected: 4, unexpected: 1, flaky: 1, skipped: 2 } };
    expect(countPlaywright(report)).toEqual({ passed: 5, failed: 1, skipped: 2 });
    expect(countPlaywright({})).toEqual({ passed: 0, failed: 0, skipped: 0 });
  });

  it('counts a non-zero exit without failed tests as one failure', () => {
    const clean = { passed: 4, failed: 0, skipped: 0 };
    expect(accountForExitCode(clean, 0)).toEqual(clean);
    expect(accountForExitCode(clean, 1)).toEqual({ passed: 4, failed: 1, skipped: 0 });
    expect(accountForExitCode({ passed: 4, failed: 2, skipped: 0 }, 1).failed).toBe(2);
  });
});

describe('totals and table', () => {
  it('adds counts across steps', () => {
    const total = addCounts([
      { passed: 1, failed: 0, skipped: 0 },
      { passed: 7, failed: 2, skipped: 1 },
    ]);
    expect(total).toEqual({ passed: 8, failed: 2, skipped: 1 });
  });

  it('lines up one row per step under a header', () => {
    const table = formatTable([
      { name: 'lint', status: 'ok', counts: { passed: 1, failed: 0, skipped: 0 }, seconds: 2.04 },
      {
        name: 'unit',
        status: 'FAILED',
        counts: { passed: 10, failed: 1, skipped: 0 },
        seconds: 9.5,
      },
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^step\s+result\s+passed\s+failed\s+skipped\s+time$/);
    expect(lines[2]).toMatch(/^unit\s+FAILED\s+10\s+1\s+0\s+9\.5s$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
