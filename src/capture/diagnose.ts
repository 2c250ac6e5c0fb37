import { isPrivateIpv4, isIpv4 } from '../protocol/ipv4';
import { MAX_COMMANDS } from '../scenario/limits';
import { formatTime } from '../scenario/vocabulary';
import type { Connection } from './connections';
import type { CaptureDataMode, DataConnection, DataConnectionResult, FtpSession } from './session';
import { isNegative } from '../protocol/ftp-reply';

/**
 * What went right or wrong in one captured FTP session, said from the evidence the capture
 * holds and from where it was taken, with the smallest fixes and the sandbox preset that plays
 * the same situation. Every sentence names what was seen (or not seen) on the wire.
 */

export type CapturedAt = 'client' | 'server' | 'between' | 'unknown';
export type SessionOutcome = 'success' | 'failure' | 'incomplete';
export type FailureKind = number | 'timeout' | 'refused' | 'no-route' | 'unreachable';

/** A sandbox situation: a network preset id (src/scenario/presets.ts), a mode and the commands. */
export interface SuggestedScenario {
  preset: string;
  mode: CaptureDataMode;
  commands: string[];
  /** Set when the suggestion needs the server to name its public address in 227. */
  advertise?: 'private' | 'public';
}

export interface Diagnosis {
  capturedAt: CapturedAt;
  /** Why capturedAt was chosen, in words. */
  capturedAtReason: string;
  outcome: SessionOutcome;
  failure: { at: string; kind: FailureKind } | null;
  explanation: string;
  fixes: string[];
  /** Things worth knowing that did not decide the outcome (a fallback, missing bytes). */
  notes: string[];
  suggested: SuggestedScenario;
}

/** Initial TTLs of the common stacks (Linux/macOS 64, Windows 128, network gear 255). */
const INITIAL_TTLS = new Set([64, 128, 255]);

const untouched = (ttls: Set<number>) =>
  ttls.size > 0 && [...ttls].every((ttl) => INITIAL_TTLS.has(ttl));

function hops(ttls: Set<number>): number {
  const ttl = Math.max(...ttls);
  const initial = [64, 128, 255].find((i) => i >= ttl) ?? 255;
  return initial - ttl;
}

/** A reply quoted inside a sentence: its own closing full stop dropped, so the sentence can go on. */
const quote = (r: { code: number; text: string }) => `${r.code} ${r.text.replace(/\.$/, '')}`;

export function whereCaptured(control: Connection): { at: CapturedAt; reason: string } {
  const client = control.fromOpener.ttls;
  const server = control.fromAcceptor.ttls;
  if (client.size === 0 || server.size === 0)
    return {
      at: 'unknown',
      reason: 'the capture holds only one direction of the control connection',
    };
  const clientHere = untouched(client);
  const serverHere = untouched(server);
  if (clientHere && !serverHere)
    return {
      at: 'client',
      reason: `the client's packets still have their initial TTL and the server's have crossed ${hops(server)} routers`,
    };
  if (serverHere && !clientHere)
    return {
      at: 'server',
      reason: `the server's packets still have their initial TTL and the client's have crossed ${hops(client)} routers`,
    };
  if (!clientHere && !serverHere)
    return {
      at: 'between',
      reason: `both sides' packets have crossed routers (client ${hops(client)}, server ${hops(server)}) before this point`,
    };
  return {
    at: 'unknown',
    reason:
      control.opener.address === control.acceptor.address
        ? 'client and server are the same machine'
        : 'client and server are on the same link: no router between them',
  };
}

const SCENARIO_COMMAND = /^(?:LIST|NLST)(?: .*)?$|^(?:RETR|STOR|CWD) .+$/i;

/** The capture's transfer commands as the sandbox can run them (its files, its verbs). */
function sandboxCommands(session: FtpSession): string[] {
  const out: string[] = [];
  for (const { command } of session.transfers) {
    const verb = command.split(' ')[0]!.toUpperCase();
    if (verb === 'RETR') out.push('RETR notes.txt');
    else if (verb === 'STOR' || verb === 'APPE' || verb === 'STOU') out.push('STOR upload.txt');
    else if (verb === 'LIST' || verb === 'MLSD') out.push('LIST');
    else if (verb === 'NLST') out.push('NLST');
  }
  const valid = out.filter((c) => SCENARIO_COMMAND.test(c)).slice(0, MAX_COMMANDS);
  return valid.length > 0 ? valid : ['LIST'];
}

const describeResult: Record<DataConnectionResult, string> = {
  completed: 'completed',
  dropped: 'dropped',
  refused: 'refused',
  unreachable: 'unreachable',
  'no-route': 'no route',
  'not-seen': 'not seen',
};

function isPrivate(address: string): boolean {
  return isIpv4(address) && isPrivateIpv4(address);
}

function failureKindOf(d: DataConnection): FailureKind {
  if (d.finalReply && isNegative(d.finalReply.code)) return d.finalReply.code;
  switch (d.result) {
    case 'refused':
      return 'refused';
    case 'unreachable':
      return 'unreachable';
    case 'no-route':
      return 'no-route';
    default:
      return 'timeout';
  }
}

function modeName(mode: CaptureDataMode): string {
  return {
    active: 'active mode (PORT)',
    eprt: 'extended active mode (EPRT)',
    passive: 'passive mode (PASV)',
    epsv: 'extended passive mode (EPSV)',
  }[mode];
}

/** The command the client sent to set the connection up: PORT/EPRT itself, or PASV/EPSV. */
function announcingCommand(d: DataConnection): string {
  if (d.mode === 'passive') return 'PASV';
  if (d.mode === 'epsv') return 'EPSV';
  return d.announcedBy;
}

/** Whether the client said anything after `tMs`, or the control connection closed. */
function sessionWentOn(s: FtpSession, tMs: number): boolean {
  const c = s.control;
  return (
    s.dialogue.some((l) => l.from === 'client' && l.tMs > tMs) ||
    c.fromOpener.fin !== null ||
    c.fromAcceptor.fin !== null ||
    c.fromOpener.rst !== null ||
    c.fromAcceptor.rst !== null
  );
}

interface Finding {
  failure: Diagnosis['failure'];
  explanation: string;
  fixes: string[];
  suggested: Omit<SuggestedScenario, 'commands'>;
}

function activeFailure(s: FtpSession, d: DataConnection, at: CapturedAt): Finding {
  const announcedPrivate = isPrivate(d.announced.address);
  const natted =
    announcedPrivate && (d.announced.address !== s.client.address || !isPrivate(s.server.address));
  const syns = d.synCount;
  const waited =
    d.connection && d.connection.synTimes.length > 1
      ? ` over ${formatTime(d.connection.synTimes.at(-1)! - d.connection.synTimes[0]!, 'duration')}`
      : '';
  const failure = { at: d.command ?? announcingCommand(d), kind: failureKindOf(d) };
  const helperFix =
    "turn on the FTP helper (nf_conntrack_ftp) on the client's firewall, so it expects the data connection as RELATED";
  if (natted) {
    return {
      failure,
      explanation: `${d.announcedBy} names ${d.announced.address}, a private address that is not the one the control connection comes from (${s.client.address}): the client is behind NAT and its router did not rewrite the PORT line. The server's data connection to ${d.announced.address}:${d.announced.port} was ${describeResult[d.result]}.`,
      fixes: [
        'use passive mode (PASV or EPSV)',
        "turn on the FTP helper on the client's NAT router, so it rewrites PORT/EPRT to the public address and lets the data connection in",
      ],
      suggested: { preset: 'client-nat', mode: d.mode },
    };
  }
  switch (d.result) {
    case 'dropped': {
      const where =
        at === 'client'
          ? "They reached the client's own link, so the client machine itself (its host firewall) did not answer."
          : "Nothing answered them, so something after this point, between here and the client, dropped them: most likely the client's stateful firewall, which lets in only replies to connections the client opened.";
      return {
        failure,
        explanation: `In ${modeName(d.mode)} the server opened the data connection from ${d.from} to ${d.to}: ${syns} SYN${syns === 1 ? '' : 's'} sent${waited} and none answered. ${where}`,
        fixes: ['use passive mode (PASV or EPSV)', helperFix],
        suggested: { preset: 'client-stateful', mode: d.mode },
      };
    }
    case 'not-seen':
      return {
        failure,
        explanation: `In ${modeName(d.mode)} the server should have connected to ${d.to}, but no such connection appears in this capture${at === 'client' ? ": it was dropped before it reached the client's link, most likely by the client's firewall" : ''}.${d.finalReply ? ` The server then answered ${quote(d.finalReply)}.` : ''}`,
        fixes: ['use passive mode (PASV or EPSV)', helperFix],
        suggested: { preset: 'client-stateful', mode: d.mode },
      };
    case 'refused':
      return {
        failure,
        explanation: `The server's data connection to ${d.to} was answered with a TCP RST by ${d.answeredBy}: ${d.answeredBy === d.announced.address ? "nothing listened on that port, or the client's host firewall rejects with tcp-reset" : 'a firewall rejecting with tcp-reset'}.`,
        fixes: ['use passive mode (PASV or EPSV)', helperFix],
        suggested: { preset: 'client-stateful-reject', mode: d.mode },
      };
    case 'unreachable':
      return {
        failure,
        explanation: `The server's data connection to ${d.to} was rejected: ${d.answeredBy} sent ICMP ${d.icmpKind}, as a firewall with a REJECT rule does.`,
        fixes: ['use passive mode (PASV or EPSV)', helperFix],
        suggested: { preset: 'client-stateful-reject', mode: d.mode },
      };
    default:
      return {
        failure,
        explanation: `The server's data connection to ${d.to} found no route${d.answeredBy ? ` (ICMP ${d.icmpKind} from ${d.answeredBy})` : ''}: the address in ${d.announcedBy} cannot be reached from the server.`,
        fixes: [
          'use passive mode (PASV or EPSV)',
          "turn on the FTP helper on the client's NAT router, so it rewrites PORT/EPRT",
        ],
        suggested: { preset: 'client-nat', mode: d.mode },
      };
  }
}

function passiveFailure(s: FtpSession, d: DataConnection): Finding {
  const failure = { at: d.command ?? announcingCommand(d), kind: failureKindOf(d) };
  const range =
    "open the server's passive port range in its firewall (and configure the server to use only that range)";
  const helper =
    "turn on the FTP helper on the server's firewall, so it reads 227/229 and lets the data connection in as RELATED";
  const advertisedPrivate =
    d.mode === 'passive' &&
    isPrivate(d.announced.address) &&
    (d.announced.address !== s.server.address || !isPrivate(s.client.address));
  if (advertisedPrivate) {
    return {
      failure,
      explanation: `${d.announcedBy} names ${d.announced.address}, a private address, while the client reached the server at ${s.server.address}: the server is behind NAT and advertises its own address. The client's connection to ${d.to} was ${describeResult[d.result]}.`,
      fixes: [
        'configure the server to advertise its public address in 227 (vsftpd pasv_address, pyftpdlib masquerade_address)',
        'use EPSV, whose 229 reply carries no address',
        'let the client ignore the 227 address (curl does by default; lftp: set ftp:ignore-pasv-address)',
        "turn on the FTP helper on the server's NAT router, so it rewrites the 227 reply",
      ],
      suggested: { preset: 'server-nat-private', mode: d.mode, advertise: 'private' },
    };
  }
  const syns = d.synCount;
  switch (d.result) {
    case 'dropped':
    case 'not-seen':
      return {
        failure,
        explanation:
          d.result === 'dropped'
            ? `In ${modeName(d.mode)} the client connected from ${d.from} to ${d.to}: ${syns} SYN${syns === 1 ? '' : 's'} and no answer, so something after this point, between here and the server, dropped them: most likely the server's firewall, open only for port 21.`
            : `In ${modeName(d.mode)} the client should have connected to ${d.to}, but no such connection appears in this capture: it was stopped before this point.${d.finalReply ? ` The server answered ${quote(d.finalReply)}.` : ''}`,
        fixes: [
          range,
          helper,
          "as a stopgap, active mode, if the client's side lets the server connect in",
        ],
        suggested: { preset: 'server-only-21', mode: d.mode },
      };
    case 'refused':
    case 'unreachable':
      return {
        failure,
        explanation: `The client's data connection to ${d.to} was rejected by ${d.answeredBy} (${d.result === 'refused' ? 'TCP RST' : `ICMP ${d.icmpKind}`}): ${d.answeredBy === s.server.address ? 'the server had nothing listening there, or its host firewall rejects it' : 'a firewall on the way with a REJECT rule'}.`,
        fixes: [range, helper],
        suggested: { preset: 'server-only-21-reject', mode: d.mode },
      };
    default:
      return {
        failure,
        explanation: `The client's data connection to ${d.to} found no route (ICMP ${d.icmpKind ?? ''} from ${d.answeredBy}).`,
        fixes: ['configure the server to advertise an address the client can reach', 'use EPSV'],
        suggested: { preset: 'server-nat-private', mode: d.mode },
      };
  }
}

export function diagnoseSession(s: FtpSession): Diagnosis {
  const where = whereCaptured(s.control);
  const commands = sandboxCommands(s);
  const notes: string[] = [];
  const firstMode = s.dataConnections[0]?.mode ?? 'passive';
  const done = (f: Finding, outcome: SessionOutcome = 'failure'): Diagnosis => ({
    capturedAt: where.at,
    capturedAtReason: where.reason,
    outcome,
    failure: f.failure,
    explanation: f.explanation,
    fixes: f.fixes,
    notes,
    suggested: { ...f.suggested, commands },
  });

  for (const g of s.gaps)
    notes.push(
      `${g.bytes} bytes of the ${g.from}'s control stream ${g.why} (at stream byte ${g.at})`,
    );
  // An EPSV or EPRT the server refused, with PASV or PORT after it: the client fell back.
  for (let i = 0; i + 1 < s.modeAttempts.length; i++) {
    const a = s.modeAttempts[i]!;
    const b = s.modeAttempts[i + 1]!;
    if (a.reply && isNegative(a.reply.code) && /^(EPSV|EPRT)/i.test(a.command))
      notes.push(
        `${a.command.split(' ')[0]} got ${quote(a.reply)}; the client fell back to ${b.command.split(' ')[0]}`,
      );
  }

  if (s.loginFailed)
    return done({
      failure: { at: 'login', kind: s.loginFailed.code },
      explanation: `The server refused the login: ${s.loginFailed.code} ${s.loginFailed.text}. No data connection was tried.`,
      fixes: ['check the user name and password'],
      suggested: { preset: 'no-firewall', mode: firstMode },
    });

  for (const a of s.modeAttempts) {
    if (!a.reply || !isNegative(a.reply.code)) continue;
    const verb = a.command.split(' ')[0]!.toUpperCase();
    // A 425 to PORT/EPRT is a connection the server tried and lost: the data connections tell.
    if (a.reply.code === 425 && (verb === 'PORT' || verb === 'EPRT')) continue;
    // Fell back: the next attempt is another mode (the same verb again serves the next transfer).
    const after = s.modeAttempts[s.modeAttempts.indexOf(a) + 1];
    if (after && after.command.split(' ')[0]!.toUpperCase() !== verb) continue;
    const next = s.transfers.find(
      (t) => t.tMs >= 0 && s.commands.indexOf(t.command) > s.commands.indexOf(a.command),
    );
    if (verb === 'PORT' || verb === 'EPRT') {
      const arg = a.command.slice(5);
      const named =
        verb === 'PORT'
          ? arg.split(',').slice(0, 4).join('.')
          : (arg.split(arg[0] ?? '|')[2] ?? '');
      // Inside the client's LAN the PORT address is the client's own, yet private while the server is not.
      const natted =
        named !== s.client.address || (isPrivate(named) && !isPrivate(s.server.address));
      return done({
        failure: { at: next?.command ?? a.command, kind: a.reply.code },
        explanation: natted
          ? `The server refused ${a.command} with ${quote(a.reply)}: it names ${named}, ${
              named === s.client.address
                ? `the client's private address, while the server (${s.server.address}) is public and sees the control connection come from the NAT router's public address`
                : `not the address the control connection comes from (${s.client.address})`
            }. The client is behind NAT and its router did not rewrite ${verb}; servers refuse such a ${verb} to stop FTP bounce attacks.`
          : `The server refused ${a.command} with ${quote(a.reply)}.`,
        fixes: natted
          ? [
              'use passive mode (PASV or EPSV)',
              "turn on the FTP helper on the client's NAT router, so it rewrites PORT",
            ]
          : ['use passive mode (PASV or EPSV)'],
        suggested: {
          preset: natted ? 'client-nat' : 'no-firewall',
          mode: verb === 'PORT' ? 'active' : 'eprt',
        },
      });
    }
    return done({
      failure: { at: next?.command ?? a.command, kind: a.reply.code },
      explanation: `The server refused ${a.command} with ${quote(a.reply)}, and the client did not try another mode.`,
      fixes: [
        verb === 'EPSV'
          ? 'use PASV (most clients fall back by themselves)'
          : 'use active mode or EPSV',
      ],
      suggested: { preset: 'no-firewall', mode: verb === 'EPSV' ? 'passive' : 'epsv' },
    });
  }

  for (const d of s.dataConnections) {
    if (d.result === 'completed') {
      if (d.finalReply && isNegative(d.finalReply.code))
        return done({
          failure: { at: d.command ?? d.announcedBy, kind: d.finalReply.code },
          explanation: `The data connection for ${d.command} was made (${d.from} → ${d.to}, ${d.bytes} bytes), but the server answered ${quote(d.finalReply)}.`,
          fixes: [],
          suggested: { preset: 'no-firewall', mode: d.mode },
        });
      continue;
    }
    // An announcement still waiting for its connection when the capture ends decides nothing.
    if (d.result === 'not-seen' && d.command === null && !sessionWentOn(s, d.tMs)) continue;
    const f = d.opener === 'server' ? activeFailure(s, d, where.at) : passiveFailure(s, d);
    if (d.finalReply?.code === 425 && d.command) {
      const transfer = s.transfers.find((t) => t.command === d.command);
      const replyLine = s.dialogue.find(
        (l) => l.from === 'server' && l.code === 425 && transfer && l.tMs >= transfer.tMs,
      );
      if (transfer && replyLine && replyLine.tMs - transfer.tMs >= 5000)
        f.explanation += ` The server gave up with 425 after ${formatTime(replyLine.tMs - transfer.tMs, 'duration')}.`;
    }
    return done(f);
  }

  for (const t of s.transfers) {
    if (t.finalReply && isNegative(t.finalReply.code)) {
      return done({
        failure: { at: t.command, kind: t.finalReply.code },
        explanation: `The server answered ${t.command} with ${t.finalReply.code} ${t.finalReply.text}${s.dataConnections.some((d) => d.command === t.command) ? '' : ' (no data connection was announced for it)'}.`,
        fixes: [],
        suggested: { preset: 'no-firewall', mode: firstMode },
      });
    }
  }
  // No transfer command, but the client stopped after an error reply (curl quits on a 550 to
  // SIZE before it sends RETR): the command that drew it is where the session failed.
  if (s.transfers.length === 0) {
    let last = -1;
    s.dialogue.forEach((l, i) => {
      if (l.from === 'server' && l.code !== null && isNegative(l.code)) last = i;
    });
    const asked = s.dialogue
      .slice(0, Math.max(last, 0))
      .reverse()
      .find((l) => l.from === 'client');
    const after = s.dialogue.slice(last + 1).filter((l) => l.from === 'client');
    if (last >= 0 && asked && after.every((l) => /^QUIT$/i.test(l.text))) {
      const reply = s.dialogue[last]!;
      return done({
        failure: { at: asked.text, kind: reply.code! },
        explanation: `The server answered ${asked.text} with ${reply.text}, and the client sent no transfer command after it.`,
        fixes: [],
        suggested: { preset: 'no-firewall', mode: firstMode },
      });
    }
  }
  const unfinished = s.transfers.find((t) => t.finalReply === null);
  if (unfinished || s.dialogue.length === 0 || s.transfers.length === 0) {
    const what = unfinished
      ? `the capture ends before the server's final reply to ${unfinished.command}`
      : s.dialogue.length === 0
        ? 'the capture holds no control dialogue'
        : 'the capture holds no transfer command';
    return done(
      {
        failure: null,
        explanation: `Nothing failed in what was captured, but ${what}.`,
        fixes: [],
        suggested: { preset: 'no-firewall', mode: firstMode },
      },
      'incomplete',
    );
  }
  // A 227 naming a private address other than the server's worked only because the client
  // could reach that address (same site, or a route to it): from outside it would fail.
  const privatePasv = s.dataConnections.find(
    (d) =>
      d.mode === 'passive' &&
      d.announced.address !== s.server.address &&
      isPrivate(d.announced.address),
  );
  if (privatePasv)
    notes.push(
      `${privatePasv.announcedBy} names ${privatePasv.announced.address}, a private address, while the client reached the server at ${s.server.address}: the server is behind NAT and advertises its own address. It worked here because the client can reach ${privatePasv.announced.address}; a client elsewhere could not. Configure the server to advertise its public address, or use EPSV.`,
    );
  const summary = s.dataConnections
    .map(
      (d) =>
        `${d.command ?? d.announcedBy}: ${modeName(d.mode)}, ${d.from} → ${d.to}, ${d.bytes} bytes`,
    )
    .join('; ');
  return done(
    {
      failure: null,
      explanation: `Every transfer completed${summary ? ` (${summary})` : ''}.`,
      fixes: [],
      suggested: privatePasv
        ? { preset: 'server-nat-private', mode: firstMode, advertise: 'private' }
        : { preset: 'no-firewall', mode: firstMode },
    },
    'success',
  );
}
