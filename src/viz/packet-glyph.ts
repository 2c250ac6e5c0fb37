import { decodeControlPrefix } from '../protocol/control-text';
import { formatPacketEnd } from '../protocol/endpoint';
import type { Packet } from '../protocol/tcp';
import type { PacketKind } from '../scenario/queries';

/**
 * A packet on a link: a coloured pill carrying a short label and an arrow for its direction.
 * Labels use a monospace font so their width can be estimated from their length: jsdom (and a
 * renderer called 60 times a second) cannot afford to measure text.
 */

export const PACKET_FONT_SIZE = 15;
export const PACKET_HEIGHT = 24;
/** The pill drawn instead of a label that would overlap its neighbour's. */
export const PACKET_DOT = 14;
const CHAR_WIDTH = 0.6 * PACKET_FONT_SIZE;
const PADDING_X = 8;

/** Vertical distance from the link: control above, data below; the two directions apart. */
export function laneOffset(kind: PacketKind, rightward: boolean): number {
  const distance = rightward ? 17 : 45;
  return kind === 'data' ? distance : -distance;
}

/** The pill's width for a label of `text` (the arrow included). */
export function glyphWidth(text: string): number {
  return text.length * CHAR_WIDTH + 2 * PADDING_X;
}

export function withArrow(label: string, rightward: boolean): string {
  return rightward ? `${label} →` : `← ${label}`;
}

/** Cut at a word boundary when one is near, so "200 PORT command…" rather than "200 PORT comm…". */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > maxChars / 2 ? cut.slice(0, space) : cut}…`;
}

/** The first line of a control-channel payload, if the packet carries one. */
function controlLine(packet: Packet): string | null {
  const tcp = packet.tcp;
  if (packet.channel === 'data' || packet.icmp || !tcp || tcp.payload.length === 0) return null;
  if (tcp.flags.syn || tcp.flags.rst) return null;
  return decodeControlPrefix(tcp.payload, 160).split(/\r?\n/)[0]!.trim();
}

/**
 * The label a glyph shows: the query's label, cut to `maxChars`. A passive-mode reply keeps its
 * address, which is what the learner is looking for: "227 (198,51,100,20,156,149)" rather than
 * "227 Entering Passive Mode (19…".
 */
export function shortPacketLabel(label: string, packet: Packet, maxChars: number): string {
  const line = controlLine(packet);
  if (line !== null && line.length > maxChars) {
    const address = /^(\d{3})[ -].*?(\([^)]*\))/.exec(line);
    if (address && address[1]!.length + address[2]!.length + 1 <= maxChars)
      return `${address[1]} ${address[2]}`;
  }
  return truncate(line ?? label, maxChars);
}

/** "SYN 192.0.2.10:53233 → 198.51.100.20:21", for the glyph's tooltip. */
export function packetTooltip(label: string, packet: Packet): string {
  return `${controlLine(packet) ?? label} ${formatPacketEnd(packet, 'src')} → ${formatPacketEnd(packet, 'dst')}`;
}
