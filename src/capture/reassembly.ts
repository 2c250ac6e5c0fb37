import type { Direction } from './connections';

/**
 * One direction of a control connection put back in sequence order: retransmitted and
 * overlapping bytes once, out-of-order segments where they belong, and every hole said as a
 * hole (bytes never captured, or cut off by the snap length) rather than guessed.
 */

export interface StreamLine {
  tMs: number;
  frame: number;
  text: string;
  /** Bytes missing inside or before this line; the text marks where. */
  missing: number;
}

export interface StreamGap {
  tMs: number;
  /** Offset in the stream where bytes are missing. */
  at: number;
  bytes: number;
  why: 'not captured' | 'cut by the snap length';
}

export interface Reassembled {
  lines: StreamLine[];
  gaps: StreamGap[];
  /** A last line with no CRLF when the capture ended. */
  unterminated: boolean;
}

const MAX_LINE = 4096;

export function reassemble(dir: Direction): Reassembled {
  const base = dir.isn !== null ? (dir.isn + 1) >>> 0 : (dir.firstSeq ?? 0);
  const segments = dir.segments
    .map((s, order) => ({ s, rel: (s.seq - base) | 0, order }))
    .sort((a, b) => a.rel - b.rel || a.order - b.order);
  const lines: StreamLine[] = [];
  const gaps: StreamGap[] = [];
  let cursor = segments.length > 0 && dir.isn === null ? Math.min(0, segments[0]!.rel) : 0;
  let text = '';
  let lineMs = 0;
  let lineFrame = 0;
  let missing = 0;
  // A line can be read only once every byte before it has arrived: its time is the latest
  // arrival so far in stream order, so an out-of-order segment never puts a line before the one
  // that precedes it in the stream (and the merge with the other direction stays in order).
  let streamMs = -Infinity;
  const markGap = (bytes: number, tMs: number, why: StreamGap['why']) => {
    gaps.push({ tMs, at: cursor, bytes, why });
    if (text === '') lineMs = Math.max(tMs, streamMs);
    text += `[${bytes} bytes ${why}]`;
    missing += bytes;
  };
  for (const { s, rel } of segments) {
    const end = rel + s.length;
    if (end <= cursor) continue;
    streamMs = Math.max(streamMs, s.tMs);
    if (rel > cursor) {
      markGap(rel - cursor, s.tMs, 'not captured');
      cursor = rel;
    }
    const from = cursor - rel;
    const held = s.payload.length;
    for (let i = from; i < held; i++) {
      const byte = s.payload[i]!;
      if (text === '') {
        lineMs = streamMs;
        lineFrame = s.frame;
      }
      if (byte === 0x0a) {
        lines.push({ tMs: lineMs, frame: lineFrame, text: text.replace(/\r$/, ''), missing });
        text = '';
        missing = 0;
      } else if (text.length < MAX_LINE) text += String.fromCharCode(byte);
    }
    cursor = rel + Math.max(held, from);
    if (held < s.length) {
      markGap(s.length - Math.max(held, from), s.tMs, 'cut by the snap length');
      cursor = end;
    }
  }
  const unterminated = text !== '';
  if (unterminated) lines.push({ tMs: lineMs, frame: lineFrame, text, missing });
  return { lines, gaps, unterminated };
}
