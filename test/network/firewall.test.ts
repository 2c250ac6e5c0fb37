import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  ruleMatches,
  ruleToIptables,
  type FirewallConfig,
  type FirewallRule,
} from '../../src/network/firewall';
import type { CtState } from '../../src/network/trace';
import { icmpAbout, tcp } from './packets';

const CLIENT = '192.0.2.10';
const SERVER = '198.51.100.20';

// The server's data connection in active mode, arriving at the client's firewall from outside.
const activeDataSyn = tcp(SERVER, 20, CLIENT, 50000, { flags: ['syn'] });
const controlSyn = tcp(CLIENT, 40000, SERVER, 21, { flags: ['syn'] });

const established: FirewallRule = {
  name: 'inbound: only established/related',
  direction: 'inbound',
  state: ['ESTABLISHED', 'RELATED'],
  action: 'ACCEPT',
};

describe('the FORWARD chain, read as netfilter reads it', () => {
  it('takes the first rule that matches, not the most specific', () => {
    const rules: FirewallRule[] = [
      { name: 'drop everything inbound', direction: 'inbound', action: 'DROP' },
      { name: 'allow port 50000', dstPort: { from: 50000, to: 50000 }, action: 'ACCEPT' },
    ];
    const firewall: FirewallConfig = { stateful: false, policy: 'ACCEPT', rules };
    expect(evaluate(firewall, activeDataSyn, 'inbound', undefined)).toEqual({
      action: 'DROP',
      by: 'rule',
      ruleNumber: 1,
      ruleName: 'drop everything inbound',
    });
    const swapped = { ...firewall, rules: [rules[1]!, rules[0]!] };
    expect(evaluate(swapped, activeDataSyn, 'inbound', undefined)).toMatchObject({
      action: 'ACCEPT',
      ruleNumber: 1,
    });
  });

  it('falls to the policy when no rule matches, naming no rule', () => {
    const firewall: FirewallConfig = { stateful: true, policy: 'DROP', rules: [established] };
    expect(evaluate(firewall, activeDataSyn, 'inbound', 'NEW')).toEqual({
      action: 'DROP',
      by: 'policy',
      state: 'NEW',
    });
    expect(evaluate({ ...firewall, policy: 'ACCEPT' }, activeDataSyn, 'inbound', 'NEW')).toEqual({
      action: 'ACCEPT',
      by: 'policy',
      state: 'NEW',
    });
  });

  it('lets RELATED and ESTABLISHED through a stateful "established only" rule, not NEW or INVALID', () => {
    const firewall: FirewallConfig = { stateful: true, policy: 'DROP', rules: [established] };
    const action = (state: CtState) => evaluate(firewall, activeDataSyn, 'inbound', state).action;
    expect(action('RELATED')).toBe('ACCEPT');
    expect(action('ESTABLISHED')).toBe('ACCEPT');
    expect(action('NEW')).toBe('DROP');
    expect(action('INVALID')).toBe('DROP');
  });

  it('a stateless firewall never sees a conntrack state, so a --ctstate rule never matches', () => {
    const firewall: FirewallConfig = { stateful: false, policy: 'DROP', rules: [established] };
    expect(evaluate(firewall, activeDataSyn, 'inbound', 'ESTABLISHED')).toEqual({
      action: 'DROP',
      by: 'policy',
    });
  });

  it('a direction rule (-i wan) does not match what comes from the LAN', () => {
    const rule: FirewallRule = { name: 'in', direction: 'inbound', action: 'DROP' };
    expect(ruleMatches(rule, controlSyn, 'outbound', undefined)).toBe(false);
    expect(ruleMatches(rule, controlSyn, 'inbound', undefined)).toBe(true);
  });

  it('--syn matches only a bare SYN; ! --syn matches the SYN-ACK and everything after', () => {
    const syn: FirewallRule = { name: 'syn', tcpFlags: 'syn', action: 'DROP' };
    const notSyn: FirewallRule = { name: 'not syn', tcpFlags: 'not-syn', action: 'ACCEPT' };
    const synAck = tcp(SERVER, 21, CLIENT, 40000, { flags: ['syn', 'ack'] });
    const synFin = tcp(SERVER, 21, CLIENT, 40000, { flags: ['syn', 'fin'] });
    expect(ruleMatches(syn, controlSyn, 'outbound', undefined)).toBe(true);
    expect(ruleMatches(syn, synAck, 'inbound', undefined)).toBe(false);
    expect(ruleMatches(syn, synFin, 'inbound', undefined)).toBe(false);
    expect(ruleMatches(notSyn, synAck, 'inbound', undefined)).toBe(true);
    expect(ruleMatches(notSyn, controlSyn, 'outbound', undefined)).toBe(false);
  });

  it('a port or flag rule is a TCP match: an ICMP error never matches it', () => {
    const anyPort: FirewallRule = {
      name: 'ports',
      dstPort: { from: 0, to: 65535 },
      action: 'DROP',
    };
    const error = icmpAbout(SERVER, controlSyn);
    expect(ruleMatches(anyPort, error, 'inbound', undefined)).toBe(false);
    expect(
      ruleMatches({ name: 'icmp', protocol: 'icmp', action: 'DROP' }, error, 'inbound', undefined),
    ).toBe(true);
    expect(
      ruleMatches({ name: 'tcp', protocol: 'tcp', action: 'DROP' }, error, 'inbound', undefined),
    ).toBe(false);
  });

  it('matches addresses by CIDR and port ranges inclusively', () => {
    const rule: FirewallRule = {
      name: 'passive range',
      src: '192.0.2.0/24',
      dstPort: { from: 50000, to: 50100 },
      action: 'ACCEPT',
    };
    expect(ruleMatches(rule, tcp(CLIENT, 40001, SERVER, 50000), 'inbound', undefined)).toBe(true);
    expect(ruleMatches(rule, tcp(CLIENT, 40001, SERVER, 50100), 'inbound', undefined)).toBe(true);
    expect(ruleMatches(rule, tcp(CLIENT, 40001, SERVER, 50101), 'inbound', undefined)).toBe(false);
    expect(ruleMatches(rule, tcp('192.0.3.10', 40001, SERVER, 50000), 'inbound', undefined)).toBe(
      false,
    );
  });

  it('writes a rule as the iptables line a learner could type', () => {
    expect(
      ruleToIptables({
        name: 'refuse data',
        direction: 'inbound',
        dstPort: { from: 1024, to: 65535 },
        tcpFlags: 'syn',
        action: 'REJECT',
        rejectWith: 'tcp-reset',
      }),
    ).toBe(
      '-A FORWARD -i wan0 -o lan0 -p tcp --dport 1024:65535 --syn -j REJECT --reject-with tcp-reset',
    );
    expect(ruleToIptables(established)).toBe(
      '-A FORWARD -i wan0 -o lan0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    );
  });
});

describe('first match, as a law', () => {
  const states: (CtState | undefined)[] = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', undefined];
  const rule = fc.record(
    {
      name: fc.constant('r'),
      direction: fc.constantFrom('inbound' as const, 'outbound' as const),
      // A few ranges that overlap the packets' ports, so that several rules often match at once.
      dstPort: fc.constantFrom(
        { from: 0, to: 1023 },
        { from: 1024, to: 65535 },
        { from: 21, to: 21 },
        { from: 50000, to: 50000 },
      ),
      tcpFlags: fc.constantFrom('syn' as const, 'not-syn' as const),
      state: fc.subarray(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID'] as CtState[], {
        minLength: 1,
      }),
      action: fc.constantFrom('ACCEPT' as const, 'DROP' as const, 'REJECT' as const),
    },
    { requiredKeys: ['name', 'action'] },
  );
  const packet = fc
    .tuple(fc.constantFrom(20, 21, 1023, 1024, 50000, 65535), fc.boolean())
    .map(([port, syn]) => tcp(SERVER, 20, CLIENT, port, { flags: syn ? ['syn'] : ['ack'] }));

  it('the verdict is the first matching rule, or the policy when none does', () => {
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 8 }),
        packet,
        fc.constantFrom('inbound' as const, 'outbound' as const),
        fc.constantFrom(...states),
        fc.boolean(),
        fc.constantFrom('ACCEPT' as const, 'DROP' as const),
        (rules, p, direction, state, stateful, policy) => {
          const verdict = evaluate({ stateful, policy, rules }, p, direction, state);
          const seen = stateful ? state : undefined;
          const first = rules.findIndex((r) => ruleMatches(r, p, direction, seen));
          if (first < 0) expect(verdict).toMatchObject({ action: policy, by: 'policy' });
          else
            expect(verdict).toMatchObject({ action: rules[first]!.action, ruleNumber: first + 1 });
        },
      ),
    );
  });

  it('rules after the matching one change nothing', () => {
    fc.assert(
      fc.property(
        fc.array(rule, { minLength: 1, maxLength: 6 }),
        fc.array(rule, { maxLength: 4 }),
        packet,
        fc.constantFrom(...states),
        (rules, more, p, state) => {
          const firewall: FirewallConfig = { stateful: true, policy: 'DROP', rules };
          const before = evaluate(firewall, p, 'inbound', state);
          fc.pre(before.by === 'rule');
          const after = evaluate({ ...firewall, rules: [...rules, ...more] }, p, 'inbound', state);
          expect(after).toEqual(before);
        },
      ),
    );
  });
});
