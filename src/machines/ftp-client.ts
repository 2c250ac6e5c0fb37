import { and, assign, emit, enqueueActions, setup } from 'xstate';
import {
  formatEprt,
  formatHostPort,
  parseEpsvReply,
  parsePasvReply,
} from '../protocol/ftp-address';
import type { Endpoint } from '../protocol/endpoint';
import { formatCommandLine } from '../protocol/ftp-command';
import { concatBytes } from '../protocol/bytes';
import { fromNetAscii, toNetAscii } from '../protocol/net-ascii';
import {
  isNegative,
  isPositiveCompletion,
  isPositivePreliminary,
  replyClass,
} from '../protocol/ftp-reply';
import {
  DATA_COMMAND,
  isPrivateAddress,
  RFC959_CLIENT,
  type ClientProfile,
  type ReconnectPolicy,
} from './client-profiles';

/**
 * An FTP client session that logs in, sets the transfer type, runs a script of commands with the
 * chosen data-connection mode, and quits. The textbook client gives up at the first failed step,
 * after a polite QUIT when the control connection still works; a program (client-profiles.ts) may
 * instead go on to its next command, close without QUIT, or drop the control connection and log
 * in again on a new one (curl, lftp) to retry the step or run the next.
 */

export type DataMode = 'active' | 'passive' | 'eprt' | 'epsv';
export type TransferType = 'ascii' | 'binary';

export interface ClientStep {
  verb: string;
  arg: string | null;
  /** For STOR: the bytes to upload. */
  upload?: Uint8Array;
}

export interface FtpClientSettings {
  user: string;
  password: string;
  mode: DataMode;
  type: TransferType;
  steps: ClientStep[];
  /** Connect to the address in a 227 reply (trust, RFC 959) or to the control connection's server (ignore). */
  pasvAddress: 'trust' | 'ignore';
  /** How long to wait for any reply before giving up. */
  replyTimeoutMs: number;
  /** The client program it plays (client-profiles.ts); absent: the textbook RFC 959 client. */
  profile?: ClientProfile;
}

export interface FtpClientInput {
  settings: FtpClientSettings;
  localAddress: string;
  serverAddress: string;
  serverPort: number;
}

export type FailureKind =
  | 'control-connect'
  | 'login'
  | 'reply'
  | 'data-connect'
  | 'data-transfer'
  | 'reply-timeout'
  | 'control-lost';

export interface ClientFailure {
  step: string;
  kind: FailureKind;
  detail: string;
  code: number | null;
}

export interface TransferRecord {
  verb: string;
  path: string | null;
  mode: DataMode;
  /** Where the data connection went: the server's address and port (passive) or the client's (active). */
  target: Endpoint | null;
  bytesOnWire: number;
  /** What the client keeps: after CRLF→LF for TYPE A downloads. */
  received: Uint8Array | null;
  ok: boolean;
}

export interface FtpClientContext extends FtpClientInput {
  stepIndex: number;
  step: ClientStep | null;
  replies: number[];
  failure: ClientFailure | null;
  /** The latest failure (the same as `failure` unless the program went on after one). */
  lastFailure: ClientFailure | null;
  /** Every failure in order, those the program went on after or retried too. */
  failures: ClientFailure[];
  dataTarget: Endpoint | null;
  downloaded: Uint8Array[];
  dataClosed: boolean;
  transfers: TransferRecord[];
  /** Which of the profile's attempts for this step is being made, and its mode. */
  attempt: number;
  modeNow: DataMode;
  /** Mode changes the program made on its own, e.g. "EPSV→PASV". */
  fallbacks: string[];
  /** The TYPE in effect as far as the client knows (null: none sent, and it assumes none). */
  typeNow: TransferType | null;
  /** What FEAT listed (RFC 2389: each feature's line without its leading space), null before. */
  features: string[] | null;
  /** Commands the program sends besides the script's (FEAT, OPTS, PWD, TYPE, SIZE), in order. */
  extras: ExtraCommand[];
  /** Where the session goes once `extras` are answered. */
  afterExtras: 'user' | 'steps' | 'data' | 'transfer';
  /** Every PORT/EPRT of a step was refused (curl then runs no further URL). */
  portRefused: boolean;
  /** Control connections opened so far (curl and lftp open more after some failures). */
  connections: number;
  /** lftp's tries of the current command: its connection counts, and each retry (ReconnectPolicy). */
  tries: number;
  /** The step is being tried again (lftp): in this mode, and without the SIZE already answered. */
  retryMode: DataMode | null;
  /** How long to wait before the next try, worked out when the last one failed. */
  waitMs: number;
}

/** One of a program's own commands: a refusal ends the step only where `required` (TYPE). */
export interface ExtraCommand {
  verb: string;
  arg: string | null;
  required: boolean;
}

export type FtpClientEvent =
  | { type: 'START' }
  | { type: 'CONTROL_CONNECTED' }
  | { type: 'CONTROL_FAILED'; detail: string }
  /** `connectedMs`: how long ago this control connection was opened (lftp times its next try by it). */
  | { type: 'CONTROL_CLOSED'; connectedMs?: number }
  | { type: 'REPLY'; code: number; text: string }
  | { type: 'DATA_LISTENING'; port: number }
  | { type: 'DATA_CONNECTED' }
  | { type: 'DATA_FAILED'; detail: string }
  | { type: 'DATA_RECEIVED'; data: Uint8Array }
  | { type: 'DATA_EOF' }
  | { type: 'DATA_SENT' };

export type FtpClientEmitted =
  | { type: 'open-control'; address: string; port: number }
  | { type: 'send-line'; wire: string; text: string }
  | { type: 'listen-data' }
  | { type: 'connect-data'; address: string; port: number }
  | { type: 'send-data'; data: Uint8Array }
  | { type: 'close-data' }
  | { type: 'close-control' }
  | { type: 'send-interrupt' }
  | { type: 'report'; text: string };

const TRANSFER_VERBS = new Set(['LIST', 'NLST', 'RETR', 'STOR']);

function line(verb: string, arg: string | null): FtpClientEmitted {
  const wire = formatCommandLine({ verb, arg });
  return { type: 'send-line', wire, text: wire.replace(/\r\n$/, '') };
}

function stepLabel(step: ClientStep | null): string {
  if (!step) return '';
  return step.arg ? `${step.verb} ${step.arg}` : step.verb;
}

function profileOf(context: FtpClientContext): ClientProfile {
  return context.settings.profile ?? RFC959_CLIENT;
}

function attemptsOf(context: FtpClientContext): readonly DataMode[] {
  return profileOf(context).attempts[context.settings.mode];
}

function reconnectOf(context: FtpClientContext): ReconnectPolicy | null {
  return profileOf(context).reconnect;
}

/** One more try of this command is allowed (lftp's net:max-retries; 0 is no limit). */
function mayTryAgain(policy: ReconnectPolicy, tries: number): boolean {
  return policy.maxTries === 0 || tries < policy.maxTries;
}

/**
 * lftp's wait before its next try (NetAccess): the interval grows by the multiplier with each try
 * of a command, and its clock counts whole seconds, so a new connection waits out what is left of
 * the interval since the last try began, and a retry on the same connection the next interval.
 */
function intervalS(policy: ReconnectPolicy, tries: number): number {
  const grown = Math.ceil(policy.intervalS * policy.intervalMultiplier ** Math.max(0, tries - 1));
  return Math.min(grown, policy.intervalMaxS);
}

function reconnectWaitMs(policy: ReconnectPolicy, tries: number, sinceTryMs: number): number {
  return Math.max(0, intervalS(policy, tries) - Math.floor(sinceTryMs / 1000)) * 1000;
}

/** Once this connection is closed: another try of this command (lftp), or a next one (curl), is left. */
function opensAnother(context: FtpClientContext): boolean {
  const policy = reconnectOf(context);
  if (!policy) return false;
  return policy.resume === 'same-step'
    ? mayTryAgain(policy, context.tries)
    : context.stepIndex < context.settings.steps.length;
}

function reconnectWait(context: FtpClientContext, event: FtpClientEvent): number {
  const policy = reconnectOf(context);
  const since = event.type === 'CONTROL_CLOSED' ? (event.connectedMs ?? 0) : 0;
  return policy ? reconnectWaitMs(policy, context.tries, since) : 0;
}

/** The failures a program takes to be the connection's, and answers with a new one. */
function reconnectsAfter(context: FtpClientContext): boolean {
  const policy = reconnectOf(context);
  if (!policy || !context.step) return false;
  if (context.portRefused) return policy.after.includes('port-refused');
  return context.lastFailure?.kind === 'data-connect' && policy.after.includes('data-connect');
}

/** The facts lftp 4.9 asks for with OPTS MLST, of those the server lists (lftp's ftp:mlst-facts... set). */
const LFTP_MLST_FACTS = ['type', 'perm', 'size', 'modify', 'unix.mode', 'unix.uid', 'unix.gid'];

/** lftp's OPTS after login: UTF8 ON again when FEAT listed UTF8, MLST with the facts it wants. */
function optsAfterLogin(context: FtpClientContext): ExtraCommand[] {
  const features = context.features ?? [];
  const extras: ExtraCommand[] = [];
  if (features.includes('UTF8')) extras.push({ verb: 'OPTS', arg: 'UTF8 ON', required: false });
  const mlst = features.find((f) => f.startsWith('MLST '));
  if (mlst) {
    const offered = mlst
      .slice(5)
      .split(';')
      .map((f) => f.replace(/\*$/, '').toLowerCase());
    const facts = offered.filter((f) => LFTP_MLST_FACTS.includes(f));
    extras.push({
      verb: 'OPTS',
      arg: `MLST ${facts.map((f) => `${f};`).join('')}`,
      required: false,
    });
  }
  return extras;
}

/** The type a transfer needs in this program (a listing and a file may differ). */
function typeFor(context: FtpClientContext, step: ClientStep): TransferType {
  const profile = profileOf(context);
  const wanted =
    step.verb === 'LIST' || step.verb === 'NLST' ? profile.listingType : profile.fileType;
  return wanted === 'scenario' ? context.settings.type : wanted;
}

/** TYPE (when the transfer needs another, or always for ftplib) and SIZE before a RETR. */
function typeAndSize(context: FtpClientContext, step: ClientStep): ExtraCommand[] {
  const profile = profileOf(context);
  const type = typeFor(context, step);
  const extras: ExtraCommand[] = [];
  if (profile.resendType || context.typeNow !== type) {
    extras.push({ verb: 'TYPE', arg: type === 'ascii' ? 'A' : 'I', required: true });
  }
  if (
    step.verb === 'RETR' &&
    context.retryMode === null &&
    (profile.sizeBeforeRetr === 'always' ||
      (profile.sizeBeforeRetr === 'binary' && type === 'binary'))
  ) {
    extras.push({ verb: 'SIZE', arg: step.arg, required: false });
  }
  return extras;
}

/** The type in effect once these commands are sent (a refused TYPE ends the step anyway). */
function typeNowAfter(
  extras: readonly ExtraCommand[],
  context: FtpClientContext,
): { typeNow: TransferType | null } {
  const type = extras.find((e) => e.verb === 'TYPE');
  return { typeNow: type ? (type.arg === 'A' ? 'ascii' : 'binary') : context.typeNow };
}

/** RFC 2389 §3.2: a 211's feature lines each start with a space. */
function featureLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .filter((l) => l.startsWith(' '))
    .map((l) => l.trim());
}

function replyCode(event: FtpClientEvent): number {
  return event.type === 'REPLY' ? event.code : 0;
}

const ftpClientSetup = setup({
  types: {
    context: {} as FtpClientContext,
    events: {} as FtpClientEvent,
    input: {} as FtpClientInput,
    emitted: {} as FtpClientEmitted,
  },
  delays: {
    replyTimeout: ({ context }) => context.settings.replyTimeoutMs,
    beforeNextTry: ({ context }) => context.waitMs,
  },
  guards: {
    isReply: ({ event }, params: { code: number | number[] }) => {
      const codes = Array.isArray(params.code) ? params.code : [params.code];
      return event.type === 'REPLY' && codes.includes(event.code);
    },
    isPreliminaryReply: ({ event }) => event.type === 'REPLY' && isPositivePreliminary(event.code),
    isCompletionReply: ({ event }) => event.type === 'REPLY' && isPositiveCompletion(event.code),
    /**
     * 4yz and 5yz (RFC 959 §4.2.1); also 6yz, RFC 2228's protected replies, which this client,
     * speaking no security extension, cannot read, and a code outside 100-699: all end the step
     * as a refusal would. (protocol/ftp-reply.ts's isNegative is 4yz and 5yz alone.)
     */
    isNegativeReply: ({ event }) =>
      event.type === 'REPLY' &&
      (isNegative(event.code) ||
        replyClass(event.code) === 'protected' ||
        replyClass(event.code) === 'invalid'),
    hasMoreSteps: ({ context }) => context.stepIndex < context.settings.steps.length,
    nextIsTransfer: ({ context }) =>
      TRANSFER_VERBS.has(context.settings.steps[context.stepIndex]?.verb ?? ''),
    usesActiveMode: ({ context }) => context.modeNow === 'active' || context.modeNow === 'eprt',
    hasFallback: ({ context }) => context.attempt + 1 < attemptsOf(context).length,
    fallsBackOnConnectFailure: ({ context }) =>
      context.attempt + 1 < attemptsOf(context).length &&
      profileOf(context).fallbackOnConnectFailure.includes(context.modeNow),
    continuesAfterFailure: ({ context }) =>
      profileOf(context).continueAfterFailure &&
      !context.portRefused &&
      context.step !== null &&
      context.stepIndex < context.settings.steps.length &&
      ['reply', 'data-connect', 'data-transfer'].includes(context.lastFailure?.kind ?? ''),
    isParsablePassiveReply: ({ event }) => {
      if (event.type !== 'REPLY') return false;
      if (event.code === 227) return parsePasvReply(event.text).ok;
      if (event.code === 229) return parseEpsvReply(event.text).ok;
      return false;
    },
    isUpload: ({ context }) => context.step?.verb === 'STOR',
    asksFeatures: ({ context }) => profileOf(context).feat,
    typeAtLogin: ({ context }) => profileOf(context).typeAt === 'login',
    typeBeforeData: ({ context }) => profileOf(context).typeAt === 'before-data-command',
    typeAfterData: ({ context }) => profileOf(context).typeAt === 'after-data-command',
    hasExtras: ({ context }) => context.extras.length > 0,
    extrasLeadTo: ({ context }, params: { to: FtpClientContext['afterExtras'] }) =>
      context.afterExtras === params.to,
    extraRequired: ({ context }) => context.extras[0]?.required ?? false,
    controlStillUp: ({ context }) =>
      context.lastFailure?.kind !== 'control-connect' &&
      context.lastFailure?.kind !== 'control-lost',
    quitsAfterFailure: ({ context }) => profileOf(context).quitAfterFailure,
    reconnectsAfterFailure: ({ context }) => reconnectsAfter(context),
    /** lftp: a 4yz to the transfer command (vsftpd's 425) is tried again on this connection. */
    retriesOnSameConnection: ({ context }) => {
      const policy = reconnectOf(context);
      const code = context.lastFailure?.code ?? 0;
      return (
        policy !== null &&
        policy.retryTransientReply &&
        context.lastFailure?.kind === 'reply' &&
        replyClass(code) === 'transient-negative' &&
        !context.portRefused &&
        TRANSFER_VERBS.has(context.step?.verb ?? '') &&
        mayTryAgain(policy, context.tries)
      );
    },
    opensAnother: ({ context }) => opensAnother(context),
    waitsBeforeReconnecting: ({ context, event }) => reconnectWait(context, event) > 0,
  },
  actions: {
    openControl: emit(({ context }) => ({
      type: 'open-control' as const,
      address: context.serverAddress,
      port: context.serverPort,
    })),
    sendUser: emit(({ context }) => line('USER', context.settings.user)),
    sendPassword: emit(({ context }) => line('PASS', context.settings.password)),
    sendType: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ typeNow: context.settings.type });
      enqueue.emit(line('TYPE', context.settings.type === 'ascii' ? 'A' : 'I'));
    }),
    queueFeat: assign({
      extras: [{ verb: 'FEAT', arg: null, required: false }],
      afterExtras: 'user' as const,
    }),
    /** After login: lftp's OPTS, then PWD (curl, lftp); the script's commands come next. */
    queueAfterLogin: assign(({ context }) => ({
      extras: [
        ...optsAfterLogin(context),
        ...(profileOf(context).pwdAfterLogin &&
        (context.connections === 1 || reconnectOf(context)?.pwdAgain)
          ? [{ verb: 'PWD', arg: null, required: false }]
          : []),
      ],
      afterExtras: 'steps' as const,
    })),
    /** Before this transfer's data command: TYPE and SIZE where the program sends them there. */
    queueBeforeData: assign(({ context }) => {
      const before = context.step ? typeAndSize(context, context.step) : [];
      return { extras: before, afterExtras: 'data' as const, ...typeNowAfter(before, context) };
    }),
    /** After the data command was answered (curl): TYPE and SIZE, then the transfer command. */
    queueAfterData: assign(({ context }) => {
      const after = context.step ? typeAndSize(context, context.step) : [];
      return { extras: after, afterExtras: 'transfer' as const, ...typeNowAfter(after, context) };
    }),
    sendExtra: emit(({ context }) => line(context.extras[0]!.verb, context.extras[0]!.arg)),
    /** The answer to one extra command; a FEAT's tells lftp which OPTS to send. */
    takeExtraReply: assign(({ context, event }) => {
      const [done, ...rest] = context.extras;
      if (done?.verb === 'FEAT' && event.type === 'REPLY' && isPositiveCompletion(event.code)) {
        const features = featureLines(event.text);
        const utf8: ExtraCommand[] = features.includes('UTF8')
          ? [{ verb: 'OPTS', arg: 'UTF8 ON', required: false }]
          : [];
        return { features, extras: [...utf8, ...rest] };
      }
      return { extras: rest };
    }),
    sendQuit: emit(() => line('QUIT', null)),
    recordReply: assign({
      replies: ({ context, event }) => [...context.replies, replyCode(event)],
    }),
    takeNextStep: assign(({ context }) => ({
      step: context.settings.steps[context.stepIndex] ?? null,
      stepIndex: context.stepIndex + 1,
      dataTarget: null,
      downloaded: [],
      dataClosed: false,
      attempt: 0,
      modeNow: context.retryMode ?? attemptsOf(context)[0]!,
    })),
    /** The program's next data command for this step, after a refusal or a failed connection. */
    nextAttempt: enqueueActions(({ context, enqueue }) => {
      const mode = attemptsOf(context)[context.attempt + 1]!;
      const [from, to] = [DATA_COMMAND[context.modeNow], DATA_COMMAND[mode]];
      // The same data command again (curl's second PORT) is a retry, not a fallback: the lab's
      // summaries of curl's runs list EPRT→PORT alone.
      const again = mode === context.modeNow;
      enqueue.assign({
        attempt: context.attempt + 1,
        modeNow: mode,
        dataTarget: null,
        fallbacks: again ? context.fallbacks : [...context.fallbacks, `${from}→${to}`],
      });
      enqueue.emit({
        type: 'report',
        text: again
          ? `${profileOf(context).name} sent ${to} again after the refusal`
          : `${profileOf(context).name} fell back from ${from} to ${to}`,
      });
    }),
    sendStepCommand: emit(({ context }) => line(context.step!.verb, context.step!.arg)),
    listenForData: emit({ type: 'listen-data' }),
    /** PORT h1,h2,h3,h4,p1,p2 (RFC 959 §4.1.2) or EPRT |1|address|port| (RFC 2428 §2), naming our own address. */
    sendPort: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'DATA_LISTENING') return;
      const own = { address: context.localAddress, port: event.port };
      enqueue.assign({ dataTarget: own });
      enqueue.emit(
        context.modeNow === 'eprt'
          ? line('EPRT', formatEprt(own))
          : line('PORT', formatHostPort(own)),
      );
    }),
    sendPasv: emit(({ context }) => line(context.modeNow === 'epsv' ? 'EPSV' : 'PASV', null)),
    /**
     * Connect to the announced port. A 229 names no address: use the control connection's server
     * (RFC 2428 §3). For 227, RFC 959 says use the address given; many current clients (curl,
     * Python's ftplib) ignore it and use the control connection's server instead.
     */
    connectToPassivePort: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'REPLY') return;
      let target: Endpoint;
      if (event.code === 229) {
        const parsed = parseEpsvReply(event.text);
        if (!parsed.ok) return;
        target = { address: context.serverAddress, port: parsed.value.port };
      } else {
        const parsed = parsePasvReply(event.text);
        if (!parsed.ok) return;
        const policy = profileOf(context).pasvAddress;
        const trusted =
          policy === 'scenario'
            ? context.settings.pasvAddress === 'trust'
            : policy === 'fix-private'
              ? !isPrivateAddress(parsed.value.address) || isPrivateAddress(context.serverAddress)
              : false;
        const address = trusted ? parsed.value.address : context.serverAddress;
        if (address !== parsed.value.address) {
          enqueue.emit({
            type: 'report',
            text: `ignoring the address ${parsed.value.address} in the 227 reply; connecting to the control connection's server ${context.serverAddress} instead`,
          });
        }
        target = { address, port: parsed.value.port };
      }
      enqueue.assign({ dataTarget: target });
      enqueue.emit({ type: 'connect-data', ...target });
    }),
    collectData: assign({
      downloaded: ({ context, event }) =>
        event.type === 'DATA_RECEIVED' ? [...context.downloaded, event.data] : context.downloaded,
    }),
    closeDataAfterEof: enqueueActions(({ enqueue }) => {
      enqueue.assign({ dataClosed: true });
      enqueue.emit({ type: 'close-data' });
    }),
    markDataClosed: assign({ dataClosed: true }),
    sendUpload: enqueueActions(({ context, enqueue }) => {
      const bytes = context.step?.upload ?? new Uint8Array(0);
      enqueue.emit({
        type: 'send-data',
        data: (context.typeNow ?? context.settings.type) === 'ascii' ? toNetAscii(bytes) : bytes,
      });
      enqueue.emit({ type: 'close-data' });
    }),
    recordTransfer: assign(({ context }) => {
      const wire = concatBytes(context.downloaded);
      const ascii = (context.typeNow ?? context.settings.type) === 'ascii';
      const received = context.step?.verb === 'STOR' ? null : ascii ? fromNetAscii(wire) : wire;
      const upload = context.step?.upload;
      const record: TransferRecord = {
        verb: context.step!.verb,
        path: context.step!.arg,
        mode: context.modeNow,
        target: context.dataTarget,
        bytesOnWire:
          context.step?.verb === 'STOR'
            ? upload
              ? ascii
                ? toNetAscii(upload).length
                : upload.length
              : 0
            : wire.length,
        received,
        ok: true,
      };
      // A command done ends its tries (lftp's TrySuccess).
      return {
        transfers: [...context.transfers, record],
        downloaded: [],
        tries: 0,
        retryMode: null,
      };
    }),
    fail: assign(({ context, event }, params: { kind: FailureKind }) => {
      const code = event.type === 'REPLY' ? event.code : null;
      const detail =
        event.type === 'REPLY'
          ? `${event.code} ${replySummary(event.text)}`
          : event.type === 'DATA_FAILED' || event.type === 'CONTROL_FAILED'
            ? event.detail
            : params.kind === 'reply-timeout'
              ? `no reply within ${context.settings.replyTimeoutMs / 1000} s`
              : 'the control connection closed';
      const failure: ClientFailure = {
        step: stepLabel(context.step) || 'login',
        kind: params.kind,
        detail,
        code,
      };
      // A program that goes on after a failure (curl) is judged by its first one.
      return {
        failure: context.failure ?? failure,
        lastFailure: failure,
        failures: [...context.failures, failure],
      };
    }),
    reportFailure: emit(({ context }) => ({
      type: 'report' as const,
      text: `client gives up at ${context.lastFailure?.step}: ${context.lastFailure?.detail}`,
    })),
    abandonData: emit({ type: 'close-data' }),
    markPortRefused: assign({ portRefused: true }),
    closeControl: emit({ type: 'close-control' }),
    /** lftp's ABOR of the transfer it had queued: Telnet IP and Synch, then it closes. */
    interruptTransfer: enqueueActions(({ context, enqueue }) => {
      if (reconnectOf(context)?.interrupt) enqueue.emit({ type: 'send-interrupt' });
    }),
    reportNewConnection: emit(({ context }) => {
      const policy = reconnectOf(context)!;
      const step = context.lastFailure?.step;
      const how = policy.interrupt
        ? ' with Telnet IP and Synch (the start of an ABOR) and no QUIT'
        : ' without QUIT';
      const then = !opensAnother(context)
        ? policy.maxTries > 0
          ? `; that was its last try (max-retries ${policy.maxTries})`
          : ''
        : policy.resume === 'same-step'
          ? `, and tries ${step} again on a new one`
          : ', and runs the next command on a new one';
      return {
        type: 'report' as const,
        text: `${profileOf(context).name} drops the control connection after "${context.lastFailure?.detail}" (${step})${how}${then}`,
      };
    }),
    reportRetry: emit(({ context }) => ({
      type: 'report' as const,
      text: `${profileOf(context).name} tries ${context.lastFailure?.step} again on this control connection after "${context.lastFailure?.detail}", in ${context.waitMs / 1000} s`,
    })),
    /** The wait before a new connection: what is left of lftp's interval since the last try. */
    planReconnect: assign(({ context, event }) => ({ waitMs: reconnectWait(context, event) })),
    /** The wait before a retry on this connection: the next of lftp's intervals. */
    planRetry: assign(({ context }) => ({
      waitMs: intervalS(reconnectOf(context)!, context.tries + 1) * 1000,
    })),
    /** The same step again (lftp's retry), from its first attempt; its SIZE is not asked again. */
    retryStep: assign(({ context }) => ({
      tries: context.tries + 1,
      stepIndex: context.stepIndex - 1,
      retryMode: attemptsOf(context)[0]!,
      failure: null,
    })),
    /**
     * A new control connection knows nothing of the last: no features, no type. lftp tries the
     * same step (passive after a 5yz to PORT, a fallback it notes); curl goes on to the next.
     */
    beginNewSession: enqueueActions(({ context, enqueue }) => {
      const fresh = {
        connections: context.connections + 1,
        typeNow: profileOf(context).assumedType,
        features: null,
        extras: [],
        afterExtras: 'steps' as const,
        dataTarget: null,
      };
      if (reconnectOf(context)?.resume !== 'same-step') {
        enqueue.assign({ ...fresh, portRefused: false });
        return;
      }
      const passive =
        context.portRefused &&
        profileOf(context).passiveAfterPortRefused &&
        replyClass(context.lastFailure?.code ?? 0) === 'permanent-negative';
      const from = context.modeNow;
      enqueue.assign({
        ...fresh,
        portRefused: false,
        tries: context.tries + 1,
        stepIndex: context.stepIndex - 1,
        retryMode: passive ? 'passive' : attemptsOf(context)[0]!,
        failure: null,
        fallbacks: passive
          ? [...context.fallbacks, `${DATA_COMMAND[from]}→PASV`]
          : context.fallbacks,
      });
      if (passive) {
        enqueue.emit({
          type: 'report',
          text: `${profileOf(context).name} fell back to passive mode (PASV) after "${context.lastFailure?.detail}"`,
        });
      }
    }),
  },
});

/** The guard for one reply code, as RFC 959 §5.4's sequences name the replies a command expects. */
function isReply(code: number) {
  return { type: 'isReply', params: { code } } as const;
}

/** The `fail` action, naming what failed. */
function fail<K extends FailureKind>(kind: K) {
  return { type: 'fail', params: { kind } } as const;
}

/**
 * The last row of a state that waits for a reply: any reply the rows above did not expect ends the
 * step as a failure of this kind.
 */
function otherwiseFail<K extends FailureKind>(kind: K) {
  return { target: 'failed', actions: ['recordReply', fail(kind)] } as const;
}

/** Every state that waits for a reply gives up after `replyTimeoutMs`, as command-line clients do. */
const giveUpWithoutReply = {
  replyTimeout: { target: 'failed', actions: fail('reply-timeout') },
} as const;

/**
 * A reply's text for a one-line note: its first line, at most 200 characters, and how many lines
 * were left out (a hostile or chatty server's multi-line reply may be 64 KiB).
 */
export function replySummary(text: string): string {
  const lines = text.split(/\r\n|\r|\n/).filter((line, i) => i === 0 || line !== '');
  // Control characters left in the line (a stray CR, ESC) are written out, never passed on raw.
  const shown = lines[0]!.replace(
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  const first = shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
  const more = lines.length - 1;
  return more > 0 ? `${first} (${more} more line${more === 1 ? '' : 's'})` : first;
}

export const ftpClientMachine = ftpClientSetup.createMachine({
  id: 'ftpClient',
  context: ({ input }) => ({
    ...input,
    stepIndex: 0,
    step: null,
    replies: [],
    failure: null,
    lastFailure: null,
    failures: [],
    dataTarget: null,
    downloaded: [],
    dataClosed: false,
    transfers: [],
    attempt: 0,
    modeNow: input.settings.mode,
    fallbacks: [],
    typeNow: input.settings.profile?.assumedType ?? null,
    features: null,
    extras: [],
    afterExtras: 'steps',
    portRefused: false,
    connections: 1,
    tries: 1,
    retryMode: null,
    waitMs: 0,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: { START: 'connecting' },
    },
    connecting: {
      entry: 'openControl',
      on: {
        CONTROL_CONNECTED: 'awaitingGreeting',
        CONTROL_FAILED: {
          target: 'failed',
          actions: fail('control-connect'),
        },
      },
    },
    awaitingGreeting: {
      after: giveUpWithoutReply,
      on: {
        REPLY: [
          {
            guard: and([isReply(220), 'asksFeatures']),
            target: 'extraDone',
            actions: ['recordReply', 'queueFeat'],
          },
          {
            guard: isReply(220),
            target: 'awaitingUserReply',
            actions: ['recordReply', 'sendUser'],
          },
          { guard: 'isPreliminaryReply', actions: 'recordReply' },
          otherwiseFail('login'),
        ],
      },
    },
    awaitingUserReply: {
      after: giveUpWithoutReply,
      on: {
        REPLY: [
          {
            guard: isReply(331),
            target: 'awaitingPasswordReply',
            actions: ['recordReply', 'sendPassword'],
          },
          {
            guard: and([isReply(230), 'typeAtLogin']),
            target: 'awaitingTypeReply',
            actions: ['recordReply', 'sendType'],
          },
          {
            guard: isReply(230),
            target: 'extraDone',
            actions: ['recordReply', 'queueAfterLogin'],
          },
          otherwiseFail('login'),
        ],
      },
    },
    awaitingPasswordReply: {
      after: giveUpWithoutReply,
      on: {
        REPLY: [
          {
            guard: and([isReply(230), 'typeAtLogin']),
            target: 'awaitingTypeReply',
            actions: ['recordReply', 'sendType'],
          },
          {
            guard: isReply(230),
            target: 'extraDone',
            actions: ['recordReply', 'queueAfterLogin'],
          },
          otherwiseFail('login'),
        ],
      },
    },
    awaitingTypeReply: {
      after: giveUpWithoutReply,
      on: {
        REPLY: [
          { guard: 'isCompletionReply', target: 'nextStep', actions: 'recordReply' },
          otherwiseFail('reply'),
        ],
      },
    },
    /** A program's own commands (FEAT, OPTS, PWD, TYPE, SIZE), one reply each, then on. */
    extraDone: {
      always: [
        { guard: 'hasExtras', target: 'awaitingExtraReply' },
        {
          guard: { type: 'extrasLeadTo', params: { to: 'user' } },
          target: 'awaitingUserReply',
          actions: 'sendUser',
        },
        { guard: { type: 'extrasLeadTo', params: { to: 'steps' } }, target: 'nextStep' },
        { guard: { type: 'extrasLeadTo', params: { to: 'data' } }, target: 'preparingData' },
        { target: 'transferring', actions: 'sendStepCommand' },
      ],
    },
    awaitingExtraReply: {
      entry: 'sendExtra',
      after: giveUpWithoutReply,
      on: {
        REPLY: [
          { guard: 'isPreliminaryReply', actions: 'recordReply' },
          {
            guard: and(['isNegativeReply', 'extraRequired']),
            target: 'failed',
            actions: ['recordReply', fail('reply')],
          },
          { target: 'extraDone', actions: ['recordReply', 'takeExtraReply'] },
        ],
      },
    },
    nextStep: {
      always: [
        {
          guard: and(['hasMoreSteps', 'nextIsTransfer', 'typeBeforeData']),
          target: 'extraDone',
          actions: ['takeNextStep', 'queueBeforeData'],
        },
        {
          guard: and(['hasMoreSteps', 'nextIsTransfer']),
          target: 'preparingData',
          actions: 'takeNextStep',
        },
        {
          guard: 'hasMoreSteps',
          target: 'awaitingStepReply',
          actions: ['takeNextStep', 'sendStepCommand'],
        },
        { target: 'quitting' },
      ],
    },
    awaitingStepReply: {
      after: giveUpWithoutReply,
      on: {
        REPLY: [
          { guard: 'isPreliminaryReply', actions: 'recordReply' },
          {
            guard: 'isNegativeReply',
            target: 'failed',
            actions: ['recordReply', fail('reply')],
          },
          { target: 'nextStep', actions: 'recordReply' },
        ],
      },
    },
    preparingData: {
      always: [
        { guard: 'usesActiveMode', target: 'openingDataListener', actions: 'listenForData' },
        { target: 'awaitingPassiveReply', actions: 'sendPasv' },
      ],
    },
    openingDataListener: {
      on: { DATA_LISTENING: { target: 'awaitingPortReply', actions: 'sendPort' } },
    },
    awaitingPortReply: {
      after: giveUpWithoutReply,
      on: {
        REPLY: [
          {
            guard: and(['isCompletionReply', 'typeAfterData']),
            target: 'extraDone',
            actions: ['recordReply', 'queueAfterData'],
          },
          {
            guard: 'isCompletionReply',
            target: 'transferring',
            actions: ['recordReply', 'sendStepCommand'],
          },
          {
            guard: 'hasFallback',
            target: 'preparingData',
            actions: ['recordReply', 'abandonData', 'nextAttempt'],
          },
          {
            // The server refused PORT/EPRT: stop listening for a connection that will not come.
            target: 'failed',
            actions: ['recordReply', 'abandonData', 'markPortRefused', fail('reply')],
          },
        ],
      },
    },
    awaitingPassiveReply: {
      after: giveUpWithoutReply,
      on: {
        REPLY: [
          {
            guard: 'isParsablePassiveReply',
            target: 'connectingData',
            actions: ['recordReply', 'connectToPassivePort'],
          },
          {
            guard: and(['isNegativeReply', 'hasFallback']),
            target: 'preparingData',
            actions: ['recordReply', 'nextAttempt'],
          },
          otherwiseFail('reply'),
        ],
      },
    },
    connectingData: {
      on: {
        DATA_CONNECTED: [
          { guard: 'typeAfterData', target: 'extraDone', actions: 'queueAfterData' },
          { target: 'transferring', actions: 'sendStepCommand' },
        ],
        DATA_FAILED: [
          {
            guard: 'fallsBackOnConnectFailure',
            target: 'preparingData',
            actions: ['abandonData', 'nextAttempt'],
          },
          { target: 'failed', actions: fail('data-connect') },
        ],
      },
    },
    transferring: {
      type: 'parallel',
      onDone: { target: 'nextStep', actions: 'recordTransfer' },
      states: {
        control: {
          initial: 'awaitingPreliminaryReply',
          states: {
            awaitingPreliminaryReply: {
              on: {
                REPLY: [
                  {
                    guard: 'isPreliminaryReply',
                    target: 'awaitingCompletionReply',
                    actions: 'recordReply',
                  },
                ],
              },
            },
            awaitingCompletionReply: {
              on: {
                REPLY: [{ guard: 'isCompletionReply', target: 'complete', actions: 'recordReply' }],
              },
            },
            complete: { type: 'final' },
          },
        },
        data: {
          initial: 'open',
          states: {
            open: {
              always: [{ guard: 'isUpload', target: 'awaitingGoAhead' }],
              on: {
                DATA_RECEIVED: { actions: 'collectData' },
                DATA_EOF: { target: 'closed', actions: 'closeDataAfterEof' },
              },
            },
            awaitingGoAhead: {
              on: {
                REPLY: { guard: 'isPreliminaryReply', target: 'sending', actions: 'sendUpload' },
              },
            },
            sending: {
              on: { DATA_SENT: 'closed' },
            },
            closed: { type: 'final' },
          },
        },
      },
      on: {
        REPLY: {
          guard: 'isNegativeReply',
          target: 'failed',
          actions: ['recordReply', 'abandonData', fail('reply')],
        },
        DATA_FAILED: {
          target: 'failed',
          actions: ['abandonData', fail('data-transfer')],
        },
      },
    },
    /**
     * A step failed: try it again (lftp), on a new control connection (lftp, curl), or give up:
     * go on to the next command (curl), QUIT, or close without it (ftplib).
     */
    failed: {
      always: [
        {
          guard: 'retriesOnSameConnection',
          target: 'waitingToRetry',
          actions: ['planRetry', 'reportRetry'],
        },
        {
          guard: 'reconnectsAfterFailure',
          target: 'droppingControl',
          actions: 'reportNewConnection',
        },
        { guard: 'continuesAfterFailure', target: 'nextStep', actions: 'reportFailure' },
        {
          guard: and(['controlStillUp', 'quitsAfterFailure']),
          target: 'quitting',
          actions: 'reportFailure',
        },
        { guard: 'controlStillUp', target: 'closingControl', actions: 'reportFailure' },
        { target: 'done', actions: 'reportFailure' },
      ],
    },
    waitingToRetry: {
      after: { beforeNextTry: { target: 'nextStep', actions: 'retryStep' } },
    },
    /** Closing this control connection without QUIT, to open a new one (or, out of tries, to stop). */
    droppingControl: {
      entry: ['interruptTransfer', 'closeControl'],
      on: {
        CONTROL_CLOSED: [
          {
            guard: and(['opensAnother', 'waitsBeforeReconnecting']),
            target: 'waitingToReconnect',
            actions: 'planReconnect',
          },
          { guard: 'opensAnother', target: 'connecting', actions: 'beginNewSession' },
          { target: 'done', actions: 'reportFailure' },
        ],
      },
    },
    waitingToReconnect: {
      after: { beforeNextTry: { target: 'connecting', actions: 'beginNewSession' } },
    },
    quitting: {
      entry: 'sendQuit',
      after: { replyTimeout: { target: 'closingControl' } },
      on: {
        REPLY: { target: 'closingControl', actions: 'recordReply' },
        CONTROL_CLOSED: 'done',
      },
    },
    closingControl: {
      entry: 'closeControl',
      on: { CONTROL_CLOSED: 'done' },
    },
    done: { type: 'final' },
  },
  on: {
    CONTROL_CLOSED: {
      target: '.failed',
      actions: fail('control-lost'),
    },
  },
});
