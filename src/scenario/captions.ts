import type { ActorInfo, TraceEvent } from './trace';
import { describeEventForScreenReader } from './queries';
import { eventsUpTo, isStepEvent, type TraceIndex } from './timeline';

/**
 * Captions in plain language: what the learner reads under the stage and hears from the live
 * region. A machine's own state names (`awaitingPassword → loggedIn.idle`, `SYN_SENT`) belong to
 * the state panel; a caption says what they mean ("The server waits for the password").
 */

/** What an FTP session in this state is doing, as a sentence without its subject. */
const FTP_CLIENT_STATES: Record<string, string> = {
  idle: 'is ready to start',
  connecting: 'connects to the server',
  awaitingGreeting: "waits for the server's greeting",
  awaitingUserReply: 'has sent its user name and waits for the answer',
  awaitingPasswordReply: 'has sent its password and waits for the answer',
  awaitingTypeReply: 'has chosen how the file is sent and waits for the answer',
  awaitingExtraReply:
    'has sent a command of its own (FEAT, PWD, TYPE, SIZE) and waits for the answer',
  openingDataListener: 'opens a port of its own for the server to connect to (active mode)',
  awaitingPortReply: 'has told the server which port to connect to and waits for the answer',
  awaitingPassiveReply: 'has asked the server for a port to connect to (passive mode)',
  connectingData: "connects to the server's data port",
  awaitingPreliminaryReply: 'waits for the server to say the transfer starts',
  awaitingCompletionReply: 'waits for the server to confirm the transfer',
  waitingToRetry: 'waits a moment before trying the command again',
  droppingControl: 'drops the control connection without saying goodbye',
  waitingToReconnect: 'waits a moment before opening a new control connection',
  quitting: 'says goodbye',
  closingControl: 'closes the control connection',
  done: 'has finished',
};

const FTP_SERVER_STATES: Record<string, string> = {
  awaitingConnection: 'waits for a client to connect',
  awaitingUser: 'waits for a user name',
  awaitingPassword: 'waits for the password',
  idle: 'has logged the client in and waits for a command',
  activeReady: 'knows where to connect for the data (active mode)',
  connectingActive: "connects to the client's data port (active mode)",
  passiveReady: 'listens on a data port for the client to connect to (passive mode)',
  transferring: 'sends the data',
  closing: 'closes the connection',
  done: 'has finished',
};

/** RFC 9293 §3.3.2's states, said the way a learner would. */
const TCP_STATES: Record<string, string> = {
  CLOSED: 'is closed',
  LISTEN: 'listens for a connection',
  SYN_SENT: 'has sent its SYN and waits for an answer',
  SYN_RECEIVED: 'has answered a SYN and waits for the final ACK',
  ESTABLISHED: 'is open',
  FIN_WAIT_1: 'is closing: it has sent its FIN',
  FIN_WAIT_2: 'is closing: its FIN was acknowledged, it waits for the other side',
  CLOSE_WAIT: 'is closing: the other side has finished sending',
  CLOSING: 'is closing: both sides sent a FIN at once',
  LAST_ACK: 'is closing: it waits for the last acknowledgement',
  TIME_WAIT: 'is closed, and waits a while for stray packets',
};

/**
 * The plain meaning of a machine's state: "waits for the password" for the server session's
 * `awaitingPassword`. A compound state (`transferring.control.awaitingCompletionReply |
 * data.open`) is read by its most specific part that has a meaning; null if none has.
 */
export function plainState(machine: ActorInfo['machine'], state: string): string | null {
  const table =
    machine === 'tcp'
      ? TCP_STATES
      : machine === 'ftp-client'
        ? FTP_CLIENT_STATES
        : FTP_SERVER_STATES;
  if (table[state]) return table[state];
  if (machine === 'ftp-client' && /\bdata\.open\b/.test(state) && /Completion/.test(state))
    return 'receives the data';
  const parts = state.split(/[.|\s]+/).filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const meaning = table[parts[i]!];
    if (meaning) return meaning;
  }
  return null;
}

/** Who a machine is, as the subject of a caption: "The client", "The server's data connection". */
export function plainActorName(info: ActorInfo): string {
  if (info.machine !== 'tcp') return `The ${info.node}`;
  const listening = /listen/i.test(info.label) && !/accepted/i.test(info.label);
  const what = listening ? `${info.channel} port` : `${info.channel} connection`;
  return `The ${info.node}'s ${what}`;
}

function transitionCaption(
  event: Extract<TraceEvent, { type: 'transition' }>,
  index: TraceIndex,
): string {
  const info = index.actorById.get(event.actor)?.info;
  const subject = info ? plainActorName(info) : `The ${event.node}`;
  const meaning = plainState(event.machine, event.to);
  return meaning ? `${subject} ${meaning}` : `${subject} changes state`;
}

/** One plain sentence about an event: the caption under the stage and what a screen reader hears. */
export function captionOf(event: TraceEvent, index: TraceIndex): string {
  if (event.type === 'transition') return transitionCaption(event, index);
  return describeEventForScreenReader(event, index);
}

/** The caption at time t: the last thing that happened by then, or null before anything has. */
export function captionAt(index: TraceIndex, t: number): string | null {
  for (let i = eventsUpTo(index, t) - 1; i >= 0; i--) {
    const event = index.events[i]!;
    if (isStepEvent(event)) return captionOf(event, index);
  }
  return null;
}
