import { defaultScenario, NETWORK_PRESETS } from '../scenario/presets';
import type { DataMode, Scenario } from '../scenario/types';

const MODES: DataMode[] = ['active', 'passive', 'eprt', 'epsv'];

/** The what-if matrix: every data-connection mode under every network preset. */
export function matrixScenarios(): Scenario[] {
  return NETWORK_PRESETS.flatMap((preset) =>
    MODES.map((mode) => preset.apply({ ...defaultScenario(), mode })),
  );
}
