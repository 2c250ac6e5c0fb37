import type { Packet } from '../protocol/tcp';
import { seqAdd, seqLt } from '../protocol/tcp';
import type { TimerHandle } from './event-queue';
import { FTP_EXPECT_POLICY } from './ftp-helper';
import type { ConntrackView, CtState, ExpectationView, Tuple } from './trace';

export type Dir = 'orig' | 'reply';

/** Sequence-number correction after a helper changed a payload's length (netfilter's seqadj). */
export interface SeqAdjust {
  correctionPos: number;
  offsetBefore: number;
  offsetAfter: number;
}

export interface CtEntry extends ConntrackView {
  finSeen: { orig: boolean; reply: boolean };
  seqAdjust: { orig: SeqAdjust; reply: SeqAdjust };
}

export type Expectation = ExpectationView;

/** The simulation's clock, as far as an expectation's timer needs it (EventQueue is one). */
export interface ExpectationClock {
  readonly now: number;
  schedule(at: number, run: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

export const tupleKey = (t: Tuple) => `${t.proto}|${t.src}|${t.srcPort}|${t.dst}|${t.dstPort}`;

export function packetTuple(packet: Packet): Tuple {
  return {
    proto: packet.icmp ? 'icmp' : 'tcp',
    src: packet.src,
    srcPort: packet.tcp?.srcPort ?? 0,
    dst: packet.dst,
    dstPort: packet.tcp?.dstPort ?? 0,
  };
}

export function invert(t: Tuple): Tuple {
  return { proto: t.proto, src: t.dst, srcPort: t.dstPort, dst: t.src, dstPort: t.srcPort };
}

export interface Classification {
  state: CtState;
  entry: CtEntry | null;
  dir: Dir;
  expectation: Expectation | null;
}

/** A connection-tracking table with FTP expectations, after Linux's nf_conntrack. */
export class Conntrack {
  private entries: CtEntry[] = [];
  private byTuple = new Map<string, { entry: CtEntry; dir: Dir }>();
  expectations: Expectation[] = [];
  private nextId = 1;
  /** Each waiting expectation's timeout, armed when it was added (nf_ct_expect_insert). */
  private expiryTimers = new Map<Expectation, TimerHandle>();

  /**
   * Without a clock (a table on a test bench) expectations wait for ever; with one, each runs out
   * `FTP_EXPECT_POLICY.timeoutMs` after it was added and `expired` is told, at that virtual time.
   */
  constructor(
    private readonly clock: ExpectationClock | null = null,
    private readonly expired: (expectation: Expectation) => void = () => {},
  ) {}

  all(): readonly CtEntry[] {
    return this.entries;
  }

  lookup(tuple: Tuple): { entry: CtEntry; dir: Dir } | undefined {
    return this.byTuple.get(tupleKey(tuple));
  }

  /** Which conntrack state netfilter would give this packet (conntrack(8) STATE names). */
  classify(packet: Packet): Classification {
    if (packet.icmp) {
      // ICMP errors are RELATED to the connection of the packet they quote.
      const q = packet.icmp.original;
      const quoted: Tuple = {
        proto: 'tcp',
        src: q.src,
        srcPort: q.srcPort,
        dst: q.dst,
        dstPort: q.dstPort,
      };
      const found = this.lookup(quoted) ?? this.lookup(invert(quoted));
      return found
        ? { state: 'RELATED', entry: found.entry, dir: found.dir, expectation: null }
        : { state: 'INVALID', entry: null, dir: 'orig', expectation: null };
    }
    const tuple = packetTuple(packet);
    const found = this.lookup(tuple);
    if (found) {
      const { entry, dir } = found;
      if (dir === 'reply') return { state: 'ESTABLISHED', entry, dir, expectation: null };
      if (entry.seenReply) return { state: 'ESTABLISHED', entry, dir, expectation: null };
      return { state: entry.related ? 'RELATED' : 'NEW', entry, dir, expectation: null };
    }
    const expectation = this.expectations.find(
      (e) => e.src === tuple.src && e.dst === tuple.dst && e.dstPort === tuple.dstPort,
    );
    if (expectation) return { state: 'RELATED', entry: null, dir: 'orig', expectation };
    // A RST for no connection is INVALID; other segments start tracking (nf_conntrack_tcp_loose=1).
    if (packet.tcp?.flags.rst)
      return { state: 'INVALID', entry: null, dir: 'orig', expectation: null };
    return { state: 'NEW', entry: null, dir: 'orig', expectation: null };
  }

  /**
   * Uses an expectation up: Linux does when the first packet it matches creates a conntrack, in
   * PREROUTING, whatever the filter then decides (measured: test/lab/expectation.test.ts).
   */
  consumeExpectation(expectation: Expectation): void {
    this.unlinkExpectation(expectation);
  }

  private unlinkExpectation(expectation: Expectation): void {
    this.expectations = this.expectations.filter((e) => e !== expectation);
    const timer = this.expiryTimers.get(expectation);
    if (timer === undefined) return;
    this.clock!.cancel(timer);
    this.expiryTimers.delete(expectation);
  }

  create(
    orig: Tuple,
    reply: Tuple,
    options: { helper: 'ftp' | null; master: Expectation | null },
  ): CtEntry {
    const nat =
      orig.src !== reply.dst || orig.srcPort !== reply.dstPort
        ? orig.dst !== reply.src || orig.dstPort !== reply.srcPort
          ? 'both'
          : 'snat'
        : orig.dst !== reply.src || orig.dstPort !== reply.srcPort
          ? 'dnat'
          : null;
    const none = () => ({ correctionPos: 0, offsetBefore: 0, offsetAfter: 0 });
    const entry: CtEntry = {
      id: this.nextId++,
      orig,
      reply,
      tcpState: orig.proto === 'tcp' ? 'NONE' : '',
      seenReply: false,
      assured: false,
      related: options.master !== null,
      helper: options.helper,
      masterId: options.master?.masterId ?? null,
      nat,
      finSeen: { orig: false, reply: false },
      seqAdjust: { orig: none(), reply: none() },
    };
    this.entries.push(entry);
    this.byTuple.set(tupleKey(orig), { entry, dir: 'orig' });
    this.byTuple.set(tupleKey(reply), { entry, dir: 'reply' });
    return entry;
  }

  /** Is this tuple (as it would leave the router) already used by another connection? */
  replyTupleTaken(reply: Tuple): boolean {
    return this.byTuple.has(tupleKey(reply));
  }

  /**
   * Registers an expectation, after nf_ct_expect_related: a control connection that already has
   * max_expected (1 for FTP) loses its oldest first, so a newer PORT or PASV replaces the older
   * one. The new one's timer starts now.
   */
  addExpectation(expectation: Omit<Expectation, 'id'>): Expectation {
    const { maxExpected, timeoutMs } = FTP_EXPECT_POLICY;
    let waiting = this.expectations.filter((e) => e.masterId === expectation.masterId);
    while (waiting.length >= maxExpected) {
      this.unlinkExpectation(waiting[0]!);
      waiting = waiting.slice(1);
    }
    const added = { id: this.nextId++, ...expectation };
    this.expectations.push(added);
    const clock = this.clock;
    if (clock) {
      const timer = clock.schedule(clock.now + timeoutMs, () => {
        this.expiryTimers.delete(added);
        this.unlinkExpectation(added);
        this.expired(added);
      });
      this.expiryTimers.set(added, timer);
    }
    return added;
  }

  /**
   * Follows the TCP flags to the state `conntrack -L` shows; a simplified nf_conntrack_proto_tcp.
   * Returns true when the shown state changed.
   */
  updateTcpState(entry: CtEntry, dir: Dir, packet: Packet): boolean {
    const tcp = packet.tcp;
    if (!tcp) return false;
    const before = `${entry.tcpState}/${entry.seenReply}/${entry.assured}`;
    if (dir === 'reply') entry.seenReply = true;
    const other = dir === 'orig' ? 'reply' : 'orig';
    if (tcp.flags.rst) entry.tcpState = 'CLOSE';
    else if (tcp.flags.syn && !tcp.flags.ack) entry.tcpState = 'SYN_SENT';
    else if (tcp.flags.syn && tcp.flags.ack) entry.tcpState = 'SYN_RECV';
    else if (tcp.flags.fin) {
      entry.finSeen[dir] = true;
      entry.tcpState = entry.finSeen[other] ? 'LAST_ACK' : 'FIN_WAIT';
    } else if (tcp.flags.ack) {
      if (entry.tcpState === 'SYN_RECV') entry.tcpState = 'ESTABLISHED';
      else if (entry.tcpState === 'LAST_ACK') entry.tcpState = 'TIME_WAIT';
      else if (entry.tcpState === 'FIN_WAIT' && entry.finSeen[other]) entry.tcpState = 'CLOSE_WAIT';
    }
    if (entry.seenReply && entry.tcpState === 'ESTABLISHED') entry.assured = true;
    return before !== `${entry.tcpState}/${entry.seenReply}/${entry.assured}`;
  }

  /** Records that a helper changed the length of the payload starting at `seq` (direction `dir`). */
  addSeqOffset(entry: CtEntry, dir: Dir, seq: number, delta: number): void {
    const adj = entry.seqAdjust[dir];
    adj.correctionPos = seq;
    adj.offsetBefore = adj.offsetAfter;
    adj.offsetAfter += delta;
  }

  /** Rewrites SEQ (this direction's offsets) and ACK (the other direction's) after a helper resized a payload. */
  adjustSequence(entry: CtEntry, dir: Dir, packet: Packet): Packet {
    const tcp = packet.tcp;
    if (!tcp) return packet;
    const mine = entry.seqAdjust[dir];
    const theirs = entry.seqAdjust[dir === 'orig' ? 'reply' : 'orig'];
    if (mine.offsetAfter === 0 && theirs.offsetAfter === 0) return packet;
    const seqOffset = seqLt(mine.correctionPos, tcp.seq) ? mine.offsetAfter : mine.offsetBefore;
    let ack = tcp.ack;
    if (tcp.flags.ack) {
      const ackOffset = seqLt(theirs.correctionPos, seqAdd(tcp.ack, -theirs.offsetAfter))
        ? theirs.offsetAfter
        : theirs.offsetBefore;
      ack = seqAdd(tcp.ack, -ackOffset);
    }
    return { ...packet, tcp: { ...tcp, seq: seqAdd(tcp.seq, seqOffset), ack } };
  }
}

export function viewOf(entry: CtEntry): ConntrackView {
  return {
    id: entry.id,
    orig: entry.orig,
    reply: entry.reply,
    tcpState: entry.tcpState,
    seenReply: entry.seenReply,
    assured: entry.assured,
    related: entry.related,
    helper: entry.helper,
    masterId: entry.masterId,
    nat: entry.nat,
  };
}
