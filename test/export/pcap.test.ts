import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, run, type CliIo } from '../../src/cli/sim';
import {
  CAPTURE_POINTS,
  capturedHops,
  interfaceMac,
  PCAP_EPOCH_SECONDS,
  writePcap,
  type CapturePoint,
} from '../../src/export/pcap';
import { internetChecksum } from '../../src/protocol/checksum';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { simulate, type SimulationResult } from '../../src/scenario/simulate';
import type { TraceEvent } from '../../src/scenario/trace';
import type { Scenario } from '../../src/scenario/types';

function presetScenario(presetId: string, mode: Scenario['mode']): Scenario {
  return { ...networkPreset(presetId)!.apply(defaultScenario()), mode };
}

/** The situations the captures are checked in, each simulated once. */
const RUNS = {
  /** DROP: the server's data SYNs from port 20 die at the client firewall, six times. */
  activeDropped: simulate(presetScenario('client-stateful', 'active')),
  /** REJECT: the client firewall answers the server's data SYN with ICMP port unreachable. */
  activeRejected: simulate(presetScenario('client-stateful-reject', 'active')),
  activeHelper: simulate(presetScenario('client-stateful-helper', 'active')),
  /** Masquerade plus nf_nat_ftp: PORT names 192.168.1.10 inside and 203.0.113.10 outside. */
  activeNat: simulate(presetScenario('client-nat-helper', 'active')),
  /** Port forwarding plus nf_nat_ftp: 227 grows by four bytes on the way out. */
  passiveNat: simulate(presetScenario('server-nat-helper', 'passive')),
  /** No helper: the 227 reply names the server's private address on the Internet. */
  passivePrivate: simulate(presetScenario('server-nat-private', 'passive')),
  eprt: simulate(presetScenario('both-stateful-helper', 'eprt')),
  epsv: simulate(presetScenario('both-stateful-helper', 'epsv')),
  /** 64 KiB down in MSS-sized segments, and an upload. */
  binary: simulate({
    ...defaultScenario(),
    mode: 'passive',
    type: 'binary',
    commands: ['RETR archive.bin', 'STOR upload.bin'],
  }),
} satisfies Record<string, SimulationResult>;

type RunName = keyof typeof RUNS;

// ---------------------------------------------------------------------------------------------
// A small libpcap reader, independent of the writer, for the byte-level tests.

interface PcapRecord {
  seconds: number;
  micros: number;
  capturedLength: number;
  originalLength: number;
  frame: Uint8Array;
}

function readRecords(file: Uint8Array): PcapRecord[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const records: PcapRecord[] = [];
  for (let at = 24; at < file.length;) {
    const capturedLength = view.getUint32(at + 8, true);
    records.push({
      seconds: view.getUint32(at, true),
      micros: view.getUint32(at + 4, true),
      capturedLength,
      originalLength: view.getUint32(at + 12, true),
      frame: file.subarray(at + 16, at + 16 + capturedLength),
    });
    at += 16 + capturedLength;
  }
  return records;
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function addressBytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** The IPv4 packet inside an Ethernet frame, and its parts. */
function ipOf(frame: Uint8Array) {
  const ip = frame.subarray(14);
  const view = dataView(ip);
  const headerLength = (ip[0]! & 0x0f) * 4;
  return {
    ip,
    header: ip.subarray(0, headerLength),
    payload: ip.subarray(headerLength, view.getUint16(2)),
    view,
  };
}

function pseudoHeader(ip: Uint8Array, protocol: number, length: number): Uint8Array {
  const bytes = new Uint8Array(12);
  bytes.set(ip.subarray(12, 20), 0);
  bytes[9] = protocol;
  dataView(bytes).setUint16(10, length);
  return bytes;
}

function recordsOf(name: RunName, capture: CapturePoint) {
  const { trace } = RUNS[name];
  return {
    hops: capturedHops(trace, capture),
    records: readRecords(writePcap(trace, { capture })),
  };
}

/** The port in the server's first 227 reply, as the server wrote it (RFC 959: p1 × 256 + p2). */
function passivePortSent(result: SimulationResult): number {
  const reply = result.trace.find((e) => e.type === 'control' && e.text.startsWith('227 '));
  const match = reply?.type === 'control' ? /,(\d+),(\d+)\)/.exec(reply.text) : null;
  return Number(match![1]) * 256 + Number(match![2]);
}

function isDataSynFromPort20(event: TraceEvent): boolean {
  if (event.type !== 'hop') return false;
  const tcp = event.packet.tcp;
  return !!tcp && tcp.flags.syn && !tcp.flags.ack && tcp.srcPort === 20;
}

describe('writePcap: file layout', () => {
  const file = writePcap(RUNS.activeHelper.trace, { capture: 'client' });

  it('starts with a little-endian libpcap 2.4 header for Ethernet, snaplen 65535', () => {
    expect(hex(file.subarray(0, 4))).toBe('d4:c3:b2:a1');
    const view = dataView(file);
    expect(view.getUint16(4, true)).toBe(2);
    expect(view.getUint16(6, true)).toBe(4);
    expect(view.getInt32(8, true)).toBe(0);
    expect(view.getUint32(12, true)).toBe(0);
    expect(view.getUint32(16, true)).toBe(65535);
    expect(view.getUint32(20, true)).toBe(1);
  });

  it('writes only the header for a trace with no hops', () => {
    expect(writePcap([], { capture: 'client' })).toEqual(file.subarray(0, 24));
  });

  it('writes one whole record per hop across the link, stamped with its departure time', () => {
    const { hops, records } = recordsOf('activeHelper', 'client');
    expect(records).toHaveLength(hops.length);
    expect(hops.length).toBeGreaterThan(20);
    records.forEach((record, i) => {
      const micros = Math.round(hops[i]!.t * 1000);
      expect(record.seconds).toBe(PCAP_EPOCH_SECONDS + Math.floor(micros / 1e6));
      expect(record.micros).toBe(micros % 1e6);
      expect(record.capturedLength).toBe(record.originalLength);
      expect(record.capturedLength).toBe(
        14 + hops[i]!.packet.tcp!.payload.length + 40 + (hops[i]!.packet.tcp!.mss ? 4 : 0),
      );
    });
    expect([records[0]!.seconds, records[0]!.micros]).toEqual([1767225600, 0]);
    const times = records.map((r) => r.seconds * 1e6 + r.micros);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('is deterministic: the same trace gives the same bytes', () => {
    const again = simulate(RUNS.activeHelper.scenario);
    expect(writePcap(again.trace, { capture: 'client' })).toEqual(file);
  });
});

describe('writePcap: headers of the first SYN', () => {
  const { hops, records } = recordsOf('activeHelper', 'client');
  const syn = hops[0]!.packet;
  const frame = records[0]!.frame;
  const { ip, header, payload: tcp, view } = ipOf(frame);
  const tcpView = dataView(tcp);

  it('is an Ethernet II frame from the client to its router, with locally administered MACs', () => {
    expect(hex(frame.subarray(0, 6))).toBe('02:00:00:00:01:00');
    expect(hex(frame.subarray(6, 12))).toBe('02:00:00:00:00:01');
    expect(hex(frame.subarray(12, 14))).toBe('08:00');
    expect(hex(interfaceMac('server-router', 1))).toBe('02:00:00:00:03:01');
  });

  it('has an IPv4 header with the packet’s id and TTL, DF, protocol 6 and a correct checksum', () => {
    expect(ip[0]).toBe(0x45);
    expect(ip[1]).toBe(0);
    expect(view.getUint16(2)).toBe(20 + 24);
    expect(view.getUint16(4)).toBe(syn.ipId);
    expect(view.getUint16(6)).toBe(0x4000);
    expect(ip[8]).toBe(64);
    expect(ip[9]).toBe(6);
    expect([...ip.subarray(12, 16)]).toEqual(addressBytes('192.0.2.10'));
    expect([...ip.subarray(16, 20)]).toEqual(addressBytes('198.51.100.20'));
    expect(view.getUint16(10)).not.toBe(0);
    expect(internetChecksum(header)).toBe(0);
  });

  it('has a TCP header with ports, ISN, data offset 6 for the MSS option, SYN and window', () => {
    expect(tcpView.getUint16(0)).toBe(syn.tcp!.srcPort);
    expect(tcpView.getUint16(2)).toBe(21);
    expect(tcpView.getUint32(4)).toBe(syn.tcp!.seq);
    expect(tcpView.getUint32(8)).toBe(0);
    expect(tcp[12]).toBe(6 << 4);
    expect(tcp[13]).toBe(0x02);
    expect(tcpView.getUint16(14)).toBe(65535);
    expect(tcpView.getUint16(18)).toBe(0);
    expect(hex(tcp.subarray(20, 24))).toBe('02:04:05:b4');
    expect(tcp).toHaveLength(24);
  });

  it('has a TCP checksum that sums to zero over the pseudo-header', () => {
    expect(tcpView.getUint16(16)).not.toBe(0);
    expect(internetChecksum(pseudoHeader(ip, 6, tcp.length), tcp)).toBe(0);
  });

  it('carries the FTP line as payload after a 20-byte header, with ACK and PSH', () => {
    const at = hops.findIndex((h) => h.packet.tcp!.payload.length > 0 && h.from === 'client');
    const { ip: userIp, payload: segment } = ipOf(records[at]!.frame);
    expect(segment[12]).toBe(5 << 4);
    expect(segment[13]).toBe(0x18);
    expect(new TextDecoder().decode(segment.subarray(20))).toBe('USER student\r\n');
    expect(dataView(segment).getUint32(8)).toBe(hops[at]!.packet.tcp!.ack);
    expect(internetChecksum(pseudoHeader(userIp, 6, segment.length), segment)).toBe(0);
  });

  it('has the TTL and MACs of the link it was captured on', () => {
    const outside = recordsOf('activeHelper', 'client-wan').records[0]!.frame;
    expect(hex(outside.subarray(0, 6))).toBe('02:00:00:00:02:00');
    expect(hex(outside.subarray(6, 12))).toBe('02:00:00:00:01:01');
    const { header, ip: outsideIp } = ipOf(outside);
    expect(outsideIp[8]).toBe(63);
    expect(internetChecksum(header)).toBe(0);
    const reply = recordsOf('activeHelper', 'client').records[1]!.frame;
    expect(hex(reply.subarray(0, 6))).toBe('02:00:00:00:00:01');
    expect(hex(reply.subarray(6, 12))).toBe('02:00:00:00:01:00');
  });
});

describe('writePcap: ICMP destination unreachable', () => {
  const { hops, records } = recordsOf('activeRejected', 'client-wan');
  const at = hops.findIndex((h) => h.packet.icmp);
  const rejected = RUNS.activeRejected.trace.find((e) => e.type === 'reject')!;

  it('quotes the refused SYN: its IP header and first 8 TCP bytes, all checksums correct', () => {
    expect(at).toBeGreaterThan(0);
    const { ip, header, payload: icmp, view } = ipOf(records[at]!.frame);
    expect(view.getUint16(2)).toBe(20 + 8 + 20 + 8);
    expect(view.getUint16(6)).toBe(0); // no DF on an ICMP error
    expect(ip[9]).toBe(1);
    expect(internetChecksum(header)).toBe(0);
    expect([icmp[0], icmp[1]]).toEqual([3, 3]);
    expect(internetChecksum(icmp)).toBe(0);
    expect(dataView(icmp).getUint32(4)).toBe(0);

    const quoted = icmp.subarray(8, 28);
    const quotedView = dataView(quoted);
    const refused = rejected.type === 'reject' ? rejected.packet : null;
    expect(quoted[0]).toBe(0x45);
    expect(quoted[9]).toBe(6);
    expect(quotedView.getUint16(2)).toBe(44);
    expect(quotedView.getUint16(4)).toBe(refused!.ipId);
    expect([...quoted.subarray(12, 16)]).toEqual(addressBytes('198.51.100.20'));
    expect([...quoted.subarray(16, 20)]).toEqual(addressBytes('192.0.2.10'));
    expect(internetChecksum(quoted)).toBe(0);
    const ports = dataView(icmp.subarray(28, 36));
    expect(ports.getUint16(0)).toBe(20);
    expect(ports.getUint16(2)).toBe(refused!.tcp!.dstPort);
    expect(ports.getUint32(4)).toBe(refused!.tcp!.seq);
    expect(icmp).toHaveLength(36);
  });
});

describe('writePcap: capture points', () => {
  it('describes every capture point', () => {
    expect(CAPTURE_POINTS.map((p) => p.id)).toEqual([
      'client',
      'client-wan',
      'server-wan',
      'server',
    ]);
    for (const point of CAPTURE_POINTS) expect(point.description.length).toBeGreaterThan(20);
  });

  it('shows the dropped data SYNs outside the client firewall and not inside it', () => {
    const { trace } = RUNS.activeDropped;
    const drops = trace.filter((e) => e.type === 'drop');
    expect(drops).toHaveLength(10);
    const synsAt = (capture: CapturePoint) =>
      capturedHops(trace, capture).filter(isDataSynFromPort20).length;
    expect(synsAt('client')).toBe(0);
    expect(synsAt('client-wan')).toBe(10);
    expect(synsAt('server-wan')).toBe(10);
    expect(synsAt('server')).toBe(10);
    // The control connection is on every link, so only the data SYNs make the difference.
    expect(capturedHops(trace, 'client').length).toBe(
      capturedHops(trace, 'client-wan').length - 10,
    );
  });

  it('shows the client’s private address inside its NAT and the public one outside', () => {
    const sources = (capture: CapturePoint) =>
      new Set(
        readRecords(writePcap(RUNS.activeNat.trace, { capture })).map(({ frame }) =>
          [...ipOf(frame).ip.subarray(12, 16)].join('.'),
        ),
      );
    expect(sources('client')).toEqual(new Set(['192.168.1.10', '198.51.100.20']));
    expect(sources('client-wan')).toEqual(new Set(['203.0.113.10', '198.51.100.20']));
  });
});

// ---------------------------------------------------------------------------------------------
// The captures read back by Wireshark's dissectors. Starting tshark costs about half a second,
// so each capture is dissected once, for every field the tests below look at.

const TSHARK_MISSING =
  "tshark is not installed: the pcap tests read every capture back with Wireshark's dissectors. " +
  'Install it with `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y tshark` ' +
  '(.ci/run does this in CI).';
const TSHARK_TIMEOUT_MS = 30_000;
const CHECK_CHECKSUMS = ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];

const dir = mkdtempSync(join(tmpdir(), 'ftp-lab-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes (once) and names the capture of one run at one link. */
function captureFile(name: RunName, capture: CapturePoint): string {
  const file = join(dir, `${name}-${capture}.pcap`);
  if (!existsSync(file)) writeFileSync(file, writePcap(RUNS[name].trace, { capture }));
  return file;
}

/** Runs `tshark -r file` with checksum validation on; fails the test with tshark's own words. */
function tshark(file: string, ...args: string[]): string[] {
  const result = spawnSync('tshark', ['-r', file, ...CHECK_CHECKSUMS, ...args], {
    encoding: 'utf8',
    timeout: TSHARK_TIMEOUT_MS,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(TSHARK_MISSING);
  }
  if (result.error) throw new Error(`tshark ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`tshark ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout.split('\n').filter((line) => line !== '');
}

/** `-T fields`, one row per frame: each field's occurrences (outer and quoted IP header, say). */
function fields(file: string, filter: string, names: readonly string[]): string[][][] {
  const args = ['-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|'];
  if (filter) args.push('-Y', filter);
  return tshark(file, ...args, ...names.flatMap((name) => ['-e', name])).map((line) =>
    line.split('\t').map((column) => (column === '' ? [] : column.split('|'))),
  );
}

const DISSECTED = [
  'frame.number',
  'frame.time_epoch',
  '_ws.malformed',
  '_ws.expert.severity',
  '_ws.expert.message',
  'ip.src',
  'ip.dst',
  'ip.checksum.status',
  'tcp.srcport',
  'tcp.flags.syn',
  'tcp.flags.ack',
  'tcp.checksum.status',
  'icmp.type',
  'icmp.code',
  'icmp.checksum.status',
  'ftp.active.cip',
  'ftp.active.port',
  'ftp.passive.ip',
  'ftp.passive.port',
  'ftp.passive.nat',
  'ftp.eprt.ip',
  'ftp.eprt.port',
  'ftp.epsv.port',
  'ftp-data.setup-method',
  'ftp-data.command',
  'tcp.len',
] as const;

type Frame = Record<(typeof DISSECTED)[number], string[]>;

const dissections = new Map<string, Frame[]>();

/** Every frame of a capture with the fields in DISSECTED, dissected once per capture. */
function dissect(name: RunName, capture: CapturePoint): Frame[] {
  const file = captureFile(name, capture);
  let frames = dissections.get(file);
  if (!frames) {
    frames = fields(file, '', DISSECTED).map(
      (row) => Object.fromEntries(DISSECTED.map((field, i) => [field, row[i] ?? []])) as Frame,
    );
    dissections.set(file, frames);
  }
  return frames;
}

/** Wireshark's expert severities (epan/proto.h PI_*), as `-T fields` prints them. */
const SEVERITY: Record<string, string> = {
  '1048576': 'comment',
  '2097152': 'chat',
  '4194304': 'note',
  '6291456': 'warning',
  '8388608': 'error',
};

function expertInfo(frame: Frame): { severity: string; message: string }[] {
  return frame['_ws.expert.severity'].map((severity, i) => ({
    severity: SEVERITY[severity] ?? severity.toLowerCase(),
    message: frame['_ws.expert.message'][i] ?? '',
  }));
}

function isDataSynFrame(frame: Frame): boolean {
  return (
    frame['tcp.flags.syn'][0] === '1' &&
    frame['tcp.flags.ack'][0] === '0' &&
    frame['tcp.srcport'][0] === '20'
  );
}

const CLOSING_NOTE = /^This frame (initiates|undergoes) the connection closing$/;
const RETRANSMISSION_NOTE = 'This frame is a (suspected) retransmission';
/** PROTO_CHECKSUM_E_GOOD (epan/proto.h); 0 would be "Bad". */
const CHECKSUM_GOOD = '1';

/** Run × link pairs the tshark sweep reads: both sides of every NAT, drops, rejects, each mode. */
const SWEEP: [RunName, CapturePoint][] = [
  ['activeDropped', 'client'],
  ['activeDropped', 'client-wan'],
  ['activeRejected', 'client-wan'],
  ['activeRejected', 'server'],
  ['activeHelper', 'client'],
  ['activeNat', 'client'],
  ['activeNat', 'client-wan'],
  ['passiveNat', 'server-wan'],
  ['passiveNat', 'server'],
  ['passivePrivate', 'server-wan'],
  ['eprt', 'client'],
  ['epsv', 'server'],
  ['binary', 'client'],
];

describe('tshark reads the captures', { timeout: TSHARK_TIMEOUT_MS }, () => {
  it('is installed', () => {
    const probe = spawnSync('tshark', ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new Error(TSHARK_MISSING);
    }
    expect(probe.stdout).toMatch(/^TShark \(Wireshark\) \d+\.\d+/);
  });

  it.each(SWEEP)(
    '%s at %s: no malformed packet, every checksum good, nothing above a note',
    (name, capture) => {
      const frames = dissect(name, capture);
      expect(frames).toHaveLength(capturedHops(RUNS[name].trace, capture).length);
      for (const frame of frames) {
        const at = `frame ${frame['frame.number'][0]}`;
        expect(frame['_ws.malformed'], at).toEqual([]);
        expect(frame['ip.checksum.status'].length, at).toBeGreaterThan(0);
        const checksums = [
          ...frame['ip.checksum.status'],
          ...frame['tcp.checksum.status'],
          ...frame['icmp.checksum.status'],
        ];
        for (const status of checksums) expect(status, at).toBe(CHECKSUM_GOOD);
        // Chats (SYN, FIN) and notes are fine; a warning or an error is not. The notes are the
        // orderly closes, and SYN retries only where a firewall drops the SYNs.
        for (const { severity, message } of expertInfo(frame)) {
          expect(['chat', 'note'], `${at}: ${message}`).toContain(severity);
          if (severity !== 'note') continue;
          if (message === RETRANSMISSION_NOTE) {
            expect([name, isDataSynFrame(frame)], at).toEqual(['activeDropped', true]);
          } else {
            expect(message, at).toMatch(CLOSING_NOTE);
          }
        }
      }
    },
  );

  it('flags the dropped SYN retries as retransmissions, only outside the client firewall', () => {
    const retries = (capture: CapturePoint) =>
      dissect('activeDropped', capture).filter((frame) =>
        expertInfo(frame).some((e) => e.message === RETRANSMISSION_NOTE && e.severity === 'note'),
      );
    expect(retries('client-wan')).toHaveLength(9);
    expect(retries('client-wan').every(isDataSynFrame)).toBe(true);
    expect(retries('client')).toHaveLength(0);
    // The display filter a person would type agrees: nothing malformed, nothing worse than a note.
    const file = captureFile('activeDropped', 'client-wan');
    expect(tshark(file, '-Y', '_ws.malformed || _ws.expert.severity >= warning')).toEqual([]);
  });

  it('shows the FTP dialogue as the simulation recorded it', () => {
    const file = captureFile('activeDropped', 'client-wan');
    const rows = fields(file, 'ftp', ['ftp.request.command', 'ftp.response.code']);
    const dialogue = rows.map(([command, code]) => command![0] ?? code![0]);
    expect(dialogue).toEqual([
      '220',
      'USER',
      '331',
      'PASS',
      '230',
      'TYPE',
      '200',
      'PORT',
      '200',
      'LIST',
      '425',
      'QUIT',
      '221',
    ]);
    const recorded = RUNS.activeDropped.trace.flatMap((e) =>
      e.type === 'control' ? [e.text.split(' ')[0]] : [],
    );
    expect(dialogue).toEqual(recorded);
  });

  it('decodes PORT as each link saw it: private inside the NAT, rewritten outside', () => {
    const ports = (capture: CapturePoint) =>
      dissect('activeNat', capture)
        .filter((frame) => frame['ftp.active.port'].length > 0)
        .map((frame) => [frame['ftp.active.cip'][0], Number(frame['ftp.active.port'][0])]);
    const dataPorts = RUNS.activeNat.client.transfers.map((t) => t.target!.port);
    expect(ports('client')).toEqual(dataPorts.map((port) => ['192.168.1.10', port]));
    expect(ports('client-wan')).toEqual(dataPorts.map((port) => ['203.0.113.10', port]));
  });

  it('decodes 227 as each link saw it, and flags the private address a server leaks', () => {
    const pasv = (name: RunName, capture: CapturePoint) => {
      const frame = dissect(name, capture).find((f) => f['ftp.passive.port'].length > 0)!;
      return [
        frame['ftp.passive.ip'][0],
        Number(frame['ftp.passive.port'][0]),
        frame['ftp.passive.nat'][0],
      ];
    };
    const passiveNatPort = passivePortSent(RUNS.passiveNat);
    expect(pasv('passiveNat', 'server')).toEqual(['10.0.0.20', passiveNatPort, undefined]);
    expect(pasv('passiveNat', 'server-wan')).toEqual(['198.51.100.20', passiveNatPort, undefined]);
    // Without the helper the private address crosses the Internet, and Wireshark says so.
    expect(pasv('passivePrivate', 'server-wan')).toEqual([
      '10.0.0.20',
      passivePortSent(RUNS.passivePrivate),
      '1',
    ]);
  });

  it('decodes EPRT and EPSV', () => {
    const eprt = dissect('eprt', 'client').filter((f) => f['ftp.eprt.port'].length > 0);
    expect(eprt.map((f) => [f['ftp.eprt.ip'][0], Number(f['ftp.eprt.port'][0])])).toEqual(
      RUNS.eprt.client.transfers.map((t) => ['192.0.2.10', t.target!.port]),
    );
    const epsv = dissect('epsv', 'server').filter((f) => f['ftp.epsv.port'].length > 0);
    expect(epsv.map((f) => Number(f['ftp.epsv.port'][0]))).toEqual(
      RUNS.epsv.client.transfers.map((t) => t.target!.port),
    );
  });

  it('dissects the data connections as FTP-DATA, tied to the command that opened them', () => {
    const file = captureFile('activeNat', 'client');
    const rows = fields(file, 'ftp-data', [
      'tcp.srcport',
      'ftp-data.setup-method',
      'ftp-data.command',
      'tcp.len',
    ]).map((row) => row.map((column) => column[0]));
    expect(new Set(rows.map(([port, method]) => `${port} ${method}`))).toEqual(
      new Set(['20 PORT']),
    );
    const bytes = (command: string) =>
      rows.filter((row) => row[2] === command).reduce((n, row) => n + Number(row[3]), 0);
    const [list, retr] = RUNS.activeNat.client.transfers;
    expect(bytes('LIST')).toBe(list!.bytesOnWire);
    expect(bytes('RETR notes.txt')).toBe(retr!.bytesOnWire);

    const data = dissect('binary', 'client').filter((f) => f['ftp-data.command'].length > 0);
    const archive = data.filter((f) => f['ftp-data.command'][0] === 'RETR archive.bin');
    expect(archive.length).toBeGreaterThan(40);
    expect(archive.every((f) => f['ftp-data.setup-method'][0] === 'PASV')).toBe(true);
    expect(archive.reduce((n, f) => n + Number(f['tcp.len'][0]), 0)).toBe(65536);
    expect(data.some((f) => f['ftp-data.command'][0] === 'STOR upload.bin')).toBe(true);
  });

  it('shows the REJECT answer as ICMP port unreachable quoting the server’s data SYN', () => {
    const icmp = dissect('activeRejected', 'server').filter((f) => f['icmp.type'].length > 0);
    expect(icmp).toHaveLength(1);
    expect(icmp[0]).toMatchObject({
      'icmp.type': ['3'],
      'icmp.code': ['3'],
      // The outer header, then the quoted one.
      'ip.src': ['203.0.113.1', '198.51.100.20'],
      'ip.dst': ['198.51.100.20', '192.0.2.10'],
      'tcp.srcport': ['20'],
    });
  });

  it('stamps frames from 2026-01-01T00:00:00Z in virtual time', () => {
    const frames = dissect('activeHelper', 'client');
    const hops = capturedHops(RUNS.activeHelper.trace, 'client');
    expect(frames[0]!['frame.time_epoch']).toEqual(['1767225600.000000000']);
    const last = Number(frames.at(-1)!['frame.time_epoch'][0]);
    expect(last).toBeCloseTo(PCAP_EPOCH_SECONDS + hops.at(-1)!.t / 1000, 6);
  });
});

// ---------------------------------------------------------------------------------------------
// sim --pcap

describe('sim --pcap', () => {
  function simInProcess(args: string[], writeFile?: CliIo['writeFile']) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      readFile: (path) => readFileSync(path, 'utf8'),
      writeFile,
    };
    return { code: run(args, io), stdout, stderr };
  }

  it('writes the capture, says so in one stderr line, and keeps stdout for the transcript', () => {
    const written: { path: string; data: Uint8Array }[] = [];
    const args = ['--mode', 'active', '--client-fw', 'stateful', '--pcap', 'out.pcap'];
    const { code, stdout, stderr } = simInProcess(
      [...args, '--capture', 'client-wan'],
      (path, data) => written.push({ path, data }),
    );
    expect(code).toBe(EXIT.ftpFailure);
    expect(stdout).toMatch(/^Outcome: FAILURE/m);
    const result = RUNS.activeDropped;
    const packets = capturedHops(result.trace, 'client-wan').length;
    expect(stderr).toBe(
      `pcap: wrote ${packets} packets to out.pcap (capture at client-wan, the client router's Internet side)\n`,
    );
    expect(written).toHaveLength(1);
    expect(written[0]!.path).toBe('out.pcap');
    expect(written[0]!.data).toEqual(writePcap(result.trace, { capture: 'client-wan' }));
  });

  it('captures on the client link by default, and leaves --json output intact', () => {
    let data: Uint8Array | undefined;
    const { code, stdout, stderr } = simInProcess(
      ['--preset', 'client-stateful-helper', '--pcap', 'x.pcap', '--json'],
      (_path, bytes) => (data = bytes),
    );
    expect(code).toBe(EXIT.success);
    expect(JSON.parse(stdout).outcome).toBe('success');
    expect(stderr).toMatch(/^pcap: wrote \d+ packets to x\.pcap \(capture at client, /);
    expect(data).toEqual(writePcap(RUNS.activeHelper.trace, { capture: 'client' }));
  });

  it('exits 2 with one error line when the file cannot be written', () => {
    const file = join(dir, 'no-such-dir', 'out.pcap');
    const { code, stdout, stderr } = simInProcess(['--pcap', file]);
    expect(code).toBe(EXIT.badInput);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error: --pcap ${file}: cannot write the file: no such directory\n`);
    expect(simInProcess(['--pcap', dir]).stderr).toBe(
      `error: --pcap ${dir}: cannot write the file: is a directory\n`,
    );
  });

  it('refuses an unknown capture point, and --capture without --pcap', () => {
    const unknown = simInProcess(['--pcap', 'x.pcap', '--capture', 'router']);
    expect(unknown.code).toBe(EXIT.badInput);
    expect(unknown.stderr).toBe(
      'error: --capture: unknown value "router"; allowed: client, client-wan, server-wan, server\n',
    );
    const alone = simInProcess(['--capture', 'server']);
    expect(alone.code).toBe(EXIT.badInput);
    expect(alone.stderr).toBe('error: --capture: only together with --pcap <file>\n');
    expect(simInProcess(['--pcap']).stderr).toBe('error: --pcap: missing value <file>\n');
  });

  it('documents both flags in --help', () => {
    const { stdout } = simInProcess(['--help']);
    expect(stdout).toMatch(/^ {2}--pcap <file> +also write the packets/m);
    expect(stdout).toMatch(/^ {2}--capture <link> +with --pcap: .*client \(default/m);
    expect(stdout).toContain('--pcap /tmp/ftp.pcap --capture client-wan');
  });

  it('writes a real file from the command line', async () => {
    const file = join(dir, 'cli.pcap');
    const tsx = join('node_modules', '.bin', 'tsx');
    const args = ['src/cli/sim.ts', '--mode', 'passive', '--pcap', file, '--capture', 'server'];
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(tsx, args, { timeout: 30_000 }, (error, _stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
      });
    });
    expect(code).toBe(EXIT.success);
    expect(stderr).toMatch(
      /^pcap: wrote \d+ packets to .*cli\.pcap \(capture at server, the server's link\)\n$/,
    );
    const expected = simulate({ ...defaultScenario(), mode: 'passive' });
    expect(new Uint8Array(readFileSync(file))).toEqual(
      writePcap(expected.trace, { capture: 'server' }),
    );
  }, 30_000);
});
