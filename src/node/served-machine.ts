import { assign, emit, enqueueActions } from 'xstate';
import { normalisePath, type DirectoryEntry } from '../machines/file-store';
import {
  directoryTarget,
  ftpServerMachine,
  listingData,
  transferEndReply,
  transferStartReply,
  type FtpServerContext,
  type FtpServerEmitted,
  type FtpServerEvent,
} from '../machines/ftp-server';
import type { ServedFiles } from './served-files';

/**
 * The ftp-server machine with its file actions provided by the real host. The machine keeps its
 * files in its context, which suits the simulation's few small files; a real server must not hold
 * a 1 GiB upload in memory, nor read every file when a session starts. So the guards and actions
 * that touch files are replaced by ones that ask `ServedFiles` when a command needs it, and the
 * bytes of a transfer go between the data socket and the file without passing through the
 * machine's context. Two more things are the host's: the passive port (it binds before the machine
 * answers) and a failure it met with a file, whose reply replaces the transfer's 226 or 426.
 * Everything else (the dialogue, its order, its replies) is the machine's own.
 *
 * The replacements that open a file do it in the guard that decides the reply, as vsftpd opens
 * the file before it answers 150 or 550/553: the check and the open are one step, so nothing can
 * change between them. The host keeps what was opened and releases it if no transfer follows.
 */

export interface Reply {
  code: number;
  text: string;
}

export interface ServedMachineHost {
  files: ServedFiles;
  /** The port of the passive listener the host has bound (see server-session.ts). */
  boundPort(): number;
  /** Opens the file for RETR and keeps it; its size, or null if there is no such file. */
  openDownload(path: string): number | null;
  /**
   * Starts sending the kept download and returns its size; the host tells DATA_SENT when every
   * byte is handed to the kernel.
   */
  startDownload(ascii: boolean): number;
  /** Starts an upload and keeps it; false when the file cannot be created (553). */
  openUpload(path: string, ascii: boolean): boolean;
  /** Bytes of the upload from the data connection. */
  receive(bytes: Uint8Array): void;
  /** Puts the upload in place; if that fails, the failure (451) replaces the 226. */
  commitUpload(): void;
  /** The reply to a transfer the host failed (over the cap, a read or write error), if any. */
  takeFailure(): Reply | null;
}

type Ctx = FtpServerContext;
type Ev = FtpServerEvent;

function commandOf(event: Ev): { verb: string; arg: string | null } {
  return event.type === 'COMMAND' ? event : { verb: '', arg: null };
}

function hostAction<P = undefined>(
  body: Parameters<
    typeof enqueueActions<Ctx, Ev, P, Ev, never, never, never, never, FtpServerEmitted>
  >[0],
) {
  return enqueueActions<Ctx, Ev, P, Ev, never, never, never, never, FtpServerEmitted>(body);
}

/** A listing of a directory, or of the one entry a path names; empty if there is nothing. */
function listingEntries(files: ServedFiles, path: string): DirectoryEntry[] {
  const kind = files.kind(path);
  if (kind === 'directory') return files.list(path) ?? [];
  if (kind === null) return [];
  const parent = path.replace(/\/[^/]*$/, '') || '/';
  const name = path.split('/').pop();
  return (files.list(parent) ?? []).filter((entry) => entry.name === name);
}

export function servedMachine(host: ServedMachineHost) {
  return ftpServerMachine.provide({
    guards: {
      namesDirectory: ({ context, event }) =>
        host.files.kind(directoryTarget(context, event)) === 'directory',
      isMissingFile: ({ context, event }) => {
        const { verb, arg } = commandOf(event);
        if (verb !== 'RETR') return false;
        return host.openDownload(normalisePath(context.cwd, arg ?? '.')) === null;
      },
      isUncreatableUpload: ({ context, event }) => {
        const { verb, arg } = commandOf(event);
        if (verb !== 'STOR' || !arg) return false;
        return !host.openUpload(normalisePath(context.cwd, arg), context.type === 'A');
      },
    },
    actions: {
      // Binds first, then answers: see server-session.ts on why the host chooses the port.
      choosePassivePort: assign({ passivePort: () => host.boundPort() }),
      // The machine's replies and listing bytes; only where the files and bytes come from differs.
      startTransfer: hostAction(({ context, enqueue }) => {
        const transfer = context.transfer!;
        if (transfer.verb === 'STOR') {
          enqueue.emit(transferStartReply(context, 0));
          return;
        }
        if (transfer.verb === 'LIST' || transfer.verb === 'NLST') {
          enqueue.emit(transferStartReply(context, 0));
          const entries = listingEntries(host.files, transfer.path);
          enqueue.emit({ type: 'send-data', data: listingData(transfer.verb, entries) });
          enqueue.emit({ type: 'close-data' });
          return;
        }
        enqueue.emit(transferStartReply(context, host.startDownload(context.type === 'A')));
      }),
      collectUpload: hostAction(({ event }) => {
        if (event.type === 'DATA_RECEIVED') host.receive(event.data);
      }),
      storeUpload: hostAction(({ enqueue }) => {
        host.commitUpload();
        enqueue.emit({ type: 'close-data' });
      }),
      // A failure the host met (over the cap, a read or write error) replaces the 226 or 426.
      replyTransferComplete: emit(({ context }) =>
        transferEndReply(context, 'complete', host.takeFailure()),
      ),
      replyTransferFailed: emit(({ context }) =>
        transferEndReply(context, 'failed', host.takeFailure()),
      ),
    },
  });
}
