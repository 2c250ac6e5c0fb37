import { describe, expect, it } from 'vitest';
import { ruleLabel } from '../../src/scenario/trace';

describe('ruleLabel: one wording of a firewall rule', () => {
  const rule = { number: 3, name: 'inbound: drop everything else' };

  it('names the rule by number and quotes its name, which may hold colons of its own', () => {
    expect(ruleLabel(rule)).toBe('rule 3, "inbound: drop everything else"');
    expect(ruleLabel(rule, 'number')).toBe('rule 3');
  });

  it('reads a verdict the same way as a rule reference', () => {
    const verdict = { action: 'DROP', by: 'rule', ruleNumber: 3, ruleName: rule.name } as const;
    expect(ruleLabel(verdict)).toBe(ruleLabel(rule));
    expect(ruleLabel(verdict, 'number')).toBe('rule 3');
  });

  it('leaves out a name that is empty or only repeats the number', () => {
    expect(ruleLabel({ number: 2, name: '' })).toBe('rule 2');
    expect(ruleLabel({ number: 2, name: 'rule 2' })).toBe('rule 2');
  });
});
