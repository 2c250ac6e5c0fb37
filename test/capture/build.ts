/** Small capture-file builders for tests: pcap and pcapng around frames the tests choose. */

export function pcap(
  frames: { data: Uint8Array; tMs?: number; original?: number }[],
  opts: { littleEndian?: boolean; nano?: boolean; linkType?: number } = {},
): Uint8Array {
  const le = opts.littleEndian ?? true;
  const size = 24 + frames.reduce((n, f) => n + 16 + f.data.length, 0);
  const bytes = new Uint8Array(size);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, 65535, le);
  v.setUint32(20, opts.linkType ?? 1, le);
  let o = 24;
  for (const f of frames) {
    const ms = f.tMs ?? 0;
    v.setUint32(o, Math.floor(ms / 1000), le);
    v.setUint32(o + 4, Math.round((ms % 1000) * (opts.nano ? 1e6 : 1e3)), le);
    v.setUint32(o + 8, f.data.length, le);
    v.setUint32(o + 12, f.original ?? f.data.length, le);
    bytes.set(f.data, o + 16);
    o += 16 + f.data.length;
  }
  return bytes;
}

function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const out = new Uint8Array(12 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, out.length, le);
  out.set(body, 8);
  v.setUint32(out.length - 4, out.length, le);
  return out;
}

export function pcapng(
  interfaces: { linkType: number; tsresol?: number }[],
  packets: {
    iface: number;
    data: Uint8Array;
    units: number;
    simple?: boolean;
    /** The obsolete packet block (type 2): a 16-bit interface id, then a 16-bit drop count. */
    obsolete?: boolean;
  }[],
  le = true,
): Uint8Array {
  const parts: Uint8Array[] = [];
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, 0x1a2b3c4d, le);
  sv.setUint16(4, 1, le);
  sv.setInt32(8, -1, le);
  sv.setInt32(12, -1, le);
  parts.push(block(0x0a0d0d0a, shb, le));
  for (const i of interfaces) {
    // A comment option first, so the reader must skip options to find if_tsresol.
    const body = new Uint8Array(8 + 12 + (i.tsresol === undefined ? 0 : 8) + 4);
    const v = new DataView(body.buffer);
    v.setUint16(0, i.linkType, le);
    v.setUint32(4, 65535, le);
    v.setUint16(8, 1, le);
    v.setUint16(10, 5, le);
    body.set([104, 101, 108, 108, 111], 12);
    let o = 20;
    if (i.tsresol !== undefined) {
      v.setUint16(o, 9, le);
      v.setUint16(o + 2, 1, le);
      v.setUint8(o + 4, i.tsresol);
      o += 8;
    }
    parts.push(block(1, body, le));
  }
  for (const p of packets) {
    if (p.simple) {
      const body = new Uint8Array(4 + p.data.length);
      new DataView(body.buffer).setUint32(0, p.data.length, le);
      body.set(p.data, 4);
      parts.push(block(3, body, le));
      continue;
    }
    const body = new Uint8Array(20 + ((p.data.length + 3) & ~3));
    const v = new DataView(body.buffer);
    if (p.obsolete) v.setUint16(0, p.iface, le);
    else v.setUint32(0, p.iface, le);
    v.setUint32(4, Math.floor(p.units / 4294967296), le);
    v.setUint32(8, p.units % 4294967296, le);
    v.setUint32(12, p.data.length, le);
    v.setUint32(16, p.data.length, le);
    body.set(p.data, 20);
    parts.push(block(p.obsolete ? 2 : 6, body, le));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Packet builders: just enough IPv4/IPv6/TCP/ICMP for the reader (checksums left zero, as it never checks them). */

export const TCP = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10 } as const;

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const ascii = (text: string) => new TextEncoder().encode(text);

export function tcp(s: {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  payload?: Uint8Array | string;
}): Uint8Array {
  const payload =
    typeof s.payload === 'string' ? ascii(s.payload) : (s.payload ?? new Uint8Array());
  const out = new Uint8Array(20 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, s.sport);
  v.setUint16(2, s.dport);
  v.setUint32(4, (s.seq ?? 1000) >>> 0);
  v.setUint32(8, (s.ack ?? 0) >>> 0);
  out[12] = 5 << 4;
  out[13] = s.flags ?? TCP.ack | TCP.psh;
  v.setUint16(14, 65535);
  out.set(payload, 20);
  return out;
}

function octets(address: string): number[] {
  return address.split('.').map(Number);
}

export function ipv4(
  src: string,
  dst: string,
  payload: Uint8Array,
  o: { protocol?: number; ttl?: number; id?: number } = {},
): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = 0x45;
  v.setUint16(2, out.length);
  v.setUint16(4, o.id ?? 1);
  out[8] = o.ttl ?? 64;
  out[9] = o.protocol ?? 6;
  out.set(octets(src), 12);
  out.set(octets(dst), 16);
  out.set(payload, 20);
  return out;
}

function ipv6Bytes(address: string): number[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) =>
    parseInt(g, 16),
  );
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export function ipv6(
  src: string,
  dst: string,
  payload: Uint8Array,
  o: { next?: number; hopLimit?: number } = {},
): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = 0x60;
  v.setUint16(4, payload.length);
  out[6] = o.next ?? 6;
  out[7] = o.hopLimit ?? 64;
  out.set(ipv6Bytes(src), 8);
  out.set(ipv6Bytes(dst), 24);
  out.set(payload, 40);
  return out;
}

/** An ICMP (v4) or ICMPv6 error quoting the start of `quoted`, as routers do (RFC 792: header + 8 bytes). */
export function icmpError(type: number, code: number, quoted: Uint8Array, bytes = 28): Uint8Array {
  return concat(new Uint8Array([type, code, 0, 0, 0, 0, 0, 0]), quoted.subarray(0, bytes));
}

const MAC_A = [2, 0, 0, 0, 0, 1];
const MAC_B = [2, 0, 0, 0, 0, 2];

export function ethernet(ip: Uint8Array, vlans: number[] = []): Uint8Array {
  const version = ip[0]! >> 4;
  const header = [...MAC_B, ...MAC_A];
  for (const id of vlans) header.push(0x81, 0x00, id >> 8, id & 0xff);
  header.push(...(version === 6 ? [0x86, 0xdd] : [0x08, 0x00]));
  return concat(new Uint8Array(header), ip);
}

export function sll(ip: Uint8Array): Uint8Array {
  const header = new Uint8Array(16);
  header[1] = 0; // packet type: to us
  header[3] = 1; // ARPHRD_ETHER
  header[5] = 6;
  header.set(MAC_A, 6);
  header.set(ip[0]! >> 4 === 6 ? [0x86, 0xdd] : [0x08, 0x00], 14);
  return concat(header, ip);
}

export function sll2(ip: Uint8Array): Uint8Array {
  const header = new Uint8Array(20);
  header.set(ip[0]! >> 4 === 6 ? [0x86, 0xdd] : [0x08, 0x00], 0);
  header[7] = 2; // interface index
  header[9] = 1; // ARPHRD_ETHER
  header[11] = 6;
  header.set(MAC_A, 12);
  return concat(header, ip);
}

/** DLT_NULL: the address family in the capturing host's byte order (little-endian here). */
export function bsdLoopback(ip: Uint8Array, family = ip[0]! >> 4 === 6 ? 30 : 2): Uint8Array {
  return concat(new Uint8Array([family, 0, 0, 0]), ip);
}

/** One side of a TCP conversation with its own sequence numbers, for building dialogues. */
export class Peer {
  seq: number;
  constructor(
    readonly address: string,
    readonly port: number,
    isn: number,
  ) {
    this.seq = isn;
  }

  syn(to: Peer, ack = false): Uint8Array {
    const s = tcp({
      sport: this.port,
      dport: to.port,
      seq: this.seq,
      ack: ack ? to.seq : 0,
      flags: ack ? TCP.syn | TCP.ack : TCP.syn,
    });
    this.seq = (this.seq + 1) >>> 0;
    return this.ip(to, s);
  }

  send(to: Peer, text: string, flags: number = TCP.ack | TCP.psh): Uint8Array {
    const payload = ascii(text);
    const s = tcp({ sport: this.port, dport: to.port, seq: this.seq, ack: to.seq, flags, payload });
    this.seq = (this.seq + payload.length + (flags & TCP.fin ? 1 : 0)) >>> 0;
    return this.ip(to, s);
  }

  /** IPv6 when the address is one (it has a colon), else IPv4. */
  private ip(to: Peer, segment: Uint8Array): Uint8Array {
    return this.address.includes(':')
      ? ipv6(this.address, to.address, segment)
      : ipv4(this.address, to.address, segment);
  }
}

/**
 * A whole EPSV session over IPv6 on Ethernet, captured at the client: login, EPSV, a LIST whose
 * data connection completes, QUIT. Frames 10 ms apart.
 */
export function ipv6EpsvSession(): Uint8Array {
  const c = new Peer('2001:db8::10', 40000, 1000);
  const s = new Peer('2001:db8:1::20', 21, 5000);
  const cd = new Peer('2001:db8::10', 40001, 9000);
  const sd = new Peer('2001:db8:1::20', 50000, 7000);
  const frames = [
    c.syn(s),
    s.syn(c, true),
    c.send(s, '', TCP.ack),
    s.send(c, '220 ready\r\n'),
    c.send(s, 'USER anonymous\r\n'),
    s.send(c, '331 password please\r\n'),
    c.send(s, 'PASS x\r\n'),
    s.send(c, '230 logged in\r\n'),
    c.send(s, 'EPSV\r\n'),
    s.send(c, '229 Entering Extended Passive Mode (|||50000|)\r\n'),
    cd.syn(sd),
    sd.syn(cd, true),
    cd.send(sd, '', TCP.ack),
    c.send(s, 'LIST\r\n'),
    s.send(c, '150 here it comes\r\n'),
    sd.send(cd, 'notes.txt\r\n'),
    sd.send(cd, '', TCP.fin | TCP.ack),
    cd.send(sd, '', TCP.fin | TCP.ack),
    s.send(c, '226 done\r\n'),
    c.send(s, 'QUIT\r\n'),
    s.send(c, '221 bye\r\n'),
  ];
  return pcap(frames.map((ip, i) => ({ data: ethernet(ip), tMs: 1_767_225_600_000 + i * 10 })));
}
