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
    expect(() => channel.send({ type: 'showing', lessonId: 'nat', step: 1 })).not.toThrow();
  });
});
