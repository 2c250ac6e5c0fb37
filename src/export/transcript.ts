import { formatEndpoint, formatPacketEnd } from '../protocol/endpoint';
import { explainPortArithmetic } from '../protocol/ftp-address';
import { decodeControlText } from '../protocol/control-text';
import { describeIcmpCode, flagsLabel, type Packet, type TcpSegment } from '../protocol/tcp';
import { FTP_EXPECT_POLICY, ruleLabel, type NodeId, type Verdict } from '../scenario/trace';
import type { Addressing } from '../scenario/addresses';
import type { SimulationResult } from '../scenario/simulate';
import type { Scenario, SideConfig } from '../scenario/types';
import { formatTime } from '../scenario/vocabulary';

/**
 * A plain-text ladder of one simulated session: every packet where its sender put it on the
 * wire, what the routers did to it, and the outcome. The default keeps what a learner reads
 * (handshakes, FTP lines, data bursts, drops, NAT, helper expectations); `verbose` prints every
 * trace event, hops and state transitions included.
 */

export interface TranscriptOptions {
  verbose?: boolean;
}

const WRAP_COLUMNS = 100;

type Labels = Record<NodeId, string>;

/** One output line; `burst` marks a data segment that may merge with the next one of its flow. */
interface Line {
  t: number;
  text: string;
  burst?: { key: string; head: string; bytes: number; segments: number };
}

const MODE_NAMES: Record<Scenario['mode'], string> = {
  active: 'active mode (PORT)',
  passive: 'passive mode (PASV)',
  eprt: 'extended active mode (EPRT)',
  epsv: 'extended passive mode (EPSV)',
};

function nodeLabels(scenario: Scenario): Labels {
  return {
    client: 'client',
    'client-router': scenario.clientSide.firewall ? 'client firewall' : 'client router',
    internet: 'internet',
    'server-router': scenario.serverSide.firewall ? 'server firewall' : 'server router',
    server: 'server',
  };
}

/**
 * Characters a terminal would act on instead of print: C0 and C1 controls (ESC and CSI start
 * escape sequences that recolour, retitle or clear the learner's terminal), and the invisible
 * format characters that reorder or hide text (bidirectional overrides, zero-width spaces).
 */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const SHORT_ESCAPES: Record<string, string> = {
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

/** Writes each unprintable character as its JSON escape (`\u001b`, `\r`); the rest unchanged. */
export function escapeUnprintable(text: string): string {
  return text.replace(
    UNPRINTABLE,
    (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A line as the transcript quotes it: JSON string syntax, nothing a terminal would act on. */
function quoted(text: string): string {
  return escapeUnprintable(JSON.stringify(text));
}

function endpoints(packet: Packet): string {
  return `${formatPacketEnd(packet, 'src')} → ${formatPacketEnd(packet, 'dst')}`;
}

function flagsTag(packet: Packet): string {
  if (packet.icmp) return '[ICMP]';
  return packet.tcp ? `[${flagsLabel(packet.tcp.flags)}]` : '[IP]';
}

function numbers(tcp: TcpSegment): string {
  return `seq=${tcp.seq}${tcp.flags.ack ? ` ack=${tcp.ack}` : ''}`;
}

/** The receiving end of a packet, for the `from → to` column. */
function destinationNode(from: NodeId, packet: Packet, addressing: Addressing): NodeId {
  if (from === 'client') return 'server';
  if (from === 'server') return 'client';
  const clientSide = [addressing.client, addressing.clientRouter.lan, addressing.clientRouter.wan];
  return clientSide.includes(packet.dst) ? 'client' : 'server';
}

/** FTP lines in a control segment, quoted; PORT and 227 also show how their port is made. */
function controlText(payload: Uint8Array): string {
  const lines = decodeControlText(payload).split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines
    .map((line) => {
      const hostPort = /^(PORT |227 )\D*\d+,\d+,\d+,\d+,(\d+),(\d+)/.exec(line);
      if (!hostPort) return quoted(line);
      return `${quoted(line)} (port ${explainPortArithmetic(Number(hostPort[2]), Number(hostPort[3]))})`;
    })
    .join(' ');
}

function describePacket(packet: Packet, verbose: boolean): string {
  if (packet.icmp) {
    const o = packet.icmp.original;
    return `[ICMP] destination unreachable (${describeIcmpCode(packet.icmp.code)}) for ${o.src}:${o.srcPort} → ${o.dst}:${o.dstPort}`;
  }
  const tcp = packet.tcp;
  if (!tcp) return `[IP] ${endpoints(packet)}`;
  const tag = flagsTag(packet);
  const detail = verbose ? ` ${endpoints(packet)} ${numbers(tcp)} len=${tcp.payload.length}` : '';
  if (tcp.payload.length > 0) {
    return packet.channel === 'control'
      ? `${tag} ${controlText(tcp.payload)}${detail}`
      : `${tag} data ${byteCount(tcp.payload.length)}${detail}`;
  }
  if (verbose) return `${tag}${detail}${tcp.mss ? ` mss=${tcp.mss}` : ''}`;
  if (tcp.flags.syn) return `${tag} ${endpoints(packet)} ${numbers(tcp)}`;
  return `${tag} ${endpoints(packet)}`;
}

function byteCount(n: number): string {
  return `${n} byte${n === 1 ? '' : 's'}`;
}

function verdictText(verdict: Verdict): string {
  const who =
    verdict.by === 'rule'
      ? ruleLabel(verdict)
      : verdict.by === 'policy'
        ? `the default policy (${verdict.action})`
        : 'no firewall';
  return `${who}${verdict.state ? ` (conntrack state ${verdict.state})` : ''}`;
}

function isPureAck(tcp: TcpSegment): boolean {
  const f = tcp.flags;
  return f.ack && !f.syn && !f.fin && !f.rst && tcp.payload.length === 0;
}

function sideText(side: SideConfig, router: string): string {
  if (!side.firewall && !side.nat && !side.ftpHelper) return `${router} (no firewall)`;
  const parts = [
    side.firewall
      ? `${side.firewall.stateful ? 'stateful' : 'stateless'}, ${side.firewall.rules.length} rules, policy ${side.firewall.policy}`
      : 'no firewall',
  ];
  if (side.nat) parts.push('NAT');
  if (side.ftpHelper) parts.push('FTP helper');
  return `${router} (${parts.join(', ')})`;
}

function header(result: SimulationResult, labels: Labels): string[] {
  const { scenario, addressing } = result;
  const client =
    addressing.client === addressing.clientRouter.wan || !scenario.clientSide.nat
      ? addressing.client
      : `${addressing.client} (public ${addressing.clientRouter.wan})`;
  const server =
    addressing.server === addressing.serverPublic
      ? addressing.server
      : `${addressing.server} (public ${addressing.serverPublic})`;
  return [
    `Scenario: ${MODE_NAMES[scenario.mode]}, type ${scenario.type === 'ascii' ? 'ASCII' : 'binary'}, commands: ${scenario.commands.join('; ')}`,
    `Network:  client ${client} | ${sideText(scenario.clientSide, labels['client-router'])} | internet | ${sideText(scenario.serverSide, labels['server-router'])} | server ${server}`,
  ];
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
export function wrapText(text: string, width = WRAP_COLUMNS): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/**
 * Which pure ACKs close a handshake or acknowledge a FIN: when a SYN-ACK or FIN is delivered,
 * remember the acknowledgement number its receiver will send back. Keyed by the receiver's view
 * of the connection, so NAT and the FTP helper's sequence shifts do not matter.
 */
class ClosingAcks {
  private readonly expected = new Map<string, number>();

  delivered(node: NodeId, packet: Packet): void {
    const tcp = packet.tcp;
    if (!tcp || (!(tcp.flags.syn && tcp.flags.ack) && !tcp.flags.fin)) return;
    const key = `${node}|${packet.dst}:${tcp.dstPort}|${packet.src}:${tcp.srcPort}`;
    this.expected.set(key, (tcp.seq + tcp.payload.length + 1) >>> 0);
  }

  /** True (once) for the ACK that answers a remembered SYN-ACK or FIN. */
  answers(node: NodeId, packet: Packet): boolean {
    const tcp = packet.tcp!;
    const key = `${node}|${packet.src}:${tcp.srcPort}|${packet.dst}:${tcp.dstPort}`;
    if (this.expected.get(key) !== tcp.ack) return false;
    this.expected.delete(key);
    return true;
  }
}

/** A data segment joins the line above when that line is the same flow's burst. */
function addDataSegment(lines: Line[], t: number, head: string, node: NodeId, packet: Packet) {
  const bytes = packet.tcp!.payload.length;
  const key = `${node}|${endpoints(packet)}`;
  const last = lines[lines.length - 1];
  if (last?.burst?.key === key) {
    last.burst.bytes += bytes;
    last.burst.segments += 1;
    last.text = `${last.burst.head} ${byteCount(last.burst.bytes)} in ${last.burst.segments} segments`;
    return;
  }
  lines.push({ t, text: `${head} ${byteCount(bytes)}`, burst: { key, head, bytes, segments: 1 } });
}

export function formatTranscript(
  result: SimulationResult,
  options: TranscriptOptions = {},
): string {
  const verbose = options.verbose ?? false;
  const labels = nodeLabels(result.scenario);
  const the = (node: NodeId) => `the ${labels[node]}`;
  const arrowOf = (from: NodeId, packet: Packet) =>
    `${labels[from]} → ${labels[destinationNode(from, packet, result.addressing)]}`;
  let arrowWidth = 0;
  for (const e of result.trace) {
    if (e.type === 'send') arrowWidth = Math.max(arrowWidth, arrowOf(e.node, e.packet).length);
  }

  const lines: Line[] = [];
  const closingAcks = new ClosingAcks();
  const sentBefore = new Map<string, number>();
  const natShown = new Set<string>();
  const hidden = new Set<number>();
  const event = (t: number, text: string) => lines.push({ t, text: `  ${text}` });

  for (const e of result.trace) {
    switch (e.type) {
      case 'send': {
        const { packet } = e;
        const tcp = packet.tcp;
        const arrow = arrowOf(e.node, packet).padEnd(arrowWidth);
        if (tcp && isPureAck(tcp) && !closingAcks.answers(e.node, packet) && !verbose) {
          hidden.add(packet.id);
          break;
        }
        let text = describePacket(packet, verbose);
        if (tcp && (tcp.flags.syn || tcp.flags.fin || tcp.payload.length > 0)) {
          const key = `${e.node}|${endpoints(packet)}|${tcp.seq}|${flagsLabel(tcp.flags)}|${tcp.payload.length}`;
          const count = sentBefore.get(key) ?? 0;
          sentBefore.set(key, count + 1);
          if (count > 0) text += ` (retransmission ${count})`;
          else if (!verbose && packet.channel === 'data' && tcp.payload.length > 0) {
            addDataSegment(lines, e.t, `${arrow}  [${flagsLabel(tcp.flags)}] data`, e.node, packet);
            break;
          }
        }
        lines.push({ t: e.t, text: `${arrow}  ${text}` });
        break;
      }
      case 'deliver':
        closingAcks.delivered(e.node, e.packet);
        if (verbose)
          event(
            e.t,
            `${flagsTag(e.packet)} delivered to ${the(e.node)}${e.actor ? ` (${e.actor})` : ' (no socket)'}`,
          );
        break;
      case 'drop':
        event(
          e.t,
          `✗ ${flagsTag(e.packet)} dropped at ${the(e.node)}: ${e.verdict ? verdictText(e.verdict) : e.reason}`,
        );
        break;
      case 'reject': {
        const answer = e.response.icmp
          ? `ICMP ${describeIcmpCode(e.response.icmp.code)}`
          : 'TCP RST';
        event(
          e.t,
          `✗ ${flagsTag(e.packet)} rejected at ${the(e.node)}: ${verdictText(e.verdict)}; answered with ${answer}`,
        );
        break;
      }
      case 'forward': {
        const tcp = e.packet.tcp;
        const newConnection = tcp?.flags.syn && !tcp.flags.ack;
        if (e.verdict.by === 'no-firewall') {
          if (verbose)
            event(e.t, `${flagsTag(e.packet)} forwarded by ${the(e.node)} (no firewall)`);
        } else if (verbose || newConnection) {
          event(
            e.t,
            `✓ ${flagsTag(e.packet)} let through by ${the(e.node)}: ${verdictText(e.verdict)}`,
          );
        }
        break;
      }
      case 'nat': {
        const key = `${e.node}|${e.kind}|${e.detail}`;
        if (verbose || e.kind === 'alg' || (!natShown.has(key) && !hidden.has(e.before.id)))
          event(e.t, `NAT at ${the(e.node)}: ${e.detail}`);
        natShown.add(key);
        break;
      }
      case 'expect': {
        const x = e.expectation;
        const natTo = x.natTo ? `, translated to ${formatEndpoint(x.natTo)}` : '';
        if (e.op === 'add')
          event(
            e.t,
            `FTP helper expects ${x.src} → ${x.dst}:${x.dstPort}${natTo} (read from "${x.cause}")`,
          );
        else if (e.op === 'expire')
          event(
            e.t,
            `FTP helper forgets ${x.src} → ${x.dst}:${x.dstPort}: no connection came within ${formatTime(FTP_EXPECT_POLICY.timeoutMs, 'duration')}`,
          );
        else if (verbose)
          event(e.t, `FTP helper: the expected connection to ${x.dst}:${x.dstPort} arrived`);
        break;
      }
      case 'note':
        event(e.t, `note (${labels[e.node]}): ${e.text}`);
        break;
      case 'hop':
        if (verbose)
          event(
            e.t,
            `${flagsTag(e.packet)} on the wire ${labels[e.from]} → ${labels[e.to]}, arrives ${formatTime(e.arriveAt, 'seconds')}`,
          );
        break;
      case 'actor':
        if (verbose) {
          const { info } = e;
          const where = [info.local, info.remote].filter(Boolean).join(' ↔ ');
          event(e.t, `new actor ${info.actor}: ${info.label}${where ? `, ${where}` : ''}`);
        }
        break;
      case 'transition':
        if (verbose)
          event(
            e.t,
            e.from === null
              ? `${e.actor} starts in ${e.to}`
              : `${e.actor}: ${e.from} → ${e.to} (${e.event})`,
          );
        break;
      case 'control':
        if (verbose) event(e.t, `FTP ${e.from}: ${quoted(e.text)}`);
        break;
      case 'conntrack':
        if (verbose) {
          const c = e.entry;
          const marks = [
            c.assured && 'assured',
            c.related && 'related',
            c.helper && `helper ${c.helper}`,
            c.nat && `nat ${c.nat}`,
          ].filter(Boolean);
          event(
            e.t,
            `conntrack at ${the(e.node)}: ${e.op} #${c.id} ${c.orig.proto} ${c.orig.src}:${c.orig.srcPort} → ${c.orig.dst}:${c.orig.dstPort} ${c.tcpState}${marks.length ? ` [${marks.join(', ')}]` : ''}`,
          );
        }
        break;
    }
  }

  const timeWidth = lines.length ? formatTime(lines[lines.length - 1]!.t, 'seconds').length : 0;
  const { outcome } = result;
  const verdict =
    outcome.result === 'success' ? 'SUCCESS' : `FAILURE (failed at ${outcome.failedAt})`;
  // Commands come from the scenario as typed, and the header, notes and outcome repeat them
  // unquoted: every line is escaped as the quoted wire lines are.
  return [
    ...header(result, labels),
    '',
    ...lines.map((line) => `${formatTime(line.t, 'seconds').padStart(timeWidth)}  ${line.text}`),
    '',
    `Outcome: ${verdict} after ${formatTime(outcome.elapsedMs, 'seconds')} s`,
    ...wrapText(escapeUnprintable(outcome.explanation)),
    '',
  ]
    .map(escapeUnprintable)
    .join('\n');
}
