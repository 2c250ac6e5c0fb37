/**
 * The presenter's projected window and the teacher's notes window talk over a BroadcastChannel
 * (same browser, same origin): the presenter says which step it shows, the notes window follows,
 * and the notes window's own buttons ask the presenter to move.
 */
export type PresenterMessage =
  | { type: 'showing'; lessonId: string; step: number }
  | { type: 'goto'; lessonId: string; step: number }
  | { type: 'hello' };

const NAME = 'ftp-lab-presenter';

function isMessage(data: unknown): data is PresenterMessage {
  if (!data || typeof data !== 'object') return false;
  const m = data as Record<string, unknown>;
  if (m.type === 'hello') return true;
  return (
    (m.type === 'showing' || m.type === 'goto') &&
    typeof m.lessonId === 'string' &&
    Number.isInteger(m.step)
  );
}

/** Opens the channel; returns a sender and a closer. Without a usable BroadcastChannel, a no-op. */
export function presenterChannel(onMessage: (message: PresenterMessage) => void): {
  send(message: PresenterMessage): void;
  close(): void;
} {
  const none = { send() {}, close() {} };
  if (typeof BroadcastChannel === 'undefined') return none;
  let channel: BroadcastChannel;
  try {
    channel = new BroadcastChannel(NAME);
  } catch {
    // A browser that blocks site data may refuse the channel too: the presenter then works alone.
    return none;
  }
  channel.onmessage = (event: MessageEvent) => {
    if (isMessage(event.data)) onMessage(event.data);
  };
  return {
    send(message) {
      try {
        channel.postMessage(message);
      } catch {
        // A closed channel: the notes window simply stops following.
      }
    },
    close: () => channel.close(),
  };
}
