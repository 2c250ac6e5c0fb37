import { NETWORK_PRESETS } from '../../scenario/presets';
import { simulate, type SimulationResult } from '../../scenario/simulate';
import { DATA_MODES, type DataMode, type Scenario } from '../../scenario/types';

/**
 * The what-if answers: the same network under other settings, reduced to what the row and the
 * table show. Computed in a Web Worker (what-if-worker.ts) so that flipping a switch redraws the
 * current session at once and the comparisons follow a moment later, without blocking a frame.
 */
export interface Verdict {
  works: boolean;
  /** The first sentence of the outcome's explanation: enough to say why. */
  reason: string;
}

export interface WhatIfRequest {
  id: number;
  scenario: Scenario;
  /** Also run every mode under every network preset (the other axis). */
  presets: boolean;
  /**
   * This request's part of the work when several workers share it: part `index` of `of` answers
   * the current network's modes if it is part 0, and every `of`-th preset from `index`.
   */
  share?: { index: number; of: number };
}

export interface WhatIfAnswer {
  id: number;
  modes: Record<DataMode, Verdict>;
  /** preset id → mode → verdict, when asked for. */
  presets: Record<string, Record<DataMode, Verdict>> | null;
  /** How many of the sessions had to be simulated; the others were answered before. */
  simulated: number;
}

export function verdictOf(result: SimulationResult): Verdict {
  const text = result.outcome.explanation;
  const end = text.search(/\.(\s|$)/);
  return {
    works: result.outcome.result === 'success',
    reason: end > 0 ? text.slice(0, end + 1) : text,
  };
}

/**
 * Verdicts already worked out, by the scenario's text: a flipped switch changes only some of the
 * sessions the answer is made of (a mode flip none of them; the preset table's rows that set
 * that switch themselves stay too), and flipping it back changes none. Each worker keeps its own;
 * the shares deal it the same presets every time. Bounded: the oldest go first.
 */
const answered = new Map<string, Verdict>();
const MAX_ANSWERED = 2000;

function verdictFor(scenario: Scenario, counter: { simulated: number }): Verdict {
  const key = JSON.stringify(scenario);
  let verdict = answered.get(key);
  if (!verdict) {
    verdict = verdictOf(simulate(scenario));
    counter.simulated++;
    if (answered.size >= MAX_ANSWERED) answered.delete(answered.keys().next().value!);
    answered.set(key, verdict);
  }
  return verdict;
}

function everyMode(scenario: Scenario, counter: { simulated: number }): Record<DataMode, Verdict> {
  return Object.fromEntries(
    DATA_MODES.map((mode) => [mode, verdictFor({ ...scenario, mode }, counter)]),
  ) as Record<DataMode, Verdict>;
}

export function answerWhatIf(request: WhatIfRequest): WhatIfAnswer {
  const { index, of } = request.share ?? { index: 0, of: 1 };
  const mine = NETWORK_PRESETS.filter((_, position) => position % of === index);
  const counter = { simulated: 0 };
  const modes = index === 0 ? everyMode(request.scenario, counter) : NO_MODES;
  const presets = request.presets
    ? Object.fromEntries(
        mine.map((preset) => [preset.id, everyMode(preset.apply(request.scenario), counter)]),
      )
    : null;
  return { id: request.id, modes, presets, simulated: counter.simulated };
}

/** Stands for "not this part's job" in a share's answer; mergeWhatIf takes part 0's modes. */
const NO_MODES = {} as Record<DataMode, Verdict>;

/**
 * The request cut into `parts` shares for as many workers: the preset table is most of the work
 * (68 sessions against 4), so it is dealt out; a request without it stays whole.
 */
export function splitWhatIf(request: WhatIfRequest, parts: number): WhatIfRequest[] {
  const of = request.presets ? Math.max(1, Math.min(parts, NETWORK_PRESETS.length)) : 1;
  return Array.from({ length: of }, (_, index) => ({ ...request, share: { index, of } }));
}

/** The shares' answers (`answers[i]` to share i) put back together, presets in the table's order. */
export function mergeWhatIf(answers: readonly WhatIfAnswer[]): WhatIfAnswer {
  const first = answers[0]!;
  const presets = first.presets
    ? Object.fromEntries(
        NETWORK_PRESETS.flatMap((preset) => {
          const found = answers.find((answer) => answer.presets?.[preset.id]);
          return found ? [[preset.id, found.presets![preset.id]!]] : [];
        }),
      )
    : null;
  const simulated = answers.reduce((sum, answer) => sum + answer.simulated, 0);
  return { id: first.id, modes: first.modes, presets, simulated };
}
