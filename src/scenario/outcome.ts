import type { FtpClientContext, DataMode } from '../machines/ftp-client';
import {
  clientReport,
  connectErrorOf,
  reportedFailureOf,
  type ConnectError,
} from '../machines/client-reports';
import { ruleLabel } from '../network/firewall';
import { formatPacketEnd } from '../protocol/endpoint';
import type { ActorInfo, NodeId, TraceEvent, Verdict } from '../network/trace';
import { routerName, type Addressing } from './addresses';
import { diagnoseDataConnection } from './advice';
import { formatTime } from './vocabulary';
import { serverProfileOf, serverTimeoutsMs } from './server-program';
import { PROGRAM_LABELS, programsOf, type Scenario } from './types';

export type DataConnectionResult =
  'established' | 'dropped' | 'rejected' | 'refused' | 'timed out' | 'unreachable';

export interface DataConnectionSummary {
  /** Which client command it served, e.g. "LIST" or "RETR notes.txt". */
  command: string;
  mode: DataMode;
  /** Who opened it: the server in active mode, the client in passive mode. */
  opener: 'client' | 'server';
  from: string;
  to: string;
  result: DataConnectionResult;
  /** How many SYNs the opener sent (1 + retransmissions). */
  synCount: number;
  /** The node and reason that decided a failed connection, or the verdict that let a successful one in. */
  decidedBy: { node: NodeId; reason: string; verdict?: Verdict } | null;
}

/** How a client reports a connection it gave up on itself (errno as curl, ftplib and lftp print it). */
export type ClientError = ConnectError;

export interface Outcome {
  result: 'success' | 'failure';
  /** Null, or what the client itself saw when its own connect failed (not a reply from the server). */
  clientError: ClientError | null;
  /**
   * What the real client program prints for this failure (curl's "curl: (7) Failed to connect…"),
   * as recorded in the lab; null for a success, the textbook client, or a case never recorded.
   */
  clientMessage: string | null;
  /** Every line the client sent on the control connection, in order. */
  commandsSent: string[];
  /** Mode changes the client program made on its own ("EPSV→PASV", "PORT→PASV"). */
  fallbacks: string[];
  /** The client step that failed ("login", "LIST", "RETR notes.txt"), or null. */
  failedAt: string | null;
  failureKind: string | null;
  replyCodes: number[];
  dataConnections: DataConnectionSummary[];
  elapsedMs: number;
  /** One paragraph in plain language naming the node and rule that decided the outcome. */
  explanation: string;
}

interface OutcomeInput {
  scenario: Scenario;
  addressing: Addressing;
  trace: TraceEvent[];
  actors: ActorInfo[];
  client: FtpClientContext;
  clientDone: boolean;
  elapsedMs: number;
  stoppedByLimit: boolean;
}

function nodeName(scenario: Scenario, node: NodeId): string {
  switch (node) {
    case 'client-router':
      return routerName(scenario, 'client');
    case 'server-router':
      return routerName(scenario, 'server');
    case 'internet':
      return 'the Internet';
    default:
      return `the ${node}`;
  }
}

function asSentence(text: string): string {
  return /[.!?]"?$/.test(text) ? text : `${text}.`;
}

function port(endpoint: string): string {
  return endpoint.slice(endpoint.lastIndexOf(':') + 1);
}

/**
 * What the outcome reads from the trace, collected in one pass: a session's trace has about a
 * thousand events, and the outcome is worked out for every simulation the what-if row runs.
 */
interface TraceFacts {
  /** Every line the client sent on the control connection, in order. */
  commandsSent: string[];
  /** Every reply line the server sent, with its time. */
  serverLines: { t: number; text: string }[];
  /** The client program's notes on what it did on its own ("lftp fell back …"). */
  clientNotes: Extract<TraceEvent, { type: 'note' }>[];
  /** The first rewrite by an FTP helper (ALG), if any. */
  alg: Extract<TraceEvent, { type: 'nat' }> | undefined;
  /** Every SYN (not SYN-ACK) sent. */
  synsSent: Extract<TraceEvent, { type: 'send' }>[];
  /** The first drop or reject of each packet, by packet id. */
  stops: Map<number, Extract<TraceEvent, { type: 'drop' | 'reject' }>>;
  /** The last firewall verdict that let each SYN through, by packet id. */
  admissions: Map<number, Extract<TraceEvent, { type: 'forward' }>>;
  /** "actor ESTABLISHED" and "actor CLOSED" for every TCP actor that reached that state. */
  reached: Set<string>;
  transferCommands: { t: number; text: string }[];
  dataCommands: { t: number; mode: DataMode }[];
}

function readTrace(trace: readonly TraceEvent[]): TraceFacts {
  const facts: TraceFacts = {
    commandsSent: [],
    serverLines: [],
    clientNotes: [],
    alg: undefined,
    synsSent: [],
    stops: new Map(),
    admissions: new Map(),
    reached: new Set(),
    transferCommands: [],
    dataCommands: [],
  };
  for (const e of trace) {
    switch (e.type) {
      case 'control': {
        if (e.from !== 'client') {
          facts.serverLines.push({ t: e.t, text: e.text });
          break;
        }
        facts.commandsSent.push(e.text);
        const mode = DATA_COMMAND_MODES[e.text.slice(0, 4).toUpperCase()];
        if (mode) facts.dataCommands.push({ t: e.t, mode });
        else if (TRANSFER_COMMAND.test(e.text))
          facts.transferCommands.push({ t: e.t, text: e.text });
        break;
      }
      case 'send':
        if (e.packet.tcp?.flags.syn && !e.packet.tcp.flags.ack) facts.synsSent.push(e);
        break;
      case 'drop':
      case 'reject':
        if (!facts.stops.has(e.packet.id)) facts.stops.set(e.packet.id, e);
        break;
      case 'forward':
        // The last firewall on the path is the one in front of the receiver: the one that had to
        // let the new connection in (the sender's own firewall only let it out).
        if (e.verdict.by !== 'no-firewall' && e.packet.tcp?.flags.syn)
          facts.admissions.set(e.packet.id, e);
        break;
      case 'transition':
        if (e.to === 'ESTABLISHED' || e.to === 'CLOSED') facts.reached.add(`${e.actor} ${e.to}`);
        break;
      case 'note':
        if (e.node === 'client') facts.clientNotes.push(e);
        break;
      case 'nat':
        if (e.kind === 'alg') facts.alg ??= e;
        break;
    }
  }
  return facts;
}

/** The data connections from the trace: every socket an FTP program opened for data. */
function dataConnections(input: OutcomeInput, facts: TraceFacts): DataConnectionSummary[] {
  const openers = input.actors.filter(
    (a) =>
      a.machine === 'tcp' &&
      a.channel === 'data' &&
      /active data connection|passive data connection/.test(a.label),
  );
  if (openers.length === 0) return [];
  const { synsSent, stops, admissions, reached, transferCommands, dataCommands } = facts;
  // A passive connection that failed served no transfer command: the step that failed with it,
  // in order (curl's next URL and lftp's retry each fail on a control connection of their own).
  const failedSteps = input.client.failures.filter((f) => f.kind === 'data-connect');
  let failedStep = 0;
  return openers.map((info) => {
    const opener: 'client' | 'server' = info.node === 'client' ? 'client' : 'server';
    const syns = synsSent.filter(
      (e) =>
        e.node === info.node &&
        `${e.packet.src}:${e.packet.tcp!.srcPort}` === info.local &&
        `${e.packet.dst}:${e.packet.tcp!.dstPort}` === info.remote,
    );
    const stopped = syns.map((e) => stops.get(e.packet.id)).find((e) => e !== undefined);
    const admitted = syns.map((e) => admissions.get(e.packet.id)).find((e) => e !== undefined);
    let result: DataConnectionResult = 'established';
    if (!reached.has(`${info.actor} ESTABLISHED`)) {
      if (stopped?.type === 'reject') result = 'rejected';
      else if (stopped?.type === 'drop') result = 'dropped';
      else if (reached.has(`${info.actor} CLOSED`)) result = 'refused';
      else result = 'timed out';
    }
    const decidedBy = stopped
      ? {
          node: stopped.node,
          reason: stopped.reason,
          ...(stopped.verdict ? { verdict: stopped.verdict } : {}),
        }
      : admitted
        ? {
            node: admitted.node,
            reason: describeVerdict(admitted.verdict),
            verdict: admitted.verdict,
          }
        : null;
    const first = syns[0];
    const sentAt = first?.t ?? 0;
    // The data command that announced it, and the transfer command it served: the first one
    // after that announcement and before the next. The server may connect after the transfer
    // command (vsftpd) or as soon as PORT arrives (pyftpdlib); the client connects, then sends it.
    const used = dataCommands.filter((c) => c.t <= sentAt).pop();
    const nextUsed = used && dataCommands.find((c) => c.t > used.t);
    const command = used
      ? transferCommands.find((c) => c.t >= used.t && (!nextUsed || c.t < nextUsed.t))
      : transferCommands.find((c) => c.t >= sentAt);
    return {
      command:
        command?.text ??
        (result === 'established'
          ? ''
          : (failedSteps[failedStep++]?.step ?? input.client.failure?.step ?? '')),
      mode: used?.mode ?? input.scenario.mode,
      opener,
      from: first ? formatPacketEnd(first.packet, 'src') : (info.local ?? ''),
      to: first ? formatPacketEnd(first.packet, 'dst') : (info.remote ?? ''),
      result,
      synCount: syns.length,
      decidedBy,
    };
  });
}

const TRANSFER_COMMAND = /^(LIST|NLST|RETR|STOR)\b/i;
const DATA_COMMAND_MODES: Record<string, DataMode> = {
  PORT: 'active',
  PASV: 'passive',
  EPRT: 'eprt',
  EPSV: 'epsv',
};

/** The errno of a connect the client gave up on, from the TCP socket's close detail. */
/** What the client program did on its own ("curl tries PASV after EPSV failed"), as sentences. */
function programSentences(input: OutcomeInput, facts: TraceFacts): string[] {
  const { client } = programsOf(input.scenario);
  const sentences: string[] = [];
  for (const e of facts.clientNotes) {
    if (!e.text.startsWith(`${client} `)) continue;
    const sentence = asSentence(`${PROGRAM_LABELS[client]}${e.text.slice(client.length)}`);
    if (!sentences.includes(sentence)) sentences.push(sentence);
  }
  return sentences;
}

/**
 * How long the server tried a data connection that got no answer, and what ended it: its own
 * connect timeout (vsftpd's connect_timeout, 60 s), or its kernel giving up on the SYNs first
 * (the lab's cells, with net.ipv4.tcp_syn_retries=1, see the 425 after about 3 s).
 */
function serverGaveUp(
  input: OutcomeInput,
  facts: TraceFacts,
  blocked: DataConnectionSummary,
): string {
  const timeoutMs = serverTimeoutsMs(serverProfileOf(input.scenario)).connectMs;
  const synAt = facts.synsSent.find(
    (e) =>
      formatPacketEnd(e.packet, 'src') === blocked.from &&
      formatPacketEnd(e.packet, 'dst') === blocked.to,
  )?.t;
  const code = String(input.client.failure?.code ?? '');
  const replyAt = facts.serverLines.find(
    (l) => synAt !== undefined && l.t >= synAt && code !== '' && l.text.startsWith(code),
  )?.t;
  if (synAt === undefined || replyAt === undefined) {
    return `after ${formatTime(timeoutMs, 'duration')} gave up and`;
  }
  const tried = replyAt - synAt;
  return tried < timeoutMs - 1000
    ? `after ${formatTime(tried, 'duration')}, when its kernel gave up on the SYNs (before the server's own ${formatTime(timeoutMs, 'duration')} timeout), it`
    : `after ${formatTime(timeoutMs, 'duration')} (its connect timeout) gave up and`;
}

function onlyPort21Forwarded(scenario: Scenario): boolean {
  return scenario.serverSide.nat && scenario.serverSide.natForward === '21';
}

/**
 * The server's router forwards port 21 alone, so the passive port the client connects to is the
 * router's own: no firewall rule is at fault, and the FTP helper is the forward, when it can read
 * the reply. nf_conntrack_ftp expects a connection only to the address the 227 names when that is
 * the server's own (without loose=1), so a 227 naming the public address gets no forward.
 */
function unforwardedPassiveAdvice(scenario: Scenario, conn: DataConnectionSummary): string {
  const range = `${scenario.server.passivePorts.from}-${scenario.server.passivePorts.to}`;
  const reply = scenario.mode === 'epsv' ? '229' : '227';
  const start = `The server's router forwards only port 21 to the server, so the client's connection to the passive port ${port(conn.to)} is addressed to the router itself, which drops it.`;
  const fix = `Forward the passive range (${range}) too, or switch on the FTP helper on the server's router: it reads the ${reply} reply and forwards that one connection to the server. Active mode needs no forward, if the client's side lets the server in.`;
  if (!scenario.serverSide.ftpHelper) return `${start} ${fix}`;
  if (scenario.mode !== 'epsv' && scenario.server.advertise === 'public')
    return `${start} The FTP helper is on, but the 227 reply names the public address, not the server's own, and the helper sets up a forward only for the address the server itself sends from (Linux's nf_conntrack_ftp without loose=1). Let the server advertise its own address, which the helper rewrites on its way out, or use EPSV; or forward the passive range (${range}).`;
  return `${start} Forward the passive range (${range}) too.`;
}

function describeVerdict(verdict: Verdict): string {
  const by = verdict.by === 'rule' ? ruleLabel(verdict) : `the default policy`;
  return `accepted by ${by}${verdict.state ? ` as ${verdict.state}` : ''}`;
}

function modeName(mode: DataMode): string {
  return {
    active: 'Active mode (PORT)',
    passive: 'Passive mode (PASV)',
    eprt: 'Extended active mode (EPRT)',
    epsv: 'Extended passive mode (EPSV)',
  }[mode];
}

/** Advice that follows from where the data connection was stopped. */
function advice(input: OutcomeInput, conn: DataConnectionSummary): string {
  const { scenario } = input;
  const diagnosed = diagnoseDataConnection(scenario, conn, input.trace);
  if (diagnosed) return diagnosed;
  const node = conn.decidedBy?.node;
  if (node === 'internet' && onlyPort21Forwarded(scenario)) {
    return `The 227 reply named a private address (RFC 1918), which only exists behind the server's NAT router, and that router forwards only port 21, so advertising the public address alone would not do. Switch on the FTP helper on the server's router: it rewrites the reply to the public address and forwards that one connection to the server. Or forward the passive range too and advertise the public address; or use a client that ignores the address in 227 (current curl, Python's ftplib) with the range forwarded.`;
  }
  if (node === 'internet') {
    return `The 227 reply named a private address (RFC 1918), which only exists behind the server's NAT router. Configure the server to advertise its public address (vsftpd pasv_address), switch on the FTP helper on the server's router so it rewrites the reply, use EPSV (its 229 reply names no address), or use a client that ignores the address in 227, as current curl and Python's ftplib do.`;
  }
  if (conn.opener === 'server' && node === 'client-router') {
    return `In ${scenario.mode === 'eprt' ? 'EPRT' : 'active'} mode the server opens the data connection towards the client, and this firewall does not let new inbound connections in. Passive mode (PASV or EPSV), where the client opens the data connection, gets through; so does the FTP helper, which reads the ${scenario.mode === 'eprt' ? 'EPRT' : 'PORT'} command and lets the announced connection in as RELATED.`;
  }
  if (conn.opener === 'client' && node === 'server-router' && onlyPort21Forwarded(scenario))
    return unforwardedPassiveAdvice(scenario, conn);
  if (conn.opener === 'client' && node === 'server-router') {
    const range = `${scenario.server.passivePorts.from}-${scenario.server.passivePorts.to}`;
    return `In passive mode the client connects to the port the server announced (${port(conn.to)}), and no rule of this firewall lets a new connection in to that port. Opening the server's passive range (${range}) or switching on the FTP helper, which reads the ${scenario.mode === 'epsv' ? '229' : '227'} reply and lets the connection in as RELATED, fixes it; so does active mode, if the client's side lets the server in.`;
  }
  if (conn.opener === 'client' && node === 'client-router') {
    return `The client's own firewall stopped its outgoing data connection; allow outbound connections to the server's passive ports.`;
  }
  if (conn.opener === 'server' && node === 'server-router') {
    return `The server's own firewall stopped its outgoing data connection from port ${scenario.server.activeSourcePort}; allow outbound connections from the server.`;
  }
  return '';
}

function blockedSentence(input: OutcomeInput, conn: DataConnectionSummary): string {
  const who = conn.opener === 'server' ? "The server's" : "The client's";
  const verb = conn.result === 'rejected' ? 'was rejected' : 'was dropped';
  const reason = conn.decidedBy?.reason ?? '';
  const ruleText =
    conn.decidedBy?.verdict?.by === 'rule'
      ? ` by ${nodeName(input.scenario, conn.decidedBy.node)}'s ${ruleLabel(conn.decidedBy.verdict)}`
      : ` at ${nodeName(input.scenario, conn.decidedBy?.node ?? 'internet')}: ${reason}`;
  const state = conn.decidedBy?.verdict?.state
    ? ` (conntrack state ${conn.decidedBy.verdict.state}${conn.decidedBy.verdict.state === 'NEW' ? ': nothing told the firewall to expect this connection' : ''})`
    : '';
  return `${who} SYN from ${conn.from} to ${conn.to} ${verb}${ruleText}${state}.`;
}

export function explainOutcome(input: OutcomeInput): Outcome {
  const { client, scenario } = input;
  const facts = readTrace(input.trace);
  const connections = dataConnections(input, facts);
  const failure = client.failure;
  const success = input.clientDone && failure === null && !input.stoppedByLimit;
  const base = {
    clientError: connectErrorOf(client.failure),
    commandsSent: facts.commandsSent,
    fallbacks: client.fallbacks,
    replyCodes: client.replies,
    dataConnections: connections,
    elapsedMs: Math.round(input.elapsedMs * 1000) / 1000,
    clientMessage: success ? null : programMessage(input),
  };
  if (success) {
    const program = PROGRAM_LABELS[programsOf(scenario).client];
    const parts = [
      `${client.fallbacks.length > 0 ? `${modeName(scenario.mode)} was asked for, and ${program} got through` : `${modeName(scenario.mode)} worked`}: ${scenario.commands.length === 1 ? 'the command' : `all ${scenario.commands.length} commands`} succeeded in ${formatTime(input.elapsedMs, 'duration')}.`,
      ...programSentences(input, facts),
    ];
    for (const conn of connections) {
      const helped =
        conn.decidedBy?.verdict?.state === 'RELATED'
          ? ' (let in as RELATED: the FTP helper had read the announcement on the control connection)'
          : '';
      parts.push(
        `${conn.command}: the ${conn.opener} connected from ${conn.from} to ${conn.to}${conn.decidedBy ? `, ${conn.decidedBy.reason} at ${nodeName(scenario, conn.decidedBy.node)}` : ''}${helped}.`,
      );
    }
    const { alg } = facts;
    if (alg) parts.push(`On the way, ${nodeName(scenario, alg.node)}'s ${alg.detail}.`);
    return {
      result: 'success',
      failedAt: null,
      failureKind: null,
      ...base,
      explanation: parts.join(' '),
    };
  }
  const retrying = stillRetrying(input, facts, connections);
  // Still trying: it has printed nothing yet ("max-retries exceeded" comes only at the end).
  if (retrying) return { ...base, clientMessage: null, ...retrying };
  if (input.stoppedByLimit || !failure) {
    return {
      result: 'failure',
      failedAt: failure?.step ?? 'session',
      failureKind: failure?.kind ?? 'stalled',
      ...base,
      explanation: `The session did not finish: the simulation stopped after ${formatTime(input.elapsedMs, 'duration')} with the client still waiting.`,
    };
  }
  const blocked = connections.find((c) => c.result !== 'established');
  const parts: string[] = programSentences(input, facts);
  // 425 is vsftpd's and pyftpdlib's "could not connect", 421 pyftpdlib's "gave up after 30 s".
  if (
    blocked &&
    (failure.kind === 'data-connect' || failure.code === 425 || failure.code === 421)
  ) {
    parts.push(blockedSentence(input, blocked));
    const retries = blocked.synCount - 1;
    if (blocked.result === 'dropped') {
      const backoff =
        programsOf(scenario).tcp === 'linux'
          ? `${retries} retransmissions, about a second apart at first and then doubling, as Linux does`
          : `${retries} retransmissions with exponential backoff`;
      parts.push(
        blocked.opener === 'server'
          ? `A dropped packet gets no answer, so the server sent the SYN ${blocked.synCount} times (${backoff}) and ${serverGaveUp(input, facts, blocked)} answered "${failure.detail}"`
          : `A dropped packet gets no answer, so the client sent the SYN ${blocked.synCount} times (${backoff}) until its connect timed out: "${failure.detail}".`,
      );
    } else if (blocked.result === 'rejected') {
      parts.push(
        blocked.opener === 'server'
          ? `The rejection came back at once, so the server answered "${failure.detail}" straight away instead of after a long timeout.`
          : `The rejection came back at once, so the client's connect failed immediately ("${failure.detail}") instead of after a long timeout.`,
      );
    }
    if (blocked.opener === 'server' && programsOf(scenario).server === 'pyftpdlib') {
      parts.push(
        `pyftpdlib opens its active data connections from an ephemeral port (here ${port(blocked.from)}), not from port 20, and as soon as PORT arrives: a firewall rule for source port 20 does not match it, and the refusal comes as the reply to ${scenario.mode === 'eprt' ? 'EPRT' : 'PORT'}.`,
      );
    }
    const hint = advice(input, blocked);
    if (hint) parts.push(hint);
    if (base.clientMessage) parts.push(printedSentence(input, base.clientMessage));
  } else if (
    (failure.code === 500 || failure.code === 501) &&
    scenario.clientSide.nat &&
    portRefusalLine(facts) !== undefined
  ) {
    parts.push(portRefusal(input, facts));
  } else {
    parts.push(`The client gave up at ${failure.step}: ${asSentence(failure.detail)}`);
    if (failure.kind === 'login')
      parts.push('The server refused the login; check the user name and password.');
    if (base.clientMessage) parts.push(printedSentence(input, base.clientMessage));
  }
  return {
    result: 'failure',
    failedAt: failure.step,
    failureKind: failure.kind,
    ...base,
    explanation: parts.join(' '),
  };
}

/**
 * What the real client program prints for this failure, as the lab recorded it
 * (machines/client-reports.ts); null for the textbook client and for a case never recorded.
 */
function programMessage(input: OutcomeInput): string | null {
  const failure = reportedFailureOf(input);
  const profile = input.client.settings.profile;
  return failure && profile ? clientReport(profile, failure) : null;
}

function printedSentence(input: OutcomeInput, message: string): string {
  return `${PROGRAM_LABELS[programsOf(input.scenario).client]} prints: ${message}`;
}

/**
 * A program that retries a command (lftp) and was still at it when the simulation stopped: the
 * failure that keeps coming back, rather than "the session did not finish".
 */
function stillRetrying(
  input: OutcomeInput,
  facts: TraceFacts,
  connections: DataConnectionSummary[],
): Pick<Outcome, 'result' | 'failedAt' | 'failureKind' | 'explanation'> | null {
  const { client, scenario } = input;
  const program = programsOf(scenario).client;
  // The settings it ran with: the profile's, or the lab's given to simulate().
  const policy = client.settings.profile?.reconnect;
  const last = client.failures.at(-1);
  if (!input.stoppedByLimit || !last || policy?.resume !== 'same-step') return null;
  const tries = client.failures.filter((f) => f.step === last.step).length;
  const parts = [
    `${PROGRAM_LABELS[program]} was still trying ${last.step} when the simulation stopped after ${formatTime(input.elapsedMs, 'duration')}: ${tries === 1 ? 'its try had' : `all ${tries} tries had`} failed, the last with "${last.detail}".`,
  ];
  const blocked = connections.find((c) => c.result !== 'established');
  if (blocked) parts.push(blockedSentence(input, blocked));
  parts.push(...programSentences(input, facts));
  parts.push(
    `With its settings (net:max-retries ${policy.maxTries}, and a wait between tries growing to ${formatTime(policy.intervalMaxS * 1000, 'duration')}) it keeps going until someone stops it, as the real lftp does.`,
  );
  const hint = blocked ? advice(input, blocked) : '';
  if (hint) parts.push(hint);
  return {
    result: 'failure',
    failedAt: last.step,
    failureKind: last.kind,
    explanation: parts.join(' '),
  };
}

/** An RFC 2577 refusal: vsftpd's "500 Illegal PORT command.", pyftpdlib's "501 Rejected data connection to foreign address". */
const PORT_REFUSAL = /^(500 Illegal (PORT|EPRT)|501 Rejected data connection to foreign address)/;

/** The server's refusal of a PORT or EPRT naming another address, if it sent one. */
function portRefusalLine(facts: TraceFacts): string | undefined {
  return facts.serverLines.find((l) => PORT_REFUSAL.test(l.text))?.text;
}

function portRefusal(input: OutcomeInput, facts: TraceFacts): string {
  const { addressing, scenario } = input;
  const verb = scenario.mode === 'eprt' ? 'EPRT' : 'PORT';
  const sent = facts.commandsSent.find((text) => text.startsWith(verb)) ?? verb;
  const publicAddress = addressing.clientRouter.wan;
  const said = portRefusalLine(facts) ?? `500 Illegal ${verb} command.`;
  return `The client sent "${sent}", naming its private address ${addressing.client}. The server saw the control connection come from ${publicAddress} (the client router's NAT address) and, like careful servers (RFC 2577 §3; vsftpd), refused to connect anywhere else: "${said}" Even had it tried, ${addressing.client} cannot be reached from the Internet. The FTP helper on the client's router rewrites the address in ${verb} to ${publicAddress}; passive mode avoids the problem altogether.`;
}

const MODE_SHORT: Record<DataMode, string> = {
  active: 'active mode',
  passive: 'passive mode',
  eprt: 'EPRT mode',
  epsv: 'EPSV mode',
};

/** "the client firewall's rule 3", "the server firewall's default policy", "the Internet". */
function decider(scenario: Scenario, decided: NonNullable<DataConnectionSummary['decidedBy']>) {
  const node = nodeName(scenario, decided.node);
  if (decided.verdict?.by === 'rule') return `${node}'s ${ruleLabel(decided.verdict, 'number')}`;
  if (decided.verdict?.by === 'policy') return `${node}'s default policy`;
  return node;
}

/**
 * The outcome in one line for the verdict bar: works or fails, then the place and the cause
 * ("the client firewall's rule 3 dropped the server's data connection"), then the mode and the
 * command in brackets. The paragraph in `explanation` says the same at length.
 */
export function verdictLine(
  outcome: Outcome,
  scenario: Pick<Scenario, 'mode' | 'clientSide' | 'serverSide'>,
): string {
  const mode = MODE_SHORT[scenario.mode];
  const full = scenario as Scenario;
  if (outcome.result === 'success') {
    if (outcome.fallbacks.length > 0)
      return `Works after the client fell back: ${[...new Set(outcome.fallbacks)].join(', ')} (${mode} asked for)`;
    const related = outcome.dataConnections.find((c) => c.decidedBy?.verdict?.state === 'RELATED');
    if (related?.decidedBy) {
      // The opener's own router lets it out; the far side's lets it in.
      const own = related.decidedBy.node === `${related.opener}-router`;
      return `Works: ${nodeName(full, related.decidedBy.node)} let the ${related.opener}'s data connection ${own ? 'out' : 'in'} as RELATED (${mode})`;
    }
    const n = outcome.dataConnections.length;
    return `Works: every command succeeded${n > 0 ? `, ${n === 1 ? 'one data connection' : `${n} data connections`} opened by the ${outcome.dataConnections[0]!.opener}` : ''} (${mode})`;
  }
  const step = outcome.failedAt ?? 'session';
  const where = `(${mode}, ${step})`;
  const blocked = outcome.dataConnections.find((c) => c.result !== 'established');
  if (
    blocked &&
    (outcome.failureKind === 'data-connect' ||
      outcome.replyCodes.includes(425) ||
      outcome.replyCodes.includes(421))
  ) {
    const connection = `the ${blocked.opener}'s data connection`;
    const decided = blocked.decidedBy;
    if (decided?.node === 'internet')
      return `Fails: the Internet could not deliver ${connection} to ${blocked.to}, a private address ${where}`;
    if (decided && (blocked.result === 'dropped' || blocked.result === 'rejected'))
      return `Fails: ${decider(full, decided)} ${blocked.result} ${connection} ${where}`;
    if (blocked.result === 'refused')
      return `Fails: the ${blocked.opener === 'server' ? 'client' : 'server'} refused ${connection} to ${blocked.to} ${where}`;
    return `Fails: ${connection} to ${blocked.to} got no answer ${where}`;
  }
  switch (outcome.failureKind) {
    case 'login':
      return `Fails: the server refused the login ${where}`;
    case 'control-connect':
      return `Fails: the client could not open the control connection to port 21 ${where}`;
    case 'control-lost':
      return `Fails: the control connection was lost ${where}`;
    case 'stalled':
      return `Fails: the session did not finish ${where}`;
  }
  if (outcome.replyCodes.includes(500) && full.clientSide.nat)
    return `Fails: the server refused the ${scenario.mode === 'eprt' ? 'EPRT' : 'PORT'} command, which named the client's private address behind NAT ${where}`;
  return `Fails at ${step} (${mode})`;
}
