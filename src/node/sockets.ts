import type net from 'node:net';
import type { Endpoint } from '../protocol/endpoint';
import { elapsedSince, type SessionEvent } from './recording';

/** "::ffff:127.0.0.1" (an IPv4 peer on a dual-stack socket) and "127.0.0.1" are one address. */
export function plainAddress(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

export function endpointOf(socket: net.Socket, side: 'local' | 'remote'): Endpoint {
  return side === 'local'
    ? { address: plainAddress(socket.localAddress), port: socket.localPort ?? 0 }
    : { address: plainAddress(socket.remoteAddress), port: socket.remotePort ?? 0 };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type UntimedEvent = DistributiveOmit<SessionEvent, 't'>;

/** A logger that stamps each event with the milliseconds since it was made. */
export function timedLogger(
  onEvent: ((event: SessionEvent) => void) | undefined,
): (event: UntimedEvent) => void {
  const started = performance.now();
  return (event) =>
    onEvent?.({ t: elapsedSince(started, performance.now()), ...event } as SessionEvent);
}

/** What a data connection tells the FTP machine at either end. */
export type DataSocketEvent =
  | { type: 'DATA_RECEIVED'; data: Uint8Array }
  | { type: 'DATA_EOF' }
  | { type: 'DATA_FAILED'; detail: string };

/**
 * Wires a data connection to the FTP machine at one end, the same way for client and server:
 * logs it opening and closing, passes its bytes and end on, and reports a failure when the
 * connection breaks while it is still the session's current one. The socket starts paused: its
 * bytes wait in the kernel until the caller resumes it (when the machine is transferring).
 */
export function wireDataSocket(
  socket: net.Socket,
  id: number,
  opener: 'client' | 'server',
  hooks: {
    log: (event: UntimedEvent) => void;
    tell: (event: DataSocketEvent) => void;
    /** Forgets the socket; true when it was the session's current data connection. */
    release: () => boolean;
  },
): void {
  let failure: string | null = null;
  hooks.log({
    kind: 'data-open',
    id,
    opener,
    local: endpointOf(socket, 'local'),
    remote: endpointOf(socket, 'remote'),
  });
  socket.pause();
  socket.on('data', (chunk: Buffer) =>
    hooks.tell({ type: 'DATA_RECEIVED', data: new Uint8Array(chunk) }),
  );
  socket.on('end', () => hooks.tell({ type: 'DATA_EOF' }));
  socket.on('error', (error) => (failure = error.message));
  socket.on('close', (hadError) => {
    const current = hooks.release();
    hooks.log({
      kind: 'data-close',
      id,
      bytesSent: socket.bytesWritten,
      bytesReceived: socket.bytesRead,
    });
    if (current && (hadError || failure !== null)) {
      hooks.tell({ type: 'DATA_FAILED', detail: failure ?? 'connection reset' });
    }
  });
}
