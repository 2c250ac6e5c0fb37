import { describe, expect, it } from 'vitest';
import { playbackKeyAction, PLAYBACK_KEYS, withKey } from '../../../src/ui/stage/playback-keys';

/** A focused element, as far as the keymap looks at it: what `closest` finds around it. */
function focused(...matches: string[]) {
  return {
    closest: (selector: string) =>
      selector
        .split(',')
        .map((s) => s.trim())
        .some((s) => matches.includes(s))
        ? {}
        : null,
  };
}

const press = (key: string, target: unknown = null, extra: Partial<KeyboardEvent> = {}) =>
  playbackKeyAction({
    key,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    defaultPrevented: false,
    target: target as EventTarget | null,
    ...extra,
  });

describe('the playback keymap', () => {
  it('maps K, Space, the arrows, Home and End on the page', () => {
    expect(['k', 'K', ' ', 'ArrowRight', 'ArrowLeft', 'Home', 'End'].map((k) => press(k))).toEqual([
      'toggle',
      'toggle',
      'toggle',
      'next',
      'previous',
      'start',
      'end',
    ]);
    expect(press('x')).toBeNull();
  });

  it('leaves Space to a focused checkbox or button, but K still plays there', () => {
    const checkbox = focused('input');
    expect(press(' ', checkbox)).toBeNull();
    expect(press('k', checkbox)).toBe('toggle');
    const button = focused('button');
    expect(press(' ', button)).toBeNull();
    expect(press('K', button)).toBe('toggle');
    expect(press('ArrowRight', button)).toBe('next');
  });

  it('never takes a key from where the learner types, a select, a dialog or a tab list', () => {
    const text = focused('input:not([type])', 'input');
    expect(press('k', text)).toBeNull();
    expect(press('ArrowLeft', text)).toBeNull();
    expect(press('Home', focused('select'))).toBeNull();
    expect(press('ArrowRight', focused('[role="tablist"]'))).toBeNull();
    expect(press('k', focused('dialog[open]'))).toBeNull();
  });

  it('ignores keys with a modifier, and keys someone else already handled', () => {
    expect(press('ArrowRight', null, { altKey: true })).toBeNull();
    expect(press('k', null, { ctrlKey: true })).toBeNull();
    expect(press('End', null, { defaultPrevented: true })).toBeNull();
  });

  it('titles a control with the key that does the same', () => {
    expect(withKey('Play', 'toggle')).toBe('Play (K or Space)');
    expect(withKey('Next event', 'next')).toBe('Next event (→)');
    for (const { keys } of Object.values(PLAYBACK_KEYS)) expect(keys.length).toBeGreaterThan(0);
  });
});
