import { formatEndpoint, type Endpoint } from '../protocol/endpoint';
import type { Channel, IcmpCode, Packet, TcpFlags } from '../protocol/tcp';
import type { Addressing } from '../scenario/addresses';
import { defaultScenario, networkPreset } from '../scenario/presets';
import type { SimulationResult } from '../scenario/simulate';
import { NODE_ORDER, type ActorInfo, type NodeId, type TraceEvent } from '../scenario/trace';
import type { Scenario } from '../scenario/types';
import type { Connection } from './connections';
import type { CaptureAnalysis } from './index';
import type { Diagnosis, SuggestedScenario } from './diagnose';
import { TCP_FLAG, type CapturedPacket } from './packet';
import type { DataConnection, DialogueLine, FtpSession } from './session';

/**
 * A captured FTP session as the trace the stage already draws (DESIGN.md: a real capture becomes
 * the same kind of trace), so a learner's own session plays in the same network view, ladder,
 * inspector and player as a simulated one.
 *
 * What a capture cannot say is not made up: there are no state machines, no firewall verdicts and
 * no conntrack tables, only packets. Each packet is drawn from its sender to its receiver across
 * the five nodes; a SYN that nothing answered stops just past the place the capture was taken,
 * since the capture shows only that it was lost somewhere after that point.
 *
 * Timing: a capture's packets are often a tenth of a millisecond apart (a LAN, loopback), far
 * too close to watch. Each packet gets one slot of at least `FLIGHT_MS` on the clock, so a burst
 * is drawn one packet after another and the clock runs a little ahead of the capture; after a
 * quiet stretch longer than the lead it matches the capture again. `aheadMs` says by how much at
 * most, and `capturedMs` keeps each packet's own time.
 */

/** Drawing time of each link, client to server (LAN, access, access, LAN), in ms. */
const LINK_MS = [0.5, 2, 2, 0.5] as const;
/** A whole client-to-server flight: the least time between two packets on the clock. */
export const FLIGHT_MS = LINK_MS.reduce((a, b) => a + b, 0);

/** Everything the Real session page needs about one session, as plain data a Worker can post. */
export interface CaptureStage {
  result: SimulationResult;
  /** Each packet's time in the capture (ms since its first packet), by packet id (frame number). */
  capturedMs: Record<number, number>;
  /** How far the clock runs ahead of the capture at most (ms), to fit the bursts. */
  aheadMs: number;
  capturedAt: Diagnosis['capturedAt'];
  summary: SessionSummary;
  diagnosis: Diagnosis;
}

/** A session without its connections' raw segments (views into the file, too big to post). */
export interface SessionSummary {
  client: Endpoint;
  server: Endpoint;
  commands: string[];
  replyCodes: number[];
  dialogue: Omit<DialogueLine, 'frame'>[];
  dataConnections: Omit<DataConnection, 'connection'>[];
}

function flagsOf(bits: number): TcpFlags {
  return {
    syn: (bits & TCP_FLAG.syn) !== 0,
    ack: (bits & TCP_FLAG.ack) !== 0,
    fin: (bits & TCP_FLAG.fin) !== 0,
    rst: (bits & TCP_FLAG.rst) !== 0,
    psh: (bits & TCP_FLAG.psh) !== 0,
  };
}

/** The packet as the views know packets; the payload copied out of the file so it can be posted. */
function toPacket(p: CapturedPacket, channel: Channel): Packet {
  const packet: Packet = { id: p.frame, src: p.src, dst: p.dst, ttl: p.ttl, ipId: p.ipId, channel };
  if (p.tcp)
    packet.tcp = {
      srcPort: p.tcp.srcPort,
      dstPort: p.tcp.dstPort,
      seq: p.tcp.seq,
      ack: p.tcp.ack,
      flags: flagsOf(p.tcp.flags),
      window: p.tcp.window,
      payload: p.tcp.payload.slice(),
    };
  else if (p.icmp?.quoted)
    packet.icmp = {
      type: 3,
      // The code as captured: describeIcmpCode words the three REJECT sends and numbers the rest.
      code: p.icmp.code as IcmpCode,
      original: { ...p.icmp.quoted, seq: p.icmp.quoted.seq ?? 0 },
    };
  return packet;
}

function summarise(session: FtpSession): SessionSummary {
  return {
    client: session.client,
    server: session.server,
    commands: session.commands,
    replyCodes: session.replyCodes,
    dialogue: session.dialogue.map(({ frame: _, ...line }) => line),
    dataConnections: session.dataConnections.map(({ connection: _, ...d }) => d),
  };
}

/** Where the capture point sits among the five nodes. */
function captureNode(at: Diagnosis['capturedAt']): NodeId {
  return at === 'client' ? 'client' : at === 'server' ? 'server' : 'internet';
}

/** The nodes from one to another, both included, in path order. */
function path(from: NodeId, to: NodeId): NodeId[] {
  const a = NODE_ORDER.indexOf(from);
  const b = NODE_ORDER.indexOf(to);
  const step = a <= b ? 1 : -1;
  const nodes: NodeId[] = [];
  for (let i = a; i !== b + step; i += step) nodes.push(NODE_ORDER[i]!);
  return nodes;
}

function linkMs(a: NodeId, b: NodeId): number {
  return LINK_MS[Math.min(NODE_ORDER.indexOf(a), NODE_ORDER.indexOf(b))]!;
}

/** "192.0.2.10:37323": the key a connection's SYNs are found by. */
const ends = (p: CapturedPacket) =>
  p.tcp ? `${p.src}:${p.tcp.srcPort}>${p.dst}:${p.tcp.dstPort}` : '';

type Transition = Extract<TraceEvent, { type: 'transition' }>;

/**
 * The TCP sockets the capture shows, for the network view's open ports: a listening socket from
 * the moment the dialogue says it listens (port 21 from the start, a data port from the PORT, 227
 * or 229 that named it), the opener's socket from its first SYN, both ESTABLISHED at the SYN-ACK
 * and CLOSED at the last FIN or a RST. Nothing else is inferred (no FIN_WAIT, no TIME_WAIT).
 */
function socketEvents(
  session: FtpSession,
  drawAt: (tMs: number) => number,
): { event: TraceEvent; early: boolean }[] {
  const events: { event: TraceEvent; early: boolean }[] = [];
  let n = 0;
  const socket = (
    node: 'client' | 'server',
    label: string,
    channel: Channel,
    local: string,
    remote: string | undefined,
    states: [tMs: number | null, state: string][],
  ) => {
    const shown = states.filter((s): s is [number, string] => s[0] !== null);
    if (shown.length === 0) return;
    const actor = `${node}/tcp-${++n}`;
    const info: ActorInfo = { actor, node, machine: 'tcp', label, channel, local, remote };
    events.push({ event: { t: drawAt(shown[0]![0]), type: 'actor', info }, early: true });
    let from: string | null = null;
    for (const [tMs, to] of shown) {
      const t: Transition = {
        t: drawAt(tMs),
        type: 'transition',
        actor,
        node,
        machine: 'tcp',
        from,
        to,
        event: 'SEEN_IN_CAPTURE',
      };
      // A socket exists, in its first state, before the packet of that moment is sent.
      events.push({ event: t, early: from === null });
      from = to;
    }
  };
  const ends = (c: Connection): number | null => {
    const rst = c.fromOpener.rst ?? c.fromAcceptor.rst;
    const fins = [c.fromOpener.fin, c.fromAcceptor.fin];
    if (fins.every((f) => f !== null)) return Math.max(...(fins as number[]));
    return rst ?? c.refusedMs ?? c.icmp[0]?.tMs ?? null;
  };

  const control = session.control;
  const first = control.synTimes[0] ?? control.firstMs;
  socket(
    'server',
    'FTP server listening socket',
    'control',
    formatEndpoint(session.server),
    undefined,
    [[control.firstMs, 'LISTEN']],
  );
  // A data connection the capture never sees closing is given up, at the latest, when the session
  // ends (its programs have quit by then).
  const closed = (c: Connection | null) => (c ? ends(c) : null) ?? ends(control);
  const handshake = (c: Connection): [number | null, string][] => [
    [c.synAckMs, 'ESTABLISHED'],
    [closed(c), 'CLOSED'],
  ];
  socket(
    'client',
    'FTP client control connection',
    'control',
    formatEndpoint(session.client),
    formatEndpoint(session.server),
    [[first, 'SYN_SENT'], ...handshake(control)],
  );
  socket(
    'server',
    'connection accepted by the FTP server',
    'control',
    formatEndpoint(session.server),
    formatEndpoint(session.client),
    [[control.synTimes.length > 0 ? first : null, 'SYN_RECEIVED'], ...handshake(control)],
  );
  for (const d of session.dataConnections) {
    const c = d.connection;
    const acceptor = d.opener === 'client' ? 'server' : 'client';
    socket(
      acceptor,
      `${acceptor} data listening socket`,
      'data',
      formatEndpoint(d.announced),
      undefined,
      [
        [d.tMs, 'LISTEN'],
        [closed(c), 'CLOSED'],
      ],
    );
    if (!c) continue;
    socket(
      d.opener,
      `${d.opener} data connection`,
      'data',
      formatEndpoint(c.opener),
      formatEndpoint(c.acceptor),
      [[c.synTimes[0] ?? null, 'SYN_SENT'], ...handshake(c)],
    );
  }
  return events;
}

export interface StageOptions {
  /** Which session of the capture (default the first). */
  session?: number;
}

/** The sandbox scenario a diagnosis suggests: its network preset, mode and commands. */
export function suggestedScenario(s: SuggestedScenario): Scenario {
  const base: Scenario = { ...defaultScenario(), mode: s.mode, commands: s.commands };
  const preset = networkPreset(s.preset) ?? networkPreset('no-firewall')!;
  const scenario = preset.apply(base);
  return s.advertise
    ? { ...scenario, server: { ...scenario.server, advertise: s.advertise } }
    : scenario;
}

/** The stage for one session of an analysed capture; null when the capture holds no FTP session. */
export function captureStage(
  analysis: CaptureAnalysis,
  options: StageOptions = {},
): CaptureStage | null {
  const found = analysis.sessions[options.session ?? 0];
  if (!found) return null;
  const { session, diagnosis } = found;
  const client = session.client.address;
  const server = session.server.address;
  const controlPorts = new Set([session.client.port, session.server.port]);
  const here = captureNode(diagnosis.capturedAt);

  // Client and server on one machine (a loopback capture): the address cannot tell the two ends
  // apart, so the server's ports do (its control port and each data connection's server end).
  const serverEnds = new Set([`${server}:${session.server.port}`]);
  for (const d of session.dataConnections) {
    const end = d.connection
      ? d.opener === 'server'
        ? d.connection.opener
        : d.connection.acceptor
      : d.opener === 'client'
        ? d.announced
        : null;
    if (end) serverEnds.add(`${end.address}:${end.port}`);
  }
  const serverEnd = (address: string, port: number | undefined) =>
    serverEnds.has(`${address}:${port}`);

  const routerAddress: Partial<Record<NodeId, string>> = {};
  const nodeOf = (p: CapturedPacket): NodeId => {
    if (client === server && p.src === client)
      return serverEnd(p.src, p.tcp?.srcPort) ? 'server' : 'client';
    if (p.src === client) return 'client';
    if (p.src === server) return 'server';
    // Someone else answering for one of the two (an ICMP error): the router on the side it
    // stopped the packet, which is the side the quoted packet was going to.
    const node: NodeId = p.icmp?.quoted?.dst === client ? 'client-router' : 'server-router';
    if (p.icmp) routerAddress[node] ??= p.src;
    return p.icmp ? node : 'internet';
  };
  const destinationOf = (p: CapturedPacket): NodeId =>
    client === server && p.dst === client
      ? serverEnd(p.dst, p.tcp?.dstPort)
        ? 'server'
        : 'client'
      : p.dst === client
        ? 'client'
        : p.dst === server
          ? 'server'
          : 'internet';

  // Connections whose SYNs nothing answered (no SYN-ACK, RST or ICMP), and those refused by ICMP.
  const lost = new Set<string>();
  const refusedAt = new Map<string, { node: NodeId; reason: string }>();
  for (const d of session.dataConnections) {
    const c = d.connection;
    if (!c || c.synTimes.length === 0) continue;
    const key = `${c.opener.address}:${c.opener.port}>${c.acceptor.address}:${c.acceptor.port}`;
    if (d.result === 'dropped') lost.add(key);
    if ((d.result === 'unreachable' || d.result === 'no-route') && c.icmp.length > 0) {
      const icmp = c.icmp[0]!;
      const node: NodeId =
        icmp.from === client
          ? 'client'
          : icmp.from === server
            ? 'server'
            : c.acceptor.address === client
              ? 'client-router'
              : 'server-router';
      refusedAt.set(key, { node, reason: `${icmp.from} answered with ICMP ${icmp.kind}` });
    }
  }

  const packets = analysis.packets
    .filter(
      (p) =>
        p.src === client ||
        p.src === server ||
        p.dst === client ||
        p.dst === server ||
        (p.icmp?.quoted &&
          [p.icmp.quoted.src, p.icmp.quoted.dst].some((a) => a === client || a === server)),
    )
    .slice()
    .sort((a, b) => a.tMs - b.tMs);
  const first = packets[0]?.tMs ?? 0;
  const linesByFrame = new Map<number, DialogueLine[]>();
  for (const line of session.dialogue) {
    const list = linesByFrame.get(line.frame) ?? [];
    list.push(line);
    linesByFrame.set(line.frame, list);
  }

  const actors: ActorInfo[] = [
    {
      actor: 'client/ftp-1',
      node: 'client',
      machine: 'ftp-client',
      label: 'FTP client (captured)',
      channel: 'control',
      local: `${client}:${session.client.port}`,
      remote: `${server}:${session.server.port}`,
    },
    {
      actor: 'server/ftp-1',
      node: 'server',
      machine: 'ftp-server',
      label: 'FTP server (captured)',
      channel: 'control',
      local: `${server}:${session.server.port}`,
      remote: `${client}:${session.client.port}`,
    },
  ];
  const trace: TraceEvent[] = actors.map((info) => ({ t: 0, type: 'actor', info }));
  const capturedMs: Record<number, number> = {};
  /** Each packet's capture time (ms, as in the file) and its slot on the clock, in time order. */
  const slots: { tMs: number; t: number }[] = [];
  let slot = -Infinity;
  let aheadMs = 0;

  for (const p of packets) {
    const captured = p.tMs - first;
    const t = Math.max(captured, slot + FLIGHT_MS);
    slot = t;
    aheadMs = Math.max(aheadMs, t - captured);
    capturedMs[p.frame] = captured;
    slots.push({ tMs: p.tMs, t });
    const channel: Channel =
      p.tcp && (controlPorts.has(p.tcp.srcPort) || controlPorts.has(p.tcp.dstPort))
        ? 'control'
        : p.tcp
          ? 'data'
          : 'other';
    const packet = toPacket(p, channel);
    const from = nodeOf(p);
    const isSyn = p.tcp !== null && (p.tcp.flags & (TCP_FLAG.syn | TCP_FLAG.ack)) === TCP_FLAG.syn;
    const refused = isSyn ? refusedAt.get(ends(p)) : undefined;
    // A lost SYN ends one node past the capture point (or past its sender, captured there).
    const towards = destinationOf(p);
    const route = path(from, towards);
    const hereAt = route.indexOf(here);
    const stop: { node: NodeId; reason: string } | null =
      isSyn && lost.has(ends(p))
        ? {
            node: route[Math.min(route.length - 1, Math.max(hereAt, 0) + 1)]!,
            reason:
              'not answered, so lost somewhere past the capture point (the capture cannot say where)',
          }
        : (refused ?? null);
    const end = stop ? path(from, stop.node) : route;

    trace.push({ t, type: 'send', node: from, packet });
    for (const line of linesByFrame.get(p.frame) ?? [])
      trace.push({
        t,
        type: 'control',
        from: line.from,
        text: line.text,
        actor: line.from === 'client' ? 'client/ftp-1' : 'server/ftp-1',
      });
    let at = t;
    for (let i = 1; i < end.length; i++) {
      const arriveAt = at + linkMs(end[i - 1]!, end[i]!);
      trace.push({ t: at, type: 'hop', from: end[i - 1]!, to: end[i]!, packet, arriveAt });
      at = arriveAt;
    }
    const last = end[end.length - 1]!;
    if (stop) trace.push({ t: at, type: 'drop', node: last, packet, reason: stop.reason });
    else trace.push({ t: at, type: 'deliver', node: last, packet, actor: null });
  }

  /** A capture time on the clock: the slot of the last packet captured at or before it. */
  const drawAt = (tMs: number): number => {
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (slots[mid]!.tMs <= tMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? Math.max(0, tMs - first) : slots[lo - 1]!.t;
  };
  const sockets = socketEvents(session, drawAt);
  const early = new Set<TraceEvent>();
  for (const { event, early: first } of sockets) {
    if (event.type === 'actor') actors.push(event.info);
    if (first) early.add(event);
    trace.push(event);
  }
  // In time order for the views. At one moment a socket's announcement and first state come before
  // the packet sent then (the views find a SYN's connection by its sender's socket); its later
  // states after it. Otherwise equal times keep their order.
  const rank = (e: TraceEvent) => (early.has(e) ? -1 : 0);
  trace.sort((a, b) => a.t - b.t || rank(a) - rank(b));

  const none = { lan: 'not seen', subnet: '', wan: 'not seen' };
  const addressing: Addressing = {
    client,
    server,
    serverPublic: server,
    clientRouter: { ...none, wan: routerAddress['client-router'] ?? none.wan },
    serverRouter: { ...none, wan: routerAddress['server-router'] ?? none.wan },
  };
  const scenario: Scenario = {
    ...networkPreset('no-firewall')!.apply(defaultScenario()),
    mode: diagnosis.suggested.mode,
    commands: diagnosis.suggested.commands,
  };
  const elapsedMs = slot === -Infinity ? 0 : slot + FLIGHT_MS;
  const failed = diagnosis.failure;
  const result: SimulationResult = {
    scenario,
    addressing,
    trace,
    actors,
    outcome: {
      result: diagnosis.outcome === 'success' ? 'success' : 'failure',
      failedAt: failed?.at ?? null,
      failureKind: failed ? String(failed.kind) : null,
      clientError: null,
      clientMessage: null,
      commandsSent: [],
      fallbacks: [],
      replyCodes: session.replyCodes,
      dataConnections: [],
      elapsedMs,
      explanation: diagnosis.explanation,
    },
    client: { replies: session.replyCodes, failure: null, transfers: [] },
  };
  return {
    result,
    capturedMs,
    aheadMs,
    capturedAt: diagnosis.capturedAt,
    summary: summarise(session),
    diagnosis,
  };
}
