import { describe, expect, it } from 'vitest';
import { defaultScenario, NETWORK_PRESETS, networkPreset } from '../../../src/scenario/presets';
import { simulate } from '../../../src/scenario/simulate';
import { answerWhatIf, mergeWhatIf, splitWhatIf } from '../../../src/ui/stage/what-if';

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
      expect(mergeWhatIf(answers)).toEqual(whole);
    }
  }, 60_000);

  it('stay whole when only the current network is asked about', () => {
    const request = { id: 4, scenario, presets: false };
    const shares = splitWhatIf(request, 4);
    expect(shares).toHaveLength(1);
    expect(mergeWhatIf(shares.map(answerWhatIf))).toEqual(answerWhatIf(request));
  });
});
