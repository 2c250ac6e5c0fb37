import type { Endpoint } from '../protocol/endpoint';
import { TCP_FLAG, type CapturedPacket, type TcpInfo } from './packet';

/**
 * TCP connections as the capture shows them: who opened each (the first SYN without ACK), how
 * often the SYN was sent, whether anything answered it (SYN-ACK, RST, an ICMP error quoting it),
 * FIN and RST from each side, payload bytes per direction with retransmissions counted apart.
 * For FTP control connections the payload segments are kept, to be reassembled in order.
 */

export interface Segment {
  frame: number;
  tMs: number;
  seq: number;
  payload: Uint8Array;
  /** Wire length: more than payload.length when the snap length cut the frame. */
  length: number;
  fin: boolean;
}

export interface Direction {
  packets: number;
  /** Payload bytes on the wire, each sequence number counted once. */
  bytes: number;
  retransmissions: number;
  fin: number | null;
  rst: number | null;
  /** Payload segments, kept only for control connections. */
  segments: Segment[];
  /** Sequence number of the SYN, when seen. */
  isn: number | null;
  /**
   * Stream ranges seen so far, relative to firstSeq, as sorted flat [start, end, start, end...];
   * one range while segments come in order, so the common case stays one comparison.
   */
  covered: number[];
  /** Sequence number of the first payload byte: ISN + 1 when the SYN was seen first. */
  firstSeq: number | null;
  ttls: Set<number>;
}

export interface Connection {
  id: number;
  /** The side that sent the first SYN; the first packet's sender when no SYN was captured. */
  opener: Endpoint;
  acceptor: Endpoint;
  firstMs: number;
  lastMs: number;
  firstFrame: number;
  /** Times of the opener's SYNs (first and retransmissions). */
  synTimes: number[];
  synAckMs: number | null;
  /** A RST from the acceptor before any SYN-ACK: the port was closed (or a firewall's tcp-reset). */
  refusedMs: number | null;
  /** Who sent the RST that refused it. */
  refusedBy: string | null;
  icmp: { tMs: number; from: string; kind: string; frame: number }[];
  fromOpener: Direction;
  fromAcceptor: Direction;
  control: boolean;
  /** Frames of this connection, for the ladder: all of a control connection, the handshake and close of others. */
  frames: number[];
}

function direction(): Direction {
  return {
    packets: 0,
    bytes: 0,
    retransmissions: 0,
    fin: null,
    rst: null,
    segments: [],
    isn: null,
    covered: [],
    firstSeq: null,
    ttls: new Set(),
  };
}

/** Adds [start, end) to the sorted ranges; returns how many of its bytes were not covered yet. */
export function cover(ranges: number[], start: number, end: number): number {
  const n = ranges.length;
  if (n === 0 || start > ranges[n - 1]!) {
    ranges.push(start, end);
    return end - start;
  }
  if (start >= ranges[n - 2]!) {
    // Touches or overlaps the last range: the in-order and plain-retransmission case.
    const last = ranges[n - 1]!;
    if (end <= last) return 0;
    ranges[n - 1] = end;
    return end - last;
  }
  let added = 0;
  let from = start;
  let i = 0;
  const merged: number[] = [];
  for (; i < n && ranges[i + 1]! < start; i += 2) merged.push(ranges[i]!, ranges[i + 1]!);
  let lo = start;
  let hi = end;
  for (; i < n && ranges[i]! <= end; i += 2) {
    const a = ranges[i]!;
    const b = ranges[i + 1]!;
    if (a > from) added += a - from;
    from = Math.max(from, b);
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
  }
  if (end > from) added += end - from;
  merged.push(lo, hi);
  for (; i < n; i++) merged.push(ranges[i]!);
  ranges.length = merged.length;
  for (let k = 0; k < merged.length; k++) ranges[k] = merged[k]!;
  return added;
}

const FTP_GREETING = /^(?:220|120|421)[ -]/;
const FTP_OPENING_COMMAND = /^(?:USER|AUTH|FEAT|SYST|OPTS|HOST|QUIT) ?/i;
const CONTROL_PORT = 21;

function startsWith(payload: Uint8Array, pattern: RegExp): boolean {
  const head = String.fromCharCode.apply(null, Array.from(payload.subarray(0, 8)));
  return pattern.test(head);
}

export class ConnectionTable {
  readonly connections: Connection[] = [];
  private readonly byKey = new Map<string, Connection>();
  /** Packets worth drawing: every packet of a control connection, SYN/FIN/RST of others, ICMP. */
  readonly shown: CapturedPacket[] = [];

  add(packet: CapturedPacket): void {
    if (packet.tcp) this.addTcp(packet, packet.tcp);
    else if (packet.icmp) this.addIcmp(packet);
  }

  /** A connection first seen in `packet`, found again by its four-tuple in either direction. */
  private open(
    opener: Endpoint,
    acceptor: Endpoint,
    packet: CapturedPacket,
    control: boolean,
  ): Connection {
    const connection: Connection = {
      id: this.connections.length,
      opener,
      acceptor,
      firstMs: packet.tMs,
      lastMs: packet.tMs,
      firstFrame: packet.frame,
      synTimes: [],
      synAckMs: null,
      refusedMs: null,
      refusedBy: null,
      icmp: [],
      fromOpener: direction(),
      fromAcceptor: direction(),
      control,
      frames: [],
    };
    this.connections.push(connection);
    const a = `${opener.address}|${opener.port}`;
    const b = `${acceptor.address}|${acceptor.port}`;
    this.byKey.set(`${a}|${b}`, connection);
    this.byKey.set(`${b}|${a}`, connection);
    return connection;
  }

  private addTcp(packet: CapturedPacket, tcp: TcpInfo): void {
    const forward = `${packet.src}|${tcp.srcPort}|${packet.dst}|${tcp.dstPort}`;
    let connection = this.byKey.get(forward);
    const isSyn = (tcp.flags & (TCP_FLAG.syn | TCP_FLAG.ack)) === TCP_FLAG.syn;
    if (
      connection &&
      isSyn &&
      connection.synAckMs !== null &&
      connection.opener.address === packet.src &&
      connection.opener.port === tcp.srcPort &&
      (connection.fromOpener.fin !== null ||
        connection.fromOpener.rst !== null ||
        connection.fromAcceptor.rst !== null) &&
      connection.fromOpener.isn !== tcp.seq
    ) {
      // The same four-tuple used again after the last connection closed: a new connection.
      connection = undefined;
    }
    if (!connection) {
      const opener = { address: packet.src, port: tcp.srcPort };
      const acceptor = { address: packet.dst, port: tcp.dstPort };
      // Without a captured SYN, a SYN-ACK still says which side opened.
      const synAck = (tcp.flags & (TCP_FLAG.syn | TCP_FLAG.ack)) === (TCP_FLAG.syn | TCP_FLAG.ack);
      connection = this.open(
        synAck ? acceptor : opener,
        synAck ? opener : acceptor,
        packet,
        tcp.srcPort === CONTROL_PORT || tcp.dstPort === CONTROL_PORT,
      );
    }
    const c = connection;
    c.lastMs = packet.tMs;
    const fromOpener = packet.src === c.opener.address && tcp.srcPort === c.opener.port;
    const side = fromOpener ? c.fromOpener : c.fromAcceptor;
    side.packets++;
    side.ttls.add(packet.ttl);
    const flags = tcp.flags;
    if (flags & TCP_FLAG.syn) {
      side.isn = tcp.seq;
      if (fromOpener && !(flags & TCP_FLAG.ack)) c.synTimes.push(packet.tMs);
      if (!fromOpener && flags & TCP_FLAG.ack && c.synAckMs === null) c.synAckMs = packet.tMs;
    }
    if (flags & TCP_FLAG.rst) {
      side.rst ??= packet.tMs;
      if (!fromOpener && c.synAckMs === null && c.refusedMs === null) {
        c.refusedMs = packet.tMs;
        c.refusedBy = packet.src;
      }
    }
    if (flags & TCP_FLAG.fin) side.fin ??= packet.tMs;
    const length = tcp.payloadLength;
    if (length > 0) {
      const seq = flags & TCP_FLAG.syn ? (tcp.seq + 1) >>> 0 : tcp.seq;
      side.firstSeq ??= side.isn !== null ? (side.isn + 1) >>> 0 : seq;
      const relative = (seq - side.firstSeq) | 0;
      const added = cover(side.covered, relative, relative + length);
      if (added === 0) side.retransmissions++;
      else side.bytes += added;
      if (
        !c.control &&
        side.segments.length === 0 &&
        c.fromOpener.bytes + c.fromAcceptor.bytes === length
      ) {
        // The first payload of the connection decides whether it is FTP control on another port.
        if (!fromOpener && startsWith(tcp.payload, FTP_GREETING)) c.control = true;
        if (fromOpener && startsWith(tcp.payload, FTP_OPENING_COMMAND)) c.control = true;
      }
      if (c.control)
        side.segments.push({
          frame: packet.frame,
          tMs: packet.tMs,
          seq,
          payload: tcp.payload,
          length,
          fin: (flags & TCP_FLAG.fin) !== 0,
        });
    }
    if (c.control || flags & (TCP_FLAG.syn | TCP_FLAG.fin | TCP_FLAG.rst) || side.packets <= 2) {
      c.frames.push(packet.frame);
      this.shown.push(packet);
    }
  }

  private addIcmp(packet: CapturedPacket): void {
    const icmp = packet.icmp!;
    this.shown.push(packet);
    const q = icmp.quoted;
    if (!q || !icmp.kind) return;
    let c = this.byKey.get(`${q.src}|${q.srcPort}|${q.dst}|${q.dstPort}`);
    if (!c) {
      // The error answers a packet this capture did not hold: its connection is known from the quote.
      c = this.open(
        { address: q.src, port: q.srcPort },
        { address: q.dst, port: q.dstPort },
        packet,
        q.dstPort === CONTROL_PORT,
      );
    }
    c.icmp.push({ tMs: packet.tMs, from: packet.src, kind: icmp.kind, frame: packet.frame });
    c.frames.push(packet.frame);
  }
}
