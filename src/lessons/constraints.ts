import type { FirewallConfig, FirewallRule, PortRange } from '../network/firewall';
import { ruleLabel } from '../scenario/trace';
import { canonicalScenario } from '../scenario/canonical';
import { programsOf, type Scenario } from '../scenario/types';
import { DataError, quoted, type DataEntry, type DataNode, type MapNode } from './block-data';

/**
 * What a task asks besides its outcome ("open only the ports the server uses", "without changing
 * anything on the client's side", "without trusting a source port"), as data in the task block:
 *
 *   constraints:
 *     change: [serverSide]            settings the learner may change; everything else stays
 *     openPorts: passive-range        new inbound connections to the server: port 21 and its range
 *     mustNotAdd: [source-port]       rules the learner's network must not have (refused)
 *     warnIfAdded: [source-port]      rules that are accepted with a warning a later lesson gives
 *     wrong:                          known wrong solutions, which the check must refuse or warn
 *       opens every high port:
 *         serverOpenPorts: 1024-65535
 *
 * The lesson checker runs the solution (it must pass without a warning) and every wrong one.
 */

/** One thing a learner can change, as the task's "change:" list names it. */
export const SETTINGS = {
  clientFirewall: "the client's firewall",
  clientHelper: "the FTP helper on the client's router",
  clientNat: "NAT on the client's router",
  serverFirewall: "the server's firewall",
  serverHelper: "the FTP helper on the server's router",
  serverNat: "NAT on the server's router",
  serverNatForward: "the ports the server's router forwards",
  tcp: "the hosts' TCP stack",
  mode: 'the data connection mode',
  type: 'the transfer type',
  commands: "the client's commands",
  pasvAddress: 'where the client connects after a 227 reply',
  login: 'the login',
  passivePorts: "the server's passive port range",
  advertise: 'the address the server writes in 227',
  activeSourcePort: 'the port the server connects from in active mode',
  clientProgram: 'which program plays the client',
  serverProgram: 'which program plays the server',
} as const;

export type Setting = keyof typeof SETTINGS;

/** Names for several settings at once: a side's router, or one program's configuration. */
export const SETTING_GROUPS: Record<string, { says: string; settings: Setting[] }> = {
  clientSide: {
    says: "the client's router",
    settings: ['clientFirewall', 'clientHelper', 'clientNat'],
  },
  serverSide: {
    says: "the server's router",
    settings: ['serverFirewall', 'serverHelper', 'serverNat', 'serverNatForward'],
  },
  client: {
    says: 'the client program',
    settings: ['mode', 'type', 'commands', 'pasvAddress', 'login', 'clientProgram'],
  },
  server: {
    says: 'the FTP server',
    settings: ['passivePorts', 'advertise', 'activeSourcePort', 'serverProgram'],
  },
};

const READ: Record<Setting, (s: Scenario) => unknown> = {
  clientFirewall: (s) => s.clientSide.firewall,
  clientHelper: (s) => s.clientSide.ftpHelper,
  clientNat: (s) => s.clientSide.nat,
  serverFirewall: (s) => s.serverSide.firewall,
  serverHelper: (s) => s.serverSide.ftpHelper,
  serverNat: (s) => s.serverSide.nat,
  serverNatForward: (s) => s.serverSide.natForward ?? '21+passive',
  // Both hosts' kernel: no one side's setting, so only a task naming it lets it change.
  tcp: (s) => programsOf(s).tcp,
  mode: (s) => s.mode,
  type: (s) => s.type,
  commands: (s) => s.commands,
  pasvAddress: (s) => s.pasvAddress,
  login: (s) => [s.client.user, s.client.password],
  passivePorts: (s) => s.server.passivePorts,
  advertise: (s) => s.server.advertise,
  activeSourcePort: (s) => s.server.activeSourcePort,
  // Another program behaves differently on the same network (curl ignores the 227 address).
  clientProgram: (s) => programsOf(s).client,
  serverProgram: (s) => programsOf(s).server,
};

/** Kinds of rule a task can forbid or warn about. */
export const RULE_KINDS = {
  'source-port': {
    describe: (n: number, rule: FirewallRule) =>
      `${ruleLabel({ number: n, name: rule.name })}, lets in new connections because they come from port ${formatRange(rule.srcPort!)}, and anyone on the Internet can send from that port`,
    lesson: 12,
  },
} as const;

export type RuleKind = keyof typeof RULE_KINDS;

export type OpenPorts = 'passive-range' | 'control-only';

export interface TaskConstraints {
  /** The settings the learner may change; null when the task does not limit them. */
  change: Setting[] | null;
  /** What the server firewall may let in as new connections. */
  openPorts: OpenPorts | null;
  mustNotAdd: RuleKind[];
  warnIfAdded: RuleKind[];
  /** Known wrong solutions by name: the settings a learner might try. */
  wrong: { name: string; entries: DataEntry[]; line: number }[];
  line: number;
}

function names(node: DataNode, key: string): string[] {
  if (node.kind === 'list')
    return node.items.map((item) => {
      if (item.kind !== 'scalar') throw new DataError(item.line, `${key} lists plain names`);
      return String(item.value);
    });
  if (node.kind === 'scalar') return [String(node.value)];
  throw new DataError(node.line, `${key} must be a list like [serverSide, mode]`);
}

function ruleKinds(node: DataNode, key: string): RuleKind[] {
  return names(node, key).map((name) => {
    if (!(name in RULE_KINDS))
      throw new DataError(
        node.line,
        `${key}: no rule kind ${quoted(name)}; kinds: ${Object.keys(RULE_KINDS).join(', ')}`,
      );
    return name as RuleKind;
  });
}

const CONSTRAINT_KEYS = ['change', 'openPorts', 'mustNotAdd', 'warnIfAdded', 'wrong'];

/** Reads a task's `constraints:` block; every mistake names the line and what is allowed. */
export function parseConstraints(map: MapNode): TaskConstraints {
  const constraints: TaskConstraints = {
    change: null,
    openPorts: null,
    mustNotAdd: [],
    warnIfAdded: [],
    wrong: [],
    line: map.line,
  };
  for (const e of map.entries) {
    switch (e.key) {
      case 'change': {
        const settings = new Set<Setting>();
        for (const name of names(e.value, 'change')) {
          const group = SETTING_GROUPS[name];
          if (group) group.settings.forEach((s) => settings.add(s));
          else if (name in SETTINGS) settings.add(name as Setting);
          else
            throw new DataError(
              e.line,
              `change: no setting ${quoted(name)}; settings: ${[...Object.keys(SETTING_GROUPS), ...Object.keys(SETTINGS)].join(', ')}`,
            );
        }
        constraints.change = [...settings];
        break;
      }
      case 'openPorts': {
        const value = e.value.kind === 'scalar' ? String(e.value.value) : '';
        if (value !== 'passive-range' && value !== 'control-only')
          throw new DataError(
            e.line,
            `openPorts must be "passive-range" (port 21 and the server's passive range) or "control-only" (port 21)`,
          );
        constraints.openPorts = value;
        break;
      }
      case 'mustNotAdd':
        constraints.mustNotAdd = ruleKinds(e.value, 'mustNotAdd');
        break;
      case 'warnIfAdded':
        constraints.warnIfAdded = ruleKinds(e.value, 'warnIfAdded');
        break;
      case 'wrong':
        if (e.value.kind !== 'map')
          throw new DataError(
            e.line,
            'wrong: lists known wrong solutions, each a name with settings indented below it',
          );
        for (const w of e.value.entries) {
          if (w.value.kind !== 'map')
            throw new DataError(
              w.line,
              `the wrong solution ${quoted(w.key)} needs settings below it`,
            );
          constraints.wrong.push({ name: w.key, entries: w.value.entries, line: w.line });
        }
        break;
      default:
        throw new DataError(
          e.line,
          `unknown constraint ${quoted(e.key)}; constraints: ${CONSTRAINT_KEYS.join(', ')}`,
        );
    }
  }
  const stated =
    constraints.change !== null ||
    constraints.openPorts !== null ||
    constraints.mustNotAdd.length > 0 ||
    constraints.warnIfAdded.length > 0;
  if (!stated)
    throw new DataError(
      map.line,
      'constraints: state at least one of change, openPorts, mustNotAdd, warnIfAdded',
    );
  return constraints;
}

function formatRange(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

/** Whether the rule lets in new connections from outside (not only replies). */
function admitsNewInbound(firewall: FirewallConfig, rule: FirewallRule): boolean {
  if (rule.action !== 'ACCEPT' || rule.direction === 'outbound') return false;
  if (rule.tcpFlags === 'not-syn' || rule.protocol === 'icmp') return false;
  if (firewall.stateful && rule.state && !rule.state.includes('NEW')) return false;
  return true;
}

function hasKind(kind: RuleKind, firewall: FirewallConfig, rule: FirewallRule): boolean {
  switch (kind) {
    case 'source-port':
      return admitsNewInbound(firewall, rule) && rule.srcPort !== undefined;
  }
}

export interface ConstraintReport {
  /** Sentences saying what the learner's network does that the task rules out. */
  broken: string[];
  /** Sentences for what works but a later lesson warns against. */
  warnings: string[];
}

function changedSettings(start: Scenario, now: Scenario): Setting[] {
  // Canonical key order: a switchboard click and a lesson block build equal objects differently.
  const [before, after] = [canonicalScenario(start), canonicalScenario(now)];
  return (Object.keys(READ) as Setting[]).filter(
    (s) => JSON.stringify(READ[s](before)) !== JSON.stringify(READ[s](after)),
  );
}

function allowedSaying(change: readonly Setting[]): string {
  const groups = Object.values(SETTING_GROUPS).filter((g) =>
    g.settings.every((s) => change.includes(s)),
  );
  const covered = new Set(groups.flatMap((g) => g.settings));
  const parts = [
    ...groups.map((g) => g.says),
    ...change.filter((s) => !covered.has(s)).map((s) => SETTINGS[s]),
  ];
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}` : parts[0]!;
}

function sidesWithRules(scenario: Scenario) {
  return [
    { side: 'client' as const, firewall: scenario.clientSide.firewall },
    { side: 'server' as const, firewall: scenario.serverSide.firewall },
  ].filter((s): s is { side: 'client' | 'server'; firewall: FirewallConfig } => !!s.firewall);
}

/** Checks the learner's network against what the task rules out, in words for the learner. */
export function checkConstraints(
  constraints: TaskConstraints,
  start: Scenario,
  now: Scenario,
): ConstraintReport {
  const broken: string[] = [];
  const warnings: string[] = [];
  if (constraints.change) {
    const outside = changedSettings(start, now).filter((s) => !constraints.change!.includes(s));
    if (outside.length > 0)
      broken.push(
        `You changed ${outside.map((s) => SETTINGS[s]).join(' and ')}; this task lets you change only ${allowedSaying(constraints.change)}. Press "Start over" and leave the rest as it was.`,
      );
  }
  const server = now.serverSide.firewall;
  if (constraints.openPorts && server) {
    const range = now.server.passivePorts;
    const allowed: PortRange[] =
      constraints.openPorts === 'passive-range'
        ? [{ from: 21, to: 21 }, range]
        : [{ from: 21, to: 21 }];
    server.rules.forEach((rule, i) => {
      if (!admitsNewInbound(server, rule)) return;
      const ports = rule.dstPort ?? { from: 1, to: 65535 };
      if (allowed.some((a) => ports.from >= a.from && ports.to <= a.to)) return;
      broken.push(
        constraints.openPorts === 'passive-range'
          ? `Rule ${i + 1} of the server's firewall ("${rule.name}") lets in new connections to ports ${formatRange(ports)}, but the server uses only ${formatRange(range)} for passive data: open only those.`
          : `Rule ${i + 1} of the server's firewall ("${rule.name}") lets in new connections to ports ${formatRange(ports)}; this task asks for no port open besides 21.`,
      );
    });
  }
  for (const { side, firewall } of sidesWithRules(now)) {
    firewall.rules.forEach((rule, i) => {
      for (const kind of Object.keys(RULE_KINDS) as RuleKind[]) {
        if (!hasKind(kind, firewall, rule)) continue;
        const { describe, lesson } = RULE_KINDS[kind];
        const what = `On the ${side}'s firewall, ${describe(i + 1, rule)}`;
        if (constraints.mustNotAdd.includes(kind))
          broken.push(
            `${what}. This task asks for a way without such a rule (lesson ${lesson} shows why).`,
          );
        else if (constraints.warnIfAdded.includes(kind))
          warnings.push(
            `Works, but opens a hole: ${what.charAt(0).toLowerCase()}${what.slice(1)} (see lesson ${lesson}).`,
          );
      }
    });
  }
  return { broken, warnings };
}
