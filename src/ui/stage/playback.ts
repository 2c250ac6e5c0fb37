import {
  duration,
  nextEventTime,
  packetsInFlightAt,
  previousEventTime,
  type TraceIndex,
} from '../../scenario/queries';

/**
 * How playback turns wall time into virtual time. A real session is too quick to watch (a round
 * trip is 44 ms) and then too slow (a dropped SYN waits 60 s), so 1× is slow motion and long
 * waits with nothing on the wire are skipped, each skip announced.
 */
export const PLAYBACK = {
  /** Virtual milliseconds per wall millisecond at 1×: 20 times slower than real time. */
  virtualMsPerWallMs: 0.05,
  speeds: [0.25, 0.5, 1, 2, 4] as const,
  /** A quiet stretch longer than this (virtual ms) is skipped while playing. */
  skipGapsLongerThanMs: 400,
  /** How far before the next event a skip lands, so the viewer sees it coming. */
  leadInMs: 20,
} as const;

export interface Advance {
  t: number;
  /** Set when a quiet stretch was skipped: from where to where. */
  skipped: { from: number; to: number } | null;
  /** The end was reached: playback should stop. */
  ended: boolean;
}

/** One animation frame: move from t by the wall time that passed, skipping long silences. */
export function advance(index: TraceIndex, t: number, wallMs: number, speed: number): Advance {
  const end = duration(index);
  let next = Math.min(end, t + wallMs * speed * PLAYBACK.virtualMsPerWallMs);
  let skipped: Advance['skipped'] = null;
  if (packetsInFlightAt(index, next).length === 0) {
    const upcoming = nextEventTime(index, next);
    if (upcoming !== null && upcoming - next > PLAYBACK.skipGapsLongerThanMs) {
      const to = upcoming - PLAYBACK.leadInMs;
      skipped = { from: next, to };
      next = to;
    }
  }
  return { t: next, skipped, ended: next >= end };
}

/** Step to the next or previous moment where something happens (a packet sent, a state change…). */
export function step(index: TraceIndex, t: number, direction: 1 | -1): number {
  const target = direction === 1 ? nextEventTime(index, t) : previousEventTime(index, t);
  return target ?? (direction === 1 ? duration(index) : 0);
}

export function formatTime(ms: number): string {
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(3)} s`;
}
