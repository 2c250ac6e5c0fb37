import type { DataMode } from './ftp-client';

/**
 * What a real FTP client program does where RFC 959 leaves it a choice (issue 13). The client
 * machine (ftp-client.ts) reads one of these from its settings; the chart is the same for every
 * program. Each line was seen in the lab against vsftpd and pyftpdlib (test/lab, `npm run lab`):
 *
 * - `rfc959`: the textbook client. One data command, the one asked for; it connects to the address
 *   a 227 names unless the scenario says to ignore it; it stops at the first failure.
 * - `curl` 7.88: with EPSV or EPRT asked for, it falls back to PASV or PORT when the server refuses
 *   (and from EPSV also when the data connection fails); plain PORT refused with 500 it sends once
 *   more, then gives up ("(30) ... Address family not supported"). It never uses 227's address
 *   (7.74 and later), and runs every URL on its command line even after one failed.
 * - `ftplib` (Python 3.11): PORT and PASV only over IPv4 (EPRT/EPSV are for IPv6), ignores 227's
 *   address (trust_server_pasv_ipv4_address=False), stops at the first error.
 * - `lftp` 4.9: ftp:fix-pasv-address (a private address in 227 from a server reached at a public
 *   one is replaced by the public one); after "500 Illegal PORT command." it switches to passive
 *   for that command on its own (the real one sends ABOR and logs in again first; the simulation
 *   keeps the control connection); the next command tries PORT again.
 */

export type ClientProgramName = 'rfc959' | 'curl' | 'ftplib' | 'lftp';

export interface ClientProfile {
  name: ClientProgramName;
  /** The data commands tried, in order, for each mode asked for: the next after a refusal. */
  attempts: Readonly<Record<DataMode, readonly DataMode[]>>;
  /** Modes after which a failed data connection, not only a refusal, moves to the next attempt. */
  fallbackOnConnectFailure: readonly DataMode[];
  /** Where a 227's address is used: as the scenario says, never, or unless it is private. */
  pasvAddress: 'scenario' | 'ignore' | 'fix-private';
  /** After a refused PORT/EPRT with no attempt left, try passive for this command. */
  passiveAfterPortRefused: boolean;
  /** Go on to the next command after one failed (curl runs every URL). */
  continueAfterFailure: boolean;
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
};

export const CURL: ClientProfile = {
  name: 'curl',
  attempts: {
    active: ['active', 'active'],
    passive: ['passive'],
    eprt: ['eprt', 'active'],
    epsv: ['epsv', 'passive'],
  },
  fallbackOnConnectFailure: ['epsv'],
  pasvAddress: 'ignore',
  passiveAfterPortRefused: false,
  continueAfterFailure: true,
};

export const FTPLIB: ClientProfile = {
  name: 'ftplib',
  attempts: { active: ['active'], passive: ['passive'], eprt: ['active'], epsv: ['passive'] },
  fallbackOnConnectFailure: [],
  pasvAddress: 'ignore',
  passiveAfterPortRefused: false,
  continueAfterFailure: false,
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
