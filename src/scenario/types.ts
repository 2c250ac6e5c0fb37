import type { DataMode, TransferType } from '../machines/ftp-client';
import type { FirewallConfig, PortRange } from '../network/firewall';

/** One side's router: an optional firewall, optional NAT, and the FTP conntrack helper switch. */
export interface SideConfig {
  firewall: FirewallConfig | null;
  /** Client side: masquerade the LAN. Server side: port 21 and the passive range forwarded to the server. */
  nat: boolean;
  ftpHelper: boolean;
}

/** Everything a learner can flip, as plain data: the same scenario always gives the same trace. */
export interface Scenario {
  mode: DataMode;
  type: TransferType;
  /** FTP commands the client runs after logging in, e.g. "LIST", "RETR notes.txt". */
  commands: string[];
  /** Whether the client connects to the address in a 227 reply (trust) or to the control connection's server (ignore). */
  pasvAddress: 'trust' | 'ignore';
  client: { user: string; password: string };
  server: {
    passivePorts: PortRange;
    /** What a server behind NAT writes into 227: its own private address, or the configured public one. */
    advertise: 'private' | 'public';
    activeSourcePort: number;
  };
  clientSide: SideConfig;
  serverSide: SideConfig;
}

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
