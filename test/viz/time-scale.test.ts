import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressedTimeScale } from '../../src/viz/time-scale';

describe('compressedTimeScale', () => {
  it('gives each distinct time its own row, at least minStep apart, in time order', () => {
    const scale = compressedTimeScale([5, 0, 1, 1, 0.001, 3], { minStep: 10, maxGap: 100 });
    expect(Array.from(scale.times)).toEqual([0, 0.001, 1, 3, 5]);
    expect(Array.from(scale.rows)).toEqual([0, 10, 20, 30, 40]);
    expect(scale.height).toBe(40);
    expect(scale.breaks).toEqual([]);
  });

  it('gives gaps that are kept room in proportion to their length, never less than minStep', () => {
    const scale = compressedTimeScale([0, 1, 101], { minStep: 10, maxGap: 200, pxPerMs: 0.5 });
    expect(scale.y(1)).toBe(10);
    expect(scale.y(101)).toBe(60);
  });

  it('collapses gaps longer than maxGap into breaks that name what they skip', () => {
    const scale = compressedTimeScale([0, 10, 30_010, 30_020, 90_020], {
      minStep: 10,
      maxGap: 100,
      breakStep: 40,
    });
    expect(scale.breaks).toEqual([
      { t0: 10, t1: 30_010, y: 30 },
      { t0: 30_020, t1: 90_020, y: 80 },
    ]);
    expect(scale.height).toBe(100);
  });

  it('never makes a break shorter than the longest gap it keeps', () => {
    const scale = compressedTimeScale([0, 100, 10_000], { minStep: 10, maxGap: 100, pxPerMs: 1 });
    expect(scale.y(100)).toBe(100);
    expect(scale.y(10_000) - scale.y(100)).toBe(100);
  });

  it('interpolates between times, so a moment between two events has a place', () => {
    const scale = compressedTimeScale([0, 10, 20], { minStep: 10, maxGap: 100 });
    expect(scale.y(5)).toBe(5);
    expect(scale.y(12.5)).toBe(12.5);
    const gapped = compressedTimeScale([0, 1000], { minStep: 10, maxGap: 100, breakStep: 40 });
    expect(gapped.y(500)).toBe(20);
  });

  it('holds still before the first time and after the last, and copes with no times', () => {
    const scale = compressedTimeScale([10, 20], { minStep: 10, maxGap: 100 });
    expect(scale.y(-5)).toBe(0);
    expect(scale.y(1e9)).toBe(10);
    const empty = compressedTimeScale([], { minStep: 10, maxGap: 100 });
    expect(empty.height).toBe(0);
    expect(empty.y(3)).toBe(0);
    const one = compressedTimeScale([7, 7, Number.NaN], { minStep: 10, maxGap: 100 });
    expect(one.height).toBe(0);
    expect(Array.from(one.times)).toEqual([7]);
  });

  it('is monotonic everywhere, and strictly so by at least minStep between distinct times', () => {
    const time = fc.double({ min: 0, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(time, { minLength: 1, maxLength: 60 }),
        fc.array(time, { minLength: 2, maxLength: 20 }),
        fc.double({ min: 1, max: 30, noNaN: true }),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (times, probes, minStep, maxGap, pxPerMs) => {
          const scale = compressedTimeScale(times, { minStep, maxGap, pxPerMs });
          const sorted = [...probes].sort((a, b) => a - b);
          for (let i = 1; i < sorted.length; i++)
            expect(scale.y(sorted[i]!)).toBeGreaterThanOrEqual(scale.y(sorted[i - 1]!));
          for (let i = 1; i < scale.times.length; i++)
            expect(scale.y(scale.times[i]!) - scale.y(scale.times[i - 1]!)).toBeGreaterThanOrEqual(
              minStep - 1e-9,
            );
          expect(scale.y(scale.times[scale.times.length - 1]!)).toBe(scale.height);
          for (const gap of scale.breaks) expect(gap.t1 - gap.t0).toBeGreaterThan(maxGap);
        },
      ),
    );
  });
});
