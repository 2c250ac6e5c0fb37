import { describe, expect, it } from 'vitest';
import {
  applyPreset,
  isRejecting,
  presetIdFor,
  setClientProgram,
  setRejecting,
  setServerProgram,
} from '../../../src/ui/controls/switches';
import { canonicalScenario } from '../../../src/scenario/canonical';
import { programsOf } from '../../../src/scenario/types';
import { NETWORK_PRESETS, defaultScenario, networkPreset } from '../../../src/scenario/presets';
import { validateScenario } from '../../../src/scenario/validate';

describe('switchboard ↔ scenario', () => {
  it('recognises the firewall preset of each side of every network preset', () => {
    for (const preset of NETWORK_PRESETS) {
      const scenario = preset.apply(defaultScenario());
      expect(presetIdFor(scenario, 'client')).not.toBe('custom');
      expect(presetIdFor(scenario, 'server')).not.toBe('custom');
    }
    expect(
      presetIdFor(networkPreset('client-stateful-reject')!.apply(defaultScenario()), 'client'),
    ).toBe('stateful');
  });

  it('applying a preset keeps NAT and the REJECT choice', () => {
    let scenario = networkPreset('client-nat')!.apply(defaultScenario());
    scenario = setRejecting(scenario, true);
    scenario = applyPreset(scenario, 'client', 'stateful-helper');
    expect(scenario.clientSide.nat).toBe(true);
    expect(scenario.clientSide.ftpHelper).toBe(true);
    expect(isRejecting(scenario)).toBe(true);
    expect(presetIdFor(scenario, 'client')).toBe('stateful-helper');
  });

  it('REJECT on and off again gives back the original rules', () => {
    for (const preset of NETWORK_PRESETS) {
      const scenario = preset.apply(defaultScenario());
      if (isRejecting(scenario)) continue;
      const back = setRejecting(setRejecting(scenario, true), false);
      expect(back).toEqual(scenario);
    }
  });

  it('recognises presets in a scenario read back from JSON (key order differs)', () => {
    const scenario = networkPreset('server-only-21')!.apply(defaultScenario());
    const reread = validateScenario(JSON.parse(JSON.stringify(scenario)));
    expect(reread.ok && presetIdFor(reread.value, 'server')).toBe('only-21');
  });

  it('a rule list that is no preset is custom', () => {
    const scenario = networkPreset('client-stateful')!.apply(defaultScenario());
    const edited = {
      ...scenario,
      clientSide: {
        ...scenario.clientSide,
        firewall: {
          ...scenario.clientSide.firewall!,
          rules: scenario.clientSide.firewall!.rules.slice(0, 2),
        },
      },
    };
    expect(presetIdFor(edited, 'client')).toBe('custom');
  });
});

describe('program pickers (issue 13)', () => {
  it('play another program on the same network, and the defaults leave the scenario as it was', () => {
    const base = defaultScenario();
    const curl = setClientProgram(base, 'curl');
    expect(programsOf(curl).client).toBe('curl');
    expect(curl.clientSide).toBe(base.clientSide);
    const py = setServerProgram(curl, 'pyftpdlib');
    expect(programsOf(py)).toMatchObject({ client: 'curl', server: 'pyftpdlib' });
    const back = setServerProgram(setClientProgram(py, 'rfc959'), 'vsftpd');
    expect(JSON.stringify(canonicalScenario(back))).toBe(JSON.stringify(canonicalScenario(base)));
  });
});
