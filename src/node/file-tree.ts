import { writeSync } from 'node:fs';
import { ServedRoot } from './served-root';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { FileStore, StoredFile } from '../machines/file-store';

/**
 * A directory on disk as the ftp-server machine's FileStore, and back. The machine knows files
 * only (directories are implied by paths), so an empty directory does not show in a listing.
 * Symbolic links and special files are left out: a link could lead a client outside the root.
 */

/** A file is "text" when it has no NUL byte: only the simulation's lessons look at this. */
function kindOf(bytes: Uint8Array): StoredFile['kind'] {
  return bytes.includes(0) ? 'binary' : 'text';
}

/** Every regular file under `root`, keyed by its FTP path ("/pub/readme.txt"). */
export async function readFileTree(root: string): Promise<FileStore> {
  const store: FileStore = {};
  const walk = async (dir: string, ftpDir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const info = await lstat(path);
      const ftpPath = `${ftpDir}/${name}`;
      if (info.isDirectory()) await walk(path, ftpPath);
      else if (info.isFile()) {
        const bytes = new Uint8Array(await readFile(path));
        store[ftpPath] = { bytes, kind: kindOf(bytes) };
      }
    }
  };
  await walk(resolve(root), '');
  return store;
}

/**
 * Where an FTP path lives under `root`, or null if it would fall outside. The machine already
 * normalises "..", so this is a second lock on the same door.
 */
export function diskPath(root: string, ftpPath: string): string | null {
  const base = resolve(root);
  const path = resolve(base, `.${ftpPath.startsWith('/') ? ftpPath : `/${ftpPath}`}`);
  const inside = relative(base, path);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..') return null;
  return path;
}

/**
 * Writes a file the machine stored (STOR), never through a link (see served-root.ts). Synchronous
 * on purpose: the file is on disk before this session or any other reads another command.
 */
export function writeStoredFile(root: string, ftpPath: string, bytes: Uint8Array): void {
  const upload = new ServedRoot(root).beginUpload(ftpPath, `${process.pid}-${++uploads}`);
  if (upload === null) throw new Error(`${ftpPath} cannot be created inside ${root}`);
  try {
    writeSync(upload.fd, bytes);
  } catch (error) {
    upload.abort();
    throw error;
  }
  upload.commit();
}

let uploads = 0;
