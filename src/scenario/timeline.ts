import { decodeControlPrefix } from '../protocol/control-text';
import { describeIcmpCode, type Packet } from '../protocol/tcp';
import type { SimulationResult } from './simulate';
import {
  ruleLabel,
  type ActorInfo,
  type ConntrackView,
  type ExpectationView,
  type NodeId,
  type TraceEvent,
  type Verdict,
} from './trace';

/**
 * A trace indexed once, so that views can ask "what is true at time t?" in any order (DESIGN.md:
 * views are functions of (trace, time), so seeking backwards is free). `indexTrace` makes one
 * O(n) pass; each query then binary-searches sorted times, O(log n + k) for k answers. Times are
 * the trace's virtual milliseconds. Nothing here mutates the trace: answers share its packets and
 * views, and must be read, not changed.
 *
 * This file holds the index and moving along the time axis (step, phases); queries.ts holds the
 * questions about the state at one instant.
 */

type EventOf<K extends TraceEvent['type']> = Extract<TraceEvent, { type: K }>;

/** How a view colours a packet. */
export type PacketKind = 'control' | 'data' | 'icmp' | 'rst';

/** One actor's life: when it was announced and each state it entered, in time order. */
export interface ActorTimeline {
  readonly info: ActorInfo;
  readonly announcedAt: number;
  readonly stateTimes: readonly number[];
  readonly states: readonly string[];
  /** The port of `info.local`, for sockets; null for FTP sessions. */
  readonly localPort: number | null;
}

export interface HopRecord {
  readonly event: EventOf<'hop'>;
  readonly eventIndex: number;
  readonly kind: PacketKind;
  readonly label: string;
}

/** A packet a router (or a host, or the Internet) refused: where, by which rule, and why. */
export interface DropMark {
  readonly t: number;
  readonly eventIndex: number;
  readonly node: NodeId;
  readonly action: 'drop' | 'reject';
  readonly packet: Packet;
  readonly label: string;
  /** The firewall rule that decided, numbered as `iptables -L --line-numbers`; null for a policy or no rule. */
  readonly rule: { readonly number: number; readonly name: string } | null;
  readonly verdict: Verdict | null;
  readonly reason: string;
  /** A REJECT's answer (TCP RST or ICMP unreachable); null for a drop. */
  readonly response: Packet | null;
}

/** Every version of one conntrack entry, as `conntrack` events recorded it. */
export interface EntryHistory {
  readonly id: number;
  readonly createdAt: number;
  readonly times: readonly number[];
  readonly views: readonly ConntrackView[];
}

/** An FTP helper expectation is active from `addedAt` until (not including) `endsAt`. */
export interface ExpectationSpan {
  readonly expectation: ExpectationView;
  readonly addedAt: number;
  /** Infinity while it is still waiting when the trace ends. */
  readonly endsAt: number;
  /**
   * Matched by the data connection's first packet, replaced by a newer command's expectation, or
   * timed out (the helper's 300 s, FTP_EXPECT_POLICY).
   */
  readonly endedBy: 'match' | 'replaced' | 'expired' | null;
}

export interface RouterHistory {
  /** In creation order; `entryCreatedAt` holds the same times for binary search. */
  readonly entries: readonly EntryHistory[];
  readonly entryCreatedAt: readonly number[];
  readonly expectations: readonly ExpectationSpan[];
  readonly expectationAddedAt: readonly number[];
}

export type PhaseKind =
  'handshake' | 'login' | 'data negotiation' | 'data transfer' | 'teardown' | 'failure';

/** A marker for the scrubber. */
export interface Phase {
  readonly kind: PhaseKind;
  readonly t: number;
  readonly label: string;
  /** The trace event the marker stands on. */
  readonly eventIndex: number;
}

/**
 * Built by `indexTrace`. `result` and `events` are for anyone; the other fields are the index's
 * working data, read through the functions of this module and queries.ts.
 */
export interface TraceIndex {
  readonly result: SimulationResult;
  readonly events: readonly TraceEvent[];
  readonly eventTimes: Float64Array;
  /** The last event time, or the last arrival if a packet was still on a link when the run stopped. */
  readonly end: number;
  readonly actors: readonly ActorTimeline[];
  readonly actorAnnouncedAt: readonly number[];
  readonly actorById: ReadonlyMap<string, ActorTimeline>;
  readonly hops: readonly HopRecord[];
  readonly hopDepartures: Float64Array;
  /** The longest time any hop spent on its link: bounds how far back a hop in flight can have left. */
  readonly longestHop: number;
  readonly drops: readonly DropMark[];
  readonly dropTimes: Float64Array;
  readonly routers: ReadonlyMap<NodeId, RouterHistory>;
  /** Distinct times of the events that stepping stops at (see `isStepEvent`), ascending. */
  readonly stepTimes: Float64Array;
  /** Which node put each packet on the wire first. */
  readonly packetOrigin: ReadonlyMap<number, NodeId>;
  readonly phases: readonly Phase[];
}

/** How many of the ascending `sorted` values are <= t: the index of the first value > t. */
export function countAtOrBefore(
  sorted: ArrayLike<number>,
  t: number,
  from = 0,
  to = sorted.length,
): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the ascending `sorted` values are < t: the index of the first value >= t. */
export function countBefore(
  sorted: ArrayLike<number>,
  t: number,
  from = 0,
  to = sorted.length,
): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function packetKind(packet: Packet): PacketKind {
  if (packet.icmp) return 'icmp';
  if (packet.tcp?.flags.rst) return 'rst';
  return packet.channel === 'data' ? 'data' : 'control';
}

const LABEL_LENGTH = 40;

/** The first line of a control payload, cut to fit a label. */
/** RFC 854's commands a client sends before an ABOR (RFC 959 §4.1.3): lftp's IAC IP IAC DM. */
const TELNET_COMMANDS: Record<number, string> = { 255: 'IAC', 244: 'IP', 242: 'DM' };

function controlLine(payload: Uint8Array): string {
  if (payload[0] === 255) {
    return `Telnet ${[...payload.subarray(0, 8)].map((b) => TELNET_COMMANDS[b] ?? b).join(' ')}`;
  }
  const text = decodeControlPrefix(payload, 2 * LABEL_LENGTH);
  const line = text.split(/\r?\n/)[0]!.trim();
  return line.length > LABEL_LENGTH ? `${line.slice(0, LABEL_LENGTH - 1)}…` : line;
}

/** A short name for a packet: its TCP flags, its FTP line, "data N bytes", or its ICMP message. */
export function packetLabel(packet: Packet): string {
  if (packet.icmp) return `ICMP ${describeIcmpCode(packet.icmp.code)}`;
  const tcp = packet.tcp;
  if (!tcp) return 'IP packet';
  const { flags } = tcp;
  if (flags.rst) return 'RST';
  if (flags.syn) return flags.ack ? 'SYN-ACK' : 'SYN';
  const bytes = tcp.payload.length;
  if (bytes > 0) {
    return packet.channel === 'data'
      ? `data ${bytes} byte${bytes === 1 ? '' : 's'}`
      : controlLine(tcp.payload);
  }
  if (flags.fin) return flags.ack ? 'FIN-ACK' : 'FIN';
  return flags.ack ? 'ACK' : 'TCP segment';
}

/**
 * The events stepping stops at: a packet sent, dropped or rejected; an FTP line; a state
 * transition; a conntrack, expectation or NAT change; a note; and the delivery of a packet that
 * carries something (payload or an ICMP error). Left out: hops (they are the motion between
 * steps), forwards (the hop that follows shows them), actor announcements (their first
 * transition follows at the same time) and deliveries of bare ACKs, SYNs and FINs (the
 * receiver's transition or reply is the step).
 */
export function isStepEvent(event: TraceEvent): boolean {
  switch (event.type) {
    case 'send':
    case 'drop':
    case 'reject':
    case 'control':
    case 'transition':
    case 'conntrack':
    case 'expect':
    case 'nat':
    case 'note':
      return true;
    case 'deliver':
      return Boolean(event.packet.icmp) || (event.packet.tcp?.payload.length ?? 0) > 0;
    case 'hop':
    case 'forward':
    case 'actor':
      return false;
  }
}

function dropMark(event: EventOf<'drop' | 'reject'>, eventIndex: number): DropMark {
  const verdict = event.verdict ?? null;
  return {
    t: event.t,
    eventIndex,
    node: event.node,
    action: event.type,
    packet: event.packet,
    label: packetLabel(event.packet),
    rule:
      verdict?.by === 'rule' && verdict.ruleNumber !== undefined
        ? { number: verdict.ruleNumber, name: verdict.ruleName ?? '' }
        : null,
    verdict,
    reason: event.reason,
    response: event.type === 'reject' ? event.response : null,
  };
}

function portOf(endpoint: string | undefined): number | null {
  if (!endpoint) return null;
  const port = Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
  return Number.isInteger(port) ? port : null;
}

interface MutableRouter {
  entries: { id: number; createdAt: number; times: number[]; views: ConntrackView[] }[];
  entryCreatedAt: number[];
  entryById: Map<number, MutableRouter['entries'][number]>;
  expectations: {
    expectation: ExpectationView;
    addedAt: number;
    endsAt: number;
    endedBy: ExpectationSpan['endedBy'];
  }[];
  expectationAddedAt: number[];
}

function recordConntrack(router: MutableRouter, event: EventOf<'conntrack'>): void {
  let entry = router.entryById.get(event.entry.id);
  if (!entry) {
    entry = { id: event.entry.id, createdAt: event.t, times: [], views: [] };
    router.entries.push(entry);
    router.entryCreatedAt.push(event.t);
    router.entryById.set(entry.id, entry);
  }
  entry.times.push(event.t);
  entry.views.push(event.entry);
}

function recordExpectation(router: MutableRouter, event: EventOf<'expect'>): void {
  const { expectation } = event;
  if (event.op === 'add') {
    // The helper keeps one expectation per control connection: a newer one replaces the older.
    for (const span of router.expectations) {
      if (span.expectation.masterId === expectation.masterId && span.endsAt === Infinity) {
        span.endsAt = event.t;
        span.endedBy = 'replaced';
      }
    }
    router.expectations.push({ expectation, addedAt: event.t, endsAt: Infinity, endedBy: null });
    router.expectationAddedAt.push(event.t);
    return;
  }
  const span = router.expectations.find(
    (s) => s.expectation.id === expectation.id && s.endsAt === Infinity,
  );
  if (span) {
    span.endsAt = event.t;
    span.endedBy = event.op === 'expire' ? 'expired' : 'match';
  }
}

/**
 * Indexes already made, by result: a result is never changed once simulated, and the stage shows
 * the same one again when a learner flips a switch back (the worker's cache answers with the same
 * object), so its index, and the layouts the views keep per index, are made once.
 */
const indexed = new WeakMap<SimulationResult, TraceIndex>();

/** One pass over the trace: everything the queries need, in arrays sorted by time. */
export function indexTrace(result: SimulationResult): TraceIndex {
  let index = indexed.get(result);
  if (!index) {
    index = buildIndex(result);
    indexed.set(result, index);
  }
  return index;
}

function buildIndex(result: SimulationResult): TraceIndex {
  const events = result.trace;
  const eventTimes = new Float64Array(events.length);
  const actors: (ActorTimeline & { stateTimes: number[]; states: string[] })[] = [];
  const actorById = new Map<string, (typeof actors)[number]>();
  const hops: HopRecord[] = [];
  const drops: DropMark[] = [];
  const routers = new Map<NodeId, MutableRouter>();
  const steps: number[] = [];
  const packetOrigin = new Map<number, NodeId>();
  const clues: PhaseClues = { controlSyn: null, clientLines: [], dataSends: [], notes: [] };
  let end = 0;
  let longestHop = 0;

  const routerAt = (node: NodeId): MutableRouter => {
    let router = routers.get(node);
    if (!router) {
      router = {
        entries: [],
        entryCreatedAt: [],
        entryById: new Map(),
        expectations: [],
        expectationAddedAt: [],
      };
      routers.set(node, router);
    }
    return router;
  };

  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    eventTimes[i] = event.t;
    if (event.t > end) end = event.t;
    if (isStepEvent(event) && steps[steps.length - 1] !== event.t) steps.push(event.t);
    switch (event.type) {
      case 'actor': {
        const actor: (typeof actors)[number] = {
          info: event.info,
          announcedAt: event.t,
          stateTimes: [],
          states: [],
          localPort: portOf(event.info.local),
        };
        actors.push(actor);
        actorById.set(event.info.actor, actor);
        break;
      }
      case 'transition': {
        const actor = actorById.get(event.actor);
        actor?.stateTimes.push(event.t);
        actor?.states.push(event.to);
        break;
      }
      case 'hop':
        hops.push({
          event,
          eventIndex: i,
          kind: packetKind(event.packet),
          label: packetLabel(event.packet),
        });
        longestHop = Math.max(longestHop, event.arriveAt - event.t);
        end = Math.max(end, event.arriveAt);
        break;
      case 'send': {
        packetOrigin.set(event.packet.id, event.node);
        const tcp = event.packet.tcp;
        if (
          clues.controlSyn === null &&
          event.packet.channel === 'control' &&
          tcp?.flags.syn &&
          !tcp.flags.ack
        )
          clues.controlSyn = i;
        if (event.packet.channel === 'data' && (tcp?.payload.length ?? 0) > 0)
          clues.dataSends.push({ t: event.t, eventIndex: i });
        break;
      }
      case 'drop':
      case 'reject':
        drops.push(dropMark(event, i));
        break;
      case 'control':
        if (event.from === 'client')
          clues.clientLines.push({ t: event.t, eventIndex: i, text: event.text });
        break;
      case 'note':
        if (event.node === 'client')
          clues.notes.push({ t: event.t, eventIndex: i, text: event.text });
        break;
      case 'conntrack':
        recordConntrack(routerAt(event.node), event);
        break;
      case 'expect':
        recordExpectation(routerAt(event.node), event);
        break;
      case 'forward':
      case 'deliver':
        break;
    }
  }

  const index: Omit<TraceIndex, 'phases'> = {
    result,
    events,
    eventTimes,
    end,
    actors,
    actorAnnouncedAt: actors.map((a) => a.announcedAt),
    actorById,
    hops,
    hopDepartures: Float64Array.from(hops, (h) => h.event.t),
    longestHop,
    drops,
    dropTimes: Float64Array.from(drops, (d) => d.t),
    routers,
    stepTimes: Float64Array.from(steps),
    packetOrigin,
  };
  return { ...index, phases: findPhases(index, clues) };
}

/** How many events happened at or before t; events [0, count) are the past at t. */
export function eventsUpTo(index: TraceIndex, t: number): number {
  return countAtOrBefore(index.eventTimes, t);
}

export function eventAt(index: TraceIndex, i: number): TraceEvent {
  const event = index.events[i];
  if (!Number.isInteger(i) || event === undefined)
    throw new RangeError(`no event ${i}: the trace has ${index.events.length}`);
  return event;
}

/** Where the scrubber ends: the last event, or the last arrival if later. */
export function duration(index: TraceIndex): number {
  return index.end;
}

/** The first step time after t (see `isStepEvent`), or null when nothing happens after t. */
export function nextEventTime(index: TraceIndex, t: number): number | null {
  const i = countAtOrBefore(index.stepTimes, t);
  return i < index.stepTimes.length ? index.stepTimes[i]! : null;
}

/** The last step time before t, or null when nothing happened before t. */
export function previousEventTime(index: TraceIndex, t: number): number | null {
  const i = countBefore(index.stepTimes, t);
  return i > 0 ? index.stepTimes[i - 1]! : null;
}

/** Scrubber markers, in time order. */
export function phasesOf(index: TraceIndex): readonly Phase[] {
  return index.phases;
}

interface PhaseClues {
  /** Event index of the first SYN of a control connection. */
  controlSyn: number | null;
  clientLines: { t: number; eventIndex: number; text: string }[];
  dataSends: { t: number; eventIndex: number }[];
  notes: { t: number; eventIndex: number; text: string }[];
}

const NEGOTIATION = /^(PORT|EPRT|PASV|EPSV)\b/i;
const TRANSFER = /^(LIST|NLST|RETR|STOR)\b/i;

/** What a learner calls a node in this scenario: "client firewall" where a router filters. */
export function nodeName(index: Pick<TraceIndex, 'result'>, node: NodeId): string {
  const { clientSide, serverSide } = index.result.scenario;
  switch (node) {
    case 'client':
    case 'server':
      return node;
    case 'internet':
      return 'Internet';
    case 'client-router':
      return clientSide.firewall ? 'client firewall' : 'client router';
    case 'server-router':
      return serverSide.firewall ? 'server firewall' : 'server router';
  }
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * handshake: the first control SYN. login: each USER line. data negotiation: each
 * PORT/EPRT/PASV/EPSV line. data transfer: for each LIST/NLST/RETR/STOR line, the first data
 * payload sent before the next such line (or the line itself, labelled "no data", when none
 * flowed). teardown: the QUIT line. failure (failed runs only): the first drop or reject that
 * decided the outcome, else the client's note that it gave up, else the end of the run.
 */
function findPhases(index: Omit<TraceIndex, 'phases'>, clues: PhaseClues): Phase[] {
  const phases: Phase[] = [];
  if (clues.controlSyn !== null) {
    phases.push({
      kind: 'handshake',
      t: index.events[clues.controlSyn]!.t,
      label: 'Control connection handshake',
      eventIndex: clues.controlSyn,
    });
  }
  const transfers = clues.clientLines.filter((line) => TRANSFER.test(line.text));
  const dataTimes = clues.dataSends.map((d) => d.t);
  for (const line of clues.clientLines) {
    const at = { t: line.t, eventIndex: line.eventIndex };
    if (/^USER\b/i.test(line.text))
      phases.push({ kind: 'login', ...at, label: `Login: ${line.text}` });
    else if (/^QUIT\b/i.test(line.text))
      phases.push({ kind: 'teardown', ...at, label: 'Teardown: QUIT' });
    else if (NEGOTIATION.test(line.text))
      phases.push({ kind: 'data negotiation', ...at, label: line.text });
    else if (TRANSFER.test(line.text)) {
      const next = transfers[transfers.indexOf(line) + 1]?.t ?? Infinity;
      const first = clues.dataSends[countBefore(dataTimes, line.t)];
      phases.push(
        first && first.t < next
          ? { kind: 'data transfer', ...first, label: line.text }
          : { kind: 'data transfer', ...at, label: `${line.text} (no data)` },
      );
    }
  }
  const failure = failurePhase(index, clues);
  if (failure) phases.push(failure);
  return phases.sort((a, b) => a.t - b.t || a.eventIndex - b.eventIndex);
}

function failurePhase(index: Omit<TraceIndex, 'phases'>, clues: PhaseClues): Phase | null {
  const { outcome, client } = index.result;
  if (outcome.result !== 'failure') return null;
  const failure = client.failure;
  const blocked = outcome.dataConnections.find((c) => c.result !== 'established');
  const decided = blocked?.decidedBy;
  if (decided && (failure?.kind === 'data-connect' || failure?.code === 425)) {
    const candidates = index.drops.filter(
      (d) => d.node === decided.node && d.reason === decided.reason,
    );
    const mark = candidates.find((d) => d.packet.tcp?.flags.syn) ?? candidates[0];
    if (mark) {
      const rule = mark.rule ? `, ${ruleLabel(mark.rule, 'number')}` : '';
      return {
        kind: 'failure',
        t: mark.t,
        eventIndex: mark.eventIndex,
        label: `${mark.label} ${mark.action === 'drop' ? 'dropped' : 'rejected'} by the ${nodeName(index, mark.node)}${rule}`,
      };
    }
  }
  const note = clues.notes.find((n) => n.text.startsWith('client gives up'));
  if (note)
    return {
      kind: 'failure',
      t: note.t,
      eventIndex: note.eventIndex,
      label: capitalise(note.text),
    };
  return {
    kind: 'failure',
    t: index.end,
    eventIndex: Math.max(0, index.events.length - 1),
    label: 'The session did not finish',
  };
}
