import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { programsRun, tcpRefusal } from '../../src/cli/lab';
import { labUnavailable, leftoverNamespaces } from '../../src/lab/netns';
import { defaultScenario } from '../../src/scenario/presets';
import type { Scenario } from '../../src/scenario/types';

// `npm run lab` plays the programs a --scenario file names when no lab flag says otherwise, and
// refuses a TCP stack the real kernel cannot play.

const NODE = [process.execPath, '--import', 'tsx'];
const root = labUnavailable() === null;
const folder = mkdtempSync(join(tmpdir(), 'ftplab-lab-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function scenarioFile(change: (s: Scenario) => void): string {
  const scenario = defaultScenario();
  change(scenario);
  const path = join(folder, `scenario-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(scenario));
  return path;
}

function lab(args: string[], tag?: string) {
  return spawnSync(NODE[0]!, [...NODE.slice(1), 'src/cli/lab.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...(tag ? { FTPLAB_TAG: tag } : {}) },
  });
}

describe('the programs the lab runs', () => {
  const named = (
    client?: Scenario['client']['program'],
    server?: Scenario['server']['program'],
  ) => {
    const s = defaultScenario();
    return {
      ...s,
      client: { ...s.client, program: client },
      server: { ...s.server, program: server },
    };
  };

  it("are the scenario's when no lab flag names them", () => {
    expect(programsRun({}, named('lftp', 'pyftpdlib'))).toEqual({
      client: 'lftp',
      server: 'pyftpdlib',
    });
  });

  it("are the lab flags' over the scenario's", () => {
    expect(programsRun({ client: 'ftplib', server: 'vsftpd' }, named('lftp', 'pyftpdlib'))).toEqual(
      { client: 'ftplib', server: 'vsftpd' },
    );
  });

  it('are curl and vsftpd when neither says', () => {
    expect(programsRun({}, named())).toEqual({ client: 'curl', server: 'vsftpd' });
  });

  it.skipIf(!root)(
    "runs the --scenario file's programs and says so",
    () => {
      const file = scenarioFile((s) => {
        s.mode = 'passive';
        s.commands = ['LIST'];
        s.client.program = 'ftplib';
        s.server.program = 'pyftpdlib';
      });
      const tag = `cli${process.pid.toString(36)}`.slice(0, 12);
      const run = lab(['--scenario', file, '--syn-retries', '1', '--reply-timeout', '3'], tag);
      expect(run.stdout.split('\n')[0], run.stderr).toMatch(
        /^Lab: ftplib against pyftpdlib on Linux /,
      );
      expect(run.status).toBe(0);
      expect(leftoverNamespaces().filter((n) => n.startsWith(`ftplab-${tag}-`))).toEqual([]);
    },
    120_000,
  );
});

describe('the TCP stack', () => {
  it('is refused when the real kernel cannot play it, with what is allowed', () => {
    expect(tcpRefusal({ tcp: 'rfc6298' })).toMatch(/^--tcp rfc6298: .*allowed: linux\b/);
    expect(tcpRefusal({ tcp: 'linux' })).toBeNull();
    expect(tcpRefusal({})).toBeNull();
  });

  it('--tcp rfc6298 is one line of bad input, exit 2, before any network is built', () => {
    const run = lab(['--tcp', 'rfc6298', '--mode', 'passive']);
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: --tcp rfc6298: .*allowed: linux\b/);
  }, 60_000);

  it("a --scenario file's rfc6298 too", () => {
    const run = lab(['--scenario', scenarioFile((s) => (s.tcp = 'rfc6298'))]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/rfc6298: .*allowed: linux\b/);
  }, 60_000);
});

describe('a control connection that fails', () => {
  // The control connection to port 21 refused by a TCP RST: curl and lftp print what they print
  // for a data connection, and the lab named it a failed data connection for LIST. The simulation
  // says the client failed to log in, on its control connection, as ftplib's summary does.
  it.skipIf(!root).each(['curl', 'lftp'])(
    'is the control connection for %s, at login, as the simulation has it',
    (client) => {
      const tag = `ctl${client}${process.pid.toString(36)}`.slice(0, 12);
      const run = lab(
        [
          '--scenario',
          'test/capture/fixtures/lab-reports/control-reset.scenario.json',
          '--client',
          client,
          '--syn-retries',
          '1',
          '--reply-timeout',
          '3',
          '--json',
        ],
        tag,
      );
      expect(run.status, run.stderr).toBe(1);
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      expect({
        failedAt: summary.failedAt,
        failureKind: summary.failureKind,
        clientError: summary.clientError,
      }).toEqual({ failedAt: 'login', failureKind: 'control-connect', clientError: 'refused' });
      expect(leftoverNamespaces().filter((n) => n.startsWith(`ftplab-${tag}-`))).toEqual([]);
    },
    120_000,
  );
});
