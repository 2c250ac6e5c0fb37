import type { RejectWith } from '../network/firewall';
import { withReject } from './presets';
import type { Scenario, SideConfig } from './types';

/**
 * What a REJECT answers with, as nftables' `reject with` names it. The order is the CLI's
 * --reject-with list; the default is iptables' own when a rule names none.
 */
export const REJECT_KINDS: readonly RejectWith[] = [
  'tcp-reset',
  'icmp-port-unreachable',
  'icmp-admin-prohibited',
];
export const DEFAULT_REJECT_KIND: RejectWith = 'icmp-port-unreachable';

/** How the switchboard names each answer, short enough for its narrow panel. */
export const REJECT_KIND_LABELS: Record<RejectWith, string> = {
  'tcp-reset': 'TCP reset (RST)',
  'icmp-port-unreachable': 'ICMP port unreachable',
  'icmp-admin-prohibited': 'ICMP admin-prohibited',
};

/**
 * One side as `npm run sim -- --reject` (no kind) or `--reject-with <kind>` leaves it: every
 * DROP rule becomes REJECT, then, given a kind, every REJECT rule answers with it. This is the
 * same transformation as the CLI's buildScenario (src/cli/args.ts), written once here so the
 * switchboard can share it; test/ui/controls/switches.test.ts checks the two agree.
 */
export function rejectSide(side: SideConfig, kind?: RejectWith): SideConfig {
  const rejected = withReject(side);
  if (!kind || !rejected.firewall) return rejected;
  const rules = rejected.firewall.rules.map((r) =>
    r.action === 'REJECT' ? { ...r, rejectWith: kind } : r,
  );
  return { ...rejected, firewall: { ...rejected.firewall, rules } };
}

/** Both sides, as --reject / --reject-with does. */
export function rejectEverywhere(scenario: Scenario, kind?: RejectWith): Scenario {
  return {
    ...scenario,
    clientSide: rejectSide(scenario.clientSide, kind),
    serverSide: rejectSide(scenario.serverSide, kind),
  };
}
