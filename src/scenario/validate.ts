import type { Result } from '../protocol/result';
import type { FirewallConfig, PortRange } from '../network/firewall';
import { canonicalScenario } from './canonical';
import { addressSchema, firewallSchema, portRangeSchema, scenarioSchema } from './schema';
import { checkWith } from './schema-messages';
import type { Scenario } from './types';

export { MAX_COMMANDS } from './limits';

/**
 * Checks scenario data from a file, a URL or the UI against the schemas in schema.ts. Missing
 * fields take the default scenario's values; anything present must be right, and the first
 * problem is reported with its path ("clientSide.firewall.rules[2].dstPort") and what was expected.
 */
export function validateScenario(input: unknown): Result<Scenario> {
  const checked = checkWith(scenarioSchema, input, { whole: 'scenario' });
  return checked.ok ? { ok: true, value: canonicalScenario(checked.value) } : checked;
}

/** A port range as a number (21), text ("1024-65535" or "1024:65535") or {from, to}; throws naming `path`. */
export function parsePortRange(value: unknown, path: string): PortRange {
  const checked = checkWith(portRangeSchema, value, { root: path });
  if (!checked.ok) throw new Error(checked.error);
  return checked.value;
}

/** A port or range as a learner types it ("21", "40000-40099"); the error has no path. */
export function checkPortRange(text: string): Result<PortRange> {
  return checkWith(portRangeSchema, text);
}

/** An address or CIDR network as a learner types it; the error has no path. */
export function checkAddress(text: string): Result<string> {
  return checkWith(addressSchema, text);
}

/** One side's firewall, checked as a scenario file's would be; errors start with "firewall.". */
export function checkFirewall(value: unknown): Result<FirewallConfig | null> {
  return checkWith(firewallSchema, value, { root: 'firewall' });
}
