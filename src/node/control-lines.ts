import { LineSplitter, parseCommandLine } from '../protocol/ftp-command';
import type { FtpServerEvent } from '../machines/ftp-server';

/**
 * vsftpd's VSFTP_MAX_COMMAND_LINE. Bytes of a line beyond this are not kept: a client that sends
 * more without an end of line is not speaking FTP, and buffering it would let it fill our memory.
 */
export const MAX_LINE_BYTES = 4096;

export type ControlInput = { kind: 'line'; text: string } | { kind: 'overlong'; bytes: number };

/**
 * Cuts the control connection's byte stream into lines (CRLF or bare LF, as LineSplitter does),
 * never holding more than MAX_LINE_BYTES of an unfinished line: the rest of an overlong line is
 * dropped up to its end and the line is reported once, as `overlong`.
 */
export class BoundedLineReader {
  private splitter = new LineSplitter();
  /** Bytes dropped so far of the overlong line being skipped; 0 when not skipping. */
  private skipped = 0;

  /** Bytes of a line begun and not yet ended (an overlong one counts until its end). */
  unfinished(): number {
    return this.skipped > 0 ? this.skipped : this.splitter.pending();
  }

  push(bytes: Uint8Array): ControlInput[] {
    const out: ControlInput[] = [];
    let rest = bytes;
    while (rest.length > 0) {
      if (this.skipped > 0) {
        const lineFeed = rest.indexOf(0x0a);
        if (lineFeed === -1) {
          this.skipped += rest.length;
          break;
        }
        out.push({ kind: 'overlong', bytes: this.skipped + lineFeed });
        this.skipped = 0;
        rest = rest.subarray(lineFeed + 1);
        continue;
      }
      for (const text of this.splitter.push(rest)) {
        out.push(
          text.length > MAX_LINE_BYTES
            ? { kind: 'overlong', bytes: text.length }
            : { kind: 'line', text },
        );
      }
      rest = new Uint8Array(0);
      if (this.splitter.pending() > MAX_LINE_BYTES) {
        this.skipped = this.splitter.pending();
        this.splitter = new LineSplitter();
      }
    }
    return out;
  }
}

/**
 * Lines read and not yet handled, first in first out. A plain array's shift() moves every element
 * on, and one 64 KiB read can hold 65,536 lines.
 */
export class InputQueue {
  private items: ControlInput[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(inputs: readonly ControlInput[]): void {
    for (const input of inputs) this.items.push(input);
  }

  peek(): ControlInput | undefined {
    return this.items[this.head];
  }

  shift(): ControlInput | undefined {
    const input = this.items[this.head++];
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return input;
  }
}

/** The ftp-server machine's event for one control line: a command, or a line that is none. */
export function controlEvent(input: ControlInput): FtpServerEvent {
  if (input.kind === 'overlong') {
    return { type: 'BAD_LINE', reason: `line too long: ${input.bytes} bytes` };
  }
  const parsed = parseCommandLine(input.text);
  return parsed.ok
    ? { type: 'COMMAND', ...parsed.value }
    : { type: 'BAD_LINE', reason: parsed.error };
}
