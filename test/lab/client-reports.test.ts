/**
 * Each client profile says what the real program prints for each failure (issue 13): every lab
 * recording with a message from the program (test/capture/fixtures/lab-*.json, and the cells in
 * lab-reports/: the client's passive data connection answered with a TCP RST or an ICMP
 * admin-prohibited, and the control connection itself refused or dropped) is simulated from its
 * flags, and the profile's report for the simulated failure must be the message the program
 * printed. Only the time a connect took and ephemeral ports may differ: the rest, curl's exit
 * number, the errno, the reply line, is compared as printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildScenario, parseArgs } from '../../src/cli/args';
import { CLIENT_PROFILES, CURL, FTPLIB, LFTP } from '../../src/machines/client-profiles';
import {
  clientReport,
  reportedFailureOf,
  type ReportedFailure,
} from '../../src/machines/client-reports';
import { LAB_LFTP_RECONNECT } from '../../src/lab/programs';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';
import { validateScenario } from '../../src/scenario/validate';
import { scenarioOf } from './compare';

const FIXTURES = new URL('../capture/fixtures/', import.meta.url);
const REPORTS = new URL('lab-reports/', FIXTURES);
const ROOT = new URL('../../', import.meta.url);

interface Recorded {
  flags: string;
  clientMessage: string | null;
  programs: { client: string };
}

function recordings(folder: URL, prefix: string): { name: string; recorded: Recorded }[] {
  return readdirSync(folder)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.json') && !n.endsWith('.scenario.json'))
    .sort()
    .map((name) => ({
      name,
      recorded: JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as Recorded,
    }));
}

const all = [
  ...recordings(FIXTURES, 'lab-'),
  ...recordings(REPORTS, 'lab-'),
  ...recordings(REPORTS, 'control-'),
].filter((r) => r.recorded.clientMessage !== null);

/**
 * The scenario a recording ran: its flags as compare.ts's scenarioOf reads them, on top of the
 * --scenario file they name, if any (scenarioOf starts from the default scenario).
 */
function recordedScenario(flags: string): Scenario {
  const file = /--scenario (\S+)/.exec(flags)?.[1];
  if (!file) return scenarioOf(flags);
  const checked = validateScenario(JSON.parse(readFileSync(new URL(file, ROOT), 'utf8')));
  if (!checked.ok) throw new Error(checked.error);
  const words = flags.replace(/--scenario \S+ ?/, '').split(' ');
  const value = (flag: string) => words[words.indexOf(flag) + 1];
  const parsed = parseArgs(
    words.filter(
      (w, i) =>
        !['--server', '--client', '--syn-retries', '--reply-timeout'].includes(w) &&
        !['--server', '--client', '--syn-retries', '--reply-timeout'].includes(words[i - 1] ?? ''),
    ),
  );
  if (!parsed.ok) throw new Error(parsed.error);
  const built = buildScenario(parsed.options, checked.value);
  if (!built.ok) throw new Error(built.error);
  return {
    ...built.value,
    client: { ...built.value.client, program: value('--client') as never },
    server: { ...built.value.server, program: value('--server') as never },
  };
}

/** The real message with the digits that vary from run to run (a connect's ms, an ephemeral port) as "#". */
function loosely(message: string): string {
  return message.replace(/after \d+ ms/g, 'after # ms').replace(/:\d{4,5}\b/g, ':#');
}

function simulatedReport(recorded: Recorded): string | null {
  const result = simulate(recordedScenario(recorded.flags), {
    tcpProfile: { kind: 'linux', synRetries: 1 },
    reconnect: LAB_LFTP_RECONNECT,
  });
  const failure = reportedFailureOf(result);
  if (!failure) return null;
  const name = recorded.programs.client as keyof typeof CLIENT_PROFILES;
  return clientReport(CLIENT_PROFILES[name], failure);
}

describe("each client profile's report matches what the real program printed", () => {
  it('reads the recordings: every failure kind, for each of curl, ftplib and lftp', () => {
    for (const client of ['curl', 'ftplib', 'lftp']) {
      const mine = all.filter((r) => r.recorded.programs.client === client).map((r) => r.name);
      for (const cell of ['reset-passive', 'unreach-passive', 'prohib-passive', 'drop-passive'])
        expect(mine.some((n) => n.includes(`-${cell}.`))).toBe(true);
      for (const control of ['reset', 'unreach', 'prohib', 'drop'])
        expect(mine).toContain(
          `control-vsftpd-${client}-${control}.${{ curl: 'client-lan', ftplib: 'internet', lftp: 'server-lan' }[client]}.json`,
        );
    }
    expect(all.length).toBeGreaterThanOrEqual(54);
  });

  it.each(all)('$name', ({ recorded }) => {
    const report = simulatedReport(recorded);
    expect(report, recorded.flags).not.toBeNull();
    expect(loosely(report!)).toBe(loosely(recorded.clientMessage!));
    // curl's time for the connect: a refusal in well under a second (0 to 200 ms in the lab,
    // the simulation's 42), a timeout after its SYNs' 3 s (3060 to 3260 ms in the lab).
    const ms = (text: string) => Number(/after (\d+) ms/.exec(text)?.[1] ?? NaN);
    const real = ms(recorded.clientMessage!);
    if (Number.isNaN(real)) return;
    if (real < 1000) expect(ms(report!)).toBeLessThan(1000);
    else expect(Math.abs(ms(report!) - real)).toBeLessThan(real / 10);
  });
});

describe('reportedFailureOf', () => {
  it('times the failed connect from its SYN to the refusal, not from the start of the session', () => {
    const result = simulate(
      scenarioOf('--preset server-only-21 --mode passive --reject-with tcp-reset --client curl'),
      { tcpProfile: { kind: 'linux', synRetries: 1 } },
    );
    const failure = reportedFailureOf(result);
    expect(failure).toMatchObject({ kind: 'connect', connection: 'data', error: 'refused' });
    // One round trip to the server's router and back: 42 ms; the connect began 264 ms in.
    expect(failure?.kind === 'connect' && failure.ms).toBeCloseTo(42, 0);
  });
});

describe('clientReport', () => {
  const refusedData: ReportedFailure = {
    kind: 'connect',
    connection: 'data',
    error: 'refused',
    host: '198.51.100.20',
    controlPort: 21,
    ms: 9.4,
    command: 'LIST',
  };

  it("fills in the host, curl's port 21 (not the data port) and the whole milliseconds", () => {
    expect(clientReport(CURL, refusedData)).toBe(
      "curl: (7) Failed to connect to 198.51.100.20 port 21 after 9 ms: Couldn't connect to server",
    );
  });

  it("names lftp's command for the FTP command that failed", () => {
    expect(clientReport(LFTP, refusedData)).toBe(
      'ls: Fatal error: max-retries exceeded (Connection refused)',
    );
  });

  it('gives no report for a case no recording holds, nor for the textbook client', () => {
    expect(clientReport(FTPLIB, { ...refusedData, error: 'unreachable' })).toBeNull();
    expect(
      clientReport(CURL, {
        kind: 'reply',
        reply: '530 Login incorrect.',
        code: 530,
        answered: 'PASS',
        command: 'login',
      }),
    ).toBeNull();
    expect(clientReport(CLIENT_PROFILES.rfc959, refusedData)).toBeNull();
  });

  it("prints ftplib's reply line as the server sent it, whatever it answered", () => {
    expect(
      clientReport(FTPLIB, {
        kind: 'reply',
        reply: '550 Failed to open file.',
        code: 550,
        answered: 'RETR',
        command: 'RETR missing.txt',
      }),
    ).toBe('550 Failed to open file.');
  });
});
