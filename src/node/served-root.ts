import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
} from 'node:fs';

/**
 * The served directory on disk, opened so that no symbolic link is ever followed, in any path
 * component, and with no gap between a check and the use of what was checked.
 *
 * Node has no openat(2). Linux gives the same thing through /proc/self/fd: `/proc/self/fd/N/name`
 * resolves `name` inside the very directory that descriptor N has open, wherever that directory
 * has been moved since and whatever now lies at the path it was opened by. So a path is walked
 * one component at a time, each opened with O_NOFOLLOW | O_DIRECTORY relative to the descriptor
 * of the one before: a component that is a link fails with ELOOP, one that is not a directory
 * with ENOTDIR, and a link swapped in after a component was opened changes nothing, because the
 * next step goes through the descriptor, not the path. The last component is opened the same way
 * (O_NOFOLLOW), or, for an upload, created under a fresh name with O_CREAT | O_EXCL (which never
 * follows a link) and renamed over the target when the upload is complete: rename(2) replaces a
 * link that appeared meanwhile instead of writing through it. Linux only, as the lab is.
 */

/** Uploads in progress are written under this prefix and never listed. */
export const UPLOAD_PREFIX = '.ftp-lab-upload-';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK } = constants;

/** A name a path component may have: no separator, no NUL, not "." or "..". */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\0]/.test(name);
}

/** "/pub/a.txt" as components, or null if any component is not a plain name. */
export function pathComponents(ftpPath: string): string[] | null {
  const parts = ftpPath.split('/').filter((part) => part !== '');
  return parts.every(isPlainName) ? parts : null;
}

function inside(fd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

export interface RootEntry {
  name: string;
  directory: boolean;
  size: number;
}

export interface OpenedFile {
  fd: number;
  size: number;
}

export interface PendingUpload {
  /** Where to write the bytes. */
  fd: number;
  /** Closes the file and puts it in place of the target. Throws if that fails. */
  commit(): void;
  /** Closes and removes the partial file; the target is as it was. */
  abort(): void;
}

export class ServedRoot {
  constructor(private readonly root: string) {}

  /** Runs `use` with the directory at these components open; null if it is not one (or a link). */
  private withDirectory<T>(components: readonly string[], use: (fd: number) => T): T | null {
    let fd: number;
    try {
      fd = openSync(this.root, O_RDONLY | O_DIRECTORY);
    } catch {
      return null;
    }
    try {
      for (const name of components) {
        const next = openSync(inside(fd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        closeSync(fd);
        fd = next;
      }
    } catch {
      closeSync(fd);
      return null;
    }
    try {
      return use(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** What is at the path: a regular file, a directory, or (links, devices, nothing) null. */
  kind(ftpPath: string): 'file' | 'directory' | null {
    const parts = pathComponents(ftpPath);
    if (parts === null) return null;
    if (parts.length === 0) return 'directory';
    const name = parts.pop()!;
    return this.withDirectory(parts, (fd) => {
      try {
        const info = lstatSync(inside(fd, name));
        return info.isFile() ? 'file' : info.isDirectory() ? 'directory' : null;
      } catch {
        return null;
      }
    });
  }

  /**
   * The regular files and directories in a directory, at most `limit` of them, sorted by name.
   * Links, special files and uploads in progress are left out.
   */
  list(ftpPath: string, limit: number): RootEntry[] | null {
    const parts = pathComponents(ftpPath);
    if (parts === null) return null;
    return this.withDirectory(parts, (fd) => {
      const entries: RootEntry[] = [];
      for (const entry of readdirSync(inside(fd), { withFileTypes: true })) {
        if (entries.length >= limit) break;
        if (entry.name.startsWith(UPLOAD_PREFIX)) continue;
        if (!entry.isFile() && !entry.isDirectory()) continue;
        try {
          const info = lstatSync(inside(fd, entry.name));
          if (info.isFile() || info.isDirectory()) {
            entries.push({ name: entry.name, directory: info.isDirectory(), size: info.size });
          }
        } catch {
          // Gone since readdir: not listed.
        }
      }
      return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  /** Opens a regular file for reading; null if it is not one. The caller closes `fd`. */
  openForReading(ftpPath: string): OpenedFile | null {
    const parts = pathComponents(ftpPath);
    if (parts === null || parts.length === 0) return null;
    const name = parts.pop()!;
    return this.withDirectory(parts, (dir) => {
      let fd: number;
      try {
        // O_NONBLOCK: a FIFO would otherwise block the whole server until a writer comes.
        fd = openSync(inside(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      } catch {
        return null;
      }
      const info = fstatSync(fd);
      if (!info.isFile()) {
        closeSync(fd);
        return null;
      }
      return { fd, size: info.size };
    });
  }

  /**
   * Starts an upload to the path, or null when it cannot be created there (vsftpd: 553): the
   * parent is missing, is not a directory or is reached through a link, or the target is a
   * directory, a link or a special file, or its name is not one the file system takes.
   */
  beginUpload(ftpPath: string, uploadId: string): PendingUpload | null {
    const parts = pathComponents(ftpPath);
    if (parts === null || parts.length === 0) return null;
    const name = parts.pop()!;
    // The parent stays open for the whole upload: the rename goes through it.
    let dir: number;
    try {
      dir = openSync(this.root, O_RDONLY | O_DIRECTORY);
      for (const part of parts) {
        const next = openSync(inside(dir, part), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        closeSync(dir);
        dir = next;
      }
    } catch {
      return null;
    }
    const refuse = () => {
      closeSync(dir);
      return null;
    };
    try {
      const info = lstatSync(inside(dir, name));
      if (!info.isFile()) return refuse();
    } catch (error) {
      // Only "nothing there yet" lets the upload create it; ENAMETOOLONG and the like refuse.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return refuse();
    }
    const temporary = `${UPLOAD_PREFIX}${uploadId}`;
    let fd: number;
    try {
      fd = openSync(inside(dir, temporary), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
    } catch {
      return refuse();
    }
    let open = true;
    const finish = () => {
      if (!open) return false;
      open = false;
      closeSync(fd);
      return true;
    };
    return {
      fd,
      commit: () => {
        if (!open) throw new Error('the upload is already over');
        try {
          finish();
          renameSync(inside(dir, temporary), inside(dir, name));
        } catch (error) {
          try {
            unlinkSync(inside(dir, temporary));
          } catch {
            // Already gone.
          }
          throw error;
        } finally {
          closeSync(dir);
        }
      },
      abort: () => {
        if (!finish()) return;
        try {
          unlinkSync(inside(dir, temporary));
        } catch {
          // Already gone.
        }
        closeSync(dir);
      },
    };
  }
}
