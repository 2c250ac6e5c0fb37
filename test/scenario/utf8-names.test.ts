import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writePcap } from '../../src/export/pcap';
import { formatTranscript } from '../../src/export/transcript';
import type { Packet } from '../../src/protocol/tcp';
import { defaultScenario } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import { packetLabel } from '../../src/scenario/timeline';
import type { TraceEvent } from '../../src/scenario/trace';
import { validateScenario } from '../../src/scenario/validate';

/**
 * Issue 11 item 16: file names beyond ASCII used to become "?" on the simulated wire, so
 * `STOR 中文.txt` and `RETR 日本.txt` were both `??.txt` and the RETR got the other file. Names now
 * travel as UTF-8 (RFC 2640), as vsftpd, pyftpdlib, curl and lftp send them.
 */

const utf8 = (text: string) => new TextEncoder().encode(text);

function run(commands: string[]) {
  const checked = validateScenario({ ...defaultScenario(), mode: 'passive', commands });
  if (!checked.ok) throw new Error(checked.error);
  return simulate(checked.value);
}

type Hop = Extract<TraceEvent, { type: 'hop' }>;

/** The client's own link, one hop per packet: what the client sent and received. */
function clientLinkHops(trace: TraceEvent[]): Hop[] {
  return trace.filter(
    (e): e is Hop =>
      e.type === 'hop' &&
      ((e.from === 'client' && e.to === 'client-router') ||
        (e.from === 'client-router' && e.to === 'client')),
  );
}

function segmentCarrying(trace: TraceEvent[], line: string): { hop: Hop; packet: Packet } {
  const bytes = utf8(line);
  const hop = clientLinkHops(trace).find(
    (h) =>
      h.packet.tcp !== undefined &&
      h.packet.tcp.payload.length === bytes.length &&
      h.packet.tcp.payload.every((b, i) => b === bytes[i]),
  );
  if (!hop) throw new Error(`no segment carries ${JSON.stringify(line)}`);
  return { hop, packet: hop.packet };
}

describe('file names beyond ASCII on the simulated wire (issue 11 item 16)', () => {
  it('STOR 中文.txt then RETR 日本.txt fails with 550: the two names are two files', () => {
    const result = run(['STOR 中文.txt', 'RETR 日本.txt']);
    expect(result.outcome.result).toBe('failure');
    expect(result.outcome.failedAt).toBe('RETR 日本.txt');
    expect(result.client.failure?.code).toBe(550);
    const lines = result.trace.filter((e) => e.type === 'control').map((e) => e.text);
    expect(lines).toContain('STOR 中文.txt');
    expect(lines).toContain('RETR 日本.txt');
    expect(lines).toContain('550 Failed to open file.');
  });

  it('RETR 中文.txt returns what STOR 中文.txt stored', () => {
    const result = run(['STOR 中文.txt', 'RETR 中文.txt']);
    expect(result.outcome.result).toBe('success');
    const [stored, fetched] = result.client.transfers;
    expect(stored?.verb).toBe('STOR');
    expect(fetched?.path).toBe('中文.txt');
    expect(new TextDecoder().decode(fetched!.received!)).toBe(
      'Uploaded by the FTP Lab client.\nLine two.\n',
    );
    expect(result.trace.filter((e) => e.type === 'control').map((e) => e.text)).toContain(
      '150 Opening ASCII mode data connection for 中文.txt (42 bytes).',
    );
  });

  it('the command is its UTF-8 bytes: 17 bytes of payload, and the next sequence number 17 on', () => {
    const result = run(['STOR 中文.txt', 'RETR 中文.txt']);
    const { packet: stor } = segmentCarrying(result.trace, 'STOR 中文.txt\r\n');
    expect(stor.tcp!.payload).toEqual(
      Uint8Array.from([
        ...[0x53, 0x54, 0x4f, 0x52, 0x20],
        ...[0xe4, 0xb8, 0xad, 0xe6, 0x96, 0x87],
        ...[0x2e, 0x74, 0x78, 0x74, 0x0d, 0x0a],
      ]),
    );
    const next = clientLinkHops(result.trace).find(
      (h) =>
        h.from === 'client' &&
        h.packet.tcp!.srcPort === stor.tcp!.srcPort &&
        h.packet.tcp!.dstPort === 21 &&
        h.packet.tcp!.seq !== stor.tcp!.seq &&
        h.t > 0 &&
        h.packet.tcp!.payload.length > 0 &&
        h.packet.tcp!.seq > stor.tcp!.seq,
    );
    expect(next!.packet.tcp!.seq).toBe(stor.tcp!.seq + 17);
    // The server's ACK of the line acknowledges 17 bytes, not 13 characters.
    const ack = clientLinkHops(result.trace).find(
      (h) => h.from === 'client-router' && h.packet.tcp!.ack === stor.tcp!.seq + 17,
    );
    expect(ack).toBeDefined();
    // The reply naming the file is counted in bytes too: two characters, six bytes.
    const opening = '150 Opening ASCII mode data connection for 中文.txt (42 bytes).\r\n';
    expect(segmentCarrying(result.trace, opening).packet.tcp!.payload.length).toBe(
      opening.length + 4,
    );
  });

  it('the pcap export carries the UTF-8 bytes, and tshark finds them in a 17-byte segment', () => {
    const result = run(['STOR 中文.txt', 'RETR 日本.txt']);
    const pcap = writePcap(result.trace, { capture: 'client' });
    const needle = utf8('RETR 日本.txt\r\n');
    const found = pcap.findIndex((_, i) => needle.every((b, j) => pcap[i + j] === b));
    expect(found).toBeGreaterThan(0);

    const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
    if (tshark.status !== 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'utf8-names-'));
    try {
      const file = join(dir, 'session.pcap');
      writeFileSync(file, pcap);
      // Wireshark 4.0's FTP dissector shows bytes above ASCII as replacement characters, so
      // the check is on the segment's bytes and length as tshark parsed them.
      const out = spawnSync(
        'tshark',
        [
          ...['-r', file, '-Y', 'ftp.request.command == "STOR"'],
          ...['-T', 'fields', '-e', 'tcp.len', '-e', 'tcp.payload'],
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      expect(out.status).toBe(0);
      expect(out.stdout.trim()).toBe('17\t53544f5220e4b8ade696872e7478740d0a');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('any two different names without control characters stay two files (property)', () => {
    // Not a path ("/", ".", ".."), and no white space at either end, which the validator trims
    // from a typed command.
    const anyName = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 12 })
      .filter((s) => !/[\p{Cc}/]/u.test(s) && s.trim() === s && s !== '.' && s !== '..');
    const beyondLatin1 = fc.constantFrom('中', '文', '日', '本', 'Ж', '€', '😀', '\u{10ffff}');
    // A name and the same name with one character beyond Latin-1 swapped for another: "?" once
    // made every such pair one file.
    const lookAlikes = fc
      .tuple(anyName, beyondLatin1, beyondLatin1, fc.nat())
      .map(([name, x, y, at]) => {
        const chars = [...name];
        const i = at % (chars.length + 1);
        const with_ = (c: string) => [...chars.slice(0, i), c, ...chars.slice(i)].join('');
        return [with_(x), with_(y)] as const;
      });
    fc.assert(
      fc.property(fc.oneof(lookAlikes, fc.tuple(anyName, anyName)), ([a, b]) => {
        fc.pre(a !== b);
        const result = run([`STOR ${a}`, `RETR ${b}`]);
        expect(result.client.failure?.code).toBe(550);
      }),
      { numRuns: 12 },
    );
  }, 60_000);
});

describe('what the learner reads', () => {
  it('the transcript quotes the lines with the names as typed', () => {
    const text = formatTranscript(run(['STOR 中文.txt', 'RETR 日本.txt']), { verbose: true });
    expect(text).toContain('"STOR 中文.txt"');
    expect(text).toContain('"RETR 日本.txt"');
    expect(text).not.toContain('ä¸');
  });

  it('the ladder labels a line by its characters, and a name cut for a label loses no bytes to junk', () => {
    const long = `x${'文'.repeat(40)}`;
    const result = run(['STOR 中文.txt', `RETR ${long}`]);
    expect(packetLabel(segmentCarrying(result.trace, 'STOR 中文.txt\r\n').packet)).toBe(
      'STOR 中文.txt',
    );
    // The label reads 80 bytes, "RETR x" and 74 more: 24 whole 文 and two bytes of the 25th,
    // which is left out rather than shown as Latin-1 letters.
    expect(packetLabel(segmentCarrying(result.trace, `RETR ${long}\r\n`).packet)).toBe(
      `RETR x${'文'.repeat(24)}`,
    );
  });
});

describe('the scenario validator and names beyond ASCII', () => {
  it('accepts any Unicode name, and still refuses control characters and lone surrogates', () => {
    for (const ok of ['RETR 中文.txt', 'STOR café.txt', 'CWD 📁', 'RETR a\u200db']) {
      expect(validateScenario({ commands: [ok] }).ok).toBe(true);
    }
    for (const bad of ['RETR a\u0000b', 'RETR a\u001b[2Jb', 'RETR a\u0085b', 'RETR a\u007fb']) {
      expect(validateScenario({ commands: [bad] }).ok).toBe(false);
    }
    expect(validateScenario({ commands: ['STOR a\ud800'] }).ok).toBe(false);
    expect(validateScenario({ client: { user: 'a\udc00', password: 'x' } }).ok).toBe(false);
  });
});
