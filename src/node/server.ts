import net, { type AddressInfo } from 'node:net';
import { defaultFileStore, type FileStore } from '../machines/file-store';
import type { FtpServerSettings, FtpUser } from '../machines/ftp-server';
import type { SessionEvent } from './recording';
import { diskFiles, memoryFiles } from './served-files';
import { runServerSession } from './server-session';

/**
 * The project's FTP server machine as a real server on the loopback interface. Only loopback: it
 * lets anyone in anonymously and, with a root directory, write to it, which is fine for a lesson
 * on one machine and nothing else.
 */
export const LOOPBACK = '127.0.0.1';

export interface FtpServerOptions {
  /** 0: any free port; read the chosen one from the result. */
  port: number;
  /**
   * A directory to serve: each session sees the files in it when the session starts, and STOR
   * writes into it. Without it the server serves `files` (by default the simulation's samples) from
   * memory, and what clients store lasts until the server stops.
   */
  root?: string;
  files?: FileStore;
  /** Passive ports (vsftpd pasv_min_port/pasv_max_port); null or absent: any free port. */
  passivePorts?: { from: number; to: number } | null;
  /**
   * Source port of active-mode data connections. RFC 959 §3.2 says 20, but only root may bind a
   * port below 1024, so the default, 0, lets the kernel pick an ephemeral port, as vsftpd does
   * with connect_from_port_20=NO. As root, 20 works.
   */
  activeSourcePort?: number;
  greeting?: string;
  allowAnonymous?: boolean;
  users?: FtpUser[];
  acceptTimeoutMs?: number;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  dataTimeoutMs?: number;
  /** Everything each session says and does; `session` counts from 1. */
  onEvent?: (session: number, event: SessionEvent) => void;
  /**
   * The largest file one STOR may store; a larger upload is cut off with 552 (RFC 959: exceeded
   * storage allocation). Default DEFAULT_MAX_UPLOAD_BYTES.
   */
  maxUploadBytes?: number;
  /** Problems that are not any client's doing, such as a STOR the disk refused. */
  onError?: (message: string) => void;
  /**
   * Sessions at once (vsftpd max_clients); the next connection is told 421 and closed. Default
   * DEFAULT_MAX_SESSIONS: each session holds a descriptor or more, and at 1,024 descriptors a few
   * hundred held sessions locked everyone out.
   */
  maxSessions?: number;
  /**
   * How long a command line may take from its first byte to its end; a client still sending it
   * then (one byte a second keeps any idle timer from firing) is told 421 and closed. Default
   * 60 s.
   */
  lineTimeoutMs?: number;
}

export interface RunningFtpServer {
  address: string;
  port: number;
  /** Sessions started so far. */
  sessions(): number;
  /** Sessions not yet over (their sockets and listeners not yet closed). */
  openSessions(): number;
  /** Stops listening and ends every session; resolves when all are over. */
  close(): Promise<void>;
}

/** 100 MiB: far more than a lesson needs, far less than would hurt the machine. */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** Far more than a class on one machine, far fewer than the descriptors a process may have. */
export const DEFAULT_MAX_SESSIONS = 200;
/** vsftpd's reply to the connection past max_clients. */
export const TOO_MANY_SESSIONS = '421 There are too many connected users, please try later.';

export async function startFtpServer(options: FtpServerOptions): Promise<RunningFtpServer> {
  const onError = options.onError ?? ((message: string) => console.error(message));
  const maxUpload = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const files =
    options.root === undefined
      ? memoryFiles(options.files ?? defaultFileStore(), maxUpload)
      : diskFiles(options.root, maxUpload);
  const running = new Set<Promise<void>>();
  const controls = new Set<net.Socket>();
  let count = 0;

  const settings: FtpServerSettings = {
    users: options.users ?? [],
    allowAnonymous: options.allowAnonymous ?? true,
    greeting: options.greeting ?? 'FTP Lab server ready.',
    // Unused: the session binds its own passive port (see server-session.ts); kept valid anyway.
    passivePorts: options.passivePorts ?? { from: 1024, to: 65535 },
    passiveAddress: null,
    activeSourcePort: options.activeSourcePort ?? 0,
    acceptTimeoutMs: options.acceptTimeoutMs ?? 60_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 60_000,
    // Unused: the sessions ask `files` instead (see served-machine.ts).
    files: {},
  };

  const serve = async (control: net.Socket) => {
    const session = ++count;
    controls.add(control);
    // Replies are small writes that must go out at once: without this, Nagle's algorithm holds a
    // 226 back until the client's delayed ACK of the 150 (40 ms on Linux).
    control.setNoDelay(true);
    control.on('error', () => {});
    await runServerSession(control, {
      settings,
      passivePorts: options.passivePorts ?? null,
      idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
      lineTimeoutMs: options.lineTimeoutMs ?? 60_000,
      dataTimeoutMs: options.dataTimeoutMs ?? 300_000,
      files,
      onError,
      onEvent: (event) => options.onEvent?.(session, event),
    });
    controls.delete(control);
  };

  /** One connection too many: told so and closed, without a session (vsftpd max_clients). */
  const refuse = (control: net.Socket) => {
    const session = ++count;
    options.onEvent?.(session, { t: 0, kind: 'line', from: 'server', text: TOO_MANY_SESSIONS });
    control.on('error', () => {});
    control.end(`${TOO_MANY_SESSIONS}\r\n`);
    // A client that does not read even this is not waited for.
    setTimeout(() => control.destroy(), 5000).unref();
  };

  const server = net.createServer((control) => {
    if (running.size >= maxSessions) {
      refuse(control);
      return;
    }
    const done = serve(control).finally(() => running.delete(done));
    running.add(done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: options.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    address: LOOPBACK,
    port: (server.address() as AddressInfo).port,
    sessions: () => count,
    openSessions: () => running.size,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const control of controls) control.destroy();
      await Promise.all([closed, ...running]);
    },
  };
}
