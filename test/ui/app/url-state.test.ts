import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deflate, packScenario, unpackScenario } from '../../../src/ui/app/share-codec';
import {
  decodeShareLink,
  decodeState,
  encodeShareLink,
  encodeState,
  isCompressedLink,
} from '../../../src/ui/app/url-state';
import { NETWORK_PRESETS, defaultScenario, networkPreset } from '../../../src/scenario/presets';
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

/**
 * A link the sandbox wrote before links were compressed (December 2026): passive mode behind a
 * server firewall that lets in only port 21, 1.8385 s in. Links like it are in course pages and
 * chat logs, so it must open as it did, whatever the presets become.
 */
const OLD_LINK =
  '#s=eyJtb2RlIjoicGFzc2l2ZSIsInR5cGUiOiJhc2NpaSIsImNvbW1hbmRzIjpbIkxJU1QiLCJSRVRSIG5vdGVzLnR4dCJdLCJwYXN2QWRkcmVzcyI6InRydXN0IiwiY2xpZW50Ijp7InVzZXIiOiJzdHVkZW50IiwicGFzc3dvcmQiOiJzZWNyZXQifSwic2VydmVyIjp7InBhc3NpdmVQb3J0cyI6eyJmcm9tIjo0MDAwMCwidG8iOjQwMDk5fSwiYWR2ZXJ0aXNlIjoicHJpdmF0ZSIsImFjdGl2ZVNvdXJjZVBvcnQiOjIwfSwiY2xpZW50U2lkZSI6eyJmaXJld2FsbCI6bnVsbCwibmF0IjpmYWxzZSwiZnRwSGVscGVyIjpmYWxzZX0sInNlcnZlclNpZGUiOnsiZmlyZXdhbGwiOnsic3RhdGVmdWwiOnRydWUsInBvbGljeSI6IkRST1AiLCJydWxlcyI6W3sibmFtZSI6ImluYm91bmQ6IEZUUCBjb250cm9sLCBwb3J0IDIxIiwiZGlyZWN0aW9uIjoiaW5ib3VuZCIsInByb3RvY29sIjoidGNwIiwiZHN0UG9ydCI6eyJmcm9tIjoyMSwidG8iOjIxfSwic3RhdGUiOlsiTkVXIl0sImFjdGlvbiI6IkFDQ0VQVCJ9LHsibmFtZSI6ImluYm91bmQ6IG9ubHkgZXN0YWJsaXNoZWQvcmVsYXRlZCIsImRpcmVjdGlvbiI6ImluYm91bmQiLCJzdGF0ZSI6WyJFU1RBQkxJU0hFRCIsIlJFTEFURUQiXSwiYWN0aW9uIjoiQUNDRVBUIn0seyJuYW1lIjoib3V0Ym91bmQ6IGFsbG93IG5ldyBhbmQgZXhpc3RpbmcgY29ubmVjdGlvbnMiLCJkaXJlY3Rpb24iOiJvdXRib3VuZCIsImFjdGlvbiI6IkFDQ0VQVCJ9LHsibmFtZSI6ImluYm91bmQ6IGRyb3AgZXZlcnl0aGluZyBlbHNlIiwiZGlyZWN0aW9uIjoiaW5ib3VuZCIsImFjdGlvbiI6IkRST1AifV19LCJuYXQiOmZhbHNlLCJmdHBIZWxwZXIiOmZhbHNlfX0&t=1838.5';

describe('compressed share links (issue 12)', () => {
  const starting = networkPreset('client-stateful')!.apply(defaultScenario());

  it('open a link written before compression, exactly as it was', async () => {
    const expected = {
      ...networkPreset('server-only-21')!.apply(defaultScenario()),
      mode: 'passive' as const,
    };
    for (const result of [decodeState(OLD_LINK), await decodeShareLink(OLD_LINK)])
      expect(result).toEqual({ ok: true, value: { scenario: expected, t: 1838.5 } });
    expect(isCompressedLink(OLD_LINK)).toBe(false);
  });

  it('are a tenth of the old length for the starting network', async () => {
    const old = encodeState({ scenario: starting, t: 0 });
    const link = await encodeShareLink({ scenario: starting, t: 0 });
    expect(link).toMatch(/^z=[\w-]+&t=0$/);
    expect(old.length).toBeGreaterThan(900);
    expect(link.length).toBeLessThan(old.length / 8);
    expect(isCompressedLink(`#${link}`)).toBe(true);
  });

  it('compress a scenario once: the next link of it, at another time, only changes t', async () => {
    const scenario = networkPreset('client-nat')!.apply({ ...defaultScenario(), mode: 'epsv' });
    const Original = globalThis.CompressionStream;
    let compressions = 0;
    globalThis.CompressionStream = class extends Original {
      constructor(format: CompressionFormat) {
        super(format);
        compressions++;
      }
    };
    try {
      const first = await encodeShareLink({ scenario, t: 0 });
      const later = await encodeShareLink({ scenario: structuredClone(scenario), t: 812.5 });
      expect(compressions).toBe(1);
      expect(later).toBe(first.replace(/&t=0$/, '&t=812.5'));
      await encodeShareLink({ scenario: { ...scenario, mode: 'passive' }, t: 0 });
      expect(compressions).toBe(2);
    } finally {
      globalThis.CompressionStream = Original;
    }
  });

  it('round-trip every preset in every mode, with the time, and stay short', async () => {
    for (const preset of NETWORK_PRESETS) {
      for (const mode of ['active', 'passive', 'eprt', 'epsv'] as const) {
        const scenario = preset.apply({ ...defaultScenario(), mode });
        const link = await encodeShareLink({ scenario, t: 1234.5 });
        expect(link.length).toBeLessThan(160);
        expect(await decodeShareLink(`#${link}`)).toEqual({
          ok: true,
          value: { scenario, t: 1234.5 },
        });
      }
    }
  });

  it('carry a rule list no preset has, an absent field and odd text', async () => {
    const firewall = starting.clientSide.firewall!;
    const scenario = {
      ...starting,
      commands: ['LIST', 'RETR café ✓.txt', 'STOR a\\b'],
      client: { user: '#r', password: '{"#x":1}' },
      clientSide: {
        ...starting.clientSide,
        firewall: {
          ...firewall,
          rules: [{ ...firewall.rules[0]!, name: 'outbound: mine' }, ...firewall.rules.slice(1)],
        },
      },
    };
    const decoded = await decodeShareLink(await encodeShareLink({ scenario, t: 7 }));
    expect(decoded).toEqual({ ok: true, value: { scenario, t: 7 } });
    expect(unpackScenario(packScenario({ mode: 'active' }))).toEqual({ mode: 'active' });
  });

  it('say what is wrong with a damaged link, and never throw', async () => {
    const good = await encodeShareLink({ scenario: starting, t: 5 });
    const error = async (fragment: string) => {
      const result = await decodeShareLink(fragment);
      return result.ok ? 'ok' : result.error;
    };
    expect(await error('#z=%%%&t=0')).toMatch(/damaged \(it is not valid base64url text\)/);
    expect(await error(`#${good.replace(/&t=.*/, '').slice(0, 30)}&t=0`)).toMatch(
      /damaged \(it is not compressed data/,
    );
    expect(await error('#z=&t=0')).toMatch(/damaged/);
    expect(await error(good.replace('t=5', 't=-1'))).toMatch(/time in the link/);
    const packed = async (value: unknown) => {
      const bytes = await deflate(new TextEncoder().encode(JSON.stringify(value)));
      return `#z=${Buffer.from(bytes).toString('base64url')}`;
    };
    expect(await error(await packed({ clientSide: { firewall: { '#f': 99 } } }))).toMatch(
      /names a preset firewall that does not exist/,
    );
    expect(await error(await packed([1, 2]))).toMatch(/does not hold the changes/);
    expect(await error(await packed({ mode: 'passv' }))).toMatch(
      /not valid: mode: expected one of/,
    );
    let deep: unknown = 0;
    for (let i = 0; i < 200; i++) deep = { a: deep };
    expect(await error(await packed({ client: deep }))).toMatch(/nested deeper than 32 levels/);
    // A "__proto__" field stays a field (which validation refuses): it reaches no prototype.
    const proto = await decodeShareLink(await packed(JSON.parse('{"__proto__":{"mode":"epsv"}}')));
    expect(proto.ok ? 'ok' : proto.error).toMatch(/not valid: .*__proto__/);
    expect(({} as { mode?: string }).mode).toBeUndefined();
  });

  it('refuse a deflate bomb as soon as it unpacks past 256 KB', async () => {
    const bomb = await deflate(new Uint8Array(50 * 1024 * 1024).fill(32));
    expect(bomb.length).toBeLessThan(60_000);
    const started = performance.now();
    const result = await decodeShareLink(`#z=${Buffer.from(bomb).toString('base64url')}&t=0`);
    expect(result).toEqual({
      ok: false,
      error:
        'the scenario in the link is damaged (it unpacks to more than 256 KB, more than any scenario)',
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("a server's timeouts (issue 13)", () => {
  it('ride in a share link and come back as set', () => {
    const base = defaultScenario();
    const scenario = { ...base, server: { ...base.server, timeouts: { connectS: 7, acceptS: 9 } } };
    const back = decodeState(encodeState({ scenario, t: 0 }));
    expect(back.ok && back.value?.scenario.server.timeouts).toEqual({ connectS: 7, acceptS: 9 });
  });
});
