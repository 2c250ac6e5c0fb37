import { select, type Selection } from 'd3-selection';
import {
  describeEventForScreenReader,
  eventsUpTo,
  isStepEvent,
  openPortsAt,
  packetsInFlightAt,
  recentDropsAt,
  type PacketInFlight,
  type RecentDrop,
  type TraceIndex,
} from '../scenario/queries';
import type { NodeId } from '../scenario/trace';
import { ICON_HALF_HEIGHT, nodeIcon } from './node-icon';
import {
  glyphWidth,
  laneOffset,
  PACKET_DOT,
  PACKET_HEIGHT,
  packetTooltip,
  shortPacketLabel,
  truncate,
  withArrow,
} from './packet-glyph';
import {
  computeLayout,
  DEFAULT_HEIGHT,
  DEFAULT_WIDTH,
  DROP_CAPTION_STEP,
  DROP_CAPTION_TOP,
  DROP_CAPTIONS_PER_NODE,
  type LinkLayout,
  type NodeLayout,
  type TopologyLayout,
} from './topology-layout';
import { TOPOLOGY_CSS } from './topology-style';

/**
 * The network view: five nodes left to right, the links between them, the packets on those links
 * at time t, the ports each host has open and the marks of recent drops. A pure function of
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
}

/** How long a drop's mark stays on screen, fading, in virtual milliseconds. */
const DROP_WINDOW_MS = 1500;
const CAPTION_CHARS = 56;
/** Room kept beside a label for the " +12" that counts the packets hidden behind it. */
const COUNT_RESERVE = glyphWidth(' +99') - glyphWidth('');
const CAPTION_CHAR_WIDTH = 0.6 * 17;

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
  readonly caption: string;
  readonly markX: number;
  readonly captionX: number;
  readonly captionY: number;
  readonly opacity: string;
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
}

type Layer = Selection<SVGGElement, unknown, null, undefined>;

interface View {
  readonly index: TraceIndex;
  readonly prepared: Prepared;
  readonly root: SVGGElement;
  readonly links: Selection<SVGLineElement, LinkLayout, SVGGElement, unknown>;
  readonly packets: Layer;
  readonly drops: Layer;
  readonly portLists: readonly { node: NodeId; rows: Layer; firstRowY: number }[];
  readonly desc: SVGDescElement;
  onSelect: ((eventIndex: number) => void) | undefined;
  /** The event the description was written for, so it is only rewritten when that changes. */
  describedEvent: number;
  describedSentence: string;
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
    prepared = { layout: computeLayout(index, width, height), labels: new Map() };
    bySize.set(size, prepared);
  }
  return prepared;
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

function build(element: SVGSVGElement, index: TraceIndex, prepared: Prepared): View {
  const { layout } = prepared;
  element.replaceChildren();
  const svg = select(element);
  svg
    .attr('viewBox', `0 0 ${layout.width} ${layout.height}`)
    .attr('role', 'img')
    .attr('aria-label', layout.ariaLabel)
    .classed('topology', true);
  const desc = svg.append('desc').node()!;
  svg.append('style').text(TOPOLOGY_CSS);
  const root = svg.append('g').attr('class', 'topology-root');

  const links = root
    .append('g')
    .attr('class', 'links')
    .selectAll<SVGLineElement, LinkLayout>('line')
    .data(layout.links, (d) => d.key)
    .join('line')
    .attr('class', 'link')
    .attr('data-link', (d) => d.key)
    .attr('x1', (d) => round(d.x1))
    .attr('x2', (d) => round(d.x2))
    .attr('y1', layout.linkY)
    .attr('y2', layout.linkY);

  root
    .append('g')
    .attr('class', 'nodes')
    .selectAll<SVGGElement, NodeLayout>('g.node')
    .data(layout.nodes, (d) => d.id)
    .join('g')
    .attr('class', (d) => `node kind-${d.kind}`)
    .attr('data-node', (d) => d.id)
    .attr('transform', (d) => `translate(${round(d.x)},0)`)
    .each(function (d) {
      buildNode(this, d, layout.linkY);
    });

  const portLists = layout.nodes.flatMap((node) => {
    if (!node.ports) return [];
    const rows = root.select<SVGGElement>(`g.node[data-node="${node.id}"] g.ports`);
    return [{ node: node.id, rows, firstRowY: node.ports.firstRowY }];
  });

  return {
    index,
    prepared,
    root: root.node()!,
    links,
    drops: root.append('g').attr('class', 'drops'),
    packets: root.append('g').attr('class', 'packets'),
    portLists,
    desc,
    onSelect: undefined,
    describedEvent: -2,
    describedSentence: '',
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
  const rowHeight = view.prepared.layout.portRowHeight;
  for (const list of view.portLists) {
    list.rows
      .selectAll<SVGTextElement, PortRow>('text')
      .data(portRows(view, list.node, t), (d) => d.key)
      .join((enter) => enter.append('text').attr('x', 0))
      .each(function (d, i) {
        setAttr(this, 'class', d.className);
        setAttr(this, 'y', String(list.firstRowY + i * rowHeight));
        setText(this, d.text);
      });
  }
}

function dropCaption(drop: RecentDrop): string {
  const verb = drop.action === 'drop' ? 'dropped' : 'rejected';
  let why: string;
  if (drop.rule)
    why = drop.rule.name
      ? `rule ${drop.rule.number} — ${drop.rule.name}`
      : `rule ${drop.rule.number}`;
  else if (drop.verdict?.by === 'policy') why = 'default policy';
  else why = drop.reason;
  return truncate(`${drop.label} ${verb}: ${why}`, CAPTION_CHARS);
}

function placeDrops(layout: TopologyLayout, drops: readonly RecentDrop[]): DropGlyph[] {
  const glyphs: DropGlyph[] = [];
  const rankAt = new Map<NodeId, number>();
  // Newest first, so the latest drop at a node takes the top line.
  for (let i = drops.length - 1; i >= 0; i--) {
    const drop = drops[i]!;
    const node = layout.nodeById.get(drop.node);
    const rank = rankAt.get(drop.node) ?? 0;
    if (!node || rank >= DROP_CAPTIONS_PER_NODE) continue;
    rankAt.set(drop.node, rank + 1);
    const caption = dropCaption(drop);
    const half = (caption.length * CAPTION_CHAR_WIDTH) / 2;
    const captionX = Math.min(Math.max(node.x, half + 8), layout.width - half - 8);
    glyphs.push({
      key: String(drop.eventIndex),
      eventIndex: drop.eventIndex,
      action: drop.action,
      caption,
      markX: node.x,
      captionX,
      captionY: DROP_CAPTION_TOP + rank * DROP_CAPTION_STEP,
      opacity: drop.fade.toFixed(3),
    });
  }
  return glyphs.sort((a, b) => a.eventIndex - b.eventIndex);
}

function joinDrops(view: View, t: number): void {
  const { layout } = view.prepared;
  const glyphs = placeDrops(layout, recentDropsAt(view.index, t, DROP_WINDOW_MS));
  view.drops
    .selectAll<SVGGElement, DropGlyph>('g.drop')
    .data(glyphs, (d) => d.key)
    .join((enter) => {
      const g = enter
        .append('g')
        .attr('class', (d) => `drop action-${d.action}`)
        .attr('data-event', (d) => d.eventIndex);
      g.append('text')
        .attr('class', 'mark')
        .attr('x', (d) => round(d.markX))
        .attr('y', layout.linkY + ICON_HALF_HEIGHT - 6)
        .text('✗');
      g.append('text')
        .attr('class', 'caption')
        .text((d) => d.caption);
      return g;
    })
    .each(function (d) {
      setAttr(this, 'opacity', d.opacity);
      const caption = this.children[1]!;
      setAttr(caption, 'x', round(d.captionX));
      setAttr(caption, 'y', String(d.captionY));
    });
}

/** The latest event at or before t that stepping stops at; -1 before the first. */
function latestStepEvent(index: TraceIndex, t: number): number {
  let i = eventsUpTo(index, t) - 1;
  while (i >= 0 && !isStepEvent(index.events[i]!)) i--;
  return i;
}

function describe(view: View, t: number, packetCount: number): void {
  const latest = latestStepEvent(view.index, t);
  if (latest !== view.describedEvent) {
    const event = view.index.events[latest];
    view.describedEvent = latest;
    view.describedSentence = event
      ? `At ${(event.t / 1000).toFixed(3)} s: ${describeEventForScreenReader(event, view.index)}.`
      : 'Nothing has happened yet.';
  }
  const wire =
    packetCount === 0
      ? 'No packets on the wire.'
      : `${packetCount} packet${packetCount === 1 ? '' : 's'} on the wire.`;
  setText(view.desc, `${view.describedSentence} ${wire}`);
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
  } = options;
  const prepared = prepare(index, width, height);
  let view = views.get(element);
  if (
    !view ||
    view.index !== index ||
    view.prepared !== prepared ||
    view.root.parentNode !== element
  ) {
    view = build(element, index, prepared);
    views.set(element, view);
  }
  view.onSelect = onSelect;
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
  joinDrops(view, t);
  describe(view, t, glyphs.length);
}
