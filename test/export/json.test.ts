import { describe, expect, it, vi } from 'vitest';
import {
  Fnv1a64,
  fnv1a64,
  payloadToJson,
  toJsonSummary,
  traceHash,
  traceToJson,
} from '../../src/export/json';
import { defaultScenario, firewallPreset } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';

function clientStateful(mode: Scenario['mode']): Scenario {
  const scenario = { ...defaultScenario(), mode };
  scenario.clientSide = firewallPreset('client', 'stateful')!.build(scenario.server.passivePorts);
  return scenario;
}

const activeBlocked = simulate(clientStateful('active'));

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64-bit test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });

  it('hashes UTF-8 bytes, so non-ASCII text is stable too', () => {
    expect(fnv1a64('→')).toMatch(/^[0-9a-f]{16}$/);
    expect(fnv1a64('→')).not.toBe(fnv1a64('?'));
  });
});

describe('payloadToJson', () => {
  it('gives hex and text for printable ASCII with CRLF', () => {
    expect(payloadToJson(new TextEncoder().encode('USER student\r\n'))).toEqual({
      hex: '555345522073747564656e740d0a',
      text: 'USER student\r\n',
    });
  });

  it('gives only hex for binary bytes', () => {
    expect(payloadToJson(new Uint8Array([0x00, 0xff, 0x41]))).toEqual({ hex: '00ff41' });
  });
});

describe('toJsonSummary', () => {
  it('summarises a blocked active session with the rule that decided it', () => {
    const summary = toJsonSummary(activeBlocked, { includeTrace: false });
    expect(summary).toMatchObject({
      outcome: 'failure',
      failedAt: 'LIST',
      elapsedMs: activeBlocked.outcome.elapsedMs,
      scenario: { mode: 'active' },
    });
    expect(summary.replyCodes).toContain(425);
    expect(summary.explanation).toContain('rule 3');
    expect(summary.trace).toBeUndefined();
    expect(summary.traceEvents).toBe(activeBlocked.trace.length);
    expect(summary.traceHash).toMatch(/^[0-9a-f]{16}$/);
    const [data] = summary.dataConnections;
    expect(data).toMatchObject({
      command: 'LIST',
      mode: 'active',
      opener: 'server',
      result: 'dropped',
      decidedBy: { node: 'client-router', verdict: { ruleNumber: 3, action: 'DROP' } },
    });
    expect(data!.from).toMatch(/^198\.51\.100\.20:20$/);
    expect(data!.to).toMatch(/^192\.0\.2\.10:\d+$/);
  });

  it('is plain JSON: a round trip through JSON.stringify changes nothing', () => {
    const summary = toJsonSummary(activeBlocked, { includeTrace: true });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(summary.trace).toHaveLength(activeBlocked.trace.length);
  });

  it('writes every payload as { hex, text? } in the trace', () => {
    const summary = toJsonSummary(activeBlocked, { includeTrace: true });
    const user = summary.trace!.find((e) =>
      JSON.stringify(e).includes('"text":"USER student\\r\\n"'),
    );
    expect(user).toBeDefined();
    expect(JSON.stringify(summary.trace)).not.toContain('"payload":{"0"');
  });

  it('leaves out text for binary data segments', () => {
    const result = simulate({
      ...defaultScenario(),
      mode: 'passive',
      type: 'binary',
      commands: ['RETR archive.bin'],
    });
    const payloads = traceToJson(result.trace).flatMap((event) => {
      const e = event as { type: string; packet?: { channel: string; tcp?: { payload: unknown } } };
      return e.type === 'send' && e.packet?.channel === 'data' && e.packet.tcp
        ? [e.packet.tcp.payload as { hex: string; text?: string }]
        : [];
    });
    const withData = payloads.filter((p) => p.hex.length > 0);
    expect(withData.length).toBeGreaterThan(10);
    expect(withData.some((p) => p.text === undefined)).toBe(true);
  });
});

describe('traceHash', () => {
  it('is the same for two runs of the same scenario', () => {
    expect(traceHash(simulate(clientStateful('active')).trace)).toBe(
      traceHash(activeBlocked.trace),
    );
  });

  it('changes when the mode changes', () => {
    expect(traceHash(simulate(clientStateful('passive')).trace)).not.toBe(
      traceHash(activeBlocked.trace),
    );
  });
});

describe('the trace hash is computed a piece at a time (issue 11 item 20)', () => {
  /** The hash as it was first defined: the whole text's UTF-8 bytes, in four 16-bit limbs. */
  function wholeTextFnv1a64(text: string): string {
    let [h0, h1, h2, h3] = [0x2325, 0x8422, 0x9ce4, 0xcbf2];
    for (const byte of new TextEncoder().encode(text)) {
      h0 ^= byte;
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
      const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
      [h0, h1, h2, h3] = [t0 & 0xffff, t1 & 0xffff, t2 & 0xffff, t3 & 0xffff];
    }
    return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, '0')).join('');
  }

  it('gives, fed in pieces, the hash of the whole text, for any characters', () => {
    const texts = ['', 'a', 'foobar', 'PASV\r\n', 'é→中😀', '\ud800 lone \udc00', 'x'.repeat(1000)];
    for (const text of texts) {
      expect(fnv1a64(text)).toBe(wholeTextFnv1a64(text));
      for (let cut = 0; cut <= Math.min(text.length, 12); cut++) {
        if (/[\ud800-\udbff]$/.test(text.slice(0, cut))) continue; // inside a surrogate pair
        const pieces = new Fnv1a64().update(text.slice(0, cut)).update(text.slice(cut));
        expect(pieces.digest()).toBe(fnv1a64(text));
      }
    }
  });

  it('is still the hash of the whole trace as JSON, so pinned hashes keep their values', () => {
    for (const result of [activeBlocked, simulate(clientStateful('epsv'))]) {
      expect(traceHash(result.trace)).toBe(
        wholeTextFnv1a64(JSON.stringify(traceToJson(result.trace))),
      );
    }
  });

  it('never builds the whole trace as one string (39 MB at the largest scenario)', () => {
    const large = simulate({
      ...defaultScenario(),
      mode: 'passive',
      type: 'binary',
      commands: ['RETR archive.bin', 'RETR archive.bin'],
    });
    const whole = JSON.stringify(traceToJson(large.trace)).length;
    expect(whole).toBeGreaterThan(2_000_000);
    const stringify = vi.spyOn(JSON, 'stringify');
    const summary = (() => {
      try {
        return toJsonSummary(large, { includeTrace: false });
      } finally {
        stringify.mockRestore();
      }
    })();
    const longest = Math.max(...stringify.mock.results.map((r) => String(r.value).length));
    expect(longest).toBeLessThan(100_000);
    expect(summary.traceHash).toBe(wholeTextFnv1a64(JSON.stringify(traceToJson(large.trace))));
  });
});
