import { FIREWALL_PRESETS, firewallPreset, withReject } from '../../scenario/presets';
import type { ClientProgram, Scenario, ServerProgram, SideConfig } from '../../scenario/types';

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

/**
 * Which firewall preset a side's rules are, with or without REJECT; 'custom' when none. The FTP
 * helper is its own switch, so it only breaks ties (stateful versus stateful-helper).
 */
export function presetIdFor(scenario: Scenario, side: Side): string {
  const config = side === 'client' ? scenario.clientSide : scenario.serverSide;
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

/** Puts a firewall preset on one side, keeping that side's NAT and the REJECT choice. */
export function applyPreset(scenario: Scenario, side: Side, id: string): Scenario {
  const preset = firewallPreset(side, id);
  if (!preset) return scenario;
  const current = side === 'client' ? scenario.clientSide : scenario.serverSide;
  let built: SideConfig = { ...preset.build(scenario.server.passivePorts), nat: current.nat };
  // Without a firewall the helper may still serve NAT; keep the switch as the learner set it.
  if (!built.firewall) built.ftpHelper = current.ftpHelper;
  if (isRejecting(scenario)) built = withReject(built);
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
          ? { ...r, action: 'DROP', name: r.name.replace(/\breject\b/, 'drop') }
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
