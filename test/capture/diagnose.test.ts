/**
 * `npm run diagnose` on real captures made by `npm run lab` (vsftpd 3.0.3, the project's rfc959
 * client or curl, Linux nftables, tcpdump on each link). Each row's outcome is what the programs
 * themselves reported in the lab's summary; the diagnosis must agree and name what failed, where,
 * the fixes and the closest sandbox preset.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index';
import { runDiagnose } from '../../src/cli/diagnose';
import { validateScenario } from '../../src/scenario/validate';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

function diagnose(args: string[], readFile: (path: string) => Uint8Array = fixture) {
  let stdout = '';
  let stderr = '';
  const code = runDiagnose(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readFile,
  });
  return { code, stdout, stderr };
}

function json(name: string): Record<string, unknown> {
  const { code, stdout } = diagnose([name, '--json']);
  expect(code).toBe(0);
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

interface Row {
  file: string;
  /** What the lab's programs reported. */
  lab: string;
  capturedAt: string;
  outcome: string;
  failure: { at: string; kind: number | string } | null;
  dataConnections: { mode: string; opener: string; result: string; synCount: number }[];
  explanation: RegExp;
  fix: RegExp | null;
  preset: string;
}

/** A session in which every transfer completed: `count` data connections the client opened in `mode`. */
function transferredAll(mode: string, count: number) {
  return {
    outcome: 'success',
    failure: null,
    dataConnections: Array.from({ length: count }, () => ({
      mode,
      opener: 'client',
      result: 'completed',
      synCount: 1,
    })),
    explanation: /Every transfer completed/,
    fix: null,
  };
}

const ROWS: Row[] = [
  {
    file: 'client-stateful-active.server-lan.pcap',
    lab: 'vsftpd: 425 Failed to establish connection (6 SYNs from port 20, dropped by the client router)',
    capturedAt: 'server',
    outcome: 'failure',
    failure: { at: 'LIST', kind: 425 },
    dataConnections: [{ mode: 'active', opener: 'server', result: 'dropped', synCount: 6 }],
    explanation: /6 SYNs sent over 5\.1 s and none answered.*client's stateful firewall.*425 after/,
    fix: /passive mode/,
    preset: 'client-stateful',
  },
  {
    file: 'client-stateful-active.client-lan.pcap',
    lab: 'the same session, captured on the client LAN: the SYNs never arrive',
    capturedAt: 'client',
    outcome: 'failure',
    failure: { at: 'LIST', kind: 425 },
    dataConnections: [{ mode: 'active', opener: 'server', result: 'not-seen', synCount: 0 }],
    explanation: /no such connection appears in this capture.*client's firewall/,
    fix: /FTP helper/,
    preset: 'client-stateful',
  },
  {
    file: 'client-stateful-reject-active.internet.pcap',
    lab: "vsftpd: 425 (the client router's REJECT answered the SYN with ICMP port unreachable)",
    capturedAt: 'between',
    outcome: 'failure',
    failure: { at: 'LIST', kind: 425 },
    dataConnections: [{ mode: 'active', opener: 'server', result: 'unreachable', synCount: 1 }],
    explanation: /203\.0\.113\.1 sent ICMP port-unreachable, as a firewall with a REJECT rule does/,
    fix: /passive mode/,
    preset: 'client-stateful-reject',
  },
  {
    file: 'client-nat-active.internet.pcap',
    lab: 'vsftpd: 500 Illegal PORT command (PORT named the private 192.168.1.10)',
    capturedAt: 'between',
    outcome: 'failure',
    failure: { at: 'PORT 192,168,1,10,134,181', kind: 500 },
    dataConnections: [],
    explanation:
      /names 192\.168\.1\.10, not the address the control connection comes from \(203\.0\.113\.10\).*behind NAT/,
    fix: /rewrites PORT/,
    preset: 'client-nat',
  },
  {
    file: 'server-only-21-passive.client-lan.pcap',
    lab: 'rfc959 client: connect ETIMEDOUT 198.51.100.20:40075 (6 SYNs, dropped by the server router)',
    capturedAt: 'client',
    outcome: 'failure',
    failure: { at: 'PASV', kind: 'timeout' },
    dataConnections: [{ mode: 'passive', opener: 'client', result: 'dropped', synCount: 6 }],
    explanation: /6 SYNs and no answer.*server's firewall, open only for port 21/,
    fix: /passive port range/,
    preset: 'server-only-21',
  },
  {
    file: 'server-nat-private-passive.client-lan.pcap',
    lab: 'success: the lab routes to 10.0.0.20, so the private 227 address still worked',
    capturedAt: 'client',
    ...transferredAll('passive', 2),
    preset: 'server-nat-private',
  },
  {
    file: 'no-firewall-passive.internet.pcap',
    lab: 'success',
    capturedAt: 'between',
    ...transferredAll('passive', 2),
    preset: 'no-firewall',
  },
  {
    file: 'no-firewall-curl-epsv.server-lan.pcapng',
    lab: 'curl: success (EPSV), converted to pcapng with editcap',
    capturedAt: 'server',
    ...transferredAll('epsv', 2),
    preset: 'no-firewall',
  },
  // Python's ftplib and lftp against vsftpd 3.0.3, each made with `npm run lab -- --preset P
  // [--reject] --mode M --commands C --client ftplib|lftp --reply-timeout 5 --pcap-dir DIR`; `lab`
  // quotes the lab's summary of what the client program itself reported (issue 15, Tests).
  {
    file: 'ftplib-client-stateful-active.internet.pcap',
    lab: 'ftplib: 425 Failed to establish connection (5 SYNs from port 20, dropped by the client router)',
    capturedAt: 'between',
    outcome: 'failure',
    failure: { at: 'LIST', kind: 425 },
    dataConnections: [{ mode: 'active', opener: 'server', result: 'dropped', synCount: 5 }],
    explanation:
      /5 SYNs sent over 4\.1 s and none answered.*client's stateful firewall.*425 after 5 s/,
    fix: /FTP helper/,
    preset: 'client-stateful',
  },
  {
    file: 'ftplib-client-stateful-reject-active.server-lan.pcap',
    lab: "ftplib: 425 (the client router's REJECT answered the one SYN with ICMP port unreachable)",
    capturedAt: 'server',
    outcome: 'failure',
    failure: { at: 'LIST', kind: 425 },
    dataConnections: [{ mode: 'active', opener: 'server', result: 'unreachable', synCount: 1 }],
    explanation: /203\.0\.113\.1 sent ICMP port-unreachable/,
    fix: /passive mode/,
    preset: 'client-stateful-reject',
  },
  {
    // ftplib connects the data connection before it sends LIST, so the capture holds no LIST:
    // the failure is the PASV's connection, as for the rfc959 client above.
    file: 'ftplib-server-only-21-passive.client-lan.pcap',
    lab: 'ftplib: TimeoutError "timed out" connecting to the 227 port (7 SYNs, dropped by the server router)',
    capturedAt: 'client',
    outcome: 'failure',
    failure: { at: 'PASV', kind: 'timeout' },
    dataConnections: [{ mode: 'passive', opener: 'client', result: 'dropped', synCount: 7 }],
    explanation: /7 SYNs and no answer.*server's firewall, open only for port 21/,
    fix: /passive port range/,
    preset: 'server-only-21',
  },
  {
    file: 'ftplib-no-firewall-passive.server-lan.pcap',
    lab: 'ftplib: success (LIST and RETR notes.txt over PASV)',
    capturedAt: 'server',
    ...transferredAll('passive', 2),
    preset: 'no-firewall',
  },
  {
    // lftp tries LIST again after the first 425, then gives up ("max-retries exceeded").
    file: 'lftp-client-stateful-active.server-lan.pcap',
    lab: 'lftp: 425 twice, then "ls: Fatal error: max-retries exceeded" (5 SYNs each, dropped by the client router)',
    capturedAt: 'server',
    outcome: 'failure',
    failure: { at: 'LIST', kind: 425 },
    dataConnections: [
      { mode: 'active', opener: 'server', result: 'dropped', synCount: 5 },
      { mode: 'active', opener: 'server', result: 'dropped', synCount: 5 },
    ],
    explanation: /5 SYNs sent over 4\.1 s and none answered.*client's stateful firewall/,
    fix: /passive mode/,
    preset: 'client-stateful',
  },
  {
    file: 'lftp-no-firewall-passive.client-lan.pcap',
    lab: 'lftp: success (LIST over PASV)',
    capturedAt: 'client',
    ...transferredAll('passive', 1),
    preset: 'no-firewall',
  },
];

describe('npm run diagnose on real lab captures', () => {
  for (const row of ROWS) {
    it(`${row.file}: ${row.lab}`, () => {
      const line = json(row.file);
      expect(line).toMatchObject({
        file: row.file,
        capturedAt: row.capturedAt,
        outcome: row.outcome,
        failure: row.failure,
      });
      expect(line.dataConnections).toMatchObject(row.dataConnections);
      expect(line.explanation).toMatch(row.explanation);
      if (row.fix) expect((line.fixes as string[]).join('\n')).toMatch(row.fix);
      else expect(line.fixes).toEqual([]);
      expect((line.replyCodes as number[])[0]).toBe(220);
      const scenario = line.suggestedScenario as Record<string, unknown>;
      expect(validateScenario(scenario).ok).toBe(true);
      const { stdout } = diagnose([row.file]);
      expect(stdout).toContain(`try it in the sandbox: preset ${row.preset}`);
    });
  }

  it('a file that is not a capture: one line, exit 2, the other files still read', () => {
    const { code, stdout, stderr } = diagnose(
      ['notes.txt', 'no-firewall-passive.internet.pcap'],
      (p) => (p === 'notes.txt' ? new TextEncoder().encode('hello\n') : fixture(p)),
    );
    expect(code).toBe(2);
    expect(stderr).toBe('notes.txt: not a capture file (neither pcap nor pcapng)\n');
    expect(stdout).toMatch(/^no-firewall-passive\.internet\.pcap: pcap, 49 frames/);
    const missing = diagnose(['nowhere.pcap', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ file: 'nowhere.pcap' });
    expect(diagnose([]).code).toBe(2);
  });
});

function tshark(file: string, fields: string[]): string[][] | null {
  try {
    const out = execFileSync(
      'tshark',
      ['-r', new URL(file, FIXTURES).pathname, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
      { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return out
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
  } catch {
    return null;
  }
}

describe.skipIf(tshark(ROWS[0]!.file, ['frame.number']) === null)('agrees with tshark', () => {
  for (const file of ROWS.map((r) => r.file)) {
    it(`${file}: frame count, TCP ports and connections`, () => {
      const rows = tshark(file, ['frame.number', 'tcp.srcport', 'tcp.dstport', 'tcp.stream'])!;
      const analysis = readCapture(fixture(file));
      expect(analysis.frames).toBe(rows.length);
      const tcpRows = rows.filter((r) => r[1] !== '');
      const ports = new Set(tcpRows.flatMap((r) => [Number(r[1]), Number(r[2])]));
      const seen = analysis.connections.filter(
        (c) => c.fromOpener.packets + c.fromAcceptor.packets > 0,
      );
      const ours = new Set(seen.flatMap((c) => [c.opener.port, c.acceptor.port]));
      expect([...ours].sort()).toEqual([...ports].sort());
      expect(seen).toHaveLength(new Set(tcpRows.map((r) => r[3])).size);
    });
  }
});
