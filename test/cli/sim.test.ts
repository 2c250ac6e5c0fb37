import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCENARIO_FILE_LIMIT } from '../../src/cli/args';
import { EXIT, readScenarioFile, run, type CliIo } from '../../src/cli/sim';

const TSX = join('node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'ftp-lab-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The real command in a child process: exit code, streams, no shared state. Each costs about
 * half a second, so only the cases that need a real process use one.
 */
function sim(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    execFile(TSX, ['src/cli/sim.ts', ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - start });
    });
  });
}

/** The same entry point in-process, for the cases that need no child. */
function simInProcess(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readFile: readScenarioFile,
  };
  return { code: run(args, io), stdout, stderr };
}

function expectOneErrorLine(stderr: string) {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('sim as a child process', () => {
  it('exits 1 and names the rule when active mode meets a stateful client firewall', async () => {
    const { code, stdout, stderr } = await sim('--mode', 'active', '--client-fw', 'stateful');
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toContain('dropped');
    expect(stdout).toContain('rule 3');
    expect(stdout).toMatch(/^Outcome: FAILURE \(failed at LIST\)/m);
  }, 30_000);

  it('prints valid JSON with outcome "success" for passive mode', async () => {
    const { code, stdout } = await sim('--mode', 'passive', '--client-fw', 'stateful', '--json');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.outcome).toBe('success');
    expect(summary.dataConnections[0]).toMatchObject({ mode: 'passive', result: 'established' });
  }, 30_000);

  it('exits 2 with one error line and no stack for an unknown preset', async () => {
    const { code, stdout, stderr } = await sim('--client-fw', 'bogus');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expectOneErrorLine(stderr);
    expect(stderr).toContain('--client-fw: unknown preset "bogus"; allowed: none, stateful');
  }, 30_000);

  it('exits 2 naming the file for a malformed scenario file', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "mode": "passive", ');
    const { code, stderr } = await sim('--scenario', file);
    expect(code).toBe(2);
    expectOneErrorLine(stderr);
    expect(stderr).toContain(file);
    expect(stderr).toContain('not valid JSON');
  }, 30_000);

  it('lists the firewall and network presets', async () => {
    const { code, stdout } = await sim('--list-presets');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}stateful-helper {2,}/m);
    expect(stdout).toMatch(
      /^ {2}only-21-passive-range {2,}Port 21 and the passive port range open$/m,
    );
    expect(stdout).toContain('Network presets (--preset):');
  }, 30_000);
});

describe('sim in-process', () => {
  it('prefixes schema errors with the file name', () => {
    const file = join(dir, 'schema.json');
    writeFileSync(file, JSON.stringify({ mode: 'passive', clientSide: { nat: 'yes' } }));
    const { code, stderr } = simInProcess('--scenario', file);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toBe(
      `error: --scenario ${file}: clientSide.nat: expected true or false, got "yes"\n`,
    );
  });

  it('reports a missing scenario file without a stack', () => {
    const { code, stderr } = simInProcess('--scenario', join(dir, 'missing.json'));
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toMatch(
      /^error: --scenario .*missing\.json: cannot read the file: no such file\n$/,
    );
  });

  it('runs a scenario file, with flags overriding its fields', () => {
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify({ mode: 'active', commands: ['NLST'] }));
    const { code, stdout } = simInProcess('--scenario', file, '--mode=epsv', '--json');
    expect(code).toBe(EXIT.success);
    const summary = JSON.parse(stdout);
    expect(summary.scenario).toMatchObject({ mode: 'epsv', commands: ['NLST'] });
    expect(summary.trace).toBeUndefined();
  });

  it('includes the trace with --json --trace', () => {
    const { stdout } = simInProcess(
      '--preset',
      'server-nat-helper',
      '--mode',
      'passive',
      '--json',
      '--trace',
    );
    const summary = JSON.parse(stdout);
    expect(summary.trace.length).toBe(summary.traceEvents);
    expect(stdout).toContain('"text": "PASV\\r\\n"');
  });

  it('prints the help with the exit codes, and exits 0', () => {
    const { code, stdout } = simInProcess('--help');
    expect(code).toBe(EXIT.success);
    expect(stdout).toContain('Exit codes:');
    expect(stdout).toContain('--client-fw <preset>');
  });

  it('lists presets as JSON with --json', () => {
    const { stdout } = simInProcess('--list-presets', '--json');
    const lists = JSON.parse(stdout);
    expect(lists.serverFirewall.map((p: { id: string }) => p.id)).toContain(
      'only-21-passive-range',
    );
    expect(lists.network.length).toBeGreaterThan(10);
  });

  it('prints the verbose transcript with --verbose', () => {
    const { code, stdout } = simInProcess(
      '--mode',
      'passive',
      '--server-fw',
      'only-21',
      '--reject',
      '--verbose',
    );
    expect(code).toBe(EXIT.ftpFailure);
    expect(stdout).toContain('rejected at the server firewall');
    expect(stdout).toContain('on the wire');
  });
});

describe('a scenario file is read within bounds (issue 11 item 18)', () => {
  // Before: /dev/zero grew the process to 1.7 GB in 6 s and a FIFO waited for a writer forever.
  it('refuses /dev/zero at once with exit 2', async () => {
    const { code, stderr, ms } = await sim('--scenario', '/dev/zero');
    expect(code).toBe(EXIT.badInput);
    expectOneErrorLine(stderr);
    expect(stderr).toContain(
      '--scenario /dev/zero: cannot read the file: not a regular file (a device, FIFO or socket)',
    );
    expect(ms).toBeLessThan(8_000); // the child's start-up alone is about a second
  }, 30_000);

  it('refuses a FIFO without waiting for a writer', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const { code, stderr } = await sim('--scenario', fifo);
    expect(code).toBe(EXIT.badInput);
    expectOneErrorLine(stderr);
    expect(stderr).toContain('not a regular file (a device, FIFO or socket)');
  }, 30_000);

  it('refuses devices and directories in well under a second', () => {
    for (const [path, why] of [
      ['/dev/zero', 'not a regular file'],
      ['/dev/urandom', 'not a regular file'],
      [dir, 'is a directory'],
    ] as const) {
      const start = performance.now();
      const { code, stderr } = simInProcess('--scenario', path);
      expect(performance.now() - start).toBeLessThan(250);
      expect(code).toBe(EXIT.badInput);
      expect(stderr).toBe(
        `error: --scenario ${path}: cannot read the file: ${why}${why === 'is a directory' ? '' : ' (a device, FIFO or socket)'}\n`,
      );
    }
  });

  it('refuses a file over the documented limit, and reads one at the limit', () => {
    const large = join(dir, 'large.json');
    writeFileSync(large, `${' '.repeat(SCENARIO_FILE_LIMIT - 2)}{}`);
    expect(simInProcess('--scenario', large).code).toBe(EXIT.success);
    writeFileSync(large, `${' '.repeat(SCENARIO_FILE_LIMIT - 1)}{}`);
    const { code, stderr } = simInProcess('--scenario', large);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toBe(
      `error: --scenario ${large}: cannot read the file: larger than 1 MiB (a scenario is a few KB)\n`,
    );
    expect(simInProcess('--help').stdout).toContain('at most 1 MiB');
  });
});

describe('bad values in errors are bounded (issue 11 items 14 and 17)', () => {
  // Before: 5,000 nested arrays gave exit 3 "internal: Maximum call stack size exceeded", and a
  // 50 MB user name came back as a 52 MB line on stderr.
  it('exits 2 naming the field for a value nested 100,000 deep', () => {
    const file = join(dir, 'deep.json');
    writeFileSync(file, `{"client":{"user":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
    const { code, stderr } = simInProcess('--scenario', file);
    expect(code).toBe(EXIT.badInput);
    expectOneErrorLine(stderr);
    expect(stderr).toMatch(
      /^error: --scenario .*deep\.json: client\.user: expected a single line of text .*, got \[{60}… \(1 item\)\n$/,
    );
  });

  it('quotes 60 characters of a long value and its length', () => {
    const file = join(dir, 'long-user.json');
    writeFileSync(file, JSON.stringify({ client: { user: 'x'.repeat(1_000_000) } }));
    const { code, stderr } = simInProcess('--scenario', file);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toContain(`got "${'x'.repeat(60)}…" (1,000,000 characters)\n`);
    expect(stderr.length).toBeLessThan(300);
    for (const args of [
      ['--mode', 'm'.repeat(100_000)],
      [`--${'f'.repeat(100_000)}`],
      ['a'.repeat(100_000)],
      ['--json=' + 'j'.repeat(100_000)],
      ['--commands', `RETR ${'r'.repeat(100_000)}`],
    ]) {
      const result = simInProcess(...args);
      expect(result.code).toBe(EXIT.badInput);
      // The longest is an unknown flag's: the preview and the list of every flag (28 of them).
      expect(result.stderr.length).toBeLessThan(600);
    }
  });
});

describe('programs (issue 13)', () => {
  it('the transcript names the programs it plays, and --json says what the client did', () => {
    const text = simInProcess(
      '--client',
      'curl',
      '--mode',
      'epsv',
      '--preset',
      'server-only-21-reject',
    );
    expect(text.stdout.split('\n')[0]).toBe(
      'Programs: curl 7.88 (client), vsftpd 3.0 (server), Linux TCP (6.5+ SYN schedule)',
    );
    const json = simInProcess(
      '--client',
      'curl',
      '--mode',
      'epsv',
      '--preset',
      'server-only-21-reject',
      '--commands',
      'LIST',
      '--json',
    );
    const summary = JSON.parse(json.stdout) as {
      clientError: string | null;
      fallbacks: string[];
      commandsSent: string[];
      dataConnections: { mode: string }[];
    };
    expect(summary.clientError).toBe('refused');
    expect(summary.fallbacks).toEqual(['EPSV→PASV']);
    expect(summary.commandsSent).toContain('EPSV');
    expect(summary.dataConnections.map((c) => c.mode)).toEqual(['epsv', 'passive']);
  });
});
