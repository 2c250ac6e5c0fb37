import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../capture';
import type { Connection } from '../capture/connections';
import { formatEndpoint } from '../protocol/endpoint';
import { parseEprt, parseEpsvReply, parseHostPort, parsePasvReply } from '../protocol/ftp-address';
import type { DataConnectionResult } from '../scenario/outcome';
import type { Scenario } from '../scenario/types';
import type { RunnerInput, RunnerOutput } from './client-runner';
import {
  buildNetwork,
  inNamespace,
  LabError,
  namespacesFor,
  removeNetwork,
  run,
  type LabNetwork,
} from './netns';
import {
  curlArgs,
  DEBIAN_PYTHON,
  FTPLIB_CLIENT,
  LAB_USER,
  lftpScript,
  pyftpdlibArgs,
  rfc959Invocation,
  runIn,
  startIn,
  vsftpdConfig,
  waitForListener,
  writeSampleFiles,
  type LabClient,
  type LabServer,
  type LabTimeouts,
  type Running,
} from './programs';
import { isNegative } from '../protocol/ftp-reply';
import { LFTP_COMMANDS } from '../machines/client-reports';

/**
 * `lab`: the scenario on the real kernel. Builds the namespaces, loads the routers' nftables
 * rulesets, captures every link, starts the real server, runs the real client, and reads what
 * happened (the client's own report and the captures) into a summary shaped like `sim --json`'s.
 */

export type ClientError = 'timeout' | 'refused' | 'no-route' | 'unreachable';
export type LinkName = LabNetwork['links'][number]['name'];
type Node = 'client' | 'client-router' | 'internet' | 'server-router' | 'server';

function isPrivate(address: string): boolean {
  const [a, b] = address.split('.').map(Number) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

export interface LabDataConnection {
  command: string | null;
  opener: 'client' | 'server';
  from: string;
  to: string;
  result: DataConnectionResult;
  synCount: number;
  /** The router that stopped it, or the host that refused it, as far as the captures show. */
  decidedBy: Node | null;
}

export interface LabSummary {
  outcome: 'success' | 'failure';
  failedAt: string | null;
  failureKind: string | null;
  replyCodes: number[];
  /** The reply that ended a failed step (e.g. 425), or null. */
  failureReply: number | null;
  clientError: ClientError | null;
  /** What the client said went wrong, in its own words. */
  clientMessage: string | null;
  /** Mode changes the client made on its own (curl: EPSV → PASV). */
  fallbacks: string[];
  dataConnections: LabDataConnection[];
  elapsedMs: number;
  programs: { server: LabServer; client: LabClient; kernel: string };
  /** The client's control dialogue, "C: ..." and "S: ..." lines. */
  dialogue: string[];
  captures: Record<LinkName, string> | null;
}

export interface LabOptions {
  server?: LabServer;
  client?: LabClient;
  timeouts?: LabTimeouts;
  /** net.ipv4.tcp_syn_retries in every namespace: Linux's default is 6 (a connect gives up after 127 s). */
  synRetries?: number;
  /** Keep the link captures here. */
  pcapDir?: string;
  /** A unique short tag for the namespaces (runs in parallel need different ones). */
  tag?: string;
}

export const DEFAULT_TIMEOUTS: LabTimeouts = { replySeconds: 10, clientSeconds: 40 };

let runs = 0;

/** The live runs' clean-ups, so a signal handler can undo everything (see src/cli/lab.ts). */
export const activeCleanups = new Set<() => Promise<void>>();

export async function runLab(scenario: Scenario, options: LabOptions = {}): Promise<LabSummary> {
  if (process.getuid?.() !== 0) {
    throw new LabError('the lab needs root (network namespaces and nftables): run it with sudo');
  }
  const server = options.server ?? 'vsftpd';
  const client = options.client ?? 'rfc959';
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  if (client === 'lftp' && scenario.mode === 'eprt') {
    throw new LabError(
      'lftp sends EPRT only over IPv6; with IPv4 pick --mode active, passive or epsv',
    );
  }
  if (client === 'ftplib' && (scenario.mode === 'eprt' || scenario.mode === 'epsv')) {
    throw new LabError(
      `ftplib sends ${scenario.mode === 'eprt' ? 'EPRT' : 'EPSV'} only over IPv6; with IPv4 pick --mode active or passive`,
    );
  }
  const tag = options.tag ?? `${process.pid.toString(36)}${(runs++).toString(36)}`;
  const work = mkdtempSync(join(tmpdir(), 'ftplab-'));
  const running: Running[] = [];
  let network: LabNetwork | null = null;
  // Once only: a signal handler and the run's own `finally` may both ask for it at the same time.
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.all(running.map((r) => r.stop()));
      // By name, so a run interrupted while its network was being built leaves nothing either.
      removeNetwork(network ?? { ns: namespacesFor(tag) });
      rmSync(work, { recursive: true, force: true });
    })());
  activeCleanups.add(cleanup);
  try {
    network = buildNetwork(scenario, tag);
    const net = network;
    const synRetries = String(options.synRetries ?? 6);
    for (const ns of Object.values(net.ns)) {
      run(...inNamespace(ns, 'sysctl', ['-q', '-w', `net.ipv4.tcp_syn_retries=${synRetries}`]));
    }
    const captures = await startCaptures(net, work, running);
    await startServer(server, scenario, net, work, timeouts, running);
    const started = performance.now();
    const report =
      client === 'rfc959'
        ? await runRfc959(scenario, net, timeouts)
        : client === 'ftplib'
          ? await runFtplib(scenario, net, timeouts)
          : client === 'lftp'
            ? await runLftp(scenario, net, timeouts, work)
            : await runCurl(scenario, net, timeouts);
    const elapsedMs = performance.now() - started;
    // Let the last FIN and ACK reach the captures before they stop.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all(running.splice(0).map((r) => r.stop()));
    const byLink = readLinks(captures);
    let kept: Record<LinkName, string> | null = null;
    if (options.pcapDir) {
      mkdirSync(options.pcapDir, { recursive: true });
      kept = {} as Record<LinkName, string>;
      for (const [name, file] of Object.entries(captures) as [LinkName, string][]) {
        const target = join(options.pcapDir, `${name}.pcap`);
        copyFileSync(file, target);
        kept[name] = target;
      }
    }
    return {
      ...report,
      dataConnections: dataConnections(scenario, net, byLink, report.dialogue),
      elapsedMs,
      programs: {
        server,
        client,
        kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
      },
      captures: kept,
    };
  } finally {
    activeCleanups.delete(cleanup);
    await cleanup();
  }
}

async function startCaptures(
  net: LabNetwork,
  work: string,
  running: Running[],
): Promise<Record<LinkName, string>> {
  const files = {} as Record<LinkName, string>;
  await Promise.all(
    net.links.map(async (link) => {
      const file = join(work, `${link.name}.pcap`);
      files[link.name] = file;
      const capture = startIn(link.ns, 'tcpdump', [
        '-i',
        link.dev,
        '-n',
        '-U',
        '--immediate-mode',
        '-s',
        '0',
        '-w',
        file,
        'ip',
      ]);
      running.push(capture);
      const deadline = Date.now() + 15_000;
      while (!capture.output().includes('listening on')) {
        if (Date.now() > deadline || capture.child.exitCode !== null) {
          throw new LabError(
            `tcpdump did not start on ${link.name} (exit ${capture.child.exitCode}): ${capture.output().trim() || 'no output'}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }),
  );
  return files;
}

async function startServer(
  server: LabServer,
  scenario: Scenario,
  net: LabNetwork,
  work: string,
  timeouts: LabTimeouts,
  running: Running[],
): Promise<void> {
  const root = join(work, 'root');
  const empty = join(work, 'empty');
  mkdirSync(root, { recursive: true });
  mkdirSync(empty, { recursive: true });
  writeSampleFiles(root);
  if (server === 'pyftpdlib') {
    const child = startIn(net.ns.server, DEBIAN_PYTHON, pyftpdlibArgs(scenario, net, root));
    running.push(child);
    try {
      await waitForListener(net.ns.server, 21, 15_000);
    } catch {
      throw new LabError(`pyftpdlib did not start: ${child.output().trim() || 'no output'}`);
    }
  }
  if (server === 'vsftpd') {
    const config = join(work, 'vsftpd.conf');
    writeFileSync(config, vsftpdConfig(scenario, net, { root, empty }, timeouts));
    const child = startIn(net.ns.server, '/usr/sbin/vsftpd', [config]);
    running.push(child);
    try {
      await waitForListener(net.ns.server, 21, 15_000);
    } catch {
      throw new LabError(`vsftpd did not start: ${child.output().trim() || 'no output'}`);
    }
  }
}

type ClientReport = Pick<
  LabSummary,
  | 'outcome'
  | 'failedAt'
  | 'failureKind'
  | 'replyCodes'
  | 'failureReply'
  | 'clientError'
  | 'clientMessage'
  | 'fallbacks'
  | 'dialogue'
>;

/** errno names and the words programs print for them, as the kind of error a learner sees. */
export function clientErrorOf(text: string): ClientError | null {
  if (/ECONNREFUSED|Connection refused/i.test(text)) return 'refused';
  if (/EHOSTUNREACH|No route to host/i.test(text)) return 'no-route';
  if (/ENETUNREACH|Network is unreachable|unreachable/i.test(text)) return 'unreachable';
  if (/ETIMEDOUT|timed out|timeout/i.test(text)) return 'timeout';
  return null;
}

/**
 * A client that never had the server's greeting failed on its control connection, not on a data
 * connection: curl and lftp print the same message for both (curl names port 21 either way).
 */
function neverGreeted(dialogue: readonly string[]): boolean {
  return !dialogue.some((l) => /^S: 220\b/.test(l));
}

function replyCodesOf(lines: string[]): number[] {
  const codes: number[] = [];
  for (const line of lines) {
    const match = /^(\d{3}) /.exec(line);
    if (match) codes.push(Number(match[1]));
  }
  return codes;
}

async function runRfc959(
  scenario: Scenario,
  net: LabNetwork,
  timeouts: LabTimeouts,
): Promise<ClientReport> {
  const input: RunnerInput = {
    host: net.addressing.serverPublic,
    port: 21,
    user: LAB_USER,
    password: scenario.client.password,
    mode: scenario.mode,
    type: scenario.type,
    commands: scenario.commands,
    pasvAddress: scenario.pasvAddress,
    replyTimeoutMs: timeouts.replySeconds * 1000 + 5000,
    sessionTimeoutMs: timeouts.clientSeconds * 1000,
  };
  const { program, args } = rfc959Invocation();
  const result = await runIn(
    net.ns.client,
    program,
    args,
    timeouts.clientSeconds + 10,
    JSON.stringify(input),
  );
  let output: RunnerOutput;
  try {
    output = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as RunnerOutput;
  } catch {
    throw new LabError(
      `the rfc959 client printed no result (exit ${result.code}): ${result.stderr.trim().slice(0, 300)}`,
    );
  }
  const dialogue = output.events
    .filter((e) => e.kind === 'line')
    .map((e) => `${e.from === 'client' ? 'C' : 'S'}: ${e.text}`);
  const serverLines = output.events.flatMap((e) =>
    e.kind === 'line' && e.from === 'server' ? [e.text] : [],
  );
  const failure = output.failure;
  const message = failure?.detail ?? output.error ?? null;
  return {
    outcome: output.ok ? 'success' : 'failure',
    failedAt: failure?.step ?? (output.ok ? null : 'session'),
    failureKind: failure?.kind ?? (output.ok ? null : 'error'),
    replyCodes: replyCodesOf(serverLines),
    failureReply: failure?.code ?? null,
    clientError: failure && failure.code === null && message ? clientErrorOf(message) : null,
    clientMessage: message,
    fallbacks: [],
    dialogue,
  };
}

const TRANSFER = /^(LIST|NLST|RETR|STOR|APPE|MLSD)\b/i;

async function runFtplib(
  scenario: Scenario,
  net: LabNetwork,
  timeouts: LabTimeouts,
): Promise<ClientReport> {
  const input = {
    host: net.addressing.serverPublic,
    user: LAB_USER,
    password: scenario.client.password,
    mode: scenario.mode,
    type: scenario.type,
    commands: scenario.commands,
    timeout: timeouts.replySeconds + 5,
  };
  const result = await runIn(
    net.ns.client,
    DEBIAN_PYTHON,
    [FTPLIB_CLIENT],
    timeouts.clientSeconds + 10,
    JSON.stringify(input),
  );
  let output: {
    lines: string[];
    ok: boolean;
    failedAt: string | null;
    error: string | null;
    code: number | null;
  };
  try {
    output = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as typeof output;
  } catch {
    throw new LabError(
      `the ftplib client printed no result (exit ${result.code}): ${result.stderr.trim().slice(0, 300)}`,
    );
  }
  const serverLines = output.lines.filter((l) => l.startsWith('S: ')).map((l) => l.slice(3));
  const failedAt = output.ok ? null : output.failedAt;
  return {
    outcome: output.ok ? 'success' : 'failure',
    failedAt,
    failureKind: output.ok
      ? null
      : output.code !== null
        ? failedAt === 'login'
          ? 'login'
          : 'reply'
        : failedAt === 'connect'
          ? 'control-connect'
          : failedAt && TRANSFER.test(failedAt)
            ? 'data-connect'
            : 'control-lost',
    replyCodes: replyCodesOf(serverLines),
    failureReply: output.code,
    clientError:
      output.ok || output.code !== null || !output.error ? null : clientErrorOf(output.error),
    clientMessage: output.error,
    fallbacks: [],
    dialogue: output.lines,
  };
}

async function runLftp(
  scenario: Scenario,
  net: LabNetwork,
  timeouts: LabTimeouts,
  work: string,
): Promise<ClientReport> {
  const upload = join(work, 'upload.txt');
  writeFileSync(upload, 'Uploaded by the FTP Lab client.\nLine two.\n');
  const script = lftpScript(
    scenario,
    net.addressing.serverPublic,
    upload,
    timeouts.replySeconds + 5,
  );
  const result = await runIn(net.ns.client, 'lftp', ['-c', script], timeouts.clientSeconds + 10);
  const lines = `${result.stdout}\n${result.stderr}`.split('\n');
  const dialogue: string[] = [];
  const serverLines: string[] = [];
  for (const line of lines) {
    if (line.startsWith('<--- ')) {
      serverLines.push(line.slice(5));
      dialogue.push(`S: ${line.slice(5)}`);
    } else if (line.startsWith('---> ')) {
      dialogue.push(`C: ${line.slice(5)}`);
    }
  }
  const ok = result.code === 0;
  // lftp names the failed command first: "ls: Fatal error: max-retries exceeded", "cat: Access failed: 550 …".
  const failure = lines.find((l) => /^(ls|cat|put|quote|open): /.test(l)) ?? null;
  const codes = replyCodesOf(serverLines);
  const failedVerb = failure?.split(':')[0];
  const verbOf = Object.fromEntries(
    Object.entries(LFTP_COMMANDS).map(([verb, command]) => [command, verb]),
  );
  const reply = failure ? /(\d{3}) /.exec(failure) : null;
  const control = !ok && !reply && neverGreeted(dialogue);
  const failedAt = ok
    ? null
    : control
      ? 'login'
      : (scenario.commands.find(
          (c) => c.split(' ')[0]!.toUpperCase() === verbOf[failedVerb ?? ''],
        ) ?? 'session');
  const cause =
    lines
      .filter(
        (l) => /^\*\*\*\* /.test(l) || /Connection refused|No route|timed out|Timeout/i.test(l),
      )
      .pop() ?? failure;
  return {
    outcome: ok ? 'success' : 'failure',
    failedAt,
    failureKind: ok ? null : reply ? 'reply' : control ? 'control-connect' : 'data-connect',
    replyCodes: codes,
    failureReply: reply ? Number(reply[1]) : null,
    clientError: ok || reply || !cause ? null : clientErrorOf(cause),
    clientMessage: failure,
    fallbacks: lines.some((l) => /Switching passive mode on/.test(l)) ? ['PORT→PASV'] : [],
    dialogue,
  };
}

/** curl's exit codes that mean the server's reply ended the step (RFC 959 reply, not a socket error). */
const CURL_REPLY_EXITS = new Set([9, 19, 25, 30]);

async function runCurl(
  scenario: Scenario,
  net: LabNetwork,
  timeouts: LabTimeouts,
): Promise<ClientReport> {
  const args = curlArgs(scenario, net.addressing.serverPublic, timeouts.clientSeconds);
  const result = await runIn(net.ns.client, 'curl', args, timeouts.clientSeconds + 10);
  const lines = result.stderr.split('\n');
  const dialogue: string[] = [];
  const serverLines: string[] = [];
  const sent: string[] = [];
  for (const line of lines) {
    if (line.startsWith('< ')) {
      serverLines.push(line.slice(2).trimEnd());
      dialogue.push(`S: ${line.slice(2).trimEnd()}`);
    } else if (line.startsWith('> ')) {
      sent.push(line.slice(2).trimEnd());
      dialogue.push(`C: ${line.slice(2).trimEnd()}`);
    }
  }
  const codes = replyCodesOf(serverLines);
  const ok = result.code === 0;
  const message = lines.find((l) => l.startsWith('curl: ('))?.trim() ?? null;
  // curl 7.88's last line names the control port whatever failed; its verbose log has the real
  // cause ("*   Trying 198.51.100.20:40078...", "* connect to ... port 40078 failed: Connection refused").
  const cause = lines.filter((l) => /connect to .* failed: /.test(l)).pop() ?? message;
  const completed = codes.filter((c) => c === 226).length;
  const replyFailure = result.code !== null && CURL_REPLY_EXITS.has(result.code);
  const control = !ok && !replyFailure && neverGreeted(dialogue);
  const failedAt = ok
    ? null
    : control
      ? 'login'
      : (scenario.commands[Math.min(completed, scenario.commands.length - 1)] ?? null);
  const verbs = sent.map((s) => s.split(' ')[0]!.toUpperCase());
  const fallbacks: string[] = [];
  if (verbs.includes('EPSV') && verbs.includes('PASV')) fallbacks.push('EPSV→PASV');
  if (verbs.includes('EPRT') && verbs.includes('PORT')) fallbacks.push('EPRT→PORT');
  const lastCode = codes.filter(isNegative).pop() ?? null;
  return {
    outcome: ok ? 'success' : 'failure',
    failedAt,
    failureKind: ok ? null : replyFailure ? 'reply' : control ? 'control-connect' : 'data-connect',
    replyCodes: codes,
    failureReply: ok ? null : lastCode,
    clientError: ok || replyFailure || !cause ? null : clientErrorOf(cause),
    clientMessage: message,
    fallbacks,
    dialogue,
  };
}

function readLinks(files: Record<LinkName, string>): Record<LinkName, Connection[]> {
  const out = {} as Record<LinkName, Connection[]>;
  for (const [name, file] of Object.entries(files) as [LinkName, string][]) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch {
      out[name] = [];
      continue;
    }
    out[name] = bytes.length === 0 ? [] : readCapture(bytes).connections;
  }
  return out;
}

const PATH: { link: LinkName; after: Node }[] = [
  { link: 'client-lan', after: 'client-router' },
  { link: 'internet', after: 'server-router' },
  { link: 'server-lan', after: 'server' },
];

/** A data connection the client's log announced: the port it named and the transfer it was for. */
export interface AnnouncedData {
  port: number | null;
  command: string | null;
}

function announcedPort(verb: string, arg: string, reply: string): number | null {
  const parsed =
    verb === 'PORT'
      ? parseHostPort(arg)
      : verb === 'EPRT'
        ? parseEprt(arg)
        : verb === 'PASV'
          ? parsePasvReply(reply)
          : parseEpsvReply(reply);
  return parsed.ok ? parsed.value.port : null;
}

/**
 * Each data connection the client set up, as its log shows: a PORT/EPRT/PASV/EPSV the server
 * accepted (or a PORT/EPRT pyftpdlib answered 425, having tried to connect at once), named by the
 * transfer command the client sent next on the same control connection. lftp retries a command
 * on the same or a new control connection, so its retried LIST is LIST again. Where the log holds
 * no transfer command (curl and ftplib connect in passive mode before they send it, and curl
 * gives up a URL whose PORTs pyftpdlib answered 425), the connection served the script's next
 * transfer, curl's next URL, unless it is the same step's second try: a data command sent again
 * on the same control connection with no transfer command between (curl sends a refused PORT once
 * more).
 */
export function announcedData(
  dialogue: readonly string[],
  transfers: readonly string[],
): AnnouncedData[] {
  const out: { data: AnnouncedData; connection: number }[] = [];
  let connection = 0;
  let open: AnnouncedData | null = null;
  dialogue.forEach((line, i) => {
    // A greeting starts a new control connection: what the last one announced served nothing here.
    if (/^S: 220 /.test(line)) {
      connection += 1;
      open = null;
    }
    if (!line.startsWith('C: ')) return;
    const text = line.slice(3).trim();
    const verb = text.split(' ')[0]!.toUpperCase();
    if (verb === 'PORT' || verb === 'EPRT' || verb === 'PASV' || verb === 'EPSV') {
      open = null;
      const reply = dialogue.slice(i + 1).find((l) => /^S: \d{3}( |$)/.test(l));
      if (reply === undefined) return;
      const accepted =
        reply.startsWith('S: 2') ||
        (reply.startsWith('S: 425') && (verb === 'PORT' || verb === 'EPRT'));
      if (!accepted) return;
      const argument = text.slice(verb.length).trim();
      open = { port: announcedPort(verb, argument, reply.slice(7)), command: null };
      out.push({ data: open, connection });
    } else if (TRANSFER.test(text) && open !== null) {
      open.command = text;
      open = null;
    }
  });
  // Where in the script each announcement stands: a named one at its command (a retry stays put),
  // an unnamed one at the next transfer, or where the one before it was (its second try).
  let at = -1;
  let previous: { logged: boolean; connection: number } | null = null;
  for (const { data, connection: on } of out) {
    const logged = data.command !== null;
    if (!logged) {
      const secondTry = previous !== null && !previous.logged && previous.connection === on;
      if (!secondTry) at += 1;
      data.command = transfers[at] ?? null;
    } else {
      const same = (t: string) => t.toUpperCase() === data.command!.toUpperCase();
      const found = transfers.findIndex((t, k) => k >= Math.max(at, 0) && same(t));
      if (found >= 0) at = found;
    }
    previous = { logged, connection: on };
  }
  return out.map((a) => a.data);
}

/**
 * The data connections, matched across the three links by the SYN's sequence number, each named
 * by the announcement in the client's log whose port it went to (else the next one in order).
 */
function dataConnections(
  scenario: Scenario,
  net: LabNetwork,
  byLink: Record<LinkName, Connection[]>,
  dialogue: readonly string[],
): LabDataConnection[] {
  const isData = (c: Connection) => !c.control && c.opener.port !== 21 && c.acceptor.port !== 21;
  const clientAddresses = new Set([net.addressing.client, net.addressing.clientRouter.wan]);
  const all = PATH.flatMap(({ link }) => byLink[link].filter(isData).map((c) => ({ link, c })));
  const seen = new Map<string, { link: LinkName; c: Connection }[]>();
  for (const entry of all) {
    const key = String(entry.c.fromOpener.isn ?? `${entry.link}:${entry.c.id}`);
    seen.set(key, [...(seen.get(key) ?? []), entry]);
  }
  const transfers = scenario.commands.filter((c) => TRANSFER.test(c));
  const announced = announcedData(dialogue, transfers);
  const named = new Set<number>();
  const commandOf = (entries: readonly { c: Connection }[]): string | null => {
    const ports = new Set(entries.map((e) => e.c.acceptor.port));
    let k = announced.findIndex((a, i) => !named.has(i) && a.port !== null && ports.has(a.port));
    if (k < 0) k = announced.findIndex((_, i) => !named.has(i));
    if (k < 0) return null;
    named.add(k);
    return announced[k]!.command;
  };
  const connections = [...seen.values()].sort((a, b) => a[0]!.c.firstMs - b[0]!.c.firstMs);
  return connections.map((entries) => {
    const opener = clientAddresses.has(entries[0]!.c.opener.address) ? 'client' : 'server';
    const order = opener === 'client' ? PATH : [...PATH].reverse();
    const onPath = order.filter((p) => entries.some((e) => e.link === p.link));
    const first = entries.find((e) => e.link === onPath[0]!.link)!.c;
    const last = entries.find((e) => e.link === onPath[onPath.length - 1]!.link)!.c;
    const reachedEnd = onPath[onPath.length - 1]!.link === order[order.length - 1]!.link;
    let result: DataConnectionResult;
    let decidedBy: Node | null = null;
    // The node beyond the last link the SYN was seen on: for the client's connections the next
    // node towards the server; for the server's, towards the client.
    const lastLinkIndex = PATH.findIndex((p) => p.link === onPath[onPath.length - 1]!.link);
    const beyond: Node =
      opener === 'client'
        ? PATH[lastLinkIndex]!.after
        : (['client', 'client-router', 'server-router'] as const)[lastLinkIndex]!;
    // A SYN-ACK seen on any link means the acceptor answered: one link's capture can miss a
    // packet (an EPRT cell once read "timed out" after its 150 and 226), which is no verdict.
    if (entries.some((e) => e.c.synAckMs !== null)) result = 'established';
    else if (last.refusedMs !== null && reachedEnd) {
      result = 'refused';
      decidedBy = opener === 'client' ? 'server' : 'client';
    } else if (first.refusedMs !== null || first.icmp.some((i) => /prohibited|port/.test(i.kind))) {
      result = 'rejected';
      decidedBy = beyond;
    } else if (first.icmp.length > 0) {
      result = 'unreachable';
      decidedBy = beyond;
    } else {
      result = reachedEnd ? 'timed out' : 'dropped';
      // A private destination the opener's own router could not send on: the Internet's doing.
      decidedBy =
        !reachedEnd && isPrivate(first.acceptor.address) && onPath.length === 1
          ? 'internet'
          : beyond;
    }
    return {
      command: commandOf(entries),
      opener,
      from: formatEndpoint(first.opener),
      to: formatEndpoint(first.acceptor),
      result,
      synCount: first.synTimes.length,
      decidedBy,
    };
  });
}
