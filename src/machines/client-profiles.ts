import { CURL_REPORTS, FTPLIB_REPORTS, LFTP_REPORTS, type ReportTable } from './client-reports';
import type { DataMode, TransferType } from './ftp-client';

/**
 * What a real FTP client program does where RFC 959 leaves it a choice (issue 13). The client
 * machine (ftp-client.ts) reads one of these from its settings; the chart is the same for every
 * program. Each line was seen in the lab against vsftpd and pyftpdlib (test/lab, `npm run lab`):
 *
 * - `rfc959`: the textbook client. USER, PASS, TYPE once (the scenario's), then per transfer its
 *   data command and the transfer command, QUIT. One data command, the one asked for; it connects
 *   to the address a 227 names unless the scenario says to ignore it; it stops at the first failure.
 * - `curl` 7.88: USER, PASS, PWD; per URL the data command, then TYPE if it changes (A for a
 *   listing, the scenario's for a file) and SIZE before a RETR in TYPE I, then the transfer. Its
 *   QUIT at exit is not in its --verbose log (the lab's dialogue) but is on the wire: pyftpdlib's
 *   own log shows QUIT and 221 after curl's last URL. With EPSV or EPRT asked for, it falls back to
 *   PASV or PORT when the server refuses (and from EPSV also when the data connection fails);
 *   a PORT refused (500, 501, or pyftpdlib's 425) it sends once more, also after EPRT, then gives
 *   up ("(30) ... Address family not supported") and runs no further URL. It never uses 227's
 *   address (7.74 and later), and after any other failure runs the next URL on its command line.
 * - `ftplib` (Python 3.11): USER, PASS, then TYPE before every transfer, needed or not (retrlines
 *   sends TYPE A, retrbinary TYPE I), the data command, the transfer, QUIT. PORT and PASV only over
 *   IPv4 (EPRT/EPSV are for IPv6), ignores 227's address (trust_server_pasv_ipv4_address=False),
 *   stops at the first error and closes the control connection without QUIT (the lab's
 *   src/lab/ftplib-client.py calls close(), as a script catching ftplib.all_errors would).
 * - `lftp` 4.9: FEAT before USER; when FEAT lists UTF8, OPTS UTF8 ON before USER and again after
 *   PASS, and when it lists MLST, OPTS MLST with the facts it wants; then PWD. A listing in the
 *   type it takes the server to start in (ASCII, so no TYPE); a file in TYPE I, with SIZE before
 *   its data command. ftp:fix-pasv-address (a private address in 227 from a server reached at a
 *   public one is replaced by the public one); after "500 Illegal PORT command." (or
 *   pyftpdlib's 501: a 5yz, not a 425) it goes passive for that command on a new control connection
 *   (its `reconnect` below); the next command tries PORT again.
 *
 * curl and lftp open a new control connection after some failures (`reconnect`), as the lab's
 * pcaps show (test/capture/fixtures/lab-*.pcap):
 * - curl, after a data connection that failed (timed out or refused), closes the control
 *   connection without QUIT and runs its next URL on a new one at once: USER, PASS, PWD again.
 * - lftp, after a refused PORT (any 4yz or 5yz) or a failed passive data connection, interrupts
 *   the transfer it had queued (Telnet IP and Synch, RFC 959 §4.1.3: the start of an ABOR whose
 *   line it never sends, nor the transfer command its debug log shows) and closes; then it logs in
 *   again on a new one (FEAT, OPTS, USER, PASS, OPTS; no PWD, it knows its home) and retries the
 *   same command: passive after a 5yz to PORT, and without SIZE, whose answer it kept. After a 4yz
 *   to the transfer command itself (vsftpd's 425 when its connection failed) it retries on the same
 *   control connection. Its timing is NetAccess's, in whole seconds: each connection and each retry
 *   is a try, and a command's tries end when one succeeds; a new connection waits until the
 *   interval has passed since the last try began; a retry on the same connection waits the next
 *   interval from the failure; the interval grows by the multiplier with each try, up to its
 *   most; past max-retries it gives up ("Fatal error: max-retries exceeded"), with QUIT if the
 *   control connection is still open. The profile has lftp's defaults: 15 s, then 23, 34, 51 …
 *   up to 300 s between tries, and 1000 tries, so a command that keeps failing keeps lftp busy for
 *   days. The lab runs it with net:max-retries 2 and net:reconnect-interval-base 1 to keep its
 *   cells short (src/lab/programs.ts, LAB_LFTP_RECONNECT), and its pcaps show exactly that: a new
 *   connection 1 s after a quick refusal, none after a 3 s timeout, a retry on the same
 *   connection 2 s after the failure; the lab's comparisons simulate with the same settings.
 */

/** What a program does after a failure that it takes to be the connection's (see above). */
export interface ReconnectPolicy {
  /** The failures after which it closes the control connection and opens a new one. */
  after: readonly ('port-refused' | 'data-connect')[];
  /** Telnet IP and Synch before closing (lftp's ABOR of the transfer it had queued). */
  interrupt: boolean;
  /** Retry the command that failed (lftp), or go on to the next one (curl). */
  resume: 'same-step' | 'next-step';
  /** PWD again after logging in on the new connection (curl; lftp knows its home). */
  pwdAgain: boolean;
  /** A 4yz to the transfer command is retried on the same control connection (lftp). */
  retryTransientReply: boolean;
  /** Tries (connections and retries) of one command before giving up; 0: no limit (curl). */
  maxTries: number;
  /** The wait between tries, in seconds: the first, the factor for each further one, the most. */
  intervalS: number;
  intervalMultiplier: number;
  intervalMaxS: number;
}

export type ClientProgramName = 'rfc959' | 'curl' | 'ftplib' | 'lftp';

export interface ClientProfile {
  name: ClientProgramName;
  /** The data commands tried, in order, for each mode asked for: the next after a refusal. */
  attempts: Readonly<Record<DataMode, readonly DataMode[]>>;
  /** Modes after which a failed data connection, not only a refusal, moves to the next attempt. */
  fallbackOnConnectFailure: readonly DataMode[];
  /** Where a 227's address is used: as the scenario says, never, or unless it is private. */
  pasvAddress: 'scenario' | 'ignore' | 'fix-private';
  /** After a 5yz to PORT/EPRT with no attempt left, try this command again in passive mode. */
  passiveAfterPortRefused: boolean;
  /** Go on to the next command after one failed (curl runs every URL), unless its PORTs were refused. */
  continueAfterFailure: boolean;
  /** FEAT before USER, and OPTS UTF8 ON / OPTS MLST as its answer allows (lftp). */
  feat: boolean;
  /** PWD right after login (curl, lftp). */
  pwdAfterLogin: boolean;
  /**
   * Where TYPE goes: once after login (the textbook client), or for each transfer before or after
   * its data command (PORT/PASV...) when the transfer needs another type than the one in effect.
   */
  typeAt: 'login' | 'before-data-command' | 'after-data-command';
  /** TYPE before every transfer even when it is the one in effect (ftplib). */
  resendType: boolean;
  /** The type it takes to be in effect before any TYPE (lftp: the server's default, ASCII). */
  assumedType: TransferType | null;
  /** The type of a listing, and of a file: the scenario's, or the program's own. */
  listingType: 'scenario' | TransferType;
  fileType: 'scenario' | TransferType;
  /** SIZE before RETR, after the TYPE: never, in TYPE I only (curl), always (lftp). */
  sizeBeforeRetr: 'never' | 'binary' | 'always';
  /** QUIT after a failure while the control connection still works (the lab's ftplib closes). */
  quitAfterFailure: boolean;
  /** New control connections after a failure, and retries; null: never (rfc959, ftplib). */
  reconnect: ReconnectPolicy | null;
  /**
   * What the real program prints for each failure, as the lab recorded it (client-reports.ts,
   * clientReport); null for the textbook client, which is no program anyone runs.
   */
  reports: ReportTable | null;
}

const AS_ASKED: ClientProfile['attempts'] = {
  active: ['active'],
  passive: ['passive'],
  eprt: ['eprt'],
  epsv: ['epsv'],
};

export const RFC959_CLIENT: ClientProfile = {
  name: 'rfc959',
  attempts: AS_ASKED,
  fallbackOnConnectFailure: [],
  pasvAddress: 'scenario',
  passiveAfterPortRefused: false,
  continueAfterFailure: false,
  feat: false,
  pwdAfterLogin: false,
  typeAt: 'login',
  resendType: false,
  assumedType: null,
  listingType: 'scenario',
  fileType: 'scenario',
  sizeBeforeRetr: 'never',
  quitAfterFailure: true,
  reconnect: null,
  reports: null,
};

export const CURL: ClientProfile = {
  name: 'curl',
  attempts: {
    active: ['active', 'active'],
    passive: ['passive'],
    eprt: ['eprt', 'active', 'active'],
    epsv: ['epsv', 'passive'],
  },
  fallbackOnConnectFailure: ['epsv'],
  pasvAddress: 'ignore',
  passiveAfterPortRefused: false,
  continueAfterFailure: true,
  feat: false,
  pwdAfterLogin: true,
  typeAt: 'after-data-command',
  resendType: false,
  assumedType: null,
  listingType: 'ascii',
  fileType: 'scenario',
  sizeBeforeRetr: 'binary',
  quitAfterFailure: true,
  reconnect: {
    after: ['data-connect'],
    interrupt: false,
    resume: 'next-step',
    pwdAgain: true,
    retryTransientReply: false,
    maxTries: 0,
    intervalS: 0,
    intervalMultiplier: 1,
    intervalMaxS: 0,
  },
  reports: CURL_REPORTS,
};

export const FTPLIB: ClientProfile = {
  name: 'ftplib',
  attempts: { active: ['active'], passive: ['passive'], eprt: ['active'], epsv: ['passive'] },
  fallbackOnConnectFailure: [],
  pasvAddress: 'ignore',
  passiveAfterPortRefused: false,
  continueAfterFailure: false,
  feat: false,
  pwdAfterLogin: false,
  typeAt: 'before-data-command',
  resendType: true,
  assumedType: null,
  listingType: 'ascii',
  fileType: 'scenario',
  sizeBeforeRetr: 'never',
  quitAfterFailure: false,
  reconnect: null,
  reports: FTPLIB_REPORTS,
};

export const LFTP: ClientProfile = {
  name: 'lftp',
  attempts: {
    active: ['active'],
    passive: ['passive'],
    eprt: ['active'],
    epsv: ['epsv', 'passive'],
  },
  fallbackOnConnectFailure: [],
  pasvAddress: 'fix-private',
  passiveAfterPortRefused: true,
  continueAfterFailure: false,
  feat: true,
  pwdAfterLogin: true,
  typeAt: 'before-data-command',
  resendType: false,
  assumedType: 'ascii',
  listingType: 'ascii',
  fileType: 'binary',
  sizeBeforeRetr: 'always',
  quitAfterFailure: true,
  reconnect: {
    after: ['port-refused', 'data-connect'],
    interrupt: true,
    resume: 'same-step',
    pwdAgain: false,
    retryTransientReply: true,
    // lftp 4.9's defaults (`lftp -c 'set -a'`): net:max-retries 1000,
    // net:reconnect-interval-base 15, -multiplier 1.5, -max 300.
    maxTries: 1000,
    intervalS: 15,
    intervalMultiplier: 1.5,
    intervalMaxS: 300,
  },
  reports: LFTP_REPORTS,
};

export const CLIENT_PROFILES: Record<ClientProgramName, ClientProfile> = {
  rfc959: RFC959_CLIENT,
  curl: CURL,
  ftplib: FTPLIB,
  lftp: LFTP,
};

/** RFC 1918's private ranges. */
export function isPrivateAddress(address: string): boolean {
  const [a, b] = address.split('.').map(Number) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

export const DATA_COMMAND: Record<DataMode, string> = {
  active: 'PORT',
  passive: 'PASV',
  eprt: 'EPRT',
  epsv: 'EPSV',
};
