import { defaultScenario, NETWORK_PRESETS } from '../scenario/presets';
import { DATA_MODES, type Scenario } from '../scenario/types';

/** The what-if matrix: every data-connection mode under every network preset. */
export function matrixScenarios(): Scenario[] {
  return NETWORK_PRESETS.flatMap((preset) =>
    DATA_MODES.map((mode) => preset.apply({ ...defaultScenario(), mode })),
  );
}
