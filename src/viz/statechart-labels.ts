import type { ChartTransition, ChartTrigger } from '../scenario/statecharts';

/**
 * Words for a statechart's arrows. The drawing needs a few words per arrow ("SYN-ACK", "227",
 * "timeout"); the tooltip and the text alternative give the machine's own definition
 * ("SEGMENT [isSynAck] / completeActiveOpen"). Names not listed here are shown as the machine
 * writes them, so a new guard or event still reads, if less kindly.
 */

/** Guards, as a learner would say what they test. An empty string: say nothing for this part. */
const GUARD_WORDS: Record<string, string> = {
  // TCP (RFC 9293's figure 5 speaks of segments received: "rcv SYN").
  isSyn: 'SYN',
  isSynAck: 'SYN-ACK',
  acksOurSyn: 'ACK of SYN',
  carriesFin: 'FIN',
  acksOurFin: 'ACK of FIN',
  carriesFinAndAcksOurFin: 'FIN + ACK of FIN',
  isReset: 'RST',
  isResetAcceptableInSynSent: 'RST',
  canRetransmitSyn: 'timeout: SYN again',
  canRetransmitSynAck: 'timeout: SYN-ACK again',
  // FTP client.
  isPreliminaryReply: '1xx',
  isCompletionReply: '2xx',
  isNegativeReply: '4xx/5xx',
  isParsablePassiveReply: '227/229',
  hasMoreSteps: 'next command',
  nextIsTransfer: 'a transfer',
  usesActiveMode: 'active mode',
  isUpload: 'upload',
  controlStillUp: 'control still up',
  // FTP server.
  isValidLogin: 'right password',
  isActive: 'after PORT',
  isPassiveAlreadyConnected: 'already connected',
  isAcceptablePort: '',
  isAcceptableEprt: '',
  isReceivingUpload: 'upload',
};

const EVENT_WORDS: Record<string, string> = {
  OPEN_ACTIVE: 'active open',
  OPEN_PASSIVE: 'passive open',
  CLOSE: 'close',
  ABORT: 'abort',
  ICMP_UNREACHABLE: 'ICMP',
  START: 'start',
  CONTROL_CONNECTED: 'connected',
  CONTROL_FAILED: 'connect failed',
  CONTROL_OPENED: 'client connected',
  CONTROL_CLOSED: 'control closed',
  DATA_LISTENING: 'listening',
  DATA_CONNECTED: 'data connected',
  DATA_FAILED: 'data failed',
  DATA_EOF: 'end of data',
  DATA_SENT: 'all sent',
  REPLY: 'other reply',
  COMMAND: 'other command',
};

const DELAY_WORDS: Record<string, string> = {
  retransmissionTimeout: 'timeout',
  synAckRetransmissionTimeout: 'timeout',
  twoMsl: '2 MSL',
  replyTimeout: 'timeout',
  connectTimeout: 'timeout',
  acceptTimeout: 'timeout',
};

/** "isReply(220)" → "220"; "isCommand(PORT)" → "PORT"; a long list of verbs → "transfer". */
function guardPart(part: string): string {
  const call = /^(\w+)\((.*)\)$/.exec(part);
  if (call) {
    const values = call[2]!.split(', ');
    if (call[1] === 'isCommand' && values.length > 2) return 'LIST/RETR/…';
    return values.join('/');
  }
  return GUARD_WORDS[part] ?? part;
}

/** A machine event in a learner's words: "active open" for OPEN_ACTIVE. */
export function eventWords(event: string): string {
  return EVENT_WORDS[event] ?? event;
}

/** A few words for one trigger: "SYN-ACK", "220", "timeout", "active mode". */
export function triggerWords(trigger: ChartTrigger): string {
  if (trigger.guard) {
    const words = trigger.guard
      .split(' and ')
      .map(guardPart)
      .filter((w) => w !== '');
    // "hasMoreSteps and nextIsTransfer": the second part says it all.
    if (words[0] === 'next command' && words.length > 1) words.shift();
    if (words.length > 0) return words.join(', ');
  }
  switch (trigger.kind) {
    case 'after':
      return DELAY_WORDS[trigger.event] ?? `after ${trigger.event}`;
    case 'always':
      return 'otherwise';
    case 'done':
      return 'both done';
    case 'event':
      return EVENT_WORDS[trigger.event] ?? trigger.event;
  }
}

/** Timers first: "timeout" is the news on an arrow that also carries RST and ICMP. */
const KIND_ORDER = { after: 0, event: 1, done: 2, always: 3 } as const;

/** Each trigger's words, once, timers first. */
export function triggerWordList(transition: ChartTransition): string[] {
  const sorted = [...transition.triggers].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  return [...new Set(sorted.map(triggerWords))];
}

/** The arrow's label: its triggers' words, at most `max` of them. */
export function transitionWords(transition: ChartTransition, max = 3): string {
  const words = triggerWordList(transition);
  return words.length > max ? `${words.slice(0, max).join(' · ')} …` : words.join(' · ');
}

/** The machine's own definition of a trigger: "SEGMENT [isSynAck] / completeActiveOpen". */
export function triggerDefinition(trigger: ChartTrigger): string {
  const event =
    trigger.kind === 'after'
      ? `after ${trigger.event}`
      : trigger.kind === 'always'
        ? 'always'
        : trigger.kind === 'done'
          ? `done ${trigger.event}`
          : trigger.event;
  const guard = trigger.guard ? ` [${trigger.guard}]` : '';
  const actions = trigger.actions.length > 0 ? ` / ${trigger.actions.join(', ')}` : '';
  return `${event}${guard}${actions}`;
}
