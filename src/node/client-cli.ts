import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { ClientFailure } from '../machines/ftp-client';
import { asciiDecode } from '../protocol/net-ascii';
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
  --out FILE                   write the download (or the listing) to FILE
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

export async function runSession(
  options: ClientCliOptions,
  onEvent: (event: SessionEvent) => void,
): Promise<FtpClientResult> {
  return runFtpClient({
    host: options.url.host,
    port: options.url.port,
    ...(options.url.user !== null ? { user: options.url.user } : {}),
    ...(options.url.password !== null ? { password: options.url.password } : {}),
    mode: options.mode,
    type: options.type,
    steps: options.steps,
    onEvent,
  });
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

  let result: FtpClientResult;
  try {
    result = await runSession(options, (event) => io.stdout(`${formatSessionEvent(event)}\n`));
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`);
    return EXIT.ftpFailure;
  }
  if (!result.ok) {
    io.stderr(`error: ${describeFailure(result.failure!)}\n`);
    return EXIT.ftpFailure;
  }

  const received = result.transfers[0]?.received ?? null;
  if (received === null) return EXIT.success;
  if (options.out !== null) {
    try {
      writeFileSync(options.out, received);
    } catch (error) {
      io.stderr(`error: --out ${options.out}: cannot write it: ${(error as Error).message}\n`);
      return EXIT.badInput;
    }
    io.stdout(`-- wrote ${received.length} bytes to ${options.out}\n`);
  } else if (options.steps[0]?.verb === 'LIST') {
    io.stdout(asciiDecode(received));
  } else {
    io.stdout(`-- received ${received.length} bytes (--out FILE keeps them)\n`);
  }
  return EXIT.success;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
