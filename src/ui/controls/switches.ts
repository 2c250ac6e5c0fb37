import type { FirewallRule, RejectWith } from '../../network/firewall';
import type { TcpStackName } from '../../machines/tcp-profile';
import { FIREWALL_PRESETS, firewallPreset, withReject } from '../../scenario/presets';
import { DEFAULT_REJECT_KIND, rejectEverywhere, rejectSide } from '../../scenario/reject-with';
import {
  DEFAULT_PROGRAMS,
  type ClientProgram,
  type Scenario,
  type ServerProgram,
  type SideConfig,
} from '../../scenario/types';

/**
 * The switchboard reads and writes the scenario itself, so a shared link or an edited rule list
 * and the switches can never disagree. These are the translations between the two.
 */

type Side = 'client' | 'server';

/** JSON with object keys sorted, so equal rules compare equal whatever order built them. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

function sameFirewall(a: SideConfig, b: SideConfig): boolean {
  return canonical(a.firewall) === canonical(b.firewall);
}

/** A rule without its REJECT answer: DROP rules may not carry one (schema.ts). */
function withoutKind(rule: FirewallRule): FirewallRule {
  const { rejectWith: _answer, ...rest } = rule;
  return rest;
}

/** A side whose REJECT rules name no answer, so they give iptables' default one. */
function withoutKinds(side: SideConfig): SideConfig {
  if (!side.firewall) return side;
  return { ...side, firewall: { ...side.firewall, rules: side.firewall.rules.map(withoutKind) } };
}

/**
 * Which firewall preset a side's rules are, with or without REJECT; 'custom' when none. The FTP
 * helper is its own switch, so it only breaks ties (stateful versus stateful-helper).
 */
export function presetIdFor(scenario: Scenario, side: Side): string {
  // What a REJECT answers with is its own switch, so a preset rejecting with a TCP reset is
  // still that preset.
  const config = withoutKinds(side === 'client' ? scenario.clientSide : scenario.serverSide);
  let found = 'custom';
  for (const preset of FIREWALL_PRESETS.filter((p) => p.side === side)) {
    const built = preset.build(scenario.server.passivePorts);
    if (sameFirewall(built, config) || sameFirewall(withReject(built), config)) {
      if (built.ftpHelper === config.ftpHelper) return preset.id;
      if (found === 'custom') found = preset.id;
    }
  }
  return found;
}

export function isRejecting(scenario: Scenario): boolean {
  return [scenario.clientSide, scenario.serverSide].some((side) =>
    side.firewall?.rules.some((rule) => rule.action === 'REJECT'),
  );
}

/** Puts a firewall preset on one side, keeping that side's NAT and the REJECT choice and answer. */
export function applyPreset(scenario: Scenario, side: Side, id: string): Scenario {
  const preset = firewallPreset(side, id);
  if (!preset) return scenario;
  const current = side === 'client' ? scenario.clientSide : scenario.serverSide;
  let built: SideConfig = { ...preset.build(scenario.server.passivePorts), nat: current.nat };
  // Without a firewall the helper may still serve NAT; keep the switch as the learner set it.
  if (!built.firewall) built.ftpHelper = current.ftpHelper;
  if (isRejecting(scenario)) built = rejectSide(built, explicitKind(rejectKindOf(scenario)));
  return side === 'client'
    ? { ...scenario, clientSide: built }
    : { ...scenario, serverSide: built };
}

function withDrop(scenario: Scenario, side: Side): SideConfig {
  const config = side === 'client' ? scenario.clientSide : scenario.serverSide;
  const id = presetIdFor(scenario, side);
  const preset = id === 'custom' ? undefined : firewallPreset(side, id);
  if (preset) {
    const built = preset.build(scenario.server.passivePorts);
    return { ...config, firewall: built.firewall };
  }
  if (!config.firewall) return config;
  return {
    ...config,
    firewall: {
      ...config.firewall,
      rules: config.firewall.rules.map((r) =>
        r.action === 'REJECT'
          ? { ...withoutKind(r), action: 'DROP', name: r.name.replace(/\breject\b/, 'drop') }
          : r,
      ),
    },
  };
}

/** Blocked packets are rejected (answered at once) or dropped (silence), on both sides. */
export function setRejecting(scenario: Scenario, reject: boolean): Scenario {
  if (reject) {
    return {
      ...scenario,
      clientSide: withReject(scenario.clientSide),
      serverSide: withReject(scenario.serverSide),
    };
  }
  return {
    ...scenario,
    clientSide: withDrop(scenario, 'client'),
    serverSide: withDrop(scenario, 'server'),
  };
}

/** Plays another client program on the same network (issue 13). */
export function setClientProgram(scenario: Scenario, program: ClientProgram): Scenario {
  return { ...scenario, client: { ...scenario.client, program } };
}

/** Plays another server program on the same network (issue 13). */
export function setServerProgram(scenario: Scenario, program: ServerProgram): Scenario {
  return { ...scenario, server: { ...scenario.server, program } };
}

/**
 * What every REJECT rule of both sides answers with, a rule naming none counted as iptables'
 * default: null when nothing rejects, 'mixed' when rules edited one by one disagree.
 */
export function rejectKindOf(scenario: Scenario): RejectWith | 'mixed' | null {
  const kinds = new Set<RejectWith>();
  for (const side of [scenario.clientSide, scenario.serverSide]) {
    for (const rule of side.firewall?.rules ?? []) {
      if (rule.action === 'REJECT') kinds.add(rule.rejectWith ?? DEFAULT_REJECT_KIND);
    }
  }
  if (kinds.size === 0) return null;
  return kinds.size === 1 ? [...kinds][0]! : 'mixed';
}

/** The kind to write into the rules: the default is written nowhere, as `--reject` leaves it. */
function explicitKind(kind: RejectWith | 'mixed' | null): RejectWith | undefined {
  return kind === null || kind === 'mixed' || kind === DEFAULT_REJECT_KIND ? undefined : kind;
}

/**
 * Every REJECT rule answers with `kind`, as `npm run sim -- --reject-with <kind>` makes them
 * (the same function). The default answer is written as `--reject` writes it, in no rule, so
 * going back to it gives back the scenario, its share link and its session exactly.
 */
export function setRejectKind(scenario: Scenario, kind: RejectWith): Scenario {
  const cleared = {
    ...scenario,
    clientSide: withoutKinds(scenario.clientSide),
    serverSide: withoutKinds(scenario.serverSide),
  };
  return rejectEverywhere(cleared, explicitKind(kind));
}

/** The hosts' TCP stack, as `--tcp`; the default is left unwritten, as canonical.ts writes it. */
export function setTcpStack(scenario: Scenario, tcp: TcpStackName): Scenario {
  const { tcp: _current, ...rest } = scenario;
  return tcp === DEFAULT_PROGRAMS.tcp ? rest : { ...rest, tcp };
}

export type NatForward = NonNullable<SideConfig['natForward']>;

/** Which ports the server router forwards when the server is behind NAT. */
export function natForwardOf(scenario: Scenario): NatForward {
  return scenario.serverSide.natForward ?? '21+passive';
}

/** As `--server-nat-forward`; the default (21 and the passive range) is left unwritten. */
export function setNatForward(scenario: Scenario, forward: NatForward): Scenario {
  const { natForward: _current, ...side } = scenario.serverSide;
  return {
    ...scenario,
    serverSide: forward === '21+passive' ? side : { ...side, natForward: forward },
  };
}
