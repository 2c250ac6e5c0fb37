import { describe, expect, it } from 'vitest';
import { advance, formatTime, PLAYBACK, step } from '../../../src/ui/stage/playback';
import {
  duration,
  indexTrace,
  nextEventTime,
  packetsInFlightAt,
} from '../../../src/scenario/queries';
import { simulate } from '../../../src/scenario/simulate';
import { defaultScenario, networkPreset } from '../../../src/scenario/presets';

const failing = indexTrace(
  simulate(networkPreset('client-stateful')!.apply({ ...defaultScenario(), mode: 'active' })),
);

describe('playback', () => {
  it('1× plays twenty times slower than real time while packets are on the wire', () => {
    const t = 10; // the first SYN is on its way
    expect(packetsInFlightAt(failing, t).length).toBeGreaterThan(0);
    const next = advance(failing, t, 16, 1);
    expect(next.t).toBeCloseTo(t + 16 * PLAYBACK.virtualMsPerWallMs, 6);
    expect(next.skipped).toBeNull();
    expect(advance(failing, t, 16, 4).t).toBeCloseTo(t + 64 * PLAYBACK.virtualMsPerWallMs, 6);
  });

  it('skips the silence of a SYN backoff, landing just before the retransmission', () => {
    // After the first dropped data SYN nothing moves for about a second.
    const firstDrop = failing.drops[0]!;
    const from = firstDrop.t + 1;
    const result = advance(failing, from, 16, 1);
    expect(result.skipped).not.toBeNull();
    const retransmission = nextEventTime(failing, from)!;
    expect(result.t).toBeCloseTo(retransmission - PLAYBACK.leadInMs, 6);
    expect(result.t).toBeLessThan(retransmission);
  });

  it('stops at the end', () => {
    const end = duration(failing);
    expect(advance(failing, end - 0.01, 1000, 4)).toMatchObject({ t: end, ended: true });
  });

  it('steps forward and back between moments where something happens', () => {
    const a = step(failing, 0, 1);
    const b = step(failing, a, 1);
    expect(b).toBeGreaterThan(a);
    expect(step(failing, b, -1)).toBe(a);
    expect(step(failing, 0, -1)).toBe(0);
    expect(step(failing, duration(failing), 1)).toBe(duration(failing));
  });

  it('formats virtual time for people', () => {
    expect(formatTime(44)).toBe('44.0 ms');
    expect(formatTime(60352.7)).toBe('60.353 s');
  });
});
