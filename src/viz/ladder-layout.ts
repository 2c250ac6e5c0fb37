import {
  describeEventForScreenReader,
  duration,
  nodeName,
  type DropMark,
  type PacketKind,
  type TraceIndex,
} from '../scenario/queries';
import { NODE_ORDER, ruleLabel, type NodeId } from '../scenario/trace';
import { formatTime } from '../scenario/vocabulary';
import { compressedTimeScale, type CompressedTimeScale } from './time-scale';

/**
 * Where everything in the ladder goes, computed once per trace (and width): lanes, one slanted
 * arrow per hop, drop marks, the collapsed gaps and the time ticks. Moving t never changes any
 * of it; the renderer only decides what is past, in flight or still to come.
 */

/** Distinct times at least this far apart, in px: a label's height plus a little air. */
const ROW = 15;
/** Gaps longer than this (ms) are collapsed into a break ("… 1 s …"). */
const MAX_GAP = 150;
const PX_PER_MS = 0.4;
/** The lanes' names' band: a line of 13.5 px names and a little air (it stays on screen, sticky). */
const HEADER = 40;
const FOOTER = 24;
const SIDE_MARGIN = 70;
/**
 * A phone (issue 12): the ladder is drawn 1:1 in a box narrower than this, so that its text stays
 * 11 px, and five lanes get 65 px each: a lane's name takes two lines ("client" over "firewall"),
 * the left margin keeps only the times' room and the right one the labels'.
 */
const NARROW = 480;
const NARROW_LEFT = 62;
const NARROW_RIGHT = 30;
/** The second line of a lane's name. */
export const HEADING_LINE = 15;
const TICK_SPACING = 130;
const HEAD_LENGTH = 7;
const HEAD_HALF_WIDTH = 3.5;
/**
 * Labels are 11.5px monospace: every character advances about 0.6em, so no measuring is needed.
 * The ladder is drawn 760 wide and scaled to its column (about 1.2× at 1280 px), so labels read
 * at about 14 px: legible from the back of a classroom.
 */
const LABEL_CHAR_WIDTH = 6.9;
const LABEL_HEIGHT = 14;
const LABEL_GAP = 9;
const RULE_GAP = 9;

/** Something a click (or Enter on a focused arrow) selects and seeks to. */
export interface LadderTarget {
  readonly eventIndex: number;
  readonly t: number;
}

export interface LaneLayout {
  readonly node: NodeId;
  readonly name: string;
  /** The name as written over the lane: one line, or a word a line where lanes are narrow. */
  readonly nameLines: readonly string[];
  readonly x: number;
}

export interface HopLayout extends LadderTarget {
  /** `${packet id}:${hop number}`, stable across renders of one trace. */
  readonly key: string;
  /** The hop's position in `index.hops`, which is in departure order. */
  readonly position: number;
  readonly packetId: number;
  readonly arriveAt: number;
  readonly kind: PacketKind;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** The arrowhead; null where the packet was dropped on arrival (the ✗ takes its place). */
  readonly head: string | null;
  /** On the hop leaving the originating node, and on a hop whose line a NAT helper rewrote. */
  readonly label: LabelLayout | null;
  /** The packet's first hop: the one a keyboard reaches, labelled for a screen reader. */
  readonly origin: boolean;
  readonly ariaLabel: string | null;
  readonly baseClass: string;
}

/** A label's text and the box behind it, which keeps arrows that cross it from striking it out. */
export interface LabelLayout {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'end';
  readonly box: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  };
  readonly baseClass: string;
}

export interface DropLayout extends LadderTarget {
  readonly key: string;
  /** The ✗ sits on the lane; the rule reads on the side the packet did not come from. */
  readonly x: number;
  readonly y: number;
  readonly ruleX: number;
  readonly ruleAnchor: 'start' | 'end';
  /** "rule 3", "policy": what decided. */
  readonly rule: string;
  readonly title: string;
  readonly baseClass: string;
}

export interface BreakLayout {
  readonly key: string;
  readonly t0: number;
  readonly t1: number;
  readonly y: number;
  readonly height: number;
  readonly text: string;
}

export interface TickLayout {
  readonly key: string;
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

export interface LadderLayout {
  readonly width: number;
  readonly height: number;
  /** The y of the first time, and of the last. */
  readonly top: number;
  readonly bottom: number;
  readonly scale: CompressedTimeScale;
  readonly lanes: readonly LaneLayout[];
  readonly hops: readonly HopLayout[];
  readonly drops: readonly DropLayout[];
  readonly breaks: readonly BreakLayout[];
  readonly ticks: readonly TickLayout[];
  /** Hop departures and arrivals in `hops` order, for the per-t pass. */
  readonly departures: Float64Array;
  readonly arrivals: Float64Array;
  readonly dropTimes: Float64Array;
  /** Positions in `hops` to highlight when an event is selected: the hop itself, or a packet's send. */
  readonly hopsByEvent: ReadonlyMap<number, readonly number[]>;
  readonly hopByEvent: ReadonlyMap<number, HopLayout>;
  readonly dropByEvent: ReadonlyMap<number, number>;
  readonly summary: string;
}

const round = (v: number) => Math.round(v * 100) / 100;

function arrowhead(x1: number, y1: number, x2: number, y2: number): string {
  const length = Math.hypot(x2 - x1, y2 - y1) || 1;
  const ux = (x2 - x1) / length;
  const uy = (y2 - y1) / length;
  const bx = x2 - ux * HEAD_LENGTH;
  const by = y2 - uy * HEAD_LENGTH;
  const nx = -uy * HEAD_HALF_WIDTH;
  const ny = ux * HEAD_HALF_WIDTH;
  return `M${round(x2)},${round(y2)}L${round(bx + nx)},${round(by + ny)}L${round(bx - nx)},${round(by - ny)}Z`;
}

function dropRule(mark: DropMark): string {
  if (mark.rule) return ruleLabel(mark.rule, 'number');
  if (mark.verdict?.by === 'policy') return 'policy';
  return mark.action === 'reject' ? 'rejected' : 'dropped';
}

function labelLayout(
  text: string,
  kind: PacketKind,
  x1: number,
  y1: number,
  rightward: boolean,
): LabelLayout {
  const x = x1 + (rightward ? LABEL_GAP : -LABEL_GAP);
  const y = round(y1 - 3);
  const width = text.length * LABEL_CHAR_WIDTH + 4;
  return {
    text,
    x,
    y,
    anchor: rightward ? 'start' : 'end',
    box: {
      x: rightward ? x - 2 : x - width + 2,
      y: y - LABEL_HEIGHT + 3,
      width,
      height: LABEL_HEIGHT,
    },
    baseClass: `ladder-label kind-${kind}`,
  };
}

export function ladderLayout(index: TraceIndex, width: number): LadderLayout {
  const narrow = width < NARROW;
  const left = narrow ? NARROW_LEFT : SIDE_MARGIN;
  const right = narrow ? NARROW_RIGHT : SIDE_MARGIN;
  const laneGap = (width - left - right) / (NODE_ORDER.length - 1);
  const lanes = NODE_ORDER.map((node, i): LaneLayout => {
    const name = nodeName(index, node);
    const space = name.indexOf(' ');
    return {
      node,
      name,
      nameLines: narrow && space > 0 ? [name.slice(0, space), name.slice(space + 1)] : [name],
      x: round(left + i * laneGap),
    };
  });
  const laneX = new Map(lanes.map((lane) => [lane.node, lane.x]));

  const times: number[] = [0, duration(index)];
  for (const { event } of index.hops) times.push(event.t, event.arriveAt);
  for (const mark of index.drops) times.push(mark.t);
  const scale = compressedTimeScale(times, {
    minStep: ROW,
    maxGap: MAX_GAP,
    pxPerMs: PX_PER_MS,
  });
  const top = HEADER + (lanes.some((lane) => lane.nameLines.length > 1) ? HEADING_LINE : 0);
  const yOf = (t: number) => round(top + scale.y(t));

  const sends = new Map<number, number>();
  for (let i = 0; i < index.events.length; i++) {
    const event = index.events[i]!;
    if (event.type === 'send' && !sends.has(event.packet.id)) sends.set(event.packet.id, i);
  }
  const dropOf = new Map<number, DropMark>();
  for (const mark of index.drops) dropOf.set(mark.packet.id, mark);
  const lastHopOf = new Map<number, number>();
  index.hops.forEach((hop, i) => lastHopOf.set(hop.event.packet.id, i));

  const hopCount = new Map<number, number>();
  const previousLabel = new Map<number, string>();
  const hopsByEvent = new Map<number, number[]>();
  const hopByEvent = new Map<number, HopLayout>();
  const select = (eventIndex: number, position: number) => {
    const list = hopsByEvent.get(eventIndex);
    if (list) list.push(position);
    else hopsByEvent.set(eventIndex, [position]);
  };

  const hops = index.hops.map((record, position): HopLayout => {
    const { event, kind, label: text } = record;
    const id = event.packet.id;
    const number = hopCount.get(id) ?? 0;
    hopCount.set(id, number + 1);
    const origin = number === 0;
    const rewritten = !origin && previousLabel.get(id) !== text;
    previousLabel.set(id, text);
    const x1 = laneX.get(event.from)!;
    const x2 = laneX.get(event.to)!;
    const y1 = yOf(event.t);
    const y2 = yOf(event.arriveAt);
    const drop = dropOf.get(id);
    const droppedHere =
      drop !== undefined && lastHopOf.get(id) === position && drop.node === event.to;
    const rightward = x2 >= x1;
    const sendIndex = sends.get(id);
    const hop: HopLayout = {
      key: `${id}:${number}`,
      position,
      packetId: id,
      eventIndex: record.eventIndex,
      t: event.t,
      arriveAt: event.arriveAt,
      kind,
      x1,
      y1,
      x2,
      y2,
      head: droppedHere ? null : arrowhead(x1, y1, x2, y2),
      label: origin || rewritten ? labelLayout(text, kind, x1, y1, rightward) : null,
      origin,
      ariaLabel: origin
        ? [
            describeEventForScreenReader(index.events[sendIndex ?? record.eventIndex]!, index),
            drop ? describeEventForScreenReader(index.events[drop.eventIndex]!, index) : null,
          ]
            .filter(Boolean)
            .join('. ')
        : null,
      baseClass:
        `ladder-packet kind-${kind}` +
        (origin ? ' origin' : '') +
        (rewritten ? ' rewritten' : '') +
        (droppedHere ? ' dropped' : ''),
    };
    select(record.eventIndex, position);
    if (origin && sendIndex !== undefined) select(sendIndex, position);
    hopByEvent.set(record.eventIndex, hop);
    return hop;
  });

  const arrivedFromRight = new Map<number, boolean>();
  for (const hop of hops)
    if (hop.head === null) arrivedFromRight.set(hop.packetId, hop.x1 > hop.x2);
  const drops = index.drops.map((mark): DropLayout => {
    const x = laneX.get(mark.node)!;
    const fromRight = arrivedFromRight.get(mark.packet.id) ?? false;
    return {
      key: String(mark.eventIndex),
      eventIndex: mark.eventIndex,
      t: mark.t,
      x,
      y: yOf(mark.t),
      ruleX: fromRight ? x - RULE_GAP : x + RULE_GAP,
      ruleAnchor: fromRight ? 'end' : 'start',
      rule: dropRule(mark),
      title: describeEventForScreenReader(index.events[mark.eventIndex]!, index),
      baseClass: `ladder-drop action-${mark.action}`,
    };
  });

  const breakHeight = (i: number) => (scale.rows[i + 1]! - scale.rows[i]!) * 0.6;
  const breaks = scale.breaks.map((gap): BreakLayout => {
    const row = scale.times.indexOf(gap.t0);
    return {
      key: String(gap.t0),
      t0: gap.t0,
      t1: gap.t1,
      y: round(top + gap.y),
      height: round(breakHeight(row)),
      text: `… ${formatTime(gap.t1 - gap.t0, 'duration')} …`,
    };
  });

  // A time in the margin at the start, after each break, and every so often in between.
  const ticks: TickLayout[] = [];
  let lastTick = -Infinity;
  const breakEnds = new Set(scale.breaks.map((gap) => gap.t1));
  for (let i = 0; i < scale.times.length; i++) {
    const t = scale.times[i]!;
    const row = scale.rows[i]!;
    if (row - lastTick >= TICK_SPACING || breakEnds.has(t)) {
      ticks.push({ key: String(t), x: lanes[0]!.x - 12, y: round(top + row), text: formatTime(t) });
      lastTick = row;
    }
  }

  const packets = hopCount.size;
  const refused = index.drops.length;
  const summary =
    `Ladder diagram, time running down: ${packets} packet${packets === 1 ? '' : 's'} ` +
    `making ${index.hops.length} hops between the ${new Intl.ListFormat('en').format(lanes.map((l) => l.name))} ` +
    `over ${formatTime(duration(index))}` +
    (refused > 0 ? `; ${refused} dropped or rejected` : '') +
    '. Each packet is a button: activating it selects it and moves the time to it.';

  return {
    width,
    height: round(top + scale.height + FOOTER),
    top,
    bottom: round(top + scale.height),
    scale,
    lanes,
    hops,
    drops,
    breaks,
    ticks,
    departures: Float64Array.from(hops, (h) => h.t),
    arrivals: Float64Array.from(hops, (h) => h.arriveAt),
    dropTimes: Float64Array.from(drops, (d) => d.t),
    hopsByEvent,
    hopByEvent,
    dropByEvent: new Map(drops.map((d, i) => [d.eventIndex, i])),
    summary,
  };
}
