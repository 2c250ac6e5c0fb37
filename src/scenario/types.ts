import type { DataMode, TransferType } from '../machines/ftp-client';
import type { TcpStackName } from '../machines/tcp-profile';
import type { FirewallConfig, PortRange } from '../network/firewall';

/** One side's router: an optional firewall, optional NAT, and the FTP conntrack helper switch. */
export interface SideConfig {
  firewall: FirewallConfig | null;
  /** Client side: masquerade the LAN. Server side: port 21 and the passive range forwarded to the server. */
  nat: boolean;
  ftpHelper: boolean;
  /**
   * Server side with NAT: the ports forwarded to the server, 21 and the passive range (absent, the
   * default) or port 21 alone, as a router set up for the control connection only.
   */
  natForward?: '21' | '21+passive';
}

/**
 * Everything a learner can flip, as plain data: the same scenario always gives the same trace.
 * What a file may write is scenarioSchema in schema.ts, whose output is asserted to be this type.
 */
export interface Scenario {
  mode: DataMode;
  type: TransferType;
  /** FTP commands the client runs after logging in, e.g. "LIST", "RETR notes.txt". */
  commands: string[];
  /** Whether the client connects to the address in a 227 reply (trust) or to the control connection's server (ignore). */
  pasvAddress: 'trust' | 'ignore';
  client: {
    user: string;
    password: string;
    /** The client program it plays; absent: DEFAULT_PROGRAMS.client. */
    program?: ClientProgram;
  };
  server: {
    /** The server program it plays; absent: DEFAULT_PROGRAMS.server. */
    program?: ServerProgram;
    passivePorts: PortRange;
    /** What a server behind NAT writes into 227: its own private address, or the configured public one. */
    advertise: 'private' | 'public';
    /** Source port of active-mode data connections: 20 (vsftpd connect_from_port_20), or 0 for an ephemeral one. */
    activeSourcePort: number;
    /**
     * How long the server program waits for a data connection, in seconds: `connectS` for one it
     * opens in active mode (vsftpd connect_timeout, pyftpdlib's ActiveDTP timeout), `acceptS` for
     * the client's to its passive port (vsftpd accept_timeout). Absent: the program's own defaults,
     * vsftpd 60 and 60, pyftpdlib 30 and 30.
     */
    timeouts?: ServerTimeouts;
  };
  clientSide: SideConfig;
  serverSide: SideConfig;
  /** The hosts' TCP stack (machines/tcp-profile.ts); absent: DEFAULT_PROGRAMS.tcp. */
  tcp?: TcpStackName;
}

export type ServerProgram = 'vsftpd' | 'pyftpdlib';

export interface ServerTimeouts {
  connectS: number;
  acceptS: number;
}
export type ClientProgram = 'rfc959' | 'curl' | 'ftplib' | 'lftp';
export const SERVER_PROGRAMS: readonly ServerProgram[] = ['vsftpd', 'pyftpdlib'];
export const CLIENT_PROGRAMS: readonly ClientProgram[] = ['rfc959', 'curl', 'ftplib', 'lftp'];
export const TCP_STACKS: readonly TcpStackName[] = ['linux', 'rfc6298'];

/**
 * What a scenario plays when it names no program (issue 13). The server is vsftpd and the stack
 * the Linux kernel measured in the lab: what a learner most likely meets. The client is the
 * textbook RFC 959 client rather than curl: it does what RFC 959 says (uses the address in 227,
 * no fallbacks, one mode), so the sandbox shows each protocol problem plainly (the private-227
 * address behind server NAT, the refused PORT behind client NAT) instead of a real client's
 * workaround hiding it; and every lesson and link made before profiles existed keeps its meaning.
 * curl, ftplib and lftp are one choice away in the switchboard.
 */
export const DEFAULT_PROGRAMS = {
  server: 'vsftpd',
  client: 'rfc959',
  tcp: 'linux',
} as const satisfies { server: ServerProgram; client: ClientProgram; tcp: TcpStackName };

/** The programs a scenario plays, defaults filled in. */
export function programsOf(scenario: Pick<Scenario, 'client' | 'server' | 'tcp'>): {
  server: ServerProgram;
  client: ClientProgram;
  tcp: TcpStackName;
} {
  return {
    server: scenario.server.program ?? DEFAULT_PROGRAMS.server,
    client: scenario.client.program ?? DEFAULT_PROGRAMS.client,
    tcp: scenario.tcp ?? DEFAULT_PROGRAMS.tcp,
  };
}

/** How the switchboard, the CLI and the outcome name each program. */
export const PROGRAM_LABELS: Record<ServerProgram | ClientProgram, string> = {
  vsftpd: 'vsftpd 3.0',
  pyftpdlib: 'pyftpdlib 1.5',
  rfc959: 'Textbook RFC 959 client',
  curl: 'curl 7.88',
  ftplib: "Python's ftplib (3.11)",
  lftp: 'lftp 4.9',
};

export type { DataMode, TransferType };

/** The four ways to open a data connection: RFC 959's PORT and PASV, RFC 2428's EPRT and EPSV. */
export const DATA_MODES: readonly DataMode[] = ['active', 'passive', 'eprt', 'epsv'];

/** How the switchboard and the what-if row name each mode. */
export const DATA_MODE_LABELS: Record<DataMode, string> = {
  active: 'Active (PORT)',
  passive: 'Passive (PASV)',
  eprt: 'Extended active (EPRT)',
  epsv: 'Extended passive (EPSV)',
};
