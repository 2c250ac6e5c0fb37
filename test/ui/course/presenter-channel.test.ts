import { afterEach, describe, expect, it, vi } from 'vitest';
import { presenterChannel } from '../../../src/ui/course/presenter-channel';

describe('the presenter channel', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is a no-op when the browser refuses a BroadcastChannel, as with site data blocked', () => {
    vi.stubGlobal(
      'BroadcastChannel',
      class {
        constructor() {
          throw new DOMException('Access is denied for this document.', 'SecurityError');
        }
      },
    );
    const channel = presenterChannel(() => {});
    expect(() => channel.send({ type: 'hello' })).not.toThrow();
    expect(() => channel.close()).not.toThrow();
  });

  it('does not throw when a message cannot be posted', () => {
    vi.stubGlobal(
      'BroadcastChannel',
      class {
        onmessage: unknown = null;
        postMessage() {
          throw new DOMException('closed', 'InvalidStateError');
        }
        close() {}
      },
    );
    const channel = presenterChannel(() => {});
    expect(() =>
      channel.send({ type: 'showing', show: 'course', at: 1, revealed: false }),
    ).not.toThrow();
  });

  it('passes on only well-formed messages, and only the commands a notes window may send', () => {
    const received: unknown[] = [];
    let deliver: (data: unknown) => void = () => {};
    vi.stubGlobal(
      'BroadcastChannel',
      class {
        set onmessage(handler: (event: { data: unknown }) => void) {
          deliver = (data) => handler({ data });
        }
        postMessage() {}
        close() {}
      },
    );
    presenterChannel((message) => received.push(message));
    deliver({ type: 'command', command: 'next-event' });
    deliver({ type: 'command', command: 'notes' });
    deliver({ type: 'command', command: 'rm -rf' });
    deliver({ type: 'goto', show: 'course', at: 2 });
    deliver({ type: 'goto', show: 'course', at: 2.5 });
    deliver({ type: 'showing', show: 'deck:nat:1', at: 0, revealed: true });
    deliver({ type: 'showing', show: 'deck:nat:1', at: 0 });
    deliver('hello');
    expect(received).toEqual([
      { type: 'command', command: 'next-event' },
      { type: 'goto', show: 'course', at: 2 },
      { type: 'showing', show: 'deck:nat:1', at: 0, revealed: true },
    ]);
  });
});
