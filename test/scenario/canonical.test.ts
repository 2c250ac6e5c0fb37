import { describe, expect, it } from 'vitest';
import { buildScenario, defaultOptions } from '../../src/cli/args';
import { traceHash } from '../../src/export/json';
import { parseBlockData } from '../../src/lessons/block-data';
import { applyScenarioEntries, baseScenario } from '../../src/lessons/scenario-spec';
import { canonicalScenario } from '../../src/scenario/canonical';
import { defaultScenario, NETWORK_PRESETS } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import { DATA_MODES, type DataMode, type Scenario } from '../../src/scenario/types';
import { validateScenario } from '../../src/scenario/validate';
import { decodeState, encodeState } from '../../src/ui/app/url-state';

/** The same data with every object's keys in reverse order, as another program might write it. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, field]) => [key, reversedKeys(field)]),
  );
}

function valid(input: unknown): Scenario {
  const checked = validateScenario(input);
  if (!checked.ok) throw new Error(checked.error);
  return checked.value;
}

/** Every way a learner can reach one network preset in one mode. */
function waysToReach(presetId: string, mode: DataMode): Record<string, Scenario> {
  const preset = NETWORK_PRESETS.find((p) => p.id === presetId)!;
  const clicked: Scenario = { ...preset.apply(defaultScenario()), mode };
  const link = decodeState(`#${encodeState({ scenario: clicked, t: 0 })}`);
  if (!link.ok || !link.value) throw new Error('the link did not decode');
  const lesson = applyScenarioEntries(
    baseScenario(),
    parseBlockData(`preset: ${presetId}\nmode: ${mode}`).entries,
  );
  const cli = buildScenario({ ...defaultOptions(), preset: presetId, mode }, defaultScenario());
  if (!cli.ok) throw new Error(cli.error);
  return {
    'preset, then a click on the mode': clicked,
    'mode, then the preset': preset.apply({ ...defaultScenario(), mode }),
    'the same object with its keys reversed': reversedKeys(clicked) as Scenario,
    'a scenario file written in another key order': valid(
      JSON.parse(JSON.stringify(reversedKeys(clicked))),
    ),
    'the share link, opened fresh': link.value.scenario,
    'a lesson block': lesson,
    'npm run sim -- --preset --mode': cli.value,
  };
}

describe('every way of reaching a scenario gives the same trace (issue 11 item 12)', () => {
  // Before: the seed hashed JSON.stringify(scenario) in whatever key order the object was built
  // in, and validation reorders keys, so a clicked scenario and its own share link could differ
  // (Extended passive showed port 40098 on screen and 40082 from the link).
  for (const preset of NETWORK_PRESETS) {
    it(`${preset.id}, in every mode`, () => {
      for (const mode of DATA_MODES) {
        const hashes = Object.entries(waysToReach(preset.id, mode)).map(
          ([way, scenario]) => [way, traceHash(simulate(scenario).trace)] as const,
        );
        const [, first] = hashes[0]!;
        for (const [way, hash] of hashes)
          expect({ mode, way, hash }).toEqual({ mode, way, hash: first });
      }
    }, 30_000); // 28 simulations; the first also warms up the machines
  }

  it('keeps the key order validation has always produced, so files, links and lessons keep their traces', () => {
    for (const preset of NETWORK_PRESETS) {
      const scenario = preset.apply({ ...defaultScenario(), mode: 'epsv' });
      const validated = JSON.parse(JSON.stringify(scenario));
      expect(JSON.stringify(canonicalScenario(scenario))).toBe(JSON.stringify(valid(validated)));
      expect(JSON.stringify(canonicalScenario(reversedKeys(scenario) as Scenario))).toBe(
        JSON.stringify(valid(validated)),
      );
    }
  });

  it('covers every field of a scenario', () => {
    expect(Object.keys(canonicalScenario(defaultScenario())).sort()).toEqual(
      Object.keys(defaultScenario()).sort(),
    );
  });
});
