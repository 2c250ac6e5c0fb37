import { nodeName, type TraceIndex } from '../scenario/queries';
import { NODE_ORDER, type NodeId } from '../scenario/trace';
import type { SideConfig } from '../scenario/types';
import { glyphWidth } from './packet-glyph';
import { ICON_HALF_WIDTH, type NodeKind } from './node-icon';

/**
 * Where everything of the network view goes, computed once per (trace, size): five columns, the
 * links at mid-height of the icons, each node's name, addresses and badges below its icon, and
 * room under the hosts for their open ports. Sizes are in viewBox units; the defaults suit a
 * projector (the view is scaled to its container's width).
 */

export const DEFAULT_WIDTH = 1200;
export const DEFAULT_HEIGHT = 460;
/**
 * The least height the drawing is laid out at: the names sit closer to the icons and the hosts
 * keep room for two open ports. The sandbox's workspace uses it on a 1280×720 screen, where the
 * ladder needs the rest of the height.
 */
export const COMPACT_HEIGHT = 320;

/** The baseline of the first drop caption; later ones stack below it. */
export const DROP_CAPTION_TOP = 24;
export const DROP_CAPTION_STEP = 22;
export const DROP_CAPTIONS_PER_NODE = 3;

const LINK_Y = 140;
const NAME_GAP = 88;
/**
 * Below the default height: the name's capitals (16 units of its 22) just clear the pills of the
 * outer lane under the link (45 ± 12, and their 1-unit edge), where a packet at its link's end
 * lies under a node's name: "← FIN-ACK" covered "Client" (issue 12 review)...
 */
const COMPACT_NAME_GAP = 75;
/**
 * ...and what is below the name sits closer (addresses, badges, open ports), so a router's
 * second row of badges and a host's second port row stay inside the drawing.
 */
const SPACING = { line: 22, badges: 12, ports: 32 };
const COMPACT_SPACING = { line: 20, badges: 9, ports: 23 };
const BADGE_HEIGHT = 24;
const BADGE_GAP = 6;
const BADGE_CHAR_WIDTH = 0.6 * 14;
const PORT_ROW_HEIGHT = 22;
const BOTTOM_MARGIN = 12;
/** An open-port row's characters: 0.6 em of the 17-unit monospace, and its 2-unit halo a side. */
const PORT_CHAR_WIDTH = 0.6 * 17;
const PORT_HALO = 2;
/** The widest row a host's open ports can have: a five-digit port in the longest TCP state. */
const WIDEST_PORT_ROW = '65535 SYN_RECEIVED';
/** Between a host's port rows and its neighbour's badges. */
const PORT_BADGE_GAP = 8;

export type BadgeKind = 'firewall' | 'nat' | 'helper';

export interface BadgeLayout {
  readonly text: string;
  readonly kind: BadgeKind;
  /** Left edge and top, relative to the node's centre line. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
}

export interface NodeLayout {
  readonly id: NodeId;
  readonly x: number;
  readonly kind: NodeKind;
  /** As the learner calls it: "client firewall". */
  readonly name: string;
  readonly nameY: number;
  /** "192.0.2.10"; "LAN 192.0.2.1" and "WAN 203.0.113.1" for a router. */
  readonly lines: readonly { readonly text: string; readonly y: number }[];
  readonly badges: readonly BadgeLayout[];
  /** For hosts: where the open-ports list starts; null for routers and the Internet. */
  readonly ports: { readonly headingY: number; readonly firstRowY: number } | null;
}

export interface LinkLayout {
  /** "client|client-router": the two ends, left to right. */
  readonly key: string;
  readonly left: NodeId;
  readonly right: NodeId;
  /** Where the link leaves the left icon and reaches the right one. */
  readonly x1: number;
  readonly x2: number;
}

export interface TopologyLayout {
  readonly width: number;
  readonly height: number;
  readonly linkY: number;
  readonly nodes: readonly NodeLayout[];
  readonly nodeById: ReadonlyMap<NodeId, NodeLayout>;
  readonly links: readonly LinkLayout[];
  /** The link between two neighbours, in either order. */
  readonly linkBetween: ReadonlyMap<string, LinkLayout>;
  /** The longest packet label whose pill fits between two node centres. */
  readonly maxLabelChars: number;
  readonly portRowHeight: number;
  readonly maxPortRows: number;
  /** The root's accessible name: every node with its addresses and switches. */
  readonly ariaLabel: string;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function badgeTexts(side: SideConfig): { text: string; kind: BadgeKind }[] {
  const badges: { text: string; kind: BadgeKind }[] = [];
  if (side.firewall)
    badges.push({ text: side.firewall.stateful ? 'stateful' : 'stateless', kind: 'firewall' });
  if (side.nat) badges.push({ text: 'NAT', kind: 'nat' });
  if (side.ftpHelper) badges.push({ text: 'FTP helper', kind: 'helper' });
  return badges;
}

/** Badges left to right, wrapping onto a new row when the column is full; centred per row. */
function placeBadges(
  badges: { text: string; kind: BadgeKind }[],
  top: number,
  columnWidth: number,
): BadgeLayout[] {
  const rows: { text: string; kind: BadgeKind; width: number }[][] = [];
  let rowWidth = 0;
  for (const badge of badges) {
    const width = badge.text.length * BADGE_CHAR_WIDTH + 16;
    const row = rows[rows.length - 1];
    if (row && rowWidth + BADGE_GAP + width <= columnWidth) {
      row.push({ ...badge, width });
      rowWidth += BADGE_GAP + width;
    } else {
      rows.push([{ ...badge, width }]);
      rowWidth = width;
    }
  }
  return rows.flatMap((row, r) => {
    const total = row.reduce((sum, b) => sum + b.width, 0) + BADGE_GAP * (row.length - 1);
    let x = -total / 2;
    return row.map((badge) => {
      const placed = { ...badge, x, y: top + r * (BADGE_HEIGHT + BADGE_GAP) };
      x += badge.width + BADGE_GAP;
      return placed;
    });
  });
}

/**
 * How far a host's port row moves in from under its name so that it stays inside the drawing: a
 * narrow drawing's client sits closer to the edge than half of "53240 SYN_RECEIVED" (issue 12).
 */
export function portRowShift(drawingWidth: number, nodeX: number, text: string): number {
  const half = (text.length * PORT_CHAR_WIDTH) / 2 + PORT_HALO;
  if (nodeX - half < 0) return half - nodeX;
  if (nodeX + half > drawingWidth) return drawingWidth - nodeX - half;
  return 0;
}

/**
 * A router's badges move sideways, away from the host beside it, where that host's widest port
 * row would run under them: in a narrow drawing (a phone's, 780 units) the client's row, pushed in
 * from the edge, reaches past the middle of the gap to the client firewall, and "40961
 * ESTABLISHED" ran under "stateful" (issue 12 review).
 */
function clearPortColumns(nodes: NodeLayout[], width: number): void {
  nodes.forEach((node, i) => {
    if (!node.ports) return;
    const half = (WIDEST_PORT_ROW.length * PORT_CHAR_WIDTH) / 2 + PORT_HALO;
    const centre = node.x + portRowShift(width, node.x, WIDEST_PORT_ROW);
    const top = node.ports.firstRowY - 14;
    for (const side of [-1, 1]) {
      const neighbour = nodes[i + side];
      if (!neighbour || neighbour.badges.length === 0) continue;
      if (!neighbour.badges.some((b) => b.y + BADGE_HEIGHT > top)) continue;
      const edges = neighbour.badges.map((b) => neighbour.x + (side > 0 ? b.x : b.x + b.width));
      const delta =
        side > 0
          ? Math.max(0, centre + half + PORT_BADGE_GAP - Math.min(...edges))
          : Math.min(0, centre - half - PORT_BADGE_GAP - Math.max(...edges));
      if (delta === 0) continue;
      nodes[i + side] = {
        ...neighbour,
        badges: neighbour.badges.map((b) => ({ ...b, x: b.x + delta })),
      };
    }
  });
}

export function computeLayout(index: TraceIndex, width: number, height: number): TopologyLayout {
  const { scenario, addressing } = index.result;
  const margin = Math.round(width * 0.09);
  const spacing = (width - 2 * margin) / (NODE_ORDER.length - 1);
  const compact = height < DEFAULT_HEIGHT;
  const nameY = LINK_Y + (compact ? COMPACT_NAME_GAP : NAME_GAP);
  const gaps = compact ? COMPACT_SPACING : SPACING;
  const describedNodes: string[] = [];

  const nodes = NODE_ORDER.map((id, column): NodeLayout => {
    const x = margin + column * spacing;
    const lines: string[] = [];
    let kind: NodeKind;
    let badges: { text: string; kind: BadgeKind }[] = [];
    let spoken = nodeName(index, id);
    switch (id) {
      case 'client':
      case 'server': {
        kind = 'host';
        lines.push(addressing[id]);
        spoken += ` ${addressing[id]}`;
        if (id === 'server' && addressing.serverPublic !== addressing.server)
          spoken += ` (reached at ${addressing.serverPublic})`;
        break;
      }
      case 'client-router':
      case 'server-router': {
        const side = id === 'client-router' ? scenario.clientSide : scenario.serverSide;
        const addresses =
          id === 'client-router' ? addressing.clientRouter : addressing.serverRouter;
        kind = side.firewall ? 'firewall' : 'router';
        lines.push(`LAN ${addresses.lan}`, `WAN ${addresses.wan}`);
        badges = badgeTexts(side);
        const details = badges.map((b) => b.text);
        if (side.nat) details.push(`public address ${addresses.wan}`);
        if (details.length > 0) spoken += ` (${details.join(', ')})`;
        break;
      }
      case 'internet':
        kind = 'internet';
        break;
    }
    describedNodes.push(spoken);
    const placedLines = lines.map((text, i) => ({ text, y: nameY + (i + 1) * gaps.line + 2 }));
    const lastLineY = placedLines[placedLines.length - 1]?.y ?? nameY;
    return {
      id,
      x,
      kind,
      name: capitalise(nodeName(index, id)),
      nameY,
      lines: placedLines,
      badges: placeBadges(badges, lastLineY + gaps.badges, spacing - 12),
      ports:
        kind === 'host'
          ? {
              headingY: lastLineY + gaps.ports,
              firstRowY: lastLineY + gaps.ports + PORT_ROW_HEIGHT + 2,
            }
          : null,
    };
  });

  clearPortColumns(nodes, width);
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const links: LinkLayout[] = [];
  const linkBetween = new Map<string, LinkLayout>();
  for (let i = 0; i + 1 < nodes.length; i++) {
    const left = nodes[i]!;
    const right = nodes[i + 1]!;
    const link: LinkLayout = {
      key: `${left.id}|${right.id}`,
      left: left.id,
      right: right.id,
      x1: left.x + ICON_HALF_WIDTH[left.kind],
      x2: right.x - ICON_HALF_WIDTH[right.kind],
    };
    links.push(link);
    linkBetween.set(`${left.id}|${right.id}`, link);
    linkBetween.set(`${right.id}|${left.id}`, link);
  }

  const firstPortRowY = nodes[0]!.ports!.firstRowY;
  let maxLabelChars = 8;
  while (glyphWidth(`${'x'.repeat(maxLabelChars + 1)} →`) <= spacing - 8) maxLabelChars++;

  return {
    width,
    height,
    linkY: LINK_Y,
    nodes,
    nodeById,
    links,
    linkBetween,
    maxLabelChars,
    portRowHeight: PORT_ROW_HEIGHT,
    maxPortRows: Math.max(
      1,
      Math.floor((height - BOTTOM_MARGIN - firstPortRowY) / PORT_ROW_HEIGHT) + 1,
    ),
    ariaLabel: `Network: ${describedNodes.join(', ')}`,
  };
}
