import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkDraft,
  describeRule,
  draftOf,
  moveItem,
  newRule,
  ruleKey,
  type FirewallDraft,
} from '../../../src/ui/controls/rule-draft';
import { FIREWALL_PRESETS, defaultScenario, networkPreset } from '../../../src/scenario/presets';
import { simulate } from '../../../src/scenario/simulate';
import { checkPortRange } from '../../../src/scenario/validate';

function statefulClient(): FirewallDraft {
  const scenario = networkPreset('client-stateful')!.apply(defaultScenario());
  return draftOf(scenario.clientSide.firewall!);
}

describe('rule editor drafts', () => {
  it('every preset firewall survives draft and back unchanged', () => {
    for (const preset of FIREWALL_PRESETS) {
      const firewall = preset.build({ from: 40000, to: 40099 }).firewall;
      if (!firewall) continue;
      const checked = checkDraft(draftOf(firewall));
      expect(checked.errors).toEqual({});
      expect(checked.firewall).toEqual(firewall);
    }
  });

  it('an invalid port range names what was expected and builds no firewall', () => {
    const draft = statefulClient();
    const third = draft.rules[2]!;
    for (const text of ['5000-20', '70000', 'abc', '0', '21-']) {
      third.dstPort = text;
      const checked = checkDraft(draft);
      expect(checked.firewall).toBeNull();
      const message = checked.errors[ruleKey(third.id, 'dstPort')];
      expect(message).toMatch(/^Expected .*got "/);
      expect(message).toContain('a port 1-65535 or a range like 40000-40099 with from ≤ to');
    }
  });

  it('an invalid address is refused with an example of a valid one', () => {
    const draft = statefulClient();
    draft.rules[0]!.src = '10.0.0.300/33';
    const checked = checkDraft(draft);
    expect(checked.firewall).toBeNull();
    expect(checked.errors[ruleKey(draft.rules[0]!.id, 'src')]).toMatch(
      /^Expected an IPv4 address or network like "192\.0\.2\.0\/24" \(four numbers 0-255, optionally "\/" and a prefix length 0-32\), got "10\.0\.0\.300\/33"\. Leave it empty/,
    );
  });

  it('ports, ranges and addresses in either spelling become the rule', () => {
    const draft = statefulClient();
    Object.assign(draft.rules[2]!, {
      srcPort: ' 20 ',
      dstPort: '1024:65535',
      src: '198.51.100.0/24',
      action: 'REJECT',
      rejectWith: 'tcp-reset',
    });
    const rule = checkDraft(draft).firewall!.rules[2]!;
    expect(rule).toMatchObject({
      srcPort: { from: 20, to: 20 },
      dstPort: { from: 1024, to: 65535 },
      src: '198.51.100.0/24',
      action: 'REJECT',
      rejectWith: 'tcp-reset',
    });
  });

  it('empty fields mean any, and an empty name gets a numbered one', () => {
    const draft = statefulClient();
    Object.assign(draft.rules[1]!, { name: '  ', direction: '', state: [] });
    const rule = checkDraft(draft).firewall!.rules[1]!;
    expect(rule).toEqual({ name: 'rule 2', action: 'ACCEPT' });
  });

  it('conntrack states need a stateful firewall; the switch says which rules use them', () => {
    const draft = statefulClient();
    draft.stateful = false;
    const checked = checkDraft(draft);
    expect(checked.firewall).toBeNull();
    expect(checked.errors.stateful).toMatch(/^Rule 2 matches conntrack states/);
    expect(checked.errors[ruleKey(draft.rules[1]!.id, 'state')]).toMatch(/stateless firewall/);
    draft.rules[1]!.state = [];
    expect(checkDraft(draft).firewall?.stateful).toBe(false);
  });

  it('ICMP has no ports', () => {
    const draft = statefulClient();
    Object.assign(draft.rules[2]!, { protocol: 'icmp', dstPort: '21' });
    expect(checkDraft(draft).errors[ruleKey(draft.rules[2]!.id, 'dstPort')]).toMatch(
      /ICMP has no ports/,
    );
  });

  it('a reject-with answer is kept only while the action is REJECT', () => {
    const draft = statefulClient();
    Object.assign(draft.rules[2]!, { action: 'DROP', rejectWith: 'tcp-reset' });
    expect(checkDraft(draft).firewall!.rules[2]!.rejectWith).toBeUndefined();
  });

  it('new rules get fresh ids and decide nothing until moved up', () => {
    const draft = statefulClient();
    const added = newRule(draft.rules);
    expect(draft.rules.map((r) => r.id)).not.toContain(added.id);
    draft.rules.push(added);
    const firewall = checkDraft(draft).firewall!;
    expect(firewall.rules).toHaveLength(4);
    expect(firewall.rules[3]).toEqual({
      name: 'new rule',
      direction: 'inbound',
      protocol: 'tcp',
      action: 'ACCEPT',
    });
  });

  it('moving keeps every item and puts the moved one where asked', () => {
    expect(moveItem(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.nat(), fc.integer({ min: -3, max: 3 }), (l, i, by) => {
        const moved = moveItem(l, i, by);
        expect([...moved].sort()).toEqual([...l].sort());
        if (i < l.length && i + by >= 0 && i + by < l.length) expect(moved[i + by]).toBe(l[i]);
      }),
    );
  });

  it('summaries read like a sentence', () => {
    const firewall = networkPreset('client-stateless-port-20')!.apply(defaultScenario()).clientSide
      .firewall!;
    expect(firewall.rules.map(describeRule)).toEqual([
      'Outbound packets',
      'Inbound TCP, not SYN (inside a connection)',
      'Inbound TCP from port 20 to ports 1024-65535',
      'Inbound TCP to ports 1024-65535',
    ]);
    expect(describeRule({ name: 'x', state: ['ESTABLISHED', 'RELATED'], action: 'ACCEPT' })).toBe(
      'Every packet, in state ESTABLISHED or RELATED',
    );
    expect(describeRule({ name: 'x', protocol: 'tcp', dst: '192.0.2.10', action: 'DROP' })).toBe(
      'TCP in either direction to 192.0.2.10',
    );
  });

  it('a rule letting port 20 in above the drop makes active mode work', () => {
    const scenario = networkPreset('client-stateful')!.apply(defaultScenario());
    expect(simulate(scenario).outcome.result).toBe('failure');
    const draft = draftOf(scenario.clientSide.firewall!);
    const rule = { ...newRule(draft.rules), name: 'inbound: FTP data from port 20', srcPort: '20' };
    draft.rules.push(rule);
    draft.rules = moveItem(draft.rules, 3, -1);
    const firewall = checkDraft(draft).firewall!;
    const edited = { ...scenario, clientSide: { ...scenario.clientSide, firewall } };
    expect(simulate(edited).outcome.result).toBe('success');
  });

  it('the validator checks a typed port range with no path in its message', () => {
    expect(checkPortRange('40000-40099')).toEqual({ ok: true, value: { from: 40000, to: 40099 } });
    expect(checkPortRange('5000-20')).toEqual({
      ok: false,
      error: 'expected a range whose first port is not above its last, got "5000-20"',
    });
  });
});
