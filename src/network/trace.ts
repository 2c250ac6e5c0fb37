import type { Endpoint } from '../protocol/endpoint';
import type { Channel, Packet } from '../protocol/tcp';

/** The five places a packet can be, in path order. */
export type NodeId = 'client' | 'client-router' | 'internet' | 'server-router' | 'server';

export const NODE_ORDER: readonly NodeId[] = [
  'client',
  'client-router',
  'internet',
  'server-router',
  'server',
];

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID';

/** Why a router let a packet through or stopped it. */
export interface Verdict {
  action: 'ACCEPT' | 'DROP' | 'REJECT';
  by: 'rule' | 'policy' | 'no-firewall';
  /** 1-based position in the rule list, as `iptables -L --line-numbers` shows it. */
  ruleNumber?: number;
  ruleName?: string;
  /** Connection-tracking state of the packet, when the firewall tracks connections. */
  state?: CtState;
}

export interface Tuple {
  proto: 'tcp' | 'icmp';
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
}

export interface ConntrackView {
  id: number;
  orig: Tuple;
  reply: Tuple;
  /** TCP state as `conntrack -L` prints it (SYN_SENT, ESTABLISHED, ...). */
  tcpState: string;
  seenReply: boolean;
  assured: boolean;
  related: boolean;
  helper: 'ftp' | null;
  masterId: number | null;
  nat: 'snat' | 'dnat' | 'both' | null;
}

export interface ExpectationView {
  id: number;
  masterId: number;
  /** Where the expected connection will come from; any source port (netfilter wildcards it). */
  src: string;
  dst: string;
  dstPort: number;
  /** Where NAT sends it, when the router also translates. */
  natTo: Endpoint | null;
  /** The FTP line that created it. */
  cause: string;
}

export type ActorMachine = 'tcp' | 'ftp-client' | 'ftp-server';

export interface ActorInfo {
  actor: string;
  node: NodeId;
  machine: ActorMachine;
  label: string;
  channel: Channel;
  local?: string;
  remote?: string;
}

export type TraceEvent =
  | { t: number; type: 'send'; node: NodeId; packet: Packet }
  | { t: number; type: 'hop'; from: NodeId; to: NodeId; packet: Packet; arriveAt: number }
  | { t: number; type: 'forward'; node: NodeId; packet: Packet; verdict: Verdict }
  | {
      t: number;
      type: 'nat';
      node: NodeId;
      kind: 'snat' | 'dnat' | 'alg';
      before: Packet;
      after: Packet;
      detail: string;
    }
  | { t: number; type: 'drop'; node: NodeId; packet: Packet; reason: string; verdict?: Verdict }
  | {
      t: number;
      type: 'reject';
      node: NodeId;
      packet: Packet;
      reason: string;
      verdict: Verdict;
      response: Packet;
    }
  | { t: number; type: 'deliver'; node: NodeId; packet: Packet; actor: string | null }
  | { t: number; type: 'actor'; info: ActorInfo }
  | {
      t: number;
      type: 'transition';
      actor: string;
      node: NodeId;
      machine: ActorMachine;
      from: string | null;
      to: string;
      event: string;
    }
  | { t: number; type: 'control'; from: 'client' | 'server'; text: string; actor: string }
  | { t: number; type: 'conntrack'; node: NodeId; op: 'new' | 'update'; entry: ConntrackView }
  | {
      t: number;
      type: 'expect';
      node: NodeId;
      /** Added by the helper, matched by the data connection's first packet, or timed out. */
      op: 'add' | 'match' | 'expire';
      expectation: ExpectationView;
    }
  | { t: number; type: 'note'; node: NodeId; text: string };

export type TraceEventType = TraceEvent['type'];

export class TraceLog {
  /** Every event recorded so far; in time order once `finish()` has run. */
  readonly events: TraceEvent[] = [];
  /** The actors in the order they were created (the `actor` events, gathered as they happen). */
  readonly actors: ActorInfo[] = [];
  /**
   * Hops that leave after the current time (queued behind a busy link), in departure order. They
   * join `events` once the clock reaches them, so the log stays in time order without a sort.
   */
  private later: TraceEvent[] = [];
  private laterHead = 0;

  constructor(private readonly clock: { now: number }) {}

  /** Adds an event stamped with the current virtual time. */
  add(event: DistributiveOmit<TraceEvent, 't'>): void {
    const stamped = event as TraceEvent;
    stamped.t = this.clock.now;
    if (stamped.type === 'actor') this.actors.push(stamped.info);
    this.append(stamped);
  }

  /** Adds an event already stamped, at the current time or later (a hop behind a busy link). */
  addAt(event: TraceEvent): void {
    if (event.t <= this.clock.now) {
      this.append(event);
      return;
    }
    // Equal times keep the order they were recorded in, as a stable sort would.
    const later = this.later;
    let i = later.length;
    while (i > this.laterHead && later[i - 1]!.t > event.t) i--;
    later.splice(i, 0, event);
  }

  /** All events in time order; equal times in the order they were recorded. */
  finish(): TraceEvent[] {
    this.releaseUpTo(Infinity);
    return this.events;
  }

  private append(event: TraceEvent): void {
    if (this.laterHead < this.later.length) this.releaseUpTo(event.t);
    this.events.push(event);
  }

  private releaseUpTo(t: number): void {
    const later = this.later;
    while (this.laterHead < later.length && later[this.laterHead]!.t <= t) {
      this.events.push(later[this.laterHead++]!);
    }
    if (this.laterHead === later.length) {
      later.length = 0;
      this.laterHead = 0;
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
