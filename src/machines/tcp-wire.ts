import type { TcpFlags, TcpSegment } from '../protocol/tcp';
import { segmentLength, seqAdd, seqLe, seqLt, tcpFlags } from '../protocol/tcp';
import type { TcpContext, TcpEvent } from './tcp-socket';

/**
 * The segments a TCB sends, built from its variables: what `tcp-socket.ts`'s actions put on the
 * wire, and how an arrived segment stands against the TCB, kept here so that file reads as its
 * chart. Nothing here changes the TCB.
 */

// Flag sets shared by every segment that carries them: flags are never changed after creation.
export const ACK = tcpFlags('ack');
const PSH_ACK = tcpFlags('psh', 'ack');
const FIN_ACK = tcpFlags('fin', 'ack');
const RST = tcpFlags('rst');
const EMPTY = new Uint8Array(0);

/** The TCB fields that name the connection and what every segment acknowledges and offers. */
type Addressing = Pick<TcpContext, 'local' | 'remote' | 'rcvNxt' | 'rcvWnd'>;

/** A segment of this connection; with ACK set it acknowledges RCV.NXT unless told otherwise. */
export function segment(
  context: Addressing,
  fields: { seq: number; ack?: number; flags: TcpFlags; payload?: Uint8Array; mss?: number },
): TcpSegment {
  const srcPort = context.local.port;
  const dstPort = context.remote.port;
  const { seq, flags } = fields;
  const ack = flags.ack ? (fields.ack ?? context.rcvNxt) : 0;
  const window = flags.rst ? 0 : context.rcvWnd;
  const payload = fields.payload ?? EMPTY;
  // Two literals rather than a spread: this runs for every segment, and only SYNs carry the MSS.
  return fields.mss
    ? { srcPort, dstPort, seq, ack, flags, window, mss: fields.mss, payload }
    : { srcPort, dstPort, seq, ack, flags, window, payload };
}

/**
 * Our SYN, or with `ack` our SYN-ACK acknowledging RCV.NXT: <SEQ=ISS><CTL=SYN> with the MSS we
 * announce (RFC 9293 §3.5, §3.7.1). Every first send and every retransmission is this segment.
 */
export function synSegment(
  context: Addressing & Pick<TcpContext, 'config'>,
  ack: boolean,
): TcpSegment {
  return segment(context, {
    seq: context.config.iss,
    flags: ack ? tcpFlags('syn', 'ack') : tcpFlags('syn'),
    mss: context.config.mss,
  });
}

/** A bare ACK at SND.NXT: acknowledges what arrived, or challenges a stray SYN. */
export function ackSegment(context: Addressing & Pick<TcpContext, 'sndNxt'>): TcpSegment {
  return segment(context, { seq: context.sndNxt, flags: ACK });
}

/** <SEQ=SND.NXT><CTL=RST>: an abort (RFC 9293 §3.10.4). */
export function resetSegment(context: Addressing & Pick<TcpContext, 'sndNxt'>): TcpSegment {
  return segment(context, { seq: context.sndNxt, flags: RST });
}

/** RST in reply to a segment that belongs to no connection (RFC 9293 §3.10.7.1). */
export function resetFor(incoming: TcpSegment): TcpSegment {
  const empty = new Uint8Array(0);
  if (incoming.flags.ack) {
    return {
      srcPort: incoming.dstPort,
      dstPort: incoming.srcPort,
      seq: incoming.ack,
      ack: 0,
      flags: tcpFlags('rst'),
      window: 0,
      payload: empty,
    };
  }
  return {
    srcPort: incoming.dstPort,
    dstPort: incoming.srcPort,
    seq: 0,
    ack: seqAdd(incoming.seq, segmentLength(incoming)),
    flags: tcpFlags('rst', 'ack'),
    window: 0,
    payload: empty,
  };
}

/** The context fields `pump` reads and writes: the send side of the TCB. */
export type SendState = Pick<
  TcpContext,
  'local' | 'remote' | 'sndUna' | 'sndNxt' | 'sndWnd' | 'rcvNxt' | 'rcvWnd' | 'peerMss'
> &
  Pick<TcpContext, 'unsent' | 'finQueued' | 'finSeq'>;

/**
 * Segments to send now: unsent data cut to the peer's MSS within the peer's window, then the FIN
 * once the data is gone. Appends the segments to `out` and returns the new context fields.
 */
export function pump(
  state: SendState,
  out: TcpSegment[],
): Pick<TcpContext, 'sndNxt' | 'unsent' | 'finSeq'> {
  let { sndNxt, unsent } = state;
  let finSeq = state.finSeq;
  const windowEnd = seqAdd(state.sndUna, state.sndWnd);
  while (unsent.length > 0) {
    const room = (windowEnd - sndNxt) >>> 0;
    if (room === 0 || room > state.sndWnd) break;
    const size = Math.min(unsent.length, state.peerMss, room);
    const payload = unsent.subarray(0, size);
    unsent = unsent.subarray(size);
    const flags = unsent.length === 0 ? PSH_ACK : ACK;
    out.push(segment(state, { seq: sndNxt, flags, payload }));
    sndNxt = seqAdd(sndNxt, size);
  }
  if (state.finQueued && finSeq === null && unsent.length === 0) {
    out.push(segment(state, { seq: sndNxt, flags: FIN_ACK }));
    finSeq = sndNxt;
    sndNxt = seqAdd(sndNxt, 1);
  }
  return { sndNxt, unsent, finSeq };
}

export function seg(event: TcpEvent): TcpSegment {
  if (event.type !== 'SEGMENT') throw new Error(`expected SEGMENT, got ${event.type}`);
  return event.segment;
}

/** An ACK is acceptable when SND.UNA < SEG.ACK =< SND.NXT (RFC 9293 §3.10.7.4). */
export function acksNewData(context: TcpContext, s: TcpSegment): boolean {
  return s.flags.ack && seqLt(context.sndUna, s.ack) && seqLe(s.ack, context.sndNxt);
}

export function acksOurFin(context: TcpContext, s: TcpSegment): boolean {
  return context.finSeq !== null && s.flags.ack && s.ack === seqAdd(context.finSeq, 1);
}

/** The segment starts exactly at RCV.NXT and ends with a FIN, so the FIN is next in order. */
export function carriesInOrderFin(context: TcpContext, s: TcpSegment): boolean {
  return s.flags.fin && s.seq === context.rcvNxt;
}
