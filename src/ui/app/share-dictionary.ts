/**
 * The fixed reference a compressed share link (`#z=`) is written against: a link holds only what
 * differs from SHARE_BASE, and a rule or a whole firewall that is one of the presets' as they were
 * written in December 2026 is a number into SHARE_RULES or SHARE_FIREWALLS. That is what makes a
 * link a tenth of the plain JSON's length.
 *
 * Never edit these: every link already shared was written against them, and the presets may
 * change without changing what an old link means. A new reference needs a new link parameter
 * (url-state.ts) and these kept beside it. They are typed as plain data, not as Scenario or
 * FirewallRule, for the same reason: the types may grow, these stay what they were.
 */

export const SHARE_BASE: Readonly<Record<string, unknown>> = {
  mode: 'active',
  type: 'ascii',
  commands: ['LIST', 'RETR notes.txt'],
  pasvAddress: 'trust',
  client: {
    user: 'student',
    password: 'secret',
  },
  server: {
    passivePorts: {
      from: 40000,
      to: 40099,
    },
    advertise: 'private',
    activeSourcePort: 20,
  },
  clientSide: {
    firewall: null,
    nat: false,
    ftpHelper: false,
  },
  serverSide: {
    firewall: null,
    nat: false,
    ftpHelper: false,
  },
};

export const SHARE_RULES: readonly Readonly<Record<string, unknown>>[] = [
  {
    name: 'outbound: allow new and existing connections',
    action: 'ACCEPT',
    direction: 'outbound',
  },
  {
    name: 'inbound: only established/related',
    action: 'ACCEPT',
    direction: 'inbound',
    state: ['ESTABLISHED', 'RELATED'],
  },
  {
    name: 'inbound: drop everything else',
    action: 'DROP',
    direction: 'inbound',
  },
  {
    name: 'inbound: reject everything else',
    action: 'REJECT',
    direction: 'inbound',
  },
  {
    name: 'inbound: segments of existing connections (not SYN)',
    action: 'ACCEPT',
    direction: 'inbound',
    protocol: 'tcp',
    tcpFlags: 'not-syn',
  },
  {
    name: 'inbound: block connections to ports above 1023',
    action: 'DROP',
    direction: 'inbound',
    protocol: 'tcp',
    dstPort: {
      from: 1024,
      to: 65535,
    },
  },
  {
    name: 'inbound: reject connections to ports above 1023',
    action: 'REJECT',
    direction: 'inbound',
    protocol: 'tcp',
    dstPort: {
      from: 1024,
      to: 65535,
    },
  },
  {
    name: 'inbound: FTP data from source port 20',
    action: 'ACCEPT',
    direction: 'inbound',
    protocol: 'tcp',
    srcPort: {
      from: 20,
      to: 20,
    },
    dstPort: {
      from: 1024,
      to: 65535,
    },
  },
  {
    name: 'inbound: FTP control, port 21',
    action: 'ACCEPT',
    direction: 'inbound',
    protocol: 'tcp',
    dstPort: {
      from: 21,
      to: 21,
    },
    state: ['NEW'],
  },
  {
    name: 'inbound: passive data ports 40000-40099',
    action: 'ACCEPT',
    direction: 'inbound',
    protocol: 'tcp',
    dstPort: {
      from: 40000,
      to: 40099,
    },
    state: ['NEW'],
  },
];

/** Each preset firewall once, its rules as indices into SHARE_RULES. */
export const SHARE_FIREWALLS: readonly {
  stateful: boolean;
  policy: 'ACCEPT' | 'DROP';
  rules: number[];
}[] = [
  { stateful: true, policy: 'DROP', rules: [0, 1, 2] },
  { stateful: true, policy: 'DROP', rules: [0, 1, 3] },
  { stateful: false, policy: 'ACCEPT', rules: [0, 4, 5] },
  { stateful: false, policy: 'ACCEPT', rules: [0, 4, 6] },
  { stateful: false, policy: 'ACCEPT', rules: [0, 4, 7, 5] },
  { stateful: false, policy: 'ACCEPT', rules: [0, 4, 7, 6] },
  { stateful: true, policy: 'DROP', rules: [8, 1, 0, 2] },
  { stateful: true, policy: 'DROP', rules: [8, 1, 0, 3] },
  { stateful: true, policy: 'DROP', rules: [8, 9, 1, 0, 2] },
  { stateful: true, policy: 'DROP', rules: [8, 9, 1, 0, 3] },
];
