import {
  defaultScenario,
  firewallPreset,
  firewallPresetIds,
  NETWORK_PRESETS,
  networkPreset,
  withReject,
} from '../scenario/presets';
import { validateScenario } from '../scenario/validate';
import { REJECT_KINDS, rejectEverywhere } from '../scenario/reject-with';
import {
  CLIENT_PROGRAMS,
  SERVER_PROGRAMS,
  TCP_STACKS,
  type Scenario,
  type SideConfig,
} from '../scenario/types';
import type { FirewallRule, PortRange } from '../network/firewall';
import { DataError, quoted, type DataEntry, type DataNode, type Scalar } from './block-data';

/**
 * A lesson's scenario is written as a network preset plus the few settings the step is about:
 *
 *   preset: client-stateful
 *   mode: passive
 *   commands: [LIST, RETR notes.txt]
 *
 * Each key below is one thing a learner could flip in the switchboard. Keys apply in the order
 * of this table (preset first, reject last), whatever order the author wrote them in.
 */
const KEYS = [
  'preset',
  'clientFirewall',
  'serverFirewall',
  'mode',
  'type',
  'commands',
  'pasvAddress',
  'clientProgram',
  'serverProgram',
  'user',
  'password',
  'passivePorts',
  'advertise',
  'activeSourcePort',
  'clientNat',
  'serverNat',
  'clientHelper',
  'serverHelper',
  'clientOpenPorts',
  'serverOpenPorts',
  'reject',
  'tcp',
  'serverNatForward',
  'rejectWith',
] as const;

export type ScenarioKey = (typeof KEYS)[number];

export const SCENARIO_KEYS: readonly string[] = KEYS;

function expectString(node: DataNode, what: string): string {
  if (node.kind !== 'scalar' || typeof node.value !== 'string')
    throw new DataError(node.line, `expected ${what}`);
  return node.value;
}

function expectOneOf<T extends string>(node: DataNode, key: string, values: readonly T[]): T {
  const value = node.kind === 'scalar' ? String(node.value) : '';
  if (!(values as readonly string[]).includes(value))
    throw new DataError(
      node.line,
      `${key} must be one of ${values.map((v) => `"${v}"`).join(', ')}${value ? `, not ${quoted(value)}` : ''}`,
    );
  return value as T;
}

function expectBoolean(node: DataNode, key: string): boolean {
  if (node.kind !== 'scalar' || typeof node.value !== 'boolean')
    throw new DataError(node.line, `${key} must be true or false`);
  return node.value;
}

function expectPort(node: DataNode, key: string): number {
  const value = node.kind === 'scalar' ? node.value : NaN;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535)
    throw new DataError(node.line, `${key} must be a port number from 1 to 65535`);
  return value;
}

function scalars(node: DataNode, key: string): Scalar[] {
  if (node.kind === 'list') {
    return node.items.map((item) => {
      if (item.kind !== 'scalar') throw new DataError(item.line, `${key} lists plain values`);
      return item.value;
    });
  }
  if (node.kind === 'scalar') return [node.value];
  throw new DataError(node.line, `${key} must be a list like [LIST, RETR notes.txt]`);
}

function parsePorts(node: DataNode, key: string): PortRange {
  const text = node.kind === 'scalar' ? String(node.value) : '';
  const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(text);
  const from = Number(match?.[1]);
  const to = Number(match?.[2] ?? match?.[1]);
  if (!match || from < 1 || to > 65535 || from > to)
    throw new DataError(
      node.line,
      `${key} must be a port or a range like 1024-65535 within 1-65535${text ? `, not ${quoted(text)}` : ''}`,
    );
  return { from, to };
}

/**
 * What a learner does in the rule editor to let connections in: an ACCEPT rule for new inbound
 * connections to these ports, placed just before the firewall's first inbound DROP or REJECT.
 */
function withOpenPorts(side: SideConfig, ports: PortRange, key: string, line: number): SideConfig {
  const firewall = side.firewall;
  if (!firewall) throw new DataError(line, `${key} needs a firewall on that side to add a rule to`);
  const rule: FirewallRule = {
    name: `inbound: new connections to ports ${ports.from}-${ports.to}`,
    direction: 'inbound',
    protocol: 'tcp',
    dstPort: ports,
    ...(firewall.stateful ? { state: ['NEW' as const] } : {}),
    action: 'ACCEPT',
  };
  const at = firewall.rules.findIndex((r) => r.action !== 'ACCEPT' && r.direction !== 'outbound');
  const rules = [...firewall.rules];
  rules.splice(at < 0 ? rules.length : at, 0, rule);
  return { ...side, firewall: { ...firewall, rules } };
}

/** Applies one key; `scenario` is a fresh copy the function may change. */
function applyKey(scenario: Scenario, key: ScenarioKey, node: DataNode): Scenario {
  switch (key) {
    case 'preset': {
      const id = expectString(node, 'a network preset name');
      const preset = networkPreset(id);
      if (!preset)
        throw new DataError(
          node.line,
          `no network preset ${quoted(id)}; presets: ${NETWORK_PRESETS.map((p) => p.id).join(', ')}`,
        );
      return preset.apply(scenario);
    }
    case 'clientFirewall':
    case 'serverFirewall': {
      const side = key === 'clientFirewall' ? 'client' : 'server';
      const id = expectOneOf(node, key, firewallPresetIds(side));
      const built = firewallPreset(side, id)!.build(scenario.server.passivePorts);
      const current = side === 'client' ? scenario.clientSide : scenario.serverSide;
      // As the switchboard does: the preset decides the helper, unless it has no firewall at all.
      const next = {
        ...built,
        nat: current.nat,
        ftpHelper: built.firewall ? built.ftpHelper : current.ftpHelper,
      };
      return side === 'client'
        ? { ...scenario, clientSide: next }
        : { ...scenario, serverSide: next };
    }
    case 'mode':
      return { ...scenario, mode: expectOneOf(node, key, ['active', 'passive', 'eprt', 'epsv']) };
    case 'type':
      return { ...scenario, type: expectOneOf(node, key, ['ascii', 'binary']) };
    case 'commands': {
      const commands = scalars(node, key).map(String);
      if (commands.length === 0) throw new DataError(node.line, 'commands must not be empty');
      return { ...scenario, commands };
    }
    case 'pasvAddress':
      return { ...scenario, pasvAddress: expectOneOf(node, key, ['trust', 'ignore']) };
    case 'clientProgram':
      return {
        ...scenario,
        client: { ...scenario.client, program: expectOneOf(node, key, CLIENT_PROGRAMS) },
      };
    case 'serverProgram':
      return {
        ...scenario,
        server: { ...scenario.server, program: expectOneOf(node, key, SERVER_PROGRAMS) },
      };
    case 'user':
      return {
        ...scenario,
        client: { ...scenario.client, user: expectString(node, 'a user name') },
      };
    case 'password':
      return {
        ...scenario,
        client: { ...scenario.client, password: String(node.kind === 'scalar' ? node.value : '') },
      };
    case 'passivePorts': {
      const text = node.kind === 'scalar' ? String(node.value) : '';
      const match = /^(\d+)\s*-\s*(\d+)$/.exec(text);
      const from = Number(match?.[1]);
      const to = Number(match?.[2]);
      if (!match || from < 1024 || to > 65535 || from > to)
        throw new DataError(
          node.line,
          `passivePorts must be a range like 40000-40099 within 1024-65535, from ≤ to${text ? `, not ${quoted(text)}` : ''}`,
        );
      return { ...scenario, server: { ...scenario.server, passivePorts: { from, to } } };
    }
    case 'advertise':
      return {
        ...scenario,
        server: { ...scenario.server, advertise: expectOneOf(node, key, ['private', 'public']) },
      };
    case 'activeSourcePort':
      return {
        ...scenario,
        server: { ...scenario.server, activeSourcePort: expectPort(node, key) },
      };
    case 'clientNat':
      return { ...scenario, clientSide: { ...scenario.clientSide, nat: expectBoolean(node, key) } };
    case 'serverNat':
      return { ...scenario, serverSide: { ...scenario.serverSide, nat: expectBoolean(node, key) } };
    case 'clientHelper':
      return {
        ...scenario,
        clientSide: { ...scenario.clientSide, ftpHelper: expectBoolean(node, key) },
      };
    case 'tcp':
      return { ...scenario, tcp: expectOneOf(node, key, TCP_STACKS) };
    // As `npm run sim -- --reject-with`: every DROP rule becomes REJECT, answered with this.
    case 'rejectWith':
      return rejectEverywhere(scenario, expectOneOf(node, key, REJECT_KINDS));
    case 'serverNatForward':
      return {
        ...scenario,
        serverSide: {
          ...scenario.serverSide,
          natForward: expectOneOf(node, key, ['21', '21+passive'] as const),
        },
      };
    case 'serverHelper':
      return {
        ...scenario,
        serverSide: { ...scenario.serverSide, ftpHelper: expectBoolean(node, key) },
      };
    case 'clientOpenPorts':
    case 'serverOpenPorts': {
      const side = key === 'clientOpenPorts' ? 'clientSide' : 'serverSide';
      return {
        ...scenario,
        [side]: withOpenPorts(scenario[side], parsePorts(node, key), key, node.line),
      };
    }
    case 'reject':
      return expectBoolean(node, key)
        ? {
            ...scenario,
            clientSide: withReject(scenario.clientSide),
            serverSide: withReject(scenario.serverSide),
          }
        : scenario;
  }
}

/**
 * Builds a scenario from a block's entries on top of `base` (the default network, or the previous
 * step's). Entries whose keys are not scenario keys are left for the caller (`expect:`), and
 * `ignore` names them; any other unknown key is an error naming the keys that exist.
 */
export function applyScenarioEntries(
  base: Scenario,
  entries: readonly DataEntry[],
  ignore: readonly string[] = [],
): Scenario {
  for (const entry of entries) {
    if (!SCENARIO_KEYS.includes(entry.key) && !ignore.includes(entry.key))
      throw new DataError(
        entry.line,
        `unknown scenario setting ${quoted(entry.key)}; settings: ${[...SCENARIO_KEYS, ...ignore].join(', ')}`,
      );
  }
  let scenario = structuredClone(base);
  for (const key of KEYS) {
    const entry = entries.find((e) => e.key === key);
    if (entry) scenario = applyKey(scenario, key, entry.value);
  }
  const checked = validateScenario(scenario);
  if (!checked.ok)
    throw new DataError(entries[0]?.line ?? 0, `the scenario is invalid: ${checked.error}`);
  return checked.value;
}

export function baseScenario(): Scenario {
  return defaultScenario();
}
