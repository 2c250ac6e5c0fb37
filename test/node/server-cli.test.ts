/**
 * `npm run serve` as a process: what it refuses at start (one line on stderr, exit 2) and what its
 * flags change (issue 11 items 4, 6 and 7).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RawFtp, storePassive } from './raw-ftp';

/** Runs serve-cli.ts until it exits (killed after `timeoutMs`); Node loads TypeScript through tsx. */
function serveUntilExit(args: string[], timeoutMs = 15_000) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/node/serve-cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('npm run serve refuses bad settings at start', () => {
  it('a passive range that includes the control port: one line, exit 2 (item 7)', async () => {
    const run = await serveUntilExit(['--port', '23456', '--pasv-ports', '23400-23499']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: --pasv-ports 23400-23499 includes the control port 23456; choose a range without it (see --help)\n',
    );
    expect(run.stdout).toBe('');
  }, 20_000);
});

describe('npm run serve passes its limits on', () => {
  it('--max-sessions and --max-upload', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/node/serve-cli.ts',
        '--port',
        '0',
        '--max-sessions',
        '1',
        '--max-upload',
        '1K',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const deadline = performance.now() + 15_000;
      let port: number | null = null;
      while (port === null && performance.now() < deadline && child.exitCode === null) {
        port = Number(/ftp:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)?.[1] ?? NaN) || null;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(port, stdout).not.toBeNull();
      const raw = await RawFtp.loggedIn(port!);
      const second = await RawFtp.connect(port!);
      expect((await second.next())?.code).toBe(421);
      expect(await raw.send('TYPE I')).toBe(200);
      expect(await storePassive(raw, 'big.bin', Buffer.alloc(2048, 1))).toEqual([150, 552]);
      expect(await storePassive(raw, 'small.bin', Buffer.alloc(1024, 1))).toEqual([150, 226]);
      raw.close();
      second.close();
    } finally {
      child.kill('SIGKILL');
    }
  }, 20_000);
});
