import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answerFor,
  completeStep,
  completedCount,
  emptyProgress,
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

  it('never throws on any stored text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const { progress } = loadProgress(memoryStore(text));
        expect(progress.version).toBe(1);
      }),
    );
  });
});
