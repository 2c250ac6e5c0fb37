import { formatEndpoint } from '../protocol/endpoint';
import type { Channel, Packet } from '../protocol/tcp';
import {
  capitalise,
  countAtOrBefore,
  countBefore,
  nodeName,
  packetLabel,
  type ActorTimeline,
  type DropMark,
  type PacketKind,
  type TraceIndex,
} from './timeline';
import {
  FTP_EXPECT_POLICY,
  ruleLabel,
  type ActorInfo,
  type ConntrackView,
  type ExpectationView,
  type NodeId,
  type TraceEvent,
  type Verdict,
} from './trace';
import { formatTime } from './vocabulary';

/**
 * What is true at one instant of a trace, for the views (DESIGN.md: views are functions of
 * (trace, time)). Each function is pure: it reads the index that `indexTrace` built and returns
 * fresh arrays and maps, so asking about t = 5 s after t = 60 s is the same as asking first.
 * An event at exactly t has happened at t.
 */

export {
  duration,
  eventAt,
  eventsUpTo,
  indexTrace,
  isStepEvent,
  nextEventTime,
  nodeName,
  packetKind,
  packetLabel,
  phasesOf,
  previousEventTime,
} from './timeline';
export type { DropMark, PacketKind, Phase, PhaseKind, TraceIndex } from './timeline';

export interface ActorState {
  readonly info: ActorInfo;
  /** Null only between the actor's announcement and its first state (the same instant, in practice). */
  readonly state: string | null;
  /** When the current state began (the announcement, while `state` is null). */
  readonly since: number;
  /**
   * The actor's life is over: an FTP session in its final state `done`, or a socket back in
   * CLOSED after it was open. It stays in the map so a view can show how it ended.
   */
  readonly ended: boolean;
}

function stateAt(actor: ActorTimeline, t: number): ActorState {
  const k = countAtOrBefore(actor.stateTimes, t);
  const state = k > 0 ? actor.states[k - 1]! : null;
  const ended = actor.info.machine === 'tcp' ? state === 'CLOSED' && k > 1 : state === 'done';
  return {
    info: actor.info,
    state,
    since: k > 0 ? actor.stateTimes[k - 1]! : actor.announcedAt,
    ended,
  };
}

/** Every actor announced at or before t, in announcement order, with the state it is in at t. */
export function actorStatesAt(index: TraceIndex, t: number): Map<string, ActorState> {
  const states = new Map<string, ActorState>();
  const count = countAtOrBefore(index.actorAnnouncedAt, t);
  for (let i = 0; i < count; i++) {
    const actor = index.actors[i]!;
    states.set(actor.info.actor, stateAt(actor, t));
  }
  return states;
}

export interface PacketInFlight {
  /** Unique among the packets in flight at any one t, so a data join can key on it. */
  readonly id: number;
  readonly packet: Packet;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly departAt: number;
  readonly arriveAt: number;
  /** 0 as it leaves `from`, 1 as it reaches `to`, linear in time. */
  readonly progress: number;
  readonly kind: PacketKind;
  readonly label: string;
  readonly eventIndex: number;
}

/** Far more than the rounding error of a sum of virtual times, far less than any hop. */
const ROUNDING_MS = 1e-6;

/** Every packet on a link at t: departed at or before t, arriving after t; in departure order. */
export function packetsInFlightAt(index: TraceIndex, t: number): PacketInFlight[] {
  const departures = index.hopDepartures;
  const last = countAtOrBefore(departures, t);
  // A hop still in flight left less than the longest hop's duration ago (give or take rounding).
  const first = countBefore(departures, t - index.longestHop - ROUNDING_MS, 0, last);
  const inFlight: PacketInFlight[] = [];
  for (let i = first; i < last; i++) {
    const hop = index.hops[i]!;
    const { event } = hop;
    if (event.arriveAt <= t) continue;
    const span = event.arriveAt - event.t;
    inFlight.push({
      id: event.packet.id,
      packet: event.packet,
      from: event.from,
      to: event.to,
      departAt: event.t,
      arriveAt: event.arriveAt,
      progress: span > 0 ? Math.min(1, Math.max(0, (t - event.t) / span)) : 1,
      kind: hop.kind,
      label: hop.label,
      eventIndex: hop.eventIndex,
    });
  }
  return inFlight;
}

/** Every drop and reject at or before t, in time order. */
export function dropsUpTo(index: TraceIndex, t: number): DropMark[] {
  return index.drops.slice(0, countAtOrBefore(index.dropTimes, t));
}

export interface RecentDrop extends DropMark {
  /** How long ago it happened: 0 <= age < window. */
  readonly age: number;
  /** 1 when it has just happened, falling linearly towards 0 at the end of the window. */
  readonly fade: number;
}

/** Drops and rejects in (t - windowMs, t], for a mark that fades out. */
export function recentDropsAt(index: TraceIndex, t: number, windowMs: number): RecentDrop[] {
  const last = countAtOrBefore(index.dropTimes, t);
  let first = countAtOrBefore(index.dropTimes, t - windowMs, 0, last);
  // Decide the edge by age, as the caller will: t - windowMs may round across a drop's time.
  while (first > 0 && t - index.dropTimes[first - 1]! < windowMs) first--;
  while (first < last && t - index.dropTimes[first]! >= windowMs) first++;
  return index.drops.slice(first, last).map((mark) => {
    const age = t - mark.t;
    return { ...mark, age, fade: windowMs > 0 ? 1 - age / windowMs : 1 };
  });
}

export interface ConntrackTable {
  /** Each entry as its latest conntrack event at or before t left it, by id. */
  readonly entries: ConntrackView[];
  /** FTP helper expectations added and not yet matched or replaced at t. */
  readonly expectations: ExpectationView[];
}

/** A router's connection-tracking table at t; empty for a node that tracks nothing. */
export function conntrackAt(index: TraceIndex, node: NodeId, t: number): ConntrackTable {
  const router = index.routers.get(node);
  if (!router) return { entries: [], expectations: [] };
  const entries: ConntrackView[] = [];
  const created = countAtOrBefore(router.entryCreatedAt, t);
  for (let i = 0; i < created; i++) {
    const history = router.entries[i]!;
    entries.push(history.views[countAtOrBefore(history.times, t) - 1]!);
  }
  entries.sort((a, b) => a.id - b.id);
  const expectations: ExpectationView[] = [];
  const added = countAtOrBefore(router.expectationAddedAt, t);
  for (let i = 0; i < added; i++) {
    const span = router.expectations[i]!;
    if (span.endsAt > t) expectations.push(span.expectation);
  }
  return { entries, expectations };
}

export interface NatMapping {
  readonly entryId: number;
  readonly kind: 'snat' | 'dnat' | 'both';
  /** Which side opened the connection: the LAN host (SNAT) or the far side (DNAT, port forwards). */
  readonly openedFrom: 'inside' | 'outside';
  /** The LAN end as the LAN host sees it, "address:port". */
  readonly inside: string;
  /** The same end as the far side sees it, on the router's public address. */
  readonly outside: string;
  /** The far end of the connection. */
  readonly remote: string;
  readonly tcpState: string;
  readonly related: boolean;
}

const endpoint = (address: string, port: number) => formatEndpoint({ address, port });

/**
 * The translations a router holds at t, from its conntrack entries that have NAT. SNAT maps the
 * originator's own address (orig source) to the one its packets leave with (the reply's
 * destination); DNAT maps the address the originator dialled (orig destination) to the LAN host
 * that answers (the reply's source). An entry with both is shown as its source translation.
 */
export function natMappingsAt(index: TraceIndex, node: NodeId, t: number): NatMapping[] {
  const mappings: NatMapping[] = [];
  for (const entry of conntrackAt(index, node, t).entries) {
    if (entry.nat === null) continue;
    const { orig, reply } = entry;
    const dnat = entry.nat === 'dnat';
    mappings.push({
      entryId: entry.id,
      kind: entry.nat,
      openedFrom: dnat ? 'outside' : 'inside',
      inside: dnat ? endpoint(reply.src, reply.srcPort) : endpoint(orig.src, orig.srcPort),
      outside: dnat ? endpoint(orig.dst, orig.dstPort) : endpoint(reply.dst, reply.dstPort),
      remote: dnat ? endpoint(orig.src, orig.srcPort) : endpoint(orig.dst, orig.dstPort),
      tcpState: entry.tcpState,
      related: entry.related,
    });
  }
  return mappings;
}

export interface OpenSocket {
  readonly actor: string;
  readonly label: string;
  readonly state: string;
  readonly since: number;
  readonly channel: Channel;
  /** The peer, "address:port"; null for a listening socket. */
  readonly remote: string | null;
}

export interface OpenPort {
  readonly port: number;
  /** A socket on this port is in LISTEN. */
  readonly listening: boolean;
  /** Every socket bound to the port and not CLOSED at t, in announcement order. */
  readonly sockets: OpenSocket[];
}

/** The TCP ports a host has open at t, ascending; empty for routers and the Internet. */
export function openPortsAt(index: TraceIndex, node: NodeId, t: number): OpenPort[] {
  const ports = new Map<number, OpenSocket[]>();
  const count = countAtOrBefore(index.actorAnnouncedAt, t);
  for (let i = 0; i < count; i++) {
    const actor = index.actors[i]!;
    if (actor.info.node !== node || actor.info.machine !== 'tcp' || actor.localPort === null)
      continue;
    const { state, since } = stateAt(actor, t);
    if (state === null || state === 'CLOSED') continue;
    const socket: OpenSocket = {
      actor: actor.info.actor,
      label: actor.info.label,
      state,
      since,
      channel: actor.info.channel,
      remote: actor.info.remote ?? null,
    };
    const sockets = ports.get(actor.localPort);
    if (sockets) sockets.push(socket);
    else ports.set(actor.localPort, [socket]);
  }
  return [...ports]
    .sort(([a], [b]) => a - b)
    .map(([port, sockets]) => ({
      port,
      listening: sockets.some((s) => s.state === 'LISTEN'),
      sockets,
    }));
}

/* ---------- Sentences for a screen reader's live region ---------- */

/** The subject of a sentence: "client", "server firewall", "the Internet". */
function who(index: TraceIndex, node: NodeId): string {
  return node === 'internet' ? 'the Internet' : nodeName(index, node);
}

/** "the server's SYN": the packet named by the node that first sent it. */
function whosePacket(index: TraceIndex, packet: Packet): string {
  const origin = index.packetOrigin.get(packet.id);
  const label = quotedLabel(packet);
  return origin ? `the ${nodeName(index, origin)}'s ${label}` : `a ${label} from ${packet.src}`;
}

function quotedLabel(packet: Packet): string {
  const label = packetLabel(packet);
  const isLine = packet.channel !== 'data' && !packet.icmp && (packet.tcp?.payload.length ?? 0) > 0;
  return isLine && !packet.tcp!.flags.syn && !packet.tcp!.flags.rst ? `"${label}"` : label;
}

/** Which node an address stands for, as the learner thinks of it (the server's public address is the server). */
function nodeOfAddress(index: TraceIndex, address: string): NodeId | null {
  const { addressing, scenario } = index.result;
  if (address === addressing.client) return 'client';
  if (address === addressing.server || address === addressing.serverPublic) return 'server';
  if (address === addressing.clientRouter.wan)
    return scenario.clientSide.nat ? 'client' : 'client-router';
  if (address === addressing.clientRouter.lan) return 'client-router';
  if (address === addressing.serverRouter.wan || address === addressing.serverRouter.lan)
    return 'server-router';
  return null;
}

function destination(index: TraceIndex, packet: Packet): string {
  const node = nodeOfAddress(index, packet.dst);
  const name = node ? nodeName(index, node) : packet.dst;
  return packet.tcp ? `${name} port ${packet.tcp.dstPort}` : name;
}

/** 'rule 3, "inbound: drop everything else"'; the conntrack state too where it let a packet in. */
function verdictText(verdict: Verdict, withState: boolean): string {
  const state = withState && verdict.state ? `, as ${verdict.state}` : '';
  if (verdict.by === 'rule') return `${ruleLabel(verdict)}${state}`;
  if (verdict.by === 'policy') return `default policy${state}`;
  return `no firewall${state}`;
}

/** A short human name for an actor: "client control connection", "server session". */
function actorName(info: ActorInfo): string {
  // A socket forked from a listener is labelled "<listener id> accepted".
  if (/ accepted$/.test(info.label)) return `${info.node} ${info.channel} connection`;
  return info.label.replace(/^FTP /, '');
}

/**
 * One short plain sentence about an event, for an ARIA live region: "Client sends SYN to server
 * port 21", "Client firewall drops the server's SYN (rule 3: inbound: drop everything else)".
 * The index supplies the names (firewall or router, who sent a packet, which actor is which).
 */
export function describeEventForScreenReader(event: TraceEvent, index: TraceIndex): string {
  return capitalise(sentence(event, index));
}

function sentence(event: TraceEvent, index: TraceIndex): string {
  switch (event.type) {
    case 'send':
      return `${who(index, event.node)} sends ${quotedLabel(event.packet)} to ${destination(index, event.packet)}`;
    case 'hop':
      return `${whosePacket(index, event.packet)} leaves the ${nodeName(index, event.from)} for the ${nodeName(index, event.to)}`;
    case 'forward':
      return event.verdict.by === 'no-firewall'
        ? `${who(index, event.node)} forwards ${whosePacket(index, event.packet)}`
        : `${who(index, event.node)} lets ${whosePacket(index, event.packet)} through (${verdictText(event.verdict, true)})`;
    case 'nat':
      return event.kind === 'alg'
        ? `${who(index, event.node)}: ${event.detail}`
        : `${who(index, event.node)} translates ${whosePacket(index, event.before)}: ${event.detail}`;
    case 'drop':
      return event.verdict
        ? `${who(index, event.node)} drops ${whosePacket(index, event.packet)} (${verdictText(event.verdict, false)})`
        : `${who(index, event.node)} drops ${whosePacket(index, event.packet)}: ${event.reason}`;
    case 'reject': {
      const answer = event.response.icmp ? packetLabel(event.response) : 'a TCP RST';
      return `${who(index, event.node)} rejects ${whosePacket(index, event.packet)} (${verdictText(event.verdict, false)}) and answers with ${answer}`;
    }
    case 'deliver':
      return `${who(index, event.node)} receives ${whosePacket(index, event.packet)}${event.actor === null ? ', which no socket takes' : ''}`;
    case 'actor': {
      const { info } = event;
      return `${actorName(info)} created${info.local ? ` on ${info.local}` : ''}`;
    }
    case 'transition': {
      const info = index.actorById.get(event.actor)?.info;
      const name = info ? actorName(info) : event.actor;
      return event.from === null
        ? `${name} starts in ${event.to}`
        : `${name} state: ${event.from} → ${event.to}`;
    }
    case 'control':
      return event.from === 'client'
        ? `client sends ${event.text}`
        : `server replies ${event.text}`;
    case 'conntrack': {
      const { entry } = event;
      const { orig } = entry;
      return event.op === 'new'
        ? `${who(index, event.node)} tracks new connection ${entry.id}: ${endpoint(orig.src, orig.srcPort)} to ${endpoint(orig.dst, orig.dstPort)}, ${entry.tcpState}${entry.related ? ', related' : ''}`
        : `${who(index, event.node)} connection ${entry.id} is now ${entry.tcpState}${entry.assured ? ', assured' : ''}`;
    }
    case 'expect': {
      const x = event.expectation;
      if (event.op === 'expire')
        return `${who(index, event.node)}'s FTP helper forgets the connection it expected to ${endpoint(x.dst, x.dstPort)}: none came within ${formatTime(FTP_EXPECT_POLICY.timeoutMs, 'duration')}`;
      return event.op === 'add'
        ? `${who(index, event.node)}'s FTP helper expects a connection from ${x.src} to ${endpoint(x.dst, x.dstPort)}`
        : `${who(index, event.node)}: the expected connection to ${endpoint(x.dst, x.dstPort)} arrived`;
    }
    case 'note': {
      // Notes often begin with their node's name already ("client gives up at LIST: ...").
      const name = who(index, event.node);
      return event.text.startsWith(`${name} `) ? event.text : `${name}: ${event.text}`;
    }
  }
}

/* ---------- Which actor an event belongs to ---------- */

const sendersByIndex = new WeakMap<TraceIndex, Map<number, string>>();

/** Each packet's sending socket (by packet id): the socket on its origin node bound to its ends. */
function packetSenders(index: TraceIndex): Map<number, string> {
  let senders = sendersByIndex.get(index);
  if (senders) return senders;
  senders = new Map();
  const sockets = new Map<string, string>();
  for (const event of index.events) {
    if (event.type === 'actor') {
      const { info } = event;
      if (info.machine === 'tcp' && info.local)
        sockets.set(`${info.node}|${info.local}|${info.remote ?? ''}`, info.actor);
    } else if (event.type === 'send' && event.packet.tcp) {
      const { packet, node } = event;
      const local = endpoint(packet.src, packet.tcp!.srcPort);
      const actor =
        sockets.get(`${node}|${local}|${endpoint(packet.dst, packet.tcp!.dstPort)}`) ??
        sockets.get(`${node}|${local}|`);
      if (actor) senders.set(packet.id, actor);
    }
  }
  sendersByIndex.set(index, senders);
  return senders;
}

/**
 * The actor an event is about, for the state panel: the socket that sent a packet (for every
 * event that carries one), the actor of a transition or an FTP line; null for the rest.
 */
export function actorOfEvent(index: TraceIndex, eventIndex: number): string | null {
  const event = index.events[eventIndex];
  if (!event) return null;
  switch (event.type) {
    case 'transition':
    case 'control':
      return event.actor;
    case 'actor':
      return event.info.actor;
    case 'send':
    case 'hop':
    case 'forward':
    case 'drop':
    case 'reject':
    case 'deliver':
      return packetSenders(index).get(event.packet.id) ?? null;
    case 'nat':
      return packetSenders(index).get(event.before.id) ?? null;
    default:
      return null;
  }
}
