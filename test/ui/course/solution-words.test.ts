import { describe, expect, it } from 'vitest';
import { solutionChanges } from '../../../src/ui/course/solution-words';

describe("a task's solution in words", () => {
  it('lists each changed setting with its path, switches as on and off', () => {
    const before = { mode: 'active', clientSide: { ftpHelper: false, nat: null }, rules: [1, 2] };
    const after = { mode: 'passive', clientSide: { ftpHelper: true, nat: null }, rules: [1, 2, 3] };
    expect(solutionChanges(before, after)).toEqual([
      'mode: active → passive',
      'clientSide.ftpHelper: off → on',
      'rules: 2 items → 3 items',
    ]);
  });

  it('is empty when nothing changed', () => {
    expect(solutionChanges({ a: [{ b: 1 }] }, { a: [{ b: 1 }] })).toEqual([]);
  });
});
