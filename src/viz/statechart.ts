import { select } from 'd3-selection';
import type { ChartLayout, EdgeLayout, Point, StateBox } from './statechart-layout';
import { INITIAL_ROOM, LABEL_LINE, round } from './statechart-layout';
import { STATECHART_CSS } from './statechart-style';

/**
 * Draws a statechart laid out by `statechartLayout`, with the actor's moment on it: the states it
 * is in filled, the state it came from outlined, the transitions just taken thick. The drawing
 * is joined once per layout by stable keys (state id, transition id); a new moment only changes
 * classes. D3 owns everything inside the <svg>.
 */

export interface StatechartView {
  /** The atomic states the actor is in (several inside a parallel state). */
  readonly current: readonly string[];
  /** The states it left in its latest change. */
  readonly previous: readonly string[];
  /** The transitions that change went through. */
  readonly last: readonly string[];
}

export interface StatechartOptions {
  /** A state was activated (click, Enter or Space): show what it does. */
  onSelectState?: (state: string) => void;
  /** What a state's button says to a screen reader. */
  describeState?: (state: string) => string;
  /** The machine's own definition of a transition, for its tooltip. */
  describeTransition?: (transition: string) => string;
}

const CORNER = 8;
const HEAD_LENGTH = 9;
const HEAD_HALF_WIDTH = 4.5;

/** A polyline with rounded corners. */
export function roundedPath(points: readonly Point[]): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  let d = `M${first!.x},${first!.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const prev = points[i]!;
    const corner = rest[i]!;
    const next = rest[i + 1]!;
    const inLength = Math.hypot(corner.x - prev.x, corner.y - prev.y);
    const outLength = Math.hypot(next.x - corner.x, next.y - corner.y);
    const r = Math.min(CORNER, inLength / 2, outLength / 2);
    const a = {
      x: round(corner.x - ((corner.x - prev.x) / (inLength || 1)) * r),
      y: round(corner.y - ((corner.y - prev.y) / (inLength || 1)) * r),
    };
    const b = {
      x: round(corner.x + ((next.x - corner.x) / (outLength || 1)) * r),
      y: round(corner.y + ((next.y - corner.y) / (outLength || 1)) * r),
    };
    d += `L${a.x},${a.y}Q${corner.x},${corner.y} ${b.x},${b.y}`;
  }
  const last = points[points.length - 1]!;
  // The line stops where the arrowhead begins, so a thick line does not blunt its point.
  const before = points[points.length - 2] ?? last;
  const length = Math.hypot(last.x - before.x, last.y - before.y) || 1;
  const end = {
    x: round(last.x - ((last.x - before.x) / length) * (HEAD_LENGTH - 1)),
    y: round(last.y - ((last.y - before.y) / length) * (HEAD_LENGTH - 1)),
  };
  return `${d}L${end.x},${end.y}`;
}

export function arrowheadAt(points: readonly Point[]): string {
  const tip = points[points.length - 1]!;
  const from = points[points.length - 2] ?? tip;
  const length = Math.hypot(tip.x - from.x, tip.y - from.y) || 1;
  const ux = (tip.x - from.x) / length;
  const uy = (tip.y - from.y) / length;
  const bx = tip.x - ux * HEAD_LENGTH;
  const by = tip.y - uy * HEAD_LENGTH;
  const nx = -uy * HEAD_HALF_WIDTH;
  const ny = ux * HEAD_HALF_WIDTH;
  return `M${tip.x},${tip.y}L${round(bx + nx)},${round(by + ny)}L${round(bx - nx)},${round(by - ny)}Z`;
}

interface Mounted {
  layout: ChartLayout;
  options: StatechartOptions;
}

const mounted = new WeakMap<SVGSVGElement, Mounted>();

export function renderStatechart(
  element: SVGSVGElement,
  layout: ChartLayout,
  view: StatechartView,
  options: StatechartOptions = {},
): void {
  let state = mounted.get(element);
  if (!state || state.layout !== layout) {
    state = { layout, options };
    join(element, layout, state);
    mounted.set(element, state);
  }
  state.options = options;
  update(element, view);
}

function join(element: SVGSVGElement, layout: ChartLayout, state: Mounted): void {
  const svg = select(element)
    .attr('viewBox', `0 0 ${layout.width} ${layout.height}`)
    .attr('width', layout.width)
    .attr('height', layout.height);
  svg
    .selectChildren<SVGStyleElement, string>('style')
    .data([STATECHART_CSS])
    .join('style')
    .text((d) => d);
  // Svelte owns the <svg>'s own attributes; the drawing lives in one group it never touches.
  const root = svg
    .selectChildren<SVGGElement, null>('g.statechart')
    .data([null])
    .join('g')
    .attr('class', 'statechart');
  const layers = root
    .selectChildren<SVGGElement, string>('g.layer')
    .data(['frames', 'edges', 'states', 'labels'], (d) => d)
    .join('g')
    .attr('class', (d) => `layer layer-${d}`);
  const layer = (name: string) => layers.filter((d) => d === name);

  const frames = layout.boxes.filter((b) => b.kind === 'container' || b.kind === 'region');
  const frame = layer('frames')
    .selectAll<SVGGElement, StateBox>('g.frame')
    .data(frames, (d) => d.key)
    .join((enter) => {
      const g = enter.append('g');
      g.append('rect');
      g.append('text');
      return g;
    })
    .attr('class', (d) => `frame ${d.kind}`)
    .attr('data-state', (d) => d.state);
  frame
    .select('rect')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('width', (d) => d.width)
    .attr('height', (d) => d.height)
    .attr('rx', 10);
  frame
    .select('text')
    .attr('x', (d) => d.x + 10)
    .attr('y', (d) => d.y + 17)
    .text((d) => d.name);

  const edge = layer('edges')
    .selectAll<SVGGElement, EdgeLayout>('g.edge')
    .data(layout.edges, (d) => d.key)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'edge');
      g.append('title');
      g.append('path').attr('class', 'line');
      g.append('path').attr('class', 'head');
      return g;
    })
    .attr('data-transition', (d) => d.transition);
  edge
    .select('title')
    .text((d) => state.options.describeTransition?.(d.transition) ?? d.transition);
  edge.select('path.line').attr('d', (d) => roundedPath(d.points));
  edge.select('path.head').attr('d', (d) => arrowheadAt(d.points));

  layer('labels')
    .selectAll<SVGTextElement, EdgeLayout>('text.label')
    .data(
      layout.edges.filter((e) => e.label),
      (d) => d.key,
    )
    .join((enter) => enter.append('text').attr('class', 'label'))
    .attr('data-transition', (d) => d.transition)
    .attr('x', (d) => d.label!.x)
    .attr('y', (d) => d.label!.y)
    .attr('text-anchor', (d) => d.label!.anchor)
    .selectAll('tspan')
    .data((d) => d.label!.lines.map((line, i) => ({ line, i, x: d.label!.x })))
    .join('tspan')
    .attr('x', (d) => d.x)
    .attr('dy', (d) => (d.i === 0 ? 0 : LABEL_LINE))
    .text((d) => d.line);

  const boxes = layout.boxes.filter((b) => b.kind === 'state' || b.kind === 'final');
  const box = layer('states')
    .selectAll<SVGGElement, StateBox>('g.state')
    .data(boxes, (d) => d.key)
    .join((enter) => {
      const g = enter
        .append('g')
        .attr('class', (d) => `state ${d.kind}`)
        .attr('tabindex', 0)
        .attr('role', 'button');
      g.append('rect').attr('class', 'outer');
      g.append('text').attr('class', 'name');
      return g;
    })
    .attr('data-state', (d) => d.state)
    .attr('aria-label', (d) => state.options.describeState?.(d.state) ?? d.state)
    .on('click', (_event, d) => state.options.onSelectState?.(d.state))
    .on('keydown', (event: KeyboardEvent, d) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      state.options.onSelectState?.(d.state);
    });
  box
    .select('rect.outer')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('width', (d) => d.width)
    .attr('height', (d) => d.height)
    .attr('rx', 8);
  box
    .selectAll<SVGRectElement, StateBox>('rect.inner')
    .data((d) => (d.kind === 'final' ? [d] : []))
    .join('rect')
    .attr('class', 'inner')
    .attr('x', (d) => d.x + 4)
    .attr('y', (d) => d.y + 4)
    .attr('width', (d) => d.width - 8)
    .attr('height', (d) => d.height - 8)
    .attr('rx', 5);
  box
    .select('text.name')
    .attr('x', (d) => round(d.x + d.width / 2))
    .attr('y', (d) => round(d.y + (d.entry ? 15 : d.height / 2)))
    .text((d) => d.name);
  box
    .selectAll<SVGTextElement, StateBox>('text.entry')
    .data((d) => (d.entry ? [d] : []))
    .join('text')
    .attr('class', 'entry')
    .attr('x', (d) => round(d.x + d.width / 2))
    .attr('y', (d) => round(d.y + d.height - 9))
    .text((d) => d.entry!.text);
  // UML's initial pseudostate: a dot with an arrow into the state entered first.
  const marker = (d: StateBox): Point[] =>
    d.initial === 'top'
      ? [
          { x: d.x + d.width / 2, y: d.y - INITIAL_ROOM + 5 },
          { x: d.x + d.width / 2, y: d.y },
        ]
      : [
          { x: d.x - INITIAL_ROOM + 5, y: d.y + d.height / 2 },
          { x: d.x, y: d.y + d.height / 2 },
        ];
  const initial = box
    .selectAll<SVGGElement, StateBox>('g.initial')
    .data((d) => (d.initial ? [d] : []))
    .join((enter) => {
      const g = enter.append('g').attr('class', 'initial').attr('aria-hidden', 'true');
      g.append('circle');
      g.append('path').attr('class', 'line');
      g.append('path').attr('class', 'head');
      return g;
    });
  initial
    .select('circle')
    .attr('cx', (d) => marker(d)[0]!.x)
    .attr('cy', (d) => marker(d)[0]!.y)
    .attr('r', 4.5);
  initial.select('path.line').attr('d', (d) => roundedPath(marker(d)));
  initial.select('path.head').attr('d', (d) => arrowheadAt(marker(d)));
}

function update(element: SVGSVGElement, view: StatechartView): void {
  const current = new Set(view.current);
  const previous = new Set(view.previous.filter((s) => !current.has(s)));
  const last = new Set(view.last);
  // A frame is active when a state inside it is current.
  const activeFrames = new Set<string>();
  for (const id of view.current) {
    const parts = id.split('.');
    for (let i = 1; i < parts.length; i++) activeFrames.add(parts.slice(0, i).join('.'));
  }
  const svg = select(element);
  svg
    .selectAll<SVGGElement, StateBox>('g.state')
    .attr('class', (d) => {
      const classes = ['state', d.kind];
      if (current.has(d.state)) classes.push('current');
      if (previous.has(d.state)) classes.push('previous');
      if (d.entry?.transitions.some((t) => last.has(t))) classes.push('entered');
      return classes.join(' ');
    })
    .attr('aria-current', (d) => (current.has(d.state) ? 'true' : null));
  svg
    .selectAll<SVGGElement, StateBox>('g.frame')
    .classed('active', (d) => activeFrames.has(d.state));
  svg
    .selectAll<SVGGElement, EdgeLayout>('g.edge')
    .attr('class', (d) => `edge${d.minor ? ' minor' : ''}${last.has(d.transition) ? ' last' : ''}`);
  svg
    .selectAll<SVGTextElement, EdgeLayout>('text.label')
    .attr(
      'class',
      (d) => `label${d.minor ? ' minor' : ''}${last.has(d.transition) ? ' last' : ''}`,
    );
}
