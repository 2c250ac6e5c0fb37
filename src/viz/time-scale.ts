/**
 * A vertical scale for virtual time that is very uneven: a session packs hundreds of events into
 * half a second, then a SYN retransmission waits a second, two, four... with nothing in between.
 * A linear scale would crush the first and stretch the second, so each distinct time gets a row
 * at least `minStep` apart, and any gap longer than `maxGap` is collapsed into a short break
 * that the view marks with the time it skips ("… 30 s …").
 */

export interface CompressedTimeScaleOptions {
  /** The least distance, in px, between two distinct times. */
  readonly minStep: number;
  /** A gap between consecutive times longer than this, in ms, is collapsed into a break. */
  readonly maxGap: number;
  /** Room for gaps that are not collapsed, in px per ms (never less than `minStep`); 0 by default. */
  readonly pxPerMs?: number;
  /**
   * The height of a collapsed gap. By default max(2 × minStep, maxGap × pxPerMs): a break is never
   * shorter than a gap that was kept, so a longer gap never looks shorter.
   */
  readonly breakStep?: number;
}

/** A collapsed gap from t0 to t1; `y` is the middle of the room it was given. */
export interface TimeBreak {
  readonly t0: number;
  readonly t1: number;
  readonly y: number;
}

export interface CompressedTimeScale {
  /**
   * Where time t sits, from 0 at the first time to `height` at the last. Linear between
   * consecutive times (a packet in flight is drawn at the moment between them), constant outside.
   */
  y(t: number): number;
  readonly height: number;
  readonly breaks: readonly TimeBreak[];
  /** The distinct times, ascending, and the row of each. */
  readonly times: Float64Array;
  readonly rows: Float64Array;
}

/** The index of the last value <= t in ascending `sorted`, or -1. */
function lastAtOrBefore(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export function compressedTimeScale(
  times: ArrayLike<number>,
  options: CompressedTimeScaleOptions,
): CompressedTimeScale {
  const { minStep, maxGap, pxPerMs = 0 } = options;
  const breakStep = options.breakStep ?? Math.max(2 * minStep, maxGap * pxPerMs);
  const distinct = Float64Array.from(Array.from(times).filter(Number.isFinite)).sort();
  let count = 0;
  for (let i = 0; i < distinct.length; i++) {
    if (count === 0 || distinct[i] !== distinct[count - 1]) distinct[count++] = distinct[i]!;
  }
  const sorted = distinct.slice(0, count);
  const rows = new Float64Array(count);
  const breaks: TimeBreak[] = [];
  for (let i = 1; i < count; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    const step = gap > maxGap ? breakStep : Math.max(minStep, gap * pxPerMs);
    rows[i] = rows[i - 1]! + step;
    if (gap > maxGap)
      breaks.push({ t0: sorted[i - 1]!, t1: sorted[i]!, y: rows[i - 1]! + step / 2 });
  }
  const height = count > 0 ? rows[count - 1]! : 0;

  function y(t: number): number {
    if (count === 0 || t <= sorted[0]!) return 0;
    if (t >= sorted[count - 1]!) return height;
    const i = lastAtOrBefore(sorted, t);
    const t0 = sorted[i]!;
    const t1 = sorted[i + 1]!;
    const y0 = rows[i]!;
    const y1 = rows[i + 1]!;
    // Rounding could put a moment just before t1 a hair past t1's row.
    return Math.min(y1, y0 + ((t - t0) / (t1 - t0)) * (y1 - y0));
  }

  return { y, height, breaks, times: sorted, rows };
}
