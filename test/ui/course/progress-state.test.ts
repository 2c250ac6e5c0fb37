import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A browser with site data blocked: reading `localStorage` at all throws (issue 11 item 11). */
function blockStorage(): void {
  Object.defineProperty(globalThis, 'localStorage', {
    configurable: true,
    get() {
      throw new DOMException('Access is denied for this document.', 'SecurityError');
    },
  });
}

/** Storage that takes a small write but not the progress, as a nearly full one does. */
function fullStorage(): void {
  const data = new Map<string, string>();
  Object.defineProperty(globalThis, 'localStorage', {
    configurable: true,
    value: {
      getItem: (key: string) => data.get(key) ?? null,
      setItem: (key: string, value: string) => {
        if (key === 'ftp-lab.progress') throw new DOMException('full', 'QuotaExceededError');
        data.set(key, value);
      },
      removeItem: (key: string) => void data.delete(key),
    },
  });
}

async function freshProgress() {
  vi.resetModules();
  return (await import('../../../src/ui/course/progress-state.svelte')).progress;
}

describe('progress without storage', () => {
  beforeEach(() => vi.resetModules());
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('loads, keeps progress for the visit and says it will not be kept, when storage is blocked', async () => {
    blockStorage();
    const progress = await freshProgress();
    expect(() => progress.load()).not.toThrow();
    expect(progress.unsaved).toBe(true);
    progress.complete('active-mode', 1);
    expect(progress.value.lessons['active-mode']!.completed).toEqual([1]);
  });

  it('says so once a write fails, and keeps the progress in memory', async () => {
    fullStorage();
    const progress = await freshProgress();
    progress.load();
    expect(progress.unsaved).toBe(false);
    progress.complete('active-mode', 0);
    expect(progress.unsaved).toBe(true);
    expect(progress.value.lessons['active-mode']!.completed).toEqual([0]);
  });
});
