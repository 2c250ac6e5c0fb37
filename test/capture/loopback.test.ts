/**
 * Real programs on this machine's loopback: each loopback-*.pcap in fixtures/ was made by
 * make-loopback-captures.sh with tcpdump on lo while vsftpd or pyftpdlib (on 127.0.0.1) served
 * curl, Python's ftplib or lftp. Beside it, loopback-*.json holds what the client program itself
 * reported: its exit code, its error line and its own log of the dialogue. The diagnosis of the
 * capture must agree with the program.
 *
 * Linux's lo is an Ethernet link with zero MAC addresses, and client and server are one machine:
 * no TTL has dropped on either side, so where the capture was taken cannot be told and the
 * diagnosis must say "unknown" (and why) rather than guess.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index';
import { captureStage } from '../../src/capture/stage';
import type { CaptureDataMode } from '../../src/capture/index';

const FIXTURES = new URL('./fixtures/', import.meta.url);

interface ClientReport {
  name: string;
  server: 'vsftpd' | 'pyftpdlib';
  client: 'curl' | 'ftplib' | 'lftp';
  case: string;
  command: string;
  exitCode: number;
  clientMessage: string | null;
  dialogue: string[];
}

const names = readdirSync(FIXTURES)
  .filter((n) => n.startsWith('loopback-') && n.endsWith('.json'))
  .sort();

/** The size of notes.txt, the file every successful run fetched. */
const NOTES_BYTES = 26;

function load(name: string) {
  const report = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as ClientReport;
  const bytes = new Uint8Array(readFileSync(new URL(name.replace(/\.json$/, '.pcap'), FIXTURES)));
  return { report, bytes, analysis: readCapture(bytes) };
}

const MODE: Record<string, { mode: CaptureDataMode; opener: 'client' | 'server' }> = {
  PASV: { mode: 'passive', opener: 'client' },
  EPSV: { mode: 'epsv', opener: 'client' },
  PORT: { mode: 'active', opener: 'server' },
  EPRT: { mode: 'eprt', opener: 'server' },
};

const TRANSFER = /^C: (LIST|NLST|MLSD|RETR|STOR|APPE)\b/;

/** A complete reply line in the client's log ("S: 226 ..."; a continuation line has a dash). */
const replyCode = (line: string) => /^S: (\d{3}) /.exec(line)?.[1];

/** The reply to the command at `i` in the client's log. */
function replyTo(dialogue: string[], i: number): number | null {
  const line = dialogue.slice(i + 1).find((l) => replyCode(l) !== undefined);
  return line ? Number(replyCode(line)) : null;
}

/**
 * Each data connection the client's log announces (a PASV or PORT the server accepted), the
 * transfer command sent after it (null when none was), and what the client was told of it: a 425
 * to the transfer says the server's connection failed (nothing listened: on lo, a RST); any other
 * reply means the connection was made (in passive mode the client connects before it asks).
 */
function expectedDataConnections(dialogue: string[]) {
  const out: {
    command: string | null;
    mode: CaptureDataMode;
    opener: 'client' | 'server';
    result: 'completed' | 'refused';
  }[] = [];
  let open: (typeof out)[number] | null = null;
  dialogue.forEach((line, i) => {
    const m = /^C: (PASV|EPSV|PORT|EPRT)\b/.exec(line);
    if (m) {
      open = null;
      if (String(replyTo(dialogue, i)).startsWith('2')) {
        open = { command: null, ...MODE[m[1]!]!, result: 'completed' };
        out.push(open);
      }
    } else if (TRANSFER.test(line) && open) {
      open.command = line.slice(3);
      if (replyTo(dialogue, i) === 425) open.result = 'refused';
      open = null;
    }
  });
  return out;
}

describe('diagnosis of real programs captured on loopback', () => {
  it('has both servers, all three clients, both modes, a 550 and a refused data connection', () => {
    const reports = names.map((n) => load(n).report);
    expect(new Set(reports.map((r) => r.server))).toEqual(new Set(['vsftpd', 'pyftpdlib']));
    expect(new Set(reports.map((r) => r.client))).toEqual(new Set(['curl', 'ftplib', 'lftp']));
    const cases = new Set(reports.map((r) => r.case));
    for (const c of ['ok-passive', 'ok-active', 'missing-passive', 'refused-active'])
      expect(cases).toContain(c);
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  describe.each(names)('%s', (name) => {
    const { report, bytes, analysis } = load(name);
    const dialogue = report.dialogue;
    const session = analysis.sessions[0]?.session;
    const diagnosis = analysis.sessions[0]?.diagnosis;

    it('reads whole, as Ethernet frames with zero MAC addresses (Linux lo)', () => {
      expect(analysis.format).toBe('pcap');
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      const littleEndian = view.getUint32(0, true) === 0xa1b2c3d4;
      expect(view.getUint32(20, littleEndian)).toBe(1); // LINKTYPE_ETHERNET
      expect([...bytes.subarray(40, 52)]).toEqual(new Array<number>(12).fill(0));
      expect(analysis.truncatedAt).toBeNull();
      expect(analysis.otherFrames).toBe(0);
      expect(analysis.frames).toBeGreaterThan(10);
      expect(report.name).toBe(name.replace(/\.json$/, ''));
    });

    it('holds the one FTP session the client ran', () => {
      const logins = dialogue.filter((l) => l.startsWith('C: USER ')).length;
      expect(logins).toBe(1);
      expect(analysis.sessions).toHaveLength(1);
      expect(session!.client.address).toBe('127.0.0.1');
      expect(session!.server.address).toBe('127.0.0.1');
    });

    it('shows the commands and replies the client logged', () => {
      // curl sends its QUIT (and reads the 221) as it exits, without logging them.
      const logged = dialogue.filter((l) => l.startsWith('C: ')).map((l) => l.slice(3));
      const quitUnlogged = report.client === 'curl' && !logged.includes('QUIT');
      const commands = quitUnlogged ? [...logged, 'QUIT'] : logged;
      expect(session!.commands).toEqual(commands);
      const codes = dialogue
        .map(replyCode)
        .filter((c) => c !== undefined)
        .map(Number);
      expect(session!.replyCodes).toEqual(quitUnlogged ? [...codes, 221] : codes);
    });

    it('traces each data connection the client set up', () => {
      const got = session!.dataConnections.map((d) => ({
        command: d.command,
        mode: d.mode,
        opener: d.opener,
        result: d.result,
      }));
      expect(got).toEqual(expectedDataConnections(dialogue));
      for (const d of session!.dataConnections) {
        if (d.command === 'RETR notes.txt' && d.result === 'completed')
          expect(d.bytes).toBe(NOTES_BYTES);
      }
    });

    it('is drawn on the stage with each end on its own side, told apart by its ports', () => {
      // Both ends are 127.0.0.1: the server's control port and data ports say which end sent.
      const serverPorts = new Set([session!.server.port]);
      for (const d of session!.dataConnections) {
        const c = d.connection!;
        serverPorts.add(d.opener === 'server' ? c.opener.port : c.acceptor.port);
      }
      const sends = captureStage(analysis)!.result.trace.filter((e) => e.type === 'send');
      expect(sends.length).toBe(analysis.packets.length);
      for (const e of sends) {
        const fromServer = serverPorts.has(e.packet.tcp!.srcPort);
        expect(e.node).toBe(fromServer ? 'server' : 'client');
      }
      // The first packet is the client's SYN to port 21's stand-in; an active data SYN is the server's.
      expect(sends[0]!.node).toBe('client');
      if (report.case.endsWith('active'))
        expect(
          sends.some(
            (e) => e.node === 'server' && e.packet.tcp!.flags.syn && !e.packet.tcp!.flags.ack,
          ),
        ).toBe(true);
    });

    it('says it cannot tell where it was taken: both ends are this machine', () => {
      expect(diagnosis!.capturedAt).toBe('unknown');
      expect(diagnosis!.capturedAtReason).toBe('client and server are the same machine');
    });

    it('has the outcome the client reported, failing where and how it failed', () => {
      if (report.exitCode === 0) {
        expect(report.clientMessage).toBeNull();
        expect(diagnosis!.outcome).toBe('success');
        expect(diagnosis!.failure).toBeNull();
        return;
      }
      expect(diagnosis!.outcome).toBe('failure');
      // The client stopped on an error reply: the last one it logged, to the command before it.
      const at = dialogue.reduce((last, l, i) => (/^S: [45]\d\d /.test(l) ? i : last), -1);
      expect(at).toBeGreaterThan(0);
      const code = Number(replyCode(dialogue[at]!));
      const drew = dialogue
        .slice(0, at)
        .reverse()
        .find((l) => l.startsWith('C: '))!
        .slice(3);
      expect(diagnosis!.failure).toEqual({ at: drew, kind: code });
      // A refused data connection is explained by the RST, any other failure by the reply.
      if (report.case === 'refused-active')
        expect(diagnosis!.explanation).toMatch(/answered with a TCP RST by 127\.0\.0\.1/);
      else expect(diagnosis!.explanation).toContain(dialogue[at]!.slice(3));
      // What the program said: ftplib quotes the reply, curl exits 78 ("remote file not found").
      if (report.client === 'ftplib') expect(report.clientMessage).toMatch(new RegExp(`^${code} `));
      if (report.client === 'curl') expect(report.exitCode).toBe(code === 550 ? 78 : -1);
    });
  });
});
