import { and, assign, emit, enqueueActions, setup } from 'xstate';
import type { HostPort } from '../protocol/ftp-address';
import {
  formatEpsvReply,
  formatPasvReply,
  parseEprt,
  parseHostPort,
} from '../protocol/ftp-address';
import { formatReply } from '../protocol/ftp-reply';
import { rewordReply, VSFTPD, type ServerProfile } from './server-profiles';
import { concatBytes } from '../protocol/bytes';
import { encodeControlText } from '../protocol/control-text';
import { fromNetAscii, toNetAscii } from '../protocol/net-ascii';
import {
  formatListing,
  isDirectory,
  listDirectory,
  normalisePath,
  type DirectoryEntry,
  type FileStore,
} from './file-store';

/**
 * One FTP server session (RFC 959, RFC 2428), after vsftpd's behaviour and wording where RFC 959
 * leaves a choice: the data connection is opened before the 150 reply, a PORT or EPRT naming
 * anyone but the control connection's peer is refused (RFC 2577 §3), and the 226 follows as soon as
 * the data has been handed to TCP and the data connection closed.
 */

export interface FtpUser {
  user: string;
  password: string;
}

export interface FtpServerSettings {
  users: FtpUser[];
  allowAnonymous: boolean;
  greeting: string;
  /** Passive ports are chosen from this range (vsftpd pasv_min_port / pasv_max_port). */
  passivePorts: { from: number; to: number };
  /** The address written into 227 replies (vsftpd pasv_address); null: the control connection's local address. */
  passiveAddress: string | null;
  /** Source port of active-mode data connections (RFC 959 §3.2: L-1, i.e. 20). */
  activeSourcePort: number;
  /** How long to wait for a passive data connection after a transfer command (vsftpd accept_timeout). */
  acceptTimeoutMs: number;
  /** How long to try an active data connection before answering 425 (vsftpd connect_timeout). */
  connectTimeoutMs: number;
  files: FileStore;
  /** The server program it plays (server-profiles.ts); absent: vsftpd. */
  profile?: ServerProfile;
}

export type TransferVerb = 'LIST' | 'NLST' | 'RETR' | 'STOR';

export interface FtpServerInput {
  settings: FtpServerSettings;
  /** Addresses of the control connection as the server sees them. */
  localAddress: string;
  peerAddress: string;
  /** Seed for the passive port choice, so runs are reproducible. */
  seed: number;
}

export interface FtpServerContext extends FtpServerInput {
  files: FileStore;
  user: string | null;
  type: 'A' | 'I';
  cwd: string;
  activeTarget: HostPort | null;
  passivePort: number | null;
  passiveConnected: boolean;
  /** pyftpdlib: the active data connection opened on PORT is up, waiting for the transfer command. */
  activeConnected: boolean;
  passiveCount: number;
  transfer: { verb: TransferVerb; path: string } | null;
  upload: Uint8Array[];
}

export type FtpServerEvent =
  | { type: 'CONTROL_OPENED' }
  | { type: 'COMMAND'; verb: string; arg: string | null }
  | { type: 'BAD_LINE'; reason: string }
  | { type: 'DATA_CONNECTED' }
  | { type: 'DATA_FAILED'; detail: string }
  | { type: 'DATA_RECEIVED'; data: Uint8Array }
  | { type: 'DATA_EOF' }
  | { type: 'DATA_SENT' }
  | { type: 'CONTROL_CLOSED' };

export type FtpServerEmitted =
  | { type: 'reply'; code: number; text: string; wire: string }
  | { type: 'open-passive'; port: number }
  | { type: 'close-passive' }
  | { type: 'connect-active'; target: HostPort; sourcePort: number }
  | { type: 'abort-data' }
  | { type: 'send-data'; data: Uint8Array }
  | { type: 'close-data' }
  | { type: 'close-control' };

/** Commands RFC 959 defines that this server knows but does not implement: 502, not 500. */
const NOT_IMPLEMENTED = new Set([
  'ACCT',
  'SMNT',
  'REIN',
  'STOU',
  'APPE',
  'REST',
  'RNFR',
  'RNTO',
  'ABOR',
  'DELE',
  'RMD',
  'MKD',
  'SITE',
  'STAT',
  'HELP',
]);
const TRANSFER_VERBS: TransferVerb[] = ['LIST', 'NLST', 'RETR', 'STOR'];

/**
 * RFC 2389 §3.2: FEAT lists the extensions, one per line, each after a space. Worded and ordered as
 * vsftpd 3.0.3 answers with `utf8_filesystem=YES` (recorded on this machine: "211-Features:",
 * " UTF8", " EPRT", " EPSV", " MDTM", " PASV", " REST STREAM", " SIZE", " TVFS", "211 End"), less
 * MDTM, REST STREAM and SIZE, which this server does not implement (SIZE is answered only when it
 * plays a server program: the real-socket server, src/node, reads its files elsewhere). Debian's shipped vsftpd.conf
 * leaves utf8_filesystem off, and then vsftpd does not list UTF8 (it still answers OPTS UTF8 ON).
 */
const FEATURES = ['Features:', ' UTF8', ' EPRT', ' EPSV', ' PASV', ' TVFS', 'End'];

/** The guard for a command, or any of several: `isCommand('PASV')`, `isCommand(['PWD', 'XPWD'])`. */
function isCommand<V extends string | string[]>(verb: V) {
  return { type: 'isCommand', params: { verb } } as const;
}

/** The `reply` action with its code and text (RFC 959 §4.2), reworded by the server's profile. */
function replyWith(code: number, text: string) {
  return { type: 'reply', params: { code, text } } as const;
}

/** A row that answers a command with one fixed reply and stays in its state. */
function answer<V extends string | string[]>(verb: V, code: number, text: string) {
  return { guard: isCommand(verb), actions: replyWith(code, text) } as const;
}

/**
 * FEAT and OPTS are answered before login as after it, as vsftpd does (lftp sends FEAT and then
 * OPTS UTF8 ON before USER). RFC 2640 §3.1's OPTS UTF8: this server always speaks UTF-8, so ON is
 * acknowledged in vsftpd's words and anything else is vsftpd's 501. A server profile may list its
 * own features and answer OPTS its own way (pyftpdlib: 530 before login).
 */
function answerFeatAndOpts(loggedIn: boolean) {
  return [
    { guard: isCommand('FEAT'), actions: 'replyFeat' },
    { guard: isCommand('OPTS'), actions: { type: 'replyOpts', params: { loggedIn } } },
  ] as const;
}

type Ctx = FtpServerContext;
type Ev = FtpServerEvent;

function command(event: Ev): { verb: string; arg: string | null } {
  return event.type === 'COMMAND' ? event : { verb: '', arg: null };
}

/** A reply in the words of the server program the session plays (server-profiles.ts). */
function reply(context: Ctx, code: number, text: string): FtpServerEmitted {
  const [c, t] = rewordReply(profileOf(context), code, text);
  return { type: 'reply', code: c, text: t, wire: formatReply(c, t) };
}

function profileOf(context: Ctx): ServerProfile {
  return context.settings.profile ?? VSFTPD;
}

/** RFC 2577 §3 and vsftpd: data connections only to the client itself, never to a privileged port. */
function portRefusal(context: Ctx, target: HostPort): string | null {
  if (target.address !== context.peerAddress)
    return `names ${target.address}, not the client's own address ${context.peerAddress}`;
  if (target.port < 1024) return `names privileged port ${target.port}`;
  return null;
}

/** The directory CWD or CDUP names, from the current one. Exported for hosts with their own files. */
export function directoryTarget(context: Ctx, event: Ev): string {
  const { verb, arg } = command(event);
  return normalisePath(context.cwd, verb === 'CDUP' ? '..' : (arg ?? '/'));
}

/**
 * The reply that ends a transfer: 226 once the data went out, 426 when the data connection broke
 * (RFC 959 §4.1.3, §5.4). A host that met a failure of its own (a full disk, a read error) passes
 * its reply, which takes the place of either.
 */
export function transferEndReply(
  context: Ctx,
  outcome: 'complete' | 'failed',
  hostFailure: { code: number; text: string } | null,
): FtpServerEmitted {
  if (hostFailure) return reply(context, hostFailure.code, hostFailure.text);
  if (outcome === 'failed') return reply(context, 426, 'Failure reading network stream.');
  const verb = context.transfer?.verb;
  const text = verb === 'LIST' || verb === 'NLST' ? 'Directory send OK.' : 'Transfer complete.';
  return reply(context, 226, text);
}

/**
 * The 150 that starts the transfer under way, in the server program's words: STOR's, a listing's,
 * or a download's with its mode and `size` in bytes (vsftpd's wording). The real-socket server
 * (node/served-machine.ts) answers with it too, from its own files.
 */
export function transferStartReply(context: Ctx, size: number): FtpServerEmitted {
  const { verb, path } = context.transfer!;
  if (verb === 'STOR') return reply(context, 150, 'Ok to send data.');
  if (verb === 'LIST' || verb === 'NLST')
    return reply(context, 150, 'Here comes the directory listing.');
  const mode = context.type === 'A' ? 'ASCII' : 'BINARY';
  const name = path.split('/').pop();
  return reply(context, 150, `Opening ${mode} mode data connection for ${name} (${size} bytes).`);
}

/** A LIST's or NLST's data: names go out as their UTF-8 bytes, as vsftpd sends them (RFC 2640 §3.2). */
export function listingData(verb: 'LIST' | 'NLST', entries: DirectoryEntry[]): Uint8Array {
  const text =
    verb === 'LIST' ? formatListing(entries) : entries.map((e) => `${e.name}\r\n`).join('');
  return encodeControlText(text);
}

/** No data channel and no transfer: how a session is after a transfer ends, either way. */
const DATA_CHANNEL_RESET = {
  transfer: null,
  activeTarget: null,
  passivePort: null,
  passiveConnected: false,
  activeConnected: false,
} as const;

function transferPath(context: Ctx, arg: string | null): string {
  return normalisePath(context.cwd, arg ?? '.');
}

/**
 * The answer to PASV or EPSV once the passive port is listening: 227 with the address and port, or
 * 229 with the port alone.
 */
function passiveReply(context: Ctx, port: number, extended: boolean): FtpServerEmitted {
  const address = context.settings.passiveAddress ?? context.localAddress;
  const profile = profileOf(context);
  return extended
    ? reply(context, 229, profile.epsvText(port) ?? formatEpsvReply(port))
    : reply(
        context,
        227,
        profile.pasvText({ address, port }) ?? formatPasvReply({ address, port }),
      );
}

/** A port from the configured range, the same for the same seed and count (runs are reproducible). */
function passivePortFor(context: Ctx): number {
  const { from, to } = context.settings.passivePorts;
  const span = to - from + 1;
  const mixed = Math.imul(context.seed ^ (context.passiveCount + 1), 0x9e3779b1) >>> 0;
  return from + (mixed % span);
}

const ftpServerSetup = setup({
  types: {
    context: {} as FtpServerContext,
    events: {} as FtpServerEvent,
    input: {} as FtpServerInput,
    emitted: {} as FtpServerEmitted,
  },
  delays: {
    acceptTimeout: ({ context }) => context.settings.acceptTimeoutMs,
    connectTimeout: ({ context }) => context.settings.connectTimeoutMs,
    portConnectTimeout: ({ context }) => profileOf(context).portConnectTimeoutMs,
  },
  guards: {
    isCommand: ({ event }, params: { verb: string | string[] }) =>
      event.type === 'COMMAND' &&
      (typeof params.verb === 'string'
        ? event.verb === params.verb
        : params.verb.includes(event.verb)),
    /** CWD or CDUP names an existing directory (vsftpd: chdir succeeds). */
    namesDirectory: ({ context, event }) =>
      isDirectory(context.files, directoryTarget(context, event)),
    isNotImplemented: ({ event }) => event.type === 'COMMAND' && NOT_IMPLEMENTED.has(event.verb),
    isValidLogin: ({ context, event }) => {
      const { arg } = command(event);
      if (context.user === null) return false;
      if (
        context.settings.allowAnonymous &&
        ['anonymous', 'ftp'].includes(context.user.toLowerCase())
      )
        return true;
      return context.settings.users.some(
        (u) => u.user === context.user && u.password === (arg ?? ''),
      );
    },
    isAcceptablePort: ({ context, event }) => {
      const parsed = parseHostPort(command(event).arg ?? '');
      return parsed.ok && portRefusal(context, parsed.value) === null;
    },
    isMalformedPort: ({ event }) => !parseHostPort(command(event).arg ?? '').ok,
    isAcceptablePortOrEprt: ({ context, event }) => {
      const { verb, arg } = command(event);
      if (verb === 'PORT') {
        const parsed = parseHostPort(arg ?? '');
        return parsed.ok && portRefusal(context, parsed.value) === null;
      }
      const parsed = parseEprt(arg ?? '');
      return parsed.ok && parsed.value.family === 1 && portRefusal(context, parsed.value) === null;
    },
    isAcceptableEprt: ({ context, event }) => {
      const parsed = parseEprt(command(event).arg ?? '');
      return parsed.ok && parsed.value.family === 1 && portRefusal(context, parsed.value) === null;
    },
    isEprtFamilyUnsupported: ({ event }) => {
      const parsed = parseEprt(command(event).arg ?? '');
      return parsed.ok ? parsed.value.family !== 1 : /network protocol/i.test(parsed.error);
    },
    isMalformedEprt: ({ event }) => !parseEprt(command(event).arg ?? '').ok,
    /** RFC 959 §5.1: every server must accept stream mode and file structure, the defaults. */
    isStreamMode: ({ event }) => /^S$/i.test((command(event).arg ?? '').trim()),
    isFileStructure: ({ event }) => /^F$/i.test((command(event).arg ?? '').trim()),
    isKnownType: ({ event }) => /^(A|A N|I|L 8)$/i.test((command(event).arg ?? '').trim()),
    hasNoDataChannel: ({ context }) =>
      context.activeTarget === null && context.passivePort === null,
    isMissingFile: ({ context, event }) => {
      const { verb, arg } = command(event);
      if (verb !== 'RETR') return false;
      return !context.files[transferPath(context, arg)];
    },
    /**
     * STOR naming a directory, or a file in a directory that does not exist: vsftpd cannot open it
     * for writing and answers 553 before any data connection (FTP_UPLOADFAIL in its postlogin.c).
     */
    isUncreatableUpload: ({ context, event }) => {
      const { verb, arg } = command(event);
      if (verb !== 'STOR' || !arg) return false;
      const path = transferPath(context, arg);
      const parent = path.replace(/\/[^/]*$/, '') || '/';
      return (
        path === '/' || isDirectory(context.files, path) || !isDirectory(context.files, parent)
      );
    },
    isMissingArgument: ({ event }) => {
      const { verb, arg } = command(event);
      return (verb === 'RETR' || verb === 'STOR') && !arg;
    },
    isActive: ({ context }) => context.activeTarget !== null,
    playsAProgram: ({ context }) => context.settings.profile !== undefined,
    isActiveAlreadyConnected: ({ context }) => context.activeConnected,
    connectsAtPort: ({ context }) => profileOf(context).activeConnect === 'at-port',
    isReceivingUpload: ({ context }) => context.transfer?.verb === 'STOR',
    isPassiveAlreadyConnected: ({ context }) => context.passiveConnected,
  },
  actions: {
    sendGreeting: emit(({ context }) =>
      reply(context, 220, profileOf(context).greeting ?? context.settings.greeting),
    ),
    reply: emit(({ context }, params: { code: number; text: string }) =>
      reply(context, params.code, params.text),
    ),
    rememberUser: assign({ user: ({ event }) => command(event).arg ?? '' }),
    forgetUser: assign({ user: null }),
    setType: enqueueActions(({ context, event, enqueue }) => {
      const ascii = (command(event).arg ?? '').trim().toUpperCase().startsWith('A');
      enqueue.assign({ type: ascii ? 'A' : 'I' });
      enqueue.emit(
        reply(context, 200, ascii ? 'Switching to ASCII mode.' : 'Switching to Binary mode.'),
      );
    }),
    replyPwd: emit(({ context }) =>
      reply(
        context,
        257,
        profileOf(context).pwdText?.(context.cwd) ?? `"${context.cwd}" is the current directory`,
      ),
    ),
    replyFeat: emit(({ context }) =>
      // Without a profile (the project's own server, src/node) the list is FEATURES, UTF8 in it.
      reply(context, 211, (context.settings.profile?.features ?? FEATURES).join('\n')),
    ),
    replyOpts: emit(({ context, event }, params: { loggedIn: boolean }) => {
      const arg = command(event).arg ?? '';
      const own = profileOf(context).opts?.(arg, params.loggedIn);
      // vsftpd compares the whole argument, case aside: "UTF8 ON", not "UTF8  ON" or "UTF8 ON ".
      if (own) return reply(context, own[0], own[1]);
      return /^UTF8 ON$/i.test(arg)
        ? reply(context, 200, 'Always in UTF8 mode.')
        : reply(context, 501, 'Option not understood.');
    }),
    /**
     * RFC 3659 §4: SIZE answers 213 and the file's size. vsftpd gives the size on disk in either
     * TYPE ("We go for the real size", its postlogin.c) and 550 "Could not get file size." for
     * anything but a regular file; a profile may answer otherwise (pyftpdlib: not in TYPE A).
     */
    replySize: emit(({ context, event }) => {
      const path = transferPath(context, command(event).arg);
      const size = context.files[path]?.bytes.length ?? null;
      const own = profileOf(context).sizeReply?.(context.type, path, size);
      if (own) return reply(context, own[0], own[1]);
      return size === null
        ? reply(context, 550, 'Could not get file size.')
        : reply(context, 213, String(size));
    }),
    changeDirectory: enqueueActions(({ context, event, enqueue }) => {
      enqueue.assign({ cwd: directoryTarget(context, event) });
      enqueue.emit(reply(context, 250, 'Directory successfully changed.'));
    }),
    /** A new PORT/EPRT/PASV/EPSV replaces any data channel prepared before. */
    dropDataChannel: enqueueActions(({ context, enqueue }) => {
      if (context.passivePort !== null) enqueue.emit({ type: 'close-passive' });
      if (context.activeConnected) enqueue.emit({ type: 'abort-data' });
      enqueue.assign({
        activeTarget: null,
        passivePort: null,
        passiveConnected: false,
        activeConnected: false,
      });
    }),
    acceptPort: enqueueActions(({ context, event, enqueue }) => {
      const parsed = parseHostPort(command(event).arg ?? '');
      if (!parsed.ok) return;
      enqueue.assign({ activeTarget: parsed.value });
      enqueue.emit(reply(context, 200, 'PORT command successful. Consider using PASV.'));
    }),
    acceptEprt: enqueueActions(({ context, event, enqueue }) => {
      const parsed = parseEprt(command(event).arg ?? '');
      if (!parsed.ok) return;
      enqueue.assign({ activeTarget: { address: parsed.value.address, port: parsed.value.port } });
      enqueue.emit(reply(context, 200, 'EPRT command successful. Consider using EPSV.'));
    }),
    /** pyftpdlib: remember the PORT/EPRT target and say nothing until the connect has an outcome. */
    rememberActiveTarget: assign({
      activeTarget: ({ event }) => {
        const { verb, arg } = command(event);
        const parsed = verb === 'EPRT' ? parseEprt(arg ?? '') : parseHostPort(arg ?? '');
        return parsed.ok ? { address: parsed.value.address, port: parsed.value.port } : null;
      },
    }),
    /** RFC 2577 §3: the refusal of a PORT/EPRT naming another host or a privileged port, in the program's words. */
    refusePort: emit(({ context, event }) => {
      const { verb, arg } = command(event);
      const parsed = verb === 'EPRT' ? parseEprt(arg ?? '') : parseHostPort(arg ?? '');
      const target = parsed.ok ? { address: parsed.value.address, port: parsed.value.port } : null;
      const why = target && target.address === context.peerAddress ? 'privileged' : 'foreign';
      const [code, text] = profileOf(context).refusePort(
        target ?? { address: '', port: 0 },
        why,
        verb === 'EPRT' ? 'EPRT' : 'PORT',
      );
      return { type: 'reply' as const, code, text, wire: formatReply(code, text) };
    }),
    markActiveConnected: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ activeConnected: true });
      enqueue.emit(reply(context, 200, 'Active data connection established.'));
    }),
    failConnectAtPort: enqueueActions(({ context, enqueue }, params: { timedOut: boolean }) => {
      if (params.timedOut) {
        enqueue.emit({ type: 'abort-data' });
        enqueue.emit(reply(context, 421, 'Active data channel timed out.'));
      } else {
        enqueue.emit(reply(context, 425, "Can't connect to specified address."));
      }
      enqueue.assign({ activeTarget: null, activeConnected: false });
    }),
    /** The port a PASV or EPSV listens on; a host that binds first provides its own (src/node/). */
    choosePassivePort: assign({ passivePort: ({ context }) => passivePortFor(context) }),
    openPassive: enqueueActions(({ context, enqueue }, params: { extended: boolean }) => {
      const port = context.passivePort!;
      enqueue.assign({ passiveConnected: false, passiveCount: context.passiveCount + 1 });
      enqueue.emit({ type: 'open-passive', port });
      enqueue.emit(passiveReply(context, port, params.extended));
    }),
    markPassiveConnected: assign({ passiveConnected: true }),
    rememberTransfer: assign({
      transfer: ({ context, event }) => {
        const { verb, arg } = command(event);
        return { verb: verb as TransferVerb, path: transferPath(context, arg) };
      },
      upload: () => [],
    }),
    /** sourcePort 0: an ephemeral port, as the kernel gives to a socket bound to port 0. */
    connectActive: emit(({ context }) => ({
      type: 'connect-active' as const,
      target: context.activeTarget!,
      sourcePort:
        profileOf(context).activeSource === 'ephemeral' ? 0 : context.settings.activeSourcePort,
    })),
    /** 150, then the bytes, then close: the data connection's end marks the end of the file (RFC 959 §3.4, stream mode). */
    startTransfer: enqueueActions(({ context, enqueue }) => {
      const transfer = context.transfer!;
      if (transfer.verb === 'STOR') {
        enqueue.emit(transferStartReply(context, 0));
        return;
      }
      if (transfer.verb === 'LIST' || transfer.verb === 'NLST') {
        enqueue.emit(transferStartReply(context, 0));
        const entries = isDirectory(context.files, transfer.path)
          ? listDirectory(context.files, transfer.path)
          : listDirectory(context.files, transfer.path.replace(/\/[^/]*$/, '') || '/').filter((e) =>
              `${transfer.path}`.endsWith(`/${e.name}`),
            );
        enqueue.emit({ type: 'send-data', data: listingData(transfer.verb, entries) });
      } else {
        const file = context.files[transfer.path]!;
        enqueue.emit(transferStartReply(context, file.bytes.length));
        // RFC 959 §3.1.1.1: TYPE A sends NVT-ASCII, end of line as CRLF; TYPE I sends the bytes as stored.
        enqueue.emit({
          type: 'send-data',
          data: context.type === 'A' ? toNetAscii(file.bytes) : file.bytes,
        });
      }
      enqueue.emit({ type: 'close-data' });
    }),
    collectUpload: assign({
      upload: ({ context, event }) =>
        event.type === 'DATA_RECEIVED' ? [...context.upload, event.data] : context.upload,
    }),
    storeUpload: enqueueActions(({ context, enqueue }) => {
      const transfer = context.transfer!;
      const received = concatBytes(context.upload);
      const bytes = context.type === 'A' ? fromNetAscii(received) : received;
      enqueue.assign({
        files: {
          ...context.files,
          [transfer.path]: { bytes, kind: context.type === 'A' ? 'text' : 'binary' },
        },
        upload: [],
      });
      enqueue.emit({ type: 'close-data' });
    }),
    replyTransferComplete: emit(({ context }) => transferEndReply(context, 'complete', null)),
    replyTransferFailed: emit(({ context }) => transferEndReply(context, 'failed', null)),
    failDataConnection: enqueueActions(({ context, enqueue }) => {
      enqueue.emit(reply(context, 425, 'Failed to establish connection.'));
      if (context.passivePort !== null) enqueue.emit({ type: 'close-passive' });
      enqueue.assign(DATA_CHANNEL_RESET);
    }),
    /** After a transfer's last reply: stop listening, forget the data channel and the transfer. */
    releaseDataChannel: enqueueActions(({ context, enqueue }) => {
      if (context.passivePort !== null) enqueue.emit({ type: 'close-passive' });
      enqueue.assign(DATA_CHANNEL_RESET);
    }),
    closeData: emit({ type: 'close-data' }),
    closeControl: emit({ type: 'close-control' }),
    abortDataConnection: emit({ type: 'abort-data' }),
  },
});

/** A line that is not a command at all (empty, not 3-4 letters, too long): RFC 959 §4.2 code 500. */
const answerBadLine = {
  actions: replyWith(500, 'Syntax error, command unrecognized.'),
} as const;

export const ftpServerMachine = ftpServerSetup.createMachine({
  id: 'ftpServer',
  context: ({ input }) => ({
    ...input,
    files: input.settings.files,
    user: null,
    type: 'A',
    cwd: '/',
    activeTarget: null,
    passivePort: null,
    passiveConnected: false,
    activeConnected: false,
    passiveCount: 0,
    transfer: null,
    upload: [],
  }),
  initial: 'awaitingConnection',
  on: {
    CONTROL_CLOSED: '.done',
  },
  states: {
    awaitingConnection: {
      on: { CONTROL_OPENED: { target: 'awaitingUser', actions: 'sendGreeting' } },
    },
    awaitingUser: {
      tags: ['readsCommands'],
      on: {
        COMMAND: [
          {
            guard: isCommand('USER'),
            target: 'awaitingPassword',
            actions: ['rememberUser', replyWith(331, 'Please specify the password.')],
          },
          { guard: isCommand('QUIT'), target: 'closing' },
          answer('PASS', 503, 'Login with USER first.'),
          ...answerFeatAndOpts(false),
          { actions: replyWith(530, 'Please login with USER and PASS.') },
        ],
        BAD_LINE: answerBadLine,
      },
    },
    awaitingPassword: {
      tags: ['readsCommands'],
      on: {
        COMMAND: [
          {
            guard: and([isCommand('PASS'), 'isValidLogin']),
            target: 'loggedIn',
            actions: replyWith(230, 'Login successful.'),
          },
          {
            guard: isCommand('PASS'),
            target: 'awaitingUser',
            actions: ['forgetUser', replyWith(530, 'Login incorrect.')],
          },
          {
            guard: isCommand('USER'),
            actions: ['rememberUser', replyWith(331, 'Please specify the password.')],
          },
          { guard: isCommand('QUIT'), target: 'closing' },
          ...answerFeatAndOpts(false),
          { actions: replyWith(530, 'Please login with USER and PASS.') },
        ],
        BAD_LINE: answerBadLine,
      },
    },
    loggedIn: {
      initial: 'idle',
      on: {
        COMMAND: [
          { guard: isCommand('QUIT'), target: 'closing' },
          answer('SYST', 215, 'UNIX Type: L8'),
          answer('NOOP', 200, 'NOOP ok.'),
          ...answerFeatAndOpts(true),
          { guard: isCommand(['PWD', 'XPWD']), actions: 'replyPwd' },
          { guard: and([isCommand('SIZE'), 'playsAProgram']), actions: 'replySize' },
          {
            guard: and([isCommand(['CWD', 'CDUP']), 'namesDirectory']),
            actions: 'changeDirectory',
          },
          answer(['CWD', 'CDUP'], 550, 'Failed to change directory.'),
          answer('USER', 530, "Can't change to another user."),
          answer('PASS', 230, 'Already logged in.'),
          { guard: and([isCommand('TYPE'), 'isKnownType']), actions: 'setType' },
          answer('TYPE', 500, 'Unrecognised TYPE command.'),
          {
            guard: and([isCommand('MODE'), 'isStreamMode']),
            actions: replyWith(200, 'Mode set to S.'),
          },
          answer('MODE', 504, 'Bad MODE command.'),
          {
            guard: and([isCommand('STRU'), 'isFileStructure']),
            actions: replyWith(200, 'Structure set to F.'),
          },
          answer('STRU', 504, 'Bad STRU command.'),
          {
            // RFC 959 §4.1.3: a server that needs no space reservation treats ALLO as NOOP.
            guard: isCommand('ALLO'),
            actions: replyWith(202, 'ALLO command ignored.'),
          },
          {
            guard: and([isCommand(['PORT', 'EPRT']), 'connectsAtPort', 'isAcceptablePortOrEprt']),
            target: '.connectingAtPort',
            actions: ['dropDataChannel', 'rememberActiveTarget'],
          },
          {
            guard: and([isCommand('PORT'), 'isAcceptablePort']),
            target: '.activeReady',
            actions: ['dropDataChannel', 'acceptPort'],
          },
          {
            guard: and([isCommand('PORT'), 'isMalformedPort']),
            actions: replyWith(501, 'Syntax error in parameters or arguments.'),
          },
          { guard: isCommand('PORT'), actions: 'refusePort' },
          {
            guard: and([isCommand('EPRT'), 'isAcceptableEprt']),
            target: '.activeReady',
            actions: ['dropDataChannel', 'acceptEprt'],
          },
          {
            // RFC 2428 §2: an unsupported address family gets 522 and the families we do support.
            guard: and([isCommand('EPRT'), 'isEprtFamilyUnsupported']),
            actions: replyWith(522, 'Network protocol not supported, use (1)'),
          },
          {
            guard: and([isCommand('EPRT'), 'isMalformedEprt']),
            actions: replyWith(501, 'Syntax error in parameters or arguments.'),
          },
          { guard: isCommand('EPRT'), actions: 'refusePort' },
          {
            guard: isCommand('PASV'),
            target: '.passiveReady',
            actions: [
              'dropDataChannel',
              'choosePassivePort',
              { type: 'openPassive', params: { extended: false } },
            ],
          },
          {
            guard: isCommand('EPSV'),
            target: '.passiveReady',
            actions: [
              'dropDataChannel',
              'choosePassivePort',
              { type: 'openPassive', params: { extended: true } },
            ],
          },
          {
            guard: 'isMissingArgument',
            actions: replyWith(501, 'Syntax error in parameters or arguments.'),
          },
          {
            guard: and([isCommand(TRANSFER_VERBS), 'hasNoDataChannel']),
            actions: replyWith(425, 'Use PORT or PASV first.'),
          },
          { guard: 'isMissingFile', actions: replyWith(550, 'Failed to open file.') },
          { guard: 'isUncreatableUpload', actions: replyWith(553, 'Could not create file.') },
          {
            guard: and([isCommand(TRANSFER_VERBS), 'isActiveAlreadyConnected']),
            target: '.transferring',
            actions: 'rememberTransfer',
          },
          {
            guard: and([isCommand(TRANSFER_VERBS), 'isActive']),
            target: '.connectingActive',
            actions: 'rememberTransfer',
          },
          {
            guard: and([isCommand(TRANSFER_VERBS), 'isPassiveAlreadyConnected']),
            target: '.transferring',
            actions: 'rememberTransfer',
          },
          {
            guard: isCommand(TRANSFER_VERBS),
            target: '.awaitingPassiveConnection',
            actions: 'rememberTransfer',
          },
          { guard: 'isNotImplemented', actions: replyWith(502, 'Command not implemented.') },
          { actions: replyWith(500, 'Unknown command.') },
        ],
        BAD_LINE: answerBadLine,
      },
      states: {
        idle: { tags: ['readsCommands'] },
        activeReady: { tags: ['readsCommands'] },
        passiveReady: {
          tags: ['readsCommands'],
          on: { DATA_CONNECTED: { actions: 'markPassiveConnected' } },
        },
        /** pyftpdlib: the connect starts on PORT/EPRT, and its outcome is the reply. */
        connectingAtPort: {
          entry: 'connectActive',
          after: {
            portConnectTimeout: {
              target: 'idle',
              actions: { type: 'failConnectAtPort', params: { timedOut: true } },
            },
          },
          on: {
            DATA_CONNECTED: { target: 'activeReady', actions: 'markActiveConnected' },
            DATA_FAILED: {
              target: 'idle',
              actions: { type: 'failConnectAtPort', params: { timedOut: false } },
            },
          },
        },
        connectingActive: {
          entry: 'connectActive',
          after: {
            connectTimeout: {
              target: 'idle',
              actions: ['abortDataConnection', 'failDataConnection'],
            },
          },
          on: {
            DATA_CONNECTED: 'transferring',
            DATA_FAILED: { target: 'idle', actions: 'failDataConnection' },
          },
        },
        awaitingPassiveConnection: {
          after: { acceptTimeout: { target: 'idle', actions: 'failDataConnection' } },
          on: { DATA_CONNECTED: 'transferring' },
        },
        transferring: {
          entry: 'startTransfer',
          on: {
            DATA_SENT: { target: 'idle', actions: ['replyTransferComplete', 'releaseDataChannel'] },
            // Only an upload reads the data connection: a client that half-closes it during a
            // download (or sends bytes there) must not replace the file it is downloading.
            DATA_RECEIVED: { guard: 'isReceivingUpload', actions: 'collectUpload' },
            DATA_EOF: {
              guard: 'isReceivingUpload',
              target: 'idle',
              actions: ['storeUpload', 'replyTransferComplete', 'releaseDataChannel'],
            },
            DATA_FAILED: {
              target: 'idle',
              actions: ['replyTransferFailed', 'closeData', 'releaseDataChannel'],
            },
          },
        },
      },
    },
    closing: {
      entry: [replyWith(221, 'Goodbye.'), 'closeControl'],
      on: { CONTROL_CLOSED: 'done' },
    },
    done: { type: 'final' },
  },
});
