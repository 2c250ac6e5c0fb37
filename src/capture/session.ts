import { parseEprt, parseEpsvReply, parseHostPort, parsePasvReply } from '../protocol/ftp-address';
import { formatEndpoint, type Endpoint } from '../protocol/endpoint';
import type { Connection } from './connections';
import { reassemble, type StreamGap } from './reassembly';
import { isNegative } from '../protocol/ftp-reply';

/**
 * One FTP session read from a capture: the control dialogue in order, and each transfer with
 * the command that announced its data connection (PORT, EPRT, PASV/227, EPSV/229), the
 * connection the capture holds for it, and how that connection fared.
 */

export type CaptureDataMode = 'active' | 'passive' | 'eprt' | 'epsv';

export type DataConnectionResult =
  'completed' | 'dropped' | 'refused' | 'unreachable' | 'no-route' | 'not-seen';

export interface DialogueLine {
  tMs: number;
  frame: number;
  from: 'client' | 'server';
  text: string;
  /** The reply code, on a server line that ends a reply. */
  code: number | null;
  missing: number;
}

export interface DataConnection {
  /** The transfer command it served ("LIST", "RETR notes.txt"), or null when none followed. */
  command: string | null;
  mode: CaptureDataMode;
  /** The command or reply that announced it: "PORT 192,0,2,10,195,80", "227 Entering ...". */
  announcedBy: string;
  announced: Endpoint;
  opener: 'client' | 'server';
  /** Addresses as seen: "198.51.100.20:20". */
  from: string;
  to: string;
  result: DataConnectionResult;
  synCount: number;
  /** Who refused it, or sent the ICMP error. */
  answeredBy: string | null;
  icmpKind: string | null;
  bytes: number;
  fin: boolean;
  rst: boolean;
  retransmissions: number;
  connection: Connection | null;
  /** The final reply to the transfer command, if the capture holds it. */
  finalReply: { code: number; text: string } | null;
  tMs: number;
}

export interface ModeAttempt {
  command: string;
  reply: { code: number; text: string } | null;
}

export interface FtpSession {
  control: Connection;
  client: Endpoint;
  server: Endpoint;
  dialogue: DialogueLine[];
  gaps: (StreamGap & { from: 'client' | 'server' })[];
  commands: string[];
  replyCodes: number[];
  dataConnections: DataConnection[];
  /** Every PORT/EPRT/PASV/EPSV sent and what it got, in order (to see fall-backs). */
  modeAttempts: ModeAttempt[];
  /** The transfer commands and their final replies, including those without a data connection. */
  transfers: { command: string; finalReply: { code: number; text: string } | null; tMs: number }[];
  loginFailed: { code: number; text: string } | null;
}

const TRANSFER = /^(?:LIST|NLST|MLSD|RETR|STOR|STOU|APPE)\b/i;
const REPLY_END = /^(\d{3})(?: |$)/;
const REPLY_START = /^(\d{3})-/;

function controlLines(control: Connection): { dialogue: DialogueLine[]; gaps: FtpSession['gaps'] } {
  const client = reassemble(control.fromOpener);
  const server = reassemble(control.fromAcceptor);
  const dialogue: DialogueLine[] = [];
  for (const l of client.lines) {
    // Telnet IP and Synch (IAC IP, IAC DM), which RFC 959 puts before ABOR, are not command text.
    const text = l.text.replace(/\xff[\xf0-\xfa]/g, '');
    if (text !== '' || l.text === '') dialogue.push({ ...l, text, from: 'client', code: null });
  }
  let open: string | null = null;
  for (const l of server.lines) {
    let code: number | null = null;
    if (open === null) {
      const start = REPLY_START.exec(l.text);
      const end = REPLY_END.exec(l.text);
      if (start) open = start[1]!;
      else if (end) code = Number(end[1]);
    } else if (l.text.startsWith(`${open} `) || l.text === open) {
      code = Number(open);
      open = null;
    }
    dialogue.push({ ...l, from: 'server', code });
  }
  // A stable sort by time keeps each side's own order; a command and its reply at the same
  // instant (a capture on one host) keep command first.
  dialogue.sort((a, b) => a.tMs - b.tMs || (a.from === b.from ? 0 : a.from === 'client' ? -1 : 1));
  const gaps = [
    ...client.gaps.map((g) => ({ ...g, from: 'client' as const })),
    ...server.gaps.map((g) => ({ ...g, from: 'server' as const })),
  ];
  return { dialogue, gaps };
}

interface Announcement {
  mode: CaptureDataMode;
  by: string;
  endpoint: Endpoint;
  opener: 'client' | 'server';
  tMs: number;
}

function replyText(line: DialogueLine): { code: number; text: string } {
  return { code: line.code!, text: line.text.slice(4) };
}

/** The last complete reply to the command at `index`, and where the dialogue went on. */
function announcementFromCommand(
  verb: string,
  arg: string,
  control: Connection,
  tMs: number,
): Announcement | null {
  const by = `${verb} ${arg}`.trim();
  if (verb === 'PORT') {
    const hp = parseHostPort(arg);
    if (!hp.ok) return null;
    return {
      mode: 'active',
      by,
      endpoint: hp.value,
      opener: 'server',
      tMs,
    };
  }
  if (verb === 'EPRT') {
    const e = parseEprt(arg);
    if (!e.ok) return null;
    return {
      mode: 'eprt',
      by,
      endpoint: { address: e.value.address, port: e.value.port },
      opener: 'server',
      tMs,
    };
  }
  void control;
  return null;
}

function announcementFromReply(
  verb: string,
  reply: { code: number; text: string },
  control: Connection,
  tMs: number,
): Announcement | null {
  const by = `${reply.code} ${reply.text}`;
  if (verb === 'PASV' && reply.code === 227) {
    const hp = parsePasvReply(reply.text);
    if (!hp.ok) return null;
    return {
      mode: 'passive',
      by,
      endpoint: hp.value,
      opener: 'client',
      tMs,
    };
  }
  if (verb === 'EPSV' && reply.code === 229) {
    const e = parseEpsvReply(reply.text);
    if (!e.ok) return null;
    return {
      mode: 'epsv',
      by,
      endpoint: { address: control.acceptor.address, port: e.value.port },
      opener: 'client',
      tMs,
    };
  }
  return null;
}

function matchConnection(
  a: Announcement,
  session: { client: Endpoint; server: Endpoint },
  connections: readonly Connection[],
  used: Set<Connection>,
): Connection | null {
  const openerAddress = a.opener === 'server' ? session.server.address : session.client.address;
  const candidates = connections.filter(
    (c) =>
      !c.control && !used.has(c) && c.acceptor.port === a.endpoint.port && c.firstMs >= a.tMs - 1,
  );
  const score = (c: Connection) =>
    (c.acceptor.address === a.endpoint.address ? 2 : 0) +
    (c.opener.address === openerAddress ? 1 : 0);
  let best: Connection | null = null;
  for (const c of candidates) {
    if (!best || score(c) > score(best) || (score(c) === score(best) && c.firstMs < best.firstMs))
      best = c;
  }
  return best;
}

const NO_ROUTE = new Set([
  'host-unreachable',
  'net-unreachable',
  'time-exceeded',
  'other-unreachable',
]);

function connectionResult(
  c: Connection | null,
): Pick<DataConnection, 'result' | 'answeredBy' | 'icmpKind' | 'synCount'> {
  if (!c) return { result: 'not-seen', answeredBy: null, icmpKind: null, synCount: 0 };
  const synCount = c.synTimes.length;
  if (c.synAckMs !== null || c.fromOpener.bytes + c.fromAcceptor.bytes > 0)
    return { result: 'completed', answeredBy: null, icmpKind: null, synCount };
  if (c.refusedMs !== null)
    return { result: 'refused', answeredBy: c.refusedBy, icmpKind: null, synCount };
  const icmp = c.icmp[0];
  if (icmp)
    return {
      result: NO_ROUTE.has(icmp.kind) ? 'no-route' : 'unreachable',
      answeredBy: icmp.from,
      icmpKind: icmp.kind,
      synCount,
    };
  if (synCount > 0) return { result: 'dropped', answeredBy: null, icmpKind: null, synCount };
  return { result: 'not-seen', answeredBy: null, icmpKind: null, synCount };
}

export function readSession(control: Connection, connections: readonly Connection[]): FtpSession {
  const { dialogue, gaps } = controlLines(control);
  const session: FtpSession = {
    control,
    client: control.opener,
    server: control.acceptor,
    dialogue,
    gaps,
    commands: [],
    replyCodes: [],
    dataConnections: [],
    modeAttempts: [],
    transfers: [],
    loginFailed: null,
  };
  const used = new Set<Connection>();
  let pending: Announcement | null = null;
  let lastVerb = '';
  let lastCommand = '';
  let attempt: ModeAttempt | null = null;
  let transfer: FtpSession['transfers'][number] | null = null;
  let data: DataConnection | null = null;

  const openData = (a: Announcement, command: string | null) => {
    const c = matchConnection(a, session, connections, used);
    if (c) used.add(c);
    const seen = connectionResult(c);
    const entry: DataConnection = {
      command,
      mode: a.mode,
      announcedBy: a.by,
      announced: a.endpoint,
      opener: a.opener,
      from: c
        ? formatEndpoint(c.opener)
        : a.opener === 'server'
          ? `${session.server.address}:?`
          : `${session.client.address}:?`,
      to: c ? formatEndpoint(c.acceptor) : formatEndpoint(a.endpoint),
      ...seen,
      bytes: c ? c.fromOpener.bytes + c.fromAcceptor.bytes : 0,
      fin: c ? c.fromOpener.fin !== null || c.fromAcceptor.fin !== null : false,
      rst: c ? c.fromOpener.rst !== null || c.fromAcceptor.rst !== null : false,
      retransmissions: c
        ? c.fromOpener.retransmissions +
          c.fromAcceptor.retransmissions +
          Math.max(0, c.synTimes.length - 1)
        : 0,
      connection: c,
      finalReply: null,
      tMs: a.tMs,
    };
    session.dataConnections.push(entry);
    return entry;
  };

  for (const line of dialogue) {
    if (line.from === 'client') {
      const text = line.text.trim();
      const space = text.indexOf(' ');
      const verb = (space < 0 ? text : text.slice(0, space)).toUpperCase();
      const arg = space < 0 ? '' : text.slice(space + 1);
      session.commands.push(verb === 'PASS' ? 'PASS ****' : text);
      lastVerb = verb;
      lastCommand = text;
      if (verb === 'PORT' || verb === 'EPRT' || verb === 'PASV' || verb === 'EPSV') {
        attempt = { command: text, reply: null };
        session.modeAttempts.push(attempt);
        pending = announcementFromCommand(verb, arg, control, line.tMs);
      } else if (TRANSFER.test(verb)) {
        transfer = { command: text, finalReply: null, tMs: line.tMs };
        session.transfers.push(transfer);
        data = pending ? openData(pending, text) : null;
        pending = null;
      }
      continue;
    }
    if (line.code === null) continue;
    session.replyCodes.push(line.code);
    const reply = replyText(line);
    if (attempt && attempt.reply === null && (line.code < 100 || line.code >= 200)) {
      attempt.reply = reply;
      // A 425 to PORT/EPRT: the server tried to connect at once (pyftpdlib does) and failed.
      if (line.code === 425 && pending && pending.opener === 'server')
        openData(pending, null).finalReply = reply;
      if (isNegative(line.code)) pending = null;
      else if (lastVerb === 'PASV' || lastVerb === 'EPSV')
        pending = announcementFromReply(lastVerb, reply, control, line.tMs);
      attempt = null;
      continue;
    }
    if ((lastVerb === 'USER' || lastVerb === 'PASS') && line.code === 530)
      session.loginFailed = reply;
    if (transfer && transfer.finalReply === null && line.code >= 200) {
      transfer.finalReply = reply;
      if (data) data.finalReply = reply;
      transfer = null;
      data = null;
    }
  }
  // An announcement no transfer command used still had its connection tried, maybe.
  if (pending) openData(pending, null);
  void lastCommand;
  return session;
}
