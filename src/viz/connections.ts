import type { Channel, Packet } from '../protocol/tcp';
import { countAtOrBefore, type DropMark, type TraceIndex } from '../scenario/timeline';
import { NODE_ORDER, ruleLabel, type NodeId } from '../scenario/trace';

/**
 * The TCP connections of a trace as the network view draws them: one line per connection between
 * its two hosts, with its state at t and the marks of every packet of it that a node stopped.
 * Worked out once per trace (memoised on the index) in one pass over the events; asking about
 * one t is then a binary search per connection, cheap enough for every animation frame.
 */

export type ConnectionState = 'opening' | 'established' | 'blocked' | 'closing' | 'closed';

/** A packet of a connection that did not get through: dropped, rejected, or refused by the host. */
export interface Stop {
  readonly t: number;
  /** The drop or reject event; for a refusal, the host's RST being sent. */
  readonly eventIndex: number;
  readonly node: NodeId;
  readonly action: 'drop' | 'reject' | 'refused';
  /** "DROP · rule 3", "REJECT · policy", "refused · RST": what the mark says. */
  readonly verdict: string;
  readonly label: string;
}

export interface Connection {
  /** The opening socket's actor id: stable for the trace, a key for data joins. */
  readonly id: string;
  readonly channel: Channel;
  /** The host that sent the SYN, and the host it was for. */
  readonly opener: 'client' | 'server';
  readonly target: 'client' | 'server';
  readonly openerActor: string;
  /** The socket that answered on the target, if the SYN ever reached one. */
  readonly peerActor: string | null;
  /** The opener's own view: "192.0.2.10:53233" and "198.51.100.20:21". */
  readonly local: string;
  readonly remote: string;
  readonly clientPort: number;
  readonly serverPort: number;
  /** The first SYN left the opener. */
  readonly openedAt: number;
  /** The nodes between the two hosts, left to right. */
  readonly crosses: readonly NodeId[];
  readonly stops: readonly Stop[];
  readonly stopTimes: Float64Array;
  /** From `changeTimes[i]` on, the connection is in `changes[i]`. */
  readonly changeTimes: Float64Array;
  readonly changes: readonly {
    readonly state: ConnectionState;
    readonly blockedAt: NodeId | null;
  }[];
}

/** How many packets a node stopped with one verdict, up to t. */
export interface StopTally {
  readonly node: NodeId;
  readonly action: Stop['action'];
  readonly verdict: string;
  readonly count: number;
  /** The latest of them. */
  readonly last: Stop;
}

export interface ConnectionAt {
  readonly connection: Connection;
  readonly state: ConnectionState;
  /** Where a blocked connection was stopped: the cross on its line. */
  readonly blockedAt: NodeId | null;
  /** Its stopped packets up to t, one tally per (node, verdict), in order of first stop. */
  readonly tallies: readonly StopTally[];
}

/** "DROP · rule 3": the verdict a stopped packet's mark carries, short enough for the drawing. */
export function verdictLabel(mark: DropMark): string {
  const action = mark.action === 'drop' ? 'DROP' : 'REJECT';
  if (mark.rule) return `${action} · ${ruleLabel(mark.rule, 'number')}`;
  if (mark.verdict?.by === 'policy') return `${action} · policy`;
  if (/^no route/.test(mark.reason)) return `${action} · no route`;
  if (/not this host's address/.test(mark.reason)) return `${action} · wrong address`;
  if (/itself/.test(mark.reason)) return `${action} · router input`;
  return action;
}

/** An end in one of these, after the handshake, still takes data. */
const OPEN = new Set(['ESTABLISHED', 'SYN_RECEIVED', 'SYN_SENT']);
const isDone = (state: string | null) => state === 'CLOSED' || state === 'TIME_WAIT';

const endpointOf = (address: string, port: number | undefined) => `${address}:${port}`;
const portOf = (endpoint: string) => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

/** "client|192.0.2.10:53233|198.51.100.20:21": a socket as the packets it sends name it. */
function senderKey(node: NodeId, packet: Packet): string {
  const tcp = packet.tcp!;
  return `${node}|${endpointOf(packet.src, tcp.srcPort)}|${endpointOf(packet.dst, tcp.dstPort)}`;
}

/** The same socket as the packets it receives name it. */
function receiverKey(node: NodeId, packet: Packet): string {
  const tcp = packet.tcp!;
  return `${node}|${endpointOf(packet.dst, tcp.dstPort)}|${endpointOf(packet.src, tcp.srcPort)}`;
}

interface Building {
  id: string;
  channel: Channel;
  opener: 'client' | 'server';
  openerActor: string;
  peerActor: string | null;
  local: string;
  remote: string;
  openedAt: number;
  stops: Stop[];
  established: number;
}

function stateTimeline(
  index: TraceIndex,
  c: Building,
): Pick<Connection, 'changeTimes' | 'changes'> {
  const opener = index.actorById.get(c.openerActor);
  const peer = c.peerActor ? index.actorById.get(c.peerActor) : undefined;
  const moments = new Set<number>([c.openedAt, ...c.stops.map((s) => s.t)]);
  for (const actor of [opener, peer])
    for (const t of actor?.stateTimes ?? []) if (t >= c.openedAt) moments.add(t);
  const stateOf = (actor: typeof opener, t: number) => {
    if (!actor) return null;
    const k = countAtOrBefore(actor.stateTimes, t);
    return k > 0 ? actor.states[k - 1]! : null;
  };
  const times: number[] = [];
  const changes: Connection['changes'][number][] = [];
  for (const t of [...moments].sort((a, b) => a - b)) {
    let state: ConnectionState;
    let blockedAt: NodeId | null = null;
    if (t < c.established) {
      const stop = c.stops.find((s) => s.t <= t);
      if (stop) {
        state = 'blocked';
        blockedAt = stop.node;
      } else state = 'opening';
    } else {
      const mine = stateOf(opener, t);
      const theirs = peer ? stateOf(peer, t) : mine;
      // Established while either end still is (a FIN sent is not yet a FIN received).
      if (OPEN.has(mine!) || OPEN.has(theirs!)) state = 'established';
      else if (isDone(mine) && isDone(theirs)) state = 'closed';
      else state = 'closing';
    }
    const last = changes[changes.length - 1];
    if (last && last.state === state && last.blockedAt === blockedAt) continue;
    times.push(t);
    changes.push({ state, blockedAt });
  }
  return { changeTimes: Float64Array.from(times), changes };
}

function findConnections(index: TraceIndex): Connection[] {
  // Every socket that names both ends, by the key its packets carry; a later one on the same
  // ports (a reused port) takes over from the first.
  const sockets = new Map<string, string>();
  const byActor = new Map<string, Building>();
  const byPacket = new Map<number, Building>();
  const sendOf = new Map<number, number>();
  /** Where a connection's SYN was delivered: the socket that will answer it. */
  const awaitingPeer = new Map<string, Building>();
  const building: Building[] = [];

  index.events.forEach((event, i) => {
    switch (event.type) {
      case 'actor': {
        const { info } = event;
        if (info.machine !== 'tcp' || !info.local || !info.remote) return;
        const key = `${info.node}|${info.local}|${info.remote}`;
        sockets.set(key, info.actor);
        const c = awaitingPeer.get(key);
        if (c && c.peerActor === null) {
          c.peerActor = info.actor;
          byActor.set(info.actor, c);
        }
        return;
      }
      case 'send': {
        const { packet, node } = event;
        const tcp = packet.tcp;
        if (!tcp || (node !== 'client' && node !== 'server')) return;
        sendOf.set(packet.id, i);
        const actor = sockets.get(senderKey(node, packet));
        if (!actor) return;
        let c = byActor.get(actor);
        if (!c && tcp.flags.syn && !tcp.flags.ack) {
          const info = index.actorById.get(actor)!.info;
          c = {
            id: actor,
            channel: info.channel,
            opener: node,
            openerActor: actor,
            peerActor: null,
            local: info.local!,
            remote: info.remote!,
            openedAt: event.t,
            stops: [],
            established: Infinity,
          };
          building.push(c);
          byActor.set(actor, c);
        }
        if (c) byPacket.set(packet.id, c);
        return;
      }
      case 'deliver': {
        const { packet, node } = event;
        const tcp = packet.tcp;
        if (!tcp) return;
        const receiver = sockets.get(receiverKey(node, packet));
        const c = byPacket.get(packet.id) ?? (receiver ? byActor.get(receiver) : undefined);
        if (!c) return;
        if (tcp.flags.syn && !tcp.flags.ack && node !== c.opener)
          awaitingPeer.set(receiverKey(node, packet), c);
        // A RST sent by the target host itself, before any answer: nothing listens on that port.
        // (A firewall's REJECT answers with a RST too, but that one comes from the router.)
        const target = c.opener === 'client' ? 'server' : 'client';
        const sent = sendOf.get(packet.id);
        if (
          tcp.flags.rst &&
          node === c.opener &&
          c.established === Infinity &&
          index.packetOrigin.get(packet.id) === target &&
          sent !== undefined
        ) {
          c.stops.push({
            t: index.events[sent]!.t,
            eventIndex: sent,
            node: target,
            action: 'refused',
            verdict: 'refused · RST',
            label: 'RST',
          });
        }
        return;
      }
      case 'transition': {
        const c = byActor.get(event.actor);
        if (c && event.to === 'ESTABLISHED' && c.established === Infinity) c.established = event.t;
        return;
      }
      default:
        return;
    }
  });

  for (const mark of index.drops) {
    const c = byPacket.get(mark.packet.id);
    if (!c) continue;
    c.stops.push({
      t: mark.t,
      eventIndex: mark.eventIndex,
      node: mark.node,
      action: mark.action,
      verdict: verdictLabel(mark),
      label: mark.label,
    });
  }

  return building.map((c) => {
    const stops = [...c.stops].sort((a, b) => a.t - b.t || a.eventIndex - b.eventIndex);
    const from = NODE_ORDER.indexOf(c.opener);
    const to = NODE_ORDER.indexOf(c.opener === 'client' ? 'server' : 'client');
    const [lo, hi] = from < to ? [from, to] : [to, from];
    const built = { ...c, stops };
    return {
      id: c.id,
      channel: c.channel,
      opener: c.opener,
      target: c.opener === 'client' ? 'server' : 'client',
      openerActor: c.openerActor,
      peerActor: c.peerActor,
      local: c.local,
      remote: c.remote,
      clientPort: portOf(c.opener === 'client' ? c.local : c.remote),
      serverPort: portOf(c.opener === 'client' ? c.remote : c.local),
      openedAt: c.openedAt,
      crosses: NODE_ORDER.slice(lo + 1, hi),
      stops,
      stopTimes: Float64Array.from(stops, (s) => s.t),
      ...stateTimeline(index, built),
    };
  });
}

interface Memo {
  readonly connections: readonly Connection[];
  /** Each stopped packet's drop or reject event index → its connection. */
  readonly byStopEvent: ReadonlyMap<number, Connection>;
}

const memo = new WeakMap<TraceIndex, Memo>();

function memoFor(index: TraceIndex): Memo {
  let found = memo.get(index);
  if (!found) {
    const connections = findConnections(index);
    const byStopEvent = new Map<number, Connection>();
    for (const c of connections) for (const s of c.stops) byStopEvent.set(s.eventIndex, c);
    found = { connections, byStopEvent };
    memo.set(index, found);
  }
  return found;
}

/** Every TCP connection anyone opened in the trace, in the order their first SYN left. */
export function connectionsOf(index: TraceIndex): readonly Connection[] {
  return memoFor(index).connections;
}

/** The connection a drop or reject event stopped a packet of; undefined for other packets. */
export function connectionOfStop(index: TraceIndex, eventIndex: number): Connection | undefined {
  return memoFor(index).byStopEvent.get(eventIndex);
}

/** Tallies of the stops among the first `count`, grouped by node and verdict. */
function tallies(stops: readonly Stop[], count: number): StopTally[] {
  const groups = new Map<string, { first: Stop; last: Stop; count: number }>();
  for (let i = 0; i < count; i++) {
    const stop = stops[i]!;
    const key = `${stop.node}|${stop.verdict}`;
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.last = stop;
    } else groups.set(key, { first: stop, last: stop, count: 1 });
  }
  return [...groups.values()].map(({ first, last, count }) => ({
    node: first.node,
    action: first.action,
    verdict: first.verdict,
    count,
    last,
  }));
}

/** One connection at t; null before its first SYN. */
export function connectionAt(connection: Connection, t: number): ConnectionAt | null {
  const k = countAtOrBefore(connection.changeTimes, t);
  if (k === 0) return null;
  const { state, blockedAt } = connection.changes[k - 1]!;
  return {
    connection,
    state,
    blockedAt,
    tallies: tallies(connection.stops, countAtOrBefore(connection.stopTimes, t)),
  };
}

/**
 * A string that changes exactly when `connectionsAt(index, t)` would: each connection's state
 * and number of stops. Cheap (binary searches, no tallies), so a renderer can skip a frame's work.
 */
export function connectionsKeyAt(index: TraceIndex, t: number): string {
  let key = '';
  for (const c of connectionsOf(index)) {
    const k = countAtOrBefore(c.changeTimes, t);
    if (k === 0) continue;
    key += `${c.id}:${k}:${countAtOrBefore(c.stopTimes, t)};`;
  }
  return key;
}

/** Every connection opened at or before t, with its state at t. */
export function connectionsAt(index: TraceIndex, t: number): ConnectionAt[] {
  const found: ConnectionAt[] = [];
  for (const connection of connectionsOf(index)) {
    const at = connectionAt(connection, t);
    if (at) found.push(at);
  }
  return found;
}

/**
 * The moments playback should not pass without showing: every drop and reject, and every
 * refusal by a host, ascending, as (time, event index).
 */
export function stopMomentsOf(index: TraceIndex): { times: Float64Array; events: Int32Array } {
  let found = stopMemo.get(index);
  if (!found) {
    const moments = index.drops.map((d) => ({ t: d.t, eventIndex: d.eventIndex }));
    for (const c of connectionsOf(index))
      for (const s of c.stops)
        if (s.action === 'refused') moments.push({ t: s.t, eventIndex: s.eventIndex });
    moments.sort((a, b) => a.t - b.t || a.eventIndex - b.eventIndex);
    found = {
      times: Float64Array.from(moments, (m) => m.t),
      events: Int32Array.from(moments, (m) => m.eventIndex),
    };
    stopMemo.set(index, found);
  }
  return found;
}

const stopMemo = new WeakMap<TraceIndex, { times: Float64Array; events: Int32Array }>();
