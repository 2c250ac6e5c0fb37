import { defaultFileStore } from '../machines/file-store';
import type { SimulationResult } from '../scenario/simulate';
import type { Scenario } from '../scenario/types';
import { quoted } from './block-data';

/**
 * What a lesson may claim about a run, each read off the simulation itself. A lesson never states
 * an outcome on its own authority: it names a fact and the value it expects ("outcome: failure",
 * "dataOpener: server"), and the test suite and the lesson player check the claim against the
 * trace. A fact is a string, a number or a boolean.
 */
export type FactValue = string | number | boolean;

interface FactDefinition {
  description: string;
  /** The values a string fact can take, so a typo in a lesson is caught before any run. */
  values?: readonly string[];
  kind: 'string' | 'number' | 'boolean';
  read(result: SimulationResult): FactValue;
}

const NODES = ['client', 'client-router', 'internet', 'server-router', 'server', 'none'] as const;

/** The data connection a question is usually about: the first one that failed, else the first. */
function keyConnection(result: SimulationResult) {
  const connections = result.outcome.dataConnections;
  return connections.find((c) => c.result !== 'established') ?? connections[0];
}

function controlLine(result: SimulationResult, from: 'client' | 'server', pattern: RegExp) {
  for (const event of result.trace) {
    if (event.type === 'control' && event.from === from && pattern.test(event.text))
      return event.text;
  }
  return undefined;
}

function port(endpoint: string | undefined): number {
  if (!endpoint) return 0;
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1)) || 0;
}

function retrieved(result: SimulationResult) {
  const files = defaultFileStore();
  return result.client.transfers
    .filter((t) => t.verb === 'RETR' && t.ok && t.received && t.path)
    .map((t) => {
      const original = files[`/${t.path!.replace(/^\//, '')}`]?.bytes;
      const same =
        !!original &&
        original.length === t.received!.length &&
        original.every((byte, i) => byte === t.received![i]);
      return { original, received: t.received!, same, bytesOnWire: t.bytesOnWire };
    });
}

/** The control connection's opening segments as the client sent and received them. */
function handshake(result: SimulationResult) {
  const segments = [];
  for (const event of result.trace) {
    if (event.type !== 'send' || !event.packet.tcp) continue;
    const tcp = event.packet.tcp;
    const control = tcp.dstPort === 21 || tcp.srcPort === 21;
    if (!control || (event.node !== 'client' && event.node !== 'server')) continue;
    segments.push(tcp);
    if (segments.length === 3) break;
  }
  return segments;
}

function flagNames(flags: { syn: boolean; ack: boolean; fin: boolean; rst: boolean }): string {
  const names = (['syn', 'ack', 'fin', 'rst'] as const).filter((f) => flags[f]);
  return names.map((f) => f.toUpperCase()).join('+') || 'none';
}

function tcpConnections(result: SimulationResult): number {
  return result.actors.filter(
    (a) =>
      a.machine === 'tcp' && a.remote !== undefined && !a.label.startsWith('connection accepted'),
  ).length;
}

export const FACTS: Record<string, FactDefinition> = {
  outcome: {
    description: 'whether every command succeeded',
    kind: 'string',
    values: ['success', 'failure'],
    read: (r) => r.outcome.result,
  },
  failedAt: {
    description: 'the client step that failed ("login", "LIST", "RETR notes.txt"), or "none"',
    kind: 'string',
    read: (r) => r.outcome.failedAt ?? 'none',
  },
  handshakeFlags: {
    description:
      'the flags of the control connection\'s first three segments, e.g. "SYN, SYN+ACK, ACK"',
    kind: 'string',
    read: (r) =>
      handshake(r)
        .map((tcp) => flagNames(tcp.flags))
        .join(', '),
  },
  synAckAcknowledges: {
    description: "the SYN-ACK's acknowledgement number minus the client's initial sequence number",
    kind: 'number',
    read: (r) => {
      const [syn, synAck] = handshake(r);
      return syn && synAck ? (synAck.ack - syn.seq + 2 ** 32) % 2 ** 32 : 0;
    },
  },
  handshakePayloadBytes: {
    description: 'payload bytes carried by the three handshake segments together',
    kind: 'number',
    read: (r) => handshake(r).reduce((sum, tcp) => sum + tcp.payload.length, 0),
  },
  synMss: {
    description: "the maximum segment size the client's SYN announces",
    kind: 'number',
    read: (r) => handshake(r)[0]?.mss ?? 0,
  },
  dataConnections: {
    description: 'how many data connections were attempted',
    kind: 'number',
    read: (r) => r.outcome.dataConnections.length,
  },
  tcpConnections: {
    description: 'how many TCP connections the session opened or tried to open (control and data)',
    kind: 'number',
    read: tcpConnections,
  },
  dataOpener: {
    description: 'who opened (or tried to open) the data connection: "client" or "server"',
    kind: 'string',
    values: ['client', 'server', 'none'],
    read: (r) => keyConnection(r)?.opener ?? 'none',
  },
  dataResult: {
    description: 'what happened to the data connection',
    kind: 'string',
    values: ['established', 'dropped', 'rejected', 'refused', 'timed out', 'unreachable', 'none'],
    read: (r) => keyConnection(r)?.result ?? 'none',
  },
  clientError: {
    description:
      "what the client's own connect reported when it failed: refused (a TCP RST, or ICMP port unreachable), no-route (ICMP admin-prohibited), unreachable, timeout; none if no connect of its own failed",
    kind: 'string',
    values: ['refused', 'no-route', 'unreachable', 'timeout', 'none'],
    read: (r) => r.outcome.clientError ?? 'none',
  },
  dataSourcePort: {
    description: 'the port the data connection came from (20 in active mode)',
    kind: 'number',
    read: (r) => port(keyConnection(r)?.from),
  },
  dataTargetPort: {
    description: 'the port the data connection went to',
    kind: 'number',
    read: (r) => port(keyConnection(r)?.to),
  },
  dataTargetAddress: {
    description: 'the address the data connection was sent to',
    kind: 'string',
    read: (r) => {
      const to = keyConnection(r)?.to;
      return to ? to.slice(0, to.lastIndexOf(':')) : 'none';
    },
  },
  decidedAt: {
    description: 'the node that stopped (or, with a firewall, let in) the data connection',
    kind: 'string',
    values: NODES,
    read: (r) => keyConnection(r)?.decidedBy?.node ?? 'none',
  },
  admittedAs: {
    description: 'the conntrack state the data connection had at the firewall that decided it',
    kind: 'string',
    values: ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'none'],
    read: (r) => keyConnection(r)?.decidedBy?.verdict?.state ?? 'none',
  },
  synCount: {
    description: 'how many SYNs the data connection opener sent (1 + retransmissions)',
    kind: 'number',
    read: (r) => keyConnection(r)?.synCount ?? 0,
  },
  elapsedMs: {
    description: 'virtual milliseconds from the first SYN until the client finished',
    kind: 'number',
    read: (r) => r.outcome.elapsedMs,
  },
  firstCommand: {
    description: 'the verb of the first command the client sent ("USER"; lftp\'s is "FEAT")',
    kind: 'string',
    read: (r) => r.outcome.commandsSent[0]?.split(' ')[0] ?? 'none',
  },
  portCommand: {
    description: 'the PORT or EPRT line the client sent, or "none"',
    kind: 'string',
    read: (r) => controlLine(r, 'client', /^(PORT|EPRT)\b/) ?? 'none',
  },
  passiveReply: {
    description:
      'the 227 or 229 reply as the server sent it (before any helper rewrote it), or "none"',
    kind: 'string',
    read: (r) => controlLine(r, 'server', /^22[79]\b/) ?? 'none',
  },
  replyCodes: {
    description: 'every reply code the client received, comma-separated',
    kind: 'string',
    read: (r) => r.outcome.replyCodes.join(','),
  },
  lastReply: {
    description: 'the last reply code the client received',
    kind: 'number',
    read: (r) => r.outcome.replyCodes.at(-1) ?? 0,
  },
  helperRewrote: {
    description: 'whether a router rewrote an address inside a control line (the ALG)',
    kind: 'boolean',
    read: (r) => r.trace.some((e) => e.type === 'nat' && e.kind === 'alg'),
  },
  fileIntact: {
    description: 'whether every downloaded file is byte-identical to the server copy',
    kind: 'boolean',
    read: (r) => retrieved(r).every((f) => f.same),
  },
  bytesChanged: {
    description: 'server size minus received size, summed over downloaded files',
    kind: 'number',
    read: (r) =>
      retrieved(r).reduce((sum, f) => sum + (f.original?.length ?? 0) - f.received.length, 0),
  },
};

/** Facts that describe the scenario rather than the run: for tasks ("keep active mode"). */
export const SCENARIO_FACTS: Record<
  string,
  FactDefinition & { readScenario(s: Scenario): FactValue }
> = {
  mode: {
    description: 'the data connection mode',
    kind: 'string',
    values: ['active', 'passive', 'eprt', 'epsv'],
    read: (r) => r.scenario.mode,
    readScenario: (s) => s.mode,
  },
  type: {
    description: 'the transfer type',
    kind: 'string',
    values: ['ascii', 'binary'],
    read: (r) => r.scenario.type,
    readScenario: (s) => s.type,
  },
  clientFirewall: {
    description: 'whether the client side has a firewall ("on"/"off")',
    kind: 'string',
    values: ['on', 'off'],
    read: (r) => (r.scenario.clientSide.firewall ? 'on' : 'off'),
    readScenario: (s) => (s.clientSide.firewall ? 'on' : 'off'),
  },
  serverFirewall: {
    description: 'whether the server side has a firewall ("on"/"off")',
    kind: 'string',
    values: ['on', 'off'],
    read: (r) => (r.scenario.serverSide.firewall ? 'on' : 'off'),
    readScenario: (s) => (s.serverSide.firewall ? 'on' : 'off'),
  },
  clientNat: {
    description: 'whether the client is behind NAT',
    kind: 'boolean',
    read: (r) => r.scenario.clientSide.nat,
    readScenario: (s) => s.clientSide.nat,
  },
  serverNat: {
    description: 'whether the server is behind NAT',
    kind: 'boolean',
    read: (r) => r.scenario.serverSide.nat,
    readScenario: (s) => s.serverSide.nat,
  },
};

export const ALL_FACTS: Record<string, FactDefinition> = { ...FACTS, ...SCENARIO_FACTS };

export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** "outcome: failure", "elapsedMs: > 30000", "mode: != passive". */
export interface Expectation {
  fact: string;
  op: Comparison;
  value: FactValue;
  line: number;
}

export function readFact(result: SimulationResult, fact: string): FactValue {
  const definition = ALL_FACTS[fact];
  if (!definition) throw new Error(`unknown fact "${fact}"`);
  return definition.read(result);
}

export function compare(actual: FactValue, op: Comparison, expected: FactValue): boolean {
  switch (op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
  }
}

export function formatExpectation(e: Pick<Expectation, 'fact' | 'op' | 'value'>): string {
  return `${e.fact} ${e.op === '=' ? 'is' : e.op} ${String(e.value)}`;
}

/** The expectations a result does not meet, each with what it was instead. */
export function unmet(
  result: SimulationResult,
  expectations: readonly Expectation[],
): { expectation: Expectation; actual: FactValue }[] {
  return expectations.flatMap((expectation) => {
    const actual = readFact(result, expectation.fact);
    return compare(actual, expectation.op, expectation.value) ? [] : [{ expectation, actual }];
  });
}

/**
 * Reads "value", "> 3", "!= passive" into an expectation, checking the fact's name and type.
 * Returns a message naming what was expected when the text does not fit.
 */
export function parseExpectation(fact: string, raw: FactValue, line: number): Expectation | string {
  const definition = ALL_FACTS[fact];
  if (!definition)
    return `unknown fact ${quoted(fact)}; facts a lesson can check: ${Object.keys(ALL_FACTS).join(', ')}`;
  let op: Comparison = '=';
  let value: FactValue = raw;
  if (typeof raw === 'string') {
    const match = /^(!=|<=|>=|<|>|=)\s*(.*)$/.exec(raw);
    if (match) {
      op = match[1] as Comparison;
      const text = match[2]!.trim();
      value = /^-?\d+(\.\d+)?$/.test(text)
        ? Number(text)
        : text === 'true'
          ? true
          : text === 'false'
            ? false
            : text;
    }
  }
  const check = checkValue(fact, value);
  if (check) return check;
  if (op !== '=' && op !== '!=' && definition.kind !== 'number')
    return `"${fact}" is not a number, so it can only be compared with = or !=`;
  return { fact, op, value, line };
}

/** Whether a value can be one the fact takes; a message saying what was expected if not. */
export function checkValue(fact: string, value: FactValue): string | null {
  const definition = ALL_FACTS[fact]!;
  if (definition.kind === 'number' && typeof value !== 'number')
    return `"${fact}" is a number, not ${quoted(String(value))}`;
  if (definition.kind === 'boolean' && typeof value !== 'boolean')
    return `"${fact}" is true or false, not ${quoted(String(value))}`;
  if (definition.kind === 'string' && typeof value !== 'string')
    return `"${fact}" is text, not ${quoted(String(value))}`;
  if (definition.values && typeof value === 'string' && !definition.values.includes(value))
    return `"${fact}" is one of ${definition.values.map((v) => `"${v}"`).join(', ')}, not ${quoted(value)}`;
  return null;
}
