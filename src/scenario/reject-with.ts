import type { RejectWith } from '../network/firewall';
import { withReject } from './presets';
import type { Scenario, SideConfig } from './types';

export { DEFAULT_REJECT_KIND, REJECT_KINDS } from '../network/firewall';

/** How the switchboard names each answer, short enough for its narrow panel. */
export const REJECT_KIND_LABELS: Record<RejectWith, string> = {
  'tcp-reset': 'TCP reset (RST)',
  'icmp-port-unreachable': 'ICMP port unreachable',
  'icmp-admin-prohibited': 'ICMP admin-prohibited',
};

/**
 * One side as `npm run sim -- --reject` (no kind) or `--reject-with <kind>` leaves it: every
 * DROP rule becomes REJECT, then, given a kind, every REJECT rule answers with it. The CLI's
 * buildScenario (src/cli/args.ts), the switchboard and lesson blocks all reject through it.
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
