import type net from 'node:net';
import { elapsedSince, type Endpoint, type SessionEvent } from './recording';

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
