import { ConnectionTable, type Connection } from './connections';
import { openCapture, type CaptureFormat, type FrameSource } from './container';
import { diagnoseSession, type Diagnosis } from './diagnose';
import { decodeFrame, type CapturedPacket } from './packet';
import { readSession, type FtpSession } from './session';

export { CaptureError } from './errors';
export type {
  Diagnosis,
  CapturedAt,
  SessionOutcome,
  FailureKind,
  SuggestedScenario,
} from './diagnose';
export type { FtpSession, DataConnection, DialogueLine, CaptureDataMode } from './session';
export type { CapturedPacket } from './packet';

/** Everything read from one capture file. */
export interface CaptureAnalysis {
  format: CaptureFormat;
  frames: number;
  /** Frames that held no IPv4/IPv6 packet (ARP, LLDP, a cut-off header). */
  otherFrames: number;
  firstMs: number | null;
  lastMs: number | null;
  /** Byte offset where the file ends inside a record, or null. */
  truncatedAt: number | null;
  warnings: string[];
  connections: Connection[];
  /** The packets worth drawing (see ConnectionTable.shown). */
  packets: CapturedPacket[];
  sessions: { session: FtpSession; diagnosis: Diagnosis }[];
}

/**
 * Reads a capture in slices, so a page can show progress and stay responsive:
 * call step() until it returns true, then result().
 */
export class CaptureReader {
  private readonly source: FrameSource;
  private readonly table = new ConnectionTable();
  private frames = 0;
  private otherFrames = 0;
  private firstMs: number | null = null;
  private lastMs: number | null = null;
  private done = false;

  constructor(private readonly bytes: Uint8Array) {
    this.source = openCapture(bytes);
  }

  /** Fraction of the file read, 0 to 1. */
  progress(): number {
    return this.bytes.length === 0 ? 1 : Math.min(1, this.source.position() / this.bytes.length);
  }

  /** Reads up to `frames` frames; true when the file is read. */
  step(frames = 50_000): boolean {
    for (let i = 0; i < frames; i++) {
      const frame = this.source.next();
      if (!frame) {
        this.done = true;
        return true;
      }
      this.frames++;
      const packet = decodeFrame(frame);
      if (!packet) {
        this.otherFrames++;
        continue;
      }
      this.firstMs ??= packet.tMs;
      this.lastMs = packet.tMs;
      this.table.add(packet);
    }
    return false;
  }

  result(): CaptureAnalysis {
    while (!this.done) this.step();
    const connections = this.table.connections;
    const sessions = connections
      .filter((c) => c.control && c.fromOpener.packets + c.fromAcceptor.packets > 0)
      .map((control) => {
        const session = readSession(control, connections);
        return { session, diagnosis: diagnoseSession(session) };
      });
    return {
      format: this.source.format,
      frames: this.frames,
      otherFrames: this.otherFrames,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      truncatedAt: this.source.truncatedAt,
      warnings: this.source.warnings,
      connections,
      packets: this.table.shown,
      sessions,
    };
  }
}

/** Reads and diagnoses a whole capture at once. Throws only CaptureError. */
export function readCapture(bytes: Uint8Array): CaptureAnalysis {
  return new CaptureReader(bytes).result();
}
