import { decodeControlText } from '../protocol/control-text';
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
 * dropped up to its end and the line is reported once, as `overlong`. A line is read as UTF-8
 * (RFC 2640 §2.2, what curl, ftplib and lftp send), or one character per byte if it is not
 * well-formed UTF-8; the limit counts bytes, not characters.
 */
export class BoundedLineReader {
  /** The byte length of each line the splitter has decoded and push() has not yet handed on. */
  private lineBytes: number[] = [];
  private splitter = this.newSplitter();
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
      const texts = this.splitter.push(rest);
      for (const [i, text] of texts.entries()) {
        const bytes = this.lineBytes[i]!;
        out.push(bytes > MAX_LINE_BYTES ? { kind: 'overlong', bytes } : { kind: 'line', text });
      }
      this.lineBytes = [];
      rest = new Uint8Array(0);
      if (this.splitter.pending() > MAX_LINE_BYTES) {
        this.skipped = this.splitter.pending();
        this.splitter = this.newSplitter();
      }
    }
    return out;
  }

  private newSplitter(): LineSplitter {
    return new LineSplitter((bytes) => {
      this.lineBytes.push(bytes.length);
      return decodeControlText(bytes);
    });
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

  /** Forgets every line not yet handled (the session is ending: nothing after QUIT is answered). */
  clear(): void {
    this.items = [];
    this.head = 0;
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
