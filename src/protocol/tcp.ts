/**
 * TCP segment and IPv4 packet shapes as the simulator carries them (RFC 9293 §3.1, RFC 791 §3.1).
 * Field names follow the RFCs so the inspector can show them as a capture would.
 */

export interface TcpFlags {
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  psh: boolean;
}

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: TcpFlags;
  window: number;
  /** MSS option (RFC 9293 §3.7.1), carried on SYN segments only. */
  mss?: number;
  payload: Uint8Array;
}

/** ICMP destination unreachable (RFC 792); codes used by netfilter's REJECT target. */
export const ICMP_CODES = {
  hostUnreachable: 1,
  portUnreachable: 3,
  adminProhibited: 13,
} as const;

export type IcmpCode = (typeof ICMP_CODES)[keyof typeof ICMP_CODES];

export interface IcmpUnreachable {
  type: 3;
  code: IcmpCode;
  /** The offending packet's IP header and first 8 bytes of TCP header (RFC 792): enough to name its connection. */
  original: { src: string; dst: string; srcPort: number; dstPort: number; seq: number };
}

export type Channel = 'control' | 'data' | 'other';

export interface Packet {
  /** Unique within one trace; a packet keeps its id across hops and NAT rewrites. */
  id: number;
  src: string;
  dst: string;
  ttl: number;
  /** IPv4 identification field. */
  ipId: number;
  tcp?: TcpSegment;
  icmp?: IcmpUnreachable;
  /** Which FTP connection this packet belongs to, for colouring; not a wire field. */
  channel: Channel;
}

export const IPV4_HEADER_BYTES = 20;
export const TCP_HEADER_BYTES = 20;
/** The MSS we announce: an Ethernet MTU of 1500 less the IPv4 and TCP headers (RFC 9293 §3.7.1). */
export const DEFAULT_MSS = 1460;
/** The send MSS to assume when the peer's SYN carries no MSS option, 576 - 40 (RFC 9293 §3.7.1). */
export const DEFAULT_SEND_MSS = 536;
export const DEFAULT_WINDOW = 65535;

const NO_FLAGS: TcpFlags = { syn: false, ack: false, fin: false, rst: false, psh: false };

export function tcpFlags(...names: (keyof TcpFlags)[]): TcpFlags {
  const flags = { ...NO_FLAGS };
  for (const name of names) flags[name] = true;
  return flags;
}

/** Total bytes on the wire at the IP layer (the MSS option adds 4 bytes to a SYN). */
export function packetLength(packet: Packet): number {
  if (packet.icmp) return IPV4_HEADER_BYTES + 8 + IPV4_HEADER_BYTES + 8;
  const tcp = packet.tcp;
  if (!tcp) return IPV4_HEADER_BYTES;
  return IPV4_HEADER_BYTES + TCP_HEADER_BYTES + (tcp.mss ? 4 : 0) + tcp.payload.length;
}

/** Wireshark-like flag label: "SYN", "SYN, ACK", "FIN, ACK", "PSH, ACK". */
export function flagsLabel(flags: TcpFlags): string {
  const order: (keyof TcpFlags)[] = ['fin', 'syn', 'rst', 'psh', 'ack'];
  return order
    .filter((name) => flags[name])
    .map((name) => name.toUpperCase())
    .join(', ');
}

/** Sequence space arithmetic is modulo 2^32 (RFC 9293 §3.4). */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) >>> 0;
}

/** a < b in sequence space (RFC 9293 §3.4, "<" modulo 2^32). */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** SEG.LEN counts SYN and FIN as one octet each (RFC 9293 §3.4). */
export function segmentLength(segment: TcpSegment): number {
  return segment.payload.length + (segment.flags.syn ? 1 : 0) + (segment.flags.fin ? 1 : 0);
}

export function describeIcmpCode(code: IcmpCode): string {
  switch (code) {
    case ICMP_CODES.hostUnreachable:
      return 'host unreachable';
    case ICMP_CODES.portUnreachable:
      return 'port unreachable';
    case ICMP_CODES.adminProhibited:
      return 'communication administratively prohibited';
  }
}
