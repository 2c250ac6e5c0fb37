import net, { type AddressInfo } from 'node:net';
import { createActor, enqueueActions } from 'xstate';
import { normalisePath, type FileStore, type StoredFile } from '../machines/file-store';
import {
  ftpServerMachine,
  passiveReply,
  type FtpServerContext,
  type FtpServerEmitted,
  type FtpServerEvent,
  type FtpServerSettings,
} from '../machines/ftp-server';
import { BoundedLineReader, controlEvent, type ControlInput } from './control-lines';
import type { SessionEvent } from './recording';
import { plainAddress, timedLogger, wireDataSocket } from './sockets';

/**
 * One control connection of the real server: the project's ftp-server machine, with Node sockets
 * doing what the simulated host does in src/network/ftp-apps.ts. Commands are fed one at a time,
 * only while the machine reads commands (its `readsCommands` tag), as vsftpd reads the next
 * command only when the previous one is finished; meanwhile the control socket is paused, so a
 * client that pipelines without end cannot fill our memory.
 */

export interface SessionOptions {
  settings: FtpServerSettings;
  /** Passive ports to choose from; null: any free port the kernel gives. */
  passivePorts: { from: number; to: number } | null;
  /** A session that sends no command for this long gets 421 and is closed (vsftpd idle_session_timeout). */
  idleTimeoutMs: number;
  /** A data connection that moves no byte for this long fails the transfer (vsftpd data_connection_timeout). */
  dataTimeoutMs: number;
  /**
   * Whether STOR may create this path: false gets 553 before any data connection, as vsftpd
   * answers when it cannot open the file. Absent: the machine's own check on its store.
   */
  canUpload?(path: string): boolean;
  /** Called when STOR has stored a file, before the next command is read. */
  onStored(path: string, file: StoredFile): void;
  onEvent(event: SessionEvent): void;
}

/** Ports of the range, starting at a random one (as vsftpd picks), so sessions rarely collide. */
function candidatePorts(range: { from: number; to: number } | null): number[] {
  if (range === null) return [0];
  const span = range.to - range.from + 1;
  const start = Math.floor(Math.random() * span);
  return Array.from({ length: span }, (_, i) => range.from + ((start + i) % span));
}

/** A listening socket on the first free candidate port, or null when every one is taken. */
async function listenOnFreePort(
  address: string,
  range: { from: number; to: number } | null,
): Promise<net.Server | null> {
  for (const port of candidatePorts(range)) {
    const server = net.createServer({ pauseOnConnect: true });
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ host: address, port, exclusive: true }, () => resolve(true));
    });
    if (listening) return server;
  }
  return null;
}

/**
 * The machine with one action replaced. The machine picks a passive port from its range and
 * announces it at once, which a simulated host can always honour; a real host cannot, because
 * another program may hold that port. So the adapter binds a free port first (as vsftpd does:
 * bind, then 227) and the replaced openPassive announces that one.
 */
function machineWithBoundPassivePort(
  boundPort: () => number,
  canUpload: ((path: string) => boolean) | undefined,
) {
  const machine = ftpServerMachine.provide({
    actions: {
      openPassive: enqueueActions<
        FtpServerContext,
        FtpServerEvent,
        { extended: boolean },
        FtpServerEvent,
        never,
        never,
        never,
        never,
        FtpServerEmitted
      >(({ context, enqueue }, params) => {
        const port = boundPort();
        enqueue.assign({
          passivePort: port,
          passiveConnected: false,
          passiveCount: context.passiveCount + 1,
        });
        enqueue.emit({ type: 'open-passive', port });
        enqueue.emit(passiveReply(context, port, params.extended));
      }),
    },
  });
  if (canUpload === undefined) return machine;
  return machine.provide({
    guards: {
      isUncreatableUpload: ({ context, event }) => {
        if (event.type !== 'COMMAND' || event.verb !== 'STOR' || !event.arg) return false;
        return !canUpload(normalisePath(context.cwd, event.arg));
      },
    },
  });
}

/** Runs one session on an accepted control connection; resolves when it is over. */
export function runServerSession(control: net.Socket, options: SessionOptions): Promise<void> {
  const log = timedLogger(options.onEvent);
  const local = plainAddress(control.localAddress);
  const peer = plainAddress(control.remoteAddress);

  const reader = new BoundedLineReader();
  const pending: ControlInput[] = [];
  let boundPassive: net.Server | null = null;
  let bindingPassive = false;
  let passive: net.Server | null = null;
  let connecting: net.Socket | null = null;
  let data: net.Socket | null = null;
  let downloading = false;
  let dataCount = 0;
  let ended = false;
  const dataSockets = new Set<net.Socket>();

  // Only reads the port: the machine evaluates openPassive before it performs the effects of the
  // actions before it (close-passive of the previous PASV), so the listener changes hands in the
  // open-passive handler, in effect order.
  const machine = machineWithBoundPassivePort(
    () => (boundPassive!.address() as AddressInfo).port,
    options.canUpload,
  );
  const session = createActor(machine, {
    input: { settings: options.settings, localAddress: local, peerAddress: peer, seed: 0 },
  });
  const tell = (event: FtpServerEvent) => {
    if (session.getSnapshot().status === 'active') session.send(event);
  };
  /** For events that arise while the machine is still handling another (an emitted effect). */
  const tellLater = (event: FtpServerEvent) => setImmediate(() => tell(event));

  const closePassive = () => {
    passive?.close();
    passive = null;
  };

  const attachData = (socket: net.Socket, opener: 'client' | 'server') => {
    data = socket;
    dataSockets.add(socket);
    // Bytes wait in the kernel until the transfer has begun (see the subscription below).
    wireDataSocket(socket, ++dataCount, opener, {
      log,
      tell,
      release: () => {
        dataSockets.delete(socket);
        const current = data === socket;
        if (current) data = null;
        return current;
      },
    });
    socket.setTimeout(options.dataTimeoutMs, () =>
      socket.destroy(new Error(`no data moved for ${options.dataTimeoutMs / 1000} s`)),
    );
  };

  session.on('reply', ({ wire }) => {
    for (const text of wire.split('\r\n').slice(0, -1)) log({ kind: 'line', from: 'server', text });
    if (!control.destroyed) control.write(wire, 'latin1');
  });

  session.on('open-passive', () => {
    passive = boundPassive;
    boundPassive = null;
    passive?.on('connection', (socket: net.Socket) => {
      // vsftpd's pasv_promiscuous=NO: the data connection must come from the control connection's client.
      if (plainAddress(socket.remoteAddress) !== peer) {
        log({
          kind: 'note',
          text: `passive data connection from ${plainAddress(socket.remoteAddress)} refused: the client is ${peer}`,
        });
        socket.destroy();
        return;
      }
      closePassive();
      attachData(socket, 'client');
      tell({ type: 'DATA_CONNECTED' });
    });
  });
  session.on('close-passive', closePassive);

  session.on('connect-active', ({ target, sourcePort }) => {
    // RFC 959 §3.2 has the server connect from port 20, which only root may bind; sourcePort 0
    // leaves the choice to the kernel (an ephemeral port). See FtpServerOptions.activeSourcePort.
    const socket = net.connect({
      host: target.host,
      port: target.port,
      localAddress: local,
      ...(sourcePort > 0 ? { localPort: sourcePort } : {}),
    });
    connecting = socket;
    dataSockets.add(socket);
    socket.once('connect', () => {
      if (connecting !== socket) return;
      connecting = null;
      attachData(socket, 'server');
      tell({ type: 'DATA_CONNECTED' });
    });
    socket.on('error', (error) => {
      if (connecting !== socket) return;
      connecting = null;
      dataSockets.delete(socket);
      tell({ type: 'DATA_FAILED', detail: error.message });
    });
  });
  session.on('abort-data', () => {
    connecting?.destroy();
    connecting = null;
    data?.destroy();
  });

  session.on('send-data', ({ data: bytes }) => {
    if (data === null || data.destroyed) {
      tellLater({ type: 'DATA_FAILED', detail: 'the data connection is gone' });
      return;
    }
    downloading = true;
    data.write(bytes);
  });
  session.on('close-data', () => {
    const socket = data;
    const wasDownloading = downloading;
    downloading = false;
    if (socket === null) return;
    // After a download the 226 waits until every byte is handed to the kernel; an error on the way
    // closes the socket with an error instead, and the machine answers 426.
    if (wasDownloading) socket.once('finish', () => tell({ type: 'DATA_SENT' }));
    socket.end();
  });
  session.on('close-control', () => control.end());

  const feedCommands = () => {
    while (pending.length > 0 && !bindingPassive && !ended) {
      const snapshot = session.getSnapshot();
      if (snapshot.status !== 'active' || !snapshot.hasTag('readsCommands')) break;
      const event = controlEvent(pending[0]);
      const opensPassive =
        event.type === 'COMMAND' &&
        (event.verb === 'PASV' || event.verb === 'EPSV') &&
        snapshot.matches('loggedIn');
      if (opensPassive && boundPassive === null) {
        bindPassivePort();
        break;
      }
      pending.shift();
      tell(event);
    }
    if (pending.length > 0) control.pause();
    else control.resume();
  };

  const bindPassivePort = () => {
    bindingPassive = true;
    void listenOnFreePort(local, options.passivePorts).then((server) => {
      bindingPassive = false;
      if (ended) {
        server?.close();
        return;
      }
      if (server === null) {
        // Not the machine's doing: the host has no free port in the range, so the adapter answers
        // as for any data connection it cannot set up (RFC 959 §4.2: 425).
        pending.shift();
        const text = '425 Could not listen for passive connection.';
        log({ kind: 'line', from: 'server', text });
        control.write(`${text}\r\n`);
      } else {
        boundPassive = server;
      }
      feedCommands();
    });
  };

  // Each file STOR stores shows up as a new entry object in the machine's store.
  let files: FileStore = options.settings.files;
  session.subscribe((snapshot) => {
    if (snapshot.context.files !== files) {
      const previous = files;
      files = snapshot.context.files;
      for (const [path, file] of Object.entries(files)) {
        if (previous[path] !== file) options.onStored(path, file);
      }
    }
    if (snapshot.matches({ loggedIn: 'transferring' }) && data?.isPaused()) data.resume();
    feedCommands();
  });

  control.on('data', (chunk: Buffer) => {
    for (const input of reader.push(chunk)) {
      log(
        input.kind === 'line'
          ? { kind: 'line', from: 'client', text: input.text }
          : { kind: 'note', text: `client sent a line of ${input.bytes} bytes; dropped` },
      );
      pending.push(input);
    }
    feedCommands();
  });
  control.setTimeout(options.idleTimeoutMs, () => {
    const snapshot = session.getSnapshot();
    if (!snapshot.hasTag('readsCommands') || pending.length > 0) return;
    const text = '421 Timeout.';
    log({ kind: 'line', from: 'server', text });
    control.end(`${text}\r\n`);
  });
  control.on('error', () => {
    // A reset control connection ends the session like a closed one ('close' follows).
  });

  return new Promise((resolve) => {
    control.on('close', () => {
      ended = true;
      tell({ type: 'CONTROL_CLOSED' });
      session.stop();
      connecting?.destroy();
      for (const socket of dataSockets) socket.destroy();
      closePassive();
      boundPassive?.close();
      resolve();
    });
    session.start();
    tell({ type: 'CONTROL_OPENED' });
  });
}
