import { describe, expect, it } from 'vitest';
import { localStore } from '../../../src/ui/app/storage';

function memoryStorage(overrides: Partial<Storage> = {}): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    key: (i) => [...data.keys()][i] ?? null,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
    ...overrides,
  };
}

describe('local storage for the visit (issue 11 item 11)', () => {
  it('is the browser storage when it can be written', () => {
    const storage = memoryStorage();
    expect(localStore({ localStorage: storage })).toBe(storage);
    expect(storage.length).toBe(0);
  });

  it('is null when merely reading window.localStorage throws, as with site data blocked', () => {
    const blocked = Object.defineProperty({}, 'localStorage', {
      get() {
        throw new DOMException('Access is denied for this document.', 'SecurityError');
      },
    });
    expect(localStore(blocked)).toBeNull();
  });

  it('is null when writing throws, and when there is no storage at all', () => {
    const full = memoryStorage({
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    });
    expect(localStore({ localStorage: full })).toBeNull();
    expect(localStore({})).toBeNull();
  });
});
