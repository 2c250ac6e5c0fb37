import { closeSync, createReadStream, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  isDirectory,
  listDirectory,
  type DirectoryEntry,
  type FileStore,
} from '../machines/file-store';
import { concatBytes } from '../protocol/bytes';
import { pathComponents, ServedRoot } from './served-root';

/**
 * What the real server's sessions see of the files they serve, asked for only when a command
 * needs it: no session reads the tree when it starts, a download streams from the file, and an
 * upload streams into one under a size cap. Two kinds: a directory on disk (served-root.ts) and,
 * without --root, a store in memory shared by every session.
 */

/** At most this many entries in one listing, so a huge directory cannot fill our memory. */
export const MAX_LISTING_ENTRIES = 10_000;

export interface Upload {
  /** Adds bytes; false (and nothing kept) once the upload would pass the cap. */
  write(bytes: Uint8Array): boolean;
  /** Puts the complete file in place. Throws if that fails. */
  commit(): void;
  /** Forgets the bytes; the target stays as it was. Safe to call more than once. */
  abort(): void;
}

export interface ServedFiles {
  kind(path: string): 'file' | 'directory' | null;
  list(path: string): DirectoryEntry[] | null;
  /** A regular file's size and a stream of its bytes, or null if there is no such file. */
  openForReading(path: string): { size: number; stream: Readable } | null;
  /** An upload to the path, or null when the file cannot be created there (vsftpd: 553). */
  beginUpload(path: string): Upload | null;
}

let uploadIds = 0;

export function diskFiles(root: string, maxUploadBytes: number): ServedFiles {
  const served = new ServedRoot(root);
  return {
    kind: (path) => served.kind(path),
    list: (path) => served.list(path, MAX_LISTING_ENTRIES),
    openForReading: (path) => {
      const opened = served.openForReading(path);
      if (opened === null) return null;
      return { size: opened.size, stream: createReadStream('', { fd: opened.fd }) };
    },
    beginUpload: (path) => {
      const pending = served.beginUpload(path, `${process.pid}-${++uploadIds}`);
      if (pending === null) return null;
      let written = 0;
      let over = false;
      return {
        write: (bytes) => {
          if (over || written + bytes.length > maxUploadBytes) {
            over = true;
            return false;
          }
          // Synchronous: a local write of one socket chunk, and the next chunk waits for it.
          for (let done = 0; done < bytes.length;) {
            done += writeSync(pending.fd, bytes, done, bytes.length - done);
          }
          written += bytes.length;
          return true;
        },
        commit: () => pending.commit(),
        abort: () => pending.abort(),
      };
    },
  };
}

/** Linux's NAME_MAX: the longest name one path component may have, in bytes. */
const NAME_MAX = 255;

/**
 * A name a disk could hold: no NUL, no component over NAME_MAX. The store in memory could keep
 * any string, but then the same STOR would succeed without --root and fail with it.
 */
function isStorableName(path: string): boolean {
  const parts = pathComponents(path);
  return parts !== null && parts.every((part) => Buffer.byteLength(part, 'utf8') <= NAME_MAX);
}

/** The parent directory of an absolute FTP path. */
function parentOf(path: string): string {
  return path.replace(/\/[^/]*$/, '') || '/';
}

/** The files of a server without --root: one store, shared by every session, replaced on STOR. */
export function memoryFiles(initial: FileStore, maxUploadBytes: number): ServedFiles {
  let store = initial;
  return {
    kind: (path) => (store[path] ? 'file' : isDirectory(store, path) ? 'directory' : null),
    list: (path) =>
      isDirectory(store, path) ? listDirectory(store, path).slice(0, MAX_LISTING_ENTRIES) : null,
    openForReading: (path) => {
      const file = store[path];
      return file ? { size: file.bytes.length, stream: Readable.from([file.bytes]) } : null;
    },
    beginUpload: (path) => {
      if (
        path === '/' ||
        !isStorableName(path) ||
        isDirectory(store, path) ||
        !isDirectory(store, parentOf(path))
      ) {
        return null;
      }
      let chunks: Uint8Array[] = [];
      let written = 0;
      return {
        write: (bytes) => {
          if (written + bytes.length > maxUploadBytes) {
            chunks = [];
            return false;
          }
          chunks.push(bytes.slice());
          written += bytes.length;
          return true;
        },
        commit: () => {
          const bytes = concatBytes(chunks);
          store = { ...store, [path]: { bytes, kind: bytes.includes(0) ? 'binary' : 'text' } };
        },
        abort: () => {
          chunks = [];
        },
      };
    },
  };
}

/** Closes a descriptor a stream never took over. */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}
