import { describe, expect, it } from 'vitest';
import { openCapture, type Frame } from '../../src/capture/container';
import { CaptureError, readCapture } from '../../src/capture/index';
import { LINKTYPE } from '../../src/capture/link';
import { ethernet, ipv4, pcap, pcapng, tcp } from './build';

const packet = (n: number) =>
  ethernet(ipv4('192.0.2.1', '198.51.100.2', tcp({ sport: 40000 + n, dport: 21 })));

function frames(bytes: Uint8Array): Frame[] {
  const source = openCapture(bytes);
  const out: Frame[] = [];
  for (let f = source.next(); f; f = source.next()) out.push(f);
  return out;
}

function messageOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(CaptureError);
    return (error as Error).message;
  }
  throw new Error('expected a CaptureError');
}

describe('pcap', () => {
  for (const littleEndian of [true, false]) {
    for (const nano of [false, true]) {
      it(`reads ${littleEndian ? 'little' : 'big'}-endian ${nano ? 'nanosecond' : 'microsecond'} timestamps`, () => {
        const bytes = pcap(
          [
            { data: packet(1), tMs: 1_767_225_600_000.25 },
            { data: packet(2), tMs: 1_767_225_601_500.5 },
          ],
          { littleEndian, nano },
        );
        const read = frames(bytes);
        expect(read.map((f) => f.number)).toEqual([1, 2]);
        expect(read[0]!.tMs).toBeCloseTo(1_767_225_600_000.25, 3);
        expect(read[1]!.tMs).toBeCloseTo(1_767_225_601_500.5, 3);
        expect(read[0]!.linkType).toBe(LINKTYPE.ethernet);
        expect([...read[1]!.data]).toEqual([...packet(2)]);
        expect(read[1]!.offset).toBe(24 + 16 + packet(1).length);
      });
    }
  }

  it('keeps the wire length of a frame the snap length cut', () => {
    const full = packet(1);
    const [f] = frames(pcap([{ data: full.subarray(0, 40), original: full.length }]));
    expect(f!.data.length).toBe(40);
    expect(f!.originalLength).toBe(full.length);
  });

  it('ignores the FCS flags in the upper bits of the link-type word', () => {
    const bytes = pcap([{ data: packet(1) }]);
    new DataView(bytes.buffer).setUint32(20, 0x10000000 | LINKTYPE.ethernet, true);
    expect(frames(bytes)[0]!.linkType).toBe(LINKTYPE.ethernet);
  });

  it('a file that ends inside a record yields the frames before it and says where', () => {
    const bytes = pcap([{ data: packet(1) }, { data: packet(2) }]);
    const cut = bytes.subarray(0, bytes.length - 5);
    const analysis = readCapture(cut);
    expect(analysis.frames).toBe(1);
    expect(analysis.truncatedAt).toBe(24 + 16 + packet(1).length);
    // Cut inside the record header, not only inside the data.
    expect(readCapture(bytes.subarray(0, 24 + 16 + packet(1).length + 7)).truncatedAt).toBe(
      24 + 16 + packet(1).length,
    );
  });

  it('a file header alone is an empty capture; a shorter one is truncated', () => {
    const header = pcap([]);
    expect(readCapture(header).frames).toBe(0);
    expect(messageOf(() => readCapture(header.subarray(0, 10)))).toBe('truncated at byte 10');
  });

  it('says which link type it cannot read', () => {
    expect(messageOf(() => readCapture(pcap([{ data: packet(1) }], { linkType: 105 })))).toBe(
      'unsupported link type 105',
    );
  });

  it('refuses an absurd record length as corrupt, naming the byte', () => {
    const bytes = pcap([{ data: packet(1) }]);
    new DataView(bytes.buffer).setUint32(24 + 8, 0x7fffffff, true);
    expect(messageOf(() => readCapture(bytes))).toBe(
      'corrupt packet record at byte 24: length 2147483647',
    );
  });
});

describe('pcapng', () => {
  for (const le of [true, false]) {
    it(`reads ${le ? 'little' : 'big'}-endian sections: enhanced and simple packet blocks`, () => {
      const bytes = pcapng(
        [{ linkType: LINKTYPE.ethernet }],
        [
          { iface: 0, data: packet(1), units: 1_767_225_600_000_000 },
          { iface: 0, data: packet(2), units: 0, simple: true },
          { iface: 0, data: packet(3), units: 1_767_225_600_002_000 },
        ],
        le,
      );
      const read = frames(bytes);
      expect(read.map((f) => f.number)).toEqual([1, 2, 3]);
      expect(read[0]!.tMs).toBeCloseTo(1_767_225_600_000, 3);
      // A simple packet block has no timestamp: it keeps the last one seen.
      expect(read[1]!.tMs).toBe(read[0]!.tMs);
      expect(read[2]!.tMs).toBeCloseTo(1_767_225_600_002, 3);
      expect([...read[1]!.data]).toEqual([...packet(2)]);
      expect(openCapture(bytes).format).toBe('pcapng');
    });
  }

  for (const le of [true, false]) {
    it(`reads the obsolete packet block (16-bit interface id) ${le ? 'little' : 'big'}-endian`, () => {
      const bytes = pcapng(
        [{ linkType: LINKTYPE.ethernet }, { linkType: LINKTYPE.ethernet, tsresol: 9 }],
        [
          { iface: 1, data: packet(1), units: 5_000_000_000, obsolete: true },
          { iface: 0, data: packet(2), units: 6_000_000, obsolete: true },
        ],
        le,
      );
      const read = frames(bytes);
      expect(read.map((f) => f.tMs)).toEqual([5000, 6000]);
      expect([...read[1]!.data]).toEqual([...packet(2)]);
    });
  }

  it('gives each interface its own link type and timestamp resolution, skipping options', () => {
    const raw = ipv4('192.0.2.1', '198.51.100.2', tcp({ sport: 1, dport: 21 }));
    const bytes = pcapng(
      [
        { linkType: LINKTYPE.ethernet },
        { linkType: LINKTYPE.raw, tsresol: 9 },
        { linkType: LINKTYPE.linuxSll, tsresol: 0x80 | 20 },
      ],
      [
        { iface: 0, data: packet(1), units: 2_000_000 },
        { iface: 1, data: raw, units: 3_000_000_000 },
        { iface: 2, data: packet(3), units: 4 * 2 ** 20 },
      ],
    );
    const read = frames(bytes);
    expect(read.map((f) => f.linkType)).toEqual([
      LINKTYPE.ethernet,
      LINKTYPE.raw,
      LINKTYPE.linuxSll,
    ]);
    expect(read.map((f) => f.tMs)).toEqual([2000, 3000, 4000]);
  });

  it('skips frames of an interface with an unsupported link type, and says so', () => {
    const bytes = pcapng(
      [{ linkType: 105 }, { linkType: LINKTYPE.ethernet }],
      [
        { iface: 0, data: new Uint8Array(30), units: 1 },
        { iface: 1, data: packet(1), units: 2 },
        { iface: 0, data: new Uint8Array(30), units: 3 },
      ],
    );
    const analysis = readCapture(bytes);
    expect(analysis.frames).toBe(1);
    expect(analysis.warnings).toEqual([
      'skipped 2 packets on an interface of unsupported link type 105',
    ]);
    // Only frames of unsupported interfaces: nothing to read, said as the link type.
    const only = pcapng([{ linkType: 147 }], [{ iface: 0, data: new Uint8Array(8), units: 1 }]);
    expect(messageOf(() => readCapture(only))).toBe('unsupported link type 147');
  });

  it('skips blocks it does not know (name resolution, statistics, custom)', () => {
    const base = pcapng(
      [{ linkType: LINKTYPE.ethernet }],
      [{ iface: 0, data: packet(1), units: 1 }],
    );
    const unknown = new Uint8Array(20);
    const v = new DataView(unknown.buffer);
    v.setUint32(0, 5, true); // interface statistics block
    v.setUint32(4, 20, true);
    v.setUint32(16, 20, true);
    const bytes = new Uint8Array(base.length + 20);
    bytes.set(base);
    bytes.set(unknown, base.length);
    expect(readCapture(bytes).frames).toBe(1);
  });

  it('a packet naming an interface never described is a clear error', () => {
    const bytes = pcapng(
      [{ linkType: LINKTYPE.ethernet }],
      [{ iface: 3, data: packet(1), units: 1 }],
    );
    expect(messageOf(() => readCapture(bytes))).toMatch(
      /^packet at byte \d+ names interface 3, never described$/,
    );
  });

  it('a second section starts its own interface numbering, in its own byte order', () => {
    const a = pcapng(
      [{ linkType: LINKTYPE.ethernet }],
      [{ iface: 0, data: packet(1), units: 1000 }],
      true,
    );
    const raw = ipv4('192.0.2.1', '198.51.100.2', tcp({ sport: 2, dport: 21 }));
    const b = pcapng([{ linkType: LINKTYPE.raw }], [{ iface: 0, data: raw, units: 2000 }], false);
    const bytes = new Uint8Array(a.length + b.length);
    bytes.set(a);
    bytes.set(b, a.length);
    const read = frames(bytes);
    expect(read.map((f) => [f.number, f.linkType, f.tMs])).toEqual([
      [1, LINKTYPE.ethernet, 1],
      [2, LINKTYPE.raw, 2],
    ]);
  });

  it('a block cut short is "truncated at" its start; mismatched lengths are corrupt', () => {
    const bytes = pcapng(
      [{ linkType: LINKTYPE.ethernet }],
      [
        { iface: 0, data: packet(1), units: 1 },
        { iface: 0, data: packet(2), units: 2 },
      ],
    );
    const lastBlock = bytes.length - (32 + ((packet(2).length + 3) & ~3));
    const analysis = readCapture(bytes.subarray(0, bytes.length - 3));
    expect(analysis.frames).toBe(1);
    expect(analysis.truncatedAt).toBe(lastBlock);
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(bad.length - 4, 999, true);
    expect(messageOf(() => readCapture(bad))).toBe(
      `corrupt pcapng block at byte ${lastBlock}: its two lengths differ`,
    );
  });
});

describe('not a capture file', () => {
  for (const [what, bytes] of [
    ['an empty file', new Uint8Array()],
    ['three bytes', new Uint8Array([0xd4, 0xc3, 0xb2])],
    ['text', new TextEncoder().encode('220 FTP server ready\r\n')],
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
  ] as const) {
    it(`${what}: one clear message`, () => {
      expect(messageOf(() => readCapture(bytes))).toBe(
        'not a capture file (neither pcap nor pcapng)',
      );
    });
  }

  it('a pcapng section header with a wrong byte-order magic', () => {
    const bytes = pcapng([], []);
    bytes[8] = 0;
    expect(messageOf(() => readCapture(bytes))).toBe(
      'not a capture file (neither pcap nor pcapng)',
    );
  });
});
