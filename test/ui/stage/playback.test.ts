import { describe, expect, it } from 'vitest';
import {
  advance,
  firstStopIn,
  PLAYBACK,
  skipNotice,
  step,
  stepForward,
  stopAnnouncement,
} from '../../../src/ui/stage/playback';
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
});

describe('playback lands on every stop instead of jumping over it', () => {
  /** Plays from 0 to the end in 16 ms frames, as the animation loop does. */
  function playThrough(index = failing) {
    const visited: { stoppedAt: number | null; t: number; skipped: boolean }[] = [];
    let t = 0;
    let hold = 0;
    for (let frame = 0; frame < 20_000; frame++) {
      const next = advance(index, t, 16, 1, hold);
      visited.push({ stoppedAt: next.stoppedAt, t: next.t, skipped: next.skipped !== null });
      t = next.t;
      hold = next.hold;
      if (next.ended) break;
    }
    return visited;
  }

  it('stops on each of the six dropped SYNs, at the time of the drop', () => {
    const stops = playThrough().filter((frame) => frame.stoppedAt !== null);
    expect(stops.map((frame) => frame.stoppedAt)).toEqual(failing.drops.map((d) => d.eventIndex));
    expect(stops.map((frame) => frame.t)).toEqual(failing.drops.map((d) => d.t));
  });

  it('holds still at a drop for a moment, then moves on', () => {
    const drop = failing.drops[0]!;
    const landed = advance(failing, drop.t - 0.1, 16, 1);
    expect(landed).toMatchObject({ t: drop.t, stoppedAt: drop.eventIndex });
    expect(landed.hold).toBe(PLAYBACK.holdAtStopWallMs);
    const held = advance(failing, landed.t, 16, 1, landed.hold);
    expect(held).toMatchObject({ t: drop.t, stoppedAt: null, hold: landed.hold - 16 });
    const after = advance(failing, drop.t, 16, 1, 10);
    expect(after.t).toBeGreaterThan(drop.t);
    expect(after.stoppedAt).toBeNull();
  });

  it('still skips the quiet stretches between them, and names each skip', () => {
    const frames = playThrough();
    expect(frames.filter((frame) => frame.skipped).length).toBeGreaterThanOrEqual(5);
    expect(frames.at(-1)!.t).toBe(duration(failing));
    expect(skipNotice({ from: 31_308, to: 60_266 })).toBe('waiting… 29 s skipped');
  });

  it('reports a stop in (from, to] only', () => {
    const drop = failing.drops[1]!;
    expect(firstStopIn(failing, drop.t - 1, drop.t)).toEqual({
      t: drop.t,
      eventIndex: drop.eventIndex,
    });
    expect(firstStopIn(failing, drop.t, drop.t + 1)).toBeNull();
  });

  it('with reduced motion, steps onto the drops and names the jumps between them', () => {
    let t = 0;
    const stops: number[] = [];
    let skips = 0;
    while (t < duration(failing)) {
      const next = stepForward(failing, t);
      if (next.stoppedAt !== null) stops.push(next.stoppedAt);
      if (next.skipped) skips++;
      t = next.t;
    }
    expect(stops).toEqual(failing.drops.map((d) => d.eventIndex));
    expect(skips).toBeGreaterThanOrEqual(5);
  });

  it('announces each drop with how many times it has happened', () => {
    const [first, second, , , , sixth] = failing.drops;
    expect(stopAnnouncement(failing, first!.eventIndex)).toMatch(
      /^Client firewall drops the server's SYN \(rule 3, ".*"\)\.$/,
    );
    expect(stopAnnouncement(failing, second!.eventIndex)).toMatch(/, for the second time\.$/);
    expect(stopAnnouncement(failing, sixth!.eventIndex)).toMatch(/, for the sixth time\.$/);
  });
});
