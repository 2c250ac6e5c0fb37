import type { DataMode, TransferType } from '../machines/ftp-client';
import type { Endpoint } from '../protocol/endpoint';

/**
 * What happened on a real FTP session, as the Node adapters see it and `npm run record` writes it.
 * This file imports nothing from Node, so the web app can import the types and replay a recording
 * (a teacher showing a real server's own words beside the simulation).
 */

export type SessionEvent =
  /** One control-connection line, without its CRLF: a command, or one line of a reply. */
  | { t: number; kind: 'line'; from: 'client' | 'server'; text: string }
  /** A data connection is established; `local` is the recording side's end, `remote` the peer's. */
  | {
      t: number;
      kind: 'data-open';
      id: number;
      /** Who connected: the server in active mode (PORT/EPRT), the client in passive mode. */
      opener: 'client' | 'server';
      local: Endpoint;
      remote: Endpoint;
    }
  /**
   * That data connection is closed. Byte counts are payload only: what this side wrote to the
   * connection (after a failure, not all of it need have arrived) and what it read.
   */
  | { t: number; kind: 'data-close'; id: number; bytesSent: number; bytesReceived: number }
  /** Something the adapter did or refused that is not on the wire as a line. */
  | { t: number; kind: 'note'; text: string };

/**
 * The JSON file `npm run record` writes. Times `t` are milliseconds since `recordedAt` (t = 0 is
 * the moment the client started connecting), with microsecond resolution; events are in the order
 * they happened.
 */
export interface SessionRecording {
  format: 'ftp-lab-recording';
  version: 1;
  /** Wall-clock time of t = 0, ISO 8601 in UTC. */
  recordedAt: string;
  server: Endpoint;
  /** The client's address on the control connection. */
  client: { address: string };
  mode: DataMode;
  type: TransferType;
  /** The commands the client ran after logging in, e.g. ["LIST"] or ["RETR notes.txt"]. */
  commands: string[];
  events: SessionEvent[];
  outcome: { ok: boolean; failure: string | null };
}

/** Milliseconds since `start` (a performance.now() value), rounded to the microsecond. */
export function elapsedSince(start: number, now: number): number {
  return Math.round((now - start) * 1000) / 1000;
}
