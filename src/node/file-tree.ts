import { mkdirSync, writeFileSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
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
 * Writes a file the machine stored (STOR). Its parent directories are created, because in the
 * machine's store a path implies its directories. Synchronous on purpose: the file is on disk
 * before this session or any other reads another command.
 */
export function writeStoredFile(root: string, ftpPath: string, bytes: Uint8Array): void {
  const path = diskPath(root, ftpPath);
  if (path === null) throw new Error(`${ftpPath} is outside ${root}`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}
