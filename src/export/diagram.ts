import { decodeControlText } from '../protocol/control-text';
import { describeIcmpCode, flagsLabel, type Packet, type TcpSegment } from '../protocol/tcp';
import { nodeName } from '../scenario/queries';
import type { SimulationResult } from '../scenario/simulate';
import {
  NODE_ORDER,
  ruleLabel,
  type NodeId,
  type TraceEvent,
  type Verdict,
} from '../scenario/trace';
import { escapeUnprintable } from './transcript';

/**
 * The ladder as a sequence diagram, in a form that Mermaid and PlantUML text are both written
 * from (diagram-text.ts): one message per packet from the node that sent it to the node that
 * received it, a lost message where a router dropped or rejected it, and notes for what the
 * routers did on the way. It reads only the trace, so a simulated session and a real capture
 * turned into a trace give the same kind of diagram.
 */

export interface DiagramParticipant {
  readonly node: NodeId;
  /** An identifier both syntaxes accept unquoted. */
  readonly id: string;
  readonly name: string;
}

export interface DiagramMessage {
  readonly kind: 'message';
  readonly t: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly label: string;
  /** Dropped or rejected where it ends: drawn with a cross instead of an arrowhead. */
  readonly lost: boolean;
}

export interface DiagramNote {
  readonly kind: 'note';
  readonly t: number;
  /** One node, or the first and last of the span the note covers. */
  readonly over: readonly [NodeId] | readonly [NodeId, NodeId];
  readonly text: string;
}

export type DiagramStep = DiagramMessage | DiagramNote;

export interface LadderDiagram {
  readonly title: string | null;
  /** In path order, client first: the two ends and their routers, and the Internet when a step names it. */
  readonly participants: readonly DiagramParticipant[];
  readonly steps: readonly DiagramStep[];
}

export interface LadderDiagramOptions {
  /** What each node is called; the defaults are the node ids in words ("client router"). */
  names?: Partial<Record<NodeId, string>>;
  title?: string;
  /** A closing note across the whole diagram, such as the outcome and its explanation. */
  outcome?: string;
  /** Leave out bare ACKs (no data, no SYN, FIN or RST). Default false: every packet is shown. */
  hideBareAcks?: boolean;
}

/** Longest label kept whole; longer FTP lines end in "…". */
const MAX_LABEL = 120;

export const PARTICIPANT_IDS: Record<NodeId, string> = {
  client: 'client',
  'client-router': 'client_router',
  internet: 'internet',
  'server-router': 'server_router',
  server: 'server',
};

const DEFAULT_NAMES: Record<NodeId, string> = {
  client: 'client',
  'client-router': 'client router',
  internet: 'Internet',
  'server-router': 'server router',
  server: 'server',
};

/** Longest closing note: the outcome's explanation, which the simulation writes. */
const MAX_OUTCOME = 1500;

/**
 * A label on one line, no control or invisible characters, at most `max` long, never empty
 * (neither syntax has a message without text).
 */
export function oneLine(text: string, max = MAX_LABEL, empty = '(empty)'): string {
  const flat = escapeUnprintable(text).replace(/\s+/g, ' ').trim();
  if (!flat) return empty;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function isBareAck(tcp: TcpSegment): boolean {
  const f = tcp.flags;
  return f.ack && !f.syn && !f.fin && !f.rst && tcp.payload.length === 0;
}

function flagsName(tcp: TcpSegment): string {
  const { flags } = tcp;
  if (flags.rst) return 'RST';
  if (flags.syn) return flags.ack ? 'SYN-ACK' : 'SYN';
  if (flags.fin) return flags.ack ? 'FIN-ACK' : 'FIN';
  return flags.ack ? 'ACK' : flagsLabel(flags);
}

/** "SYN 20 → 50123", a control line as sent ("PORT 192,0,2,10,207,208"), or "data 52 bytes". */
export function packetText(packet: Packet): string {
  if (packet.icmp) return `ICMP ${describeIcmpCode(packet.icmp.code)}`;
  const tcp = packet.tcp;
  if (!tcp) return 'IP packet';
  const bytes = tcp.payload.length;
  if (bytes > 0 && packet.channel === 'control') {
    const lines = decodeControlText(tcp.payload).split('\r\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.join(' / ');
  }
  if (bytes > 0) return `data ${bytes} byte${bytes === 1 ? '' : 's'}`;
  return `${flagsName(tcp)} ${tcp.srcPort} → ${tcp.dstPort}`;
}

function verdictText(verdict: Verdict | undefined): string {
  if (!verdict || verdict.by === 'no-firewall') return '';
  return verdict.by === 'rule' ? ` ${ruleLabel(verdict, 'number')}` : ' default policy';
}

/** A packet from its first send to where it ended, while the trace is read. */
interface Flight {
  t: number;
  from: NodeId;
  to: NodeId | null;
  lastHopTo: NodeId | null;
  label: string;
  lost: boolean;
  notes: DiagramNote[];
  /** Same sender, same connection, plain data: consecutive ones become one message. */
  burst: { key: string; bytes: number } | null;
}

/** The other end, for a packet still on its first link when the trace ends. */
function farEnd(from: NodeId): NodeId {
  return NODE_ORDER.indexOf(from) <= NODE_ORDER.indexOf('internet') ? 'server' : 'client';
}

function byteCount(n: number): string {
  return `${n} byte${n === 1 ? '' : 's'}`;
}

export function ladderDiagram(
  trace: readonly TraceEvent[],
  options: LadderDiagramOptions = {},
): LadderDiagram {
  const names = Object.fromEntries(
    NODE_ORDER.map((node) => [
      node,
      oneLine(options.names?.[node] ?? DEFAULT_NAMES[node], MAX_LABEL, DEFAULT_NAMES[node]),
    ]),
  ) as Record<NodeId, string>;
  const flights = new Map<number, Flight>();
  const order: (Flight | DiagramNote)[] = [];
  const sentBefore = new Map<string, number>();

  for (const e of trace) {
    switch (e.type) {
      case 'send': {
        if (flights.has(e.packet.id)) break;
        const tcp = e.packet.tcp;
        if (options.hideBareAcks && tcp && isBareAck(tcp)) break;
        let label = packetText(e.packet);
        let burst: Flight['burst'] = null;
        if (tcp && (tcp.flags.syn || tcp.flags.fin || tcp.payload.length > 0)) {
          const flow = `${e.node}|${e.packet.src}:${tcp.srcPort}|${e.packet.dst}:${tcp.dstPort}`;
          const key = `${flow}|${tcp.seq}|${flagsLabel(tcp.flags)}|${tcp.payload.length}`;
          const count = sentBefore.get(key) ?? 0;
          sentBefore.set(key, count + 1);
          if (count > 0) label += ` (retransmission ${count})`;
          else if (e.packet.channel === 'data' && tcp.payload.length > 0)
            burst = { key: flow, bytes: tcp.payload.length };
        }
        const flight: Flight = {
          t: e.t,
          from: e.node,
          to: null,
          lastHopTo: null,
          label: oneLine(label),
          lost: false,
          notes: [],
          burst,
        };
        flights.set(e.packet.id, flight);
        order.push(flight);
        break;
      }
      case 'hop': {
        const flight = flights.get(e.packet.id);
        if (flight) flight.lastHopTo = e.to;
        break;
      }
      case 'deliver': {
        const flight = flights.get(e.packet.id);
        if (flight && flight.to === null) flight.to = e.node;
        break;
      }
      case 'nat': {
        const flight = flights.get(e.before.id);
        if (!flight || e.kind !== 'alg') break;
        flight.notes.push({
          kind: 'note',
          t: e.t,
          over: [e.node],
          text: oneLine(`${names[e.node]} rewrote the line: ${packetText(e.after)}`),
        });
        break;
      }
      case 'drop':
      case 'reject': {
        const flight = flights.get(e.packet.id);
        if (!flight || flight.to !== null) break;
        flight.to = e.node;
        flight.lost = true;
        const action = e.type === 'drop' ? 'DROP' : 'REJECT';
        // A firewall's verdict names the router and its rule; anything else (no route, a capture
        // that saw no answer) is said in the trace's own words, which name the place if they can.
        const decided = e.verdict?.by === 'rule' || e.verdict?.by === 'policy';
        const where = decided ? `${names[e.node]}${verdictText(e.verdict)}` : e.reason;
        const answer =
          e.type === 'reject'
            ? ` · answered with ${e.response.icmp ? `ICMP ${describeIcmpCode(e.response.icmp.code)}` : 'TCP RST'}`
            : '';
        flight.notes.push({
          kind: 'note',
          t: e.t,
          over: [e.node],
          text: oneLine(`${action} · ${where}${answer}`),
        });
        break;
      }
      case 'note':
        order.push({ kind: 'note', t: e.t, over: [e.node], text: oneLine(e.text) });
        break;
      default:
        break;
    }
  }

  const steps: DiagramStep[] = [];
  /** The data message the next segment of the same flow may join. */
  let open: { key: string; to: NodeId; bytes: number; segments: number; at: number } | null = null;
  for (const item of order) {
    if ('kind' in item) {
      steps.push(item);
      open = null;
      continue;
    }
    const to = item.to ?? item.lastHopTo ?? farEnd(item.from);
    const ended = item.to !== null;
    const joinable = item.burst !== null && ended && !item.lost && item.notes.length === 0;
    if (joinable && open?.key === item.burst!.key && open.to === to) {
      open.bytes += item.burst!.bytes;
      open.segments += 1;
      const message = steps[open.at] as DiagramMessage;
      steps[open.at] = {
        ...message,
        label: `data ${byteCount(open.bytes)} in ${open.segments} segments`,
      };
      continue;
    }
    open = joinable
      ? { key: item.burst!.key, to, bytes: item.burst!.bytes, segments: 1, at: steps.length }
      : null;
    steps.push(
      {
        kind: 'message',
        t: item.t,
        from: item.from,
        to,
        label: ended ? item.label : `${item.label} (in flight when the trace ends)`,
        lost: item.lost,
      },
      ...item.notes,
    );
  }

  if (options.outcome)
    steps.push({
      kind: 'note',
      t: steps.length ? steps[steps.length - 1]!.t : 0,
      over: ['client', 'server'],
      text: oneLine(options.outcome, MAX_OUTCOME),
    });

  const used = new Set<NodeId>(['client', 'client-router', 'server-router', 'server']);
  for (const step of steps) {
    if (step.kind === 'message') used.add(step.from).add(step.to);
    else for (const node of step.over) used.add(node);
  }
  return {
    title: options.title?.trim() ? oneLine(options.title) : null,
    participants: NODE_ORDER.filter((node) => used.has(node)).map((node) => ({
      node,
      id: PARTICIPANT_IDS[node],
      name: names[node],
    })),
    steps,
  };
}

const MODE_NAMES = {
  active: 'active mode (PORT)',
  passive: 'passive mode (PASV)',
  eprt: 'extended active mode (EPRT)',
  epsv: 'extended passive mode (EPSV)',
} as const;

/**
 * The diagram of a simulated session (or of a capture made into one, capture/stage.ts), its
 * routers named as the ladder names them; the title and the closing note can be given instead
 * of the ones the scenario and its outcome make.
 */
export function simulationDiagram(
  result: SimulationResult,
  options: Pick<LadderDiagramOptions, 'hideBareAcks' | 'title' | 'outcome'> = {},
): LadderDiagram {
  const names = Object.fromEntries(NODE_ORDER.map((node) => [node, nodeName({ result }, node)]));
  const { outcome, scenario } = result;
  const verdict =
    outcome.result === 'success' ? 'SUCCESS' : `FAILURE (failed at ${outcome.failedAt})`;
  return ladderDiagram(result.trace, {
    names,
    title: `FTP Lab: ${MODE_NAMES[scenario.mode]}, ${scenario.commands.join(', ')}`,
    outcome: `${verdict}: ${outcome.explanation}`,
    ...options,
  });
}
