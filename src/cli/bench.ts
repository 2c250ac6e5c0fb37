import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { defaultScenario } from '../scenario/presets';
import { simulate } from '../scenario/simulate';
import type { Scenario } from '../scenario/types';
import { benchCapture } from './bench-capture';
import { median, percentile } from './bench-stats';
import { matrixProgramScenarios, matrixScenarios } from './matrix';
import { CLIENT_PROGRAMS, SERVER_PROGRAMS, TCP_STACKS } from '../scenario/types';

/**
 * `npm run bench`: wall-clock cost of simulate() for one full session and for the what-if
 * matrix (every mode under every network preset), printed as key=value lines against the
 * budgets that keep the UI instant. The matrix is timed on one thread and, as the app computes
 * it, spread over one warm worker per core. Always exits 0: numbers to read, not a test.
 */

// Issue 13: a session within 2 ms, whichever client and server program plays it.
const BUDGET = { sessionMs: 2, matrixMs: 150 };
// Enough warm-up for V8 to optimise the hot paths: the numbers describe steady use (a learner flipping switches).
const SESSION_RUNS = { warmUp: 100, measured: 300 };
// Fifteen runs: on a shared 2-core machine a median of seven still moved by a third between runs.
const MATRIX_RUNS = { warmUp: 3, measured: 15 };
const PARALLEL_WARM_UP_ROUNDS = 20;

/** Connect, log in, LIST, RETR the 64 KiB binary file in passive mode, QUIT; no firewall. */
export function sessionScenario(): Scenario {
  return {
    ...defaultScenario(),
    mode: 'passive',
    type: 'binary',
    commands: ['LIST', 'RETR archive.bin'],
  };
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

/** Wall time for warm workers, one per core, to simulate the whole matrix between them. */
async function timeParallelMatrix(workers: number): Promise<number[]> {
  const pool = Array.from({ length: workers }, (_, offset) => {
    const worker = new Worker(new URL('./bench-worker-entry.mjs', import.meta.url), {
      workerData: { offset, stride: workers },
    });
    // A worker that dies fails the benchmark loudly rather than hanging it.
    worker.on('error', (error) => {
      throw error;
    });
    return worker;
  });
  const round = () =>
    Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('message', () => resolve());
            worker.postMessage('run');
          }),
      ),
    );
  try {
    // Each worker has its own JIT to warm, as the main thread had.
    for (let i = 0; i < PARALLEL_WARM_UP_ROUNDS; i++) await round();
    const times: number[] = [];
    for (let i = 0; i < MATRIX_RUNS.measured; i++) {
      const start = performance.now();
      await round();
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b);
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}

async function main(): Promise<void> {
  const session = sessionScenario();
  const traceEvents = simulate(session).trace.length;
  const sessionTimes = timeRuns(SESSION_RUNS, () => simulate(session));

  const matrix = matrixScenarios();
  const matrixTimes = timeRuns(MATRIX_RUNS, () => {
    for (const scenario of matrix) simulate(scenario);
  });

  // The session played by each client and each server program (issue 13: each within 2 ms).
  const profileMedians: Record<string, string> = {};
  let slowestProfileMs = 0;
  const timeProfile = (name: string, played: Scenario) => {
    const ms = median(timeRuns(SESSION_RUNS, () => simulate(played)));
    slowestProfileMs = Math.max(slowestProfileMs, ms);
    profileMedians[`session_ms_median_${name}`] = ms.toFixed(3);
  };
  for (const program of CLIENT_PROGRAMS)
    timeProfile(`client_${program}`, { ...session, client: { ...session.client, program } });
  for (const program of SERVER_PROGRAMS)
    timeProfile(`server_${program}`, { ...session, server: { ...session.server, program } });
  for (const tcp of TCP_STACKS) timeProfile(`tcp_${tcp}`, { ...session, tcp });
  const programMatrix = matrixProgramScenarios();
  const programMatrixTimes = timeRuns({ warmUp: 1, measured: 5 }, () => {
    for (const scenario of programMatrix) simulate(scenario);
  });

  const workers = Math.max(1, Math.min(availableParallelism(), 4));
  const parallelTimes = await timeParallelMatrix(workers);

  const sessionMedian = median(sessionTimes);
  const matrixMedian = median(matrixTimes);
  const parallelMedian = median(parallelTimes);
  const lines = {
    session_ms_median: sessionMedian.toFixed(3),
    session_ms_p95: percentile(sessionTimes, 95).toFixed(3),
    session_runs: sessionTimes.length,
    matrix_ms: matrixMedian.toFixed(1),
    // The fastest run: how far the machine's other work moved the median.
    matrix_ms_min: matrixTimes[0]!.toFixed(1),
    matrix_parallel_ms: parallelMedian.toFixed(1),
    matrix_parallel_ms_min: parallelTimes[0]!.toFixed(1),
    matrix_workers: workers,
    matrix_sessions: matrix.length,
    ...profileMedians,
    matrix_programs_ms: median(programMatrixTimes).toFixed(1),
    matrix_programs_sessions: programMatrix.length,
    trace_events_session: traceEvents,
    budget_session_ms: BUDGET.sessionMs,
    budget_matrix_ms: BUDGET.matrixMs,
    within_budget_session: sessionMedian <= BUDGET.sessionMs,
    within_budget_session_every_program: slowestProfileMs <= BUDGET.sessionMs,
    within_budget_matrix_one_thread: matrixMedian <= BUDGET.matrixMs,
    within_budget_matrix_parallel: parallelMedian <= BUDGET.matrixMs,
  };
  for (const [key, value] of Object.entries({ ...lines, ...benchCapture() }))
    console.log(`${key}=${value}`);
}

void main();
