import { describe, expect, it } from 'vitest';
import { decodeFrame, ipv6Address } from '../../src/capture/packet';
import { ipStart, LINKTYPE } from '../../src/capture/link';
import { readCapture } from '../../src/capture/index';
import {
  bsdLoopback,
  concat,
  ethernet,
  icmpError,
  ipv4,
  ipv6,
  pcap,
  sll,
  sll2,
  tcp,
  TCP,
} from './build';

const segment = tcp({ sport: 40001, dport: 21, seq: 7, ack: 9, flags: TCP.syn });
const v4 = ipv4('192.0.2.10', '198.51.100.20', segment, { ttl: 63, id: 4242 });
const v6 = ipv6('2001:db8::10', '2001:db8:0:1::20', segment, { hopLimit: 255 });

const frame = (linkType: number, data: Uint8Array, originalLength = data.length) =>
  decodeFrame({ number: 1, tMs: 0, linkType, data, originalLength, offset: 24 });

describe('link types: where the IP packet starts', () => {
  const cases: [string, number, (ip: Uint8Array) => Uint8Array][] = [
    ['Ethernet', LINKTYPE.ethernet, (ip) => ethernet(ip)],
    ['Ethernet with 802.1Q', LINKTYPE.ethernet, (ip) => ethernet(ip, [10])],
    [
      'Ethernet with two tags (QinQ as 802.1Q twice)',
      LINKTYPE.ethernet,
      (ip) => ethernet(ip, [10, 20]),
    ],
    ['Linux cooked (SLL)', LINKTYPE.linuxSll, sll],
    ['Linux cooked v2 (SLL2)', LINKTYPE.linuxSll2, sll2],
    ['raw IP', LINKTYPE.raw, (ip) => ip],
    ['BSD loopback', LINKTYPE.bsdLoopback, (ip) => bsdLoopback(ip)],
    ['IPv4/IPv6 link types', 0, (ip) => ip],
  ];
  for (const [name, linkType, wrap] of cases) {
    it(`${name}: IPv4 and IPv6`, () => {
      const lt4 = linkType === 0 && name.startsWith('IPv4') ? LINKTYPE.ipv4 : linkType;
      const lt6 = linkType === 0 && name.startsWith('IPv4') ? LINKTYPE.ipv6 : linkType;
      const a = frame(lt4, wrap(v4))!;
      expect(a).toMatchObject({
        version: 4,
        src: '192.0.2.10',
        dst: '198.51.100.20',
        ttl: 63,
        ipId: 4242,
      });
      expect(a.tcp).toMatchObject({ srcPort: 40001, dstPort: 21, seq: 7, ack: 9, flags: TCP.syn });
      const b = frame(lt6, wrap(v6))!;
      expect(b).toMatchObject({
        version: 6,
        src: '2001:db8::10',
        dst: '2001:db8:0:1::20',
        ttl: 255,
      });
      expect(b.tcp?.dstPort).toBe(21);
    });
  }

  it('BSD loopback: every BSD value of AF_INET6, and the big-endian DLT_LOOP', () => {
    for (const family of [24, 28, 30]) expect(frame(0, bsdLoopback(v6, family))?.version).toBe(6);
    expect(frame(LINKTYPE.openbsdLoopback, concat(new Uint8Array([0, 0, 0, 2]), v4))?.version).toBe(
      4,
    );
  });

  it('a frame without IP (ARP, an unknown family, too short) is not a packet', () => {
    const arp = ethernet(v4);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expect(frame(LINKTYPE.ethernet, arp)).toBeNull();
    expect(frame(0, bsdLoopback(v4, 7))).toBeNull();
    expect(frame(LINKTYPE.ethernet, new Uint8Array(10))).toBeNull();
    expect(frame(LINKTYPE.linuxSll, new Uint8Array(15))).toBeNull();
    expect(ipStart(LINKTYPE.raw, new Uint8Array([0x50]))).toBeNull();
    expect(ipStart(999, v4)).toBeNull();
  });
});

describe('IP and TCP', () => {
  it('writes IPv6 addresses as RFC 5952 does', () => {
    const bytes = (groups: number[]) => new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff]));
    expect(ipv6Address(bytes([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), 0)).toBe('2001:db8::1:0:0:1');
    expect(ipv6Address(bytes([0, 0, 0, 0, 0, 0, 0, 1]), 0)).toBe('::1');
    expect(ipv6Address(bytes([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), 0)).toBe('2001:db8:0:1:1:1:1:1');
    expect(ipv6Address(bytes([0xfe80, 0, 0, 0, 0, 0, 0, 0]), 0)).toBe('fe80::');
  });

  it('reads TCP behind IPv6 extension headers (hop-by-hop, destination options)', () => {
    const hopByHop = new Uint8Array([60, 0, 1, 4, 0, 0, 0, 0]);
    const destination = new Uint8Array([6, 0, 1, 4, 0, 0, 0, 0]);
    const ip = ipv6('2001:db8::1', '2001:db8::2', concat(hopByHop, destination, segment), {
      next: 0,
    });
    expect(frame(LINKTYPE.raw, ip)?.tcp?.srcPort).toBe(40001);
  });

  it('a later IPv4 fragment holds no TCP header', () => {
    const ip = ipv4('192.0.2.1', '192.0.2.2', segment);
    ip[6] = 0x00;
    ip[7] = 0x10;
    const p = frame(LINKTYPE.raw, ip)!;
    expect(p.tcp).toBeNull();
  });

  it('a frame cut by the snap length: payload is what was kept, payloadLength what the wire carried', () => {
    const full = ethernet(
      ipv4(
        '192.0.2.1',
        '192.0.2.2',
        tcp({ sport: 21, dport: 40000, payload: '150 Here comes the directory listing.\r\n' }),
      ),
    );
    const p = frame(LINKTYPE.ethernet, full.subarray(0, 14 + 20 + 20 + 10), full.length)!;
    expect(p.cut).toBe(true);
    expect(p.length).toBe(full.length);
    expect(new TextDecoder().decode(p.tcp!.payload)).toBe('150 Here c');
    expect(p.tcp!.payloadLength).toBe(39);
  });

  it('Ethernet padding after a short IP packet is not payload', () => {
    const ip = ipv4('192.0.2.1', '192.0.2.2', tcp({ sport: 21, dport: 40000, flags: TCP.ack }));
    const padded = concat(ethernet(ip), new Uint8Array(6));
    expect(frame(LINKTYPE.ethernet, padded)!.tcp!.payloadLength).toBe(0);
    expect(frame(LINKTYPE.ethernet, padded)!.tcp!.payload.length).toBe(0);
  });

  it('an IPv4 total length of 0 (segmentation offload) trusts the frame', () => {
    const ip = ipv4('192.0.2.1', '192.0.2.2', tcp({ sport: 21, dport: 40000, payload: 'abc' }));
    ip[2] = 0;
    ip[3] = 0;
    expect(frame(LINKTYPE.raw, ip)!.tcp!.payloadLength).toBe(3);
  });
});

describe('ICMP errors quoting the packet they answer', () => {
  const syn = ipv4(
    '198.51.100.20',
    '192.0.2.10',
    tcp({ sport: 20, dport: 50123, seq: 555, flags: TCP.syn }),
  );
  it('ICMPv4 kinds and the quoted connection', () => {
    const kinds: [number, number, string][] = [
      [3, 3, 'port-unreachable'],
      [3, 13, 'admin-prohibited'],
      [3, 10, 'admin-prohibited'],
      [3, 1, 'host-unreachable'],
      [3, 0, 'net-unreachable'],
      [11, 0, 'time-exceeded'],
      [3, 4, 'other-unreachable'],
    ];
    for (const [type, code, kind] of kinds) {
      const p = frame(
        LINKTYPE.raw,
        ipv4('203.0.113.1', '198.51.100.20', icmpError(type, code, syn), { protocol: 1 }),
      )!;
      expect(p.icmp).toEqual({
        type,
        code,
        kind,
        quoted: { src: '198.51.100.20', dst: '192.0.2.10', srcPort: 20, dstPort: 50123, seq: 555 },
      });
    }
    const echo = frame(
      LINKTYPE.raw,
      ipv4('192.0.2.1', '192.0.2.2', new Uint8Array(8), { protocol: 1 }),
    )!;
    expect(echo.icmp).toMatchObject({ type: 0, kind: null, quoted: null });
  });

  it('a quote of only the ports still names the connection, without a sequence number', () => {
    const p = frame(
      LINKTYPE.raw,
      ipv4('203.0.113.1', '198.51.100.20', icmpError(3, 3, syn, 24), { protocol: 1 }),
    )!;
    expect(p.icmp!.quoted).toEqual({
      src: '198.51.100.20',
      dst: '192.0.2.10',
      srcPort: 20,
      dstPort: 50123,
      seq: null,
    });
  });

  it('ICMPv6 kinds', () => {
    const syn6 = ipv6(
      '2001:db8::20',
      '2001:db8::10',
      tcp({ sport: 20, dport: 50123, flags: TCP.syn }),
    );
    const kinds: [number, number, string][] = [
      [1, 4, 'port-unreachable'],
      [1, 1, 'admin-prohibited'],
      [1, 3, 'host-unreachable'],
      [1, 0, 'net-unreachable'],
      [3, 0, 'time-exceeded'],
    ];
    for (const [type, code, kind] of kinds) {
      const p = frame(
        LINKTYPE.raw,
        ipv6('2001:db8::1', '2001:db8::20', icmpError(type, code, syn6, 48), { next: 58 }),
      )!;
      expect(p.icmp).toMatchObject({ kind, quoted: { src: '2001:db8::20', dstPort: 50123 } });
    }
  });

  it('an ICMP error for a SYN the capture never held still makes its connection unreachable', () => {
    const bytes = pcap(
      [{ data: ipv4('203.0.113.1', '198.51.100.20', icmpError(3, 13, syn), { protocol: 1 }) }],
      { linkType: LINKTYPE.raw },
    );
    const [c] = readCapture(bytes).connections;
    expect(c).toMatchObject({
      opener: { address: '198.51.100.20', port: 20 },
      acceptor: { port: 50123 },
    });
    expect(c!.icmp).toEqual([{ tMs: 0, from: '203.0.113.1', kind: 'admin-prohibited', frame: 1 }]);
  });
});
