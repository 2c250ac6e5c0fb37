import type { Frame } from './container';
import { ipStart } from './link';

/**
 * One captured IP packet as the FTP analysis needs it: addresses, TTL, and the TCP segment or
 * ICMP error it carries. Payload bytes are views into the file; `payloadLength` is what the wire
 * carried, so a frame cut by the snap length is known to be missing bytes.
 */

export const TCP_FLAG = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10 } as const;

export interface TcpInfo {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** The payload bytes the capture holds. */
  payload: Uint8Array;
  /** The payload length on the wire (from the IP length). */
  payloadLength: number;
}

export type IcmpKind =
  | 'port-unreachable'
  | 'admin-prohibited'
  | 'host-unreachable'
  | 'net-unreachable'
  | 'time-exceeded'
  | 'other-unreachable';

/** The start of the packet an ICMP error answers (RFC 792, RFC 4443 §3): enough to name its connection. */
export interface QuotedPacket {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number | null;
}

export interface IcmpInfo {
  type: number;
  code: number;
  kind: IcmpKind | null;
  quoted: QuotedPacket | null;
}

export interface CapturedPacket {
  frame: number;
  tMs: number;
  version: 4 | 6;
  src: string;
  dst: string;
  ttl: number;
  ipId: number;
  /** The frame's length on the wire. */
  length: number;
  /** True when the snap length cut the frame. */
  cut: boolean;
  tcp: TcpInfo | null;
  icmp: IcmpInfo | null;
}

const PROTO_TCP = 6;
const PROTO_ICMP = 1;
const PROTO_ICMPV6 = 58;
/** IPv6 extension headers that carry a next-header byte and a length (RFC 8200 §4). */
const IPV6_EXTENSIONS = new Set([0, 43, 60, 51]);
const IPV6_FRAGMENT = 44;

function ipv4Address(d: Uint8Array, o: number): string {
  return `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
}

/** RFC 5952 text: lower-case hex, the longest run of zero groups written "::". */
export function ipv6Address(d: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((d[o + 2 * i]! << 8) | d[o + 2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

interface IpHeader {
  version: 4 | 6;
  src: string;
  dst: string;
  ttl: number;
  ipId: number;
  protocol: number;
  /** Where the transport header starts. */
  payloadStart: number;
  /** Where the IP packet ends on the wire (may lie beyond the captured bytes). */
  wireEnd: number;
  /** False for a fragment other than the first: it holds no transport header. */
  firstFragment: boolean;
}

function ipHeader(d: Uint8Array, o: number, version: 4 | 6): IpHeader | null {
  if (version === 4) {
    if (d.length < o + 20 || d[o]! >> 4 !== 4) return null;
    const headerLength = (d[o]! & 0x0f) * 4;
    if (headerLength < 20) return null;
    const totalLength = (d[o + 2]! << 8) | d[o + 3]!;
    const fragmentOffset = ((d[o + 6]! & 0x1f) << 8) | d[o + 7]!;
    return {
      version,
      src: ipv4Address(d, o + 12),
      dst: ipv4Address(d, o + 16),
      ttl: d[o + 8]!,
      ipId: (d[o + 4]! << 8) | d[o + 5]!,
      protocol: d[o + 9]!,
      payloadStart: o + headerLength,
      // TCP segmentation offload captures say 0 here; the frame's own length is then the truth.
      wireEnd: totalLength >= headerLength ? o + totalLength : Number.MAX_SAFE_INTEGER,
      firstFragment: fragmentOffset === 0,
    };
  }
  if (d.length < o + 40 || d[o]! >> 4 !== 6) return null;
  let next = d[o + 6]!;
  let at = o + 40;
  let firstFragment = true;
  for (let hops = 0; hops < 8; hops++) {
    if (IPV6_EXTENSIONS.has(next)) {
      if (d.length < at + 2) return null;
      const length = next === 51 ? (d[at + 1]! + 2) * 4 : (d[at + 1]! + 1) * 8;
      next = d[at]!;
      at += length;
    } else if (next === IPV6_FRAGMENT) {
      if (d.length < at + 8) return null;
      firstFragment = (((d[at + 2]! << 8) | d[at + 3]!) & 0xfff8) === 0;
      next = d[at]!;
      at += 8;
    } else break;
  }
  return {
    version,
    src: ipv6Address(d, o + 8),
    dst: ipv6Address(d, o + 24),
    ttl: d[o + 7]!,
    ipId: 0,
    protocol: next,
    payloadStart: at,
    wireEnd: o + 40 + ((d[o + 4]! << 8) | d[o + 5]!),
    firstFragment,
  };
}

function u32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}

function tcpInfo(d: Uint8Array, ip: IpHeader, capturedEnd: number): TcpInfo | null {
  const o = ip.payloadStart;
  if (capturedEnd < o + 14) return null;
  const headerLength = (d[o + 12]! >> 4) * 4;
  const wireEnd = Math.min(ip.wireEnd, Number.MAX_SAFE_INTEGER);
  const start = o + Math.max(headerLength, 20);
  const end = Math.min(capturedEnd, wireEnd);
  return {
    srcPort: (d[o]! << 8) | d[o + 1]!,
    dstPort: (d[o + 2]! << 8) | d[o + 3]!,
    seq: u32(d, o + 4),
    ack: u32(d, o + 8),
    flags: d[o + 13]!,
    window: capturedEnd >= o + 16 ? (d[o + 14]! << 8) | d[o + 15]! : 0,
    payload: start < end ? d.subarray(start, end) : d.subarray(0, 0),
    payloadLength:
      ip.wireEnd === Number.MAX_SAFE_INTEGER
        ? Math.max(0, capturedEnd - start)
        : Math.max(0, ip.wireEnd - start),
  };
}

function icmpKind(version: 4 | 6, type: number, code: number): IcmpKind | null {
  if (version === 4) {
    if (type === 11) return 'time-exceeded';
    if (type !== 3) return null;
    if (code === 3) return 'port-unreachable';
    if (code === 9 || code === 10 || code === 13) return 'admin-prohibited';
    if (code === 1) return 'host-unreachable';
    if (code === 0) return 'net-unreachable';
    return 'other-unreachable';
  }
  if (type === 3) return 'time-exceeded';
  if (type !== 1) return null;
  if (code === 4) return 'port-unreachable';
  if (code === 1 || code === 5 || code === 6) return 'admin-prohibited';
  if (code === 3) return 'host-unreachable';
  if (code === 0) return 'net-unreachable';
  return 'other-unreachable';
}

function icmpInfo(d: Uint8Array, ip: IpHeader, capturedEnd: number): IcmpInfo | null {
  const o = ip.payloadStart;
  if (capturedEnd < o + 4) return null;
  const type = d[o]!;
  const code = d[o + 1]!;
  const kind = icmpKind(ip.version, type, code);
  let quoted: QuotedPacket | null = null;
  if (kind) {
    const inner = ipHeader(d.subarray(0, capturedEnd), o + 8, ip.version);
    if (inner && inner.protocol === PROTO_TCP && capturedEnd >= inner.payloadStart + 4) {
      const t = inner.payloadStart;
      quoted = {
        src: inner.src,
        dst: inner.dst,
        srcPort: (d[t]! << 8) | d[t + 1]!,
        dstPort: (d[t + 2]! << 8) | d[t + 3]!,
        seq: capturedEnd >= t + 8 ? u32(d, t + 4) : null,
      };
    }
  }
  return { type, code, kind, quoted };
}

/** The IP packet in a frame, or null when the frame holds none (or too little of one to read). */
export function decodeFrame(frame: Frame): CapturedPacket | null {
  const start = ipStart(frame.linkType, frame.data);
  if (!start) return null;
  const d = frame.data;
  const ip = ipHeader(d, start.offset, start.version);
  if (!ip) return null;
  const packet: CapturedPacket = {
    frame: frame.number,
    tMs: frame.tMs,
    version: ip.version,
    src: ip.src,
    dst: ip.dst,
    ttl: ip.ttl,
    ipId: ip.ipId,
    length: frame.originalLength,
    cut: frame.originalLength > d.length,
    tcp: null,
    icmp: null,
  };
  if (!ip.firstFragment) return packet;
  if (ip.protocol === PROTO_TCP) packet.tcp = tcpInfo(d, ip, d.length);
  else if (ip.protocol === (ip.version === 4 ? PROTO_ICMP : PROTO_ICMPV6))
    packet.icmp = icmpInfo(d, ip, d.length);
  return packet;
}
