import { createWriteStream, existsSync, fstatSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import type { ClientFailure } from '../machines/ftp-client';
import { decodeControlText } from '../protocol/control-text';
import { parseClientArgs, type ClientCliOptions } from './args';
import { commandLineProblem, runFtpClient, type FtpClientResult } from './client';
import { formatSessionEvent } from './dialogue';
import type { SessionEvent } from './recording';

/** `npm run client -- ftp://host:port/path ...`: the project's FTP client against a real server. */

export const EXIT = { success: 0, ftpFailure: 1, badInput: 2 } as const;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const CLIENT_HELP = `Usage: npm run client -- ftp://HOST:PORT/PATH [flags]

Runs the project's FTP client state machine over real TCP: connects, logs in (anonymous unless
the URL has user:password@), sets the type, transfers, quits, and prints the control dialogue
(C: client, S: server) and each data connection.

  ftp://host:port/dir/         list the directory (LIST)
  ftp://host:port/file         download the file (RETR)
  --put FILE                   upload FILE instead (STOR), to the URL's path, or into the
                               URL's directory under FILE's own name
  --out FILE                   write the download (or the listing) to FILE as it arrives; a
                               failed download leaves no new FILE (one that existed keeps the
                               part received, as with curl -o)
  --mode MODE                  passive (PASV, default), active (PORT), epsv or eprt
  --type TYPE                  ascii (TYPE A, default for listings) or binary (TYPE I, default
                               for files)

Exit codes: 0 success, 1 the FTP session failed (the reason is on stderr), 2 bad input.
`;

/** One line saying where and why the client gave up. */
export function describeFailure(failure: ClientFailure): string {
  if (failure.kind === 'control-connect') return `cannot connect: ${failure.detail}`;
  return `failed at ${failure.step}: ${failure.detail.replace(/\n/g, ' / ')}`;
}

/** Reads --put; the step list then carries its bytes. */
export function withUpload(options: ClientCliOptions): ClientCliOptions {
  if (options.put === null) return options;
  const upload = new Uint8Array(readFileSync(options.put));
  return { ...options, steps: options.steps.map((step) => ({ ...step, upload })) };
}

/** A listing printed to the terminal is kept in memory until the session ends; at most this much. */
export const MAX_PRINTED_LISTING = 16 * 1024 * 1024;

/** A sink that keeps nothing: it counts (a download without --out, or one being recorded). */
export function discardingSink(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** A sink that keeps up to `limit` bytes in memory, and fails the download past it. */
export function collectingSink(limit: number, what: string): { sink: Writable; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      size += chunk.length;
      if (size > limit) return done(new Error(`${what} is longer than ${limit} bytes`));
      chunks.push(chunk);
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

/**
 * One session with the CLI's options. Downloads go to `download` as they arrive; it is ended and
 * flushed before this returns, and a write that failed at the end rejects.
 */
export async function runSession(
  options: ClientCliOptions,
  onEvent: (event: SessionEvent) => void,
  download?: Writable,
): Promise<FtpClientResult> {
  const result = await runFtpClient({
    host: options.url.host,
    port: options.url.port,
    ...(options.url.user !== null ? { user: options.url.user } : {}),
    ...(options.url.password !== null ? { password: options.url.password } : {}),
    mode: options.mode,
    type: options.type,
    steps: options.steps,
    onEvent,
    ...(download !== undefined ? { download } : {}),
  });
  if (download !== undefined) {
    download.end();
    try {
      await finished(download);
    } catch (error) {
      if (result.ok) throw new Error(`cannot keep the download: ${(error as Error).message}`);
    }
  }
  return result;
}

/** True when the session's step brings bytes back (LIST, RETR), not STOR. */
export function downloads(options: ClientCliOptions): boolean {
  return options.steps.some((step) => step.verb !== 'STOR');
}

/**
 * The options both client commands (`client`, `record`) read: parsed, checked by `check` (a
 * problem, or null), with the --put file read. Prints the help or the error and returns the
 * exit status instead when there is nothing to run.
 */
export function readClientOptions(
  argv: readonly string[],
  io: CliIo,
  help: string,
  check: (options: ClientCliOptions) => string | null = () => null,
): ClientCliOptions | number {
  const parsed = parseClientArgs(argv);
  if (!parsed.ok) {
    io.stderr(`error: ${parsed.error} (see --help)\n`);
    return EXIT.badInput;
  }
  if (parsed.value.help) {
    io.stdout(help);
    return EXIT.success;
  }
  const { url, steps } = parsed.value;
  const problem =
    commandLineProblem({ user: url.user, password: url.password, steps }) ?? check(parsed.value);
  if (problem !== null) {
    io.stderr(`error: ${problem}\n`);
    return EXIT.badInput;
  }
  try {
    return withUpload(parsed.value);
  } catch (error) {
    io.stderr(`error: --put ${parsed.value.put}: cannot read it: ${(error as Error).message}\n`);
    return EXIT.badInput;
  }
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const options = readClientOptions(argv, io, CLIENT_HELP);
  if (typeof options === 'number') return options;

  // Downloads stream to --out (opened first: a path that cannot be written is bad input);
  // a listing without --out is printed after the dialogue; a file without it is only counted.
  const listing = options.steps[0]?.verb === 'LIST' && options.out === null;
  const printed = listing
    ? collectingSink(MAX_PRINTED_LISTING, 'the listing (--out FILE keeps it)')
    : null;
  let download: Writable | undefined;
  /** --out when this run created it: a failed download removes it again, as if never started. */
  let created: string | null = null;
  if (downloads(options) && options.out !== null) {
    try {
      const existed = existsSync(options.out);
      const fd = openSync(options.out, 'w');
      if (!existed && fstatSync(fd).isFile()) created = options.out;
      download = createWriteStream(options.out, { fd });
    } catch (error) {
      io.stderr(`error: --out ${options.out}: cannot write it: ${(error as Error).message}\n`);
      return EXIT.badInput;
    }
  } else if (downloads(options)) {
    download = printed?.sink ?? discardingSink();
  }

  const removeCreated = () => {
    if (created === null) return;
    download?.destroy();
    rmSync(created, { force: true });
    io.stdout(`-- removed ${created}: the download failed\n`);
  };
  let result: FtpClientResult;
  try {
    result = await runSession(
      options,
      (event) => io.stdout(`${formatSessionEvent(event)}\n`),
      download,
    );
  } catch (error) {
    removeCreated();
    io.stderr(`error: ${(error as Error).message}\n`);
    return EXIT.ftpFailure;
  }
  if (!result.ok) {
    removeCreated();
    io.stderr(`error: ${describeFailure(result.failure!)}\n`);
    return EXIT.ftpFailure;
  }

  if (download === undefined) return EXIT.success;
  if (options.out !== null) {
    io.stdout(`-- wrote ${result.downloadedBytes} bytes to ${options.out}\n`);
  } else if (printed !== null) {
    // A listing names files as the control connection does: UTF-8 (one character per byte if not).
    io.stdout(decodeControlText(printed.bytes()));
  } else {
    io.stdout(`-- received ${result.downloadedBytes} bytes (--out FILE keeps them)\n`);
  }
  return EXIT.success;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
