/**
 * A captured session drawn on the stage: the lab's captures turned into the trace the views read,
 * checked with the same queries the network view, ladder and player use.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index';
import { captureStage, FLIGHT_MS } from '../../src/capture/stage';
import { connectionsOf } from '../../src/viz/connections';
import { ipv6EpsvSession } from './build';
import { indexTrace, openPortsAt, packetsInFlightAt, phasesOf } from '../../src/scenario/queries';
import { validateScenario } from '../../src/scenario/validate';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const stageOf = (name: string) => {
  const stage = captureStage(readCapture(new Uint8Array(readFileSync(new URL(name, FIXTURES)))));
  if (!stage) throw new Error(`no session in ${name}`);
  return stage;
};

const FILES = readdirSync(FIXTURES).filter((name) => /\.pcap(ng)?$/.test(name));

describe('a capture on the stage', () => {
  for (const file of FILES) {
    it(`${file}: a trace in time order, every line of the dialogue, each packet one slot`, () => {
      const stage = stageOf(file);
      const { trace } = stage.result;
      for (let i = 1; i < trace.length; i++)
        expect(trace[i]!.t).toBeGreaterThanOrEqual(trace[i - 1]!.t);
      const lines = trace.filter((e) => e.type === 'control').map((e) => e.text);
      expect(lines).toEqual(stage.summary.dialogue.map((l) => l.text));
      const sends = trace.filter((e) => e.type === 'send').map((e) => e.t);
      for (let i = 1; i < sends.length; i++)
        expect(sends[i]! - sends[i - 1]!).toBeGreaterThanOrEqual(FLIGHT_MS - 1e-9);
      // Every packet ends somewhere: delivered or stopped.
      const ended = trace.filter((e) => e.type === 'deliver' || e.type === 'drop').length;
      expect(ended).toBe(sends.length);
      expect(validateScenario(stage.result.scenario).ok).toBe(true);
      // The views' own index reads it.
      const index = indexTrace(stage.result);
      expect(index.hops.length).toBeGreaterThan(sends.length);
      expect(phasesOf(index).length).toBeGreaterThan(0);
    });
  }

  it('keeps each packet its captured time, the clock at most aheadMs ahead', () => {
    const stage = stageOf('client-stateful-active.server-lan.pcap');
    for (const e of stage.result.trace)
      if (e.type === 'send') {
        const captured = stage.capturedMs[e.packet.id]!;
        expect(e.t).toBeGreaterThanOrEqual(captured);
        expect(e.t - captured).toBeLessThanOrEqual(stage.aheadMs + 1e-9);
      }
    // The 7 s the server waited before 425 is still there: bursts shift the clock, waits do not.
    const reply425 = stage.result.trace.find(
      (e) => e.type === 'control' && e.text.startsWith('425'),
    )!;
    expect(reply425.t).toBeGreaterThan(7000);
  });

  it('draws the six unanswered SYNs from port 20 as lost just past the server, where it was captured', () => {
    const stage = stageOf('client-stateful-active.server-lan.pcap');
    const drops = stage.result.trace.filter((e) => e.type === 'drop');
    expect(drops).toHaveLength(6);
    for (const drop of drops) {
      expect(drop.node).toBe('server-router');
      expect(drop.packet.tcp?.srcPort).toBe(20);
      expect(drop.packet.tcp?.flags.syn).toBe(true);
      expect(drop.reason).toMatch(/lost somewhere past the capture point/);
    }
    const index = indexTrace(stage.result);
    expect(index.drops).toHaveLength(6);
    // All six belong to the data connection's line in the network view, none counted apart.
    const line = connectionsOf(index).find((c) => c.channel === 'data');
    expect(line?.stops).toHaveLength(6);
    // When the session is over, only the server's port 21 is still open (listening).
    expect(openPortsAt(index, 'server', index.end).map((p) => [p.port, p.listening])).toEqual([
      [21, true],
    ]);
    expect(openPortsAt(index, 'client', index.end)).toEqual([]);
    expect(stage.capturedAt).toBe('server');
    expect(stage.diagnosis.suggested.preset).toBe('client-stateful');
  });

  it('puts the router that sent an ICMP error on the side it stopped the packet, with its address', () => {
    const stage = stageOf('client-stateful-reject-active.internet.pcap');
    const icmp = stage.result.trace.find((e) => e.type === 'send' && e.packet.icmp);
    expect(icmp?.type === 'send' && icmp.node).toBe('client-router');
    expect(stage.result.addressing.clientRouter.wan).toBe('203.0.113.1');
    const stopped = stage.result.trace.find((e) => e.type === 'drop');
    expect(stopped?.node).toBe('client-router');
    expect(stopped?.type === 'drop' && stopped.reason).toMatch(/203\.0\.113\.1 answered with ICMP/);
  });

  it('draws a packet in flight between its two slots', () => {
    const stage = stageOf('no-firewall-passive.internet.pcap');
    const index = indexTrace(stage.result);
    const firstSend = stage.result.trace.find((e) => e.type === 'send')!;
    const flying = packetsInFlightAt(index, firstSend.t + FLIGHT_MS / 2);
    expect(flying).toHaveLength(1);
    expect(flying[0]!.label).toBe('SYN');
  });

  it('draws an IPv6 session as it does IPv4: the two ends, the dialogue, the EPSV data connection', () => {
    const stage = captureStage(readCapture(ipv6EpsvSession()))!;
    expect(stage.result.addressing).toMatchObject({
      client: '2001:db8::10',
      server: '2001:db8:1::20',
    });
    expect(stage.summary.dataConnections).toMatchObject([
      { mode: 'epsv', opener: 'client', result: 'completed', command: 'LIST' },
    ]);
    const sends = stage.result.trace.filter((e) => e.type === 'send');
    expect(sends.every((e) => e.packet.src.includes(':'))).toBe(true);
    expect(stage.diagnosis.outcome).toBe('success');
    expect(indexTrace(stage.result).drops).toHaveLength(0);
  });

  it('opens the ports the capture shows: 21 listening, the 227 port while the transfer runs', () => {
    const stage = stageOf('ftplib-no-firewall-passive.server-lan.pcap');
    const index = indexTrace(stage.result);
    const reply150 = stage.result.trace.find(
      (e) => e.type === 'control' && e.text.startsWith('150'),
    )!;
    const during = openPortsAt(index, 'server', reply150.t);
    expect(during.map((p) => p.port)).toEqual([21, 40088]);
    expect(during[0]!.listening).toBe(true);
    expect(during[0]!.sockets.map((s) => s.state)).toEqual(['LISTEN', 'ESTABLISHED']);
    expect(openPortsAt(index, 'client', reply150.t).map((p) => p.port)).toEqual([35606, 40006]);
    // At the end the sessions are closed; the server still listens on 21.
    const after = openPortsAt(index, 'server', index.end);
    expect(after.map((p) => [p.port, p.listening])).toEqual([[21, true]]);
    expect(openPortsAt(index, 'client', index.end)).toEqual([]);
  });

  it('keeps the client listening for a data connection that never came, until the session ends', () => {
    const stage = stageOf('client-stateful-active.client-lan.pcap');
    const index = indexTrace(stage.result);
    const reply425 = stage.result.trace.find(
      (e) => e.type === 'control' && e.text.startsWith('425'),
    )!;
    const ports = openPortsAt(index, 'client', reply425.t);
    expect(ports.find((p) => p.port === 37323)?.listening).toBe(true);
    expect(openPortsAt(index, 'client', index.end)).toEqual([]);
  });

  it('posts cleanly: no views into the file, nothing a structured clone would refuse', () => {
    const stage = stageOf('no-firewall-curl-epsv.server-lan.pcapng');
    const copy = structuredClone(stage);
    expect(copy.result.trace.length).toBe(stage.result.trace.length);
    for (const e of stage.result.trace)
      if (e.type === 'send' && e.packet.tcp)
        expect(e.packet.tcp.payload.byteLength).toBe(e.packet.tcp.payload.buffer.byteLength);
  });
});
