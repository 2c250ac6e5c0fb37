import { assign, emit, enqueueActions, setup } from 'xstate';
import { concatBytes } from '../protocol/bytes';
import type { Endpoint } from '../protocol/endpoint';
import type { IcmpCode, TcpSegment } from '../protocol/tcp';
import { DEFAULT_MSS, DEFAULT_SEND_MSS, DEFAULT_WINDOW, ICMP_CODES, seqAdd } from '../protocol/tcp';
import { synSchedule, type SynSchedule } from './tcp-profile';
import {
  ACK,
  ackSegment,
  acksNewData,
  acksOurFin,
  carriesInOrderFin,
  pump,
  resetFor,
  resetSegment,
  seg,
  segment,
  synSegment,
  type SendState,
} from './tcp-wire';

/**
 * One TCP connection endpoint (a TCB, RFC 9293 §3.3.2) as an XState machine. States carry the
 * RFC's names. The machine is pure: it emits `transmit` for every segment it wants sent and
 * `connected` / `data` / `peer-closed` / `closed` for the application; the host wires those up.
 *
 * ACKs follow RFC 1122 §4.2.3.2 / RFC 9293 §3.8.6.3: at least every second full-sized segment,
 * and at once for a segment that is short, pushed (PSH), a FIN or out of order. Every write ends
 * in a PSH segment, so no delayed-ACK timer is needed.
 *
 * Simplifications, each chosen because the simulated network never needs more: no data
 * retransmission (links neither lose nor reorder; firewalls decide on SYNs), no window scaling,
 * no urgent data.
 */

export type CloseReason = 'normal' | 'refused' | 'timeout' | 'reset' | 'unreachable';

export interface TcpInput {
  local: Endpoint;
  remote: Endpoint;
  /** Initial send sequence number (RFC 9293 §3.4.1); chosen by the host, deterministically. */
  iss: number;
  /** RFC 6298 retransmissions before giving up (6: SYNs at 0, 1, 3, 7, 15, 31, 63 s, give up at 127 s); a `synSchedule` replaces the schedule. */
  synRetries?: number;
  /**
   * When SYNs are retransmitted and when the active open gives up (see tcp-profile.ts). Without
   * it: the RFC 6298 schedule from `synRetries` and `initialRtoMs`.
   */
  synSchedule?: SynSchedule;
  /** Linux net.ipv4.tcp_synack_retries (default 5). */
  synAckRetries?: number;
  /** Initial retransmission timeout, RFC 6298 §2.1: 1 s. */
  initialRtoMs?: number;
  /** How long TIME_WAIT lasts: 2 × MSL, 60 s on Linux (TCP_TIMEWAIT_LEN). */
  timeWaitMs?: number;
  mss?: number;
}

/** What is fixed when the socket is created. */
export interface TcpConfig {
  /** Initial send sequence number (RFC 9293 §3.4.1). */
  iss: number;
  /** The MSS we announce in our SYN. */
  mss: number;
  /** SYN send times and give-up time of an active open. */
  synSchedule: SynSchedule;
  maxSynAckRetries: number;
  initialRtoMs: number;
  timeWaitMs: number;
}

/**
 * The TCB. The fixed settings live in one `config` object rather than beside the variables: XState
 * copies the context on every assign, and V8 keeps an object with more than about twenty copied
 * properties as a slow dictionary, which made every segment several microseconds dearer.
 */
export interface TcpContext {
  local: Endpoint;
  remote: Endpoint;
  config: TcpConfig;
  irs: number;
  sndUna: number;
  sndNxt: number;
  sndWnd: number;
  rcvNxt: number;
  rcvWnd: number;
  peerMss: number;
  /** Bytes the application asked to send that have not been transmitted yet. */
  unsent: Uint8Array;
  /** Full-sized segments received and not yet acknowledged (at most one). */
  unackedSegments: number;
  /** The application called close; a FIN follows the last unsent byte. */
  finQueued: boolean;
  /** Sequence number of our FIN once sent (it occupies one octet of sequence space). */
  finSeq: number | null;
  retries: number;
  closeReason: CloseReason | null;
  closeDetail: string | null;
}

export type TcpEvent =
  | { type: 'OPEN_ACTIVE' }
  | { type: 'OPEN_PASSIVE' }
  | { type: 'SEGMENT'; segment: TcpSegment }
  | { type: 'SEND'; data: Uint8Array }
  | { type: 'CLOSE' }
  | { type: 'ABORT' }
  | { type: 'ICMP_UNREACHABLE'; code: IcmpCode };

export type TcpEmitted =
  | { type: 'transmit'; segment: TcpSegment }
  | { type: 'connected' }
  | { type: 'data'; data: Uint8Array }
  | { type: 'peer-closed' }
  | { type: 'closed'; reason: CloseReason; detail: string | null };

const tcpSetup = setup({
  types: {
    context: {} as TcpContext,
    events: {} as TcpEvent,
    input: {} as TcpInput,
    emitted: {} as TcpEmitted,
  },
  delays: {
    /** SYN_SENT: until the next SYN of the profile's schedule, or until its give-up time. */
    retransmissionTimeout: ({ context }) => {
      const { sendTimesMs, giveUpMs } = context.config.synSchedule;
      const k = context.retries;
      return (k + 1 < sendTimesMs.length ? sendTimesMs[k + 1]! : giveUpMs) - sendTimesMs[k]!;
    },
    /** SYN_RECEIVED: exponential backoff, RFC 6298 §5.5 (Linux's SYN-ACK timer does the same). */
    synAckRetransmissionTimeout: ({ context }) =>
      context.config.initialRtoMs * 2 ** context.retries,
    twoMsl: ({ context }) => context.config.timeWaitMs,
  },
  guards: {
    isReset: ({ event }) => event.type === 'SEGMENT' && event.segment.flags.rst,
    isSyn: ({ event }) =>
      event.type === 'SEGMENT' && event.segment.flags.syn && !event.segment.flags.ack,
    isSynAck: ({ context, event }) =>
      event.type === 'SEGMENT' &&
      event.segment.flags.syn &&
      event.segment.flags.ack &&
      event.segment.ack === context.sndNxt,
    isResetAcceptableInSynSent: ({ context, event }) =>
      event.type === 'SEGMENT' &&
      event.segment.flags.rst &&
      event.segment.flags.ack &&
      event.segment.ack === context.sndNxt,
    hasUnacceptableAck: ({ context, event }) =>
      event.type === 'SEGMENT' && event.segment.flags.ack && event.segment.ack !== context.sndNxt,
    /** Any segment with ACK set, a stray SYN-ACK included (RFC 9293 §3.10.7.2: LISTEN answers it with RST). */
    hasAck: ({ event }) => event.type === 'SEGMENT' && event.segment.flags.ack,
    hasSynFlag: ({ event }) => event.type === 'SEGMENT' && event.segment.flags.syn,
    isFin: ({ event }) => event.type === 'SEGMENT' && event.segment.flags.fin,
    acksOurSyn: ({ context, event }) =>
      event.type === 'SEGMENT' && event.segment.flags.ack && event.segment.ack === context.sndNxt,
    carriesFin: ({ context, event }) =>
      event.type === 'SEGMENT' && carriesInOrderFin(context, event.segment),
    acksOurFin: ({ context, event }) =>
      event.type === 'SEGMENT' && acksOurFin(context, event.segment),
    carriesFinAndAcksOurFin: ({ context, event }) =>
      event.type === 'SEGMENT' &&
      acksOurFin(context, event.segment) &&
      carriesInOrderFin(context, event.segment),
    canRetransmitSyn: ({ context }) =>
      context.retries < context.config.synSchedule.sendTimesMs.length - 1,
    canRetransmitSynAck: ({ context }) => context.retries < context.config.maxSynAckRetries,
    isHardIcmpError: ({ event }) => event.type === 'ICMP_UNREACHABLE',
  },
  actions: {
    sendSyn: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({
        sndUna: context.config.iss,
        sndNxt: seqAdd(context.config.iss, 1),
        retries: 0,
      });
      enqueue.emit({ type: 'transmit', segment: synSegment(context, false) });
    }),
    retransmitSyn: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ retries: context.retries + 1 });
      enqueue.emit({ type: 'transmit', segment: synSegment(context, false) });
    }),
    /** LISTEN or SYN_SENT receives a SYN: remember IRS, answer SYN-ACK (RFC 9293 §3.10.7.2). */
    acceptSyn: enqueueActions(({ context, event, enqueue }) => {
      const s = seg(event);
      const rcvNxt = seqAdd(s.seq, 1);
      enqueue.assign({
        irs: s.seq,
        rcvNxt,
        sndWnd: s.window,
        peerMss: s.mss ?? DEFAULT_SEND_MSS,
        sndUna: context.config.iss,
        sndNxt: seqAdd(context.config.iss, 1),
        retries: 0,
      });
      enqueue.emit({ type: 'transmit', segment: synSegment({ ...context, rcvNxt }, true) });
    }),
    retransmitSynAck: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ retries: context.retries + 1 });
      enqueue.emit({ type: 'transmit', segment: synSegment(context, true) });
    }),
    /**
     * A repeated SYN in SYN_RECEIVED (our SYN-ACK was lost) gets the SYN-ACK again. Like Linux, this
     * does not use up a retry: tcp_synack_retries counts timer expiries (req->num_timeout) only.
     */
    answerRepeatedSyn: emit(({ context }) => ({
      type: 'transmit' as const,
      segment: synSegment(context, true),
    })),
    /** SYN_SENT receives SYN-ACK: complete the handshake with an ACK (RFC 9293 §3.10.7.3). */
    completeActiveOpen: enqueueActions(({ context, event, enqueue }) => {
      const s = seg(event);
      const next = {
        ...context,
        irs: s.seq,
        rcvNxt: seqAdd(s.seq, 1),
        sndUna: s.ack,
        sndWnd: s.window,
        peerMss: s.mss ?? DEFAULT_SEND_MSS,
        retries: 0,
      };
      enqueue.assign(next);
      enqueue.emit({
        type: 'transmit',
        segment: ackSegment(next),
      });
      enqueue.emit({ type: 'connected' });
    }),
    completePassiveOpen: enqueueActions(({ event, enqueue }) => {
      const s = seg(event);
      enqueue.assign({ sndUna: s.ack, sndWnd: s.window, retries: 0 });
      enqueue.emit({ type: 'connected' });
    }),
    /** A reset for a segment that acknowledged something we never sent (RFC 9293 §3.10.7.3). */
    resetUnacceptableAck: emit(({ event }) => {
      const s = seg(event);
      return {
        type: 'transmit' as const,
        segment: resetFor({ ...s, flags: { ...s.flags, ack: true } }),
      };
    }),
    /**
     * The common path for synchronized states (RFC 9293 §3.10.7.4): take the ACK, accept in-order
     * data and a FIN, acknowledge what arrived, and send whatever the new window allows.
     */
    processSegment: enqueueActions(({ context, event, enqueue }) => {
      const s = seg(event);
      // One object of changes, applied once: this runs for every segment of every transfer.
      let sndUna = context.sndUna;
      let sndWnd = context.sndWnd;
      let rcvNxt = context.rcvNxt;
      let unackedSegments = context.unackedSegments;
      if (s.flags.ack && acksNewData(context, s)) {
        sndUna = s.ack;
        sndWnd = s.window;
      } else if (s.flags.ack && s.ack === context.sndUna) {
        sndWnd = s.window;
      }
      let acknowledge = false;
      let dataDelivered = false;
      let peerClosed = false;
      if (s.payload.length > 0 || s.flags.fin) {
        const inOrder = s.seq === context.rcvNxt;
        const pending = context.unackedSegments + 1;
        const fullSized = s.payload.length >= context.config.mss;
        acknowledge = !inOrder || s.flags.fin || s.flags.psh || !fullSized || pending >= 2;
        unackedSegments = acknowledge ? 0 : pending;
        if (inOrder) {
          rcvNxt = seqAdd(rcvNxt, s.payload.length);
          dataDelivered = s.payload.length > 0;
          if (s.flags.fin) {
            rcvNxt = seqAdd(rcvNxt, 1);
            peerClosed = true;
          }
        }
      }
      const out: TcpSegment[] = [];
      const sendState: SendState = {
        local: context.local,
        remote: context.remote,
        sndUna,
        sndNxt: context.sndNxt,
        sndWnd,
        rcvNxt,
        rcvWnd: context.rcvWnd,
        peerMss: context.peerMss,
        unsent: context.unsent,
        finQueued: context.finQueued,
        finSeq: context.finSeq,
      };
      const sent = pump(sendState, out);
      if (acknowledge && out.length === 0) {
        out.push(segment(sendState, { seq: sent.sndNxt, flags: ACK }));
      }
      // Any segment we send carries the ACK.
      if (out.length > 0) unackedSegments = 0;
      enqueue.assign({
        sndUna,
        sndWnd,
        rcvNxt,
        unackedSegments,
        sndNxt: sent.sndNxt,
        unsent: sent.unsent,
        finSeq: sent.finSeq,
      });
      if (dataDelivered) enqueue.emit({ type: 'data', data: s.payload });
      if (peerClosed) enqueue.emit({ type: 'peer-closed' });
      for (const segmentOut of out) enqueue.emit({ type: 'transmit', segment: segmentOut });
    }),
    /** A SYN on a synchronized connection gets an ACK (RFC 9293 §3.10.7.4, RFC 5961 §4). */
    challengeAck: emit(({ context }) => ({
      type: 'transmit' as const,
      segment: ackSegment(context),
    })),
    queueData: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'SEND') return;
      const out: TcpSegment[] = [];
      const update = pump({ ...context, unsent: concatBytes([context.unsent, event.data]) }, out);
      enqueue.assign(update);
      for (const segmentOut of out) enqueue.emit({ type: 'transmit', segment: segmentOut });
    }),
    queueFin: enqueueActions(({ context, enqueue }) => {
      const out: TcpSegment[] = [];
      const update = pump({ ...context, finQueued: true }, out);
      enqueue.assign({ finQueued: true, ...update });
      for (const segmentOut of out) enqueue.emit({ type: 'transmit', segment: segmentOut });
    }),
    sendReset: emit(({ context }) => ({
      type: 'transmit' as const,
      segment: resetSegment(context),
    })),
    recordRefused: assign({ closeReason: 'refused', closeDetail: 'Connection refused (RST)' }),
    recordReset: assign({ closeReason: 'reset', closeDetail: 'Connection reset by peer' }),
    recordTimeout: assign({ closeReason: 'timeout', closeDetail: 'Connection timed out' }),
    recordAborted: assign({ closeReason: 'reset', closeDetail: 'Connection aborted locally' }),
    recordIcmp: assign(({ event }) => {
      const code = event.type === 'ICMP_UNREACHABLE' ? event.code : ICMP_CODES.portUnreachable;
      // Linux maps ICMP port unreachable to ECONNREFUSED and the prohibited codes to EHOSTUNREACH.
      return code === ICMP_CODES.portUnreachable
        ? {
            closeReason: 'refused' as const,
            closeDetail: 'Connection refused (ICMP port unreachable)',
          }
        : {
            closeReason: 'unreachable' as const,
            closeDetail:
              code === ICMP_CODES.adminProhibited
                ? 'No route to host (ICMP administratively prohibited)'
                : 'No route to host (ICMP host unreachable)',
          };
    }),
    recordNormalClose: assign(({ context }) => ({
      closeReason: context.closeReason ?? ('normal' as const),
    })),
    announceClosed: emit(({ context }) => ({
      type: 'closed' as const,
      reason: context.closeReason ?? 'normal',
      detail: context.closeDetail,
    })),
  },
});

/**
 * Arrows RFC 9293 writes once for many states, written once here and named in each state's rows.
 *
 * An RST in SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 or CLOSE_WAIT (§3.10.7.4, "If the
 * RST bit is set"): the application is told the connection was reset, and the TCB goes.
 */
const closeOnReset = {
  guard: 'isReset',
  target: 'CLOSED',
  actions: ['recordReset', 'announceClosed'],
} as const;

/**
 * An RST in CLOSING, LAST_ACK or TIME_WAIT: "enter the CLOSED state, delete the TCB, and return"
 * (§3.10.7.4); our close was under way, so no error is reported.
 */
const closeQuietlyOnReset = {
  guard: 'isReset',
  target: 'CLOSED',
  actions: ['recordNormalClose', 'announceClosed'],
} as const;

/** ABORT from SYN_RECEIVED to CLOSE_WAIT: send <SEQ=SND.NXT><CTL=RST>, delete the TCB (§3.10.4). */
const abortWithReset = {
  target: 'CLOSED',
  actions: ['sendReset', 'recordAborted', 'announceClosed'],
} as const;

/**
 * An RST in LISTEN ("should be ignored", §3.10.7.2), or in SYN_SENT not acknowledging our SYN
 * ("drop the segment", §3.10.7.3): no state to leave, nothing to answer.
 */
const ignoreReset = { guard: 'isReset' } as const;

export const tcpSocketMachine = tcpSetup.createMachine({
  id: 'tcp',
  context: ({ input }) => ({
    local: input.local,
    remote: input.remote,
    config: {
      iss: input.iss >>> 0,
      mss: input.mss ?? DEFAULT_MSS,
      synSchedule:
        input.synSchedule ??
        synSchedule({
          kind: 'rfc6298',
          synRetries: input.synRetries ?? 6,
          initialRtoMs: input.initialRtoMs ?? 1000,
        }),
      maxSynAckRetries: input.synAckRetries ?? 5,
      initialRtoMs: input.initialRtoMs ?? 1000,
      timeWaitMs: input.timeWaitMs ?? 60_000,
    },
    irs: 0,
    sndUna: input.iss >>> 0,
    sndNxt: input.iss >>> 0,
    sndWnd: DEFAULT_WINDOW,
    rcvNxt: 0,
    rcvWnd: DEFAULT_WINDOW,
    peerMss: DEFAULT_SEND_MSS,
    unsent: new Uint8Array(0),
    unackedSegments: 0,
    finQueued: false,
    finSeq: null,
    retries: 0,
    closeReason: null,
    closeDetail: null,
  }),
  initial: 'CLOSED',
  states: {
    CLOSED: {
      on: {
        OPEN_ACTIVE: { target: 'SYN_SENT', actions: 'sendSyn' },
        OPEN_PASSIVE: { target: 'LISTEN' },
      },
    },
    LISTEN: {
      on: {
        SEGMENT: [
          ignoreReset,
          { guard: 'isSyn', target: 'SYN_RECEIVED', actions: 'acceptSyn' },
          { guard: 'hasAck', actions: 'resetUnacceptableAck' },
        ],
        CLOSE: { target: 'CLOSED', actions: ['recordNormalClose', 'announceClosed'] },
        ABORT: { target: 'CLOSED', actions: ['recordNormalClose', 'announceClosed'] },
      },
    },
    SYN_SENT: {
      after: {
        retransmissionTimeout: [
          {
            guard: 'canRetransmitSyn',
            target: 'SYN_SENT',
            reenter: true,
            actions: 'retransmitSyn',
          },
          { target: 'CLOSED', actions: ['recordTimeout', 'announceClosed'] },
        ],
      },
      on: {
        SEGMENT: [
          {
            guard: 'isResetAcceptableInSynSent',
            target: 'CLOSED',
            actions: ['recordRefused', 'announceClosed'],
          },
          ignoreReset,
          { guard: 'isSynAck', target: 'ESTABLISHED', actions: 'completeActiveOpen' },
          { guard: 'hasUnacceptableAck', actions: 'resetUnacceptableAck' },
          // Simultaneous open (RFC 9293 §3.5, figure 8).
          { guard: 'isSyn', target: 'SYN_RECEIVED', actions: 'acceptSyn' },
        ],
        ICMP_UNREACHABLE: { target: 'CLOSED', actions: ['recordIcmp', 'announceClosed'] },
        CLOSE: { target: 'CLOSED', actions: ['recordAborted', 'announceClosed'] },
        ABORT: { target: 'CLOSED', actions: ['recordAborted', 'announceClosed'] },
      },
    },
    SYN_RECEIVED: {
      after: {
        synAckRetransmissionTimeout: [
          {
            guard: 'canRetransmitSynAck',
            target: 'SYN_RECEIVED',
            reenter: true,
            actions: 'retransmitSynAck',
          },
          { target: 'CLOSED', actions: ['recordTimeout', 'announceClosed'] },
        ],
      },
      on: {
        SEGMENT: [
          closeOnReset,
          { guard: 'isSyn', actions: 'answerRepeatedSyn' },
          {
            guard: 'acksOurSyn',
            target: 'ESTABLISHED',
            actions: ['completePassiveOpen', 'processSegment'],
          },
          { guard: 'hasUnacceptableAck', actions: 'resetUnacceptableAck' },
        ],
        ICMP_UNREACHABLE: { target: 'CLOSED', actions: ['recordIcmp', 'announceClosed'] },
        CLOSE: { target: 'FIN_WAIT_1', actions: 'queueFin' },
        ABORT: abortWithReset,
      },
    },
    ESTABLISHED: {
      on: {
        SEGMENT: [
          closeOnReset,
          // A SYN, or a repeated SYN-ACK whose ACK was lost, gets an ACK (RFC 9293 §3.10.7.4).
          { guard: 'hasSynFlag', actions: 'challengeAck' },
          { guard: 'carriesFin', target: 'CLOSE_WAIT', actions: 'processSegment' },
          { actions: 'processSegment' },
        ],
        SEND: { actions: 'queueData' },
        CLOSE: { target: 'FIN_WAIT_1', actions: 'queueFin' },
        ABORT: abortWithReset,
      },
    },
    FIN_WAIT_1: {
      on: {
        SEGMENT: [
          closeOnReset,
          { guard: 'carriesFinAndAcksOurFin', target: 'TIME_WAIT', actions: 'processSegment' },
          { guard: 'carriesFin', target: 'CLOSING', actions: 'processSegment' },
          { guard: 'acksOurFin', target: 'FIN_WAIT_2', actions: 'processSegment' },
          { actions: 'processSegment' },
        ],
        ABORT: abortWithReset,
      },
    },
    FIN_WAIT_2: {
      on: {
        SEGMENT: [
          closeOnReset,
          { guard: 'carriesFin', target: 'TIME_WAIT', actions: 'processSegment' },
          { actions: 'processSegment' },
        ],
        ABORT: abortWithReset,
      },
    },
    CLOSE_WAIT: {
      on: {
        SEGMENT: [closeOnReset, { actions: 'processSegment' }],
        SEND: { actions: 'queueData' },
        CLOSE: { target: 'LAST_ACK', actions: 'queueFin' },
        ABORT: abortWithReset,
      },
    },
    CLOSING: {
      on: {
        SEGMENT: [
          closeQuietlyOnReset,
          { guard: 'acksOurFin', target: 'TIME_WAIT', actions: 'processSegment' },
          { actions: 'processSegment' },
        ],
      },
    },
    LAST_ACK: {
      on: {
        SEGMENT: [
          closeQuietlyOnReset,
          {
            guard: 'acksOurFin',
            target: 'CLOSED',
            actions: ['processSegment', 'recordNormalClose', 'announceClosed'],
          },
          { actions: 'processSegment' },
        ],
      },
    },
    TIME_WAIT: {
      after: {
        twoMsl: { target: 'CLOSED', actions: ['recordNormalClose', 'announceClosed'] },
      },
      on: {
        // Only a retransmitted FIN is acknowledged again (RFC 9293 §3.10.7.4, TIME-WAIT).
        SEGMENT: [closeQuietlyOnReset, { guard: 'isFin', actions: 'challengeAck' }],
      },
    },
  },
});
