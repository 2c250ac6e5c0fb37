import { parseCommandLine, LineSplitter } from '../protocol/ftp-command';
import { ReplyParser } from '../protocol/ftp-reply';
import { decodeControlText, encodeControlText } from '../protocol/control-text';
import {
  ftpServerMachine,
  type FtpServerEvent,
  type FtpServerSettings,
} from '../machines/ftp-server';
import {
  ftpClientMachine,
  type FtpClientEvent,
  type FtpClientSettings,
} from '../machines/ftp-client';
import type { Listener, Socket } from './host';
import { TransitionRecorder } from '../machines/runtime/record-transitions';
import { SimActor } from '../machines/runtime/sim-actor';
import { fnv1a } from './hash';
import type { World } from './world';
import type { ActorMachine, NodeId } from './trace';

export type FtpServerActor = SimActor<typeof ftpServerMachine>;
export type FtpClientActor = SimActor<typeof ftpClientMachine>;

/**
 * The FTP server program on the server host: listens on port 21 and runs one ftp-server actor per
 * control connection, reading commands one at a time (as vsftpd does: the next command is read
 * only when the previous one is finished).
 */
export function startFtpServer(
  world: World,
  settings: FtpServerSettings,
  seed: number,
): { sessions: FtpServerActor[] } {
  const host = world.server;
  const sessions: FtpServerActor[] = [];
  host.listen(21, 'control', 'FTP server listening socket', (control) => {
    const id = `server/ftp-${sessions.length + 1}`;
    const session = new SimActor(ftpServerMachine, id, world.queue, {
      settings,
      localAddress: host.address,
      peerAddress: control.remote.address,
      // Each session its own passive ports, as vsftpd's and pyftpdlib's random choice gives a
      // client that logs in again (lftp after a failure); the first keeps the scenario's seed.
      seed: sessions.length === 0 ? seed : fnv1a(`${seed}:session ${sessions.length + 1}`),
    });
    const recorder = new TransitionRecorder<FtpServerEvent, NodeId, ActorMachine>(
      world.trace,
      id,
      'server',
      'ftp-server',
    );
    recorder.watch(session);
    const tell = (event: FtpServerEvent) => recorder.send(session, event);
    world.trace.add({
      type: 'actor',
      info: {
        actor: id,
        node: 'server',
        machine: 'ftp-server',
        label: 'FTP server session',
        channel: 'control',
      },
    });
    sessions.push(session);

    const splitter = new LineSplitter(decodeControlText);
    const pendingLines: string[] = [];
    let passiveListener: Listener | null = null;
    let dataSocket: Socket | null = null;
    let downloadPending = false;
    let controlClosed = false;

    const feedCommands = () => {
      while (pendingLines.length > 0 && session.getSnapshot().hasTag('readsCommands')) {
        const text = pendingLines.shift()!;
        const parsed = parseCommandLine(text);
        tell(
          parsed.ok
            ? { type: 'COMMAND', ...parsed.value }
            : { type: 'BAD_LINE', reason: parsed.error },
        );
      }
    };
    session.subscribe(() => feedCommands());

    const attachData = (socket: Socket) => {
      dataSocket = socket;
      socket.handlers.data = (data) => tell({ type: 'DATA_RECEIVED', data });
      socket.handlers.peerClosed = () => tell({ type: 'DATA_EOF' });
      socket.handlers.closed = (reason, detail) => {
        if (dataSocket === socket) dataSocket = null;
        if (reason !== 'normal') tell({ type: 'DATA_FAILED', detail: detail ?? reason });
      };
    };

    session.on('reply', (e) => {
      world.trace.add({
        type: 'control',
        from: 'server',
        text: e.wire.replace(/\r\n$/, ''),
        actor: id,
      });
      control.send(encodeControlText(e.wire));
    });
    session.on('open-passive', ({ port }) => {
      passiveListener?.close();
      passiveListener = host.listen(port, 'data', 'FTP server passive data listener', (socket) => {
        // vsftpd (pasv_promiscuous=NO) only accepts the data connection from the control connection's peer.
        if (socket.remote.address !== control.remote.address) {
          world.trace.add({
            type: 'note',
            node: 'server',
            text: `passive data connection from ${socket.remote.address} refused: it is not the control connection's client ${control.remote.address}`,
          });
          socket.abort();
          return;
        }
        passiveListener?.close();
        passiveListener = null;
        attachData(socket);
        tell({ type: 'DATA_CONNECTED' });
      });
    });
    session.on('close-passive', () => {
      passiveListener?.close();
      passiveListener = null;
    });
    session.on('connect-active', ({ target, sourcePort }) => {
      const socket = host.connect({
        remote: { address: target.address, port: target.port },
        // 0: bound to no port in particular, so the kernel picks an ephemeral one.
        ...(sourcePort === 0 ? {} : { localPort: sourcePort }),
        channel: 'data',
        label: 'FTP server active data connection',
      });
      let connected = false;
      dataSocket = socket;
      socket.handlers.connected = () => {
        connected = true;
        attachData(socket);
        tell({ type: 'DATA_CONNECTED' });
      };
      socket.handlers.closed = (reason, detail) => {
        if (!connected) tell({ type: 'DATA_FAILED', detail: detail ?? reason });
      };
    });
    session.on('abort-data', () => dataSocket?.abort());
    session.on('send-data', ({ data }) => {
      dataSocket?.send(data);
      downloadPending = true;
    });
    session.on('close-data', () => {
      dataSocket?.close();
      dataSocket = null;
      if (downloadPending) {
        downloadPending = false;
        tell({ type: 'DATA_SENT' });
      }
    });
    // vsftpd runs a process per session; when it ends, the kernel closes the sockets it still
    // holds, so a data connection left open (after a refused STOR, say) gets its FIN then.
    const closeData = () => {
      dataSocket?.close();
      dataSocket = null;
    };
    session.on('close-control', () => {
      control.close();
      closeData();
    });

    control.handlers.data = (bytes) => {
      pendingLines.push(...splitter.push(bytes));
      feedCommands();
    };
    const closeSession = () => {
      if (controlClosed) return;
      controlClosed = true;
      passiveListener?.close();
      closeData();
      tell({ type: 'CONTROL_CLOSED' });
    };
    control.handlers.peerClosed = () => {
      control.close();
      closeSession();
    };
    control.handlers.closed = closeSession;

    session.start();
    tell({ type: 'CONTROL_OPENED' });
  });
  return { sessions };
}

const TELNET_INTERRUPT = new Uint8Array([255, 244, 255, 242]);

/** The FTP client program on the client host: one ftp-client actor driving its sockets. */
export function startFtpClient(
  world: World,
  settings: FtpClientSettings,
  serverAddress: string,
): { actor: FtpClientActor; begin(): void } {
  const host = world.client;
  const id = 'client/ftp-1';
  const client = new SimActor(ftpClientMachine, id, world.queue, {
    settings,
    localAddress: host.address,
    serverAddress,
    serverPort: 21,
  });
  const recorder = new TransitionRecorder<FtpClientEvent, NodeId, ActorMachine>(
    world.trace,
    id,
    'client',
    'ftp-client',
  );
  recorder.watch(client);
  const tell = (event: FtpClientEvent) => recorder.send(client, event);
  world.trace.add({
    type: 'actor',
    info: {
      actor: id,
      node: 'client',
      machine: 'ftp-client',
      label: 'FTP client session',
      channel: 'control',
    },
  });

  let control: Socket | null = null;
  let controlClosed = false;
  let controlOpenedAt = 0;
  let listener: Listener | null = null;
  let dataSocket: Socket | null = null;
  let uploadPending = false;
  let splitter = new LineSplitter(decodeControlText);
  let parser = new ReplyParser();

  const closeControlOnce = () => {
    if (controlClosed) return;
    controlClosed = true;
    tell({ type: 'CONTROL_CLOSED', connectedMs: world.queue.now - controlOpenedAt });
  };

  const attachData = (socket: Socket, alreadyConnected: boolean) => {
    dataSocket = socket;
    let connected = alreadyConnected;
    socket.handlers.connected = () => {
      connected = true;
      tell({ type: 'DATA_CONNECTED' });
    };
    socket.handlers.data = (data) => tell({ type: 'DATA_RECEIVED', data });
    socket.handlers.peerClosed = () => tell({ type: 'DATA_EOF' });
    socket.handlers.closed = (reason, detail) => {
      if (dataSocket === socket) dataSocket = null;
      if (reason !== 'normal' || !connected)
        tell({ type: 'DATA_FAILED', detail: detail ?? reason });
    };
  };

  // Each control connection (curl and lftp open a new one after some failures) has its own line
  // reader; a closed one's last segments (the server's FIN) no longer reach the client machine.
  client.on('open-control', ({ address, port }) => {
    if (control !== null) {
      splitter = new LineSplitter(decodeControlText);
      parser = new ReplyParser();
      controlClosed = false;
    }
    controlOpenedAt = world.queue.now;
    const socket = host.connect({
      remote: { address, port },
      channel: 'control',
      label: 'FTP client control connection',
    });
    control = socket;
    const current = () => control === socket;
    let connected = false;
    socket.handlers.connected = () => {
      connected = true;
      tell({ type: 'CONTROL_CONNECTED' });
    };
    socket.handlers.data = (bytes) => {
      if (!current()) return;
      for (const text of splitter.push(bytes)) {
        const result = parser.push(text);
        if (result?.ok)
          tell({
            type: 'REPLY',
            code: result.value.code,
            text: result.value.lines.join('\n'),
          });
      }
    };
    socket.handlers.peerClosed = () => {
      socket.close();
      if (current()) closeControlOnce();
    };
    socket.handlers.closed = (reason, detail) => {
      if (!current()) return;
      if (!connected) tell({ type: 'CONTROL_FAILED', detail: detail ?? reason });
      else closeControlOnce();
    };
  });
  client.on('send-line', ({ wire, text }) => {
    world.trace.add({ type: 'control', from: 'client', text, actor: id });
    control?.send(encodeControlText(wire));
  });
  client.on('listen-data', () => {
    const port = host.ephemeralPort();
    listener = host.listen(port, 'data', 'FTP client active data listener', (socket) => {
      listener?.close();
      listener = null;
      attachData(socket, true);
      tell({ type: 'DATA_CONNECTED' });
    });
    tell({ type: 'DATA_LISTENING', port });
  });
  client.on('connect-data', ({ address, port }) => {
    const socket = host.connect({
      remote: { address, port },
      channel: 'data',
      label: 'FTP client passive data connection',
    });
    attachData(socket, false);
  });
  client.on('send-data', ({ data }) => {
    dataSocket?.send(data);
    uploadPending = true;
  });
  client.on('close-data', () => {
    listener?.close();
    listener = null;
    dataSocket?.close();
    if (uploadPending) {
      uploadPending = false;
      tell({ type: 'DATA_SENT' });
    }
  });
  client.on('close-control', () => {
    control?.close();
    closeControlOnce();
  });
  // Telnet IP and Synch (IAC IP, IAC DM: RFC 959 §4.1.3, RFC 854), sent ahead of an ABOR.
  client.on('send-interrupt', () => control?.send(TELNET_INTERRUPT));
  client.on('report', ({ text }) => world.trace.add({ type: 'note', node: 'client', text }));

  client.start();
  return { actor: client, begin: () => tell({ type: 'START' }) };
}
