/**
 * `npm run client`, `npm run record` and `npm run serve`. The first two run in-process against
 * the project's server; `serve` runs as a real child process, stopped with SIGINT as Ctrl-C does.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runClient, type CliIo } from '../../src/node/client-cli';
import { runFtpClient } from '../../src/node/client';
import type { SessionRecording } from '../../src/node/recording';
import { run as runRecord } from '../../src/node/record-cli';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import { binarySample, expectSameBytes, tempDir } from './tools';

const BINARY = binarySample(50_000, 9);
const dir = tempDir('commands');
const root = join(dir.path, 'root');
let server: RunningFtpServer;

beforeAll(async () => {
  mkdirSync(join(root, 'pub'), { recursive: true });
  writeFileSync(join(root, 'data.bin'), BINARY);
  writeFileSync(join(root, 'pub', 'readme.txt'), 'one\ntwo\n');
  server = await startFtpServer({ port: 0, root });
});
afterAll(async () => {
  await server?.close();
  dir.remove();
});

async function cli(run: (argv: string[], io: CliIo) => Promise<number>, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

const url = (path = '') => `ftp://127.0.0.1:${server.port}/${path}`;

describe('npm run client', () => {
  it('lists a directory: the dialogue, then the listing; exit 0', async () => {
    const { code, stdout, stderr } = await cli(runClient, url('pub/'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^S: 220 /);
    expect(stdout).toContain('C: USER anonymous\n');
    expect(stdout).toContain('C: TYPE A\n');
    expect(stdout).toContain('C: PASV\n');
    expect(stdout).toContain('C: LIST pub/\n');
    expect(stdout).toMatch(
      /^-- data connection 1 open \(client connected\): 127\.0\.0\.1:\d+ <-> 127\.0\.0\.1:\d+$/m,
    );
    expect(stdout).toMatch(/^S: 221 Goodbye\.$/m);
    expect(stdout).toMatch(/ readme\.txt\n$/);
  });

  it('downloads with --out (binary by default), in active mode', async () => {
    const out = join(dir.path, 'download.bin');
    const { code, stdout } = await cli(
      runClient,
      url('data.bin'),
      '--mode',
      'active',
      '--out',
      out,
    );
    expect(code).toBe(0);
    expect(stdout).toContain('C: TYPE I\n');
    expect(stdout).toMatch(/^C: PORT 127,0,0,1,\d+,\d+$/m);
    expect(stdout).toContain(`-- wrote ${BINARY.length} bytes to ${out}\n`);
    expectSameBytes(readFileSync(out), BINARY);
  });

  it('uploads with --put into the directory the URL names, with EPRT and TYPE A', async () => {
    const local = join(dir.path, 'notes.txt');
    writeFileSync(local, 'alpha\nbeta\n');
    const { code, stdout } = await cli(
      runClient,
      url('pub/'),
      '--put',
      local,
      '--mode',
      'eprt',
      '--type',
      'ascii',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('C: STOR pub/notes.txt\n');
    expect(stdout).toMatch(/^-- data connection 1 closed: 13 bytes sent, 0 received$/m);
    expect(readFileSync(join(root, 'pub', 'notes.txt'), 'latin1')).toBe('alpha\nbeta\n');
  });

  it('exits 1 with one clear line when the server refuses', async () => {
    const { code, stdout, stderr } = await cli(runClient, url('missing.txt'), '--mode', 'epsv');
    expect(code).toBe(1);
    expect(stdout).toContain('S: 550 Failed to open file.\n');
    expect(stderr).toBe('error: failed at RETR missing.txt: 550 Failed to open file.\n');
  });

  it('exits 1 when nothing listens', async () => {
    const closed = await startFtpServer({ port: 0 });
    await closed.close();
    const { code, stderr } = await cli(runClient, `ftp://127.0.0.1:${closed.port}/`);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: cannot connect: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);
  });

  it.each([
    [['http://example.org/'], /only ftp:\/\/ URLs/],
    [[], /expected one ftp:\/\/ URL/],
    [
      ['ftp://127.0.0.1/', '--mode', 'sideways'],
      /--mode: unknown mode "sideways"; allowed: active, passive, eprt, epsv/,
    ],
    [['ftp://127.0.0.1/', '--type', 'ebcdic'], /--type: unknown type "ebcdic"/],
    [['ftp://127.0.0.1/', '--frobnicate'], /unknown flag "--frobnicate"/],
    [
      ['ftp://127.0.0.1/x', '--put', '/nonexistent/file'],
      /--put \/nonexistent\/file: cannot read it/,
    ],
  ])('bad input %j: exit 2 and one error line', async (argv, message) => {
    const { code, stderr } = await cli(runClient, ...argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('npm run record', () => {
  it.each([
    ['passive', 'client'],
    ['active', 'server'],
  ] as const)(
    '%s: writes the dialogue with times, senders and data connections',
    async (mode, opener) => {
      const out = join(dir.path, `session-${mode}.json`);
      const { code } = await cli(
        runRecord,
        url('pub/readme.txt'),
        '--mode',
        mode,
        '--type',
        'ascii',
        '--out',
        out,
      );
      expect(code).toBe(0);
      const recording = JSON.parse(readFileSync(out, 'utf8')) as SessionRecording;
      expect(recording).toMatchObject({
        format: 'ftp-lab-recording',
        version: 1,
        server: { address: '127.0.0.1', port: server.port },
        client: { address: '127.0.0.1' },
        mode,
        type: 'ascii',
        commands: ['RETR pub/readme.txt'],
        outcome: { ok: true, failure: null },
      });
      expect(Date.parse(recording.recordedAt)).not.toBeNaN();
      const times = recording.events.map((e) => e.t);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times[0]).toBeGreaterThanOrEqual(0);
      const lines = recording.events.flatMap((e) =>
        e.kind === 'line' ? [`${e.from}: ${e.text}`] : [],
      );
      expect(lines[0]).toMatch(/^server: 220 /);
      expect(lines).toContain('client: RETR pub/readme.txt');
      expect(lines.slice(-2)).toEqual(['client: QUIT', 'server: 221 Goodbye.']);
      const open = recording.events.find((e) => e.kind === 'data-open');
      const close = recording.events.find((e) => e.kind === 'data-close');
      expect(open).toMatchObject({ id: 1, opener, local: { address: '127.0.0.1' } });
      // TYPE A: "one\ntwo\n" travels as "one\r\ntwo\r\n".
      expect(close).toMatchObject({ id: 1, bytesSent: 0, bytesReceived: 10 });
    },
  );

  it('records a failed session too, and exits 1', async () => {
    const out = join(dir.path, 'failed.json');
    const { code, stderr } = await cli(runRecord, url('missing.bin'), '--out', out);
    expect(code).toBe(1);
    expect(stderr).toContain('550');
    const recording = JSON.parse(readFileSync(out, 'utf8')) as SessionRecording;
    expect(recording.outcome).toEqual({
      ok: false,
      failure: 'failed at RETR missing.bin: 550 Failed to open file.',
    });
  });

  it('needs --out', async () => {
    const { code, stderr } = await cli(runRecord, url());
    expect(code).toBe(2);
    expect(stderr).toMatch(/--out FILE\.json is required/);
  });
});

describe('npm run serve', () => {
  /** The real entry point in its own process; Node loads TypeScript through tsx. */
  function serve(...args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/node/serve-cli.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  }

  it('serves a directory, prints each session, keeps to the passive range, and stops on SIGINT', async () => {
    const server = serve('--port', '0', '--root', root, '--pasv-ports', '40100-40199');
    try {
      const deadline = Date.now() + 15_000;
      while (!/Ctrl-C stops/.test(server.stdout()) && Date.now() < deadline) {
        if (server.child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const banner =
        /^FTP Lab server on ftp:\/\/127\.0\.0\.1:(\d+)\/ serving (.*); anonymous login; passive ports 40100-40199\. Ctrl-C stops\.$/m.exec(
          server.stdout(),
        );
      expect(banner, server.stdout() + server.stderr()).not.toBeNull();
      expect(banner![2]).toBe(root);

      const result = await runFtpClient({
        host: '127.0.0.1',
        port: Number(banner![1]),
        mode: 'passive',
        type: 'binary',
        steps: [{ verb: 'RETR', arg: 'data.bin' }],
      });
      expect(result.failure).toBeNull();
      expectSameBytes(result.transfers[0]?.received, BINARY);
      expect(result.transfers[0]?.target?.port).toBeGreaterThanOrEqual(40100);
      expect(result.transfers[0]?.target?.port).toBeLessThanOrEqual(40199);

      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
      expect(server.stdout()).toContain('[1] C: RETR data.bin\n');
      expect(server.stdout()).toMatch(
        /^\[1\] S: 227 Entering Passive Mode \(127,0,0,1,\d+,\d+\)\.$/m,
      );
      expect(server.stdout()).toMatch(/stopped after 1 sessions\n$/);
      expect(server.stderr()).toBe('');
    } finally {
      server.child.kill('SIGKILL');
    }
  }, 30_000);

  it('refuses a --root that is not a directory: exit 2', async () => {
    const server = serve('--port', '0', '--root', join(dir.path, 'no-such-dir'));
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toMatch(/^error: --root .*no-such-dir: not a directory\n$/);
  }, 30_000);
});
