import {
  describeEventForScreenReader,
  eventsUpTo,
  nodeName,
  type TraceIndex,
} from '../../scenario/queries';
import type { TraceEvent } from '../../scenario/trace';

/**
 * The projected caption: what the class is watching, in words a room understands ("The client
 * logs in"), never a machine's state name (those belong in the state panel). It names the most
 * telling thing that has happened by t: a packet stopped by a firewall outranks the FTP line sent
 * at the same moment, which outranks the packet that carries it.
 */

const CLIENT_COMMANDS: [RegExp, string][] = [
  [/^USER\b/i, 'The client logs in'],
  [/^PASS\b/i, 'The client sends its password'],
  [/^(PORT|EPRT)\b/i, 'The client tells the server where to connect for the data (active mode)'],
  [/^(PASV|EPSV)\b/i, 'The client asks the server for a port to connect to (passive mode)'],
  [/^(LIST|NLST|MLSD)\b/i, 'The client asks for the list of files'],
  [/^RETR\b/i, 'The client asks for a file'],
  [/^STOR\b/i, 'The client uploads a file'],
  [/^TYPE\b/i, 'The client chooses how the file is sent'],
  [/^QUIT\b/i, 'The client says goodbye'],
];

/** By reply code; RFC 959 §4.2 groups them by first digit, the fallbacks below. */
const SERVER_REPLIES: [RegExp, string][] = [
  [/^220/, 'The server greets the client'],
  [/^331/, 'The server asks for the password'],
  [/^230/, 'The server accepts the login'],
  [/^22[79]/, 'The server says which port to connect to for the data'],
  [/^(150|125)/, 'The server starts sending the data'],
  [/^226/, 'The transfer is complete'],
  [/^425/, 'The server could not open the data connection'],
  [/^221/, 'The server says goodbye'],
  [/^200/, 'The server agrees'],
  [/^[45]/, 'The server refuses'],
];

function controlCaption(event: Extract<TraceEvent, { type: 'control' }>): string {
  const table = event.from === 'client' ? CLIENT_COMMANDS : SERVER_REPLIES;
  const found = table.find(([pattern]) => pattern.test(event.text));
  const fallback = event.from === 'client' ? 'The client sends a command' : 'The server replies';
  return `${found ? found[1] : fallback}: ${event.text}`;
}

/** How telling an event is; 0: not worth a caption (state names, bookkeeping). */
function rank(event: TraceEvent): number {
  switch (event.type) {
    case 'drop':
    case 'reject':
      return 4;
    case 'note':
    case 'expect':
    case 'nat':
      return 3;
    case 'control':
      return 2;
    case 'send':
      return 1;
    case 'conntrack':
      return event.op === 'new' ? 1 : 0;
    case 'deliver':
      return event.packet.channel === 'data' || event.packet.icmp ? 1 : 0;
    default:
      return 0;
  }
}

/** What a bare TCP segment is for, after the packet's name ("SYN"), which the room may not know. */
function segmentPurpose(event: Extract<TraceEvent, { type: 'send' }>): string {
  const flags = event.packet.tcp?.flags;
  if (!flags || (event.packet.tcp?.payload.length ?? 0) > 0) return '';
  if (flags.rst) return ': connection refused';
  if (flags.syn) return flags.ack ? ': agreeing to open the connection' : ': opening a connection';
  if (flags.fin) return ': closing the connection';
  return '';
}

function words(event: TraceEvent, index: TraceIndex): string {
  if (event.type === 'control') return controlCaption(event);
  if (event.type === 'conntrack') {
    const { orig, related } = event.entry;
    const kind = related ? 'a related connection' : 'a new connection';
    return `The ${nodeName(index, event.node)} remembers ${kind}: ${orig.src}:${orig.srcPort} → ${orig.dst}:${orig.dstPort}`;
  }
  if (event.type === 'send')
    return describeEventForScreenReader(event, index) + segmentPurpose(event);
  if (event.type === 'deliver' && event.packet.channel === 'data' && !event.packet.icmp)
    return `The ${nodeName(index, event.node)} receives the data`;
  return describeEventForScreenReader(event, index);
}

/** The caption at t: the most telling event of the latest moment that has one. */
export function plainCaption(index: TraceIndex, t: number): string {
  let best: TraceEvent | null = null;
  for (let i = eventsUpTo(index, t) - 1; i >= 0; i--) {
    const event = index.events[i]!;
    if (best && event.t !== best.t) break;
    if (rank(event) > (best ? rank(best) : 0)) best = event;
  }
  return best ? words(best, index) : 'Nothing has happened yet.';
}
