import { REMOTE_COMMANDS, type PresenterCommand } from './presenter-keys';

/**
 * The presenter's projected window and the teacher's notes window talk over a BroadcastChannel
 * (same browser, same origin). A show is a lesson walked in course order ("course") or a deck
 * (its list); positions count slides of that show. The presenter says where it is; the notes
 * window follows, asks it to move, and passes on the clicker's keys (a command), so the teacher
 * can drive the projected window from the notes.
 */
export type PresenterMessage =
  | { type: 'showing'; show: string; at: number; revealed: boolean }
  | { type: 'goto'; show: string; at: number }
  | { type: 'command'; command: PresenterCommand }
  | { type: 'hello' };

const NAME = 'ftp-lab-presenter';

function isMessage(data: unknown): data is PresenterMessage {
  if (!data || typeof data !== 'object') return false;
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'hello':
      return true;
    case 'command':
      return REMOTE_COMMANDS.includes(m.command as PresenterCommand);
    case 'showing':
    case 'goto':
      return (
        typeof m.show === 'string' &&
        Number.isInteger(m.at) &&
        (m.type === 'goto' || typeof m.revealed === 'boolean')
      );
    default:
      return false;
  }
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
