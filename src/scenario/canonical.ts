import type { FirewallConfig, FirewallRule, PortRange } from '../network/firewall';
import { DEFAULT_PROGRAMS, type Scenario, type SideConfig } from './types';

/**
 * A scenario with its keys in one fixed order, so that equal scenarios serialise to equal text
 * however they were built: a preset, a click that spreads `{ ...scenario, mode }`, a file, a
 * share link, a lesson block. `JSON.stringify` writes keys in insertion order, and the
 * simulation's seed is a hash of that text (issue 11 item 12).
 *
 * The order is the one validateScenario has always produced (it returns this function's
 * result), so every scenario that came through validation keeps its seed and its trace.
 */

/** The same fields as schema.ts's RULE_FIELDS (test/scenario/rule-fields.test.ts), in this order. */
export const RULE_KEYS: (keyof FirewallRule)[] = [
  'name',
  'action',
  'direction',
  'protocol',
  'src',
  'dst',
  'srcPort',
  'dstPort',
  'tcpFlags',
  'state',
  'rejectWith',
];

function range({ from, to }: PortRange): PortRange {
  return { from, to };
}

function rule(input: FirewallRule): FirewallRule {
  const out: Record<string, unknown> = {};
  for (const key of RULE_KEYS) {
    const value = input[key];
    if (value === undefined) continue;
    out[key] =
      key === 'srcPort' || key === 'dstPort'
        ? range(value as PortRange)
        : key === 'state'
          ? [...(value as string[])]
          : value;
  }
  return out as unknown as FirewallRule;
}

function firewall(input: FirewallConfig | null): FirewallConfig | null {
  if (input === null) return null;
  return { stateful: input.stateful, policy: input.policy, rules: input.rules.map(rule) };
}

function side(input: SideConfig): SideConfig {
  return {
    firewall: firewall(input.firewall),
    nat: input.nat,
    ftpHelper: input.ftpHelper,
    ...(input.natForward === '21' ? { natForward: input.natForward } : {}),
  };
}

/**
 * The programs (issue 13) are written only when they are not the default, last in their object:
 * a scenario that names none, or names the defaults, has the same text as before they existed.
 */
export function canonicalScenario(scenario: Scenario): Scenario {
  const { program: client } = scenario.client;
  const { program: server, timeouts } = scenario.server;
  const { tcp } = scenario;
  return {
    mode: scenario.mode,
    type: scenario.type,
    commands: [...scenario.commands],
    pasvAddress: scenario.pasvAddress,
    client: {
      user: scenario.client.user,
      password: scenario.client.password,
      ...(client && client !== DEFAULT_PROGRAMS.client ? { program: client } : {}),
    },
    server: {
      passivePorts: range(scenario.server.passivePorts),
      advertise: scenario.server.advertise,
      activeSourcePort: scenario.server.activeSourcePort,
      ...(server && server !== DEFAULT_PROGRAMS.server ? { program: server } : {}),
      ...(timeouts ? { timeouts: { connectS: timeouts.connectS, acceptS: timeouts.acceptS } } : {}),
    },
    clientSide: side(scenario.clientSide),
    serverSide: side(scenario.serverSide),
    ...(tcp && tcp !== DEFAULT_PROGRAMS.tcp ? { tcp } : {}),
  };
}

/**
 * The text the simulation's seed hashes: the network without the programs, so one network played
 * by curl and by lftp gets the same ports and sequence numbers, and only the programs differ.
 */
export function seedText(scenario: Scenario): string {
  const network = canonicalScenario(scenario);
  delete network.client.program;
  delete network.server.program;
  delete network.server.timeouts;
  delete network.tcp;
  return JSON.stringify(network);
}
