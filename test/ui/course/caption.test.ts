import { describe, expect, it } from 'vitest';
import { plainCaption } from '../../../src/ui/course/caption';
import { defaultScenario, networkPreset } from '../../../src/scenario/presets';
import { indexTrace, type TraceIndex } from '../../../src/scenario/queries';
import { simulate } from '../../../src/scenario/simulate';
import type { Scenario } from '../../../src/scenario/types';

function run(presetId: string, change: Partial<Scenario> = {}): TraceIndex {
  return indexTrace(simulate(networkPreset(presetId)!.apply({ ...defaultScenario(), ...change })));
}

/** Every distinct caption a run shows, in order, as a presenter steps through its events. */
function captions(index: TraceIndex): string[] {
  const seen: string[] = [];
  for (const t of [0, ...index.stepTimes]) {
    const caption = plainCaption(index, t);
    if (seen[seen.length - 1] !== caption) seen.push(caption);
  }
  return seen;
}

describe('the presenter caption', () => {
  it('says the login in plain words, with the line itself', () => {
    const all = captions(run('no-firewall', { mode: 'passive' }));
    expect(all).toContain('The client logs in: USER student');
    expect(all.some((c) => c.startsWith('The server accepts the login: 230'))).toBe(true);
    expect(all.some((c) => c.startsWith('The server says which port to connect to'))).toBe(true);
    expect(all[0]).toBe('Client sends SYN to server port 21: opening a connection');
  });

  it('never shows a machine state name', () => {
    for (const preset of ['no-firewall', 'client-stateful', 'server-only-21-reject']) {
      for (const mode of ['active', 'passive'] as const) {
        for (const caption of captions(run(preset, { mode }))) {
          expect(caption).not.toMatch(/awaiting|state:|→ [A-Z_]{4,}|starts in/);
        }
      }
    }
  });

  it('names the drop when a firewall stops the server, over the line sent at that moment', () => {
    const index = run('client-stateful', { mode: 'active' });
    const drop = index.events.find((e) => e.type === 'drop')!;
    expect(plainCaption(index, drop.t)).toMatch(/^Client firewall drops the server's SYN \(rule/);
  });

  it('before anything happens, says so', () => {
    expect(plainCaption(run('no-firewall'), -1)).toBe('Nothing has happened yet.');
  });
});
