import { describe, expect, it } from 'vitest';
import { ascending, median, percentile } from '../../src/cli/bench-stats';

describe('median', () => {
  it('takes the middle of an odd list and the mean of the two middles of an even one', () => {
    expect(median([1, 2, 9])).toBe(2);
    expect(median([1, 2, 4, 9])).toBe(3);
  });
});

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('is the nearest rank: the smallest value with p % of the list at or below it', () => {
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile([10, 20, 30], 95)).toBe(30);
  });

  it('stays inside the list at both ends', () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile(hundred, 100)).toBe(100);
  });
});

describe('ascending', () => {
  it('sorts numerically without touching its argument', () => {
    const times = [10, 9, 100];
    expect(ascending(times)).toEqual([9, 10, 100]);
    expect(times).toEqual([10, 9, 100]);
  });
});
