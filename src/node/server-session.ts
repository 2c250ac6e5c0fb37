import net, { type AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { createActor } from 'xstate';
import type { FtpServerEvent, FtpServerSettings } from '../machines/ftp-server';
import { BoundedLineReader, controlEvent, InputQueue, type ControlInput } from './control-lines';
import { NetAsciiDecoder, NetAsciiEncoder } from './net-ascii-stream';
import type { SessionEvent } from './recording';
import type { ServedFiles, Upload } from './served-files';
import { servedMachine, type Reply, type ServedMachineHost } from './served-machine';
import { repeatLimitedLog } from './served-log';
import { plainAddress, timedLogger, wireDataSocket } from './sockets';

/**
 * One control connection of the real server: the project's ftp-server machine, with Node sockets
 * doing what the simulated host does in src/network/ftp-apps.ts. Commands are fed one at a time,
 * only while the machine reads commands (its `readsCommands` tag), as vsftpd reads the next
 * command only when the previous one is finished; meanwhile the control socket is paused, so a
 * client that pipelines without end cannot fill our memory.
 *
 * Every session shares one thread, so none may keep it long: a session handles at most
 * LINES_PER_SLICE lines and then lets the event loop run (setImmediate) before its next slice. A
 * 64 KiB write of bare LFs is 65,536 lines; handled in one go it kept every other session waiting
 * for seconds (issue 11 item 3).
 */

/** Lines one session handles before the others get their turn. */
export const LINES_PER_SLICE = 32;

/**
 * Replies the client has not read yet, beyond what the kernel holds: above this the session reads
 * no more commands until they drain (issue 11 item 4). A client that sends and never reads stops
 * being read; its lines wait in its own socket buffers, not in our memory.
 */
export const OUTPUT_HIGH_WATER = 64 * 1024;
/**
 * Unread replies beyond this end the session (421). Reading stops far below it, so only replies
 * that no command asked for could get here; it is the bound, not the brake.
 */
export const MAX_OUTPUT_BYTES = 1024 * 1024;

export interface SessionOptions {
  settings: FtpServerSettings;
  /** Passive ports to choose from; null: any free port the kernel gives. */
  passivePorts: { from: number; to: number } | null;
  /** A session that sends no command for this long gets 421 and is closed (vsftpd idle_session_timeout). */
  idleTimeoutMs: number;
  /**
   * A command line not complete this long after its first byte: 421 and closed (a client sending
   * one byte a second never lets the idle timer fire).
   */
  lineTimeoutMs: number;
  /** A data connection that moves no byte for this long fails the transfer (vsftpd data_connection_timeout). */
  dataTimeoutMs: number;
  /** The files the session serves, asked for when a command needs them. */
  files: ServedFiles;
  onEvent(event: SessionEvent): void;
  /** Problems that are not the client's doing, such as a write the disk refused. */
  onError?(message: string): void;
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

/** Runs one session on an accepted control connection; resolves when it is over. */
export function runServerSession(control: net.Socket, options: SessionOptions): Promise<void> {
  const logger = repeatLimitedLog(timedLogger(options.onEvent));
  const log = logger.log;
  const local = plainAddress(control.localAddress);
  const peer = plainAddress(control.remoteAddress);

  const reader = new BoundedLineReader();
  const pending = new InputQueue();
  let boundPassive: net.Server | null = null;
  let bindingPassive = false;
  let passive: net.Server | null = null;
  let connecting: net.Socket | null = null;
  let data: net.Socket | null = null;
  let downloading = false;
  let dataCount = 0;
  let ended = false;
  const dataSockets = new Set<net.Socket>();

  let download: { size: number; stream: Readable } | null = null;
  let upload: Upload | null = null;
  let decoder: NetAsciiDecoder | null = null;
  /** The reply that ends the current transfer instead of 226 or 426. */
  let failure: Reply | null = null;
  const releaseTransferFiles = () => {
    download?.stream.destroy();
    download = null;
    upload?.abort();
    upload = null;
    decoder = null;
  };
  const failUpload = (reply: Reply, reason: string) => {
    failure = reply;
    upload?.abort();
    upload = null;
    data?.destroy(new Error(reason));
  };

  const host: ServedMachineHost = {
    files: options.files,
    // Only reads the port: the machine evaluates choosePassivePort before it performs the effects
    // of the actions before it (close-passive of the previous PASV), so the listener changes hands
    // in the open-passive handler, in effect order.
    boundPort: () => (boundPassive!.address() as AddressInfo).port,
    openDownload: (path) => {
      releaseTransferFiles();
      download = options.files.openForReading(path);
      return download?.size ?? null;
    },
    startDownload: (ascii) => {
      const file = download;
      const socket = data;
      if (file === null || socket === null) return 0;
      const encoder = ascii ? new NetAsciiEncoder() : null;
      file.stream.on('data', (chunk: Buffer) => {
        if (socket.destroyed) return;
        // Backpressure: the file waits while the kernel's send buffer is full.
        if (!socket.write(encoder ? encoder.push(chunk) : chunk)) {
          file.stream.pause();
          socket.once('drain', () => file.stream.resume());
        }
      });
      file.stream.once('end', () => {
        if (download === file) download = null;
        socket.once('finish', () => tell({ type: 'DATA_SENT' }));
        socket.end();
      });
      file.stream.once('error', (error) => {
        failure = { code: 451, text: 'Failure reading local file.' };
        socket.destroy(error);
      });
      return file.size;
    },
    openUpload: (path, ascii) => {
      releaseTransferFiles();
      upload = options.files.beginUpload(path);
      decoder = ascii ? new NetAsciiDecoder() : null;
      return upload !== null;
    },
    receive: (bytes) => {
      if (upload === null) return;
      try {
        if (upload.write(decoder ? decoder.push(bytes) : bytes)) return;
        failUpload(
          { code: 552, text: 'Exceeded storage allocation.' },
          'the upload is larger than the server takes',
        );
      } catch (error) {
        options.onError?.(`STOR: cannot write: ${(error as Error).message}`);
        failUpload({ code: 451, text: 'Failure writing to local file.' }, 'write failed');
      }
    },
    commitUpload: () => {
      if (upload === null) return;
      const finished = upload;
      upload = null;
      try {
        if (decoder !== null && !finished.write(decoder.end())) {
          finished.abort();
          failure = { code: 552, text: 'Exceeded storage allocation.' };
          return;
        }
        finished.commit();
      } catch (error) {
        options.onError?.(`STOR: cannot store: ${(error as Error).message}`);
        finished.abort();
        failure = { code: 451, text: 'Failure writing to local file.' };
      }
    },
    takeFailure: () => {
      const taken = failure;
      failure = null;
      return taken;
    },
  };
  const machine = servedMachine(host);
  const session = createActor(machine, {
    input: { settings: options.settings, localAddress: local, peerAddress: peer, seed: 0 },
  });
  const tell = (event: FtpServerEvent) => {
    if (session.getSnapshot().status === 'active') session.send(event);
  };
  /** For events that arise while the machine is still handling another (an emitted effect). */
  const tellLater = (event: FtpServerEvent) => setImmediate(() => tell(event));

  let passiveExpiry: ReturnType<typeof setTimeout> | null = null;
  const closePassive = () => {
    if (passiveExpiry !== null) clearTimeout(passiveExpiry);
    passiveExpiry = null;
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

  /** Ends a session whose client does not read: 421, and closed without waiting for it. */
  const dropUnreadSession = (why: string) => {
    if (control.destroyed) return;
    ended = true;
    const text = '421 Replies are not being read; closing the connection.';
    log({ kind: 'note', text: why });
    log({ kind: 'line', from: 'server', text });
    // Too late to wait for the 421 to be read: it goes into the buffer, and the buffer goes.
    control.write(`${text}\r\n`);
    control.destroy();
  };

  session.on('reply', ({ wire }) => {
    for (const text of wire.split('\r\n').slice(0, -1)) log({ kind: 'line', from: 'server', text });
    if (control.destroyed) return;
    // UTF-8, as the commands are read (RFC 2640 §2.2): a name in a reply is the client's bytes.
    control.write(wire, 'utf8');
    if (control.writableLength > MAX_OUTPUT_BYTES) {
      dropUnreadSession(`${control.writableLength} bytes of replies unread`);
    }
  });

  session.on('open-passive', () => {
    passive = boundPassive;
    boundPassive = null;
    // A listener nobody connects to is given up after the accept timeout, as a transfer waiting
    // for it would be: otherwise sessions that say PASV and wait hold their ports, and ten of
    // them used up a ten-port range for everyone. A transfer command after that gets 425.
    const listener = passive;
    passiveExpiry = setTimeout(() => {
      if (passive !== listener) return;
      log({
        kind: 'note',
        text: `passive port not connected to within ${options.settings.acceptTimeoutMs / 1000} s; closed`,
      });
      closePassive();
    }, options.settings.acceptTimeoutMs);
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
      host: target.address,
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
  session.on('close-control', () => {
    // After QUIT's 221 nothing more is answered: lines queued behind it are dropped, and reading
    // resumes so the client's FIN is seen and the session ends (a paused socket never sees it, and
    // pipelined lines after QUIT would hold the session, and its place under --max-sessions, forever).
    ended = true;
    pending.clear();
    control.end();
    control.resume();
    setTimeout(() => control.destroy(), 5000).unref();
  });

  /** True while feedCommands runs: the machine's snapshots during it must not start another. */
  let feeding = false;
  let sliceScheduled = false;
  const nextSlice = () => {
    sliceScheduled = false;
    feedCommands();
  };
  /** A line is logged when it is handled, so the log reads command, reply, command, reply. */
  const logInput = (input: ControlInput) =>
    log(
      input.kind === 'line'
        ? { kind: 'line', from: 'client', text: input.text }
        : { kind: 'note', text: `client sent a line of ${input.bytes} bytes; dropped` },
    );
  let awaitingDrain = false;
  const afterDrain = () => {
    awaitingDrain = false;
    feedCommands();
  };
  const feedCommands = () => {
    if (feeding || sliceScheduled || awaitingDrain) return;
    feeding = true;
    // The slice's replies leave in one write rather than one each.
    control.cork();
    let handled = 0;
    while (pending.length > 0 && !bindingPassive && !ended) {
      const snapshot = session.getSnapshot();
      if (snapshot.status !== 'active' || !snapshot.hasTag('readsCommands')) break;
      if (control.writableLength > OUTPUT_HIGH_WATER) {
        awaitingDrain = true;
        control.once('drain', afterDrain);
        break;
      }
      if (handled === LINES_PER_SLICE) {
        sliceScheduled = true;
        setImmediate(nextSlice);
        break;
      }
      const input = pending.peek()!;
      const event = controlEvent(input);
      const opensPassive =
        event.type === 'COMMAND' &&
        (event.verb === 'PASV' || event.verb === 'EPSV') &&
        snapshot.matches('loggedIn');
      if (opensPassive && boundPassive === null) {
        bindPassivePort();
        break;
      }
      pending.shift();
      handled++;
      logInput(input);
      tell(event);
    }
    control.uncork();
    feeding = false;
    if (pending.length > 0 || awaitingDrain) control.pause();
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

  session.subscribe((snapshot) => {
    // A file opened for a transfer that did not happen (no data connection, 425) is let go.
    if (snapshot.context.transfer === null && (download !== null || upload !== null)) {
      releaseTransferFiles();
    }
    if (snapshot.matches({ loggedIn: 'transferring' }) && data?.isPaused()) data.resume();
    feedCommands();
  });

  /** Runs from the first byte of an unfinished line until the line ends. */
  let lineTimer: ReturnType<typeof setTimeout> | null = null;
  const lineTooSlow = () => {
    lineTimer = null;
    // Lines waiting for us (behind a transfer) are our delay, not the client's.
    if (pending.length > 0) {
      lineTimer = setTimeout(lineTooSlow, options.lineTimeoutMs);
      return;
    }
    const text = '421 Command line not completed in time.';
    log({
      kind: 'note',
      text: `a command line took longer than ${options.lineTimeoutMs / 1000} s`,
    });
    log({ kind: 'line', from: 'server', text });
    ended = true;
    control.end(`${text}\r\n`);
    setTimeout(() => control.destroy(), 5000).unref();
  };
  const timeLine = (completedLines: number) => {
    if (reader.unfinished() === 0 || completedLines > 0) {
      if (lineTimer !== null) clearTimeout(lineTimer);
      lineTimer = null;
    }
    if (reader.unfinished() > 0 && lineTimer === null && !ended) {
      lineTimer = setTimeout(lineTooSlow, options.lineTimeoutMs);
    }
  };

  control.on('data', (chunk: Buffer) => {
    if (ended) return;
    const lines = reader.push(chunk);
    pending.push(lines);
    timeLine(lines.length);
    feedCommands();
  });
  // A listener of our own rather than setTimeout's callback, which Node calls only once: a
  // session found busy when its timer fires is looked at again one timeout later.
  control.setTimeout(options.idleTimeoutMs);
  control.on('timeout', () => {
    if (awaitingDrain) {
      dropUnreadSession(`no reply read for ${options.idleTimeoutMs / 1000} s`);
      return;
    }
    const snapshot = session.getSnapshot();
    if (!snapshot.hasTag('readsCommands') || pending.length > 0) {
      control.setTimeout(options.idleTimeoutMs);
      return;
    }
    const text = '421 Timeout.';
    log({ kind: 'line', from: 'server', text });
    ended = true;
    control.end(`${text}\r\n`);
    setTimeout(() => control.destroy(), 5000).unref();
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
      releaseTransferFiles();
      if (lineTimer !== null) clearTimeout(lineTimer);
      logger.flush();
      resolve();
    });
    session.start();
    tell({ type: 'CONTROL_OPENED' });
  });
}
