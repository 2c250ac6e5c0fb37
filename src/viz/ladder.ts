import { select, type Selection } from 'd3-selection';
import { packetsInFlightAt, type TraceIndex } from '../scenario/queries';
import { countAtOrBefore } from '../scenario/timeline';
import {
  HEADING_LINE,
  ladderLayout,
  type BreakLayout,
  type DropLayout,
  type HopLayout,
  type LadderLayout,
  type LadderTarget,
  type LaneLayout,
  type TickLayout,
} from './ladder-layout';
import { LADDER_CSS } from './ladder-style';
import { formatTime } from '../scenario/vocabulary';

/**
 * The ladder (sequence) diagram: one lane per node, time running down, each hop of each packet a
 * slanted arrow. `renderLadder(svg, index, t)` is a function of (trace, t): the layout is
 * computed once per trace, the SVG is joined to it by stable keys (node, packet id + hop number),
 * and a new t only changes classes (past / in flight / future), the dots of packets in flight
 * and the "now" line. A new trace reuses the elements whose keys it shares with the last one and
 * changes only the attributes that differ. Told which part is in view, it draws only the rows
 * near it (a share link of twenty transfers is some 1,600 hops and 33,000 px; the starting
 * session 3,600 px, of which about 400 show), so a flipped switch or a frame costs the same
 * whatever the length. D3 owns everything inside the <svg>.
 */

export interface LadderOptions {
  /** The drawing's width in px; its height follows from the trace. */
  width?: number;
  /** An arrow or drop mark was activated: show this trace event in the inspector. */
  onSelect?: (eventIndex: number) => void;
  /** ...and move the time to it. */
  onSeek?: (t: number) => void;
  /** The trace event the inspector shows, highlighted where the ladder draws it. */
  selected?: number | null;
  /**
   * The part of the drawing on screen, in CSS px of the rendered <svg>: its scroll offset, the
   * visible height and the width it is drawn at. Given, the ladder draws only the rows within
   * about a screen of it (a keyboard's focus scrolls the next arrow into view, which draws the
   * rows past it); without it, or while the drawing has no width (a hidden tab), all of them.
   */
  view?: { top: number; height: number; width: number };
}

/** Where the "now" line is, in the drawing's own units, so a scroller can follow it unmeasured. */
export interface LadderFrame {
  readonly width: number;
  readonly height: number;
  readonly nowY: number;
  /** The height of the lanes' names above the first time (what renderLadderHeader repeats). */
  readonly headerHeight: number;
}

/**
 * Given a view, the ladder draws it and at least this much (drawing units) above and below it:
 * about seven screens of the 720 px workspace's ladder, so the login and the first transfer of
 * a session are drawn while its top is in view...
 */
const WINDOW_MARGIN = 1500;
/** ...with its edges on multiples of this, so a scroll of a few px does not join again. */
const WINDOW_STEP = 400;
const DEFAULT_WIDTH = 760;
const LAYERS = ['lanes', 'ticks', 'breaks', 'hops', 'labels', 'drops', 'dots', 'now'] as const;
type LayerName = (typeof LAYERS)[number];
const PAST = 0;
const IN_FLIGHT = 1;
const FUTURE = 2;
const SELECTED = 3;
/** Class suffix for each state code: past, in flight, future, then the same selected. */
const SUFFIX = [
  '',
  ' in-flight',
  ' future',
  ' selected',
  ' in-flight selected',
  ' future selected',
];

const layouts = new WeakMap<TraceIndex, LadderLayout>();

function layoutFor(index: TraceIndex, width: number): LadderLayout {
  let layout = layouts.get(index);
  if (!layout || layout.width !== width) {
    layout = ladderLayout(index, width);
    layouts.set(index, layout);
  }
  return layout;
}

/** What one <svg> shows now: the layout it was joined to and the class each item last got. */
interface Mounted {
  layout: LadderLayout;
  index: TraceIndex;
  options: LadderOptions;
  root: SVGGElement;
  layers: Record<'ticks' | 'hops' | 'labels' | 'drops' | 'dots', Layer>;
  /** The rows drawn, in drawing units ([-Infinity, Infinity] for the whole ladder). */
  drawnFrom: number;
  drawnTo: number;
  /** Positions (in layout.hops / layout.drops) of what is drawn, in order. */
  drawnHops: number[];
  drawnDrops: number[];
  /** By position: the element drawn for it, or null while it is out of the window. */
  hops: (SVGGElement | null)[];
  labels: (SVGGElement | null)[];
  hopCodes: Int8Array;
  drops: (SVGGElement | null)[];
  dropCodes: Int8Array;
  breaks: SVGGElement[];
  breakCodes: Int8Array;
  nowLine: SVGLineElement;
  nowText: SVGTextElement;
}

const mounted = new WeakMap<SVGSVGElement, Mounted>();

export function renderLadder(
  element: SVGSVGElement,
  index: TraceIndex,
  t: number,
  options: LadderOptions = {},
): LadderFrame {
  const { width = DEFAULT_WIDTH, selected = null } = options;
  const layout = layoutFor(index, width);
  const [from, to] = windowOf(layout, options.view);
  let state = mounted.get(element);
  if (!state || state.layout !== layout || state.root.parentNode !== element) {
    state = join(element, index, layout, from, to);
    mounted.set(element, state);
  } else if (from !== state.drawnFrom || to !== state.drawnTo) {
    joinWindow(state, from, to, false);
  }
  state.options = options;
  const nowY = update(state, t, selected);
  return { width: layout.width, height: layout.height, nowY, headerHeight: headingBand(layout) };
}

/** The strip above the first time that holds the lanes' names, in drawing units; the lanes start below it. */
function headingBand(layout: LadderLayout): number {
  return layout.top - 16;
}

const headers = new WeakMap<SVGSVGElement, LadderLayout>();

/**
 * The lanes' names alone, on a strip as wide as the ladder and as tall as the band above its
 * first time: the ladder view keeps it over the top of its scroller (position: sticky), so the
 * learner still reads which lane is which when the rows in view are far down a long session.
 * Drawn again only for a new layout; returns the strip's height in drawing units.
 */
export function renderLadderHeader(
  element: SVGSVGElement,
  index: TraceIndex,
  options: Pick<LadderOptions, 'width'> = {},
): number {
  const layout = layoutFor(index, options.width ?? DEFAULT_WIDTH);
  const band = headingBand(layout);
  if (headers.get(element) === layout) return band;
  headers.set(element, layout);
  const svg = select(element)
    .attr('viewBox', `0 0 ${layout.width} ${band}`)
    .attr('aria-hidden', 'true');
  const root = styledRoot(svg);
  root
    .selectChildren<SVGRectElement, null>('rect')
    .data([null])
    .join('rect')
    .attr('class', 'ladder-header-band')
    .attr('width', layout.width)
    .attr('height', band);
  drawHeadings(
    root
      .selectChildren<SVGTextElement, LaneLayout>('text')
      .data(layout.lanes, (d) => d.node)
      .join((enter) => enter.append('text').attr('class', 'ladder-heading')),
    layout,
  );
  return band;
}

/** The ladder's style sheet and its root group in `svg`, made once and kept. */
function styledRoot(svg: Selection<SVGSVGElement, unknown, null, undefined>) {
  svg
    .selectChildren<SVGStyleElement, string>('style')
    .data([LADDER_CSS])
    .join('style')
    .text((d) => d);
  return svg
    .selectChildren<SVGGElement, null>('g.ladder')
    .data([null])
    .join('g')
    .attr('class', 'ladder');
}

/** The rows to draw for a view: the view and a margin around it, or everything without one. */
function windowOf(layout: LadderLayout, view: LadderOptions['view']): [number, number] {
  if (!view || view.width <= 0) return [-Infinity, Infinity];
  const unitsPerPx = layout.width / view.width;
  const top = view.top * unitsPerPx;
  const bottom = (view.top + view.height) * unitsPerPx;
  const margin = Math.max(WINDOW_MARGIN, bottom - top);
  return [
    Math.floor((top - margin) / WINDOW_STEP) * WINDOW_STEP,
    Math.ceil((bottom + margin) / WINDOW_STEP) * WINDOW_STEP,
  ];
}

/* ---------- Once per trace: join the SVG to the layout ---------- */

function join(
  element: SVGSVGElement,
  index: TraceIndex,
  layout: LadderLayout,
  from: number,
  to: number,
): Mounted {
  const svg = select(element);
  svg
    .attr('viewBox', `0 0 ${layout.width} ${layout.height}`)
    .attr('width', layout.width)
    .attr('height', layout.height)
    .attr('aria-label', layout.summary);
  svg
    .selectChildren<SVGTitleElement, string>('title')
    .data([layout.summary])
    .join((enter) => enter.insert('title', ':first-child'))
    .text((d) => d);
  const root = styledRoot(svg);
  const layers = root
    .selectChildren<SVGGElement, LayerName>('g')
    .data(LAYERS, (d) => d)
    .join('g')
    .attr('class', (d) => `ladder-${d}`)
    .order();
  const layer = (name: LayerName): Layer => layers.filter((d) => d === name);

  joinLanes(layer('lanes'), layout);
  const breaks = joinBreaks(layer('breaks'), layout);
  const now = layer('now');
  const nowLine = now
    .selectChildren<SVGLineElement, null>('line')
    .data([null])
    .join('line')
    .attr('class', 'ladder-now-line')
    .attr('x1', 0)
    .attr('x2', layout.width);
  const nowText = now
    .selectChildren<SVGTextElement, null>('text')
    .data([null])
    .join('text')
    .attr('class', 'ladder-now-text')
    .attr('x', layout.width - 4)
    .attr('text-anchor', 'end');
  layer('dots').selectChildren().remove();

  // The handlers read the latest options from `mounted`: added once per <svg>, not per trace.
  if (!mounted.has(element)) {
    svg.on('click.ladder', (event: MouseEvent) => activate(element, event));
    svg.on('keydown.ladder', (event: KeyboardEvent) => {
      if (event.key === 'Enter' || event.key === ' ') activate(element, event);
    });
  }

  const state: Mounted = {
    layout,
    index,
    options: {},
    root: root.node()!,
    layers: {
      ticks: layer('ticks'),
      hops: layer('hops'),
      labels: layer('labels'),
      drops: layer('drops'),
      dots: layer('dots'),
    },
    drawnFrom: from,
    drawnTo: to,
    drawnHops: [],
    drawnDrops: [],
    hops: layout.hops.map(() => null),
    labels: layout.hops.map(() => null),
    hopCodes: new Int8Array(layout.hops.length).fill(-1),
    drops: layout.drops.map(() => null),
    dropCodes: new Int8Array(layout.drops.length).fill(-1),
    breaks: breaks.nodes(),
    breakCodes: new Int8Array(layout.breaks.length).fill(-1),
    nowLine: nowLine.node()!,
    nowText: nowText.node()!,
  };
  joinWindow(state, from, to, true);
  return state;
}

/** The highest and lowest y a hop's arrow and label reach. */
function hopTop(hop: HopLayout): number {
  return hop.label ? Math.min(hop.y1, hop.label.box.y) : hop.y1;
}
function hopBottom(hop: HopLayout): number {
  return hop.label ? Math.max(hop.y2, hop.label.box.y + hop.label.box.height) : hop.y2;
}

/**
 * Joins the hops, labels, drop marks and ticks between `from` and `to` (drawing units) by key.
 * An element that stays keeps its node; after a new layout (`relayout`) its attributes are
 * brought up to date, otherwise only the elements that enter are drawn.
 */
function joinWindow(state: Mounted, from: number, to: number, relayout: boolean): void {
  const { layout, layers } = state;
  state.drawnFrom = from;
  state.drawnTo = to;
  const inside = (top: number, bottom: number) => bottom >= from && top <= to;
  const hops = layout.hops.filter((hop) => inside(hopTop(hop), hopBottom(hop)));
  const labelled = hops.filter((hop) => hop.label !== null);
  const drops = layout.drops.filter((drop) => inside(drop.y - 10, drop.y + 10));
  const ticks = layout.ticks.filter((tick) => inside(tick.y - 10, tick.y + 10));

  state.hops.fill(null);
  state.labels.fill(null);
  state.drops.fill(null);
  const entered = (codes: Int8Array, position: number) => {
    codes[position] = -1;
  };

  layers.hops
    .selectChildren<SVGGElement, HopLayout>('g')
    .data(hops, (d) => d.key)
    .join(
      (enter) =>
        enter.append('g').each(function (d) {
          entered(state.hopCodes, d.position);
          drawHop(this, d);
        }),
      (update) =>
        relayout
          ? update.each(function (d) {
              drawHop(this, d);
            })
          : update,
    )
    .each(function (d) {
      state.hops[d.position] = this;
    })
    .order();
  layers.labels
    .selectChildren<SVGGElement, HopLayout>('g')
    .data(labelled, (d) => d.key)
    .join(
      (enter) =>
        enter.append('g').each(function (d) {
          entered(state.hopCodes, d.position);
          drawLabel(this, d);
        }),
      (update) =>
        relayout
          ? update.each(function (d) {
              drawLabel(this, d);
            })
          : update,
    )
    .each(function (d) {
      state.labels[d.position] = this;
    })
    .order();
  const dropPosition = new Map(layout.drops.map((drop, i) => [drop, i]));
  layers.drops
    .selectChildren<SVGGElement, DropLayout>('g')
    .data(drops, (d) => d.key)
    .join(
      (enter) =>
        enter.append('g').each(function (d) {
          entered(state.dropCodes, dropPosition.get(d)!);
          drawDrop(this, d);
        }),
      (update) =>
        relayout
          ? update.each(function (d) {
              drawDrop(this, d);
            })
          : update,
    )
    .each(function (d) {
      state.drops[dropPosition.get(d)!] = this;
    })
    .order();
  joinTicks(layers.ticks, ticks);
  state.drawnHops = hops.map((hop) => hop.position);
  state.drawnDrops = drops.map((drop) => dropPosition.get(drop)!);
  if (relayout) {
    state.hopCodes.fill(-1);
    state.dropCodes.fill(-1);
  }
}

type Layer = Selection<SVGGElement, LayerName, SVGGElement, null>;

function joinLanes(layer: Layer, layout: LadderLayout): void {
  const lanes = layer
    .selectChildren<SVGGElement, LaneLayout>('g')
    .data(layout.lanes, (d) => d.node)
    .join((enter) => {
      const lane = enter.append('g').attr('class', 'ladder-lane');
      lane.append('line').attr('class', 'ladder-lane-line');
      lane.append('text').attr('class', 'ladder-heading');
      return lane;
    })
    .attr('data-node', (d) => d.node);
  lanes
    .select('line')
    .attr('x1', (d) => d.x)
    .attr('x2', (d) => d.x)
    .attr('y1', headingBand(layout))
    .attr('y2', layout.bottom + 8);
  drawHeadings(lanes.select<SVGTextElement>('text'), layout);
}

/** Each lane's name over its lane, on one line or a word a line. */
function drawHeadings(
  headings: Selection<SVGTextElement, LaneLayout, SVGGElement, unknown>,
  layout: LadderLayout,
): void {
  headings
    .attr('x', (d) => d.x)
    .attr('y', (d) => layout.top - 24 - (d.nameLines.length - 1) * HEADING_LINE)
    .each(function (d) {
      if (d.nameLines.length === 1) {
        select(this).text(d.name);
        return;
      }
      select(this)
        .text(null)
        .selectAll('tspan')
        .data(d.nameLines)
        .join('tspan')
        .attr('x', d.x)
        .attr('dy', (_line, i) => (i === 0 ? null : HEADING_LINE))
        .text((line) => line);
    });
}

function joinTicks(layer: Layer, ticks: readonly TickLayout[]): void {
  layer
    .selectChildren<SVGTextElement, TickLayout>('text')
    .data(ticks, (d) => d.key)
    .join((enter) => enter.append('text').attr('class', 'ladder-tick'))
    .each(function (d) {
      setAttr(this, 'x', d.x);
      setAttr(this, 'y', d.y);
      setAttr(this, 'dy', '0.35em');
      setText(this, d.text);
    })
    .order();
}

function joinBreaks(layer: Layer, layout: LadderLayout) {
  return layer
    .selectChildren<SVGGElement, BreakLayout>('g')
    .data(layout.breaks, (d) => d.key)
    .join((enter) => {
      const gap = enter.append('g').attr('class', 'ladder-break');
      gap.append('rect').attr('class', 'ladder-break-band');
      gap.append('line').attr('class', 'ladder-break-edge');
      gap.append('line').attr('class', 'ladder-break-edge');
      gap.append('text').attr('class', 'ladder-break-text');
      return gap;
    })
    .each(function (d) {
      const [band, upper, lower, text] = this.children;
      const top = d.y - d.height / 2;
      setAttr(band!, 'x', 0);
      setAttr(band!, 'y', top);
      setAttr(band!, 'width', layout.width);
      setAttr(band!, 'height', d.height);
      for (const [edge, y] of [
        [upper!, top],
        [lower!, top + d.height],
      ] as const) {
        setAttr(edge, 'x1', 0);
        setAttr(edge, 'x2', layout.width);
        setAttr(edge, 'y1', y);
        setAttr(edge, 'y2', y);
      }
      setAttr(text!, 'x', layout.width / 2);
      setAttr(text!, 'y', d.y);
      setText(text!, d.text);
    })
    .order();
}

/* ---------- Writing only what changed, in the order a fresh element gets it ---------- */

function setAttr(element: Element, name: string, value: string | number | null): void {
  if (value === null) {
    if (element.hasAttribute(name)) element.removeAttribute(name);
    return;
  }
  const text = String(value);
  if (element.getAttribute(name) !== text) element.setAttribute(name, text);
}

function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** The child at `position`, made with `tag` and `className` if it is not there yet. */
function child(parent: Element, position: number, tag: string, className: string): Element {
  let found = parent.children[position];
  if (!found) {
    found = parent.ownerDocument.createElementNS(SVG_NS, tag);
    found.setAttribute('class', className);
    parent.appendChild(found);
  }
  return found;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The class comes from update(), which knows past from future; a new element gets its base first. */
function setBaseClass(node: Element, baseClass: string): void {
  if (!node.hasAttribute('class')) node.setAttribute('class', baseClass);
}

function drawHop(node: SVGGElement, d: HopLayout): void {
  setBaseClass(node, d.baseClass);
  setAttr(node, 'data-key', d.key);
  setAttr(node, 'data-event', d.eventIndex);
  if (d.origin) {
    setAttr(node, 'aria-hidden', null);
    setAttr(node, 'tabindex', 0);
    setAttr(node, 'role', 'button');
    setAttr(node, 'aria-label', d.ariaLabel);
  } else {
    // One tab stop and one name per packet: its later hops are for the mouse only.
    setAttr(node, 'tabindex', null);
    setAttr(node, 'role', null);
    setAttr(node, 'aria-label', null);
    setAttr(node, 'aria-hidden', 'true');
  }
  ['ladder-hit', 'ladder-shaft'].forEach((className, position) => {
    const line = child(node, position, 'line', className);
    setAttr(line, 'x1', d.x1);
    setAttr(line, 'y1', d.y1);
    setAttr(line, 'x2', d.x2);
    setAttr(line, 'y2', d.y2);
  });
  if (d.head) setAttr(child(node, 2, 'path', 'ladder-head'), 'd', d.head);
  else node.children[2]?.remove();
}

/** Labels lie above every arrow, so a later arrow never strikes out an earlier label. */
function drawLabel(node: SVGGElement, d: HopLayout): void {
  const label = d.label!;
  setBaseClass(node, label.baseClass);
  setAttr(node, 'data-key', d.key);
  setAttr(node, 'data-event', d.eventIndex);
  setAttr(node, 'aria-hidden', 'true');
  const box = child(node, 0, 'rect', 'ladder-label-box');
  setAttr(box, 'x', label.box.x);
  setAttr(box, 'y', label.box.y);
  setAttr(box, 'width', label.box.width);
  setAttr(box, 'height', label.box.height);
  setAttr(box, 'rx', 2);
  const text = child(node, 1, 'text', 'ladder-label-text');
  setAttr(text, 'x', label.x);
  setAttr(text, 'y', label.y);
  setAttr(text, 'text-anchor', label.anchor);
  setText(text, label.text);
}

function drawDrop(node: SVGGElement, d: DropLayout): void {
  setBaseClass(node, d.baseClass);
  setAttr(node, 'data-key', d.key);
  setAttr(node, 'data-event', d.eventIndex);
  setAttr(node, 'aria-hidden', 'true');
  if (!node.firstElementChild)
    node.appendChild(node.ownerDocument.createElementNS(SVG_NS, 'title'));
  setText(node.firstElementChild!, d.title);
  const mark = child(node, 1, 'text', 'ladder-drop-mark');
  setAttr(mark, 'x', d.x);
  setAttr(mark, 'y', d.y);
  setAttr(mark, 'text-anchor', 'middle');
  setText(mark, '✗');
  const rule = child(node, 2, 'text', 'ladder-drop-rule');
  setAttr(rule, 'x', d.ruleX);
  setAttr(rule, 'y', d.y);
  setAttr(rule, 'text-anchor', d.ruleAnchor);
  setText(rule, d.rule);
}

/* ---------- Every t: classes, dots, the now line ---------- */

/** Updates what t decides, for what is drawn; returns the now line's y. */
function update(state: Mounted, t: number, selected: number | null): number {
  const { layout } = state;
  const chosen = selected === null ? undefined : layout.hopsByEvent.get(selected);
  const departed = countAtOrBefore(layout.departures, t);
  for (const i of state.drawnHops) {
    let code = i >= departed ? FUTURE : layout.arrivals[i]! > t ? IN_FLIGHT : PAST;
    if (chosen?.includes(i)) code += SELECTED;
    if (code !== state.hopCodes[i]) {
      state.hopCodes[i] = code;
      const hop = layout.hops[i]!;
      state.hops[i]!.setAttribute('class', hop.baseClass + SUFFIX[code]);
      state.labels[i]?.setAttribute('class', hop.label!.baseClass + SUFFIX[code]);
    }
  }
  const chosenDrop = selected === null ? undefined : layout.dropByEvent.get(selected);
  const dropped = countAtOrBefore(layout.dropTimes, t);
  for (const i of state.drawnDrops) {
    const code = (i >= dropped ? FUTURE : PAST) + (i === chosenDrop ? SELECTED : 0);
    if (code !== state.dropCodes[i]) {
      state.dropCodes[i] = code;
      state.drops[i]!.setAttribute('class', layout.drops[i]!.baseClass + SUFFIX[code]);
    }
  }
  for (let i = 0; i < layout.breaks.length; i++) {
    const code = layout.breaks[i]!.t0 >= t ? FUTURE : PAST;
    if (code !== state.breakCodes[i]) {
      state.breakCodes[i] = code;
      state.breaks[i]!.setAttribute('class', 'ladder-break' + SUFFIX[code]);
    }
  }

  const y = round(layout.top + layout.scale.y(t));
  drawDots(state, t, y);
  setAttr(state.nowLine, 'y1', y);
  setAttr(state.nowLine, 'y2', y);
  setAttr(state.nowText, 'y', y - 4);
  setText(state.nowText, formatTime(t));
  return y;
}

const round = (v: number) => Math.round(v * 100) / 100;

/** A dot where each packet in flight is now: on its arrow, level with the now line. */
function drawDots(state: Mounted, t: number, y: number): void {
  const { layout } = state;
  const dots = packetsInFlightAt(state.index, t).flatMap((packet) => {
    const hop = layout.hopByEvent.get(packet.eventIndex);
    if (!hop) return [];
    const along = hop.y2 > hop.y1 ? (y - hop.y1) / (hop.y2 - hop.y1) : packet.progress;
    const x = hop.x1 + (hop.x2 - hop.x1) * Math.min(1, Math.max(0, along));
    return [{ key: hop.key, kind: hop.kind, x: round(x), y }];
  });
  state.layers.dots
    .selectChildren<SVGCircleElement, (typeof dots)[number]>('circle')
    .data(dots, (d) => d.key)
    .join((enter) => enter.append('circle').attr('r', 4))
    .attr('class', (d) => `ladder-dot kind-${d.kind}`)
    .attr('cx', (d) => d.x)
    .attr('cy', (d) => d.y)
    .order();
}

/* ---------- Clicks and keys, delegated to the <svg> ---------- */

function activate(element: SVGSVGElement, event: Event): void {
  const found = (event.target as Element | null)?.closest?.('[data-event]');
  if (!found || !element.contains(found)) return;
  const target = select<Element, LadderTarget>(found).datum();
  const options = mounted.get(element)?.options;
  if (!target || !options) return;
  event.preventDefault();
  options.onSelect?.(target.eventIndex);
  options.onSeek?.(target.t);
}
