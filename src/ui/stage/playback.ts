import {
  describeEventForScreenReader,
  duration,
  eventsUpTo,
  nextEventTime,
  packetsInFlightAt,
  previousEventTime,
  type TraceIndex,
} from '../../scenario/queries';
import { countAtOrBefore } from '../../scenario/timeline';
import { connectionOfStop, stopMomentsOf } from '../../viz/connections';
import { formatTime } from '../../scenario/vocabulary';

/**
 * How playback turns wall time into virtual time. A real session is too quick to watch (a round
 * trip is 44 ms) and then too slow (a dropped SYN waits 60 s), so 1× is slow motion and long
 * waits with nothing on the wire are skipped, each skip announced. Playback never passes a drop,
 * a reject or a refusal between two frames: it lands on it and holds still for a moment, so the
 * stopped packet is seen at the node that stopped it (and can pause there, if asked).
 */
export const PLAYBACK = {
  /** Virtual milliseconds per wall millisecond at 1×: 20 times slower than real time. */
  virtualMsPerWallMs: 0.05,
  speeds: [0.25, 0.5, 1, 2, 4] as const,
  /** A quiet stretch longer than this (virtual ms) is skipped while playing. */
  skipGapsLongerThanMs: 400,
  /** How far before the next event a skip lands, so the viewer sees it coming. */
  leadInMs: 20,
  /** How long (wall ms at 1×) playback holds still on a drop, a reject or a refusal. */
  holdAtStopWallMs: 700,
  /** How long (wall ms) the "waiting… skipped" label stays up after a skip. */
  skipNoticeWallMs: 1500,
} as const;

export interface Advance {
  t: number;
  /** Set when a quiet stretch was skipped: from where to where, and how long nothing happened. */
  skipped: { from: number; to: number; quietMs?: number } | null;
  /** The end was reached: playback should stop. */
  ended: boolean;
  /** Wall ms still to hold still at the stop just reached; pass it to the next frame. */
  hold: number;
  /** The drop, reject or refusal (trace event index) this frame landed on, if any. */
  stoppedAt: number | null;
}

/** The first drop, reject or refusal in (from, to], as (time, event index); null if none. */
export function firstStopIn(
  index: TraceIndex,
  from: number,
  to: number,
): { t: number; eventIndex: number } | null {
  const { times, events } = stopMomentsOf(index);
  const k = countAtOrBefore(times, from);
  return k < times.length && times[k]! <= to ? { t: times[k]!, eventIndex: events[k]! } : null;
}

/** "waiting… 29 s skipped": what a skipped quiet stretch is called on screen. */
export function skipNotice(skipped: NonNullable<Advance['skipped']>): string {
  return `waiting… ${formatTime(skipped.quietMs ?? skipped.to - skipped.from, 'duration')} skipped`;
}

/**
 * One animation frame: move from t by the wall time that passed, skipping long silences but
 * landing on every stop. `hold` is what the previous frame returned: while it lasts, t stays.
 */
export function advance(
  index: TraceIndex,
  t: number,
  wallMs: number,
  speed: number,
  hold = 0,
): Advance {
  const end = duration(index);
  if (hold > wallMs)
    return { t, skipped: null, ended: t >= end, hold: hold - wallMs, stoppedAt: null };
  const wall = wallMs - hold;
  let next = Math.min(end, t + wall * speed * PLAYBACK.virtualMsPerWallMs);
  const stop = firstStopIn(index, t, next);
  if (stop) {
    const holdFor = PLAYBACK.holdAtStopWallMs / Math.max(1, speed);
    return { t: stop.t, skipped: null, ended: false, hold: holdFor, stoppedAt: stop.eventIndex };
  }
  let skipped: Advance['skipped'] = null;
  if (packetsInFlightAt(index, next).length === 0) {
    const upcoming = nextEventTime(index, next);
    if (upcoming !== null && upcoming - next > PLAYBACK.skipGapsLongerThanMs) {
      const to = upcoming - PLAYBACK.leadInMs;
      const lastEvent = index.eventTimes[eventsUpTo(index, next) - 1] ?? 0;
      skipped = { from: next, to, quietMs: upcoming - lastEvent };
      next = to;
    }
  }
  return { t: next, skipped, ended: next >= end, hold: 0, stoppedAt: null };
}

/**
 * Reduced motion plays one step per beat instead of animating: the same step as →, reporting a
 * long quiet stretch it jumped and the stop it landed on, as `advance` does.
 */
export function stepForward(
  index: TraceIndex,
  t: number,
): Pick<Advance, 't' | 'skipped' | 'stoppedAt' | 'ended'> {
  const next = step(index, t, 1);
  const quiet = packetsInFlightAt(index, t).length === 0;
  const skipped = quiet && next - t > PLAYBACK.skipGapsLongerThanMs ? { from: t, to: next } : null;
  const stop = firstStopIn(index, t, next);
  return { t: next, skipped, stoppedAt: stop?.eventIndex ?? null, ended: next >= duration(index) };
}

const ORDINALS = ['', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh'];

/**
 * What the live region says when playback reaches a drop, a reject or a refusal: "Client firewall
 * drops the server's SYN (rule 3: inbound: drop everything else), for the third time."
 */
export function stopAnnouncement(index: TraceIndex, eventIndex: number): string {
  const event = index.events[eventIndex];
  if (!event) return '';
  const sentence = describeEventForScreenReader(event, index);
  const stops = connectionOfStop(index, eventIndex)?.stops ?? [];
  const n = stops.filter((s) => s.eventIndex <= eventIndex && s.action !== 'refused').length;
  if (n < 2) return `${sentence}.`;
  return `${sentence}, for the ${ORDINALS[n] ?? `${n}th`} time.`;
}

/** Step to the next or previous moment where something happens (a packet sent, a state change…). */
export function step(index: TraceIndex, t: number, direction: 1 | -1): number {
  const target = direction === 1 ? nextEventTime(index, t) : previousEventTime(index, t);
  return target ?? (direction === 1 ? duration(index) : 0);
}
