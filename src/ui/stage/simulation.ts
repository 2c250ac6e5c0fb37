import type { SimulationResult } from '../../scenario/simulate';
import type { Scenario } from '../../scenario/types';

/**
 * A page's sessions are simulated in a worker (simulation-worker.ts), so simulate() stays out of
 * the first load (issue 12: XState, the machines and the network were a third of it) and a flip
 * costs the main thread only the drawing. Here: the bookkeeping (which request is the latest,
 * which answers are stale, the results already worked out) and the channel to the worker; the
 * page's reactive side is simulation.svelte.ts.
 */
export interface SimulationRequest {
  id: number;
  scenario: Scenario;
}

export type SimulationAnswer =
  | { id: number; result: SimulationResult }
  /** simulate() threw: the page runs it itself, so the error surfaces as it did before. */
  | { id: number; error: string };

export type Asked =
  | { kind: 'known'; result: SimulationResult }
  | { kind: 'ask'; request: SimulationRequest }
  /** Already asked and not yet answered (flipped away and back meanwhile): that answer will do. */
  | { kind: 'asked' };

/**
 * Results by the scenario's text: flipping a switch back shows the session at once. Sessions are
 * a few hundred kB at the largest inputs, so only the last few are kept; the oldest go first.
 */
export const KEPT_RESULTS = 8;

/** Ids are unique across every page's requests, as they share one worker. */
let lastId = 0;

export class LatestSimulation {
  #latest: string | null = null;
  /** Requests not yet answered: id → the scenario's text. */
  readonly #asked = new Map<number, string>();
  readonly #known = new Map<string, SimulationResult>();

  /** The latest scenario: its result if already known, otherwise the request to send. */
  ask(scenario: Scenario): Asked {
    const key = JSON.stringify(scenario);
    this.#latest = key;
    const known = this.#known.get(key);
    if (known) {
      this.#known.delete(key); // most recently used goes last
      this.#known.set(key, known);
      return { kind: 'known', result: known };
    }
    for (const asked of this.#asked.values()) if (asked === key) return { kind: 'asked' };
    const id = ++lastId;
    this.#asked.set(id, key);
    return { kind: 'ask', request: { id, scenario } };
  }

  /**
   * Keeps a result, and returns it if it answers the latest scenario; null for an answer to a
   * scenario the learner has already left (kept, for a flip back) or to no request of ours.
   */
  receive(id: number, result: SimulationResult): SimulationResult | null {
    const key = this.#asked.get(id);
    if (key === undefined) return null;
    this.#asked.delete(id);
    this.#known.delete(key);
    this.#known.set(key, result);
    if (this.#known.size > KEPT_RESULTS) this.#known.delete(this.#known.keys().next().value!);
    return key === this.#latest ? result : null;
  }

  /** Whether an answer to request `id` is still awaited (a worker that failed leaves some). */
  awaits(id: number): boolean {
    return this.#asked.has(id);
  }
}

export type OnAnswer = (id: number, result: SimulationResult) => void;

const waiting = new Map<number, { request: SimulationRequest; onAnswer: OnAnswer }>();
let worker: Worker | null = null;
let workerFailed = typeof Worker === 'undefined';

/**
 * Sends a request to the one worker every page shares (started on first use, kept warm), and
 * calls `onAnswer` with its result; if the worker cannot start, runs simulate() on the page.
 */
export function askWorker(request: SimulationRequest, onAnswer: OnAnswer): void {
  waiting.set(request.id, { request, onAnswer });
  if (!workerFailed && !worker) {
    try {
      worker = startWorker();
    } catch {
      workerFailed = true;
    }
  }
  try {
    if (worker) return worker.postMessage(request);
  } catch {
    // A scenario the structured clone refuses (a reactive proxy): this one runs on the page.
  }
  void simulateHere(request.id);
}

function startWorker(): Worker {
  const started = new Worker(new URL('./simulation-worker.ts', import.meta.url), {
    type: 'module',
  });
  started.onmessage = (event: MessageEvent<SimulationAnswer>) => {
    const answer = event.data;
    if ('error' in answer) void simulateHere(answer.id);
    else answered(answer.id, answer.result);
  };
  // A worker that cannot start (a strict policy, a failed fetch) leaves the sessions to the page.
  started.onerror = () => {
    workerFailed = true;
    started.terminate();
    worker = null;
    for (const id of waiting.keys()) void simulateHere(id);
  };
  return started;
}

function answered(id: number, result: SimulationResult): void {
  const entry = waiting.get(id);
  if (!entry) return;
  waiting.delete(id);
  entry.onAnswer(id, result);
}

/** The fallback: simulate() on the main thread, fetched the first time it is needed. */
async function simulateHere(id: number): Promise<void> {
  const { simulate } = await import('../../scenario/simulate');
  const entry = waiting.get(id);
  if (entry) answered(id, simulate(entry.request.scenario));
}
