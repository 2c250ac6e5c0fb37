/**
 * Fuzz: the capture reader (issue 15, "fast-check: arbitrary and mutated bytes never throw
 * anything but the reader's own error; a truncated capture yields what it holds").
 *
 * Cases per run (numRuns): arbitrary bytes 800; arbitrary bytes behind a valid pcap or pcapng
 * header 800; mutated pcap 800; mutated pcapng 600; truncated pcap and pcapng 400; stream
 * coverage against a byte-set model 400; control segments shuffled and repeated 400.
 * Total 4,200.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cover } from '../../src/capture/connections';
import { CaptureError, readCapture } from '../../src/capture/index';
import { LINKTYPE } from '../../src/capture/link';
import { captureStage } from '../../src/capture/stage';
import { indexTrace } from '../../src/scenario/queries';
import { ethernet, icmpError, ipv4, ipv6, pcap, pcapng, Peer, sll2, tcp, TCP } from './build';

/** Every message the reader may give: one line, naming the byte or the link type. */
const READER_MESSAGE =
  /^(?:not a capture file \(neither pcap nor pcapng\)|truncated at byte \d+|unsupported link type \d+|corrupt [a-z ]+ at byte \d+(?:: .+)?|packet at byte \d+ names interface \d+, never described)$/;

function readsOrSaysWhy(bytes: Uint8Array): void {
  try {
    const analysis = readCapture(bytes);
    // Reading a result must not throw either: a page renders all of it.
    JSON.stringify(analysis.sessions.map((s) => [s.session.dialogue, s.diagnosis]));
    // Nor drawing it: the Real session page turns the first session into a trace for the stage.
    const stage = captureStage(analysis);
    if (stage) indexTrace(stage.result);
  } catch (error) {
    if (!(error instanceof CaptureError)) throw error;
    expect(error.message).toMatch(READER_MESSAGE);
  }
}

/** A failing active session on Ethernet, with ICMP, IPv6 and a cut frame mixed in. */
function sampleFrames(): Uint8Array[] {
  const c = new Peer('192.0.2.10', 40000, 1000);
  const s = new Peer('198.51.100.20', 21, 5000);
  const syn = ipv4('198.51.100.20', '192.0.2.10', tcp({ sport: 20, dport: 50000, flags: TCP.syn }));
  return [
    c.syn(s),
    s.syn(c, true),
    s.send(c, '220 hi\r\n'),
    c.send(s, 'USER a\r\nPASS b\r\n'),
    s.send(c, '331 ok\r\n230 in\r\n'),
    c.send(s, 'PORT 192,0,2,10,195,80\r\n'),
    s.send(c, '200 ok\r\n'),
    c.send(s, 'LIST\r\n'),
    syn,
    ipv4('192.0.2.1', '198.51.100.20', icmpError(3, 13, syn), { protocol: 1 }),
    ipv6('2001:db8::1', '2001:db8::2', tcp({ sport: 1, dport: 21, payload: 'EPSV\r\n' })),
    s.send(c, '425 no\r\n'),
  ].map((ip) => ethernet(ip, ip[0]! >> 4 === 6 ? [7] : []));
}

const SAMPLE = sampleFrames();
const samplePcap = (le: boolean, nano: boolean) =>
  pcap(
    SAMPLE.map((data, i) => ({ data, tMs: 1_767_225_600_000 + i * 7.5 })),
    { littleEndian: le, nano },
  );
const samplePcapng = (le: boolean) =>
  pcapng(
    [{ linkType: LINKTYPE.ethernet }, { linkType: LINKTYPE.linuxSll2, tsresol: 9 }],
    SAMPLE.map((data, i) =>
      i % 3 === 2
        ? { iface: 1, data: sll2(data.subarray(14)), units: 1e9 * (1 + i) }
        : { iface: 0, data, units: 1e6 * (1 + i), simple: i === 4 },
    ),
    le,
  );

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('byte' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('word' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 0xffffffff }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.nat(64) }),
);

function mutate(
  base: Uint8Array,
  ms: fc.Arbitrary<unknown>[] | { kind: string; at: number; value: number }[],
) {
  let bytes = base.slice();
  for (const m of ms as { kind: string; at: number; value: number }[]) {
    const at = m.at % Math.max(1, bytes.length);
    if (m.kind === 'byte') bytes[at] = m.value;
    else if (m.kind === 'word' && at + 4 <= bytes.length)
      new DataView(bytes.buffer).setUint32(at, m.value, (m.value & 1) === 0);
    else if (m.kind === 'cut')
      bytes = new Uint8Array([
        ...bytes.subarray(0, at),
        ...bytes.subarray(Math.min(bytes.length, at + m.value)),
      ]);
  }
  return bytes;
}

describe('the reader never throws anything but its own one-line error', () => {
  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => readsOrSaysWhy(bytes)),
      { numRuns: 800 },
    );
  });

  it('arbitrary bytes behind a valid file header', () => {
    const headers = [
      samplePcap(true, false).subarray(0, 24),
      samplePcap(false, true).subarray(0, 24),
      samplePcapng(true).subarray(0, 28),
      samplePcapng(false).subarray(0, 28),
    ];
    fc.assert(
      fc.property(fc.nat(headers.length - 1), fc.uint8Array({ maxLength: 600 }), (h, tail) =>
        readsOrSaysWhy(new Uint8Array([...headers[h]!, ...tail])),
      ),
      { numRuns: 800 },
    );
  });

  it('mutated pcap files', () => {
    const bases = [samplePcap(true, false), samplePcap(false, false), samplePcap(true, true)];
    fc.assert(
      fc.property(
        fc.nat(bases.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (b, ms) => readsOrSaysWhy(mutate(bases[b]!, ms)),
      ),
      { numRuns: 800 },
    );
  });

  it('mutated pcapng files', () => {
    const bases = [samplePcapng(true), samplePcapng(false)];
    fc.assert(
      fc.property(fc.nat(1), fc.array(mutation, { minLength: 1, maxLength: 6 }), (b, ms) =>
        readsOrSaysWhy(mutate(bases[b]!, ms)),
      ),
      { numRuns: 600 },
    );
  });
});

describe('a truncated capture yields what it holds', () => {
  const whole = { pcap: samplePcap(true, false), pcapng: samplePcapng(false) };
  const full = {
    pcap: readCapture(whole.pcap),
    pcapng: readCapture(whole.pcapng),
  };
  it('the sample reads fully: one session, a diagnosis', () => {
    expect(full.pcap.frames).toBe(SAMPLE.length);
    expect(full.pcapng.frames).toBe(SAMPLE.length);
    expect(full.pcap.sessions[0]!.session.replyCodes).toEqual([220, 331, 230, 200, 425]);
    expect(full.pcapng.sessions[0]!.session.replyCodes).toEqual([220, 331, 230, 200, 425]);
  });

  it('every cut after the file header keeps the frames before it, and says where', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pcap' as const, 'pcapng' as const),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (format, fraction) => {
          const bytes = whole[format];
          const headerLength = format === 'pcap' ? 24 : 28;
          const cut = headerLength + Math.floor(fraction * (bytes.length - headerLength));
          const analysis = readCapture(bytes.subarray(0, cut));
          expect(analysis.frames).toBeLessThanOrEqual(SAMPLE.length);
          if (cut < bytes.length) {
            // Either the cut fell between records (nothing lost mid-record) or it is named.
            if (analysis.truncatedAt !== null) expect(analysis.truncatedAt).toBeLessThan(cut);
          } else expect(analysis.truncatedAt).toBeNull();
          // Whatever was read agrees with the whole file's first frames.
          const prefix = full[format].packets.filter((p) => p.frame <= analysis.frames);
          expect(analysis.packets.map((p) => p.frame)).toEqual(prefix.map((p) => p.frame));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('stream reassembly', () => {
  it('cover() counts each new byte once, against a byte-set model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -50, max: 200 }), fc.nat(40)), { maxLength: 30 }),
        (segments) => {
          const ranges: number[] = [];
          const seen = new Set<number>();
          for (const [start, length] of segments) {
            let fresh = 0;
            for (let b = start; b < start + length; b++) {
              if (seen.has(b)) continue;
              seen.add(b);
              fresh++;
            }
            expect(cover(ranges, start, start + length)).toBe(fresh);
            for (let i = 0; i + 3 < ranges.length; i += 2)
              expect(ranges[i + 1]!).toBeLessThan(ranges[i + 2]!);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('shuffled and repeated control segments read back as the same dialogue', () => {
    const c = new Peer('192.0.2.10', 40000, 1000);
    const s = new Peer('198.51.100.20', 21, 4294967000);
    const hs = [c.syn(s), s.syn(c, true)];
    const text = '220 hi\r\n331 more\r\n230-a\r\n230 b\r\n200 PORT ok\r\n150 go\r\n226 done\r\n';
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < text.length; i += 5) pieces.push(s.send(c, text.slice(i, i + 5)));
    const expected = text.split('\r\n').slice(0, -1);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          pieces.map((_, i) => i),
          { minLength: pieces.length },
        ),
        fc.array(fc.nat(pieces.length - 1), { maxLength: 10 }),
        (order, repeats) => {
          const frames = [
            ...hs,
            ...order.map((i) => pieces[i]!),
            ...repeats.map((i) => pieces[i]!),
          ];
          const analysis = readCapture(
            pcap(
              frames.map((data, i) => ({ data, tMs: i })),
              { linkType: LINKTYPE.raw },
            ),
          );
          const { session } = analysis.sessions[0]!;
          expect(session.dialogue.map((l) => l.text)).toEqual(expected);
          expect(session.gaps).toEqual([]);
          expect(analysis.connections[0]!.fromAcceptor.bytes).toBe(text.length);
          expect(analysis.connections[0]!.fromAcceptor.retransmissions).toBe(repeats.length);
        },
      ),
      { numRuns: 400 },
    );
  });
});
