import { NETWORK_PRESETS } from '../../scenario/presets';
import type { SimulationResult } from '../../scenario/simulate';
import type { DataMode, Scenario } from '../../scenario/types';
import type { ProgramVerdicts } from './what-if-programs';

/**
 * The what-if answers: the same network under other settings, reduced to what the row and the
 * table show. Computed in a Web Worker (what-if-worker.ts, answering with what-if-answer.ts) so
 * that flipping a switch redraws the current session at once and the comparisons follow a moment
 * later, without blocking a frame. This module is what the page needs to ask and to put answers
 * together; it does not import simulate(), which stays out of the first load (issue 12).
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
  /** Also run every client program in every mode on this network (the program axis). */
  programs?: boolean;
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
  /** client program → mode → verdict, when asked for (part 0's job when shared). */
  programs: ProgramVerdicts | null;
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
  return { id: first.id, modes: first.modes, presets, programs: first.programs, simulated };
}

/** Without a worker: the same answer on the main thread, simulate() fetched the first time. */
export async function answerWhatIfOnPage(request: WhatIfRequest): Promise<WhatIfAnswer> {
  return (await import('./what-if-answer')).answerWhatIf(request);
}
