/**
 * Real FTP software for the conformance tests: Debian's vsftpd and pyftpdlib as servers, curl,
 * Python's ftplib and lftp as clients. Each server runs on a free loopback port with its own
 * temporary root and is stopped by the test that started it. A missing program fails the test
 * with the package to install (.ci/run installs them all), rather than skipping it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect } from 'vitest';

/** Debian's Python: the `python3` on PATH may be another install without pyftpdlib. */
export const PYTHON = '/usr/bin/python3';
export const VSFTPD = '/usr/sbin/vsftpd';
export const CURL = '/usr/bin/curl';
export const LFTP = '/usr/bin/lftp';

/** Throws, naming the Debian package, unless `program` is installed. */
export function requireProgram(program: string, debianPackage: string): void {
  if (!existsSync(program)) {
    throw new Error(
      `${program} is missing: install it with "apt-get install -y ${debianPackage}" (.ci/run does this on CI)`,
    );
  }
}

export function requirePyftpdlib(): void {
  requireProgram(PYTHON, 'python3');
  const probe = spawnSync(PYTHON, ['-c', 'import pyftpdlib'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `pyftpdlib is missing from ${PYTHON}: install it with "apt-get install -y python3-pyftpdlib" (.ci/run does this on CI)`,
    );
  }
}

/**
 * Runs `setup` once before the tests and returns a getter for its result. A test that calls the
 * getter fails with the setup's error (a missing program names its package): in a plain
 * beforeAll the error would fail the file but show its tests as skipped.
 */
export function prepared<T>(setup: () => T | Promise<T>, timeoutMs = 20_000): () => T {
  let result: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  beforeAll(async () => {
    try {
      result = { ok: true, value: await setup() };
    } catch (error) {
      result = { ok: false, error };
    }
  }, timeoutMs);
  return () => {
    if (result === null) throw new Error('the setup has not run');
    if (!result.ok) throw result.error;
    return result.value;
  };
}

export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `ftp-lab-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A port nobody listens on right now (the kernel's choice for port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RealServer {
  name: string;
  port: number;
  root: string;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Waits until `port` answers with a 220 greeting. */
async function awaitGreeting(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${output()}`);
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString('latin1').startsWith('220'));
      });
      socket.once('error', () => resolve(false));
    });
    if (greeted) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no greeting on port ${port} within 10 s: ${output()}`);
}

/**
 * pyftpdlib's stand-alone server, anonymous with write access, on a free port: `-p 0` lets it
 * bind any free port, which it prints.
 */
export async function startPyftpdlib(root: string): Promise<RealServer> {
  requirePyftpdlib();
  const child = spawn(PYTHON, ['-m', 'pyftpdlib', '-i', '127.0.0.1', '-p', '0', '-w', '-d', root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pyftpdlib did not start: ${output}`)), 10_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /starting FTP server on 127\.0\.0\.1:([0-9]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', () => reject(new Error(`pyftpdlib exited: ${output}`)));
  });
  await awaitGreeting(port, child, () => output);
  return { name: 'pyftpdlib', port, root, stop: () => stopChild(child) };
}

/**
 * vsftpd stand-alone as the launching user (no privilege drop, no chroot), anonymous with
 * uploads, and TYPE A converting line ends both ways (vsftpd's default sends bytes unchanged).
 * vsftpd cannot pick its own port, so it gets a free one; a lost race is retried.
 */
export async function startVsftpd(root: string, configDir: string): Promise<RealServer> {
  requireProgram(VSFTPD, 'vsftpd');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = join(configDir, `vsftpd-${port}.conf`);
    writeFileSync(
      config,
      [
        'listen=YES',
        'listen_ipv6=NO',
        'listen_address=127.0.0.1',
        `listen_port=${port}`,
        'background=NO',
        'run_as_launching_user=YES',
        'anonymous_enable=YES',
        'no_anon_password=YES',
        `anon_root=${root}`,
        'local_enable=NO',
        'write_enable=YES',
        'anon_upload_enable=YES',
        'anon_umask=022',
        'ascii_upload_enable=YES',
        'ascii_download_enable=YES',
        'seccomp_sandbox=NO',
        'connect_from_port_20=NO',
        'pasv_enable=YES',
        'xferlog_enable=NO',
        `secure_chroot_dir=${configDir}`,
        '',
      ].join('\n'),
    );
    const child = spawn(VSFTPD, [config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await awaitGreeting(port, child, () => output);
      return { name: 'vsftpd', port, root, stop: () => stopChild(child) };
    } catch (error) {
      await stopChild(child);
      if (attempt === 3) throw error;
    }
  }
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (killed after `timeoutMs`), without a shell. */
export function runProgram(
  program: string,
  args: string[],
  options: { timeoutMs?: number; cwd?: string; input?: string } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('latin1')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('latin1')));
    if (options.input !== undefined) child.stdin!.end(options.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Bytes that test "byte-identical": every value, CR LF and lone LF and CR among them. */
export function binarySample(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  bytes.set([0x0d, 0x0a, 0x0a, 0x0d, 0x00, 0xff], 0);
  return bytes;
}

/** Unix text: LF line ends, as a server's disk holds it. */
export function textSample(lines: number): Uint8Array {
  const text = Array.from({ length: lines }, (_, i) => `line ${i + 1}: the quick brown fox`).join(
    '\n',
  );
  return new TextEncoder().encode(`${text}\n`);
}

/**
 * Byte-identical, checked by length and SHA-256: vitest's toEqual walks a typed array element by
 * element and takes seconds for a few hundred kilobytes.
 */
export function expectSameBytes(actual: Uint8Array | null | undefined, expected: Uint8Array) {
  const summary = (bytes: Uint8Array) => ({
    length: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
  expect(actual, 'no bytes').toBeInstanceOf(Uint8Array);
  expect(summary(actual!)).toEqual(summary(expected));
}
