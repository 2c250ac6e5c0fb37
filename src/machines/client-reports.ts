import type { TraceEvent } from '../network/trace';
import { replyClass } from '../protocol/ftp-reply';
import type { ClientFailure } from './ftp-client';

/**
 * What each real client program prints when it fails (issue 13): curl, Python's ftplib and lftp,
 * each as the lab saw it (`npm run lab`, vsftpd and pyftpdlib on Linux 6.18), for a connection it
 * opened that was refused (a TCP RST, or an ICMP port unreachable), answered with an ICMP
 * administratively prohibited, or never answered, on the control connection and on a data
 * connection; and for a negative reply to one of its commands.
 *
 * Where the recordings are:
 * - test/capture/fixtures/lab-*.json: the lab's summaries (make-lab-captures.sh), each with the
 *   message the program printed (`clientMessage`) and the flags it ran with;
 * - test/capture/fixtures/lab-reports/: a TCP RST and an ICMP admin-prohibited to the client's
 *   passive data connection (lab-vsftpd-<client>-<reset|prohib>-passive), and the control
 *   connection itself refused by each kind or dropped (control-vsftpd-<client>-<kind>, from the
 *   control-<kind>.scenario.json beside them: only-21 with port 21's rule turned to REJECT or DROP);
 * - test/capture/fixtures/loopback-*.json: a 550 to RETR (make-loopback-captures.sh).
 * test/lab/client-reports.test.ts simulates each lab recording and checks the report here against
 * what the program printed.
 *
 * A case no recording holds has no template: clientReport gives null rather than a guess.
 */

/** How a connect the client made ended (as the outcome's ClientError). */
export type ConnectError = 'timeout' | 'refused' | 'no-route' | 'unreachable';

/** What went wrong, in the terms a program's message depends on. */
export type ReportedFailure =
  | {
      kind: 'connect';
      /** The control connection (to port 21) or a passive data connection the client opened. */
      connection: 'control' | 'data';
      error: ConnectError;
      /** The server's address the client was talking to, and its control port. */
      host: string;
      controlPort: number;
      /** How long the failed connect took, in milliseconds. */
      ms: number;
      /** The command being run, e.g. "LIST" ("LIST" too when the control connection failed first). */
      command: string;
    }
  | {
      kind: 'reply';
      /** The reply line, e.g. "425 Failed to establish connection." */
      reply: string;
      code: number;
      /** The verb the reply answered: PORT, EPRT, PASV, LIST, RETR … */
      answered: string;
      command: string;
    };

type ConnectTemplates = Partial<Record<ConnectError, string>>;

/** A row for negative replies: which command they answered, which codes, what is printed. */
interface ReplyRow {
  answered: readonly string[];
  /** '4yz', '5yz', or one exact code. */
  codes: '4yz' | '5yz' | number;
  template: string;
}

/** One program's messages (a ClientProfile's `reports`). Placeholders: {host} {port} {ms} {reply} {command}. */
export interface ReportTable {
  connect: Record<'control' | 'data', ConnectTemplates>;
  replies: readonly ReplyRow[];
}

// curl 7.88. Every failed connect names the control connection's host and port 21, even a data
// connection to a passive port (its --verbose log has the real port): refused and prohibited are
// both (7), a connect that got no answer (28). Recorded: data refused by RST and by port
// unreachable, data prohibited, data timed out; the control connection refused by each kind and
// timed out. ENETUNREACH was not recorded.
const CURL_CONNECT: ConnectTemplates = {
  refused:
    "curl: (7) Failed to connect to {host} port {port} after {ms} ms: Couldn't connect to server",
  'no-route':
    "curl: (7) Failed to connect to {host} port {port} after {ms} ms: Couldn't connect to server",
  timeout:
    "curl: (28) Failed to connect to {host} port {port} after {ms} ms: Couldn't connect to server",
};

// After a refused PORT (vsftpd's 500, pyftpdlib's 501, or pyftpdlib's 425 when its connection
// failed), also after EPRT fell back to PORT, curl exits with (30); after vsftpd's 425 to LIST
// with (19). In every recorded case the text after the number was the same line about
// inet_ntop and errno 97, which does not describe the failure; the number is what differs.
// A 550 to RETR is (78) (the loopback recording, pyftpdlib). Other replies were not recorded.
const CURL_ADDRESS_FAMILY =
  'sa_addr inet_ntop() failed with errno 97: Address family not supported by protocol';
const CURL_REPLIES: readonly ReplyRow[] = [
  { answered: ['PORT', 'EPRT'], codes: '4yz', template: `curl: (30) ${CURL_ADDRESS_FAMILY}` },
  { answered: ['PORT', 'EPRT'], codes: '5yz', template: `curl: (30) ${CURL_ADDRESS_FAMILY}` },
  { answered: ['LIST'], codes: 425, template: `curl: (19) ${CURL_ADDRESS_FAMILY}` },
  { answered: ['RETR'], codes: 550, template: 'curl: (78) The file does not exist' },
];

// Python 3.11's ftplib, through the lab's src/lab/ftplib-client.py, which prints str() of the
// error it catches: the errno and its words for a connect (uncaught, Python would print the same
// after the exception's name, e.g. "ConnectionRefusedError: "), the server's reply line for a
// negative reply, whatever it answered (recorded: 425 to PORT and to LIST, 500 and 501 to PORT,
// 550 to RETR). Recorded connects: data and control refused by RST and by port unreachable,
// prohibited, timed out. ENETUNREACH was not recorded.
const FTPLIB_CONNECT: ConnectTemplates = {
  refused: '[Errno 111] Connection refused',
  'no-route': '[Errno 113] No route to host',
  timeout: '[Errno 110] Connection timed out',
};
const FTPLIB_REPLIES: readonly ReplyRow[] = [
  { answered: ['*'], codes: '4yz', template: '{reply}' },
  { answered: ['*'], codes: '5yz', template: '{reply}' },
];

// lftp 4.9, when it gives up: the lftp command that failed ({command}: the lab's script runs
// LIST as `ls`; only `ls` was recorded), "Fatal error: max-retries exceeded", and in brackets
// the last error when it was a connect's or a reply to PORT. After vsftpd's 425 to LIST, retried
// on the same control connection, nothing in brackets. A 5yz to PORT is no failure: lftp goes
// passive. lftp gives up only after net:max-retries tries: the lab sets 2; with its default
// 1000 it is still trying long after a simulation stops, and prints nothing until then.
// Recorded connects: data and control refused by RST and by port unreachable, prohibited, timed
// out (the control connection too: lftp names the command it was running, not the connect).
const LFTP_CONNECT: ConnectTemplates = {
  refused: '{command}: Fatal error: max-retries exceeded (Connection refused)',
  'no-route': '{command}: Fatal error: max-retries exceeded (No route to host)',
  timeout: '{command}: Fatal error: max-retries exceeded (Connection timed out)',
};
const LFTP_REPLIES: readonly ReplyRow[] = [
  {
    answered: ['PORT'],
    codes: '4yz',
    template: '{command}: Fatal error: max-retries exceeded ({reply})',
  },
  { answered: ['LIST'], codes: 425, template: '{command}: Fatal error: max-retries exceeded' },
];

export const CURL_REPORTS: ReportTable = {
  connect: { control: CURL_CONNECT, data: CURL_CONNECT },
  replies: CURL_REPLIES,
};
export const FTPLIB_REPORTS: ReportTable = {
  connect: { control: FTPLIB_CONNECT, data: FTPLIB_CONNECT },
  replies: FTPLIB_REPLIES,
};
export const LFTP_REPORTS: ReportTable = {
  connect: { control: LFTP_CONNECT, data: LFTP_CONNECT },
  replies: LFTP_REPLIES,
};

/**
 * lftp's command for each FTP command, as the lab's script (src/lab/programs.ts) runs them; lftp
 * names it first when it gives up, and the lab reads the failed step back from it (lab.ts).
 */
export const LFTP_COMMANDS: Readonly<Record<string, string>> = {
  LIST: 'ls',
  RETR: 'cat',
  STOR: 'put',
};

function verbOf(command: string): string {
  return (command.split(' ')[0] ?? '').toUpperCase();
}

function codeMatches(codes: ReplyRow['codes'], code: number): boolean {
  if (codes === '4yz') return replyClass(code) === 'transient-negative';
  if (codes === '5yz') return replyClass(code) === 'permanent-negative';
  return codes === code;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The template for a failure, or null where no recording holds that case. */
function templateOf(table: ReportTable, failure: ReportedFailure): string | null {
  if (failure.kind === 'connect') return table.connect[failure.connection][failure.error] ?? null;
  const answered = verbOf(failure.answered);
  const row = table.replies.find(
    (r) =>
      (r.answered.includes('*') || r.answered.includes(answered)) &&
      codeMatches(r.codes, failure.code),
  );
  return row?.template ?? null;
}

/**
 * The message the real program prints for this failure, its address, port and time filled in; null
 * for the textbook client (the project's own, which no one runs: its profile has no table) and
 * for any case the lab did not record.
 */
export function clientReport(
  profile: { reports: ReportTable | null },
  failure: ReportedFailure,
): string | null {
  const table = profile.reports;
  if (!table) return null;
  const template = templateOf(table, failure);
  if (template === null) return null;
  const command = LFTP_COMMANDS[verbOf(failure.command)] ?? verbOf(failure.command).toLowerCase();
  return fill(template, {
    command,
    ...(failure.kind === 'connect'
      ? {
          host: failure.host,
          port: String(failure.controlPort),
          ms: String(Math.round(failure.ms)),
        }
      : { reply: failure.reply }),
  });
}

/** What reportedFailureOf reads from a simulation (SimulationResult has all of it). */
export interface SimulatedSession {
  scenario: { commands: readonly string[] };
  addressing: { serverPublic: string };
  trace: readonly TraceEvent[];
  client: { failure: ClientFailure | null };
}

/**
 * How a connect the client gave up on ended, from its socket's close detail; null for any other
 * failure. The outcome's clientError is this too.
 */
export function connectErrorOf(failure: ClientFailure | null): ConnectError | null {
  if (!failure || (failure.kind !== 'data-connect' && failure.kind !== 'control-connect'))
    return null;
  const { detail } = failure;
  if (/refused/i.test(detail)) return 'refused';
  if (/no route/i.test(detail)) return 'no-route';
  if (/unreachable/i.test(detail)) return 'unreachable';
  if (/timed out/i.test(detail)) return 'timeout';
  return null;
}

/** How long the client's first failed connect took: from SYN_SENT to CLOSED on one of its sockets. */
function failedConnectMs(trace: readonly TraceEvent[]): number {
  const opened = new Map<string, number>();
  for (const e of trace) {
    if (e.type !== 'transition' || e.node !== 'client' || e.machine !== 'tcp') continue;
    if (e.to === 'SYN_SENT') opened.set(e.actor, e.t);
    else if (e.from === 'SYN_SENT' && e.to === 'CLOSED') return e.t - (opened.get(e.actor) ?? e.t);
  }
  return 0;
}

/** The first server line carrying this code, and the verb of the client command before it. */
function replyInTrace(
  trace: readonly TraceEvent[],
  code: number,
): { line: string; answered: string } | null {
  let answered = '';
  for (const e of trace) {
    if (e.type !== 'control') continue;
    if (e.from === 'client') answered = verbOf(e.text);
    else {
      const line = e.text.split('\r\n').find((l) => l.startsWith(`${code} `));
      if (line) return { line, answered };
    }
  }
  return null;
}

/**
 * The simulated session's first failure as clientReport reads it; null when it succeeded or
 * failed in a way no report covers (a reply timeout, a lost control connection).
 */
export function reportedFailureOf(session: SimulatedSession): ReportedFailure | null {
  const failure = session.client.failure;
  if (!failure) return null;
  const step = failure.step === 'login' ? (session.scenario.commands[0] ?? '') : failure.step;
  if (failure.kind === 'control-connect' || failure.kind === 'data-connect') {
    const error = connectErrorOf(failure);
    if (!error) return null;
    return {
      kind: 'connect',
      connection: failure.kind === 'control-connect' ? 'control' : 'data',
      error,
      host: session.addressing.serverPublic,
      controlPort: 21,
      ms: failedConnectMs(session.trace),
      command: step,
    };
  }
  if ((failure.kind === 'reply' || failure.kind === 'login') && failure.code !== null) {
    const found = replyInTrace(session.trace, failure.code);
    return {
      kind: 'reply',
      reply: found?.line ?? failure.detail,
      code: failure.code,
      answered: found?.answered ?? '',
      command: failure.step,
    };
  }
  return null;
}
