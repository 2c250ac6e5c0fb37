import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answerFor,
  completeStep,
  completedCount,
  emptyProgress,
  fitProgress,
  isCompleted,
  loadProgress,
  PROGRESS_KEY,
  recordAnswer,
  saveProgress,
  type ProgressStore,
} from '../../../src/ui/course/progress';

function memoryStore(initial?: string): ProgressStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  if (initial !== undefined) data.set(PROGRESS_KEY, initial);
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('learner progress', () => {
  it('records completed steps and answers, and survives a reload', () => {
    let progress = emptyProgress();
    progress = completeStep(progress, 'active-mode', 2);
    progress = completeStep(progress, 'active-mode', 0);
    progress = completeStep(progress, 'active-mode', 2);
    progress = recordAnswer(progress, 'active-mode', 2, 'server');
    const store = memoryStore();
    saveProgress(store, progress);
    const { progress: loaded, discarded } = loadProgress(store);
    expect(discarded).toBe(false);
    expect(loaded.lessons['active-mode']!.completed).toEqual([0, 2]);
    expect(answerFor(loaded, 'active-mode', 2)).toBe('server');
    expect(isCompleted(loaded, 'active-mode', 1)).toBe(false);
    expect(completedCount(loaded, 'active-mode', 2)).toBe(1);
  });

  it('starts empty without stored progress or without storage at all', () => {
    expect(loadProgress(memoryStore())).toEqual({ progress: emptyProgress(), discarded: false });
    expect(loadProgress(null)).toEqual({ progress: emptyProgress(), discarded: false });
    const broken: ProgressStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(loadProgress(broken).discarded).toBe(false);
    expect(() => saveProgress(broken, emptyProgress())).not.toThrow();
  });

  it('discards corrupted progress with a notice instead of crashing', () => {
    for (const text of [
      '{not json',
      'null',
      '[]',
      '{"version":2,"lessons":{}}',
      '{"version":1,"lessons":{"x":{"completed":"all","answers":{}}}}',
      '{"version":1,"lessons":{"x":{"completed":[-1],"answers":{}}}}',
      '{"version":1,"lessons":{"x":{"completed":[1],"answers":{"1":{"a":1}}}}}',
    ]) {
      const store = memoryStore(text);
      const loaded = loadProgress(store);
      expect(loaded, text).toEqual({ progress: emptyProgress(), discarded: true });
      expect(store.data.has(PROGRESS_KEY)).toBe(false);
    }
  });

  it('keeps only the fields it knows, and no key that would reach a prototype', () => {
    const stored =
      '{"version":1,"extra":1,"lessons":{"nat":{"completed":[1],"answers":{"1":"client"},"x":2},' +
      '"__proto__":{"completed":[0],"answers":{}},"constructor":{"completed":[0],"answers":{}}}}';
    const { progress, discarded } = loadProgress(memoryStore(stored));
    expect(discarded).toBe(false);
    expect(progress).toEqual({
      version: 1,
      lessons: { nat: { completed: [1], answers: { '1': 'client' } } },
    });
    expect(Object.getPrototypeOf(progress.lessons)).toBe(Object.prototype);
    expect(Object.keys(progress.lessons)).toEqual(['nat']);
  });

  it('never throws on any stored text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const { progress } = loadProgress(memoryStore(text));
        expect(progress.version).toBe(1);
      }),
    );
  });

  it('reads each completed step once, in order, however often it was stored (issue 11 item 13)', () => {
    const stored = JSON.stringify({
      version: 1,
      lessons: { 'active-mode': { completed: [3, 0, 0, 0, 0, 0, 0, 0, 0, 3], answers: {} } },
    });
    const { progress, discarded } = loadProgress(memoryStore(stored));
    expect(discarded).toBe(false);
    expect(progress.lessons['active-mode']!.completed).toEqual([0, 3]);
    expect(completedCount(progress, 'active-mode', 5)).toBe(2);
  });

  it('never counts more steps done than a lesson has, even from repeated steps in memory', () => {
    const repeated = {
      version: 1 as const,
      lessons: { x: { completed: [0, 0, 0, 9], answers: {} } },
    };
    expect(completedCount(repeated, 'x', 5)).toBe(1);
  });

  it('fits progress to the course: unknown lessons, steps and answers beyond the last step go', () => {
    const progress = {
      version: 1 as const,
      lessons: {
        'active-mode': { completed: [4, 0, 7, 2, 2], answers: { '0': 'server', '7': 'x', a: 1 } },
        'no-longer-a-lesson': { completed: [0], answers: {} },
      },
    };
    const lessons = [
      { id: 'active-mode', steps: [1, 2, 3, 4, 5] },
      { id: 'nat', steps: [1] },
    ];
    expect(fitProgress(progress, lessons)).toEqual({
      version: 1,
      lessons: { 'active-mode': { completed: [0, 2, 4], answers: { '0': 'server' } } },
    });
  });

  it('says when progress could not be stored', () => {
    const full: ProgressStore = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(saveProgress(full, emptyProgress())).toBe(false);
    expect(saveProgress(null, emptyProgress())).toBe(false);
    expect(saveProgress(memoryStore(), emptyProgress())).toBe(true);
  });

  it('fitted progress never counts more done than there are steps, for any stored list', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 999 })),
        fc.integer({ min: 0, max: 20 }),
        (completed, steps) => {
          const stored = JSON.stringify({ version: 1, lessons: { x: { completed, answers: {} } } });
          const { progress } = loadProgress(memoryStore(stored));
          const fitted = fitProgress(progress, [{ id: 'x', steps: Array.from({ length: steps }) }]);
          expect(fitted.lessons.x!.completed.length).toBeLessThanOrEqual(steps);
          expect(completedCount(progress, 'x', steps)).toBeLessThanOrEqual(steps);
        },
      ),
    );
  });
});
