import type {
  ActorMachine,
  ChartState,
  ChartTransition,
  Statechart,
} from '../scenario/statecharts';
import { transitionWords } from './statechart-labels';
import { tcpFigure } from './statechart-tcp-figure';

/**
 * Where a statechart's states and arrows go, computed once per machine. The TCP socket follows
 * RFC 9293's figure 5, so it looks like the diagram in every textbook; the FTP sessions get a
 * layered layout (Sugiyama-style, simplified): each compound state is a block whose children
 * sit in rows by their distance from its initial state, arrows run down between rows, arrows
 * back up run in lanes on the side, and a state many others fall into (`failed`) is fed by one
 * rail on the right. Units are px at the drawing's natural size; text is 14 px.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface StateBox {
  /** Unique among the boxes: the state id, or `id#2` for a second drawing of it. */
  readonly key: string;
  readonly state: string;
  readonly name: string;
  /** `container`: a compound state drawn around its children; `region`: one part of a parallel state. */
  readonly kind: 'state' | 'final' | 'container' | 'region';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** The state its parent enters first is marked with a dot and an arrow from this side. */
  readonly initial: 'left' | 'top' | null;
  /** Transitions the enclosing state (or the machine) takes into this one from any state. */
  readonly entry: { readonly text: string; readonly transitions: readonly string[] } | null;
}

export interface EdgeLayout {
  readonly key: string;
  readonly transition: string;
  /** The route, as straight segments; the renderer rounds the corners. */
  readonly points: readonly Point[];
  readonly label: EdgeLabel | null;
  /** Drawn only when it is the transition just taken (resets and aborts, as RFC 9293 leaves them out). */
  readonly minor: boolean;
}

/** An arrow's words, on one or more lines; (x, y) is the first line's baseline. */
export interface EdgeLabel {
  readonly x: number;
  readonly y: number;
  readonly lines: readonly string[];
  readonly anchor: 'start' | 'middle' | 'end';
}

export interface ChartLayout {
  readonly machine: ActorMachine;
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly StateBox[];
  readonly edges: readonly EdgeLayout[];
  /** What the drawing leaves out, in a sentence each. */
  readonly notes: readonly string[];
}

export const STATE_FONT = 14;
/** Monospace advances 0.6 em: state names are identifiers, and their width needs no measuring. */
export const STATE_CHAR = STATE_FONT * 0.6;
export const LABEL_FONT = 13.5;
export const LABEL_CHAR = LABEL_FONT * 0.6;
export const LABEL_LINE = LABEL_FONT + 3;
const BOX_H = 34;
const ENTRY_LINE = 18;
const PAD_X = 14;
const LAYER_GAP = 50;
const NODE_GAP = 40;
const CONTAINER_PAD = 14;
const CONTAINER_HEAD = 24;
const LANE_GAP = 14;
const RAIL_GAP = 26;
const MARGIN = 16;
/** A state that this many others lead to is fed by a rail rather than by one arrow each. */
const RAIL_SOURCES = 4;

export const round = (v: number) => Math.round(v * 10) / 10;

export function boxWidth(name: string, entry: string | null = null): number {
  const text = Math.max(name.length * STATE_CHAR, entry ? entry.length * LABEL_CHAR : 0);
  return round(text + 2 * PAD_X);
}

const layouts = new WeakMap<Statechart, ChartLayout>();

/** The layout of a statechart; computed once per chart, as a chart never changes. */
export function statechartLayout(chart: Statechart): ChartLayout {
  let layout = layouts.get(chart);
  if (!layout) {
    const figure = chart.machine === 'tcp' ? tcpFigure(chart) : null;
    layout = fit(figure ?? layeredLayout(chart));
    layouts.set(chart, layout);
  }
  return layout;
}

/** Everything a label covers, for the drawing's bounds. */
export function labelBounds(label: EdgeLabel) {
  const width = Math.max(...label.lines.map((l) => l.length)) * LABEL_CHAR;
  const left =
    label.anchor === 'start'
      ? label.x
      : label.anchor === 'end'
        ? label.x - width
        : label.x - width / 2;
  return {
    left,
    right: left + width,
    top: label.y - LABEL_FONT,
    bottom: label.y + (label.lines.length - 1) * LABEL_LINE + 4,
  };
}

/** Moves the drawing so that every box, arrow and label is inside it, with a margin. */
function fit(layout: ChartLayout): ChartLayout {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  const cover = (l: number, t: number, r: number, b: number) => {
    left = Math.min(left, l);
    top = Math.min(top, t);
    right = Math.max(right, r);
    bottom = Math.max(bottom, b);
  };
  for (const b of layout.boxes)
    cover(
      b.x - (b.initial === 'left' ? INITIAL_ROOM : 0),
      b.y - (b.initial === 'top' ? INITIAL_ROOM : 0),
      b.x + b.width,
      b.y + b.height,
    );
  for (const e of layout.edges) {
    if (e.minor) continue;
    for (const p of e.points) cover(p.x, p.y, p.x, p.y);
    if (e.label) {
      const l = labelBounds(e.label);
      cover(l.left, l.top, l.right, l.bottom);
    }
  }
  if (!Number.isFinite(left)) return layout;
  const moved = shift(
    { width: 0, height: 0, boxes: [...layout.boxes], edges: [...layout.edges] },
    MARGIN - left,
    MARGIN - top,
  );
  return {
    ...layout,
    width: round(right - left + 2 * MARGIN),
    height: round(bottom - top + 2 * MARGIN),
    boxes: moved.boxes,
    edges: moved.edges,
  };
}

/* ---------- Layered layout ---------- */

export interface Draft {
  width: number;
  height: number;
  boxes: StateBox[];
  edges: EdgeLayout[];
}

const shiftPoint = (p: Point, dx: number, dy: number): Point => ({
  x: round(p.x + dx),
  y: round(p.y + dy),
});

export function shift(draft: Draft, dx: number, dy: number): Draft {
  return {
    ...draft,
    boxes: draft.boxes.map((b) => ({ ...b, x: round(b.x + dx), y: round(b.y + dy) })),
    edges: draft.edges.map((e) => ({
      ...e,
      points: e.points.map((p) => shiftPoint(p, dx, dy)),
      label: e.label ? { ...e.label, x: round(e.label.x + dx), y: round(e.label.y + dy) } : null,
    })),
  };
}

interface Context {
  chart: Statechart;
  children: Map<string, ChartState[]>;
  parentOf: Map<string, string>;
  /** Entry subtitles: state id → transitions its ancestors (or the machine) take into it. */
  entries: Map<string, ChartTransition[]>;
}

/** The child of `block` that is `id` or encloses it; undefined when `id` is not inside `block`. */
function childOf(context: Context, block: string, id: string): string | undefined {
  let current: string | undefined = id;
  while (current !== undefined && current !== '') {
    const parent = context.parentOf.get(current);
    if (parent === block) return current;
    current = parent;
  }
  return undefined;
}

function entryText(transitions: ChartTransition[], fromMachine: boolean): string {
  const words = transitions.map((t) => transitionWords(t, 2)).join(' · ');
  return fromMachine ? `any state: ${words}` : `on ${words}`;
}

function layeredLayout(chart: Statechart): ChartLayout {
  const children = new Map<string, ChartState[]>();
  const parentOf = new Map<string, string>();
  for (const state of chart.states) {
    parentOf.set(state.id, state.parent);
    const list = children.get(state.parent);
    if (list) list.push(state);
    else children.set(state.parent, [state]);
  }
  const entries = new Map<string, ChartTransition[]>();
  for (const t of chart.transitions) {
    // A transition declared on an enclosing state (or the machine) into a state inside it.
    const inside = t.source === '' || t.target.startsWith(`${t.source}.`);
    if (!inside) continue;
    const list = entries.get(t.target);
    if (list) list.push(t);
    else entries.set(t.target, [t]);
  }
  const context: Context = { chart, children, parentOf, entries };
  const draft = layoutBlock(context, '');
  const notes: string[] = [];
  const inPlace = chart.states.filter((s) => s.inPlace.length > 0);
  if (inPlace.length > 0) {
    notes.push(
      `Not drawn: events a state handles without leaving it (${inPlace
        .slice(0, 3)
        .map(
          (s) =>
            `${s.key}: ${s.inPlace.slice(0, 3).join(', ')}${s.inPlace.length > 3 ? ', …' : ''}`,
        )
        .join('; ')}${inPlace.length > 3 ? '; …' : ''}).`,
    );
  }
  return {
    machine: chart.machine,
    width: draft.width,
    height: draft.height,
    boxes: draft.boxes,
    edges: draft.edges,
    notes,
  };
}

function atomicBox(context: Context, state: ChartState): Draft {
  const entering = context.entries.get(state.id) ?? [];
  const fromMachine = entering.some((t) => t.source === '');
  const entry =
    entering.length > 0
      ? { text: entryText(entering, fromMachine), transitions: entering.map((t) => t.id) }
      : null;
  const width = boxWidth(state.key, entry?.text ?? null);
  const height = BOX_H + (entry ? ENTRY_LINE : 0);
  return {
    width,
    height,
    boxes: [
      {
        key: state.id,
        state: state.id,
        name: state.key,
        kind: state.type === 'final' ? 'final' : 'state',
        x: 0,
        y: 0,
        width,
        height,
        initial: state.initial ? 'top' : null,
        entry,
      },
    ],
    edges: [],
  };
}

/** A compound or parallel state: its children's block inside a titled frame. */
function containerBox(context: Context, state: ChartState, kind: 'container' | 'region'): Draft {
  const inner =
    state.type === 'parallel' ? parallelBlock(context, state.id) : layoutBlock(context, state.id);
  const width = Math.max(inner.width + 2 * CONTAINER_PAD, boxWidth(state.key));
  const height = inner.height + CONTAINER_HEAD + CONTAINER_PAD;
  const placed = shift(inner, (width - inner.width) / 2, CONTAINER_HEAD);
  return {
    width,
    height,
    boxes: [
      {
        key: state.id,
        state: state.id,
        name: state.key,
        kind,
        x: 0,
        y: 0,
        width,
        height,
        initial: state.initial ? 'top' : null,
        entry: null,
      },
      ...placed.boxes,
    ],
    edges: placed.edges,
  };
}

/** A parallel state's regions side by side. */
function parallelBlock(context: Context, id: string): Draft {
  const regions = (context.children.get(id) ?? []).map((r) => containerBox(context, r, 'region'));
  const height = Math.max(0, ...regions.map((r) => r.height));
  const boxes: StateBox[] = [];
  const edges: EdgeLayout[] = [];
  let x = 0;
  for (const region of regions) {
    const placed = shift(region, x, 0);
    // Regions share one height, so their frames line up.
    placed.boxes[0] = { ...placed.boxes[0]!, height };
    boxes.push(...placed.boxes);
    edges.push(...placed.edges);
    x += region.width + NODE_GAP / 2;
  }
  return { width: Math.max(0, x - NODE_GAP / 2), height, boxes, edges };
}

interface BlockEdge {
  transition: ChartTransition;
  from: string;
  to: string;
}

/** Rows by longest distance from the initial state, ignoring the arrows that go back up. */
function assignLayers(nodes: string[], initial: string | undefined, edges: BlockEdge[]) {
  const out = new Map<string, BlockEdge[]>(nodes.map((n) => [n, []]));
  for (const e of edges) out.get(e.from)!.push(e);
  const back = new Set<BlockEdge>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string) => {
    state.set(n, 'open');
    for (const e of out.get(n)!) {
      const s = state.get(e.to);
      if (s === 'open') back.add(e);
      else if (s === undefined) visit(e.to);
    }
    state.set(n, 'done');
  };
  if (initial) visit(initial);
  for (const n of nodes) if (!state.has(n)) visit(n);

  const forward = edges.filter((e) => !back.has(e));
  const layer = new Map<string, number>(nodes.map((n) => [n, 0]));
  // Longest path in a DAG: relax in topological order (Kahn).
  const indegree = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (const e of forward) indegree.set(e.to, indegree.get(e.to)! + 1);
  const queue = nodes.filter((n) => indegree.get(n) === 0);
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const e of forward) {
      if (e.from !== n) continue;
      layer.set(e.to, Math.max(layer.get(e.to)!, layer.get(n)! + 1));
      indegree.set(e.to, indegree.get(e.to)! - 1);
      if (indegree.get(e.to) === 0) queue.push(e.to);
    }
  }
  return { layer, back };
}

/** Rows wider than this wrap, so that a drawing stays readable at its natural size. */
const MAX_ROW_WIDTH = 600;
/** Room on the left for the initial state's dot and arrow. */
export const INITIAL_ROOM = 24;
/** How far above or below its row an arrow runs when a neighbour blocks the way to the side. */
const DETOUR = 18;

/** The smallest rectangle around a draft's boxes, arrows and labels. */
function bounds(draft: Draft) {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  const cover = (l: number, t: number, r: number, b: number) => {
    left = Math.min(left, l);
    top = Math.min(top, t);
    right = Math.max(right, r);
    bottom = Math.max(bottom, b);
  };
  for (const b of draft.boxes)
    cover(b.x - (b.initial ? INITIAL_ROOM : 0), b.y, b.x + b.width, b.y + b.height);
  for (const e of draft.edges) {
    for (const p of e.points) cover(p.x, p.y, p.x, p.y);
    if (e.label) {
      const l = labelBounds(e.label);
      cover(l.left, l.top, l.right, l.bottom);
    }
  }
  return { left, top, right, bottom };
}

type Rect = { x: number; y: number; width: number; height: number };

/** The children of a compound state (or of the machine, for ""), in rows, with their arrows. */
function layoutBlock(context: Context, id: string): Draft {
  const states = context.children.get(id) ?? [];
  const nodes = states.map((s) => s.id);
  const drafts = new Map(
    states.map((s) => [
      s.id,
      s.type === 'atomic' || s.type === 'final' || s.type === 'history'
        ? atomicBox(context, s)
        : containerBox(context, s, 'container'),
    ]),
  );
  const edges: BlockEdge[] = [];
  for (const t of context.chart.transitions) {
    const from = childOf(context, id, t.source);
    const to = childOf(context, id, t.target);
    if (from && to && from !== to) edges.push({ transition: t, from, to });
    // A re-entering transition to itself (a retransmission) is drawn as a loop.
    else if (from && from === t.source && t.source === t.target)
      edges.push({ transition: t, from, to: from });
  }
  const loops = edges.filter((e) => e.from === e.to);
  const between = edges.filter((e) => e.from !== e.to);
  const initial = states.find((s) => s.initial)?.id;
  // A transition this block's own state declares can leave from any child: for the rows, from
  // the initial one (it is drawn as the target's "on ..." line, not as an arrow).
  const virtual: BlockEdge[] = [];
  for (const t of context.chart.transitions) {
    const to = childOf(context, id, t.target);
    if (t.source === id && initial && to && to !== initial)
      virtual.push({ transition: t, from: initial, to });
  }
  const { layer, back } = assignLayers(nodes, initial, [...between, ...virtual]);

  const sources = new Map<string, Set<string>>();
  for (const e of between) {
    const set = sources.get(e.to) ?? new Set();
    set.add(e.from);
    sources.set(e.to, set);
  }
  const railTargets = new Set(
    nodes.filter((n) => (sources.get(n)?.size ?? 0) >= RAIL_SOURCES && n !== initial),
  );

  // Layers, ordered by the mean position of each state's predecessors (one top-down sweep),
  // then wrapped into rows no wider than MAX_ROW_WIDTH.
  const layerCount = Math.max(0, ...layer.values()) + 1;
  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  for (const n of nodes) layers[layer.get(n)!]!.push(n);
  const order = new Map<string, number>();
  const ordering = [...between, ...virtual].filter((e) => !back.has(e));
  const rows: string[][] = [];
  layers.forEach((row, r) => {
    const weight = (n: string) => {
      const preds = ordering.filter((e) => e.to === n && layer.get(e.from)! < r);
      if (preds.length === 0) return Infinity;
      return preds.reduce((sum, e) => sum + order.get(e.from)!, 0) / preds.length;
    };
    const weights = new Map(row.map((n) => [n, weight(n)]));
    row.sort((a, b) => {
      const wa = weights.get(a)!;
      const wb = weights.get(b)!;
      return wa === wb ? nodes.indexOf(a) - nodes.indexOf(b) : wa - wb;
    });
    row.forEach((n, i) => order.set(n, i - (row.length - 1) / 2));
    // Too wide: split into as few rows as needed, with about as many states in each.
    const total = row.reduce((sum, n) => sum + drafts.get(n)!.width + NODE_GAP, -NODE_GAP);
    const parts = Math.min(row.length, Math.ceil(total / MAX_ROW_WIDTH));
    const size = Math.ceil(row.length / parts);
    for (let i = 0; i < row.length; i += size) rows.push(row.slice(i, i + size));
  });
  const rowOf = new Map<string, number>();
  rows.forEach((row, r) => row.forEach((n) => rowOf.set(n, r)));
  const leftmost = (n: string) => rows[rowOf.get(n)!]![0] === n;
  const rightmost = (n: string) => rows[rowOf.get(n)!]!.at(-1) === n;

  // Positions: rows stacked, each centred on the block's axis.
  const rowWidth = (row: string[]) =>
    row.reduce((sum, n) => sum + drafts.get(n)!.width, 0) + NODE_GAP * Math.max(0, row.length - 1);
  const contentWidth = Math.max(0, ...rows.map(rowWidth));
  const box = new Map<string, Rect>();
  let y = initial ? INITIAL_ROOM : 0;
  for (const row of rows) {
    const height = Math.max(0, ...row.map((n) => drafts.get(n)!.height));
    let x = (contentWidth - rowWidth(row)) / 2;
    for (const n of row) {
      const d = drafts.get(n)!;
      box.set(n, { x, y: y + (height - d.height) / 2, width: d.width, height: d.height });
      x += d.width + NODE_GAP;
    }
    y += height + LAYER_GAP;
  }

  // An arrow runs straight down to the next rows unless a box is in its way.
  const blocked = (e: BlockEdge) => {
    const a = box.get(e.from)!;
    const b = box.get(e.to)!;
    const p = { x: a.x + a.width / 2, y: a.y + a.height };
    const q = { x: b.x + b.width / 2, y: b.y };
    return [...box].some(([n, r]) => {
      if (n === e.from || n === e.to) return false;
      for (let s = 0.05; s < 1; s += 0.05) {
        const x = p.x + (q.x - p.x) * s;
        const yy = p.y + (q.y - p.y) * s;
        if (x > r.x - 4 && x < r.x + r.width + 4 && yy > r.y - 4 && yy < r.y + r.height + 4)
          return true;
      }
      return false;
    });
  };
  const routed: { edge: BlockEdge; side: 'left' | 'right' }[] = [];
  const straight: BlockEdge[] = [];
  const railed: BlockEdge[] = [];
  for (const e of between) {
    if (railTargets.has(e.to) && !back.has(e)) railed.push(e);
    else if (back.has(e) || rowOf.get(e.to)! <= rowOf.get(e.from)! || blocked(e)) {
      const right = rightmost(e.from) && rightmost(e.to) && !(leftmost(e.from) && leftmost(e.to));
      routed.push({ edge: e, side: right ? 'right' : 'left' });
    } else straight.push(e);
  }
  const leftLanes = routed.filter((r) => r.side === 'left').length;
  const rightLanes = routed.filter((r) => r.side === 'right').length;
  const offsetX = INITIAL_ROOM + leftLanes * LANE_GAP;
  const railX = offsetX + contentWidth + rightLanes * LANE_GAP + RAIL_GAP;
  const at = (n: string): Rect => {
    const b = box.get(n)!;
    return { ...b, x: b.x + offsetX };
  };
  const result: EdgeLayout[] = [];
  const words = (t: ChartTransition) => [transitionWords(t)];
  const pt = (x: number, y: number): Point => ({ x: round(x), y: round(y) });

  // Straight arrows: spread where several leave one state or reach one.
  const outCount = new Map<string, number>();
  const inCount = new Map<string, number>();
  for (const e of straight) {
    outCount.set(e.from, (outCount.get(e.from) ?? 0) + 1);
    inCount.set(e.to, (inCount.get(e.to) ?? 0) + 1);
  }
  const spread = (b: Rect, k: number, n: number) => b.x + (b.width * (k + 1)) / (n + 1);
  const centreX = (n: string) => box.get(n)!.x + box.get(n)!.width / 2;
  // Ports in the order of the far ends, so that arrows from one state do not cross each other.
  const outOrder = new Map<BlockEdge, number>();
  const inOrder = new Map<BlockEdge, number>();
  for (const n of nodes) {
    straight
      .filter((e) => e.from === n)
      .sort((a, b) => centreX(a.to) - centreX(b.to))
      .forEach((e, k) => outOrder.set(e, k));
    straight
      .filter((e) => e.to === n)
      .sort((a, b) => centreX(a.from) - centreX(b.from))
      .forEach((e, k) => inOrder.set(e, k));
  }
  for (const e of straight) {
    const a = at(e.from);
    const b = at(e.to);
    const k = outOrder.get(e)!;
    const j = inOrder.get(e)!;
    const p = pt(spread(a, k, outCount.get(e.from)!), a.y + a.height);
    const q = pt(spread(b, j, inCount.get(e.to)!), b.y);
    result.push({
      key: e.transition.id,
      transition: e.transition.id,
      points: [p, q],
      // A little below the middle, clear of arrows that detour just under the row above.
      label: {
        x: round(p.x + (q.x - p.x) * 0.6 + 6),
        y: round(p.y + (q.y - p.y) * 0.6 + 5),
        lines: words(e.transition),
        anchor: 'start',
      },
      minor: false,
    });
  }

  /**
   * From a box to a vertical line at `laneX` on one side: straight out of its side when nothing
   * is beside it, else out of its top or bottom and round the neighbour. Returns the points from
   * the box to the lane; reversed, the way into a box.
   */
  const toLane = (n: string, side: 'left' | 'right', laneX: number, up: boolean): Point[] => {
    const r = at(n);
    const free = side === 'left' ? leftmost(n) : rightmost(n);
    if (free) {
      const y = r.y + r.height / 2 + (up ? -5 : 5);
      return [pt(side === 'left' ? r.x : r.x + r.width, y), pt(laneX, y)];
    }
    const x = side === 'left' ? r.x + r.width * 0.25 : r.x + r.width * 0.75;
    const edgeY = up ? r.y : r.y + r.height;
    const y = up ? r.y - DETOUR : r.y + r.height + DETOUR;
    return [pt(x, edgeY), pt(x, y), pt(laneX, y)];
  };

  let left = 0;
  let right = 0;
  for (const { edge: e, side } of routed) {
    const laneX =
      side === 'left'
        ? offsetX - INITIAL_ROOM / 2 - LANE_GAP * left++
        : offsetX + contentWidth + LANE_GAP * ++right;
    const a = at(e.from);
    const b = at(e.to);
    const goingUp = b.y < a.y;
    const out = toLane(e.from, side, laneX, goingUp);
    // Into the target: from the side facing the lane when free, else from above.
    const into = toLane(
      e.to,
      side,
      laneX,
      !goingUp || !(side === 'left' ? leftmost(e.to) : rightmost(e.to)),
    ).reverse();
    const start = out[0]!;
    const turn = out[1]!;
    result.push({
      key: e.transition.id,
      transition: e.transition.id,
      points: [...out, ...into],
      // Beside where it leaves: above the line when it climbs, below when it descends.
      label: {
        x: round((out.length === 2 ? start.x : turn.x) + (side === 'left' ? -4 : 4)),
        y: round((out.length === 2 ? start.y : turn.y) + (goingUp ? -5 : LABEL_FONT + 2)),
        lines: words(e.transition),
        anchor: side === 'left' ? 'end' : 'start',
      },
      minor: false,
    });
  }

  // The rail: out of each source (its right side, or below it when a neighbour is there), down
  // the rail, into the target's right side.
  for (const e of railed) {
    const out = toLane(e.from, 'right', railX, false);
    const into = toLane(e.to, 'right', railX, false).reverse();
    const start = out[out.length - 2]!;
    result.push({
      key: e.transition.id,
      transition: e.transition.id,
      points: [...out, ...into],
      label: {
        x: round(start.x + 6),
        y: round(start.y - 5),
        lines: words(e.transition),
        anchor: 'start',
      },
      minor: false,
    });
  }

  for (const e of loops) {
    const a = at(e.from);
    const x = a.x + a.width;
    result.push({
      key: e.transition.id,
      transition: e.transition.id,
      points: [
        pt(x, a.y + 6),
        pt(x + 22, a.y + 6),
        pt(x + 22, a.y + a.height - 6),
        pt(x, a.y + a.height - 6),
      ],
      label: {
        x: round(x + 26),
        y: round(a.y + a.height / 2 + 4),
        lines: words(e.transition),
        anchor: 'start',
      },
      minor: false,
    });
  }

  const boxes: StateBox[] = [];
  for (const n of nodes) {
    const b = at(n);
    const placed = shift(drafts.get(n)!, b.x, b.y);
    boxes.push(...placed.boxes);
    result.push(...placed.edges);
  }
  const draft = { width: 0, height: 0, boxes, edges: result };
  const edge = bounds(draft);
  const moved = shift(draft, -edge.left, -edge.top);
  return { ...moved, width: round(edge.right - edge.left), height: round(edge.bottom - edge.top) };
}
