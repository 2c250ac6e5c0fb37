import { describe, expect, it } from 'vitest';
import type { FirewallRule } from '../../src/network/firewall';
import { RULE_KEYS, canonicalScenario } from '../../src/scenario/canonical';
import { defaultScenario } from '../../src/scenario/presets';
import { RULE_FIELDS } from '../../src/scenario/schema';
import type { Scenario } from '../../src/scenario/types';
import { validateScenario } from '../../src/scenario/validate';
import { decodeState, encodeState } from '../../src/ui/app/url-state';

/**
 * A firewall rule's fields are listed twice: schema.ts's RULE_FIELDS (what a file, a link or a
 * lesson may write) and canonical.ts's RULE_KEYS (what the canonical form, and so a share link
 * and the seed, keeps). A field in one list only would be accepted and then dropped, or kept but
 * never accepted.
 */

/** A rule that sets every field; typed Required, so a new field of FirewallRule must appear here. */
const EVERY_FIELD: Required<FirewallRule> = {
  name: 'every field',
  action: 'REJECT',
  direction: 'inbound',
  protocol: 'tcp',
  src: '203.0.113.0/24',
  dst: '192.0.2.10',
  srcPort: { from: 1024, to: 65535 },
  dstPort: { from: 50000, to: 50010 },
  tcpFlags: 'syn',
  state: ['NEW'],
  rejectWith: 'tcp-reset',
};

// Compile-time: the schema's list names exactly FirewallRule's fields (npm test type-checks).
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaListsEveryField: SameKeys<(typeof RULE_FIELDS)[number], keyof FirewallRule> = true;

function withRule(rule: FirewallRule): Scenario {
  const scenario = defaultScenario();
  return {
    ...scenario,
    clientSide: {
      ...scenario.clientSide,
      firewall: { stateful: true, policy: 'ACCEPT', rules: [rule] },
    },
  };
}

describe('a firewall rule’s fields: validated and kept alike', () => {
  it('schema.ts and canonical.ts list the same fields, each once', () => {
    expect(schemaListsEveryField).toBe(true);
    expect(new Set(RULE_FIELDS).size).toBe(RULE_FIELDS.length);
    expect(new Set(RULE_KEYS).size).toBe(RULE_KEYS.length);
    expect([...RULE_KEYS].sort()).toEqual([...RULE_FIELDS].sort());
    expect(Object.keys(EVERY_FIELD).sort()).toEqual([...RULE_FIELDS].sort());
  });

  it('a rule with every field passes validation, the canonical form and a share link whole', () => {
    const checked = validateScenario(JSON.parse(JSON.stringify(withRule(EVERY_FIELD))));
    if (!checked.ok) throw new Error(checked.error);
    expect(checked.value.clientSide.firewall!.rules).toEqual([EVERY_FIELD]);
    const canonical = canonicalScenario(withRule(EVERY_FIELD));
    expect(canonical.clientSide.firewall!.rules).toEqual([EVERY_FIELD]);
    const link = decodeState(`#${encodeState({ scenario: canonical, t: 0 })}`);
    if (!link.ok || !link.value) throw new Error('the link did not decode');
    expect(link.value.scenario.clientSide.firewall!.rules).toEqual([EVERY_FIELD]);
  });
});
