import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { defaultFileStore } from '../machines/file-store';
import type { Scenario } from '../scenario/types';
import { inNamespace, LabError, type LabNetwork } from './netns';

/**
 * The real programs the lab runs inside its namespaces: the server (vsftpd) and the clients (the
 * project's own client, which plays the simulation's textbook RFC 959 client over real sockets,
 * and curl). Each returns what it reported, in its own words; lab.ts turns that into a summary.
 */

export type LabServer = 'vsftpd' | 'pyftpdlib';
export type LabClient = 'rfc959' | 'curl' | 'ftplib' | 'lftp';
export const LAB_SERVERS: readonly LabServer[] = ['vsftpd', 'pyftpdlib'];
export const LAB_CLIENTS: readonly LabClient[] = ['rfc959', 'curl', 'ftplib', 'lftp'];

/** Debian's Python, which has pyftpdlib (a `python3` earlier on PATH may not). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const FTPLIB_CLIENT = fileURLToPath(new URL('./ftplib-client.py', import.meta.url));

/** pyftpdlib 1.5's stand-alone server for the scenario: anonymous with writes, its passive range and NAT address. */
export function pyftpdlibArgs(scenario: Scenario, network: LabNetwork, root: string): string[] {
  const { server } = scenario;
  const advertisePublic = scenario.serverSide.nat && server.advertise === 'public';
  return [
    '-m',
    'pyftpdlib',
    '-i',
    network.addressing.server,
    '-p',
    '21',
    '-w',
    '-d',
    root,
    '-r',
    `${server.passivePorts.from}-${server.passivePorts.to}`,
    ...(advertisePublic ? ['-n', network.addressing.serverPublic] : []),
  ];
}

export interface LabTimeouts {
  /** How long the client waits for one reply; vsftpd's connect and accept timeouts, in seconds. */
  replySeconds: number;
  /** The whole client run is killed after this. */
  clientSeconds: number;
}

/** The user every lab client logs in as: vsftpd serves anonymous FTP in the lab. */
export const LAB_USER = 'anonymous';

/**
 * lftp's retries in the lab: 2 tries a second apart rather than its defaults (1000 tries, 15 s
 * apart and growing), so that a cell ends in seconds. The comparisons with the simulation give it
 * the same settings (simulate's `reconnect` option); the sandbox plays lftp's defaults.
 */
export const LAB_LFTP_RECONNECT = { maxTries: 2, intervalS: 1 } as const;

/** Writes the simulation's sample files into `root`, so both serve the same bytes. */
export function writeSampleFiles(root: string): void {
  for (const [path, file] of Object.entries(defaultFileStore())) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.bytes);
  }
}

/** vsftpd 3.0's configuration for the scenario's server settings. */
export function vsftpdConfig(
  scenario: Scenario,
  network: LabNetwork,
  paths: { root: string; empty: string },
  timeouts: LabTimeouts,
): string {
  const { server } = scenario;
  const advertisePublic = scenario.serverSide.nat && server.advertise === 'public';
  const lines = [
    'listen=YES',
    'listen_ipv6=NO',
    `listen_address=${network.addressing.server}`,
    'listen_port=21',
    'background=NO',
    // Runs as root (the lab is root) without dropping to a user, so it can bind port 20.
    'run_as_launching_user=YES',
    'seccomp_sandbox=NO',
    'anonymous_enable=YES',
    'no_anon_password=NO',
    `anon_root=${paths.root}`,
    'local_enable=NO',
    'write_enable=YES',
    'anon_upload_enable=YES',
    'anon_umask=022',
    // The simulated server converts line ends in TYPE A; vsftpd only does when told to.
    'ascii_upload_enable=YES',
    'ascii_download_enable=YES',
    // Port 0 means an ephemeral source port: vsftpd then lets the kernel choose (ftp_data_port=0
    // would be taken literally).
    ...(server.activeSourcePort === 0
      ? ['connect_from_port_20=NO']
      : ['connect_from_port_20=YES', `ftp_data_port=${server.activeSourcePort}`]),
    'port_enable=YES',
    'pasv_enable=YES',
    `pasv_min_port=${server.passivePorts.from}`,
    `pasv_max_port=${server.passivePorts.to}`,
    ...(advertisePublic ? [`pasv_address=${network.addressing.serverPublic}`] : []),
    `connect_timeout=${timeouts.replySeconds}`,
    `accept_timeout=${timeouts.replySeconds}`,
    'data_connection_timeout=30',
    'idle_session_timeout=60',
    'xferlog_enable=NO',
    `secure_chroot_dir=${paths.empty}`,
    '',
  ];
  return lines.join('\n');
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts a program inside a namespace; `stop` sends SIGTERM, then SIGKILL after a second. */
export function startIn(ns: string, program: string, args: string[]): Running {
  const child = spawn(...inNamespace(ns, program, args), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until something listens on `port` in `ns` (checked with ss), or throws after `ms`. */
export async function waitForListener(ns: string, port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const probe = spawnSync(...inNamespace(ns, 'ss', ['-Hltn', `sport = :${port}`]), {
      encoding: 'utf8',
      timeout: 2000,
    });
    if (probe.status === 0 && probe.stdout.trim() !== '') return;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  throw new LabError(`nothing listened on port ${port} in ${ns} within ${ms} ms`);
}

/** Runs a program inside a namespace to its end, killed after `seconds`. */
export function runIn(
  ns: string,
  program: string,
  args: string[],
  seconds: number,
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(...inNamespace(ns, program, args), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), seconds * 1000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    // A program that exits without reading its input (lftp, curl) must not crash the lab with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** The project's client, run by src/lab/client-runner.ts inside the client's namespace. */
export const CLIENT_RUNNER = fileURLToPath(new URL('./client-runner.ts', import.meta.url));
let bundled: string | null = null;

/**
 * The client runner bundled once per process into one JavaScript file: Node starts it in about
 * 60 ms, where compiling the TypeScript on every start (tsx) costs a second or more per run.
 */
export function rfc959Invocation(): { program: string; args: string[] } {
  if (bundled === null) {
    // Kept under node_modules/.cache, so no run leaves a temporary folder behind; each process
    // builds its own copy and renames it into place, so parallel runs never read a half-written one.
    const dir = fileURLToPath(new URL('../../node_modules/.cache/ftplab/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'client-runner.mjs');
    const building = join(dir, `client-runner.${process.pid}.mjs`);
    buildSync({
      entryPoints: [CLIENT_RUNNER],
      outfile: building,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
    });
    renameSync(building, outfile);
    bundled = outfile;
  }
  return { program: process.execPath, args: [bundled] };
}

/** curl's flags for each data-connection mode (curl 7.88: EPSV first by default, EPRT first with -P). */
export function curlArgs(scenario: Scenario, host: string, seconds: number): string[] {
  const mode = scenario.mode;
  const modeArgs =
    mode === 'active'
      ? ['--ftp-port', '-', '--disable-eprt']
      : mode === 'eprt'
        ? ['--ftp-port', '-']
        : mode === 'passive'
          ? ['--disable-epsv']
          : [];
  const urls = scenario.commands.map((command) => {
    const [verb, ...rest] = command.split(' ');
    const arg = rest.join(' ');
    if (verb === 'LIST') return `ftp://${host}/${arg ? `${arg}/` : ''}`;
    return `ftp://${host}/${arg}`;
  });
  return [
    '--silent',
    '--show-error',
    '--verbose',
    '--user',
    `${LAB_USER}:${scenario.client.password}`,
    '--max-time',
    String(seconds),
    ...(scenario.type === 'ascii' ? ['--use-ascii'] : []),
    ...modeArgs,
    ...urls.flatMap((url) => [url, '--output', '/dev/null']),
  ];
}

/**
 * lftp 4.9's script for the scenario: its debug log (level 9) is the dialogue, `cmd:fail-exit`
 * stops at the first failing command, and the retries are bounded so a failure ends in seconds.
 */
export function lftpScript(
  scenario: Scenario,
  host: string,
  upload: string,
  seconds: number,
): string {
  const passive = scenario.mode === 'passive' || scenario.mode === 'epsv';
  const commands = scenario.commands.map((command) => {
    const [verb = '', ...rest] = command.split(' ');
    const arg = rest.join(' ');
    switch (verb.toUpperCase()) {
      case 'LIST':
        return `ls ${arg} > /dev/null`.replace('  ', ' ');
      case 'RETR':
        return `cat ${arg} > /dev/null`;
      case 'STOR':
        return `put ${upload} -o ${arg}`;
      default:
        return `quote ${command}`;
    }
  });
  return [
    'debug 9',
    'set cmd:fail-exit yes',
    `set net:timeout ${seconds}`,
    `set net:max-retries ${LAB_LFTP_RECONNECT.maxTries}`,
    `set net:reconnect-interval-base ${LAB_LFTP_RECONNECT.intervalS}`,
    'set ftp:ssl-allow no',
    `set ftp:passive-mode ${passive ? 'on' : 'off'}`,
    `set ftp:prefer-epsv ${scenario.mode === 'epsv' ? 'yes' : 'no'}`,
    `open -u ${LAB_USER},${scenario.client.password} ${host}`,
    ...commands,
  ].join('; ');
}
