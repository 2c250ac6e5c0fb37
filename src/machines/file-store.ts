import { asciiEncode } from '../protocol/net-ascii';

/** A file on the simulated server: its bytes and whether it is text (for the lessons on TYPE A). */
export interface StoredFile {
  bytes: Uint8Array;
  kind: 'text' | 'binary';
}

/** Absolute paths ("/notes.txt", "/pub/readme.txt") to files; directories are implied by paths. */
export type FileStore = Record<string, StoredFile>;

export function normalisePath(cwd: string, arg: string): string {
  const parts = (arg.startsWith('/') ? arg : `${cwd}/${arg}`).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

export function isDirectory(store: FileStore, path: string): boolean {
  if (path === '/') return true;
  const prefix = `${path}/`;
  return Object.keys(store).some((p) => p.startsWith(prefix));
}

export interface DirectoryEntry {
  name: string;
  directory: boolean;
  size: number;
}

export function listDirectory(store: FileStore, dir: string): DirectoryEntry[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  const entries = new Map<string, DirectoryEntry>();
  for (const [path, file] of Object.entries(store)) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash >= 0) {
      const name = rest.slice(0, slash);
      entries.set(name, { name, directory: true, size: 4096 });
    } else {
      entries.set(rest, { name: rest, directory: false, size: file.bytes.length });
    }
  }
  return [...entries.values()].sort((a, b) => compareCodePoints(a.name, b.name));
}

/**
 * Code point order, which is the order of the names' UTF-8 bytes and so vsftpd's (it sorts a
 * listing with memcmp: "B Z a b z ä é 中"). localeCompare would depend on the reader's locale
 * ("ä" sorts before "z" in German, after it in Swedish), and a trace must not.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** UTF-16 code units in code point order: surrogates (U+10000 and up) after U+E000-U+FFFF. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/** `ls -l` style lines, as vsftpd and most Unix servers send for LIST (not standardised by RFC 959). */
export function formatListing(entries: DirectoryEntry[]): string {
  return entries
    .map((e) => {
      const mode = e.directory ? 'drwxr-xr-x' : '-rw-r--r--';
      return `${mode}    ${e.directory ? 2 : 1} ftp      ftp      ${String(e.size).padStart(8)} Nov 24 09:30 ${e.name}\r\n`;
    })
    .join('');
}

/** A deterministic pseudo-random byte pattern, so sample binaries look like real data. */
function patternBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** The 8-byte PNG signature (ISO/IEC 15948 §5.2): its CR LF and LF bytes are what TYPE A breaks. */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function samplePng(): Uint8Array {
  const body = patternBytes(1016, 0x0b5e55ed);
  const bytes = new Uint8Array(PNG_SIGNATURE.length + body.length);
  bytes.set(PNG_SIGNATURE, 0);
  bytes.set(body, PNG_SIGNATURE.length);
  return bytes;
}

const NOTES = [
  'FTP Lab sample notes',
  '====================',
  '',
  'FTP uses two connections:',
  '- the control connection, to port 21, carries commands and replies;',
  '- a data connection, opened for each listing or file, carries the bytes.',
  '',
  'In active mode the server connects to the client (PORT, EPRT).',
  'In passive mode the client connects to the server (PASV, EPSV).',
  '',
].join('\n');

let sampleFiles: FileStore | null = null;

/** The server's sample files. Built once: the store is never mutated (STOR makes a new one). */
export function defaultFileStore(): FileStore {
  sampleFiles ??= {
    '/notes.txt': { bytes: asciiEncode(NOTES), kind: 'text' },
    '/logo.png': { bytes: samplePng(), kind: 'binary' },
    '/archive.bin': { bytes: patternBytes(64 * 1024, 0x5eed), kind: 'binary' },
    '/pub/readme.txt': { bytes: asciiEncode('Public files live here.\n'), kind: 'text' },
  };
  return sampleFiles;
}
