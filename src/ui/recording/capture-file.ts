import { CaptureError, CaptureReader } from '../../capture/index';
import { captureStage, type CaptureStage } from '../../capture/stage';

/**
 * Opening a file on the Real session page: a capture (pcap, pcapng) or a recording (`npm run
 * record` JSON), told apart by its first bytes. A capture is read in slices so the page can show
 * progress; in the browser that happens in a Worker (capture-worker.ts), so a 50 MB file never
 * blocks the page.
 */

/** Far above what a teacher drops (a 50 MB capture is a long session); the file is held in memory. */
export const MAX_CAPTURE_BYTES = 512_000_000;
/** Frames read between two progress reports. */
const SLICE_FRAMES = 20_000;
/** Sessions drawn for the page to choose from; a capture of a busy server may hold thousands. */
export const MAX_STAGED_SESSIONS = 20;

export type FileKind = 'pcap' | 'pcapng' | 'recording' | 'unknown';

/** What the first bytes say the file is. */
export function fileKind(head: Uint8Array): FileKind {
  if (head.length >= 4) {
    const magic = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
    if ([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic)) return 'pcap';
    if (magic === 0x0a0d0d0a) return 'pcapng';
  }
  // A recording is JSON: an object, perhaps after a byte-order mark or white space.
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && [0x20, 0x09, 0x0a, 0x0d].includes(head[i]!)) i++;
  return head[i] === 0x7b ? 'recording' : 'unknown';
}

export interface CaptureOpened {
  ok: true;
  /** The FTP sessions ready for the stage (the first MAX_STAGED_SESSIONS), in the capture's order. */
  stages: CaptureStage[];
  format: 'pcap' | 'pcapng';
  frames: number;
  sessions: number;
  truncatedAt: number | null;
  warnings: string[];
  /** Milliseconds spent reading and diagnosing. */
  readMs: number;
}

export type CaptureReply =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; result: CaptureOpened | { ok: false; error: string } };

/**
 * Reads a whole capture, reporting progress after each slice. Never throws: a CaptureError is the
 * reader's own sentence ("truncated at byte N"); anything else is said to be a bug, in one line.
 */
export function readCaptureFile(
  bytes: Uint8Array,
  report: (reply: CaptureReply) => void,
  now: () => number = () => performance.now(),
): void {
  const started = now();
  try {
    const reader = new CaptureReader(bytes);
    while (!reader.step(SLICE_FRAMES)) report({ type: 'progress', fraction: reader.progress() });
    report({ type: 'progress', fraction: 1 });
    const analysis = reader.result();
    report({
      type: 'done',
      result: {
        ok: true,
        stages: analysis.sessions
          .slice(0, MAX_STAGED_SESSIONS)
          .map((_, session) => captureStage(analysis, { session })!),
        format: analysis.format,
        frames: analysis.frames,
        sessions: analysis.sessions.length,
        truncatedAt: analysis.truncatedAt,
        warnings: analysis.warnings,
        readMs: now() - started,
      },
    });
  } catch (error) {
    const message =
      error instanceof CaptureError
        ? error.message
        : `the capture reader failed (${(error as Error).message ?? String(error)}); this is a bug in FTP Lab`;
    report({ type: 'done', result: { ok: false, error: message } });
  }
}
