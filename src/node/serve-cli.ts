import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseServeArgs } from './args';
import { formatSessionEvent } from './dialogue';
import { startFtpServer } from './server';

/** `npm run serve -- --port 2121 --root DIR`: the project's FTP server machine on 127.0.0.1. */

export const SERVE_HELP = `Usage: npm run serve -- [--port 2121] [--root DIR] [--pasv-ports FROM-TO] [--active-port N]
         [--max-upload BYTES] [--max-sessions N] [--line-timeout S] [--idle-timeout S]

Runs the project's FTP server state machine as a real server on 127.0.0.1 (loopback only:
anyone may log in anonymously and upload), and prints every session's control dialogue.
Ctrl-C stops it.

  --port N             control port (default 2121; 0 picks a free one)
  --root DIR           serve DIR; uploads are written into it. Without it, the simulation's
                       sample files are served from memory.
  --pasv-ports A-B     passive data ports (default: any free port); must not include --port
  --active-port N      source port of active-mode data connections (default 0: any; RFC 959
                       says 20, which only root may bind)
  --max-upload BYTES   the largest file one STOR may store, in bytes or with K, M or G
                       (default 100M); a larger upload gets 552 and nothing is kept
  --max-sessions N     sessions at once (default 200); the next connection gets 421
  --line-timeout S     seconds a command line may take from its first byte to its end
                       (default 60); a client still sending it gets 421 and is closed
  --idle-timeout S     seconds without a command before a session gets 421 and is closed
                       (default 300, as vsftpd's idle_session_timeout)
`;

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseServeArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`error: ${parsed.error} (see --help)\n`);
    return 2;
  }
  const options = parsed.value;
  if (options.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  if (options.root !== null && !statSync(options.root, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`error: --root ${options.root}: not a directory\n`);
    return 2;
  }
  let server;
  try {
    server = await startFtpServer({
      port: options.port,
      ...(options.root !== null ? { root: options.root } : {}),
      passivePorts: options.passivePorts,
      activeSourcePort: options.activeSourcePort,
      maxUploadBytes: options.maxUploadBytes,
      maxSessions: options.maxSessions,
      lineTimeoutMs: options.lineTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      onEvent: (session, event) =>
        process.stdout.write(`[${session}] ${formatSessionEvent(event)}\n`),
      onError: (message) => process.stderr.write(`error: ${message}\n`),
    });
  } catch (error) {
    process.stderr.write(
      `error: cannot listen on port ${options.port}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  const range = options.passivePorts;
  process.stdout.write(
    `FTP Lab server on ftp://${server.address}:${server.port}/ serving ${options.root ?? 'the sample files (in memory)'}; ` +
      `anonymous login; passive ports ${range ? `${range.from}-${range.to}` : 'any'}. Ctrl-C stops.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  process.stdout.write(`stopped after ${server.sessions()} sessions\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
