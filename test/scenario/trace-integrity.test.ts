import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/scenario/simulate';
import { NETWORK_PRESETS, defaultScenario } from '../../src/scenario/presets';
import type { TraceEvent } from '../../src/network/trace';
import type { DataMode } from '../../src/scenario/types';

const MODES: DataMode[] = ['active', 'passive', 'eprt', 'epsv'];

/** FNV-1a over the JSON text of the trace, bytes written as hex. */
function hashTrace(trace: TraceEvent[]): string {
  const json = JSON.stringify(trace, (_key, value) =>
    value instanceof Uint8Array
      ? Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('')
      : value,
  );
  let h = 0x811c9dc5;
  for (let i = 0; i < json.length; i++) {
    h ^= json.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${(h >>> 0).toString(16)}:${json.length}`;
}

describe('determinism', () => {
  it('the same scenario gives the identical trace, byte for byte', () => {
    for (const preset of ['client-stateful-helper', 'server-nat-helper', 'client-stateful']) {
      const scenario = NETWORK_PRESETS.find((p) => p.id === preset)!.apply({
        ...defaultScenario(),
        mode: 'active',
      });
      const first = hashTrace(simulate(scenario).trace);
      const second = hashTrace(simulate(structuredClone(scenario)).trace);
      expect(second).toBe(first);
    }
  });

  it('a different scenario gives a different trace', () => {
    const a = simulate({ ...defaultScenario(), mode: 'active' });
    const b = simulate({ ...defaultScenario(), mode: 'passive' });
    expect(hashTrace(a.trace)).not.toBe(hashTrace(b.trace));
  });

  it('trace events are in time order', () => {
    const { trace } = simulate({ ...defaultScenario(), mode: 'passive' });
    for (let i = 1; i < trace.length; i++)
      expect(trace[i]!.t).toBeGreaterThanOrEqual(trace[i - 1]!.t);
  });
});

describe('every packet is accounted for', () => {
  for (const preset of NETWORK_PRESETS) {
    for (const mode of MODES) {
      it(`${preset.id} / ${mode}: each packet ends delivered, dropped or rejected, with a reason`, () => {
        const { trace } = simulate(preset.apply({ ...defaultScenario(), mode }));
        const fate = new Map<number, TraceEvent>();
        const sent = new Set<number>();
        for (const event of trace) {
          if (event.type === 'send') sent.add(event.packet.id);
          if (event.type === 'deliver' || event.type === 'drop' || event.type === 'reject') {
            expect(fate.has(event.packet.id), `packet ${event.packet.id} ended twice`).toBe(false);
            fate.set(event.packet.id, event);
          }
          if ((event.type === 'drop' || event.type === 'reject') && !event.reason) {
            throw new Error(`packet ${event.packet.id} stopped without a reason`);
          }
        }
        const unaccounted = [...sent].filter((id) => !fate.has(id));
        expect(unaccounted).toEqual([]);
        // And nothing ends that was never sent.
        expect([...fate.keys()].filter((id) => !sent.has(id))).toEqual([]);
      });
    }
  }
});

describe('protocol truth on the wire', () => {
  it('control lines are CRLF-terminated TCP payload with consistent sequence numbers', () => {
    const { trace } = simulate({ ...defaultScenario(), mode: 'passive' });
    const sends = trace.filter(
      (e): e is Extract<TraceEvent, { type: 'send' }> =>
        e.type === 'send' &&
        e.node === 'client' &&
        !!e.packet.tcp &&
        e.packet.channel === 'control',
    );
    const payloads = sends.filter((e) => e.packet.tcp!.payload.length > 0);
    expect(payloads.length).toBeGreaterThan(3);
    for (const e of payloads) {
      const bytes = e.packet.tcp!.payload;
      expect(bytes[bytes.length - 2]).toBe(13);
      expect(bytes[bytes.length - 1]).toBe(10);
    }
    // Each segment starts where the previous one ended (RFC 9293 §3.4): SYN counts one octet.
    let expected: number | null = null;
    for (const e of sends) {
      const tcp = e.packet.tcp!;
      if (expected !== null) expect(tcp.seq).toBe(expected);
      expected =
        (tcp.seq + tcp.payload.length + (tcp.flags.syn ? 1 : 0) + (tcp.flags.fin ? 1 : 0)) >>> 0;
    }
  });

  it('active mode: the server connects from port 20 to the port named in PORT (p1 × 256 + p2)', () => {
    const { trace } = simulate({ ...defaultScenario(), mode: 'active', commands: ['LIST'] });
    const port = trace.find(
      (e) => e.type === 'control' && e.from === 'client' && e.text.startsWith('PORT '),
    );
    expect(port && port.type === 'control').toBeTruthy();
    const numbers = (port as Extract<TraceEvent, { type: 'control' }>).text
      .slice(5)
      .split(',')
      .map(Number);
    const announced = numbers[4]! * 256 + numbers[5]!;
    const syn = trace.find(
      (e) =>
        e.type === 'send' &&
        e.node === 'server' &&
        e.packet.channel === 'data' &&
        e.packet.tcp?.flags.syn,
    );
    expect(syn && syn.type === 'send' && syn.packet.tcp?.srcPort).toBe(20);
    expect(syn && syn.type === 'send' && syn.packet.tcp?.dstPort).toBe(announced);
  });

  it('TYPE A sends LF as CRLF; TYPE I sends the bytes unchanged (RFC 959 §3.1.1)', () => {
    const ascii = simulate({
      ...defaultScenario(),
      mode: 'passive',
      type: 'ascii',
      commands: ['RETR notes.txt'],
    });
    const binary = simulate({
      ...defaultScenario(),
      mode: 'passive',
      type: 'binary',
      commands: ['RETR notes.txt'],
    });
    const wireA = ascii.client.transfers[0]!;
    const wireI = binary.client.transfers[0]!;
    const lines = (wireI.received ?? new Uint8Array()).filter((b) => b === 10).length;
    expect(wireA.bytesOnWire).toBe(wireI.bytesOnWire + lines);
    expect(wireA.received).toEqual(wireI.received);
  });

  it('a binary file fetched in ASCII mode arrives damaged', () => {
    const ascii = simulate({
      ...defaultScenario(),
      mode: 'passive',
      type: 'ascii',
      commands: ['RETR logo.png'],
    });
    const binary = simulate({
      ...defaultScenario(),
      mode: 'passive',
      type: 'binary',
      commands: ['RETR logo.png'],
    });
    expect(ascii.client.transfers[0]!.received).not.toEqual(binary.client.transfers[0]!.received);
  });
  it('the server sends 150 before the data it announces, and 226 after (RFC 959 §5.4 sequencing)', () => {
    for (const mode of ['active', 'passive'] as const) {
      const { trace } = simulate({ ...defaultScenario(), mode, commands: ['LIST'] });
      const serverSends = trace.filter(
        (e): e is Extract<TraceEvent, { type: 'send' }> =>
          e.type === 'send' && e.node === 'server' && (e.packet.tcp?.payload.length ?? 0) > 0,
      );
      const order = serverSends.map((e) => {
        if (e.packet.channel === 'data') return 'data';
        return String.fromCharCode(...e.packet.tcp!.payload).slice(0, 3);
      });
      const i150 = order.indexOf('150');
      expect(i150).toBeGreaterThan(-1);
      expect(order.indexOf('data')).toBe(i150 + 1);
      expect(order.indexOf('226')).toBeGreaterThan(i150 + 1);
    }
  });
});
