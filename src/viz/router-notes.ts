import { countAtOrBefore, type TraceIndex } from '../scenario/timeline';
import type { NodeId } from '../scenario/trace';
import { connectionOfStop, verdictLabel } from './connections';

/**
 * What the network view writes beside a router at t: the FTP helper's expectation while it waits
 * ("expect 192.0.2.10:53240 ← RELATED"), the moment it is met, the latest NAT rewrite, and a
 * count of the packets it stopped that belong to no connection line (those carry their own mark).
 * A pure function of (index, node, t); the events it reads are gathered once per trace.
 */

/** How long a NAT rewrite or a met expectation stays written, in virtual ms (6 s at 1×). */
export const NOTE_WINDOW_MS = 300;

export interface RouterNote {
  readonly key: string;
  readonly text: string;
  readonly kind: 'expect' | 'related' | 'nat' | 'stop';
}

interface Moment {
  readonly t: number;
  readonly lines: readonly string[];
}

interface RouterMoments {
  readonly nat: readonly Moment[];
  readonly natTimes: Float64Array;
  /** The helper's rewrites of PORT or 227 lines, kept apart so a packet's NAT does not hide them. */
  readonly alg: readonly Moment[];
  readonly algTimes: Float64Array;
  readonly matched: readonly Moment[];
  readonly matchedTimes: Float64Array;
  /** Stopped packets of no connection, as (time, verdict with the packet's label). */
  readonly stops: readonly { t: number; verdict: string }[];
  readonly stopTimes: Float64Array;
}

const memo = new WeakMap<TraceIndex, Map<NodeId, RouterMoments>>();

/** "source 192.168.1.10:40961 → 203.0.113.10:40961" as two short lines. */
function natLines(kind: 'snat' | 'dnat' | 'alg', detail: string): string[] {
  const arrow = detail.lastIndexOf(' → ');
  if (arrow < 0) return [detail];
  const before = detail.slice(0, arrow).split(' ').pop()!;
  const after = detail.slice(arrow + 3);
  if (kind === 'alg') {
    const command = /rewrote (\S+)/.exec(detail)?.[1] ?? 'line';
    return [`helper rewrote ${command}`, `${before} → ${after}`];
  }
  return [`${kind === 'snat' ? 'SNAT' : 'DNAT'} ${before}`, `→ ${after}`];
}

function momentsFor(index: TraceIndex, node: NodeId): RouterMoments {
  let byNode = memo.get(index);
  if (!byNode) {
    byNode = new Map();
    memo.set(index, byNode);
  }
  let found = byNode.get(node);
  if (found) return found;
  const nat: Moment[] = [];
  const alg: Moment[] = [];
  const matched: Moment[] = [];
  for (const event of index.events) {
    if (event.type === 'nat' && event.node === node)
      (event.kind === 'alg' ? alg : nat).push({
        t: event.t,
        lines: natLines(event.kind, event.detail),
      });
    else if (event.type === 'expect' && event.node === node && event.op === 'match') {
      const x = event.expectation;
      matched.push({ t: event.t, lines: [`RELATED: ${x.dst}:${x.dstPort}`] });
    }
  }
  const stops = index.drops
    .filter((d) => d.node === node && !connectionOfStop(index, d.eventIndex))
    .map((d) => ({ t: d.t, verdict: `${verdictLabel(d)} (${d.label})` }));
  found = {
    nat,
    natTimes: Float64Array.from(nat, (m) => m.t),
    alg,
    algTimes: Float64Array.from(alg, (m) => m.t),
    matched,
    matchedTimes: Float64Array.from(matched, (m) => m.t),
    stops,
    stopTimes: Float64Array.from(stops, (s) => s.t),
  };
  byNode.set(node, found);
  return found;
}

/** The latest moment at or before t, if it is younger than the window. */
function recent(moments: readonly Moment[], times: Float64Array, t: number): Moment | null {
  const k = countAtOrBefore(times, t);
  const moment = k > 0 ? moments[k - 1]! : null;
  return moment && t - moment.t < NOTE_WINDOW_MS ? moment : null;
}

export function routerNotesAt(index: TraceIndex, node: NodeId, t: number): RouterNote[] {
  const moments = momentsFor(index, node);
  const notes: RouterNote[] = [];
  const stopCount = countAtOrBefore(moments.stopTimes, t);
  const tally = new Map<string, number>();
  for (let i = 0; i < stopCount; i++) {
    const { verdict } = moments.stops[i]!;
    tally.set(verdict, (tally.get(verdict) ?? 0) + 1);
  }
  for (const [verdict, count] of tally)
    notes.push({ key: `stop ${verdict}`, text: `${verdict} ×${count}`, kind: 'stop' });
  // The expectations waiting at t (as conntrackAt finds them, without building the whole table).
  const router = index.routers.get(node);
  const added = router ? countAtOrBefore(router.expectationAddedAt, t) : 0;
  for (let i = 0; i < added; i++) {
    const span = router!.expectations[i]!;
    if (span.endsAt <= t) continue;
    const x = span.expectation;
    notes.push({
      key: `expect ${x.id}`,
      text: `expect ${x.dst}:${x.dstPort} ← RELATED`,
      kind: 'expect',
    });
  }
  const met = recent(moments.matched, moments.matchedTimes, t);
  if (met) notes.push({ key: 'related', text: met.lines[0]!, kind: 'related' });
  const helper = recent(moments.alg, moments.algTimes, t);
  if (helper)
    helper.lines.forEach((text, i) => notes.push({ key: `alg ${i}`, text, kind: 'expect' }));
  const rewrite = recent(moments.nat, moments.natTimes, t);
  if (rewrite)
    rewrite.lines.forEach((text, i) => notes.push({ key: `nat ${i}`, text, kind: 'nat' }));
  return notes;
}
