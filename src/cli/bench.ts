import { defaultScenario, NETWORK_PRESETS } from '../scenario/presets';
import { simulate } from '../scenario/simulate';
import type { DataMode, Scenario } from '../scenario/types';

/**
 * `npm run bench`: wall-clock cost of simulate() for one full session and for the what-if
 * matrix (every mode under every network preset), printed as key=value lines against the
 * budgets that keep the UI instant. Always exits 0: numbers to read, not a test.
 */

const BUDGET = { sessionMs: 5, matrixMs: 150 };
// Enough warm-up for V8 to optimise the hot paths: the numbers describe steady use (a learner flipping switches).
const SESSION_RUNS = { warmUp: 100, measured: 300 };
const MATRIX_RUNS = { warmUp: 3, measured: 7 };
const MODES: DataMode[] = ['active', 'passive', 'eprt', 'epsv'];

/** Connect, log in, LIST, RETR the 64 KiB binary file in passive mode, QUIT; no firewall. */
export function sessionScenario(): Scenario {
  return {
    ...defaultScenario(),
    mode: 'passive',
    type: 'binary',
    commands: ['LIST', 'RETR archive.bin'],
  };
}

export function matrixScenarios(): Scenario[] {
  return NETWORK_PRESETS.flatMap((preset) =>
    MODES.map((mode) => preset.apply({ ...defaultScenario(), mode })),
  );
}

function median(sorted: number[]): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

function timeRuns(runs: { warmUp: number; measured: number }, work: () => void): number[] {
  for (let i = 0; i < runs.warmUp; i++) work();
  const times: number[] = [];
  for (let i = 0; i < runs.measured; i++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

function main(): void {
  const session = sessionScenario();
  const traceEvents = simulate(session).trace.length;
  const sessionTimes = timeRuns(SESSION_RUNS, () => simulate(session));

  const matrix = matrixScenarios();
  const matrixTimes = timeRuns(MATRIX_RUNS, () => {
    for (const scenario of matrix) simulate(scenario);
  });

  const sessionMedian = median(sessionTimes);
  const matrixMedian = median(matrixTimes);
  const lines = {
    session_ms_median: sessionMedian.toFixed(3),
    session_ms_p95: percentile(sessionTimes, 95).toFixed(3),
    session_runs: sessionTimes.length,
    matrix_ms: matrixMedian.toFixed(1),
    matrix_sessions: matrix.length,
    trace_events_session: traceEvents,
    budget_session_ms: BUDGET.sessionMs,
    budget_matrix_ms: BUDGET.matrixMs,
    within_budget: sessionMedian <= BUDGET.sessionMs && matrixMedian <= BUDGET.matrixMs,
  };
  for (const [key, value] of Object.entries(lines)) console.log(`${key}=${value}`);
}

main();
