// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import {
  indexTrace,
  packetsInFlightAt,
  recentDropsAt,
  type TraceIndex,
} from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';
import { shortPacketLabel, truncate } from '../../src/viz/packet-glyph';
import { renderTopology, STOPPED_WINDOW_MS, type TopologyOptions } from '../../src/viz/topology';

const SVG_NS = 'http://www.w3.org/2000/svg';

function run(presetId: string, change: Partial<Scenario> = {}): TraceIndex {
  return indexTrace(simulate(networkPreset(presetId)!.apply({ ...defaultScenario(), ...change })));
}

const activeBlocked = run('client-stateful', { mode: 'active' });
const natted = run('client-nat', { mode: 'passive' });
const bigDownload = run('no-firewall', {
  commands: ['LIST', 'RETR archive.bin'],
  type: 'binary',
  mode: 'passive',
});

function newSvg(): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  document.body.appendChild(svg);
  return svg;
}

function render(index: TraceIndex, t: number, options?: TopologyOptions): SVGSVGElement {
  const svg = newSvg();
  renderTopology(svg, index, t, options);
  return svg;
}

function node(svg: SVGSVGElement, id: string): SVGGElement {
  const found = svg.querySelector<SVGGElement>(`g.node[data-node="${id}"]`);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

function texts(element: Element, selector: string): string[] {
  return [...element.querySelectorAll(selector)].map((e) => e.textContent ?? '');
}

/** Packet glyphs that are drawn (not hidden behind a neighbour's label). */
function visiblePackets(svg: SVGSVGElement): SVGGElement[] {
  return [...svg.querySelectorAll<SVGGElement>('g.packet')].filter(
    (g) => g.getAttribute('display') !== 'none',
  );
}

function translation(element: Element): { x: number; y: number } {
  const match = /translate\(([-\d.]+),([-\d.]+)\)/.exec(element.getAttribute('transform') ?? '');
  if (!match) throw new Error('no translate');
  return { x: Number(match[1]), y: Number(match[2]) };
}

function link(svg: SVGSVGElement, key: string): { x1: number; x2: number; element: Element } {
  const element = svg.querySelector(`line.link[data-link="${key}"]`);
  if (!element) throw new Error(`no link ${key}`);
  return {
    x1: Number(element.getAttribute('x1')),
    x2: Number(element.getAttribute('x2')),
    element,
  };
}

describe('renderTopology: the network', () => {
  it('draws the five nodes in order, with names and addresses, and describes them', () => {
    const svg = render(activeBlocked, 0);
    const ids = [...svg.querySelectorAll('g.node')].map((g) => g.getAttribute('data-node'));
    expect(ids).toEqual(['client', 'client-router', 'internet', 'server-router', 'server']);
    const xs = [...svg.querySelectorAll('g.node')].map((g) => translation(g).x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);

    expect(texts(node(svg, 'client'), '.node-name')).toEqual(['Client']);
    expect(texts(node(svg, 'client'), '.address')).toEqual(['192.0.2.10']);
    expect(texts(node(svg, 'client-router'), '.node-name')).toEqual(['Client firewall']);
    expect(texts(node(svg, 'client-router'), '.address')).toEqual([
      'LAN 192.0.2.1',
      'WAN 203.0.113.1',
    ]);
    expect(texts(node(svg, 'internet'), '.node-name')).toEqual(['Internet']);
    expect(texts(node(svg, 'server-router'), '.node-name')).toEqual(['Server router']);
    expect(texts(node(svg, 'server'), '.address')).toEqual(['198.51.100.20']);
    expect(svg.querySelectorAll('line.link')).toHaveLength(4);

    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toBe(
      'Network: client 192.0.2.10, client firewall (stateful), Internet, server router, server 198.51.100.20',
    );
  });

  it('draws a firewall differently from a plain router', () => {
    const svg = render(activeBlocked, 0);
    expect(node(svg, 'client-router').getAttribute('class')).toContain('kind-firewall');
    expect(node(svg, 'server-router').getAttribute('class')).toContain('kind-router');
    expect(texts(node(svg, 'client-router'), '.badge')).toEqual(['stateful']);
    expect(node(svg, 'server-router').querySelectorAll('.badge')).toHaveLength(0);
  });

  it('shows NAT: the badge, and both the LAN and the public address on the router', () => {
    const svg = render(natted, 0);
    const router = node(svg, 'client-router');
    expect(texts(router, '.badge')).toContain('NAT');
    expect(texts(router, '.address')).toEqual(['LAN 192.168.1.1', 'WAN 203.0.113.10']);
    expect(texts(node(svg, 'client'), '.address')).toEqual(['192.168.1.10']);
    expect(svg.getAttribute('aria-label')).toContain(
      'client firewall (stateful, NAT, public address 203.0.113.10)',
    );
  });

  it('shows the FTP helper badge when the scenario has it', () => {
    const svg = render(run('server-nat-helper', { mode: 'passive' }), 0);
    expect(texts(node(svg, 'server-router'), '.badge')).toEqual(['NAT', 'FTP helper']);
    expect(texts(node(svg, 'server'), '.address')).toEqual(['10.0.0.20']);
  });
});

describe('renderTopology: packets in flight', () => {
  const firstHop = activeBlocked.hops[0]!;
  const t = (firstHop.event.t + firstHop.event.arriveAt) / 2;

  it('draws the first SYN between the client and its router, as far along as it has gone', () => {
    expect(firstHop.event.from).toBe('client');
    const svg = render(activeBlocked, t);
    const glyphs = visiblePackets(svg);
    expect(glyphs).toHaveLength(1);
    const glyph = glyphs[0]!;
    expect(glyph.querySelector('.label')!.textContent).toBe('SYN →');
    expect(glyph.getAttribute('class')).toBe('packet kind-control');
    expect(glyph.getAttribute('data-event')).toBe(String(firstHop.eventIndex));

    const { progress } = packetsInFlightAt(activeBlocked, t)[0]!;
    const { x1, x2, element } = link(svg, 'client|client-router');
    expect(translation(glyph).x).toBeCloseTo(x1 + (x2 - x1) * progress, 0);
    expect(element.getAttribute('class')).toBe('link busy');
    expect(link(svg, 'client-router|internet').element.getAttribute('class')).toBe('link');
  });

  it('moves the glyph along the link as t moves, keeping the same element', () => {
    const svg = newSvg();
    renderTopology(svg, activeBlocked, firstHop.event.t + 0.1);
    const early = visiblePackets(svg)[0]!;
    const earlyX = translation(early).x;
    renderTopology(svg, activeBlocked, firstHop.event.arriveAt - 0.1);
    const late = visiblePackets(svg)[0]!;
    expect(late).toBe(early);
    expect(translation(late).x).toBeGreaterThan(earlyX);
  });

  it('keeps control and data on different lanes', () => {
    const svg = render(bigDownload, 0);
    const lanes = new Map<string, Set<number>>();
    for (let t = 0; t < bigDownload.end; t += 5) {
      renderTopology(svg, bigDownload, t);
      for (const glyph of visiblePackets(svg)) {
        const kind = glyph.getAttribute('class')!.replace('packet ', '');
        if (!lanes.has(kind)) lanes.set(kind, new Set());
        lanes.get(kind)!.add(translation(glyph).y);
      }
    }
    const control = lanes.get('kind-control')!;
    const data = lanes.get('kind-data')!;
    expect(control.size).toBeGreaterThan(0);
    expect(data.size).toBeGreaterThan(0);
    for (const y of data) expect(control.has(y)).toBe(false);
  });

  it('places packets at the middle of their link, and highlights it, with reduced motion', () => {
    const svg = render(activeBlocked, firstHop.event.t + 0.1, { reducedMotion: true });
    const glyph = visiblePackets(svg)[0]!;
    const { x1, x2, element } = link(svg, 'client|client-router');
    expect(translation(glyph).x).toBeCloseTo((x1 + x2) / 2, 1);
    expect(element.getAttribute('class')).toBe('link busy');
    expect(svg.classList.contains('reduced-motion')).toBe(true);

    // Every drawn packet, at any t, stands on a link's midpoint.
    for (const t of [20, 150, 420, 480]) {
      renderTopology(svg, bigDownload, t, { reducedMotion: true });
      const midpoints = [...svg.querySelectorAll('line.link')].map(
        (l) => (Number(l.getAttribute('x1')) + Number(l.getAttribute('x2'))) / 2,
      );
      expect(visiblePackets(svg).length).toBeGreaterThan(0);
      for (const g of visiblePackets(svg))
        expect(midpoints.some((m) => Math.abs(m - translation(g).x) < 0.1)).toBe(true);
    }
  });

  it('never lets two drawn glyphs of one lane overlap, and counts the hidden ones', () => {
    const svg = newSvg();
    let counted = false;
    for (let t = 0; t < bigDownload.end; t += 2) {
      renderTopology(svg, bigDownload, t);
      const byLane = new Map<number, { x: number; half: number }[]>();
      for (const glyph of visiblePackets(svg)) {
        const { x, y } = translation(glyph);
        const half = Number(glyph.querySelector('rect')!.getAttribute('width')) / 2;
        if (!byLane.has(y)) byLane.set(y, []);
        byLane.get(y)!.push({ x, half });
        if (/ \+\d+/.test(glyph.textContent ?? '')) counted = true;
      }
      for (const lane of byLane.values()) {
        lane.sort((a, b) => a.x - b.x);
        for (let i = 1; i < lane.length; i++)
          expect(lane[i]!.x - lane[i]!.half).toBeGreaterThanOrEqual(
            lane[i - 1]!.x + lane[i - 1]!.half - 0.2,
          );
      }
    }
    expect(counted).toBe(true);
  });

  it('calls onSelect with the event index of a clicked glyph', () => {
    const onSelect = vi.fn();
    const svg = render(activeBlocked, t, { onSelect });
    const glyph = visiblePackets(svg)[0]!;
    glyph.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(onSelect).toHaveBeenCalledExactlyOnceWith(firstHop.eventIndex);
  });
});

describe('renderTopology: open ports', () => {
  const controlSocket = activeBlocked.actors.find(
    (a) => a.info.label === 'FTP client control connection',
  )!;

  it('lists the server listening on 21 at the start', () => {
    const svg = render(activeBlocked, 0);
    expect(texts(node(svg, 'server'), '.ports text')).toEqual(['21 LISTEN']);
    expect(texts(node(svg, 'client'), '.ports text')).toEqual([
      `${controlSocket.localPort} SYN_SENT`,
    ]);
    expect(node(svg, 'client-router').querySelector('.ports')).toBeNull();
  });

  it('updates as t moves: the control connection established, the data ports opening', () => {
    const svg = newSvg();
    renderTopology(svg, activeBlocked, 0);
    renderTopology(svg, activeBlocked, activeBlocked.drops[0]!.t);
    const client = texts(node(svg, 'client'), '.ports text');
    expect(client[0]).toBe(`${controlSocket.localPort} ESTABLISHED`);
    expect(client.some((line) => /^\d+ LISTEN$/.test(line))).toBe(true);
    const server = texts(node(svg, 'server'), '.ports text');
    expect(server).toContain('21 LISTEN');
    expect(server).toContain('21 ESTABLISHED');
    expect(server).toContain('20 SYN_SENT');
  });

  it('shows the passive port the server listens on', () => {
    const svg = newSvg();
    const pasv = bigDownload.actors.find((a) => a.info.label.includes('passive'))!;
    renderTopology(svg, bigDownload, pasv.stateTimes[0]!);
    expect(texts(node(svg, 'server'), '.ports text')).toContain(`${pasv.localPort} LISTEN`);
  });
});

describe('renderTopology: drops', () => {
  const drop = activeBlocked.drops[0]!;

  it('holds the dropped data SYN at the firewall with its verdict, then lets it go', () => {
    const svg = newSvg();
    renderTopology(svg, activeBlocked, drop.t + 1);
    const marks = svg.querySelectorAll('g.drop');
    expect(marks).toHaveLength(1);
    const mark = marks[0]!;
    expect(mark.getAttribute('data-event')).toBe(String(drop.eventIndex));
    expect(mark.querySelector('.mark')!.textContent).toBe('✗');
    expect(mark.querySelector('title')!.textContent).toBe(
      'SYN dropped: rule 3, "inbound: drop everything else"',
    );
    expect(mark.querySelector('.stopped .label')!.textContent).toBe('← SYN ✗');
    expect(mark.querySelector('.verdict')!.textContent).toBe('DROP · rule 3');
    // Held at the firewall's edge, where its hop from the Internet ended.
    const held = translation(mark.querySelector('.stopped')!);
    const { x2 } = link(svg, 'client-router|internet');
    expect(held.x).toBeGreaterThan(translation(node(svg, 'client-router')).x);
    expect(held.x).toBeLessThan(x2);
    const routerX = translation(node(svg, 'client-router')).x;
    expect(Number(mark.querySelector('.mark')!.getAttribute('x'))).toBeCloseTo(routerX, 1);
    expect(Number(mark.getAttribute('opacity'))).toBeGreaterThan(0.99);

    renderTopology(svg, activeBlocked, drop.t + STOPPED_WINDOW_MS / 2);
    expect(Number(svg.querySelector('g.drop')!.getAttribute('opacity'))).toBeCloseTo(0.5, 2);

    const later = drop.t + STOPPED_WINDOW_MS + 1;
    expect(recentDropsAt(activeBlocked, later, STOPPED_WINDOW_MS)).toHaveLength(0);
    renderTopology(svg, activeBlocked, later);
    expect(svg.querySelectorAll('g.drop')).toHaveLength(0);
  });
});

describe('renderTopology: connections', () => {
  const row = (svg: SVGSVGElement, channel: string) =>
    svg.querySelector<SVGGElement>(`g.connection.channel-${channel}`);

  it('draws no connection before the first SYN, and the control connection once it is sent', () => {
    expect(svg0().querySelectorAll('g.connection')).toHaveLength(1);
    const control = row(svg0(), 'control')!;
    expect(control.classList.contains('state-opening')).toBe(true);
    expect(control.querySelector('.conn-label')!.textContent).toMatch(/^control \d+ → 21$/);
  });

  it('draws the line from host to host through the routers it crosses', () => {
    const svg = render(activeBlocked, 100);
    const control = row(svg, 'control')!;
    expect(control.classList.contains('state-established')).toBe(true);
    const xs = [...control.querySelectorAll('.junctions circle')].map((c) =>
      Number(c.getAttribute('cx')),
    );
    const nodeXs = ['client', 'client-router', 'internet', 'server-router', 'server'].map(
      (id) => translation(node(svg, id)).x,
    );
    expect(xs).toEqual(nodeXs);
  });

  it('keeps the cross and the count of drops at the firewall to the end of the run', () => {
    const svg = newSvg();
    for (const [k, drop] of activeBlocked.drops.entries()) {
      renderTopology(svg, activeBlocked, drop.t);
      const data = row(svg, 'data')!;
      expect(data.classList.contains('state-blocked')).toBe(true);
      expect(data.querySelector('.stop .verdict')!.textContent).toBe(
        k === 0 ? 'DROP · rule 3' : `DROP · rule 3 ×${k + 1}`,
      );
    }
    renderTopology(svg, activeBlocked, activeBlocked.end);
    const data = row(svg, 'data')!;
    expect(data.querySelector('.conn-state')!.textContent).toBe('blocked');
    expect(data.querySelector('.stop .verdict')!.textContent).toBe('DROP · rule 3 ×10');
    const crossX = Number(data.querySelector('.stop .cross')!.getAttribute('x'));
    expect(crossX).toBeCloseTo(translation(node(svg, 'client-router')).x, 1);
    // The line reaches from the server, which opened it, to the cross and no further.
    const reach = data.querySelector('.reach')!;
    expect(Number(reach.getAttribute('x1'))).toBeCloseTo(crossX, 1);
    expect(Number(reach.getAttribute('x2'))).toBeCloseTo(translation(node(svg, 'server')).x, 1);
    expect(row(svg, 'control')!.classList.contains('state-closed')).toBe(true);
    expect(svg.querySelector('desc')!.textContent).toContain('blocked (DROP · rule 3 ×10)');
  });

  it('writes the helper expectation beside the router', () => {
    const helper = run('client-nat-helper', { mode: 'active' });
    const added = helper.events.find((e) => e.type === 'expect')!;
    const svg = render(helper, added.t);
    expect(texts(node(svg, 'client-router'), '.notes text')).toContain(
      'expect 203.0.113.10:40968 ← RELATED',
    );
  });
});

const svg0 = () => render(activeBlocked, 0);

describe('renderTopology: accessible description', () => {
  it('describes the latest step at t in the <desc>', () => {
    const drop = activeBlocked.drops[0]!;
    const svg = render(activeBlocked, drop.t + 1);
    const desc = svg.querySelector('desc')!.textContent!;
    expect(desc).toContain('Client firewall drops');
    expect(desc).toContain('rule 3');
  });
});

describe('renderTopology: a pure function of (index, t)', () => {
  it('gives the same SVG for t1 whether it came from t2 or straight there', () => {
    const pairs: [TraceIndex, number, number][] = [
      [activeBlocked, activeBlocked.drops[0]!.t + 10, 5000],
      [activeBlocked, 5000, 10],
      [bigDownload, 470, 30],
      [bigDownload, 30, 470],
      [natted, 200, 0],
    ];
    for (const [index, t1, t2] of pairs) {
      for (const reducedMotion of [false, true]) {
        const moved = newSvg();
        renderTopology(moved, index, t1, { reducedMotion });
        renderTopology(moved, index, t2, { reducedMotion });
        renderTopology(moved, index, t1, { reducedMotion });
        const fresh = render(index, t1, { reducedMotion });
        expect(moved.innerHTML).toBe(fresh.innerHTML);
      }
    }
  });

  it('gives the same SVG for any t, wherever playback came from', () => {
    const moved = newSvg();
    let seed = 7;
    const nextT = () => {
      seed = (seed * 48271) % 2147483647;
      return (seed / 2147483647) * bigDownload.end;
    };
    for (let i = 0; i < 40; i++) {
      const t = nextT();
      renderTopology(moved, bigDownload, t);
      expect(moved.innerHTML).toBe(render(bigDownload, t).innerHTML);
    }
  });

  it('replaces the content cleanly for a new trace', () => {
    const svg = render(activeBlocked, activeBlocked.drops[0]!.t + 10);
    renderTopology(svg, natted, 200);
    const fresh = render(natted, 200);
    expect(svg.innerHTML).toBe(fresh.innerHTML);
    expect(svg.getAttribute('aria-label')).toBe(fresh.getAttribute('aria-label'));
    expect(svg.querySelectorAll('g.node')).toHaveLength(5);
  });

  it('keeps the elements a new trace draws the same, and none of the old packets', () => {
    // A flipped switch: the same network with the client firewall's FTP helper on.
    const scenario = networkPreset('client-stateful')!.apply({
      ...defaultScenario(),
      mode: 'active',
    });
    const helped = indexTrace(
      simulate({ ...scenario, clientSide: { ...scenario.clientSide, ftpHelper: true } }),
    );
    const svg = render(activeBlocked, activeBlocked.drops[0]!.t + 10);
    const client = node(svg, 'client');
    const clientIcon = client.querySelector('.icon');
    const firstLink = link(svg, 'client|client-router').element;
    const firewallBadges = () => texts(node(svg, 'client-router'), '.badge text');
    expect(firewallBadges()).not.toContain('FTP helper');
    expect(svg.querySelectorAll('g.drop').length).toBeGreaterThan(0);

    renderTopology(svg, helped, 0);
    expect(node(svg, 'client')).toBe(client);
    expect(client.querySelector('.icon')).toBe(clientIcon);
    expect(link(svg, 'client|client-router').element).toBe(firstLink);
    expect(firewallBadges().join(' ')).toMatch(/helper/i);
    expect(svg.querySelectorAll('g.drop')).toHaveLength(0);
    expect(svg.innerHTML).toBe(render(helped, 0).innerHTML);
  });

  it('updates a frame of the 64 KiB download quickly', () => {
    const svg = newSvg();
    renderTopology(svg, bigDownload, 0);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = (bigDownload.end * i) / 200;
      const start = performance.now();
      renderTopology(svg, bigDownload, t);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    // Generous: a 60 fps frame is 16 ms, and a browser is faster than jsdom.
    expect(times[100]!).toBeLessThan(16);
  });
});

describe('packet labels', () => {
  it('cuts long labels at a word boundary', () => {
    expect(truncate('200 PORT command successful. Consider using PASV.', 24)).toBe(
      '200 PORT command…',
    );
    expect(truncate('SYN', 24)).toBe('SYN');
  });

  it("keeps a passive reply's address when the line is too long", () => {
    const reply = bigDownload.hops.find((h) => h.label.startsWith('227'))!;
    expect(shortPacketLabel(reply.label, reply.event.packet, 30)).toMatch(
      /^227 \(\d+,\d+,\d+,\d+,\d+,\d+\)$/,
    );
    const port = activeBlocked.hops.find((h) => h.label.startsWith('PORT'))!;
    expect(shortPacketLabel(port.label, port.event.packet, 30)).toBe(port.label);
  });
});

describe('renderTopology: a narrow drawing', () => {
  // An open-port row's extent: 0.6 em of the 17-unit monospace a character, and its halo.
  const extent = (row: Element, nodeX: number) => {
    const half = ((row.textContent ?? '').length * 0.6 * 17) / 2 + 2;
    const x = nodeX + Number(row.getAttribute('x'));
    return [x - half, x + half];
  };

  it.each([640, 780, 980])(
    'at %i units keeps every host port row inside the drawing, at every event',
    (width) => {
      const svg = newSvg();
      let widest = 0;
      for (const event of activeBlocked.events) {
        renderTopology(svg, activeBlocked, event.t, { width, height: 460 });
        for (const host of ['client', 'server']) {
          const nodeX = translation(node(svg, host)).x;
          for (const row of node(svg, host).querySelectorAll('g.ports text')) {
            const [from, to] = extent(row, nodeX);
            expect(from, row.textContent!).toBeGreaterThanOrEqual(-0.05);
            expect(to, row.textContent!).toBeLessThanOrEqual(width + 0.05);
            widest = Math.max(widest, row.textContent!.length);
          }
        }
      }
      expect(widest).toBeGreaterThanOrEqual('53233 ESTABLISHED'.length);
    },
  );

  it('leaves a row that fits under its host centred there', () => {
    const svg = render(activeBlocked, 0, { width: 1200, height: 460 });
    for (const row of svg.querySelectorAll('g.ports text')) expect(row.getAttribute('x')).toBe('0');
  });
});
