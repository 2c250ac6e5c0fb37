import type { Packet, TcpFlags } from '../../src/protocol/tcp';
import { tcpFlags } from '../../src/protocol/tcp';

/** A TCP packet as a host would send it; the fields a test does not name are a plain ACK. */
export function tcp(
  src: string,
  srcPort: number,
  dst: string,
  dstPort: number,
  options: {
    flags?: (keyof TcpFlags)[];
    seq?: number;
    ack?: number;
    text?: string;
    id?: number;
  } = {},
): Packet {
  const text = options.text ?? '';
  const payload = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) payload[i] = text.charCodeAt(i);
  return {
    id: options.id ?? 1,
    src,
    dst,
    ttl: 64,
    ipId: 1,
    tcp: {
      srcPort,
      dstPort,
      seq: options.seq ?? 1000,
      ack: options.ack ?? 0,
      flags: tcpFlags(...(options.flags ?? ['ack'])),
      window: 65535,
      payload,
    },
    channel: dstPort === 21 || srcPort === 21 ? 'control' : 'data',
  };
}

/** An ICMP destination-unreachable error quoting a TCP packet (RFC 792). */
export function icmpAbout(from: string, quoted: Packet, code: 3 | 13 = 3): Packet {
  const q = quoted.tcp!;
  return {
    id: 99,
    src: from,
    dst: quoted.src,
    ttl: 64,
    ipId: 1,
    icmp: {
      type: 3,
      code,
      original: {
        src: quoted.src,
        dst: quoted.dst,
        srcPort: q.srcPort,
        dstPort: q.dstPort,
        seq: q.seq,
      },
    },
    channel: quoted.channel,
  };
}

export function text(packet: Packet): string {
  return String.fromCharCode(...packet.tcp!.payload);
}
