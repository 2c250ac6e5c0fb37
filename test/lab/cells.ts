import type { RejectWith } from '../../src/network/firewall';
import { DATA_MODES, type Scenario } from '../../src/scenario/types';
import { defaultScenario, NETWORK_PRESETS } from '../../src/scenario/presets';
import type { LabClient, LabServer } from '../../src/lab/programs';

/**
 * The cells the lab suite runs on the real kernel and in the simulation: every network preset in
 * every mode, each blocking preset with each REJECT kind, binary transfers and uploads, and the
 * client's 227 policy behind server NAT.
 */

export interface Cell {
  name: string;
  scenario: Scenario;
  client: LabClient;
  server?: LabServer;
}

export const REJECT_KINDS: readonly RejectWith[] = [
  'tcp-reset',
  'icmp-port-unreachable',
  'icmp-admin-prohibited',
];

/** Every DROP rule on both sides becomes REJECT with `kind` (policies stay DROP: nftables has no REJECT policy). */
export function rejecting(scenario: Scenario, kind: RejectWith): Scenario {
  const side = (config: Scenario['clientSide']): Scenario['clientSide'] => ({
    ...config,
    firewall: config.firewall && {
      ...config.firewall,
      rules: config.firewall.rules.map((rule) =>
        rule.action === 'DROP' ? { ...rule, action: 'REJECT', rejectWith: kind } : rule,
      ),
    },
  });
  return {
    ...scenario,
    clientSide: side(scenario.clientSide),
    serverSide: side(scenario.serverSide),
  };
}

const BLOCKING = ['client-stateful', 'client-stateless', 'server-only-21', 'both-stateful'];

export function labCells(): Cell[] {
  const cells: Cell[] = [];
  const preset = (id: string) => NETWORK_PRESETS.find((p) => p.id === id)!;
  for (const network of NETWORK_PRESETS) {
    for (const mode of DATA_MODES) {
      cells.push({
        name: `${network.id} ${mode}`,
        scenario: { ...network.apply(defaultScenario()), mode },
        client: 'rfc959',
      });
    }
  }
  for (const id of BLOCKING) {
    for (const kind of REJECT_KINDS) {
      for (const mode of DATA_MODES) {
        cells.push({
          name: `${id} ${mode} reject ${kind}`,
          scenario: rejecting({ ...preset(id).apply(defaultScenario()), mode }, kind),
          client: 'rfc959',
        });
      }
    }
  }
  for (const id of [
    'no-firewall',
    'client-stateful-helper',
    'server-passive-range',
    'client-nat-helper',
  ]) {
    for (const mode of DATA_MODES) {
      cells.push({
        name: `${id} ${mode} binary RETR+STOR`,
        scenario: {
          ...preset(id).apply(defaultScenario()),
          mode,
          type: 'binary',
          commands: ['RETR logo.png', 'STOR upload.bin'],
        },
        client: 'rfc959',
      });
    }
  }
  for (const id of ['server-nat-private', 'server-nat-public', 'server-nat-helper']) {
    cells.push({
      name: `${id} passive pasv-address ignore`,
      scenario: { ...preset(id).apply(defaultScenario()), mode: 'passive', pasvAddress: 'ignore' },
      client: 'rfc959',
    });
  }
  // curl never trusts a 227's address (7.74 and later skip it), so its cells simulate 'ignore'.
  for (const network of NETWORK_PRESETS) {
    for (const mode of DATA_MODES) {
      cells.push({
        name: `${network.id} ${mode} curl`,
        scenario: { ...network.apply(defaultScenario()), mode, pasvAddress: 'ignore' },
        client: 'curl',
      });
    }
  }
  // pyftpdlib in active mode (where it differs from vsftpd: it connects from an ephemeral port),
  // and Python's ftplib, which never trusts a 227's address, in the modes it uses over IPv4.
  for (const network of NETWORK_PRESETS) {
    cells.push({
      name: `${network.id} active pyftpdlib`,
      scenario: { ...network.apply(defaultScenario()), mode: 'active' },
      client: 'rfc959',
      server: 'pyftpdlib',
    });
  }
  for (const id of [
    'no-firewall',
    'client-stateful',
    'server-only-21-reject',
    'server-passive-range',
    'client-nat',
    'server-nat-private',
  ]) {
    for (const mode of ['active', 'passive'] as const) {
      cells.push({
        name: `${id} ${mode} ftplib`,
        scenario: { ...preset(id).apply(defaultScenario()), mode, pasvAddress: 'ignore' },
        client: 'ftplib',
      });
    }
  }
  return cells;
}
