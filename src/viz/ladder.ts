import { select, type Selection } from 'd3-selection';
import { packetsInFlightAt, type TraceIndex } from '../scenario/queries';
import { countAtOrBefore } from '../scenario/timeline';
import {
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
import { formatTime } from './time-scale';

/**
 * The ladder (sequence) diagram: one lane per node, time running down, each hop of each packet a
 * slanted arrow. `renderLadder(svg, index, t)` is a function of (trace, t): the layout is
 * computed once per trace, the SVG is joined to it by stable keys (node, packet id + hop number),
 * and a new t only changes classes (past / in flight / future), the dots of packets in flight
 * and the "now" line. D3 owns everything inside the <svg>.
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
}

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
  hops: SVGGElement[];
  /** Each hop's label, where it has one. */
  labels: (SVGGElement | null)[];
  hopCodes: Int8Array;
  drops: SVGGElement[];
  dropCodes: Int8Array;
  breaks: SVGGElement[];
  breakCodes: Int8Array;
  dots: Layer;
  nowLine: SVGLineElement;
  nowText: SVGTextElement;
}

const mounted = new WeakMap<SVGSVGElement, Mounted>();

export function renderLadder(
  element: SVGSVGElement,
  index: TraceIndex,
  t: number,
  options: LadderOptions = {},
): void {
  const { width = DEFAULT_WIDTH, selected = null } = options;
  const layout = layoutFor(index, width);
  let state = mounted.get(element);
  if (!state || state.layout !== layout || state.root.parentNode !== element) {
    state = join(element, index, layout);
    mounted.set(element, state);
  }
  state.options = options;
  update(state, t, selected);
}

/* ---------- Once per trace: join the SVG to the layout ---------- */

function join(element: SVGSVGElement, index: TraceIndex, layout: LadderLayout): Mounted {
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
  svg
    .selectChildren<SVGStyleElement, string>('style')
    .data([LADDER_CSS])
    .join('style')
    .text((d) => d);
  const root = svg
    .selectChildren<SVGGElement, null>('g.ladder')
    .data([null])
    .join('g')
    .attr('class', 'ladder');
  const layers = root
    .selectChildren<SVGGElement, LayerName>('g')
    .data(LAYERS, (d) => d)
    .join('g')
    .attr('class', (d) => `ladder-${d}`)
    .order();
  const layer = (name: LayerName): Layer => layers.filter((d) => d === name);

  joinLanes(layer('lanes'), layout);
  joinTicks(layer('ticks'), layout);
  const breaks = joinBreaks(layer('breaks'), layout);
  const hops = layer('hops')
    .selectChildren<SVGGElement, HopLayout>('g')
    .data(layout.hops, (d) => d.key)
    .join('g')
    .each(function (d) {
      drawHop(this, d);
    })
    .order();
  const labelled = layout.hops.filter((hop) => hop.label !== null);
  const labels = layer('labels')
    .selectChildren<SVGGElement, HopLayout>('g')
    .data(labelled, (d) => d.key)
    .join('g')
    .each(function (d) {
      drawLabel(this, d);
    })
    .order()
    .nodes();
  const labelByHop: (SVGGElement | null)[] = layout.hops.map(() => null);
  labelled.forEach((hop, i) => (labelByHop[hop.position] = labels[i]!));
  const drops = layer('drops')
    .selectChildren<SVGGElement, DropLayout>('g')
    .data(layout.drops, (d) => d.key)
    .join('g')
    .each(function (d) {
      drawDrop(this, d);
    })
    .order();
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

  svg.on('click.ladder', (event: MouseEvent) => activate(element, event));
  svg.on('keydown.ladder', (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') activate(element, event);
  });

  return {
    layout,
    index,
    options: {},
    root: root.node()!,
    hops: hops.nodes(),
    labels: labelByHop,
    hopCodes: new Int8Array(layout.hops.length).fill(-1),
    drops: drops.nodes(),
    dropCodes: new Int8Array(layout.drops.length).fill(-1),
    breaks: breaks.nodes(),
    breakCodes: new Int8Array(layout.breaks.length).fill(-1),
    dots: layer('dots'),
    nowLine: nowLine.node()!,
    nowText: nowText.node()!,
  };
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
    .attr('y1', layout.top - 16)
    .attr('y2', layout.bottom + 8);
  lanes
    .select('text')
    .attr('x', (d) => d.x)
    .attr('y', layout.top - 24)
    .text((d) => d.name);
}

function joinTicks(layer: Layer, layout: LadderLayout): void {
  layer
    .selectChildren<SVGTextElement, TickLayout>('text')
    .data(layout.ticks, (d) => d.key)
    .join('text')
    .attr('class', 'ladder-tick')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('dy', '0.35em')
    .text((d) => d.text);
}

function joinBreaks(layer: Layer, layout: LadderLayout) {
  return layer
    .selectChildren<SVGGElement, BreakLayout>('g')
    .data(layout.breaks, (d) => d.key)
    .join('g')
    .each(function (d) {
      const gap = select(this).attr('class', 'ladder-break');
      gap.selectChildren().remove();
      const top = d.y - d.height / 2;
      gap
        .append('rect')
        .attr('class', 'ladder-break-band')
        .attr('x', 0)
        .attr('y', top)
        .attr('width', layout.width)
        .attr('height', d.height);
      for (const y of [top, top + d.height]) {
        gap
          .append('line')
          .attr('class', 'ladder-break-edge')
          .attr('x1', 0)
          .attr('x2', layout.width)
          .attr('y1', y)
          .attr('y2', y);
      }
      gap
        .append('text')
        .attr('class', 'ladder-break-text')
        .attr('x', layout.width / 2)
        .attr('y', d.y)
        .text(d.text);
    })
    .order();
}

function drawHop(node: SVGGElement, d: HopLayout): void {
  const hop = select(node)
    .attr('class', d.baseClass)
    .attr('data-key', d.key)
    .attr('data-event', d.eventIndex);
  if (d.origin) {
    hop
      .attr('tabindex', 0)
      .attr('role', 'button')
      .attr('aria-label', d.ariaLabel)
      .attr('aria-hidden', null);
  } else {
    // One tab stop and one name per packet: its later hops are for the mouse only.
    hop
      .attr('tabindex', null)
      .attr('role', null)
      .attr('aria-label', null)
      .attr('aria-hidden', 'true');
  }
  hop.selectChildren().remove();
  for (const cls of ['ladder-hit', 'ladder-shaft']) {
    hop
      .append('line')
      .attr('class', cls)
      .attr('x1', d.x1)
      .attr('y1', d.y1)
      .attr('x2', d.x2)
      .attr('y2', d.y2);
  }
  if (d.head) hop.append('path').attr('class', 'ladder-head').attr('d', d.head);
}

/** Labels lie above every arrow, so a later arrow never strikes out an earlier label. */
function drawLabel(node: SVGGElement, d: HopLayout): void {
  const label = d.label!;
  const group = select(node)
    .attr('class', label.baseClass)
    .attr('data-key', d.key)
    .attr('data-event', d.eventIndex)
    .attr('aria-hidden', 'true');
  group.selectChildren().remove();
  group
    .append('rect')
    .attr('class', 'ladder-label-box')
    .attr('x', label.box.x)
    .attr('y', label.box.y)
    .attr('width', label.box.width)
    .attr('height', label.box.height)
    .attr('rx', 2);
  group
    .append('text')
    .attr('class', 'ladder-label-text')
    .attr('x', label.x)
    .attr('y', label.y)
    .attr('text-anchor', label.anchor)
    .text(label.text);
}

function drawDrop(node: SVGGElement, d: DropLayout): void {
  const drop = select(node)
    .attr('class', d.baseClass)
    .attr('data-key', d.key)
    .attr('data-event', d.eventIndex)
    .attr('aria-hidden', 'true');
  drop.selectChildren().remove();
  drop.append('title').text(d.title);
  drop
    .append('text')
    .attr('class', 'ladder-drop-mark')
    .attr('x', d.x)
    .attr('y', d.y)
    .attr('text-anchor', 'middle')
    .text('✗');
  drop
    .append('text')
    .attr('class', 'ladder-drop-rule')
    .attr('x', d.ruleX)
    .attr('y', d.y)
    .attr('text-anchor', d.ruleAnchor)
    .text(d.rule);
}

/* ---------- Every t: classes, dots, the now line ---------- */

function update(state: Mounted, t: number, selected: number | null): void {
  const { layout } = state;
  const chosen = selected === null ? undefined : layout.hopsByEvent.get(selected);
  const departed = countAtOrBefore(layout.departures, t);
  for (let i = 0; i < layout.hops.length; i++) {
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
  for (let i = 0; i < layout.drops.length; i++) {
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
  state.nowLine.setAttribute('y1', String(y));
  state.nowLine.setAttribute('y2', String(y));
  state.nowText.setAttribute('y', String(y - 4));
  state.nowText.textContent = formatTime(t);
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
  state.dots
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
