import {
  CLIENT_PROGRAMS,
  DATA_MODES,
  programsOf,
  type ClientProgram,
  type DataMode,
  type Scenario,
} from '../../scenario/types';
import type { Verdict } from './what-if';

/** client program → mode → verdict: the what-if table's program axis. */
export type ProgramVerdicts = Record<ClientProgram, Record<DataMode, Verdict>>;

/**
 * Every client program in every mode on this network, nothing else changed. The program the
 * scenario already plays keeps the scenario's own client settings as they are, so its row is the
 * mode strip's sessions (the same cache key) and costs nothing more.
 */
export function everyProgram(
  scenario: Scenario,
  verdictFor: (scenario: Scenario) => Verdict,
): ProgramVerdicts {
  const playing = programsOf(scenario).client;
  return Object.fromEntries(
    CLIENT_PROGRAMS.map((program) => {
      const client = program === playing ? scenario.client : { ...scenario.client, program };
      const modes = DATA_MODES.map((mode) => [mode, verdictFor({ ...scenario, client, mode })]);
      return [program, Object.fromEntries(modes)];
    }),
  ) as ProgramVerdicts;
}
