import { concatBytes } from '../protocol/bytes';
import { internetChecksum } from '../protocol/checksum';
import { ipv4ToInt } from '../protocol/ipv4';
import {
  IPV4_HEADER_BYTES,
  packetLength,
  TCP_HEADER_BYTES,
  type IcmpUnreachable,
  type Packet,
  type TcpSegment,
} from '../protocol/tcp';
import { NODE_ORDER, type NodeId, type TraceEvent } from '../scenario/trace';

/**
 * A classic libpcap capture of one link of a simulated session, as `tcpdump -w` would have
 * written it on that wire: every packet that crossed the link, with its headers as they were
 * there (after NAT on the outside, before a firewall dropped it further on), Ethernet-framed,
 * with real IPv4/TCP/ICMP checksums so Wireshark opens it without complaint.
 * Pure and free of Node APIs: it runs in the browser too.
 */

type HopEvent = Extract<TraceEvent, { type: 'hop' }>;

/** Where the capture is taken: each is one link of the path, both directions. */
export const CAPTURE_POINTS = [
  {
    id: 'client',
    between: ['client', 'client-router'],
    title: "the client's link",
    description:
      "client ↔ client router: the client's own address (private behind NAT), and only what the client firewall let in",
  },
  {
    id: 'client-wan',
    between: ['client-router', 'internet'],
    title: "the client router's Internet side",
    description:
      'client router ↔ Internet: addresses after NAT, and inbound packets the client firewall is about to drop',
  },
  {
    id: 'server-wan',
    between: ['internet', 'server-router'],
    title: "the server router's Internet side",
    description:
      "Internet ↔ server router: the server's public address, and inbound packets the server firewall is about to drop",
  },
  {
    id: 'server',
    between: ['server-router', 'server'],
    title: "the server's link",
    description:
      "server router ↔ server: the server's own address (private behind NAT), and only what the server firewall let in",
  },
] as const satisfies readonly {
  id: string;
  between: readonly [NodeId, NodeId];
  /** A few words for a status line. */
  title: string;
  description: string;
}[];

export type CapturePoint = (typeof CAPTURE_POINTS)[number]['id'];

export interface PcapOptions {
  capture: CapturePoint;
}

/** Virtual time 0 is 2026-01-01T00:00:00Z, so the same trace gives the same file. */
export const PCAP_EPOCH_SECONDS = 1_767_225_600;

const PCAP_MAGIC = 0xa1b2c3d4;
const PCAP_SNAPLEN = 65535;
/** LINKTYPE_ETHERNET (tcpdump.org/linktypes.html). */
const LINKTYPE_ETHERNET = 1;
const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const ETHERNET_HEADER_BYTES = 14;
const ETHERTYPE_IPV4 = 0x0800;
const IP_PROTOCOL_ICMP = 1;
const IP_PROTOCOL_TCP = 6;
const IP_DONT_FRAGMENT = 0x4000;
/** TCP option kind 2, length 4 (RFC 9293 §3.2). */
const MSS_OPTION_BYTES = 4;
/** Type, code, checksum and the unused word (RFC 792). */
const ICMP_HEADER_BYTES = 8;
/** An ICMP error quotes the offending IP header and the first 8 bytes of its payload (RFC 792). */
const ICMP_QUOTED_PAYLOAD_BYTES = 8;

/** The capture point with this id, or undefined for an unknown one. */
export function capturePoint(id: string): (typeof CAPTURE_POINTS)[number] | undefined {
  return CAPTURE_POINTS.find((point) => point.id === id);
}

/** The hops across the capture point's link, in time order: one per captured packet. */
export function capturedHops(trace: readonly TraceEvent[], capture: CapturePoint): HopEvent[] {
  const [a, b] = capturePoint(capture)!.between;
  return trace.filter(
    (event): event is HopEvent =>
      event.type === 'hop' &&
      ((event.from === a && event.to === b) || (event.from === b && event.to === a)),
  );
}

/** The capture at one link as a libpcap file: one Ethernet frame per packet that crossed it. */
export function writePcap(trace: readonly TraceEvent[], options: PcapOptions): Uint8Array {
  const rejected = offendingPackets(trace);
  const records = capturedHops(trace, options.capture).map((hop) =>
    pcapRecord(hop.t, ethernetFrame(hop, rejected)),
  );
  return concatBytes([globalHeader(), ...records]);
}

/** libpcap file header (wiki.wireshark.org/Development/LibpcapFileFormat), little-endian. */
function globalHeader(): Uint8Array {
  const bytes = new Uint8Array(GLOBAL_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, PCAP_MAGIC, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true); // thiszone: timestamps are UTC
  view.setUint32(12, 0, true); // sigfigs
  view.setUint32(16, PCAP_SNAPLEN, true);
  view.setUint32(20, LINKTYPE_ETHERNET, true);
  return bytes;
}

function pcapRecord(virtualMs: number, frame: Uint8Array): Uint8Array {
  const micros = Math.round(virtualMs * 1000);
  const bytes = new Uint8Array(RECORD_HEADER_BYTES + frame.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, PCAP_EPOCH_SECONDS + Math.floor(micros / 1_000_000), true);
  view.setUint32(4, micros % 1_000_000, true);
  view.setUint32(8, frame.length, true); // captured length: never cut, frames are below snaplen
  view.setUint32(12, frame.length, true); // original length
  bytes.set(frame, RECORD_HEADER_BYTES);
  return bytes;
}

/**
 * A locally administered unicast MAC per node interface, 02:00:00:00:<node>:<side>: node is the
 * position in the path (client 0 ... server 4), side 0 faces the client and 1 the server.
 */
export function interfaceMac(node: NodeId, side: 0 | 1): Uint8Array {
  return Uint8Array.of(0x02, 0, 0, 0, NODE_ORDER.indexOf(node), side);
}

function ethernetFrame(hop: HopEvent, rejected: ReadonlyMap<number, Packet>): Uint8Array {
  const ip = ipv4Packet(hop.packet, rejected);
  const towardServer = NODE_ORDER.indexOf(hop.to) > NODE_ORDER.indexOf(hop.from);
  const frame = new Uint8Array(ETHERNET_HEADER_BYTES + ip.length);
  frame.set(interfaceMac(hop.to, towardServer ? 0 : 1), 0);
  frame.set(interfaceMac(hop.from, towardServer ? 1 : 0), 6);
  new DataView(frame.buffer).setUint16(12, ETHERTYPE_IPV4);
  frame.set(ip, ETHERNET_HEADER_BYTES);
  return frame;
}

function ipv4Packet(packet: Packet, rejected: ReadonlyMap<number, Packet>): Uint8Array {
  const payload = packet.icmp
    ? icmpMessage(packet.icmp, rejected.get(packet.id))
    : packet.tcp
      ? tcpSegment(packet.src, packet.dst, packet.tcp)
      : new Uint8Array(0);
  const header = ipv4Header({
    src: packet.src,
    dst: packet.dst,
    ttl: packet.ttl,
    ipId: packet.ipId,
    protocol: packet.icmp ? IP_PROTOCOL_ICMP : IP_PROTOCOL_TCP,
    totalLength: IPV4_HEADER_BYTES + payload.length,
    // Linux sets DF on TCP (path MTU discovery) but not on the ICMP errors it generates.
    dontFragment: !packet.icmp,
  });
  return concatBytes([header, payload]);
}

interface Ipv4HeaderFields {
  src: string;
  dst: string;
  ttl: number;
  ipId: number;
  protocol: number;
  totalLength: number;
  dontFragment: boolean;
}

/** RFC 791 §3.1: version 4, IHL 5 (no options), TOS 0, checksum over the header. */
function ipv4Header(fields: Ipv4HeaderFields): Uint8Array {
  const bytes = new Uint8Array(IPV4_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0x45);
  view.setUint16(2, fields.totalLength);
  view.setUint16(4, fields.ipId & 0xffff);
  view.setUint16(6, fields.dontFragment ? IP_DONT_FRAGMENT : 0);
  view.setUint8(8, fields.ttl);
  view.setUint8(9, fields.protocol);
  view.setUint32(12, ipv4ToInt(fields.src));
  view.setUint32(16, ipv4ToInt(fields.dst));
  view.setUint16(10, internetChecksum(bytes));
  return bytes;
}

/** RFC 9293 §3.1, with the MSS option when the segment carries one (SYNs only). */
function tcpSegment(src: string, dst: string, tcp: TcpSegment): Uint8Array {
  const headerLength = TCP_HEADER_BYTES + (tcp.mss === undefined ? 0 : MSS_OPTION_BYTES);
  const bytes = new Uint8Array(headerLength + tcp.payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, tcp.srcPort);
  view.setUint16(2, tcp.dstPort);
  view.setUint32(4, tcp.seq >>> 0);
  view.setUint32(8, tcp.ack >>> 0);
  view.setUint8(12, (headerLength / 4) << 4);
  view.setUint8(13, tcpFlagBits(tcp));
  view.setUint16(14, tcp.window);
  // Checksum (16) is filled in below; urgent pointer (18) stays 0.
  if (tcp.mss !== undefined) {
    view.setUint8(20, 2);
    view.setUint8(21, MSS_OPTION_BYTES);
    view.setUint16(22, tcp.mss);
  }
  bytes.set(tcp.payload, headerLength);
  view.setUint16(
    16,
    internetChecksum(pseudoHeader(src, dst, IP_PROTOCOL_TCP, bytes.length), bytes),
  );
  return bytes;
}

/** The control bits as they sit in byte 13 of the header: CWR ECE URG ACK PSH RST SYN FIN. */
function tcpFlagBits({ flags }: TcpSegment): number {
  return (
    (flags.ack ? 0x10 : 0) |
    (flags.psh ? 0x08 : 0) |
    (flags.rst ? 0x04 : 0) |
    (flags.syn ? 0x02 : 0) |
    (flags.fin ? 0x01 : 0)
  );
}

/** RFC 9293 §3.1: source, destination, zero, protocol, TCP length. */
function pseudoHeader(src: string, dst: string, protocol: number, length: number): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, ipv4ToInt(src));
  view.setUint32(4, ipv4ToInt(dst));
  view.setUint8(9, protocol);
  view.setUint16(10, length);
  return bytes;
}

/**
 * Packets a router refused with an ICMP error, by the id of that error. The ICMP message names
 * the connection (addresses, ports, sequence number); the refused packet adds what else its
 * quoted header held: TTL, identification, length.
 */
function offendingPackets(trace: readonly TraceEvent[]): Map<number, Packet> {
  const byResponse = new Map<number, Packet>();
  for (const event of trace) {
    if (event.type === 'reject' && event.response.icmp) {
      byResponse.set(event.response.id, event.packet);
    }
  }
  return byResponse;
}

/** RFC 792 destination unreachable: the offending IP header and the first 8 bytes of its TCP header. */
function icmpMessage(icmp: IcmpUnreachable, offending: Packet | undefined): Uint8Array {
  const { original } = icmp;
  const quotedHeader = ipv4Header({
    src: original.src,
    dst: original.dst,
    // Without the reject event (a trace cut short) the quote falls back to a fresh bare segment.
    ttl: offending?.ttl ?? 64,
    ipId: offending?.ipId ?? 0,
    protocol: offending?.icmp ? IP_PROTOCOL_ICMP : IP_PROTOCOL_TCP,
    totalLength: offending ? packetLength(offending) : IPV4_HEADER_BYTES + TCP_HEADER_BYTES,
    dontFragment: !offending?.icmp,
  });
  const bytes = new Uint8Array(ICMP_HEADER_BYTES + IPV4_HEADER_BYTES + ICMP_QUOTED_PAYLOAD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, icmp.type);
  view.setUint8(1, icmp.code);
  bytes.set(quotedHeader, ICMP_HEADER_BYTES);
  const quoted = ICMP_HEADER_BYTES + IPV4_HEADER_BYTES;
  view.setUint16(quoted, original.srcPort);
  view.setUint16(quoted + 2, original.dstPort);
  view.setUint32(quoted + 4, original.seq >>> 0);
  view.setUint16(2, internetChecksum(bytes));
  return bytes;
}
