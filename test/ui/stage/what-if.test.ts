import { describe, expect, it } from 'vitest';
import { defaultScenario, NETWORK_PRESETS, networkPreset } from '../../../src/scenario/presets';
import { simulate } from '../../../src/scenario/simulate';
import type { Scenario } from '../../../src/scenario/types';
import { mergeWhatIf, splitWhatIf, type WhatIfAnswer } from '../../../src/ui/stage/what-if';
import { answerWhatIf } from '../../../src/ui/stage/what-if-answer';

describe('what-if answers', () => {
  const scenario = networkPreset('client-stateful')!.apply(defaultScenario());

  it('give every mode on the same network, as simulate() does', () => {
    const answer = answerWhatIf({ id: 7, scenario, presets: false });
    expect(answer.id).toBe(7);
    expect(answer.presets).toBeNull();
    expect(Object.fromEntries(Object.entries(answer.modes).map(([m, v]) => [m, v.works]))).toEqual({
      active: false,
      passive: true,
      eprt: false,
      epsv: true,
    });
    expect(answer.modes.active.reason).toBe(
      simulate(scenario).outcome.explanation.split('. ')[0] + '.',
    );
  });

  it('give every mode under every preset when asked', () => {
    const answer = answerWhatIf({ id: 1, scenario, presets: true });
    expect(Object.keys(answer.presets!)).toEqual(NETWORK_PRESETS.map((p) => p.id));
    expect(answer.presets!['client-stateful-helper']!.active.works).toBe(true);
    expect(answer.presets!['server-only-21']!.passive.works).toBe(false);
  }, 30_000); // 72 sessions: well under a second alone, slow on a loaded 2-core machine

  it('come out the same when shared among workers and merged', () => {
    const request = { id: 3, scenario, presets: true };
    const whole = answerWhatIf(request);
    for (const workers of [2, 3, 4]) {
      const shares = splitWhatIf(request, workers);
      expect(shares).toHaveLength(workers);
      // Every preset is some share's job, and only one share's.
      const answers = shares.map(answerWhatIf);
      const counted = answers.flatMap((a) => Object.keys(a.presets!));
      expect(counted.sort()).toEqual(NETWORK_PRESETS.map((p) => p.id).sort());
      expect(withoutCount(mergeWhatIf(answers))).toEqual(withoutCount(whole));
    }
  }, 60_000);

  it('stay whole when only the current network is asked about', () => {
    const request = { id: 4, scenario, presets: false };
    const shares = splitWhatIf(request, 4);
    expect(shares).toHaveLength(1);
    expect(withoutCount(mergeWhatIf(shares.map(answerWhatIf)))).toEqual(
      withoutCount(answerWhatIf(request)),
    );
  });

  it('simulate only the sessions whose scenario changed since they were last answered', () => {
    // A network no other test asks about, so nothing is answered yet.
    const fresh = { ...scenario, commands: ['LIST', 'NOOP'] };
    const first = answerWhatIf({ id: 1, scenario: fresh, presets: true });
    // Every mode of every distinct network once (a preset that changes nothing is this network).
    const networks = new Set(
      [fresh, ...NETWORK_PRESETS.map((preset) => preset.apply(fresh))].map((network) =>
        JSON.stringify({ ...network, mode: 'active' }),
      ),
    );
    expect(networks.size).toBeGreaterThan(NETWORK_PRESETS.length / 2);
    expect(first.simulated).toBe(4 * networks.size);
    // The same network again, and in another mode: the same sessions, all answered already.
    expect(answerWhatIf({ id: 2, scenario: fresh, presets: true }).simulated).toBe(0);
    const otherMode = answerWhatIf({
      id: 3,
      scenario: { ...fresh, mode: 'passive' },
      presets: true,
    });
    expect(otherMode.simulated).toBe(0);
    expect(withoutCount(otherMode)).toEqual({ ...withoutCount(first), id: 3 });

    // The client firewall's helper ticked: this network is now the preset table's "client
    // firewall with FTP helper" row, answered already, and every row sets the client side
    // itself, so nothing is simulated.
    const unanswered = (network: Scenario) =>
      new Set(
        [network, ...NETWORK_PRESETS.map((preset) => preset.apply(network))]
          .map((each) => JSON.stringify({ ...each, mode: 'active' }))
          .filter((text) => !networks.has(text)),
      ).size;
    const helped = { ...fresh, clientSide: { ...fresh.clientSide, ftpHelper: true } };
    const flipped = answerWhatIf({ id: 4, scenario: helped, presets: true });
    expect(flipped.simulated).toBe(4 * unanswered(helped));
    expect(flipped.simulated).toBe(0);
    expect(flipped.modes.active.works).toBe(true);
    // Binary transfers, which no row sets: every network is new.
    const binary: Scenario = { ...fresh, type: 'binary' };
    const retyped = answerWhatIf({ id: 5, scenario: binary, presets: true });
    expect(retyped.simulated).toBe(4 * unanswered(binary));
    expect(retyped.simulated).toBe(first.simulated);
    // Back to the network it started from: nothing to simulate.
    expect(answerWhatIf({ id: 6, scenario: fresh, presets: true }).simulated).toBe(0);
  }, 60_000);
});

function withoutCount({ simulated, ...rest }: WhatIfAnswer) {
  void simulated;
  return rest;
}
