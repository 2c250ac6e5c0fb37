import { select, type Selection } from 'd3-selection';
import {
  describeEventForScreenReader,
  eventsUpTo,
  isStepEvent,
  nodeName,
  openPortsAt,
  packetKind,
  packetsInFlightAt,
  recentDropsAt,
  type PacketInFlight,
  type RecentDrop,
  type TraceIndex,
} from '../scenario/queries';
import { ruleLabel, type NodeId } from '../scenario/trace';
import { formatTime } from '../scenario/vocabulary';
import { connectionsAt, connectionsKeyAt, verdictLabel, type ConnectionAt } from './connections';
import { routerNotesAt, type RouterNote } from './router-notes';
import { ICON_HALF_HEIGHT, nodeIcon } from './node-icon';
import {
  glyphWidth,
  laneOffset,
  PACKET_DOT,
  PACKET_HEIGHT,
  packetTooltip,
  shortPacketLabel,
  withArrow,
} from './packet-glyph';
import {
  computeLayout,
  DEFAULT_HEIGHT,
  DEFAULT_WIDTH,
  portRowShift,
  type LinkLayout,
  type NodeLayout,
  type TopologyLayout,
} from './topology-layout';
import { TOPOLOGY_CSS } from './topology-style';

/**
 * The network view: five nodes left to right, the links between them, the packets on those links
 * at time t, the ports each host has open, each TCP connection as a line from host to host across
 * the top (its state, its ports, and a cross with the verdict wherever its packets were stopped,
 * kept to the end of the run), a stopped packet held at the node that stopped it, and beside each
 * router what its helper expects and what its NAT just rewrote. A pure function of
 * (index, t, options): the static picture is built once per trace, and each call joins what is
 * true at t onto it by stable keys, so playing, scrubbing backwards and stepping all give the
 * same SVG for the same t.
 */

export interface TopologyOptions {
  width?: number;
  height?: number;
  /** Packets sit still at the middle of their link, which is highlighted instead. */
  reducedMotion?: boolean;
  /** Called with a packet's hop event index when its glyph is clicked. */
  onSelect?: (eventIndex: number) => void;
  /**
   * Show only this stretch of the drawing, from x, this wide (a phone shows the client's half
   * over the server's); by default all of it.
   */
  crop?: { x: number; width: number };
}

/**
 * How long a stopped packet stays where it was stopped, fading, in virtual ms (12 s at 1×). The
 * lasting mark is its connection's cross; playback also holds still at each stop (playback.ts).
 */
export const STOPPED_WINDOW_MS = 600;
/** Connection lines: the first one's centre, the distance between them, how many fit. */
const ROW_TOP = 22;
const ROW_STEP = 24;
const MAX_ROWS = 3;
const ROW_CHAR_WIDTH = 0.6 * 14;
const NOTE_STEP = 19;
/** Room kept beside a label for the " +12" that counts the packets hidden behind it. */
const COUNT_RESERVE = glyphWidth(' +99') - glyphWidth('');

interface PacketGlyph {
  readonly key: string;
  readonly eventIndex: number;
  readonly kind: PacketInFlight['kind'];
  readonly tooltip: string;
  readonly linkKey: string;
  readonly rightward: boolean;
  readonly x: number;
  readonly y: number;
  /** The label without its arrow. */
  readonly short: string;
  text: string;
  look: 'label' | 'dot' | 'hidden';
}

interface DropGlyph {
  readonly key: string;
  readonly eventIndex: number;
  readonly action: RecentDrop['action'];
  readonly tooltip: string;
  readonly markX: number;
  /** The packet held at the edge of the node, where its hop arrived; null if it never left. */
  readonly packet: {
    readonly kind: PacketInFlight['kind'];
    readonly text: string;
    readonly x: number;
    readonly y: number;
    readonly width: number;
    /** The verdict under it (over it, for control packets, whose lanes are above the link). */
    readonly verdict: string;
    readonly verdictY: number;
  } | null;
  readonly opacity: string;
}

interface StopGlyph {
  readonly key: string;
  readonly x: number;
  readonly text: string;
  readonly textX: number;
  readonly anchor: 'start' | 'end';
}

interface ConnectionGlyph {
  readonly key: string;
  readonly className: string;
  readonly y: number;
  readonly x1: number;
  readonly x2: number;
  /** How far the connection got: the whole way, or up to the cross. */
  readonly reachX1: number;
  readonly reachX2: number;
  readonly junctions: readonly number[];
  readonly label: string;
  readonly labelX: number;
  readonly state: string;
  readonly stateX: number;
  readonly stops: readonly StopGlyph[];
  readonly tooltip: string;
}

interface PortRow {
  readonly key: string;
  readonly text: string;
  readonly className: string;
}

/** Everything about one (trace, size) that does not depend on t. */
interface Prepared {
  readonly layout: TopologyLayout;
  /** Each hop's short label and tooltip, made the first time the hop is on screen. */
  readonly labels: Map<number, { short: string; tooltip: string }>;
  /** Each drop's arriving hop (by drop event index): where its packet is held. */
  readonly arrivals: Map<number, { from: NodeId; short: string } | null>;
  /** Where each router's notes start, and how many lines fit. */
  readonly noteSlots: readonly { node: NodeId; top: number; lines: number }[];
}

type Layer = Selection<SVGGElement, unknown, null, undefined>;

interface View {
  readonly index: TraceIndex;
  readonly prepared: Prepared;
  readonly root: SVGGElement;
  readonly links: Selection<SVGLineElement, LinkLayout, SVGGElement, unknown>;
  readonly packets: Layer;
  readonly drops: Layer;
  readonly connections: Layer;
  readonly notes: readonly { node: NodeId; rows: Layer; top: number; lines: number }[];
  readonly portLists: readonly { node: NodeId; rows: Layer; firstRowY: number }[];
  readonly desc: SVGDescElement;
  onSelect: ((eventIndex: number) => void) | undefined;
  /** The event the description was written for, so it is only rewritten when that changes. */
  describedEvent: number;
  describedSentence: string;
  /** What the connection lines and the notes were last drawn for, so a frame that changes neither skips them. */
  connectionsKey: string | null;
  /** The stretch of the drawing shown, if not all of it: a text it would cut is left out. */
  crop: { x: number; width: number } | undefined;
  connectionGlyphs: ConnectionGlyph[];
  notesKeys: string[];
}

const preparedByIndex = new WeakMap<TraceIndex, Map<string, Prepared>>();
const views = new WeakMap<SVGSVGElement, View>();

function prepare(index: TraceIndex, width: number, height: number): Prepared {
  let bySize = preparedByIndex.get(index);
  if (!bySize) {
    bySize = new Map();
    preparedByIndex.set(index, bySize);
  }
  const size = `${width}x${height}`;
  let prepared = bySize.get(size);
  if (!prepared) {
    const layout = computeLayout(index, width, height);
    prepared = {
      layout,
      labels: new Map(),
      arrivals: new Map(),
      noteSlots: noteSlots(layout),
    };
    bySize.set(size, prepared);
  }
  return prepared;
}

/** Below each router's badges (and the Internet's name), room for its notes. */
export function noteSlots(layout: TopologyLayout): { node: NodeId; top: number; lines: number }[] {
  return layout.nodes.flatMap((node) => {
    if (node.kind === 'host') return [];
    const lastLine = node.lines[node.lines.length - 1]?.y ?? node.nameY;
    const lastBadge = node.badges.reduce((bottom, b) => Math.max(bottom, b.y + 24), 0);
    const top = Math.max(lastLine, lastBadge) + 28;
    const lines = Math.max(0, Math.floor((layout.height - 8 - top) / NOTE_STEP) + 1);
    return lines > 0 ? [{ node: node.id, top, lines }] : [];
  });
}

/* ---------- Writing only what changed: the hot path runs 60 times a second ---------- */

function setAttr(element: Element, name: string, value: string | null): void {
  if (value === null) {
    if (element.hasAttribute(name)) element.removeAttribute(name);
  } else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

const round = (value: number) => String(Math.round(value * 10) / 10);

/* ---------- The static picture, once per trace ---------- */

function appendText(
  parent: Selection<SVGGElement, unknown, null, undefined>,
  className: string,
  y: number,
  text: string,
): void {
  parent.append('text').attr('class', className).attr('x', 0).attr('y', y).text(text);
}

function buildNode(group: SVGGElement, node: NodeLayout, linkY: number): void {
  const g = select(group);
  const icon = g
    .append('g')
    .attr('class', 'icon')
    .attr('transform', `translate(0,${linkY})`)
    .node()!;
  for (const part of nodeIcon(group.ownerDocument, node.kind)) icon.appendChild(part);
  appendText(g, 'node-name', node.nameY, node.name);
  for (const line of node.lines) appendText(g, 'address', line.y, line.text);
  for (const badge of node.badges) {
    const b = g.append('g').attr('class', `badge badge-${badge.kind}`);
    b.append('rect')
      .attr('x', round(badge.x))
      .attr('y', badge.y)
      .attr('width', round(badge.width))
      .attr('height', 24)
      .attr('rx', 12);
    b.append('text')
      .attr('x', round(badge.x + badge.width / 2))
      .attr('y', badge.y + 17)
      .text(badge.text);
  }
  if (node.ports) {
    appendText(g, 'ports-heading', node.ports.headingY, 'Open ports');
    g.append('g').attr('class', 'ports');
  }
}

/** What a node's static drawing depends on: when it is the same, a new trace keeps the elements. */
function nodeContent(node: NodeLayout, linkY: number, notes: boolean): string {
  return JSON.stringify([
    node.kind,
    node.name,
    node.nameY,
    node.lines,
    node.badges,
    node.ports,
    linkY,
    notes,
  ]);
}

const drawnContent = new WeakMap<SVGGElement, string>();

/**
 * Joins the static picture of a trace onto the <svg>. A new trace (a flipped switch) keeps the
 * svg's skeleton, the links and every node whose drawing is unchanged, moving only what moved;
 * the packets and stopped packets of the old trace go, since their keys mean other packets now.
 */
function build(
  element: SVGSVGElement,
  index: TraceIndex,
  prepared: Prepared,
  previous: View | undefined,
): View {
  const { layout } = prepared;
  const svg = select(element);
  const kept = previous && previous.root.parentNode === element ? previous : null;
  let desc: SVGDescElement;
  let root: Layer;
  if (kept) {
    desc = kept.desc;
    root = select(kept.root);
    kept.packets.selectChildren().remove();
    kept.drops.selectChildren().remove();
  } else {
    element.replaceChildren();
    desc = svg.append('desc').node()!;
    svg.append('style').text(TOPOLOGY_CSS);
    root = svg.append('g').attr('class', 'topology-root');
    root.append('g').attr('class', 'links');
    root.append('g').attr('class', 'nodes');
    for (const layer of ['connections', 'drops', 'packets']) root.append('g').attr('class', layer);
  }
  setAttr(element, 'role', 'img');
  setAttr(element, 'aria-label', layout.ariaLabel);
  element.classList.add('topology');
  const layer = (name: string) => root.selectChild<SVGGElement>(`g.${name}`);

  const links = layer('links')
    .selectAll<SVGLineElement, LinkLayout>('line')
    .data(layout.links, (d) => d.key)
    .join((enter) => enter.append('line').attr('class', 'link'))
    .each(function (d) {
      setAttr(this, 'data-link', d.key);
      setAttr(this, 'x1', round(d.x1));
      setAttr(this, 'x2', round(d.x2));
      setAttr(this, 'y1', String(layout.linkY));
      setAttr(this, 'y2', String(layout.linkY));
    })
    .order();

  const hasNotes = new Set(prepared.noteSlots.map((slot) => slot.node));
  layer('nodes')
    .selectAll<SVGGElement, NodeLayout>('g.node')
    .data(layout.nodes, (d) => d.id)
    .join((enter) => enter.append('g').attr('class', (d) => `node kind-${d.kind}`))
    .each(function (d) {
      setAttr(this, 'class', `node kind-${d.kind}`);
      setAttr(this, 'data-node', d.id);
      setAttr(this, 'transform', `translate(${round(d.x)},0)`);
      const content = nodeContent(d, layout.linkY, hasNotes.has(d.id));
      if (drawnContent.get(this) === content) return;
      drawnContent.set(this, content);
      this.replaceChildren();
      buildNode(this, d, layout.linkY);
      if (hasNotes.has(d.id)) select(this).append('g').attr('class', 'notes');
    })
    .order();

  const nodeGroup = (id: NodeId) => layer('nodes').select<SVGGElement>(`g.node[data-node="${id}"]`);
  const portLists = layout.nodes.flatMap((node) => {
    if (!node.ports) return [];
    return [
      {
        node: node.id,
        rows: nodeGroup(node.id).select<SVGGElement>('g.ports'),
        firstRowY: node.ports.firstRowY,
      },
    ];
  });
  const notes = prepared.noteSlots.map((slot) => ({
    ...slot,
    rows: nodeGroup(slot.node).select<SVGGElement>('g.notes'),
  }));

  return {
    index,
    prepared,
    root: root.node()!,
    links,
    connections: layer('connections'),
    drops: layer('drops'),
    packets: layer('packets'),
    notes,
    portLists,
    desc,
    onSelect: undefined,
    describedEvent: -2,
    describedSentence: '',
    connectionsKey: null,
    crop: undefined,
    connectionGlyphs: [],
    notesKeys: notes.map(() => ''),
  };
}

/* ---------- What is true at t ---------- */

function labelFor(prepared: Prepared, packet: PacketInFlight) {
  let label = prepared.labels.get(packet.eventIndex);
  if (!label) {
    label = {
      short: shortPacketLabel(packet.label, packet.packet, prepared.layout.maxLabelChars),
      tooltip: packetTooltip(packet.label, packet.packet),
    };
    prepared.labels.set(packet.eventIndex, label);
  }
  return label;
}

/**
 * Each packet's place on its link, and how it is drawn. A lane is one kind and one direction
 * across the whole view (a label near a node overhangs the next link). Along each lane, from the
 * packet in the lead backwards, a packet gets its label where the label clears the last glyph
 * drawn, a dot where only a dot fits, and nothing where even that would overlap: no glyph covers
 * another, and a label counts the packets hidden behind it ("data 1460 bytes +44"). With reduced
 * motion the packets of a link all sit at its middle, so the leading one's label speaks for all.
 */
function placePackets(
  prepared: Prepared,
  inFlight: readonly PacketInFlight[],
  reducedMotion: boolean,
): PacketGlyph[] {
  const { layout } = prepared;
  const glyphs: PacketGlyph[] = [];
  const lanes = new Map<number, PacketGlyph[]>();
  for (const packet of inFlight) {
    const link = layout.linkBetween.get(`${packet.from}|${packet.to}`);
    if (!link) continue;
    const rightward = link.left === packet.from;
    const progress = reducedMotion ? 0.5 : packet.progress;
    const along = (link.x2 - link.x1) * progress;
    const label = labelFor(prepared, packet);
    const glyph: PacketGlyph = {
      key: `${packet.id}:${packet.eventIndex}`,
      eventIndex: packet.eventIndex,
      kind: packet.kind,
      tooltip: label.tooltip,
      linkKey: link.key,
      rightward,
      x: Math.round((rightward ? link.x1 + along : link.x2 - along) * 10) / 10,
      y: layout.linkY + laneOffset(packet.kind, rightward),
      short: label.short,
      text: withArrow(label.short, rightward),
      look: 'label',
    };
    glyphs.push(glyph);
    const lane = glyph.y;
    const members = lanes.get(lane);
    if (members) members.push(glyph);
    else lanes.set(lane, [glyph]);
  }
  for (const members of lanes.values()) {
    if (members.length < 2) continue;
    const rightward = members[0]!.rightward;
    members.sort((a, b) => (rightward ? b.x - a.x : a.x - b.x) || a.eventIndex - b.eventIndex);
    const halfSpan = (glyph: PacketGlyph) =>
      glyph.look === 'label' ? (glyphWidth(glyph.text) + COUNT_RESERVE) / 2 : PACKET_DOT / 2;
    const covered = new Map<PacketGlyph, number>();
    let last = members[0]!;
    for (const glyph of members.slice(1)) {
      const distance = Math.abs(glyph.x - last.x);
      const clear = distance - halfSpan(last);
      if (clear >= (glyphWidth(glyph.text) + COUNT_RESERVE) / 2 + 4) glyph.look = 'label';
      else if (clear >= PACKET_DOT / 2 + 2) glyph.look = 'dot';
      else glyph.look = 'hidden';
      if (glyph.look !== 'hidden') last = glyph;
      else if (last.look === 'label') covered.set(last, (covered.get(last) ?? 0) + 1);
    }
    for (const [glyph, count] of covered)
      glyph.text = withArrow(`${glyph.short} +${count}`, glyph.rightward);
  }
  return glyphs;
}

function updatePacketGlyph(group: SVGGElement, glyph: PacketGlyph): void {
  setAttr(group, 'transform', `translate(${glyph.x},${glyph.y})`);
  // A hidden glyph is drawn as a dot too, so its attributes depend on t alone.
  setAttr(group, 'display', glyph.look === 'hidden' ? 'none' : null);
  const body = group.children[1]!;
  const label = group.children[2]!;
  const isLabel = glyph.look === 'label';
  const width = isLabel ? glyphWidth(glyph.text) : PACKET_DOT;
  const height = isLabel ? PACKET_HEIGHT : PACKET_DOT;
  setAttr(body, 'x', round(-width / 2));
  setAttr(body, 'y', round(-height / 2));
  setAttr(body, 'width', round(width));
  setAttr(body, 'height', round(height));
  setAttr(body, 'rx', round(height / 2));
  setText(label, isLabel ? glyph.text : '');
  setAttr(label, 'display', isLabel ? null : 'none');
}

function joinPackets(view: View, glyphs: PacketGlyph[]): void {
  view.packets
    .selectAll<SVGGElement, PacketGlyph>('g.packet')
    .data(glyphs, (d) => d.key)
    .join((enter) => {
      const g = enter
        .append('g')
        .attr('class', (d) => `packet kind-${d.kind}`)
        .attr('data-event', (d) => d.eventIndex)
        .on('click', (_event: MouseEvent, d: PacketGlyph) => view.onSelect?.(d.eventIndex));
      g.append('title').text((d) => d.tooltip);
      g.append('rect').attr('class', 'body');
      g.append('text').attr('class', 'label').attr('y', 5);
      return g;
    })
    .each(function (d) {
      updatePacketGlyph(this, d);
    });
}

function portRows(view: View, node: NodeId, t: number): PortRow[] {
  const rows: PortRow[] = [];
  for (const port of openPortsAt(view.index, node, t)) {
    for (const socket of port.sockets) {
      const listening = socket.state === 'LISTEN';
      rows.push({
        key: socket.actor,
        text: `${port.port} ${socket.state}`,
        className: listening ? 'port listening' : 'port',
      });
    }
  }
  if (rows.length === 0) return [{ key: 'none', text: 'none', className: 'port more' }];
  const max = view.prepared.layout.maxPortRows;
  if (rows.length <= max) return rows;
  const hidden = rows.length - (max - 1);
  return [
    ...rows.slice(0, max - 1),
    { key: 'more', text: `+${hidden} more`, className: 'port more' },
  ];
}

function joinPorts(view: View, t: number): void {
  const { layout } = view.prepared;
  const rowHeight = layout.portRowHeight;
  for (const list of view.portLists) {
    const nodeX = layout.nodeById.get(list.node)!.x;
    list.rows
      .selectAll<SVGTextElement, PortRow>('text')
      .data(portRows(view, list.node, t), (d) => d.key)
      .join((enter) => enter.append('text').attr('x', 0))
      .each(function (d, i) {
        setAttr(this, 'class', d.className);
        setAttr(this, 'x', round(portRowShift(layout.width, nodeX, d.text)));
        setAttr(this, 'y', String(list.firstRowY + i * rowHeight));
        setText(this, d.text);
      });
  }
}

/* ---------- Stopped packets: held where they were stopped, for a moment ---------- */

/** The hop that brought a stopped packet to the node that stopped it, with its label. */
function arrivalOf(view: View, drop: RecentDrop): { from: NodeId; short: string } | null {
  const { arrivals, layout } = view.prepared;
  let arrival = arrivals.get(drop.eventIndex);
  if (arrival === undefined) {
    arrival = null;
    const events = view.index.events;
    for (let i = drop.eventIndex - 1; i >= 0; i--) {
      const event = events[i]!;
      if (event.type === 'hop' && event.packet.id === drop.packet.id && event.to === drop.node) {
        arrival = {
          from: event.from,
          short: shortPacketLabel(drop.label, drop.packet, layout.maxLabelChars),
        };
        break;
      }
    }
    arrivals.set(drop.eventIndex, arrival);
  }
  return arrival;
}

function placeDrops(view: View, drops: readonly RecentDrop[]): DropGlyph[] {
  const { layout } = view.prepared;
  const glyphs: DropGlyph[] = [];
  for (const drop of drops) {
    const node = layout.nodeById.get(drop.node);
    if (!node) continue;
    const arrival = arrivalOf(view, drop);
    const link = arrival ? layout.linkBetween.get(`${arrival.from}|${drop.node}`) : undefined;
    let packet: DropGlyph['packet'] = null;
    if (arrival && link) {
      const rightward = link.left === arrival.from;
      const kind = packetKind(drop.packet);
      const text = withArrow(`${arrival.short} ✗`, rightward);
      const width = glyphWidth(text);
      const x = rightward ? link.x2 - width / 2 - 2 : link.x1 + width / 2 + 2;
      packet = {
        kind,
        text,
        x: Math.round(x * 10) / 10,
        // The lane nearest the link whichever way it came: it is stopped, not travelling, and
        // the outer lane runs close to the node names in a compact layout.
        y: layout.linkY + laneOffset(kind, true),
        width,
        verdict: verdictLabel(drop),
        verdictY: layout.linkY + laneOffset(kind, true) + (kind === 'data' ? 26 : -18),
      };
    }
    glyphs.push({
      key: String(drop.eventIndex),
      eventIndex: drop.eventIndex,
      action: drop.action,
      tooltip: dropTooltip(drop),
      markX: node.x,
      packet,
      opacity: drop.fade.toFixed(3),
    });
  }
  return glyphs;
}

function dropTooltip(drop: RecentDrop): string {
  const verb = drop.action === 'drop' ? 'dropped' : 'rejected';
  let why: string;
  if (drop.rule) why = ruleLabel(drop.rule);
  else if (drop.verdict?.by === 'policy') why = 'default policy';
  else why = drop.reason;
  return `${drop.label} ${verb}: ${why}`;
}

function joinDrops(view: View, t: number): void {
  const { layout } = view.prepared;
  const glyphs = placeDrops(view, recentDropsAt(view.index, t, STOPPED_WINDOW_MS));
  view.drops
    .selectAll<SVGGElement, DropGlyph>('g.drop')
    .data(glyphs, (d) => d.key)
    .join((enter) => {
      const g = enter
        .append('g')
        .attr('class', (d) => `drop action-${d.action}`)
        .attr('data-event', (d) => d.eventIndex);
      g.append('title').text((d) => d.tooltip);
      g.append('text')
        .attr('class', 'mark')
        .attr('x', (d) => round(d.markX))
        .attr('y', layout.linkY + ICON_HALF_HEIGHT - 6)
        .text('✗');
      g.filter((d) => d.packet !== null).each(function (d) {
        const p = d.packet!;
        const held = select(this)
          .append('g')
          .attr('class', `stopped packet kind-${p.kind}`)
          .attr('transform', `translate(${p.x},${p.y})`);
        held
          .append('rect')
          .attr('class', 'body')
          .attr('x', round(-p.width / 2))
          .attr('y', -PACKET_HEIGHT / 2)
          .attr('width', round(p.width))
          .attr('height', PACKET_HEIGHT)
          .attr('rx', PACKET_HEIGHT / 2);
        held.append('text').attr('class', 'label').attr('y', 5).text(p.text);
        select(this)
          .append('text')
          .attr('class', 'verdict')
          .attr('x', p.x)
          .attr('y', round(p.verdictY))
          .attr('text-anchor', 'middle')
          .text(p.verdict);
      });
      return g;
    })
    .each(function (d) {
      setAttr(this, 'opacity', d.opacity);
      // Where the drawing is cut in two, the held packet and its verdict show on the side that has them whole.
      if (d.packet) {
        const half = Math.max(d.packet.width, d.packet.verdict.length * 0.6 * 15) / 2;
        const whole =
          !view.crop ||
          (d.packet.x - half >= view.crop.x && d.packet.x + half <= view.crop.x + view.crop.width);
        showIf([this.children[2], this.children[3]], whole);
      }
    });
}

/* ---------- Connections: one line each, host to host, for the whole run ---------- */

const ARROW = { client: '→', server: '←' } as const;

/** Which connections get a line when there are more than fit: the control ones, then the blocked, then the latest. */
function chooseRows(all: ConnectionAt[]): ConnectionAt[] {
  if (all.length <= MAX_ROWS) return all;
  const control = all.filter((c) => c.connection.channel === 'control').slice(0, MAX_ROWS);
  const rest = all
    .filter((c) => c.connection.channel !== 'control')
    .sort(
      (a, b) =>
        Number(b.state === 'blocked') - Number(a.state === 'blocked') ||
        Number(a.state === 'closed') - Number(b.state === 'closed') ||
        b.connection.openedAt - a.connection.openedAt,
    )
    .slice(0, MAX_ROWS - control.length);
  return [...control, ...rest].sort(
    (a, b) =>
      Number(a.connection.channel !== 'control') - Number(b.connection.channel !== 'control') ||
      a.connection.openedAt - b.connection.openedAt,
  );
}

function connectionTooltip(view: View, at: ConnectionAt): string {
  const c = at.connection;
  const channel = c.channel === 'control' ? 'Control' : 'Data';
  const where = at.blockedAt ? ` by the ${nodeName(view.index, at.blockedAt)}` : '';
  const stops = at.tallies
    .map((s) => `${s.verdict} ×${s.count} at the ${nodeName(view.index, s.node)}`)
    .join(', ');
  return `${channel} connection ${c.local} → ${c.remote}, opened by the ${c.opener}: ${at.state}${where}${stops ? ` (${stops})` : ''}`;
}

function placeConnections(view: View, t: number): ConnectionGlyph[] {
  const { layout } = view.prepared;
  const x = (node: NodeId) => layout.nodeById.get(node)!.x;
  return chooseRows(connectionsAt(view.index, t)).map((at, row) => {
    const c = at.connection;
    const x1 = x('client');
    const x2 = x('server');
    let reachX1 = x1;
    let reachX2 = x2;
    if (at.blockedAt) {
      if (c.opener === 'client') reachX2 = x(at.blockedAt);
      else reachX1 = x(at.blockedAt);
    }
    const label = `${c.channel} ${c.clientPort} ${ARROW[c.opener]} ${c.serverPort}`;
    const labelX = x1 + 8;
    const labelEnd = labelX + label.length * ROW_CHAR_WIDTH;
    const stateX = x2 - 8;
    const stateStart = stateX - at.state.length * ROW_CHAR_WIDTH;
    const openerX = x(c.opener);
    const stops = at.tallies.map((tally): StopGlyph => {
      const nodeX = x(tally.node);
      const text = tally.count > 1 ? `${tally.verdict} ×${tally.count}` : tally.verdict;
      const width = text.length * ROW_CHAR_WIDTH;
      // Beside the cross on the side the packets came from; the other side if the label is there.
      let after = openerX > nodeX;
      const span = (right: boolean) =>
        right ? [nodeX + 14, nodeX + 14 + width] : [nodeX - 14 - width, nodeX - 14];
      const overlaps = ([a, b]: number[]) =>
        (a! < labelEnd + 6 && b! > labelX - 6) || (a! < stateX + 6 && b! > stateStart - 6);
      if (overlaps(span(after)) && !overlaps(span(!after))) after = !after;
      return {
        key: `${tally.node}|${tally.verdict}`,
        x: nodeX,
        text,
        textX: after ? nodeX + 14 : nodeX - 14,
        anchor: after ? 'start' : 'end',
      };
    });
    return {
      key: c.id,
      className: `connection channel-${c.channel} state-${at.state}`,
      y: ROW_TOP + row * ROW_STEP,
      x1,
      x2,
      reachX1,
      reachX2,
      junctions: c.crosses.map(x),
      label,
      labelX,
      state: at.state,
      stateX,
      stops,
      tooltip: connectionTooltip(view, at),
    };
  });
}

/**
 * Whether a connection line's text (start or end anchored at x) shows whole in the stretch of the
 * drawing on screen: where the drawing is cut in two, a verdict or a state half on each side of
 * the cut is written only where it is whole.
 */
function wholeInCrop(view: View, x: number, anchor: 'start' | 'end', text: string): boolean {
  if (!view.crop) return true;
  const width = text.length * ROW_CHAR_WIDTH + 4;
  const from = anchor === 'start' ? x - 4 : x - width;
  return from >= view.crop.x && from + width <= view.crop.x + view.crop.width;
}

/** Hides what the crop would cut, marked as such: an export of the whole drawing shows it again. */
function showIf(elements: (Element | undefined)[], shown: boolean): void {
  for (const element of elements) {
    if (!element) continue;
    setAttr(element, 'display', shown ? null : 'none');
    setAttr(element, 'data-cropped', shown ? null : '');
  }
}

/** A surface-coloured box behind a text on a connection line, so the line does not run through it. */
function placeTag(
  rect: Element,
  x: number,
  anchor: 'start' | 'end',
  text: string,
  y: number,
): void {
  const width = text.length * ROW_CHAR_WIDTH + 8;
  setAttr(rect, 'x', round(anchor === 'start' ? x - 4 : x - width + 4));
  setAttr(rect, 'y', String(y - 9));
  setAttr(rect, 'width', round(width));
  setAttr(rect, 'height', '18');
}

function joinConnections(view: View, t: number): ConnectionGlyph[] {
  const key = connectionsKeyAt(view.index, t);
  if (key === view.connectionsKey) return view.connectionGlyphs;
  const glyphs = placeConnections(view, t);
  view.connectionsKey = key;
  view.connectionGlyphs = glyphs;
  view.connections
    .selectAll<SVGGElement, ConnectionGlyph>('g.connection')
    .data(glyphs, (d) => d.key)
    .join((enter) => {
      const g = enter.append('g').attr('data-connection', (d) => d.key);
      g.append('title');
      g.append('line').attr('class', 'track');
      g.append('line').attr('class', 'reach');
      g.append('g').attr('class', 'junctions');
      g.append('rect').attr('class', 'tag');
      g.append('text').attr('class', 'conn-label');
      g.append('rect').attr('class', 'tag');
      g.append('text').attr('class', 'conn-state');
      g.append('g').attr('class', 'stops');
      return g;
    })
    .each(function (d) {
      setAttr(this, 'class', d.className);
      const [title, track, reach, junctions, labelTag, label, stateTag, state, stops] =
        this.children;
      const y = String(d.y);
      setText(title!, d.tooltip);
      setAttr(track!, 'x1', round(d.x1));
      setAttr(track!, 'x2', round(d.x2));
      setAttr(track!, 'y1', y);
      setAttr(track!, 'y2', y);
      setAttr(reach!, 'x1', round(d.reachX1));
      setAttr(reach!, 'x2', round(d.reachX2));
      setAttr(reach!, 'y1', y);
      setAttr(reach!, 'y2', y);
      select(junctions as SVGGElement)
        .selectAll<SVGCircleElement, number>('circle')
        .data([d.x1, ...d.junctions, d.x2])
        .join((e) => e.append('circle').attr('r', 4))
        .each(function (cx) {
          setAttr(this, 'cx', round(cx));
          setAttr(this, 'cy', y);
        });
      placeTag(labelTag!, d.labelX, 'start', d.label, d.y);
      placeTag(stateTag!, d.stateX, 'end', d.state, d.y);
      setAttr(label!, 'x', round(d.labelX));
      setAttr(label!, 'y', String(d.y + 5));
      setText(label!, d.label);
      setAttr(state!, 'x', round(d.stateX));
      setAttr(state!, 'y', String(d.y + 5));
      setText(state!, d.state);
      showIf([labelTag, label], wholeInCrop(view, d.labelX, 'start', d.label));
      showIf([stateTag, state], wholeInCrop(view, d.stateX, 'end', d.state));
      select(stops as SVGGElement)
        .selectAll<SVGGElement, StopGlyph>('g.stop')
        .data(d.stops, (s) => s.key)
        .join((e) => {
          const stop = e.append('g').attr('class', 'stop');
          stop.append('rect').attr('class', 'tag');
          stop.append('text').attr('class', 'cross').text('✗');
          stop.append('text').attr('class', 'verdict');
          return stop;
        })
        .each(function (s) {
          const [tag, cross, verdict] = this.children;
          placeTag(tag!, s.textX, s.anchor, s.text, d.y);
          setAttr(cross!, 'x', round(s.x));
          setAttr(cross!, 'y', String(d.y + 8));
          setAttr(verdict!, 'x', round(s.textX));
          setAttr(verdict!, 'y', String(d.y + 5));
          setAttr(verdict!, 'text-anchor', s.anchor);
          setText(verdict!, s.text);
          showIf([tag, verdict], wholeInCrop(view, s.textX, s.anchor, s.text));
        });
    });
  return glyphs;
}

/* ---------- Beside each router: expectations, NAT rewrites, stray stops ---------- */

function joinNotes(view: View, t: number): void {
  view.notes.forEach((slot, n) => {
    const notes = routerNotesAt(view.index, slot.node, t).slice(0, slot.lines);
    const key = notes.map((note) => note.text).join('\n');
    if (key === view.notesKeys[n]) return;
    view.notesKeys[n] = key;
    slot.rows
      .selectAll<SVGTextElement, RouterNote>('text')
      .data(notes, (d) => d.key)
      .join((enter) => enter.append('text').attr('x', 0))
      .each(function (d, i) {
        setAttr(this, 'class', `note note-${d.kind}`);
        setAttr(this, 'y', String(slot.top + i * NOTE_STEP));
        setText(this, d.text);
      });
  });
}

/** The latest event at or before t that stepping stops at; -1 before the first. */
function latestStepEvent(index: TraceIndex, t: number): number {
  let i = eventsUpTo(index, t) - 1;
  while (i >= 0 && !isStepEvent(index.events[i]!)) i--;
  return i;
}

function describe(
  view: View,
  t: number,
  packetCount: number,
  connections: readonly ConnectionGlyph[],
): void {
  const latest = latestStepEvent(view.index, t);
  if (latest !== view.describedEvent) {
    const event = view.index.events[latest];
    view.describedEvent = latest;
    view.describedSentence = event
      ? `At ${formatTime(event.t)}: ${describeEventForScreenReader(event, view.index)}.`
      : 'Nothing has happened yet.';
  }
  const wire =
    packetCount === 0
      ? 'No packets on the wire.'
      : `${packetCount} packet${packetCount === 1 ? '' : 's'} on the wire.`;
  const lines = connections
    .map(
      (c) =>
        `${c.label} ${c.state}${c.stops.length ? ` (${c.stops.map((s) => s.text).join(', ')})` : ''}`,
    )
    .join('; ');
  const open = lines ? ` Connections: ${lines}.` : '';
  setText(view.desc, `${view.describedSentence} ${wire}${open}`);
}

/* ---------- The renderer ---------- */

export function renderTopology(
  element: SVGSVGElement,
  index: TraceIndex,
  t: number,
  options: TopologyOptions = {},
): void {
  const {
    width = DEFAULT_WIDTH,
    height = DEFAULT_HEIGHT,
    reducedMotion = false,
    onSelect,
    crop,
  } = options;
  const prepared = prepare(index, width, height);
  let view = views.get(element);
  if (
    !view ||
    view.index !== index ||
    view.prepared !== prepared ||
    view.root.parentNode !== element
  ) {
    view = build(element, index, prepared, view);
    views.set(element, view);
  }
  view.onSelect = onSelect;
  if (view.crop?.x !== crop?.x || view.crop?.width !== crop?.width) {
    view.crop = crop;
    view.connectionsKey = null;
  }
  setAttr(
    element,
    'viewBox',
    crop ? `${crop.x} 0 ${crop.width} ${height}` : `0 0 ${width} ${height}`,
  );
  // A cropped view still holds the whole drawing: an export (svg-snapshot.ts) takes all of it.
  setAttr(element, 'data-drawing', crop ? `0 0 ${width} ${height}` : null);
  element.classList.toggle('reduced-motion', reducedMotion);
  element.classList.toggle('selectable', onSelect !== undefined);

  const inFlight = packetsInFlightAt(index, t);
  const glyphs = placePackets(prepared, inFlight, reducedMotion);
  const busy = new Set(glyphs.map((g) => g.linkKey));
  view.links.each(function (d) {
    setAttr(this, 'class', busy.has(d.key) ? 'link busy' : 'link');
  });
  joinPackets(view, glyphs);
  joinPorts(view, t);
  const connections = joinConnections(view, t);
  joinDrops(view, t);
  joinNotes(view, t);
  describe(view, t, glyphs.length, connections);
}
