import { NETWORK_PRESETS } from '../scenario/presets';
import { simulate, type SimulationResult } from '../scenario/simulate';
import { DATA_MODES, type DataMode, type Scenario } from '../scenario/types';

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
}

export interface WhatIfAnswer {
  id: number;
  modes: Record<DataMode, Verdict>;
  /** preset id → mode → verdict, when asked for. */
  presets: Record<string, Record<DataMode, Verdict>> | null;
}

export function verdictOf(result: SimulationResult): Verdict {
  const text = result.outcome.explanation;
  const end = text.search(/\.(\s|$)/);
  return {
    works: result.outcome.result === 'success',
    reason: end > 0 ? text.slice(0, end + 1) : text,
  };
}

function everyMode(scenario: Scenario): Record<DataMode, Verdict> {
  return Object.fromEntries(
    DATA_MODES.map((mode) => [mode, verdictOf(simulate({ ...scenario, mode }))]),
  ) as Record<DataMode, Verdict>;
}

export function answerWhatIf(request: WhatIfRequest): WhatIfAnswer {
  return {
    id: request.id,
    modes: everyMode(request.scenario),
    presets: request.presets
      ? Object.fromEntries(
          NETWORK_PRESETS.map((preset) => [preset.id, everyMode(preset.apply(request.scenario))]),
        )
      : null,
  };
}
