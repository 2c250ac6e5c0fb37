// @vitest-environment jsdom
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import {
  describeEventForScreenReader,
  duration,
  indexTrace,
  type TraceIndex,
} from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';
import { renderLadder, renderLadderHeader } from '../../src/viz/ladder';

const SVG = 'http://www.w3.org/2000/svg';

function indexOf(presetId: string, change: Partial<Scenario> = {}): TraceIndex {
  return indexTrace(simulate(networkPreset(presetId)!.apply({ ...defaultScenario(), ...change })));
}

function freshSvg(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  document.body.append(svg);
  return svg;
}

const all = (svg: Element, selector: string) => Array.from(svg.querySelectorAll(selector));
const laneX = (svg: Element, node: string) =>
  Number(svg.querySelector(`[data-node="${node}"] line`)!.getAttribute('x1'));
const hopNode = (svg: Element, key: string) =>
  svg.querySelector<SVGGElement>(`g.ladder-packet[data-key="${key}"]`)!;
const classes = (node: Element | null) => (node?.getAttribute('class') ?? '').split(' ');

/** The key of the last hop of the first packet that a firewall dropped. */
function droppedPacket(index: TraceIndex) {
  const mark = index.drops[0]!;
  const hops = index.hops.filter((h) => h.event.packet.id === mark.packet.id);
  return { mark, hops, lastKey: `${mark.packet.id}:${hops.length - 1}` };
}

let active: TraceIndex;
beforeAll(() => {
  active = indexOf('client-stateful', { mode: 'active' });
});

describe('renderLadder: what it draws', () => {
  it('draws one lane per node, in path order, named as the learner knows them', () => {
    const svg = freshSvg();
    renderLadder(svg, active, 0);
    const headings = all(svg, 'g.ladder-lane').map(
      (lane) => lane.querySelector('.ladder-heading')!.textContent,
    );
    expect(headings).toEqual(['client', 'client firewall', 'Internet', 'server router', 'server']);
    const xs = ['client', 'client-router', 'internet', 'server-router', 'server'].map((n) =>
      laneX(svg, n),
    );
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(5);
  });

  it('on a phone, drawn as wide as its box, writes a two-word lane name on two lines that clear the next lane', () => {
    const svg = freshSvg();
    renderLadder(svg, active, 0, { width: 352 });
    const lines = all(svg, 'g.ladder-lane').map((lane) =>
      all(lane, '.ladder-heading tspan').map((tspan) => tspan.textContent),
    );
    expect(lines).toEqual([[], ['client', 'firewall'], [], ['server', 'router'], []]);
    const xs = ['client', 'client-router', 'internet', 'server-router', 'server'].map((n) =>
      laneX(svg, n),
    );
    // The longest word, "firewall" or "Internet" (8 characters of 13.5 px sans-serif, about
    // 0.55 em each), fits between two lanes, as does a time ("45.1 ms") left of the first.
    const word = 8 * 0.55 * 13.5;
    const gaps = xs.slice(1).map((x, i) => x - xs[i]!);
    expect(Math.min(...gaps)).toBeGreaterThan(word + 4);
    expect(xs[0]! - 12).toBeGreaterThanOrEqual(7 * 0.55 * 11);
    expect(xs[4]!).toBeLessThanOrEqual(352 - word / 2);
    // The name's first line stays inside the drawing.
    const heading = svg.querySelector('[data-node="client-router"] .ladder-heading')!;
    expect(Number(heading.getAttribute('y'))).toBeGreaterThanOrEqual(14);
  });

  it('draws one arrow per hop, from lane to lane, going down the page', () => {
    const svg = freshSvg();
    renderLadder(svg, active, 0);
    const arrows = all(svg, 'g.ladder-packet');
    expect(arrows).toHaveLength(active.hops.length);
    const first = active.hops[0]!.event;
    const shaft = arrows[0]!.querySelector('line.ladder-shaft')!;
    expect(Number(shaft.getAttribute('x1'))).toBe(laneX(svg, first.from));
    expect(Number(shaft.getAttribute('x2'))).toBe(laneX(svg, first.to));
    for (const arrow of arrows) {
      const line = arrow.querySelector('line.ladder-shaft')!;
      expect(Number(line.getAttribute('y2'))).toBeGreaterThan(Number(line.getAttribute('y1')));
    }
    expect(classes(arrows[0]!)).toEqual(expect.arrayContaining(['ladder-packet', 'kind-control']));
    const dataSyn = active.hops.find((h) => h.kind === 'data')!;
    expect(classes(arrows[active.hops.indexOf(dataSyn)]!)).toContain('kind-data');
  });

  it('ends each dropped SYN at the client firewall with a ✗ naming rule 3', () => {
    const svg = freshSvg();
    renderLadder(svg, active, duration(active));
    expect(active.drops).toHaveLength(10);
    const firewall = laneX(svg, 'client-router');
    const marks = all(svg, 'g.ladder-drop');
    expect(marks).toHaveLength(10);
    for (const [i, mark] of marks.entries()) {
      expect(mark.querySelector('.ladder-drop-mark')!.textContent).toBe('✗');
      expect(mark.querySelector('.ladder-drop-rule')!.textContent).toBe('rule 3');
      expect(Number(mark.querySelector('.ladder-drop-mark')!.getAttribute('x'))).toBe(firewall);
      expect(mark.querySelector('title')!.textContent).toBe(
        describeEventForScreenReader(active.events[active.drops[i]!.eventIndex]!, active),
      );
    }
    const { hops, lastKey } = droppedPacket(active);
    expect(hops.map((h) => h.event.to).at(-1)).toBe('client-router');
    const last = hopNode(svg, lastKey);
    expect(classes(last)).toContain('dropped');
    expect(Number(last.querySelector('line.ladder-shaft')!.getAttribute('x2'))).toBe(firewall);
    expect(last.querySelector('.ladder-head')).toBeNull();
  });

  it('draws a rejected packet’s answer as a packet of its own, from the firewall back', () => {
    const index = indexOf('client-stateful-reject', { mode: 'active' });
    const svg = freshSvg();
    renderLadder(svg, index, duration(index));
    const reject = index.drops[0]!;
    expect(reject.action).toBe('reject');
    const answer = reject.response!;
    const answerHops = all(svg, `g.ladder-packet[data-key^="${answer.id}:"]`);
    expect(answerHops.length).toBeGreaterThan(0);
    expect(classes(answerHops[0]!)).toContain('kind-icmp');
    const shaft = answerHops[0]!.querySelector('line.ladder-shaft')!;
    expect(Number(shaft.getAttribute('x1'))).toBe(laneX(svg, 'client-router'));
    expect(svg.querySelector('g.ladder-drop.action-reject .ladder-drop-rule')!.textContent).toBe(
      'rule 3',
    );
  });

  it('labels each packet once, where it leaves the node that sent it', () => {
    const svg = freshSvg();
    renderLadder(svg, active, 0);
    const labels = all(svg, 'g.ladder-label').map((l) => ({
      key: l.getAttribute('data-key')!,
      text: l.querySelector('text')!.textContent!,
    }));
    const packets = new Set(active.hops.map((h) => h.event.packet.id));
    expect(labels).toHaveLength(packets.size);
    expect(labels.every((l) => l.key.endsWith(':0'))).toBe(true);
    expect(labels.map((l) => l.text)).toEqual(
      expect.arrayContaining(['SYN', 'SYN-ACK', 'USER student', 'LIST']),
    );
    expect(labels.some((l) => l.text.startsWith('PORT 192,0,2,10,'))).toBe(true);
  });

  it('labels a line again where a NAT helper rewrote it', () => {
    const index = indexOf('client-nat-helper', { mode: 'active' });
    const svg = freshSvg();
    renderLadder(svg, index, 0);
    const ports = all(svg, 'g.ladder-label text')
      .map((t) => t.textContent!)
      .filter((t) => t.startsWith('PORT'));
    // One PORT per transfer (LIST, RETR), each as the client wrote it and as the helper rewrote it.
    expect(ports).toHaveLength(4);
    expect(ports.map((p) => p.split(',').slice(0, 3).join(','))).toEqual([
      'PORT 192,168,1',
      'PORT 203,0,113',
      'PORT 192,168,1',
      'PORT 203,0,113',
    ]);
  });

  it('collapses the long silences into breaks that say how long they were', () => {
    const svg = freshSvg();
    renderLadder(svg, active, 0);
    const breaks = all(svg, 'g.ladder-break .ladder-break-text').map((t) => t.textContent);
    expect(breaks.length).toBeGreaterThanOrEqual(5);
    // Linux's SYN gaps: five of 1 s, then doubling; the last waits out vsftpd's 60 s connect timeout.
    expect(breaks).toContain('… 16 s …');
    expect(breaks).toContain('… 24 s …');
    expect(breaks.every((text) => /^… \d+(\.\d)? m?s …$/.test(text!))).toBe(true);
    const height = Number(svg.getAttribute('height'));
    expect(height).toBeLessThan(4000);
    expect(svg.getAttribute('viewBox')).toBe(`0 0 760 ${height}`);
  });

  it('names the whole drawing on the root, and makes only each packet’s first hop a button', () => {
    const svg = freshSvg();
    renderLadder(svg, active, 0);
    expect(svg.firstElementChild!.tagName.toLowerCase()).toBe('title');
    expect(svg.getAttribute('aria-label')).toBe(svg.firstElementChild!.textContent);
    expect(svg.getAttribute('aria-label')).toMatch(/^Ladder diagram/);
    expect(svg.getAttribute('role')).toBeNull();
    const buttons = all(svg, '[tabindex]');
    const packets = new Set(active.hops.map((h) => h.event.packet.id));
    expect(buttons).toHaveLength(packets.size);
    for (const button of buttons) {
      expect(button.getAttribute('tabindex')).toBe('0');
      expect(button.getAttribute('role')).toBe('button');
      expect(button.getAttribute('data-key')).toMatch(/:0$/);
    }
    const send = active.events.findIndex((e) => e.type === 'send');
    expect(buttons[0]!.getAttribute('aria-label')).toBe(
      describeEventForScreenReader(active.events[send]!, active),
    );
    // A dropped packet's button also says how it ended.
    const { mark } = droppedPacket(active);
    expect(hopNode(svg, `${mark.packet.id}:0`).getAttribute('aria-label')).toContain(
      describeEventForScreenReader(active.events[mark.eventIndex]!, active),
    );
  });
});

describe("renderLadderHeader: the lanes' names that stay on top", () => {
  it('repeats the headings over a strip as wide as the ladder and as tall as the band above its first time', () => {
    const ladder = freshSvg();
    const frame = renderLadder(ladder, active, 0);
    const header = freshSvg();
    const band = renderLadderHeader(header, active);
    expect(band).toBe(frame.headerHeight);
    expect(header.getAttribute('viewBox')).toBe(`0 0 ${frame.width} ${band}`);
    expect(header.getAttribute('aria-hidden')).toBe('true');
    const headings = (svg: Element) =>
      all(svg, '.ladder-heading').map((h) => [
        h.textContent,
        h.getAttribute('x'),
        h.getAttribute('y'),
      ]);
    expect(headings(header)).toEqual(headings(ladder));
    // The lanes start where the strip ends, so nothing of the rows hides under it at the top.
    const lineTop = Number(ladder.querySelector('.ladder-lane-line')!.getAttribute('y1'));
    expect(lineTop).toBe(band);
    expect(frame.nowY).toBeGreaterThan(band);
  });

  it('draws once per layout: a second call leaves the elements as they were', () => {
    const header = freshSvg();
    renderLadderHeader(header, active);
    const first = header.querySelector('.ladder-heading');
    renderLadderHeader(header, active);
    expect(header.querySelector('.ladder-heading')).toBe(first);
    renderLadderHeader(header, active, { width: 400 });
    expect(header.getAttribute('viewBox')).toMatch(/^0 0 400 /);
  });
});

describe('renderLadder: moving through time', () => {
  it('fades what has not happened yet, and flips back when t moves back', () => {
    const svg = freshSvg();
    const { mark, lastKey } = droppedPacket(active);
    const before = mark.t - 1;
    renderLadder(svg, active, before);
    const last = hopNode(svg, lastKey);
    const drop = svg.querySelector(`g.ladder-drop[data-key="${mark.eventIndex}"]`)!;
    expect(classes(last)).toContain('in-flight');
    expect(classes(drop)).toContain('future');
    expect(classes(hopNode(svg, '1:0'))).not.toContain('future');

    renderLadder(svg, active, mark.t);
    expect(classes(last)).not.toContain('future');
    expect(classes(last)).not.toContain('in-flight');
    expect(classes(drop)).not.toContain('future');

    renderLadder(svg, active, 0);
    expect(classes(last)).toContain('future');
    expect(classes(drop)).toContain('future');
    const future = all(svg, 'g.ladder-packet.future').length;
    expect(future).toBe(active.hops.filter((h) => h.event.t > 0).length);
    // The same nodes throughout: a new t changes classes, it does not rebuild.
    expect(hopNode(svg, lastKey)).toBe(last);
  });

  it('draws a packet in flight as a dot on its arrow, level with the now line', () => {
    const svg = freshSvg();
    const hop = active.hops[1]!.event;
    const t = (hop.t + hop.arriveAt) / 2;
    renderLadder(svg, active, t);
    const now = svg.querySelector('line.ladder-now-line')!;
    const dot = svg.querySelector('circle.ladder-dot')!;
    expect(dot.getAttribute('cy')).toBe(now.getAttribute('y1'));
    const x = Number(dot.getAttribute('cx'));
    expect(x).toBeGreaterThan(laneX(svg, hop.from));
    expect(x).toBeLessThan(laneX(svg, hop.to));
    expect(svg.querySelector('.ladder-now-text')!.textContent).toBe(`${t.toFixed(1)} ms`);
    renderLadder(svg, active, hop.arriveAt + 0.0001);
    expect(Number(now.getAttribute('y1'))).toBeGreaterThan(Number(dot.getAttribute('cy')) - 1);
  });

  it('is a function of t: any path to t1 gives the markup of a fresh render at t1', () => {
    const t1 = droppedPacket(active).mark.t - 1;
    const fresh = freshSvg();
    renderLadder(fresh, active, t1);
    const svg = freshSvg();
    renderLadder(svg, active, t1);
    for (const t of [40_000, 0, 123.456, duration(active), t1]) renderLadder(svg, active, t);
    expect(svg.innerHTML).toBe(fresh.innerHTML);
    expect(svg.outerHTML).toBe(fresh.outerHTML);
  });

  it('highlights the selected event, and moves the highlight when the selection changes', () => {
    const svg = freshSvg();
    const hop = active.hops[5]!;
    renderLadder(svg, active, 0, { selected: hop.eventIndex });
    expect(all(svg, 'g.ladder-packet.selected').map((n) => n.getAttribute('data-event'))).toEqual([
      String(hop.eventIndex),
    ]);
    const send = active.events.findIndex((e) => e.type === 'send');
    renderLadder(svg, active, 0, { selected: send });
    expect(all(svg, 'g.ladder-packet.selected').map((n) => n.getAttribute('data-key'))).toEqual([
      '1:0',
    ]);
    const drop = active.drops[2]!;
    renderLadder(svg, active, 0, { selected: drop.eventIndex });
    expect(all(svg, '.selected').map((n) => n.getAttribute('data-event'))).toEqual([
      String(drop.eventIndex),
    ]);
    renderLadder(svg, active, 0, { selected: null });
    expect(all(svg, '.selected')).toHaveLength(0);
  });
});

describe('renderLadder: choosing an arrow', () => {
  it('selects the hop and seeks to its time when an arrow is clicked', () => {
    const svg = freshSvg();
    const onSelect = vi.fn();
    const onSeek = vi.fn();
    renderLadder(svg, active, 0, { onSelect, onSeek });
    const hop = active.hops[10]!;
    const arrow = svg.querySelector(`g.ladder-packet[data-event="${hop.eventIndex}"]`)!;
    arrow
      .querySelector('line.ladder-hit')!
      .dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(onSelect).toHaveBeenCalledExactlyOnceWith(hop.eventIndex);
    expect(onSeek).toHaveBeenCalledExactlyOnceWith(hop.event.t);

    const { mark } = droppedPacket(active);
    svg
      .querySelector(`g.ladder-drop[data-event="${mark.eventIndex}"] .ladder-drop-mark`)!
      .dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(onSelect).toHaveBeenLastCalledWith(mark.eventIndex);
    expect(onSeek).toHaveBeenLastCalledWith(mark.t);
  });

  it('uses the callbacks of the latest render, and ignores clicks on empty space', () => {
    const svg = freshSvg();
    const first = vi.fn();
    const latest = vi.fn();
    renderLadder(svg, active, 0, { onSelect: first });
    renderLadder(svg, active, 10, { onSelect: latest });
    svg.querySelector('g.ladder-label')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(first).not.toHaveBeenCalled();
    expect(latest).toHaveBeenCalledExactlyOnceWith(active.hops[0]!.eventIndex);
    svg
      .querySelector('.ladder-lane-line')!
      .dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(latest).toHaveBeenCalledTimes(1);
  });

  it('does the same for Enter and Space on a focused arrow', () => {
    const svg = freshSvg();
    const onSelect = vi.fn();
    const onSeek = vi.fn();
    renderLadder(svg, active, 0, { onSelect, onSeek });
    const { mark } = droppedPacket(active);
    const button = hopNode(svg, `${mark.packet.id}:0`);
    button.focus();
    expect(document.activeElement).toBe(button);
    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    button.dispatchEvent(enter);
    const origin = active.hops.find((h) => h.event.packet.id === mark.packet.id)!;
    expect(onSelect).toHaveBeenCalledExactlyOnceWith(origin.eventIndex);
    expect(onSeek).toHaveBeenCalledExactlyOnceWith(origin.event.t);
    expect(enter.defaultPrevented).toBe(true);
    button.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
    expect(onSelect).toHaveBeenCalledTimes(2);
    button.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }));
    expect(onSelect).toHaveBeenCalledTimes(2);
    // Seeking re-renders at the new t; focus stays on the same button.
    renderLadder(svg, active, origin.event.t, { onSelect, onSeek, selected: origin.eventIndex });
    expect(document.activeElement).toBe(button);
  });
});

describe('renderLadder: a new scenario', () => {
  it('replaces the drawing cleanly, as if the svg were new', () => {
    const passive = indexOf('client-stateful', { mode: 'passive' });
    const reject = indexOf('client-stateful-reject', { mode: 'active' });
    const svg = freshSvg();
    renderLadder(svg, reject, 320);
    renderLadder(svg, passive, 200);
    const fresh = freshSvg();
    renderLadder(fresh, passive, 200);
    expect(all(svg, 'g.ladder-packet')).toHaveLength(passive.hops.length);
    expect(all(svg, 'g.ladder-drop')).toHaveLength(0);
    expect(all(svg, 'g.ladder-lane')).toHaveLength(5);
    expect(svg.querySelectorAll('title')).toHaveLength(1);
    expect(svg.outerHTML).toBe(fresh.outerHTML);

    renderLadder(svg, active, 200);
    const again = freshSvg();
    renderLadder(again, active, 200);
    expect(svg.outerHTML).toBe(again.outerHTML);
  });

  it('lays out again for a new width', () => {
    const svg = freshSvg();
    renderLadder(svg, active, 0);
    renderLadder(svg, active, 0, { width: 1000 });
    expect(svg.getAttribute('width')).toBe('1000');
    expect(laneX(svg, 'server')).toBeGreaterThan(760);
  });
});

describe('renderLadder: a new trace reuses what it shares', () => {
  it('keeps the element of a hop both traces have, and says where the now line is', () => {
    const passive = indexOf('client-stateful', { mode: 'passive' });
    const svg = freshSvg();
    renderLadder(svg, active, 0);
    const firstSyn = hopNode(svg, '1:0');
    const frame = renderLadder(svg, passive, 200);
    expect(hopNode(svg, '1:0')).toBe(firstSyn);
    expect(frame.nowY).toBe(Number(svg.querySelector('.ladder-now-line')!.getAttribute('y1')));
    expect(frame.height).toBe(Number(svg.getAttribute('height')));
  });
});

describe('renderLadder: a long ladder draws only near its view', () => {
  // A share link at the limit: twenty transfers through a firewall whose helper lets them pass.
  let long: TraceIndex;
  beforeAll(() => {
    const commands = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0 ? 'RETR notes.txt' : 'LIST',
    );
    const scenario = networkPreset('client-stateful')!.apply(defaultScenario());
    long = indexTrace(
      simulate({ ...scenario, commands, clientSide: { ...scenario.clientSide, ftpHelper: true } }),
    );
  });
  const shafts = (svg: Element) =>
    all(svg, 'g.ladder-packet line.ladder-shaft').map((line) => ({
      y1: Number(line.getAttribute('y1')),
      y2: Number(line.getAttribute('y2')),
    }));

  it('draws all of it when no view is given, or the view has no width', () => {
    const svg = freshSvg();
    renderLadder(svg, long, 0);
    expect(all(svg, 'g.ladder-packet')).toHaveLength(long.hops.length);
    const hidden = freshSvg();
    renderLadder(hidden, long, 0, { view: { top: 0, height: 0, width: 0 } });
    expect(all(hidden, 'g.ladder-packet')).toHaveLength(long.hops.length);
  });

  it('draws the rows in view and about a screen around them, and follows the view', () => {
    const svg = freshSvg();
    const view = { top: 0, height: 400, width: 760 };
    const { height } = renderLadder(svg, long, 0, { view });
    const atTop = shafts(svg);
    expect(atTop.length).toBeGreaterThan(20);
    expect(atTop.length).toBeLessThan(long.hops.length / 5);
    expect(atTop.every(({ y1 }) => y1 <= 2000)).toBe(true);
    // The drawing keeps its full height, so the scrollbar is the whole session's.
    expect(Number(svg.getAttribute('height'))).toBe(height);

    const middle = { ...view, top: height / 2 };
    renderLadder(svg, long, 0, { view: middle });
    const there = shafts(svg);
    expect(there.some(({ y1, y2 }) => y1 <= middle.top + 400 && y2 >= middle.top)).toBe(true);
    expect(there.every(({ y2 }) => y2 > middle.top - 2000)).toBe(true);
    // The same markup as a ladder drawn there from the start.
    const fresh = freshSvg();
    renderLadder(fresh, long, 0, { view: middle });
    expect(svg.outerHTML).toBe(fresh.outerHTML);
  });

  it('scales the view from CSS px to its own units, and keeps what stays in view', () => {
    const svg = freshSvg();
    // Drawn at twice its width: 2,000 px of screen are 1,000 units of drawing, and the rows up
    // to 1,000 + 1,500 (rounded up to 2,800) are drawn.
    renderLadder(svg, long, 0, { view: { top: 0, height: 2000, width: 1520 } });
    const ys = shafts(svg).map(({ y1 }) => y1);
    expect(Math.max(...ys)).toBeLessThanOrEqual(2800);
    expect(Math.max(...ys)).toBeGreaterThan(2400);
    const kept = hopNode(svg, '1:0');
    renderLadder(svg, long, 0, { view: { top: 10, height: 2000, width: 1520 } });
    expect(hopNode(svg, '1:0')).toBe(kept);
  });

  it('still marks past, in flight and future on what it draws', () => {
    const svg = freshSvg();
    const hop = long.hops[1]!.event;
    renderLadder(svg, long, (hop.t + hop.arriveAt) / 2, {
      view: { top: 0, height: 400, width: 760 },
    });
    expect(classes(hopNode(svg, '1:0'))).not.toContain('future');
    expect(all(svg, 'g.ladder-packet.in-flight').length).toBeGreaterThan(0);
    expect(all(svg, 'g.ladder-packet.future').length).toBeGreaterThan(0);
  });
});
