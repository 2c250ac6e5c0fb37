import { describe, expect, it } from 'vitest';
import {
  applyPreset,
  isRejecting,
  natForwardOf,
  presetIdFor,
  rejectKindOf,
  setClientProgram,
  setNatForward,
  setRejectKind,
  setRejecting,
  setServerProgram,
  setTcpStack,
} from '../../../src/ui/controls/switches';
import { buildScenario, parseArgs } from '../../../src/cli/args';
import { rejectEverywhere, REJECT_KINDS } from '../../../src/scenario/reject-with';
import { simulate } from '../../../src/scenario/simulate';
import type { Scenario } from '../../../src/scenario/types';
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

/** The scenario `npm run sim -- <argv>` simulates. */
function simScenario(argv: string[]): Scenario {
  const parsed = parseArgs(argv);
  if (!parsed.ok) throw new Error(parsed.error);
  const built = buildScenario(parsed.options, defaultScenario());
  if (!built.ok) throw new Error(built.error);
  return built.value;
}

/** As the switchboard leaves a scenario: what a share link or a file writes of it. */
function text(scenario: Scenario): string {
  return JSON.stringify(canonicalScenario(scenario));
}

/** How many SYNs the first data connection's opener sent. */
function dataSyns(scenario: Scenario): number {
  return simulate(scenario).outcome.dataConnections[0]!.synCount;
}

describe('the switches the CLI has (issue 13)', () => {
  it('rejectEverywhere is what sim --reject and --reject-with do, on every network preset', () => {
    for (const preset of NETWORK_PRESETS) {
      const base = simScenario(['--preset', preset.id]);
      expect(text(rejectEverywhere(base)), preset.id).toBe(
        text(simScenario(['--preset', preset.id, '--reject'])),
      );
      for (const kind of REJECT_KINDS) {
        expect(text(rejectEverywhere(base, kind)), `${preset.id} ${kind}`).toBe(
          text(simScenario(['--preset', preset.id, '--reject-with', kind])),
        );
      }
    }
  });

  it('the answer a REJECT gives: set on every rule, the default written in none, DROP again clean', () => {
    const base = networkPreset('client-stateful')!.apply(defaultScenario());
    expect(rejectKindOf(base)).toBeNull();
    const rejecting = setRejecting(base, true);
    expect(rejectKindOf(rejecting)).toBe('icmp-port-unreachable');
    for (const kind of ['tcp-reset', 'icmp-admin-prohibited'] as const) {
      const answered = setRejectKind(rejecting, kind);
      expect(rejectKindOf(answered)).toBe(kind);
      // The same scenario as the CLI's, still recognised as the preset it was.
      expect(text(answered)).toBe(
        text(simScenario(['--preset', 'client-stateful', '--reject-with', kind])),
      );
      expect(presetIdFor(answered, 'client')).toBe('stateful');
      // Back to the default gives back --reject's scenario exactly (its seed, its link).
      expect(text(setRejectKind(answered, 'icmp-port-unreachable'))).toBe(text(rejecting));
      // Dropping again leaves no answer on a DROP rule (the schema refuses one).
      const dropped = setRejecting(answered, false);
      expect(validateScenario(JSON.parse(JSON.stringify(dropped))).ok).toBe(true);
      expect(text(dropped)).toBe(text(base));
      // Another preset keeps the answer.
      expect(rejectKindOf(applyPreset(answered, 'client', 'stateful-helper'))).toBe(kind);
    }
  });

  it('rules that disagree are mixed, and dropping a custom rule list removes their answers', () => {
    const base = setRejecting(networkPreset('client-stateful')!.apply(defaultScenario()), true);
    const rules = base.clientSide.firewall!.rules.map((r, i) =>
      r.action === 'REJECT' && i === 2 ? { ...r, rejectWith: 'tcp-reset' as const } : r,
    );
    const withServer = setRejecting(applyPreset(base, 'server', 'only-21'), true);
    const mixed = {
      ...withServer,
      clientSide: { ...withServer.clientSide, firewall: { ...base.clientSide.firewall!, rules } },
    };
    expect(rejectKindOf(mixed)).toBe('mixed');
    const custom = {
      ...mixed,
      clientSide: {
        ...mixed.clientSide,
        firewall: { ...mixed.clientSide.firewall!, rules: [rules[2]!] },
      },
    };
    expect(presetIdFor(custom, 'client')).toBe('custom');
    const dropped = setRejecting(custom, false);
    expect(dropped.clientSide.firewall!.rules[0]).not.toHaveProperty('rejectWith');
    expect(validateScenario(JSON.parse(JSON.stringify(dropped))).ok).toBe(true);
  });

  it('the TCP stack is --tcp: rfc6298 retries a dropped SYN fewer times than Linux', () => {
    const base = networkPreset('client-stateful')!.apply(defaultScenario());
    const textbook = setTcpStack(base, 'rfc6298');
    expect(text(textbook)).toBe(
      text(simScenario(['--preset', 'client-stateful', '--tcp', 'rfc6298'])),
    );
    expect(text(setTcpStack(textbook, 'linux'))).toBe(text(base));
    expect(setTcpStack(textbook, 'linux')).not.toHaveProperty('tcp');
    // As the CLI measures it (--json: dataConnections[0].synCount): 10 against 6 in 60 s.
    expect(dataSyns(base)).toBe(10);
    expect(dataSyns(textbook)).toBe(6);
  });

  it('the ports the server router forwards are --server-nat-forward', () => {
    const base = networkPreset('server-nat-public')!.apply(defaultScenario());
    expect(natForwardOf(base)).toBe('21+passive');
    const only21 = setNatForward(base, '21');
    expect(natForwardOf(only21)).toBe('21');
    expect(text(only21)).toBe(
      text(simScenario(['--preset', 'server-nat-public', '--server-nat-forward', '21'])),
    );
    expect(text(setNatForward(only21, '21+passive'))).toBe(text(base));
    const passive = (s: Scenario) => simulate({ ...s, mode: 'passive' }).outcome.result;
    expect(passive(base)).toBe('success');
    expect(passive(only21)).toBe('failure');
  });
});
