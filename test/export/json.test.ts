import { describe, expect, it } from 'vitest';
import {
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
