import type { SessionEvent, SessionRecording } from '../../node/recording';
import { formatEndpoint } from '../../protocol/endpoint';
import { PLAYBACK } from '../stage/playback';

/**
 * Playing a real session back: the rows appear at the recording's own pace, slowed down as the
 * simulator's playback is (1× is 20 times slower than real time) and with long quiet stretches
 * skipped, so a 50 ms session is watchable and a 30 s timeout does not stall the class.
 */

/** With reduced motion, one row at this calm pace (wall ms at 1×), as the sandbox steps. */
const REDUCED_MOTION_STEP_MS = 700;

export interface RevealWait {
  /** Wall milliseconds to wait before revealing the next event. */
  wallMs: number;
  /** The quiet stretch that was skipped (recording ms), or 0. */
  skippedMs: number;
}

/** How long to wait, having shown `shown` events, before showing the next one. */
export function revealWait(
  events: readonly SessionEvent[],
  shown: number,
  speed: number,
  reducedMotion: boolean,
): RevealWait {
  if (reducedMotion) return { wallMs: REDUCED_MOTION_STEP_MS / speed, skippedMs: 0 };
  const previous = shown === 0 ? 0 : events[shown - 1]!.t;
  const gap = Math.max(0, (events[shown]?.t ?? previous) - previous);
  const quiet = gap > PLAYBACK.skipGapsLongerThanMs;
  const virtualMs = quiet ? PLAYBACK.leadInMs : gap;
  return {
    wallMs: virtualMs / (speed * PLAYBACK.virtualMsPerWallMs),
    skippedMs: quiet ? gap : 0,
  };
}

/**
 * A data connection's two ends, from the opener to the one that accepted. `npm run record` runs
 * the client, so in a recording `local` is the client's end and `remote` the server's.
 */
export function dataConnectionEnds(event: Extract<SessionEvent, { kind: 'data-open' }>): {
  from: string;
  to: string;
} {
  const client = `client ${formatEndpoint(event.local)}`;
  const server = `server ${formatEndpoint(event.remote)}`;
  return event.opener === 'client' ? { from: client, to: server } : { from: server, to: client };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One event in words, for the live region and for reading the ladder aloud. */
export function describeEvent(event: SessionEvent): string {
  switch (event.kind) {
    case 'line':
      return event.from === 'client'
        ? `Client to server: ${event.text}`
        : `Server to client: ${event.text}`;
    case 'data-open': {
      const { from, to } = dataConnectionEnds(event);
      return `Data connection ${event.id} opened by the ${event.opener}: ${from} to ${to}`;
    }
    case 'data-close':
      return `Data connection ${event.id} closed: the client sent ${plural(event.bytesSent, 'byte')} and received ${plural(event.bytesReceived, 'byte')}`;
    case 'note':
      return `Note: ${event.text}`;
  }
}

/** "2025-01-31 09:00:00 UTC": the same text for everyone, whatever the viewer's locale. */
export function formatRecordedAt(recordedAt: string): string {
  const date = new Date(recordedAt);
  if (Number.isNaN(date.getTime())) return recordedAt;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function describeOutcome(recording: SessionRecording): string {
  if (recording.outcome.ok) return 'The session succeeded.';
  const reason = recording.outcome.failure ?? 'no reason was recorded';
  return `The session failed: ${reason.replace(/\.$/, '')}.`;
}
