import { defaultFileStore, normalisePath, type StoredFile } from '../machines/file-store';
import type { SimulationResult } from './simulate';
import type { DataMode, TransferType } from './types';

/**
 * What each file transfer of a session did to the file (RFC 959 §3.1.1): TYPE I carries bytes
 * unchanged; TYPE A turns line ends into CR LF on the wire and the receiver turns CR LF back into
 * its own line end, which is right for text and ruins a binary file that happens to hold the
 * bytes 0D 0A. The client's copy is compared with the server's original, byte by byte.
 */

const CR = 0x0d;
const LF = 0x0a;
/** The 8-byte PNG signature (ISO/IEC 15948 §5.2). */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** One run of bytes the two copies do not share: `removed` from the original, `added` in its place. */
export interface ByteEdit {
  /** Where the run starts in the original, and where the copy resumes it. */
  readonly originalOffset: number;
  readonly copyOffset: number;
  readonly removed: readonly number[];
  readonly added: readonly number[];
}

export interface ByteDiff {
  /** The first edits, in file order (at most the `maxEdits` asked for). */
  readonly edits: readonly ByteEdit[];
  /** How many edits there are in all. */
  readonly totalEdits: number;
  /** Edits that dropped the CR of a CR LF pair: TYPE A's CR LF → LF on a binary file. */
  readonly crlfToLf: number;
  /** Edits that put a CR before a LF that had none: TYPE A's LF → CR LF. */
  readonly lfToCrlf: number;
}

/** How far ahead `diffBytes` looks for the two copies to agree again, in bytes. */
const RESYNC_WINDOW = 8;
/** How many equal bytes in a row count as "in step again". */
const RESYNC_RUN = 4;

/** Both copies agree from here on for a few bytes, or to their ends if those come sooner. */
function inStep(a: Uint8Array, i: number, b: Uint8Array, j: number): boolean {
  const restA = a.length - i;
  const restB = b.length - j;
  // Near the end only an identical tail counts: a short tail would match too easily.
  if ((restA < RESYNC_RUN || restB < RESYNC_RUN) && restA !== restB) return false;
  const run = Math.min(RESYNC_RUN, restA);
  for (let k = 0; k < run; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

/**
 * The bytes that differ between an original and its copy, as runs removed and added. A greedy
 * walk that, at each mismatch, finds the smallest skip on either side after which both agree for
 * a few bytes again: exact for the inserted and deleted CRs of line-end conversion, and linear in
 * the file size, where a general shortest-edit diff would be quadratic on a damaged file.
 */
export function diffBytes(original: Uint8Array, copy: Uint8Array, maxEdits = 8): ByteDiff {
  const edits: ByteEdit[] = [];
  let totalEdits = 0;
  let crlfToLf = 0;
  let lfToCrlf = 0;
  let i = 0;
  let j = 0;
  const record = (di: number, dj: number) => {
    const removed = Array.from(original.subarray(i, i + di));
    const added = Array.from(copy.subarray(j, j + dj));
    if (removed.length === 1 && added.length === 0 && removed[0] === CR && original[i + 1] === LF)
      crlfToLf++;
    if (added.length === 1 && removed.length === 0 && added[0] === CR && copy[j + 1] === LF)
      lfToCrlf++;
    totalEdits++;
    if (edits.length < maxEdits) edits.push({ originalOffset: i, copyOffset: j, removed, added });
    i += di;
    j += dj;
  };
  while (i < original.length && j < copy.length) {
    if (original[i] === copy[j]) {
      i++;
      j++;
      continue;
    }
    let skip: [number, number] | null = null;
    // Fewest bytes skipped first; at equal cost a deletion, then an insertion, then a change.
    for (let cost = 1; cost <= RESYNC_WINDOW && !skip; cost++) {
      for (const [di, dj] of [
        [cost, 0],
        [0, cost],
        ...Array.from({ length: cost - 1 }, (_, k) => [k + 1, cost - k - 1]),
      ] as [number, number][]) {
        if (
          i + di <= original.length &&
          j + dj <= copy.length &&
          inStep(original, i + di, copy, j + dj)
        ) {
          skip = [di, dj];
          break;
        }
      }
    }
    const [di, dj] = skip ?? [1, 1];
    record(di, dj);
  }
  if (i < original.length || j < copy.length) record(original.length - i, copy.length - j);
  return { edits, totalEdits, crlfToLf, lfToCrlf };
}

/** How many bare LFs (not after a CR) and how many CR LF pairs a file holds. */
export function lineEnds(bytes: Uint8Array): { bareLf: number; crlf: number } {
  let bareLf = 0;
  let crlf = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== LF) continue;
    if (i > 0 && bytes[i - 1] === CR) crlf++;
    else bareLf++;
  }
  return { bareLf, crlf };
}

export type TransferVerdict = 'identical' | 'damaged' | 'not compared';

export interface TransferReport {
  readonly verb: string;
  /** The path on the server, "/logo.png"; null for a listing of the current directory. */
  readonly path: string | null;
  readonly mode: DataMode;
  readonly type: TransferType;
  /** The file as the server stores it; null for a listing or an upload of a new file. */
  readonly original: StoredFile | null;
  readonly wireBytes: number;
  /** What the client kept; null for an upload (the server's copy is not in the result). */
  readonly received: Uint8Array | null;
  readonly verdict: TransferVerdict;
  readonly diff: ByteDiff | null;
  /** One or two plain sentences on what happened to the bytes. */
  readonly explanation: string;
}

export const hexByte = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');
export const hexBytes = (bytes: ArrayLike<number>) => Array.from(bytes, hexByte).join(' ');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function explainDamage(
  path: string,
  original: Uint8Array,
  received: Uint8Array,
  diff: ByteDiff,
): string {
  const shorter = original.length - received.length;
  const size =
    shorter > 0
      ? `${plural(shorter, 'byte')} shorter`
      : shorter < 0
        ? `${plural(-shorter, 'byte')} longer`
        : 'the same size but different';
  const cause =
    diff.crlfToLf === diff.totalEdits
      ? diff.crlfToLf === 1
        ? 'TYPE A turned the one 0D 0A (CR LF) in the file into a lone 0A'
        : `TYPE A turned each of the file's ${diff.crlfToLf} 0D 0A (CR LF) pairs into a lone 0A`
      : `${plural(diff.totalEdits, 'run')} of bytes changed in transit`;
  if (isPng(original)) {
    const head = hexBytes(received.subarray(0, PNG_SIGNATURE.length));
    return (
      `${cause}. The PNG's signature ${hexBytes(PNG_SIGNATURE)} arrived as ${head}, ${size}: ` +
      'no image viewer will open it. Binary files need TYPE I.'
    );
  }
  return `${cause}; the copy of ${path} is ${size}, and no longer the same file. Binary files need TYPE I.`;
}

function explainIdentical(type: TransferType, original: Uint8Array, wireBytes: number): string {
  if (type === 'binary') return 'TYPE I carried every byte unchanged: the copy is identical.';
  const { bareLf } = lineEnds(original);
  if (bareLf === 0 && wireBytes === original.length)
    return 'TYPE A had no line ends to convert: the copy is identical.';
  return (
    `TYPE A sent each of the file's ${plural(bareLf, 'line end')} as 0D 0A (CR LF), ` +
    `${plural(wireBytes - original.length, 'byte')} more on the wire, and the client turned them ` +
    'back into 0A: the copy is identical.'
  );
}

/**
 * Every completed transfer of the session, compared with the server's original. Only what the
 * result holds is compared: a download's received bytes against the server's sample file.
 */
export function transferReports(result: SimulationResult): TransferReport[] {
  const files = defaultFileStore();
  const type = result.scenario.type;
  return result.client.transfers.map((transfer): TransferReport => {
    const path = transfer.path === null ? null : normalisePath('/', transfer.path);
    const base = {
      verb: transfer.verb,
      path,
      mode: transfer.mode,
      type,
      wireBytes: transfer.bytesOnWire,
      received: transfer.received,
    };
    const original = transfer.verb === 'RETR' && path ? (files[path] ?? null) : null;
    if (!original || !transfer.received) {
      const explanation =
        transfer.verb === 'STOR'
          ? `Uploaded ${plural(transfer.bytesOnWire, 'byte')}; the server's copy is not compared here.`
          : transfer.verb === 'RETR'
            ? 'Not one of the sample files, so there is nothing to compare with.'
            : `A directory listing: ${plural(transfer.bytesOnWire, 'byte')} of text, made by the server; nothing to compare.`;
      return { ...base, original: null, verdict: 'not compared', diff: null, explanation };
    }
    const diff = diffBytes(original.bytes, transfer.received);
    if (diff.totalEdits === 0) {
      return {
        ...base,
        original,
        verdict: 'identical',
        diff: null,
        explanation: explainIdentical(type, original.bytes, transfer.bytesOnWire),
      };
    }
    return {
      ...base,
      original,
      verdict: 'damaged',
      diff,
      explanation: explainDamage(path!, original.bytes, transfer.received, diff),
    };
  });
}
