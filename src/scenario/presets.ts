import type { FirewallConfig, FirewallRule, PortRange } from '../network/firewall';
import type { Scenario, SideConfig } from './types';

export interface FirewallPreset {
  id: string;
  title: string;
  description: string;
  side: 'client' | 'server';
  build(passivePorts: PortRange): SideConfig;
}

const HIGH_PORTS: PortRange = { from: 1024, to: 65535 };

const allowOutbound: FirewallRule = {
  name: 'outbound: allow new and existing connections',
  direction: 'outbound',
  action: 'ACCEPT',
};
const allowEstablished: FirewallRule = {
  name: 'inbound: only established/related',
  direction: 'inbound',
  state: ['ESTABLISHED', 'RELATED'],
  action: 'ACCEPT',
};
const dropInbound: FirewallRule = {
  name: 'inbound: drop everything else',
  direction: 'inbound',
  action: 'DROP',
};

function stateful(rules: FirewallRule[]): FirewallConfig {
  return { stateful: true, policy: 'DROP', rules };
}

/**
 * A packet filter without conntrack, as before stateful firewalls: replies are recognised by the
 * ACK flag (`! --syn`), new inbound connections to unprivileged ports are dropped; `exceptions`
 * go between the two.
 */
const stateless = (exceptions: FirewallRule[]): FirewallConfig => ({
  stateful: false,
  policy: 'ACCEPT',
  rules: [
    allowOutbound,
    {
      name: 'inbound: segments of existing connections (not SYN)',
      direction: 'inbound',
      protocol: 'tcp',
      tcpFlags: 'not-syn',
      action: 'ACCEPT',
    },
    ...exceptions,
    {
      name: 'inbound: block connections to ports above 1023',
      direction: 'inbound',
      protocol: 'tcp',
      dstPort: HIGH_PORTS,
      action: 'DROP',
    },
  ],
});

const clientStateful = (): FirewallConfig =>
  stateful([allowOutbound, allowEstablished, dropInbound]);

const serverOnly21 = (extra: FirewallRule[]): FirewallConfig =>
  stateful([
    {
      name: 'inbound: FTP control, port 21',
      direction: 'inbound',
      protocol: 'tcp',
      dstPort: { from: 21, to: 21 },
      state: ['NEW'],
      action: 'ACCEPT',
    },
    ...extra,
    allowEstablished,
    allowOutbound,
    dropInbound,
  ]);

export const FIREWALL_PRESETS: FirewallPreset[] = [
  {
    id: 'none',
    title: 'No firewall',
    description: 'A plain router: every packet is forwarded.',
    side: 'client',
    build: () => ({ firewall: null, nat: false, ftpHelper: false }),
  },
  {
    id: 'stateful',
    title: 'Stateful: outbound allowed, inbound only established/related',
    description:
      'The usual home or office firewall: the LAN may open any connection; from outside only replies to those connections get in.',
    side: 'client',
    build: () => ({ firewall: clientStateful(), nat: false, ftpHelper: false }),
  },
  {
    id: 'stateful-helper',
    title: 'Stateful with the FTP helper',
    description:
      "The same, with netfilter's FTP helper reading PORT/EPRT on port 21 and expecting the data connection, which then arrives as RELATED.",
    side: 'client',
    build: () => ({ firewall: clientStateful(), nat: false, ftpHelper: true }),
  },
  {
    id: 'stateful-sport20',
    title: 'Stateful, plus the classic hole "tcp sport 20 accept"',
    description:
      "A stateful firewall that also lets in any new connection from source port 20, the rule written for active FTP: it admits vsftpd's data connection (connect_from_port_20) but not pyftpdlib's, which leaves from an ephemeral port, and it admits anyone else who sends from port 20.",
    side: 'client',
    build: () => ({
      firewall: stateful([
        allowOutbound,
        allowEstablished,
        {
          name: 'inbound: FTP data from source port 20',
          direction: 'inbound',
          protocol: 'tcp',
          srcPort: { from: 20, to: 20 },
          state: ['NEW'],
          action: 'ACCEPT',
        },
        dropInbound,
      ]),
      nat: false,
      ftpHelper: false,
    }),
  },
  {
    id: 'stateless-high-ports',
    title: 'Stateless: inbound connections to ports above 1023 blocked',
    description:
      'A packet filter without connection tracking: inbound segments with ACK set (replies) pass, inbound SYNs to ports 1024-65535 are dropped.',
    side: 'client',
    build: () => ({
      firewall: stateless([]),
      nat: false,
      ftpHelper: false,
    }),
  },
  {
    id: 'stateless-allow-port-20',
    title: 'Stateless, with the classic hole for active FTP (source port 20)',
    description:
      'The old workaround: let in any connection from source port 20 to a high port. Active FTP works, and so does any attacker who sends from port 20.',
    side: 'client',
    build: () => ({
      firewall: stateless([
        {
          name: 'inbound: FTP data from source port 20',
          direction: 'inbound',
          protocol: 'tcp',
          srcPort: { from: 20, to: 20 },
          dstPort: HIGH_PORTS,
          action: 'ACCEPT',
        },
      ]),
      nat: false,
      ftpHelper: false,
    }),
  },
  {
    id: 'none',
    title: 'No firewall',
    description: 'A plain router: every packet is forwarded.',
    side: 'server',
    build: () => ({ firewall: null, nat: false, ftpHelper: false }),
  },
  {
    id: 'only-21',
    title: 'Only port 21 open (+ established)',
    description:
      'Inbound new connections only to port 21; replies get back in; the server may connect out.',
    side: 'server',
    build: () => ({ firewall: serverOnly21([]), nat: false, ftpHelper: false }),
  },
  {
    id: 'only-21-passive-range',
    title: 'Port 21 and the passive port range open',
    description:
      'As only-21, plus inbound new connections to the passive ports the server is configured to use.',
    side: 'server',
    build: (passivePorts) => ({
      firewall: serverOnly21([
        {
          name: `inbound: passive data ports ${passivePorts.from}-${passivePorts.to}`,
          direction: 'inbound',
          protocol: 'tcp',
          dstPort: passivePorts,
          state: ['NEW'],
          action: 'ACCEPT',
        },
      ]),
      nat: false,
      ftpHelper: false,
    }),
  },
  {
    id: 'stateful-helper',
    title: 'Only port 21 open, with the FTP helper',
    description:
      "As only-21, with netfilter's FTP helper reading 227/229 replies so the client's passive data connection arrives as RELATED.",
    side: 'server',
    build: () => ({ firewall: serverOnly21([]), nat: false, ftpHelper: true }),
  },
];

export function firewallPreset(side: 'client' | 'server', id: string): FirewallPreset | undefined {
  return FIREWALL_PRESETS.find((p) => p.side === side && p.id === id);
}

export function firewallPresetIds(side: 'client' | 'server'): string[] {
  return FIREWALL_PRESETS.filter((p) => p.side === side).map((p) => p.id);
}

export const DEFAULT_PASSIVE_PORTS: PortRange = { from: 40000, to: 40099 };

export function defaultScenario(): Scenario {
  return {
    mode: 'active',
    type: 'ascii',
    commands: ['LIST', 'RETR notes.txt'],
    pasvAddress: 'trust',
    client: { user: 'student', password: 'secret' },
    server: {
      passivePorts: { ...DEFAULT_PASSIVE_PORTS },
      advertise: 'private',
      activeSourcePort: 20,
    },
    clientSide: { firewall: null, nat: false, ftpHelper: false },
    serverSide: { firewall: null, nat: false, ftpHelper: false },
  };
}

/** Turns every DROP rule into REJECT (iptables' default answer, ICMP port unreachable). */
export function withReject(side: SideConfig): SideConfig {
  if (!side.firewall) return side;
  return {
    ...side,
    firewall: {
      ...side.firewall,
      rules: side.firewall.rules.map((r) =>
        r.action === 'DROP'
          ? {
              ...r,
              action: 'REJECT',
              name: r.name.replace(/\bdrop\b/, 'reject').replace(/\bblock\b/, 'reject'),
            }
          : r,
      ),
    },
  };
}

export interface NetworkPreset {
  id: string;
  title: string;
  description: string;
  apply(base: Scenario): Scenario;
}

function sides(
  client: string,
  server: string,
  extra: {
    clientNat?: boolean;
    serverNat?: boolean;
    clientHelper?: boolean;
    serverHelper?: boolean;
    reject?: boolean;
    advertise?: 'private' | 'public';
  } = {},
) {
  return (base: Scenario): Scenario => {
    let clientSide = firewallPreset('client', client)!.build(base.server.passivePorts);
    let serverSide = firewallPreset('server', server)!.build(base.server.passivePorts);
    clientSide = {
      ...clientSide,
      nat: extra.clientNat ?? false,
      ftpHelper: extra.clientHelper ?? clientSide.ftpHelper,
    };
    serverSide = {
      ...serverSide,
      nat: extra.serverNat ?? false,
      ftpHelper: extra.serverHelper ?? serverSide.ftpHelper,
    };
    if (extra.reject) {
      clientSide = withReject(clientSide);
      serverSide = withReject(serverSide);
    }
    return {
      ...base,
      clientSide,
      serverSide,
      server: { ...base.server, advertise: extra.advertise ?? 'private' },
    };
  };
}

/** Whole-network situations a learner recognises; each fixes both sides. */
export const NETWORK_PRESETS: NetworkPreset[] = [
  {
    id: 'no-firewall',
    title: 'No firewall anywhere',
    description: 'Both routers forward everything.',
    apply: sides('none', 'none'),
  },
  {
    id: 'client-stateful',
    title: 'Client behind a stateful firewall',
    description: 'Outbound allowed, inbound only established/related, no helper.',
    apply: sides('stateful', 'none'),
  },
  {
    id: 'client-stateful-reject',
    title: 'Client behind a stateful firewall that rejects',
    description: 'As client-stateful, but blocked packets are answered with ICMP port unreachable.',
    apply: sides('stateful', 'none', { reject: true }),
  },
  {
    id: 'client-stateful-helper',
    title: 'Client firewall with the FTP helper',
    description:
      "The client firewall reads PORT/EPRT and lets the server's data connection in as RELATED.",
    apply: sides('stateful-helper', 'none'),
  },
  {
    id: 'client-stateless',
    title: 'Client behind a stateless filter',
    description: 'Inbound SYNs to ports above 1023 are dropped.',
    apply: sides('stateless-high-ports', 'none'),
  },
  {
    id: 'client-stateless-port-20',
    title: 'Client stateless filter with the port-20 hole',
    description: 'Inbound connections from source port 20 are let in.',
    apply: sides('stateless-allow-port-20', 'none'),
  },
  {
    id: 'server-only-21',
    title: 'Server firewall: only port 21',
    description: 'Inbound only to port 21 and established/related.',
    apply: sides('none', 'only-21'),
  },
  {
    id: 'server-only-21-reject',
    title: 'Server firewall: only port 21, rejecting',
    description: 'As server-only-21, but blocked packets are answered with ICMP port unreachable.',
    apply: sides('none', 'only-21', { reject: true }),
  },
  {
    id: 'server-passive-range',
    title: 'Server firewall: port 21 and the passive range',
    description: 'The passive port range is opened as well.',
    apply: sides('none', 'only-21-passive-range'),
  },
  {
    id: 'server-stateful-helper',
    title: 'Server firewall with the FTP helper',
    description:
      'Only port 21 open; the helper reads 227/229 and lets the passive connection in as RELATED.',
    apply: sides('none', 'stateful-helper'),
  },
  {
    id: 'both-stateful',
    title: 'Stateful firewalls on both sides, no helpers',
    description: 'The client firewall stops active mode; the server firewall stops passive mode.',
    apply: sides('stateful', 'only-21'),
  },
  {
    id: 'both-stateful-helper',
    title: 'Stateful firewalls on both sides, with helpers',
    description: 'Both helpers on: every mode works.',
    apply: sides('stateful-helper', 'stateful-helper'),
  },
  {
    id: 'client-nat',
    title: 'Client behind a home router (NAT), no helper',
    description: 'Masquerade only: PORT names a private address.',
    apply: sides('stateful', 'none', { clientNat: true }),
  },
  {
    id: 'client-nat-helper',
    title: 'Client behind NAT with the FTP helper',
    description:
      'The helper rewrites PORT/EPRT to the public address and expects the data connection.',
    apply: sides('stateful', 'none', { clientNat: true, clientHelper: true }),
  },
  {
    id: 'server-nat-private',
    title: 'Server behind NAT advertising its private address',
    description: 'Port 21 and the passive range are forwarded; the 227 reply names 10.0.0.20.',
    apply: sides('none', 'none', { serverNat: true, advertise: 'private' }),
  },
  {
    id: 'server-nat-public',
    title: 'Server behind NAT advertising its public address',
    description:
      'As server-nat-private, with the server configured (pasv_address) to name its public address.',
    apply: sides('none', 'none', { serverNat: true, advertise: 'public' }),
  },
  {
    id: 'server-nat-helper',
    title: 'Server behind NAT with the FTP helper',
    description: 'The helper rewrites the private address in 227 to the public one.',
    apply: sides('none', 'none', { serverNat: true, serverHelper: true, advertise: 'private' }),
  },
];

export function networkPreset(id: string): NetworkPreset | undefined {
  return NETWORK_PRESETS.find((p) => p.id === id);
}
