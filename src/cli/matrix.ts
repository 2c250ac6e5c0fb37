import { defaultScenario, NETWORK_PRESETS } from '../scenario/presets';
import { CLIENT_PROGRAMS, DATA_MODES, type Scenario } from '../scenario/types';

/** The what-if matrix: every data-connection mode under every network preset. */
export function matrixScenarios(): Scenario[] {
  return NETWORK_PRESETS.flatMap((preset) =>
    DATA_MODES.map((mode) => preset.apply({ ...defaultScenario(), mode })),
  );
}

/** The matrix's program axis (issue 13): every client program in every mode under every preset. */
export function matrixProgramScenarios(): Scenario[] {
  return matrixScenarios().flatMap((scenario) =>
    CLIENT_PROGRAMS.map((program) => ({ ...scenario, client: { ...scenario.client, program } })),
  );
}
