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
  natTo: { address: string; port: number } | null;
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
  | { t: number; type: 'expect'; node: NodeId; op: 'add' | 'match'; expectation: ExpectationView }
  | { t: number; type: 'note'; node: NodeId; text: string };

export type TraceEventType = TraceEvent['type'];

export class TraceLog {
  readonly events: TraceEvent[] = [];
  constructor(private readonly clock: { now: number }) {}

  /** Adds an event stamped with the current virtual time. */
  add(event: DistributiveOmit<TraceEvent, 't'>): void {
    const stamped = event as TraceEvent;
    stamped.t = this.clock.now;
    this.events.push(stamped);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
