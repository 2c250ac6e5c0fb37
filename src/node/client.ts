import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { Writable } from 'node:stream';
import { createActor } from 'xstate';
import {
  ftpClientMachine,
  type ClientFailure,
  type ClientStep,
  type DataMode,
  type FtpClientEvent,
  type TransferRecord,
  type TransferType,
} from '../machines/ftp-client';
import { previewValue } from '../scenario/preview';
import { ReplyReader } from './client-replies';
import { NetAsciiDecoder } from './net-ascii-stream';
import type { SessionEvent } from './recording';
import { plainAddress, timedLogger, wireDataSocket, type DataSocketEvent } from './sockets';

/**
 * The project's ftp-client machine over real TCP sockets: what the simulated client host does in
 * src/network/ftp-apps.ts, with node:net doing the TCP.
 */

export interface FtpClientOptions {
  host: string;
  port: number;
  user?: string;
  password?: string;
  mode: DataMode;
  type: TransferType;
  /** What to do after logging in, e.g. [{ verb: 'RETR', arg: 'notes.txt' }]. */
  steps: ClientStep[];
  /** Connect to the address in a 227 reply (RFC 959) or, as curl does by default, to the server's. */
  pasvAddress?: 'trust' | 'ignore';
  replyTimeoutMs?: number;
  /** The whole session gives up after this long, whatever it is waiting for. */
  sessionTimeoutMs?: number;
  onEvent?: (event: SessionEvent) => void;
  /**
   * Where downloads (LIST, RETR) go as they arrive, TYPE A's CRLF already made LF, instead of
   * into the result: a large file then never sits in memory. The data connection pauses while
   * the sink's buffer is full. A sink error (a full disk) fails the transfer. The caller ends it.
   */
  download?: Writable;
}

export interface FtpClientResult {
  ok: boolean;
  failure: ClientFailure | null;
  transfers: TransferRecord[];
  serverAddress: string;
  /** The address the client names in PORT and EPRT. */
  localAddress: string;
  /** Bytes written to `download`, after TYPE A conversion; 0 without one. */
  downloadedBytes: number;
}

/**
 * The local address the kernel would use to reach `host`: a connected UDP socket gets one without
 * sending anything. PORT and EPRT must name it, and the machine needs it before it connects.
 */
async function localAddressToward(host: string, port: number): Promise<string> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, host, resolve);
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}

/**
 * Why these options cannot become command lines, or null. A CR or LF in the user, the password
 * or a step's argument (a URL's %0d%0a) would end that command and smuggle another onto the
 * control connection (RFC 959 §5.3: a line ends at CRLF), so nothing is sent at all.
 */
export function commandLineProblem(options: {
  user?: string | null;
  password?: string | null;
  steps: readonly ClientStep[];
}): string | null {
  const values: [string, string | null | undefined][] = [
    ['the user name', options.user],
    ['the password', options.password],
    ...options.steps.map((step): [string, string | null] => [
      `the ${step.verb} argument`,
      step.arg,
    ]),
  ];
  for (const [what, value] of values) {
    if (value != null && /[\r\n]/.test(value)) {
      // The password is not echoed: it may be real.
      const shown = what === 'the password' ? what : `${what} ${previewValue(value)}`;
      return `${shown} contains CR or LF, which would start another FTP command: nothing sent`;
    }
  }
  return null;
}

async function ipv4Of(host: string): Promise<string> {
  if (net.isIPv4(host)) return host;
  return (await lookup(host, { family: 4 })).address;
}

export async function runFtpClient(options: FtpClientOptions): Promise<FtpClientResult> {
  const problem = commandLineProblem(options);
  if (problem !== null) throw new RangeError(problem);
  const log = timedLogger(options.onEvent);

  const serverAddress = await ipv4Of(options.host);
  const localAddress = await localAddressToward(serverAddress, options.port);
  const client = createActor(ftpClientMachine, {
    input: {
      settings: {
        user: options.user ?? 'anonymous',
        password: options.password ?? 'ftp-lab@example.org',
        mode: options.mode,
        type: options.type,
        steps: options.steps,
        pasvAddress: options.pasvAddress ?? 'ignore',
        replyTimeoutMs: options.replyTimeoutMs ?? 30_000,
      },
      localAddress,
      serverAddress,
      serverPort: options.port,
    },
  });
  const tell = (event: FtpClientEvent) => {
    if (client.getSnapshot().status === 'active') client.send(event);
  };

  let control: net.Socket | null = null;
  let controlClosed = false;
  let listener: net.Server | null = null;
  let data: net.Socket | null = null;
  let dataCount = 0;
  /** Upload bytes waiting for the server's active connection. */
  let unsent: Uint8Array[] = [];
  let uploading = false;
  const sockets = new Set<net.Socket>();
  /** Why the client stopped reading the control connection, when the server broke FTP. */
  let protocolError: string | null = null;
  const sink = options.download ?? null;
  /** The data connection waits while the sink's buffer is full. */
  let sinkFull = false;
  let downloadedBytes = 0;
  /** Bytes on the wire of each transfer streamed to the sink, by its index in `transfers`. */
  const streamedOnWire = new Map<number, number>();

  const closeControlOnce = () => {
    if (controlClosed) return;
    controlClosed = true;
    tell({ type: 'CONTROL_CLOSED' });
  };

  const finishUpload = (socket: net.Socket) => {
    for (const chunk of unsent) socket.write(chunk);
    unsent = [];
    uploading = false;
    socket.once('finish', () => tell({ type: 'DATA_SENT' }));
    socket.end();
  };

  /** With a sink, downloaded bytes go there and the machine sees only the end of the data. */
  const streamTo = (output: Writable, socket: net.Socket) => {
    const decoder = options.type === 'ascii' ? new NetAsciiDecoder() : null;
    const write = (bytes: Uint8Array) => {
      downloadedBytes += bytes.length;
      if (output.write(bytes) || sinkFull) return;
      sinkFull = true;
      socket.pause();
      output.once('drain', () => {
        sinkFull = false;
        if (data === socket && client.getSnapshot().matches('transferring')) socket.resume();
      });
    };
    return (event: DataSocketEvent) => {
      if (event.type === 'DATA_RECEIVED') {
        const index = client.getSnapshot().context.transfers.length;
        streamedOnWire.set(index, (streamedOnWire.get(index) ?? 0) + event.data.length);
        write(decoder === null ? event.data : decoder.push(event.data));
        return;
      }
      if (event.type === 'DATA_EOF' && decoder !== null) write(decoder.end());
      tell(event);
    };
  };

  const attachData = (socket: net.Socket, opener: 'client' | 'server') => {
    data = socket;
    sockets.add(socket);
    // Bytes wait in the kernel until the machine is transferring (see the subscription below).
    wireDataSocket(socket, ++dataCount, opener, {
      log,
      tell: sink === null ? tell : streamTo(sink, socket),
      release: () => {
        sockets.delete(socket);
        const current = data === socket;
        if (current) data = null;
        return current;
      },
    });
    if (uploading) finishUpload(socket);
  };

  client.on('open-control', ({ address, port }) => {
    const socket = net.connect({ host: address, port, noDelay: true });
    control = socket;
    let connected = false;
    const reader = new ReplyReader();
    socket.once('connect', () => {
      connected = true;
      tell({ type: 'CONTROL_CONNECTED' });
    });
    socket.on('data', (bytes: Buffer) => {
      for (const input of reader.push(bytes)) {
        if (input.kind === 'line') {
          log({ kind: 'line', from: 'server', text: input.text });
        } else if (input.kind === 'reply') {
          tell({ type: 'REPLY', code: input.reply.code, text: input.reply.lines.join('\n') });
        } else if (input.kind === 'not-a-reply') {
          log({ kind: 'note', text: `not an FTP reply, ignored: ${input.error}` });
        } else {
          protocolError = input.error;
          log({ kind: 'note', text: input.error });
          socket.destroy();
          closeControlOnce();
        }
      }
    });
    socket.on('error', (error) => {
      if (!connected) tell({ type: 'CONTROL_FAILED', detail: error.message });
    });
    socket.on('close', () => {
      if (connected) closeControlOnce();
    });
  });
  client.on('send-line', ({ wire, text }) => {
    log({ kind: 'line', from: 'client', text });
    // RFC 2640 §2.2: a name goes as the UTF-8 bytes of its characters, as curl and lftp send it.
    control?.write(wire, 'utf8');
  });
  client.on('listen-data', () => {
    const server = net.createServer({ pauseOnConnect: true }, (socket) => {
      // Only the server may connect: anyone else who finds the port gets nothing.
      if (plainAddress(socket.remoteAddress) !== serverAddress) {
        log({
          kind: 'note',
          text: `data connection from ${plainAddress(socket.remoteAddress)} refused: the server is ${serverAddress}`,
        });
        socket.destroy();
        return;
      }
      server.close();
      if (listener === server) listener = null;
      attachData(socket, 'server');
      tell({ type: 'DATA_CONNECTED' });
    });
    listener = server;
    server.once('error', (error) =>
      tell({ type: 'DATA_FAILED', detail: `cannot listen: ${error.message}` }),
    );
    server.listen({ host: localAddress, port: 0 }, () => {
      const address = server.address();
      if (address !== null && typeof address === 'object') {
        tell({ type: 'DATA_LISTENING', port: address.port });
      }
    });
  });
  client.on('connect-data', ({ address, port }) => {
    const socket = net.connect({ host: address, port, localAddress });
    sockets.add(socket);
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      attachData(socket, 'client');
      tell({ type: 'DATA_CONNECTED' });
    });
    socket.on('error', (error) => {
      if (!connected) tell({ type: 'DATA_FAILED', detail: error.message });
    });
  });
  client.on('send-data', ({ data: bytes }) => {
    unsent.push(bytes);
  });
  client.on('close-data', () => {
    if (unsent.length > 0) {
      // An upload: send it now, or as soon as the server's active connection is accepted. The
      // listener stays open until then: closing it would reset a connection still in its backlog.
      uploading = true;
      if (data !== null) finishUpload(data);
      return;
    }
    listener?.close();
    listener = null;
    data?.end();
  });
  client.on('close-control', () => {
    control?.end();
    closeControlOnce();
  });
  client.on('report', ({ text }) => log({ kind: 'note', text }));

  /** A sink that cannot take the download fails the transfer: the data connection is dropped. */
  const onSinkError = (error: Error) => {
    log({ kind: 'note', text: `cannot keep the download: ${error.message}` });
    data?.destroy(new Error(`cannot keep the download: ${error.message}`));
  };
  sink?.on('error', onSinkError);

  const sessionTimer = setTimeout(() => {
    log({ kind: 'note', text: `session took longer than ${options.sessionTimeoutMs} ms: closing` });
    control?.destroy();
  }, options.sessionTimeoutMs ?? 300_000);

  return new Promise((resolve) => {
    client.subscribe((snapshot) => {
      if (snapshot.matches('transferring') && data?.isPaused() && !sinkFull) data.resume();
      if (snapshot.status !== 'done') return;
      clearTimeout(sessionTimer);
      listener?.close();
      for (const socket of sockets) socket.destroy();
      control?.destroy();
      let { failure, transfers } = snapshot.context;
      if (failure?.kind === 'control-lost' && protocolError !== null) {
        failure = { ...failure, detail: protocolError };
      }
      if (sink !== null) {
        transfers = transfers.map((transfer, index) =>
          transfer.verb === 'STOR'
            ? transfer
            : { ...transfer, received: null, bytesOnWire: streamedOnWire.get(index) ?? 0 },
        );
      }
      resolve({
        ok: failure === null,
        failure,
        transfers,
        serverAddress,
        localAddress,
        downloadedBytes,
      });
    });
    client.start();
    tell({ type: 'START' });
  });
}
