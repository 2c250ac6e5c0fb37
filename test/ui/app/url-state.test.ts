import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeState, encodeState } from '../../../src/ui/app/url-state';
import { NETWORK_PRESETS, defaultScenario } from '../../../src/scenario/presets';
import { presetIdFor } from '../../../src/ui/controls/switches';

describe('share links', () => {
  it('round-trips every preset in every mode, with the time', () => {
    for (const preset of NETWORK_PRESETS) {
      for (const mode of ['active', 'passive', 'eprt', 'epsv'] as const) {
        const scenario = preset.apply({ ...defaultScenario(), mode });
        const decoded = decodeState(`#${encodeState({ scenario, t: 1234.5 })}`);
        expect(decoded).toEqual({ ok: true, value: { scenario, t: 1234.5 } });
      }
    }
  });

  it('an empty fragment means no shared state', () => {
    expect(decodeState('')).toEqual({ ok: true, value: null });
    expect(decodeState('#')).toEqual({ ok: true, value: null });
  });

  it('damaged links say what is wrong', () => {
    const good = encodeState({ scenario: defaultScenario(), t: 5 });
    const error = (fragment: string) => {
      const result = decodeState(fragment);
      return result.ok ? 'ok' : result.error;
    };
    expect(error('#t=5')).toMatch(/no scenario/);
    expect(error(`#${good.slice(0, 20)}`)).toMatch(/damaged/);
    expect(error('#s=%%%')).toMatch(/damaged/);
    expect(error(`#${good.replace('t=5', 't=abc')}`)).toMatch(/time in the link/);
    const wrongMode = encodeState({
      scenario: { ...defaultScenario(), mode: 'passv' as never },
      t: 0,
    });
    expect(error(`#${wrongMode}`)).toMatch(/not valid: mode: expected one of/);
  });

  it('never throws on arbitrary fragments', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = decodeState(text);
        if (!result.ok) expect(result.error.length).toBeGreaterThan(10);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        decodeState(`s=${text}&t=1`);
      }),
    );
  });
});

describe('share links with edited rules', () => {
  it('carry a custom rule list exactly', () => {
    const base = NETWORK_PRESETS.find((p) => p.id === 'client-stateful')!.apply(defaultScenario());
    const firewall = base.clientSide.firewall!;
    const scenario = {
      ...base,
      clientSide: {
        ...base.clientSide,
        firewall: {
          ...firewall,
          rules: [
            firewall.rules[0]!,
            {
              name: 'inbound: FTP data from port 20',
              direction: 'inbound' as const,
              protocol: 'tcp' as const,
              src: '198.51.100.0/24',
              srcPort: { from: 20, to: 20 },
              dstPort: { from: 1024, to: 65535 },
              tcpFlags: 'syn' as const,
              state: ['NEW' as const],
              action: 'REJECT' as const,
              rejectWith: 'tcp-reset' as const,
            },
            ...firewall.rules.slice(1),
          ],
        },
      },
    };
    expect(presetIdFor(scenario, 'client')).toBe('custom');
    const decoded = decodeState(encodeState({ scenario, t: 12 }));
    expect(decoded).toEqual({ ok: true, value: { scenario, t: 12 } });
  });

  it('quotes only the start of a long bad time, and says how long it was (issue 11 item 14)', () => {
    const good = encodeState({ scenario: defaultScenario(), t: 0 });
    const result = decodeState(`#${good.replace('t=0', `t=${'a'.repeat(1_048_576)}`)}`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBe(
      `the time in the link should be a number of milliseconds, got "${'a'.repeat(60)}…" (1,048,576 characters)`,
    );
  });

  it('says a link is not valid rather than throwing, even for a scenario nested 20,000 deep', () => {
    const json = `{"mode":${'['.repeat(20_000)}0${']'.repeat(20_000)}}`;
    const encoded = btoa(json).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const result = decodeState(`#s=${encoded}&t=0`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.length).toBeLessThan(400);
  });

  it('quotes only the start of a megabyte-long user name in a link', () => {
    const json = JSON.stringify({ client: { user: 'u'.repeat(1_048_576) } });
    const result = decodeState(`#s=${Buffer.from(json).toString('base64url')}&t=0`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/^the scenario in the link is not valid: client\.user: /);
    expect(result.error).toMatch(/"u{60}…" \(1,048,576 characters\)$/);
  });
});
