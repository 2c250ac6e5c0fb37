import { NETWORK_PRESETS } from '../../scenario/presets';
import { simulate } from '../../scenario/simulate';
import { DATA_MODES, type DataMode, type Scenario } from '../../scenario/types';
import { verdictOf, type Verdict, type WhatIfAnswer, type WhatIfRequest } from './what-if';
import { everyProgram } from './what-if-programs';

// The half of the what-if answers that simulates: run in the workers (what-if-worker.ts), or on
// the page through answerWhatIfOnPage when a worker cannot start.

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

/** Stands for "not this part's job" in a share's answer; mergeWhatIf takes part 0's modes. */
const NO_MODES = {} as Record<DataMode, Verdict>;

/** A request's answer (or its share's), simulating only the sessions not already answered. */
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
  const programs =
    request.programs && index === 0
      ? everyProgram(request.scenario, (scenario) => verdictFor(scenario, counter))
      : null;
  return { id: request.id, modes, presets, programs, simulated: counter.simulated };
}
