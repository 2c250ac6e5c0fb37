// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { statechartOf } from '../../src/scenario/statecharts';
import { arrowheadAt, renderStatechart, roundedPath } from '../../src/viz/statechart';
import { statechartLayout } from '../../src/viz/statechart-layout';

const SVG = 'http://www.w3.org/2000/svg';
const tcp = statechartLayout(statechartOf('tcp'));
const client = statechartLayout(statechartOf('ftp-client'));

function freshSvg(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  document.body.append(svg);
  return svg;
}

const classes = (node: Element | null) => (node?.getAttribute('class') ?? '').split(' ');
const stateNode = (svg: Element, key: string) =>
  [...svg.querySelectorAll('g.state')].find(
    (g) => (g as unknown as { __data__: { key: string } }).__data__.key === key,
  )!;

describe('renderStatechart', () => {
  it('draws one button per state and one arrow per transition', () => {
    const svg = freshSvg();
    renderStatechart(svg, tcp, { current: ['CLOSED'], previous: [], last: [] });
    expect(svg.querySelectorAll('g.state')).toHaveLength(tcp.boxes.length);
    expect(svg.querySelectorAll('g.edge')).toHaveLength(tcp.edges.length);
    expect(svg.getAttribute('viewBox')).toBe(`0 0 ${tcp.width} ${tcp.height}`);
    const state = svg.querySelector('g.state[data-state="LISTEN"]')!;
    expect(state.getAttribute('role')).toBe('button');
    expect(state.getAttribute('tabindex')).toBe('0');
  });

  it('fills the current state (both CLOSED boxes), outlines the previous, thickens the arrow taken', () => {
    const svg = freshSvg();
    renderStatechart(svg, tcp, { current: ['CLOSED'], previous: [], last: [] });
    expect(classes(stateNode(svg, 'CLOSED'))).toContain('current');
    expect(classes(stateNode(svg, 'CLOSED#2'))).toContain('current');
    renderStatechart(svg, tcp, {
      current: ['ESTABLISHED'],
      previous: ['SYN_SENT'],
      last: ['SYN_SENT->ESTABLISHED'],
    });
    expect(classes(stateNode(svg, 'CLOSED'))).not.toContain('current');
    expect(classes(stateNode(svg, 'ESTABLISHED'))).toContain('current');
    expect(stateNode(svg, 'ESTABLISHED').getAttribute('aria-current')).toBe('true');
    expect(classes(stateNode(svg, 'SYN_SENT'))).toContain('previous');
    const edge = svg.querySelector('g.edge[data-transition="SYN_SENT->ESTABLISHED"]');
    expect(classes(edge)).toContain('last');
    expect(
      classes(svg.querySelector('text.label[data-transition="SYN_SENT->ESTABLISHED"]')),
    ).toContain('last');
  });

  it('keeps its elements when only the moment changes', () => {
    const svg = freshSvg();
    renderStatechart(svg, tcp, { current: ['CLOSED'], previous: [], last: [] });
    const before = svg.querySelector('g.state[data-state="LISTEN"]');
    renderStatechart(svg, tcp, {
      current: ['LISTEN'],
      previous: ['CLOSED'],
      last: ['CLOSED->LISTEN'],
    });
    expect(svg.querySelector('g.state[data-state="LISTEN"]')).toBe(before);
  });

  it('marks an RST arrow as minor, shown by the stylesheet only once it is taken', () => {
    const svg = freshSvg();
    renderStatechart(svg, tcp, {
      current: ['CLOSED'],
      previous: ['ESTABLISHED'],
      last: ['ESTABLISHED->CLOSED'],
    });
    const edge = svg.querySelector('g.edge[data-transition="ESTABLISHED->CLOSED"]');
    expect(classes(edge)).toEqual(['edge', 'minor', 'last']);
    expect(svg.querySelector('style')!.textContent).toContain(
      '.edge.minor.last { display: inline; }',
    );
  });

  it('frames the parallel state the client is in', () => {
    const svg = freshSvg();
    renderStatechart(svg, client, {
      current: ['transferring.control.awaitingPreliminaryReply', 'transferring.data.open'],
      previous: ['awaitingPortReply'],
      last: ['awaitingPortReply->transferring'],
    });
    const frames = [...svg.querySelectorAll('g.frame.active')].map((f) =>
      f.getAttribute('data-state'),
    );
    expect(frames).toEqual(['transferring', 'transferring.control', 'transferring.data']);
    expect(svg.querySelectorAll('g.state.current')).toHaveLength(2);
  });

  it('reports a state activated by click, Enter or Space', () => {
    const svg = freshSvg();
    const onSelectState = vi.fn();
    renderStatechart(svg, tcp, { current: [], previous: [], last: [] }, { onSelectState });
    const listen = svg.querySelector('g.state[data-state="LISTEN"]')!;
    listen.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    listen.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    listen.dispatchEvent(new KeyboardEvent('keydown', { key: 'x', bubbles: true }));
    expect(onSelectState.mock.calls).toEqual([['LISTEN'], ['LISTEN']]);
  });
});

describe('arrow geometry', () => {
  it('rounds corners and stops the line where the arrowhead starts', () => {
    const path = roundedPath([
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 100 },
    ]);
    expect(path).toBe('M0,0L92,0Q100,0 100,8L100,92');
    expect(
      arrowheadAt([
        { x: 100, y: 0 },
        { x: 100, y: 100 },
      ]),
    ).toBe('M100,100L95.5,91L104.5,91Z');
  });
});
