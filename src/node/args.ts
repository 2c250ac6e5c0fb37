import { basename } from 'node:path';
import type { ClientStep, DataMode, TransferType } from '../machines/ftp-client';
import { err, ok, type Result } from '../protocol/result';
import { didYouMean, flagTokens } from './flag-tokens';

/** The command lines of `serve`, `client` and `record`, parsed by hand as `sim`'s are. */

const MODES: readonly DataMode[] = ['active', 'passive', 'eprt', 'epsv'];
const TYPES: readonly TransferType[] = ['ascii', 'binary'];

export interface FtpUrl {
  host: string;
  port: number;
  /** RFC 1738 §3.2.2: the path is relative to the login directory; decoded, no leading "/". */
  path: string;
  /** The URL ends in "/" (or names no path): it means a directory. */
  directory: boolean;
  user: string | null;
  password: string | null;
}

export function parseFtpUrl(text: string): Result<FtpUrl> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return err(`not a URL: ${JSON.stringify(text)}; expected ftp://host:port/path`);
  }
  if (url.protocol !== 'ftp:') {
    return err(`only ftp:// URLs, got ${JSON.stringify(url.protocol)}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return err(`no host in ${JSON.stringify(text)}`);
  let path: string;
  try {
    path = url.pathname.replace(/^\//, '').split('/').map(decodeURIComponent).join('/');
  } catch {
    return err(`bad %-escape in the path of ${JSON.stringify(text)}`);
  }
  // The URL parser takes port 0, but no server listens there: connecting to it fails later with
  // a stranger error than this one.
  if (url.port === '0') return err(`port 0 in ${JSON.stringify(text)}: expected a port 1-65535`);
  return ok({
    host,
    port: url.port === '' ? 21 : Number(url.port),
    path,
    directory: path === '' || path.endsWith('/'),
    user: url.username === '' ? null : decodeURIComponent(url.username),
    password: url.password === '' ? null : decodeURIComponent(url.password),
  });
}

function parsePort(text: string, what: string): Result<number> {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) {
    return err(`${what}: expected a port 0-65535, got ${JSON.stringify(text)}`);
  }
  return ok(Number(text));
}

export function parsePortRange(text: string): Result<{ from: number; to: number }> {
  const match = /^([0-9]{1,5})-([0-9]{1,5})$/.exec(text);
  const from = Number(match?.[1]);
  const to = Number(match?.[2]);
  if (!match || from < 1024 || to > 65535 || from > to) {
    return err(`--pasv-ports: expected FROM-TO within 1024-65535, got ${JSON.stringify(text)}`);
  }
  return ok({ from, to });
}

/**
 * Flags with a value (`--port 2121` or `--port=2121`) and bare switches, plus positionals, split by
 * node:util's parseArgs (flag-tokens.ts): `--out --put` is `--out` missing its value, not a file
 * named "--put".
 */
function readFlags(
  argv: readonly string[],
  valueFlags: readonly string[],
  switches: readonly string[],
): Result<{ values: Map<string, string>; switches: Set<string>; positionals: string[] }> {
  const values = new Map<string, string>();
  const on = new Set<string>();
  const positionals: string[] = [];
  const all = [...valueFlags, ...switches, '--help'];
  for (const token of flagTokens(argv, valueFlags, [...switches, '--help'], { h: '--help' })) {
    // After "--" everything is a positional (parseArgs says so); the "--" itself is not one.
    if (token.kind === 'terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const { name, value } = token;
    if (name === '--help' || switches.includes(name)) {
      if (value !== undefined) return err(`${name}: takes no value, got ${JSON.stringify(value)}`);
      on.add(name);
      continue;
    }
    if (!valueFlags.includes(name)) {
      return err(
        `unknown flag ${JSON.stringify(name)}${didYouMean(name, all)}; allowed: ${all.join(', ')}`,
      );
    }
    if (value === undefined || value === '') return err(`${name}: missing value`);
    values.set(name, value);
  }
  return ok({ values, switches: on, positionals });
}

/** A count of bytes: digits, optionally with a binary suffix (K, M, G: KiB, MiB, GiB). */
function parseBytes(text: string, what: string): Result<number> {
  const match = /^([0-9]{1,15})([KMG]?)$/i.exec(text);
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match?.[2]?.toUpperCase() ?? ''];
  const bytes = Number(match?.[1]) * (scale ?? 1);
  if (!match || bytes < 1 || !Number.isSafeInteger(bytes)) {
    return err(
      `${what}: expected a number of bytes such as 1048576 or 100M, got ${JSON.stringify(text)}`,
    );
  }
  return ok(bytes);
}

/** A whole number within bounds. */
function parseCount(text: string, what: string, min: number, max: number): Result<number> {
  const value = Number(text);
  if (!/^[0-9]{1,9}$/.test(text) || value < min || value > max) {
    return err(`${what}: expected a whole number ${min}-${max}, got ${JSON.stringify(text)}`);
  }
  return ok(value);
}

export interface ServeOptions {
  help: boolean;
  port: number;
  root: string | null;
  passivePorts: { from: number; to: number } | null;
  activeSourcePort: number;
  /** The largest file one STOR may store. */
  maxUploadBytes: number;
  /** Sessions at once; the next connection gets 421. */
  maxSessions: number;
  /** A command line must be complete this long after its first byte. */
  lineTimeoutMs: number;
  /** A session that sends no command for this long is closed. */
  idleTimeoutMs: number;
}

export function parseServeArgs(argv: readonly string[]): Result<ServeOptions> {
  const flags = readFlags(
    argv,
    [
      '--port',
      '--root',
      '--pasv-ports',
      '--active-port',
      '--max-upload',
      '--max-sessions',
      '--line-timeout',
      '--idle-timeout',
    ],
    [],
  );
  if (!flags.ok) return flags;
  const { values, positionals } = flags.value;
  if (positionals.length > 0) {
    return err(`unexpected argument ${JSON.stringify(positionals[0])}`);
  }
  const port = parsePort(values.get('--port') ?? '2121', '--port');
  if (!port.ok) return port;
  const activeSourcePort = parsePort(values.get('--active-port') ?? '0', '--active-port');
  if (!activeSourcePort.ok) return activeSourcePort;
  const range = values.get('--pasv-ports');
  const passivePorts = range === undefined ? ok(null) : parsePortRange(range);
  if (!passivePorts.ok) return passivePorts;
  const passive = passivePorts.value;
  // A passive listener cannot bind the control port, so every passive transfer would fail.
  if (passive !== null && port.value >= passive.from && port.value <= passive.to) {
    return err(
      `--pasv-ports ${passive.from}-${passive.to} includes the control port ${port.value}; choose a range without it`,
    );
  }
  // 100M: server.ts's DEFAULT_MAX_UPLOAD_BYTES (args.test.ts checks they agree).
  const maxUpload = parseBytes(values.get('--max-upload') ?? '100M', '--max-upload');
  if (!maxUpload.ok) return maxUpload;
  // Defaults: server.ts's DEFAULT_MAX_SESSIONS, and its line and idle timeouts.
  const maxSessions = parseCount(
    values.get('--max-sessions') ?? '200',
    '--max-sessions',
    1,
    10_000,
  );
  if (!maxSessions.ok) return maxSessions;
  const day = 24 * 60 * 60;
  const lineTimeout = parseCount(values.get('--line-timeout') ?? '60', '--line-timeout', 1, day);
  if (!lineTimeout.ok) return lineTimeout;
  const idleTimeout = parseCount(values.get('--idle-timeout') ?? '300', '--idle-timeout', 1, day);
  if (!idleTimeout.ok) return idleTimeout;
  return ok({
    help: flags.value.switches.has('--help'),
    port: port.value,
    root: values.get('--root') ?? null,
    passivePorts: passivePorts.value,
    activeSourcePort: activeSourcePort.value,
    maxUploadBytes: maxUpload.value,
    maxSessions: maxSessions.value,
    lineTimeoutMs: lineTimeout.value * 1000,
    idleTimeoutMs: idleTimeout.value * 1000,
  });
}

export interface ClientCliOptions {
  help: boolean;
  url: FtpUrl;
  mode: DataMode;
  type: TransferType;
  /** A local file to upload (STOR). */
  put: string | null;
  /** Where `client` writes a download; where `record` writes the recording. */
  out: string | null;
  steps: ClientStep[];
}

/**
 * `client` and `record` take the same arguments: an ftp:// URL, --mode, --type, --put FILE and
 * --out FILE. The URL says what to do: a path ending in "/" is listed (LIST), any other path is
 * downloaded (RETR) or, with --put, uploaded (STOR; to the same name as the local file when the
 * URL names a directory). The type defaults to ascii for a listing and binary for a file, as curl
 * chooses.
 */
export function parseClientArgs(argv: readonly string[]): Result<ClientCliOptions> {
  const flags = readFlags(argv, ['--mode', '--type', '--put', '--out'], []);
  if (!flags.ok) return flags;
  const { values, positionals } = flags.value;
  const help = flags.value.switches.has('--help');
  if (help && positionals.length === 0) {
    return ok({
      help,
      url: { host: '', port: 21, path: '', directory: true, user: null, password: null },
      mode: 'passive',
      type: 'ascii',
      put: null,
      out: null,
      steps: [],
    });
  }
  if (positionals.length !== 1) {
    return err('expected one ftp:// URL, e.g. ftp://127.0.0.1:2121/notes.txt');
  }
  const url = parseFtpUrl(positionals[0]!);
  if (!url.ok) return url;
  const mode = values.get('--mode') ?? 'passive';
  if (!(MODES as readonly string[]).includes(mode)) {
    return err(`--mode: unknown mode ${JSON.stringify(mode)}; allowed: ${MODES.join(', ')}`);
  }
  const type = values.get('--type');
  if (type !== undefined && !(TYPES as readonly string[]).includes(type)) {
    return err(`--type: unknown type ${JSON.stringify(type)}; allowed: ${TYPES.join(', ')}`);
  }
  const put = values.get('--put') ?? null;
  const { path, directory } = url.value;
  let steps: ClientStep[];
  if (put !== null) {
    const target = directory ? `${path}${basename(put)}` : path;
    steps = [{ verb: 'STOR', arg: target }];
  } else if (directory) {
    steps = [{ verb: 'LIST', arg: path === '' ? null : path }];
  } else {
    steps = [{ verb: 'RETR', arg: path }];
  }
  return ok({
    help,
    url: url.value,
    mode: mode as DataMode,
    type: (type as TransferType | undefined) ?? (steps[0]!.verb === 'LIST' ? 'ascii' : 'binary'),
    put,
    out: values.get('--out') ?? null,
    steps,
  });
}
