import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import {
  actorStatesAt,
  conntrackAt,
  describeEventForScreenReader,
  dropsUpTo,
  duration,
  eventAt,
  eventsUpTo,
  indexTrace,
  isStepEvent,
  natMappingsAt,
  nextEventTime,
  openPortsAt,
  packetsInFlightAt,
  phasesOf,
  previousEventTime,
  recentDropsAt,
  type TraceIndex,
} from '../../src/scenario/queries';
import { simulate, type SimulationResult } from '../../src/scenario/simulate';
import type { NodeId, TraceEvent } from '../../src/scenario/trace';
import type { Scenario } from '../../src/scenario/types';

function run(presetId: string, change: Partial<Scenario> = {}): SimulationResult {
  return simulate(networkPreset(presetId)!.apply({ ...defaultScenario(), ...change }));
}

type EventOf<K extends TraceEvent['type']> = Extract<TraceEvent, { type: K }>;

function events<K extends TraceEvent['type']>(
  result: SimulationResult,
  type: K,
  where: (e: EventOf<K>) => boolean = () => true,
): EventOf<K>[] {
  return result.trace.filter((e): e is EventOf<K> => e.type === type && where(e as EventOf<K>));
}

function first<K extends TraceEvent['type']>(
  result: SimulationResult,
  type: K,
  where?: (e: EventOf<K>) => boolean,
): EventOf<K> {
  const found = events(result, type, where)[0];
  if (!found) throw new Error(`no ${type} event matches`);
  return found;
}

function controlLine(result: SimulationResult, from: 'client' | 'server', pattern: RegExp) {
  return first(result, 'control', (e) => e.from === from && pattern.test(e.text));
}

/** The port encoded in "PORT h1,h2,h3,h4,p1,p2" or "227 ... (h1,h2,h3,h4,p1,p2)". */
function announcedPort(text: string): number {
  const [p1, p2] = /(\d+),(\d+)\)?\.?$/.exec(text)!.slice(1).map(Number);
  return p1! * 256 + p2!;
}

const isDataSyn = (e: EventOf<'send'>) =>
  e.packet.channel === 'data' && Boolean(e.packet.tcp?.flags.syn) && !e.packet.tcp?.flags.ack;

// Client firewall without helper, active mode: the server's data SYN is dropped by rule 3.
const blocked = run('client-stateful', { mode: 'active' });
const blockedIndex = indexTrace(blocked);
const rejected = run('client-stateful-reject', { mode: 'active' });
const helped = run('client-stateful-helper', { mode: 'active' });
const helpedIndex = indexTrace(helped);
const passive = run('no-firewall', { mode: 'passive' });
const passiveIndex = indexTrace(passive);
const serverNat = run('server-nat-public', { mode: 'passive' });
const serverNatIndex = indexTrace(serverNat);

const clientControlSocket = (result: SimulationResult) =>
  result.actors.find((a) => a.node === 'client' && a.machine === 'tcp' && a.channel === 'control')!
    .actor;

describe('indexTrace, eventsUpTo, eventAt, duration', () => {
  it('counts the events at or before t, as a scan of the trace would', () => {
    const { trace } = blocked;
    expect(eventsUpTo(blockedIndex, -1)).toBe(0);
    expect(eventsUpTo(blockedIndex, duration(blockedIndex))).toBe(trace.length);
    fc.assert(
      fc.property(fc.double({ min: -1, max: duration(blockedIndex) + 1, noNaN: true }), (t) => {
        expect(eventsUpTo(blockedIndex, t)).toBe(trace.filter((e) => e.t <= t).length);
      }),
      { numRuns: 200 },
    );
  });

  it('counts an event at exactly t as having happened', () => {
    const drop = first(blocked, 'drop');
    const i = blocked.trace.indexOf(drop);
    expect(eventsUpTo(blockedIndex, drop.t)).toBeGreaterThan(i);
    expect(eventAt(blockedIndex, i)).toBe(drop);
  });

  it('refuses an index outside the trace', () => {
    expect(() => eventAt(blockedIndex, -1)).toThrow(RangeError);
    expect(() => eventAt(blockedIndex, blocked.trace.length)).toThrow(RangeError);
    expect(() => eventAt(blockedIndex, 0.5)).toThrow(RangeError);
  });

  it('ends at the last event', () => {
    expect(duration(blockedIndex)).toBe(blocked.trace.at(-1)!.t);
    // The failing run waits out the server's 60 s connect timeout.
    expect(duration(blockedIndex)).toBeGreaterThan(60_000);
  });
});

describe('actorStatesAt', () => {
  it('at t = 0: the server listens, the client is connecting, the server session does not exist yet', () => {
    const states = actorStatesAt(blockedIndex, 0);
    expect(states.get('server/tcp-1')).toMatchObject({ state: 'LISTEN', ended: false });
    expect(states.get('client/ftp-1')).toMatchObject({ state: 'connecting', since: 0 });
    expect(states.get(clientControlSocket(blocked))?.state).toBe('SYN_SENT');
    expect(states.has('server/ftp-1')).toBe(false);
  });

  it("at the end: the client's FTP session is done", () => {
    const states = actorStatesAt(blockedIndex, duration(blockedIndex));
    expect(states.get('client/ftp-1')).toMatchObject({ state: 'done', ended: true });
    expect(states.get('server/ftp-1')).toMatchObject({ state: 'done', ended: true });
    // The server's active data socket gave up after its SYNs were dropped.
    const dataSocket = blocked.actors.find((a) => a.label === 'FTP server active data connection')!;
    expect(states.get(dataSocket.actor)).toMatchObject({ state: 'CLOSED', ended: true });
    expect([...states.keys()]).toEqual(blocked.actors.map((a) => a.actor));
  });

  it('the control socket is ESTABLISHED once the SYN-ACK has arrived', () => {
    const socket = clientControlSocket(blocked);
    const synAckArrives = first(
      blocked,
      'deliver',
      (e) => e.node === 'client' && Boolean(e.packet.tcp?.flags.syn && e.packet.tcp.flags.ack),
    ).t;
    expect(actorStatesAt(blockedIndex, synAckArrives - 0.001).get(socket)?.state).toBe('SYN_SENT');
    expect(actorStatesAt(blockedIndex, synAckArrives).get(socket)).toMatchObject({
      state: 'ESTABLISHED',
      since: synAckArrives,
    });
  });
});

describe('packetsInFlightAt', () => {
  it('puts a packet halfway along its link at the middle of its hop', () => {
    const hop = first(blocked, 'hop');
    const middle = (hop.t + hop.arriveAt) / 2;
    const inFlight = packetsInFlightAt(blockedIndex, middle).find((p) => p.id === hop.packet.id);
    expect(inFlight).toMatchObject({
      from: 'client',
      to: 'client-router',
      kind: 'control',
      label: 'SYN',
    });
    expect(inFlight!.progress).toBeCloseTo(0.5, 9);
    expect(
      packetsInFlightAt(blockedIndex, hop.t).find((p) => p.id === hop.packet.id)?.progress,
    ).toBe(0);
    const hopIndex = blocked.trace.indexOf(hop);
    expect(
      packetsInFlightAt(blockedIndex, hop.arriveAt).some((p) => p.eventIndex === hopIndex),
    ).toBe(false);
  });

  it('finds exactly the hops with departure <= t < arrival', () => {
    const hops = events(passive, 'hop');
    fc.assert(
      fc.property(fc.double({ min: 0, max: duration(passiveIndex), noNaN: true }), (t) => {
        const expected = hops.filter((h) => h.t <= t && t < h.arriveAt).map((h) => h.packet);
        const found = packetsInFlightAt(passiveIndex, t);
        expect(found.map((p) => p.packet)).toEqual(expected);
        for (const p of found) expect(p.progress).toBeGreaterThanOrEqual(0);
        for (const p of found) expect(p.progress).toBeLessThan(1);
        expect(new Set(found.map((p) => p.id)).size).toBe(found.length);
      }),
      { numRuns: 300 },
    );
  });

  it('labels flags, FTP lines, data and ICMP, and sorts them into kinds', () => {
    const labelOf = (index: TraceIndex, hop: EventOf<'hop'>) =>
      packetsInFlightAt(index, hop.t).find((p) => p.eventIndex === index.events.indexOf(hop))!;
    const pasv = first(passive, 'hop', (h) => h.packet.tcp?.payload.length === 6);
    expect(labelOf(passiveIndex, pasv)).toMatchObject({ kind: 'control', label: 'PASV' });
    const reply = first(
      passive,
      'hop',
      (h) =>
        h.packet.tcp?.payload[0] === 0x32 &&
        h.packet.tcp.payload[1] === 0x32 &&
        h.packet.tcp.payload[2] === 0x37,
    );
    expect(labelOf(passiveIndex, reply).label).toBe('227 Entering Passive Mode (198,51,100,2…');
    const data = first(
      passive,
      'hop',
      (h) => h.packet.channel === 'data' && h.packet.tcp!.payload.length > 0,
    );
    expect(labelOf(passiveIndex, data)).toMatchObject({
      kind: 'data',
      label: `data ${data.packet.tcp!.payload.length} bytes`,
    });
    const synAck = first(passive, 'hop', (h) =>
      Boolean(h.packet.tcp?.flags.syn && h.packet.tcp.flags.ack),
    );
    expect(labelOf(passiveIndex, synAck).label).toBe('SYN-ACK');
    const finAck = first(passive, 'hop', (h) => Boolean(h.packet.tcp?.flags.fin));
    expect(labelOf(passiveIndex, finAck).label).toBe('FIN-ACK');

    const rejectedIndex = indexTrace(rejected);
    const icmp = first(rejected, 'hop', (h) => h.packet.icmp !== undefined);
    expect(labelOf(rejectedIndex, icmp)).toMatchObject({
      kind: 'icmp',
      label: 'ICMP port unreachable',
    });
  });
});

describe('dropsUpTo and recentDropsAt', () => {
  const drop = first(blocked, 'drop');

  it("shows the server's dropped SYN from the moment it reaches the client firewall, naming rule 3", () => {
    const arrival = first(
      blocked,
      'hop',
      (h) => h.packet.id === drop.packet.id && h.to === 'client-router',
    ).arriveAt;
    expect(drop.t).toBe(arrival);
    expect(dropsUpTo(blockedIndex, drop.t - 0.001)).toEqual([]);
    const [mark, ...rest] = dropsUpTo(blockedIndex, drop.t);
    expect(rest).toEqual([]);
    expect(mark).toMatchObject({
      t: drop.t,
      node: 'client-router',
      action: 'drop',
      label: 'SYN',
      rule: { number: 3, name: 'inbound: drop everything else' },
      response: null,
    });
    expect(mark!.packet.src).toBe(blocked.addressing.server);
    expect(mark!.reason).toMatch(/rule 3/);
    // The server tries ten times (Linux's schedule) before vsftpd's 60 s connect timeout.
    expect(dropsUpTo(blockedIndex, duration(blockedIndex))).toHaveLength(10);
  });

  it('keeps a mark for the window after the drop, fading', () => {
    // The server retransmits its SYN 1 s later, so a 500 ms window holds one drop at a time.
    const [recent, ...others] = recentDropsAt(blockedIndex, drop.t + 125, 500);
    expect(others).toEqual([]);
    expect(recent).toMatchObject({ t: drop.t, node: 'client-router' });
    expect(recent!.age).toBeCloseTo(125, 9);
    expect(recent!.fade).toBeCloseTo(0.75, 9);
    expect(recentDropsAt(blockedIndex, drop.t, 500)[0]?.fade).toBe(1);
    expect(recentDropsAt(blockedIndex, drop.t + 500.001, 500)).toEqual([]);
    expect(recentDropsAt(blockedIndex, drop.t - 1, 500)).toEqual([]);
  });

  it('a REJECT carries its answer', () => {
    const [mark] = dropsUpTo(indexTrace(rejected), duration(indexTrace(rejected)));
    expect(mark).toMatchObject({ action: 'reject', rule: { number: 3 } });
    expect(mark!.response?.icmp?.code).toBe(3);
  });
});

describe('conntrackAt', () => {
  const port = controlLine(helped, 'client', /^PORT /);
  const dataSyn = first(helped, 'send', isDataSyn);
  const match = first(helped, 'expect', (e) => e.op === 'match');

  it('holds an expectation for the announced port between PORT and the data SYN', () => {
    expect(conntrackAt(helpedIndex, 'client-router', port.t).expectations).toEqual([]);
    const { expectations } = conntrackAt(helpedIndex, 'client-router', dataSyn.t);
    expect(expectations).toHaveLength(1);
    expect(expectations[0]).toMatchObject({
      src: helped.addressing.server,
      dst: helped.addressing.client,
      dstPort: announcedPort(port.text),
      cause: port.text,
    });
    expect(match.t).toBeGreaterThan(dataSyn.t);
    expect(conntrackAt(helpedIndex, 'client-router', match.t).expectations).toEqual([]);
  });

  it('has a RELATED entry once the data connection has started', () => {
    const before = conntrackAt(helpedIndex, 'client-router', match.t - 0.001).entries;
    expect(before.some((e) => e.related)).toBe(false);
    const { entries } = conntrackAt(helpedIndex, 'client-router', match.t);
    const control = entries.find((e) => e.orig.dstPort === 21)!;
    const data = entries.find((e) => e.related)!;
    expect(data).toMatchObject({ masterId: control.id, tcpState: 'SYN_SENT' });
    expect(data.orig).toMatchObject({
      src: helped.addressing.server,
      dstPort: announcedPort(port.text),
    });
  });

  it('shows each entry as its latest event left it', () => {
    const end = duration(helpedIndex);
    const latest = new Map<number, unknown>();
    for (const e of events(helped, 'conntrack', (c) => c.node === 'client-router'))
      latest.set(e.entry.id, e.entry);
    const { entries } = conntrackAt(helpedIndex, 'client-router', end);
    expect(entries).toEqual([...latest.values()]);
    expect(conntrackAt(helpedIndex, 'server-router', end)).toEqual({
      entries: [],
      expectations: [],
    });
  });
});

describe('natMappingsAt', () => {
  it('shows the server router forwarding port 21 and the passive port to the private server', () => {
    const { addressing } = serverNat;
    const synThrough = first(serverNat, 'nat', (e) => e.node === 'server-router').t;
    expect(natMappingsAt(serverNatIndex, 'server-router', synThrough - 0.001)).toEqual([]);
    const [control] = natMappingsAt(serverNatIndex, 'server-router', synThrough);
    expect(control).toMatchObject({
      kind: 'dnat',
      openedFrom: 'outside',
      outside: `${addressing.serverPublic}:21`,
      inside: `${addressing.server}:21`,
    });
    expect(control!.remote).toMatch(new RegExp(`^${addressing.client}:\\d+$`));
    const passivePort = announcedPort(controlLine(serverNat, 'server', /^227 /).text);
    const all = natMappingsAt(serverNatIndex, 'server-router', duration(serverNatIndex));
    expect(all.map((m) => m.inside)).toContain(`${addressing.server}:${passivePort}`);
    expect(natMappingsAt(serverNatIndex, 'client-router', duration(serverNatIndex))).toEqual([]);
  });

  it('shows a masquerading client router mapping the private client to its public address', () => {
    const natted = run('client-nat-helper', { mode: 'passive' });
    const mappings = natMappingsAt(indexTrace(natted), 'client-router', 50);
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({ kind: 'snat', openedFrom: 'inside' });
    expect(mappings[0]!.inside).toMatch(new RegExp(`^${natted.addressing.client}:`));
    expect(mappings[0]!.outside).toMatch(new RegExp(`^${natted.addressing.clientRouter.wan}:`));
  });
});

describe('openPortsAt', () => {
  const ports = (t: number, node: NodeId = 'server') =>
    openPortsAt(passiveIndex, node, t).map((p) => `${p.port}${p.listening ? ' listening' : ''}`);

  it('the server listens on 21 from the start, and on the passive port from its 227 reply', () => {
    const pasv = controlLine(passive, 'client', /^PASV/);
    const reply = controlLine(passive, 'server', /^227 /);
    const passivePort = announcedPort(reply.text);
    expect(ports(0)).toEqual(['21 listening']);
    expect(ports(pasv.t)).toEqual(['21 listening']);
    expect(ports(reply.t)).toEqual(['21 listening', `${passivePort} listening`]);
    // Once the client is connected the listener closes; the connected socket keeps the port.
    const established = first(
      passive,
      'transition',
      (e) => e.node === 'server' && e.to === 'ESTABLISHED' && e.actor !== 'server/tcp-2',
    ).t;
    const [, data] = openPortsAt(passiveIndex, 'server', established);
    expect(data).toMatchObject({ port: passivePort, listening: false });
    expect(data!.sockets.map((s) => s.state)).toEqual(['ESTABLISHED']);
  });

  it('lists connected sockets under their local port, and routers have none', () => {
    const [control] = openPortsAt(passiveIndex, 'server', 100);
    expect(control!.sockets.map((s) => [s.state, s.remote])).toEqual([
      ['LISTEN', null],
      ['ESTABLISHED', expect.stringMatching(/^192\.0\.2\.10:\d+$/)],
    ]);
    expect(ports(0, 'client')).toHaveLength(1);
    expect(ports(0, 'client-router')).toEqual([]);
  });
});

describe('phasesOf', () => {
  const runs = { blocked, rejected, helped, passive, serverNat };

  for (const [name, result] of Object.entries(runs)) {
    it(`${name}: sorted, with a failure marker only if the run failed`, () => {
      const phases = phasesOf(indexTrace(result));
      for (let i = 1; i < phases.length; i++)
        expect(phases[i]!.t).toBeGreaterThanOrEqual(phases[i - 1]!.t);
      const failures = phases.filter((p) => p.kind === 'failure');
      expect(failures).toHaveLength(result.outcome.result === 'failure' ? 1 : 0);
      expect(phases[0]).toMatchObject({ kind: 'handshake', t: 0 });
      for (const p of phases) expect(result.trace[p.eventIndex]!.t).toBe(p.t);
    });
  }

  it('marks login, negotiation, the start of each transfer and teardown in a working session', () => {
    const phases = phasesOf(passiveIndex);
    expect(phases.map((p) => p.kind)).toEqual([
      'handshake',
      'login',
      'data negotiation',
      'data transfer',
      'data negotiation',
      'data transfer',
      'teardown',
    ]);
    expect(phases.map((p) => p.label).filter((_, i) => i === 3 || i === 5)).toEqual([
      'LIST',
      'RETR notes.txt',
    ]);
    const firstData = first(
      passive,
      'send',
      (e) => e.packet.channel === 'data' && e.packet.tcp!.payload.length > 0,
    );
    expect(phases[3]!.t).toBe(firstData.t);
    expect(phases[1]!.t).toBe(controlLine(passive, 'client', /^USER /).t);
    expect(phases[6]!.t).toBe(controlLine(passive, 'client', /^QUIT/).t);
  });

  it('puts the failure on the first drop that decided the outcome', () => {
    const failure = phasesOf(blockedIndex).find((p) => p.kind === 'failure')!;
    expect(failure.t).toBe(first(blocked, 'drop').t);
    expect(failure.label).toBe('SYN dropped by the client firewall, rule 3');
    expect(phasesOf(blockedIndex).find((p) => p.kind === 'data transfer')?.label).toBe(
      'LIST (no data)',
    );
  });
});

describe('nextEventTime and previousEventTime', () => {
  const index = helpedIndex;
  const steps = [...new Set(helped.trace.filter(isStepEvent).map((e) => e.t))];
  const lastAtOrBefore = (t: number) => steps.filter((s) => s <= t).at(-1) ?? null;
  const firstAtOrAfter = (t: number) => steps.find((s) => s >= t) ?? null;
  const times = fc.double({ min: 0, max: duration(index), noNaN: true });

  it('step to the nearest step time strictly after or before t', () => {
    fc.assert(
      fc.property(times, (t) => {
        expect(nextEventTime(index, t)).toBe(steps.find((s) => s > t) ?? null);
        expect(previousEventTime(index, t)).toBe(steps.filter((s) => s < t).at(-1) ?? null);
      }),
      { numRuns: 300 },
    );
  });

  // Stepping forward then back never skips past where you were: it lands on the last step at or
  // before t (t itself if t is a step time). Back then forward lands on the first step at or after t.
  it('are inverse-consistent', () => {
    fc.assert(
      fc.property(times, (t) => {
        const next = nextEventTime(index, t);
        if (next !== null) {
          const back = previousEventTime(index, next);
          expect(back === null || back <= t).toBe(true);
          expect(back).toBe(lastAtOrBefore(t));
        }
        const previous = previousEventTime(index, t);
        if (previous !== null) {
          const forward = nextEventTime(index, previous)!;
          expect(forward).toBeGreaterThanOrEqual(t);
          expect(forward).toBe(firstAtOrAfter(t));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('undo each other exactly on step times, and stop at the ends', () => {
    for (let i = 1; i < steps.length - 1; i++) {
      const s = steps[i]!;
      expect(previousEventTime(index, nextEventTime(index, s)!)).toBe(s);
      expect(nextEventTime(index, previousEventTime(index, s)!)).toBe(s);
    }
    expect(previousEventTime(index, steps[0]!)).toBeNull();
    expect(nextEventTime(index, steps.at(-1)!)).toBeNull();
    expect(steps.at(-1)).toBeLessThanOrEqual(duration(index));
  });

  it('skip hops and bare acknowledgements but stop at payload deliveries', () => {
    const delivered = first(helped, 'deliver', (e) => (e.packet.tcp?.payload.length ?? 0) > 0);
    expect(steps).toContain(delivered.t);
    const hopOnly = events(helped, 'hop').find(
      (h) => !helped.trace.some((e) => e.t === h.t && isStepEvent(e)),
    )!;
    expect(steps).not.toContain(hopOnly.t);
  });
});

describe('describeEventForScreenReader', () => {
  const say = (result: SimulationResult, event: TraceEvent) =>
    describeEventForScreenReader(event, indexTrace(result));

  it('speaks of packets, rules, FTP lines and states in plain words', () => {
    expect(say(blocked, first(blocked, 'send'))).toBe('Client sends SYN to server port 21');
    expect(say(blocked, first(blocked, 'drop'))).toBe(
      'Client firewall drops the server\'s SYN (rule 3, "inbound: drop everything else")',
    );
    const reply = controlLine(passive, 'server', /^227 /);
    expect(say(passive, reply)).toBe(`Server replies ${reply.text}`);
    expect(reply.text).toMatch(/^227 Entering Passive Mode \(/);
    const established = first(
      blocked,
      'transition',
      (e) => e.actor === clientControlSocket(blocked) && e.to === 'ESTABLISHED',
    );
    expect(say(blocked, established)).toBe(
      'Client control connection state: SYN_SENT → ESTABLISHED',
    );
    expect(say(rejected, first(rejected, 'reject'))).toBe(
      'Client firewall rejects the server\'s SYN (rule 3, "inbound: reject everything else") and answers with ICMP port unreachable',
    );
    expect(say(helped, first(helped, 'expect'))).toMatch(
      /^Client firewall's FTP helper expects a connection from 198\.51\.100\.20 to 192\.0\.2\.10:\d+$/,
    );
  });

  it('gives one non-empty line for every event of several runs', () => {
    for (const result of [blocked, rejected, helped, serverNat]) {
      const index = indexTrace(result);
      for (const event of result.trace) {
        const text = describeEventForScreenReader(event, index);
        expect(text).toMatch(/^[A-Z].*\S$/);
        expect(text).not.toMatch(/undefined|null|\n/);
      }
    }
  });
});

describe('purity', () => {
  const snapshot = (result: SimulationResult) =>
    JSON.stringify(result.trace, (_key, value) =>
      value instanceof Uint8Array ? Array.from(value).join(',') : value,
    );

  const everything = (index: TraceIndex, t: number) => ({
    count: eventsUpTo(index, t),
    actors: actorStatesAt(index, t),
    inFlight: packetsInFlightAt(index, t),
    drops: dropsUpTo(index, t),
    recent: recentDropsAt(index, t, 500),
    conntrack: conntrackAt(index, 'client-router', t),
    nat: natMappingsAt(index, 'server-router', t),
    serverPorts: openPortsAt(index, 'server', t),
    clientPorts: openPortsAt(index, 'client', t),
    next: nextEventTime(index, t),
    previous: previousEventTime(index, t),
  });

  it('querying backwards gives what fresh queries give, and the trace is untouched', () => {
    for (const result of [helped, serverNat]) {
      const before = snapshot(result);
      const index = indexTrace(result);
      const end = duration(index);
      const times = Array.from({ length: 40 }, (_, i) => (end * (39 - i)) / 39);
      const backwards = times.map((t) => everything(index, t));
      const fresh = times.map((t) => everything(indexTrace(result), t));
      expect(backwards).toEqual(fresh);
      expect(snapshot(result)).toBe(before);
    }
  });
});
