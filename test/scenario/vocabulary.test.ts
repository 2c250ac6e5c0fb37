import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEndpoint } from '../../src/protocol/endpoint';
import { ruleLabel } from '../../src/scenario/trace';
import { formatTime, type TimeStyle } from '../../src/scenario/vocabulary';

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

describe('formatTime: one wording of a time, in named styles', () => {
  it('writes a moment on the clock at the resolution its scale needs', () => {
    expect(formatTime(0)).toBe('0.0 ms');
    expect(formatTime(44)).toBe('44.0 ms');
    expect(formatTime(307.64)).toBe('307.6 ms');
    expect(formatTime(60352.7)).toBe('60.353 s');
  });

  it('says a span as a person would: whole ms, tenths below 10 s, whole seconds above', () => {
    expect(formatTime(450, 'duration')).toBe('450 ms');
    expect(formatTime(999.6, 'duration')).toBe('1 s');
    expect(formatTime(1000, 'duration')).toBe('1 s');
    expect(formatTime(1500, 'duration')).toBe('1.5 s');
    expect(formatTime(9960, 'duration')).toBe('10 s');
    expect(formatTime(60_352, 'duration')).toBe('60 s');
    expect(formatTime(134_100, 'duration')).toBe('134 s');
  });

  it('keeps a real recording’s microseconds, and gives a transcript column bare seconds', () => {
    expect(formatTime(0.25, 'precise')).toBe('0.250 ms');
    expect(formatTime(1500, 'precise')).toBe('1.500 s');
    expect(formatTime(60_352, 'seconds')).toBe('60.352');
  });

  const styles: TimeStyle[] = ['clock', 'duration', 'precise', 'seconds'];
  const ms = fc.double({ min: 0, max: 1e7, noNaN: true });

  /** The number a label stands for, in ms. */
  function read(text: string): number {
    const m = /^(-?\d+(?:\.\d+)?)(?: (ms|s))?$/.exec(text);
    if (!m) throw new Error(`not a time: ${text}`);
    return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
  }

  it('never runs backwards: a later time is never written as an earlier one, in any style', () => {
    fc.assert(
      fc.property(ms, ms, fc.constantFrom(...styles), (a, b, style) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(read(formatTime(lo, style))).toBeLessThanOrEqual(read(formatTime(hi, style)));
      }),
    );
  });

  it('reads back to the time it was given, within the style’s rounding', () => {
    fc.assert(
      fc.property(ms, fc.constantFrom(...styles), (t, style) => {
        const back = read(formatTime(t, style));
        const tolerance = {
          clock: t < 1000 ? 0.05 : 0.5,
          precise: t < 1000 ? 0.0005 : 0.5,
          seconds: 0.5,
          duration: t < 999.5 ? 0.5 : t < 9950 ? 50 : 500,
        }[style];
        expect(Math.abs(back - t)).toBeLessThanOrEqual(tolerance * 1.001 + 1e-6);
      }),
    );
  });
});

describe('formatEndpoint: one wording of a connection end', () => {
  it('writes address:port, with an IPv6 address in brackets so its colons are not the port’s', () => {
    expect(formatEndpoint({ address: '192.0.2.10', port: 21 })).toBe('192.0.2.10:21');
    expect(formatEndpoint({ address: '2001:db8::1', port: 21 })).toBe('[2001:db8::1]:21');
  });
});
