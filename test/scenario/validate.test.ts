import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePortRange, validateScenario } from '../../src/scenario/validate';
import { defaultScenario, networkPreset, NETWORK_PRESETS } from '../../src/scenario/presets';

function errorOf(input: unknown): string {
  const result = validateScenario(input);
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe('validateScenario', () => {
  it('an empty object is the default scenario', () => {
    const result = validateScenario({});
    expect(result).toEqual({ ok: true, value: defaultScenario() });
  });

  it('every network preset is a valid scenario and survives a JSON round trip', () => {
    for (const preset of NETWORK_PRESETS) {
      const scenario = preset.apply(defaultScenario());
      const result = validateScenario(JSON.parse(JSON.stringify(scenario)));
      expect(result.ok ? result.value : result.error).toEqual(scenario);
    }
  });

  it('names the field and what was expected', () => {
    expect(errorOf({ mode: 'passv' })).toBe(
      'mode: expected one of "active", "passive", "eprt", "epsv", got "passv"',
    );
    expect(errorOf({ type: 1 })).toMatch(/^type: expected one of "ascii", "binary", got 1$/);
    expect(errorOf({ modes: 'active' })).toMatch(/^modes: unknown field; allowed: mode, type/);
    expect(errorOf({ commands: ['LIST', 'DELE x'] })).toMatch(
      /^commands\[1\]: expected LIST, NLST, RETR/,
    );
    expect(errorOf({ commands: ['RETR'] })).toMatch(
      /^commands\[0\]: expected LIST, NLST, RETR <file>/,
    );
    expect(errorOf({ server: { passivePorts: '50000-40000' } })).toMatch(
      /^server\.passivePorts: expected a range whose first port is not above its last/,
    );
    expect(errorOf({ server: { passivePorts: '1-100' } })).toMatch(/does not include port 21/);
  });

  it('rejects bad firewall rules with the rule path', () => {
    const stateful = networkPreset('client-stateful')!.apply(defaultScenario());
    const rules = JSON.parse(JSON.stringify(stateful.clientSide.firewall!.rules));
    rules[2].dstPort = '70000';
    expect(errorOf({ clientSide: { firewall: { stateful: true, rules } } })).toBe(
      'clientSide.firewall.rules[2].dstPort: expected ports between 1 and 65535, got "70000"',
    );
    expect(
      errorOf({
        clientSide: {
          firewall: { stateful: false, rules: [{ action: 'ACCEPT', state: ['NEW'] }] },
        },
      }),
    ).toMatch(
      /^clientSide\.firewall\.rules\[0\]\.state: expected no conntrack states in a stateless firewall/,
    );
    expect(errorOf({ serverSide: { firewall: { rules: [{ action: 'ALLOW' }] } } })).toMatch(
      /^serverSide\.firewall\.rules\[0\]\.action: expected one of "ACCEPT", "DROP", "REJECT", got "ALLOW"$/,
    );
    expect(
      errorOf({
        serverSide: { firewall: { rules: [{ action: 'DROP', rejectWith: 'tcp-reset' }] } },
      }),
    ).toMatch(/rejectWith: expected nothing unless the action is "REJECT"/);
    expect(
      errorOf({ serverSide: { firewall: { rules: [{ action: 'DROP', src: '300.1.1.1' }] } } }),
    ).toMatch(/^serverSide\.firewall\.rules\[0\]\.src: expected an IPv4 address or network/);
  });

  it('reports the first problem in the order a file is read, an unknown field before any value', () => {
    expect(errorOf({ mode: 'passv', modes: 'active' })).toMatch(/^modes: unknown field/);
    expect(errorOf({ tcp: 'bsd', mode: 'passv' })).toMatch(
      /^tcp: expected one of "linux", "rfc6298"/,
    );
    expect(errorOf({ serverSide: { firewall: { rules: [{ action: 'DROP', colour: 1 }] } } })).toBe(
      'serverSide.firewall.rules[0].colour: unknown field; allowed: name, direction, protocol, src, dst, srcPort, dstPort, tcpFlags, state, action, rejectWith',
    );
    expect(errorOf({ server: { passivePorts: { from: 40000 } } })).toBe(
      'server.passivePorts.to: expected a port number 1-65535, got nothing',
    );
    expect(errorOf({ clientSide: { firewall: { rules: [{}] } } })).toBe(
      'clientSide.firewall.rules[0].action: expected one of "ACCEPT", "DROP", "REJECT", got nothing',
    );
    expect(
      errorOf({
        clientSide: { firewall: { rules: [{ action: 'DROP', protocol: 'icmp', dstPort: 21 }] } },
      }),
    ).toBe(
      'clientSide.firewall.rules[0].protocol: expected "tcp" when ports are given, got "icmp"',
    );
    expect(errorOf({ server: { passivePorts: '1:100' } })).toBe(
      'server.passivePorts: expected a range that does not include port 21, got "1:100"',
    );
    expect(
      errorOf({ clientSide: { firewall: { rules: Array(101).fill({ action: 'DROP' }) } } }),
    ).toBe('clientSide.firewall.rules: expected at most 100 rules, got "101 rules"');
    expect(errorOf([])).toBe('scenario: expected an object, got []');
  });

  it('fills in what a file leaves out: unnamed rules by their place, -0 as 0', () => {
    const checked = validateScenario({
      server: { activeSourcePort: -0 },
      clientSide: { firewall: { rules: [{ action: 'DROP', name: '' }, { action: 'ACCEPT' }] } },
    });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(Object.is(checked.value.server.activeSourcePort, 0)).toBe(true);
    expect(checked.value.clientSide.firewall).toEqual({
      stateful: true,
      policy: 'DROP',
      rules: [
        { name: 'rule 1', action: 'DROP' },
        { name: 'rule 2', action: 'ACCEPT' },
      ],
    });
  });

  it('port ranges accept 21, "1024-65535", "1024:65535" and {from, to}', () => {
    expect(parsePortRange(21, 'p')).toEqual({ from: 21, to: 21 });
    expect(parsePortRange('1024-65535', 'p')).toEqual({ from: 1024, to: 65535 });
    expect(parsePortRange('1024:65535', 'p')).toEqual({ from: 1024, to: 65535 });
    expect(parsePortRange({ from: 40000, to: 40099 }, 'p')).toEqual({ from: 40000, to: 40099 });
  });

  it('never throws on arbitrary JSON, and every error names a field', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validateScenario(value);
        if (!result.ok)
          expect(result.error).toMatch(/^(scenario|[\w.[\]]+|".*"): (expected|unknown field)/s);
      }),
    );
  });

  it('never throws on scenario-shaped garbage', () => {
    const anything = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string()),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            mode: anything,
            commands: anything,
            server: fc.record(
              { passivePorts: anything, advertise: anything },
              { requiredKeys: [] },
            ),
            clientSide: fc.record(
              {
                firewall: fc.oneof(
                  anything,
                  fc.record({
                    rules: fc.array(
                      fc.record(
                        { action: anything, dstPort: anything, state: anything },
                        { requiredKeys: [] },
                      ),
                    ),
                  }),
                ),
                nat: anything,
              },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
        (value) => {
          const result = validateScenario(value);
          if (!result.ok) expect(result.error.length).toBeGreaterThan(5);
        },
      ),
    );
  });
});

describe('a bad value is quoted by a bounded preview (issue 11 items 14 and 17)', () => {
  const nested = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

  it.each([
    ['client.user', { client: { user: nested(10_000) } }],
    ['commands[0]', { commands: [nested(10_000)] }],
    ['server.passivePorts', { server: { passivePorts: nested(10_000) } }],
    [
      'clientSide.firewall.rules[0].state[0]',
      { clientSide: { firewall: { rules: [{ action: 'ACCEPT', state: nested(10_000) }] } } },
    ],
    ['scenario', nested(100_000)],
  ])(
    'names %s when the value is nested thousands deep, never overflowing the stack',
    (field, input) => {
      const checked = validateScenario(input);
      expect(checked.ok).toBe(false);
      if (checked.ok) return;
      expect(checked.error.startsWith(`${field}: expected `)).toBe(true);
      expect(checked.error.length).toBeLessThan(300);
    },
  );

  it('quotes a prefix of a huge value and says how long it was', () => {
    const user = 'u'.repeat(1_000_000);
    const checked = validateScenario({ client: { user } });
    expect(checked).toEqual({
      ok: false,
      error: `client.user: expected a single line of text (at most 64 characters), got "${'u'.repeat(60)}…" (1,000,000 characters)`,
    });
    const key = validateScenario({ [`k${'k'.repeat(100_000)}`]: 1 });
    expect(!key.ok && key.error.length).toBeLessThan(300);
  });

  it("a server's timeouts are whole seconds 1-3600, both named, and survive the canonical form", async () => {
    const { canonicalScenario, seedText } = await import('../../src/scenario/canonical');
    const checked = validateScenario({ server: { timeouts: { connectS: 10, acceptS: 20 } } });
    expect(checked.ok && checked.value.server.timeouts).toEqual({ connectS: 10, acceptS: 20 });
    if (!checked.ok) return;
    expect(canonicalScenario(checked.value).server.timeouts).toEqual({ connectS: 10, acceptS: 20 });
    // Only the timeouts differ from the default network: the same ports and sequence numbers.
    expect(seedText(checked.value)).toBe(seedText(defaultScenario()));
    expect(errorOf({ server: { timeouts: { connectS: 0, acceptS: 20 } } })).toBe(
      'server.timeouts.connectS: expected whole seconds 1-3600, got 0',
    );
    expect(errorOf({ server: { timeouts: { connectS: 10 } } })).toMatch(
      /^server\.timeouts\.acceptS: /,
    );
  });
});
