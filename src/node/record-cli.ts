import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { ClientCliOptions } from './args';
import {
  describeFailure,
  discardingSink,
  downloads,
  EXIT,
  readClientOptions,
  runSession,
  type CliIo,
} from './client-cli';
import type { FtpClientResult } from './client';
import { formatSessionEvent } from './dialogue';
import type { SessionEvent, SessionRecording } from './recording';

/**
 * `npm run record -- ftp://host:port/path --out session.json`: runs one session with the
 * project's client against a real server and writes what was said as a SessionRecording.
 */

export const RECORD_HELP = `Usage: npm run record -- ftp://HOST:PORT/PATH --out FILE.json [flags]

Runs one FTP session with the project's client against a real server (as npm run client does)
and writes its control dialogue to FILE.json: every line with who sent it and when (ms since the
start), and each data connection's opening and closing. The format is SessionRecording in
src/node/recording.ts. A failed session is recorded too, and exits 1.

  --out FILE.json              where to write the recording (required)
  --mode MODE                  passive (PASV, default), active (PORT), epsv or eprt
  --type TYPE                  ascii or binary (default: ascii for listings, binary for files)
  --put FILE                   upload FILE (STOR) instead of listing or downloading
`;

export function buildRecording(
  options: ClientCliOptions,
  recordedAt: Date,
  events: SessionEvent[],
  result: FtpClientResult,
): SessionRecording {
  return {
    format: 'ftp-lab-recording',
    version: 1,
    recordedAt: recordedAt.toISOString(),
    server: { address: result.serverAddress, port: options.url.port },
    client: { address: result.localAddress },
    mode: options.mode,
    type: options.type,
    commands: options.steps.map((s) => (s.arg === null ? s.verb : `${s.verb} ${s.arg}`)),
    events,
    outcome: {
      ok: result.ok,
      failure: result.failure === null ? null : describeFailure(result.failure),
    },
  };
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const options = readClientOptions(argv, io, RECORD_HELP, (o) =>
    o.out === null ? '--out FILE.json is required: where to write the recording' : null,
  );
  if (typeof options === 'number') return options;
  const out = options.out!;

  const events: SessionEvent[] = [];
  const recordedAt = new Date();
  let result: FtpClientResult;
  try {
    // The recording keeps the dialogue, not the data: a download is only counted.
    result = await runSession(
      options,
      (event) => {
        events.push(event);
        io.stdout(`${formatSessionEvent(event)}\n`);
      },
      downloads(options) ? discardingSink() : undefined,
    );
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`);
    return EXIT.ftpFailure;
  }
  const recording = buildRecording(options, recordedAt, events, result);
  try {
    writeFileSync(out, `${JSON.stringify(recording, null, 2)}\n`);
  } catch (error) {
    io.stderr(`error: --out ${out}: cannot write it: ${(error as Error).message}\n`);
    return EXIT.badInput;
  }
  io.stdout(`-- recorded ${events.length} events to ${out}\n`);
  if (!result.ok) {
    io.stderr(`error: ${describeFailure(result.failure!)}\n`);
    return EXIT.ftpFailure;
  }
  return EXIT.success;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
