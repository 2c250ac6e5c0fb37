import { ReplyParser, type FtpReply } from '../protocol/ftp-reply';
import { decodeControlText } from '../protocol/control-text';

/**
 * The client's reader of the control connection: cuts the server's bytes into lines (CRLF, or a
 * bare LF as LineSplitter accepts) and lines into replies, in time linear in the bytes however
 * they are split, and holding at most one line's worth of them. A line is read as UTF-8 (RFC 2640
 * §2.2: vsftpd and pyftpdlib send names so), or one character per byte if it is not UTF-8. A server that sends more than
 * that without an end of line, or a multi-line reply without end, is not speaking FTP: the reader
 * says so once and reads nothing more. (The server's BoundedLineReader in control-lines.ts skips
 * an overlong command and goes on, which suits a server answering 500; a client cannot answer.)
 */

/** Python's ftplib refuses a reply line longer than this (its _MAXLINE); curl strips past 8 KiB. */
export const MAX_REPLY_LINE_BYTES = 8192;
/**
 * A whole multi-line reply, every line counted with its CRLF. The longest a server sends to a
 * client that never asks for STAT or HELP is a FEAT list or a banner: a few KiB.
 */
export const MAX_REPLY_BYTES = 64 * 1024;

export type ReplyInput =
  /** One line, without its end: for the dialogue. */
  | { kind: 'line'; text: string }
  /** The last line of a reply has arrived. */
  | { kind: 'reply'; reply: FtpReply }
  /** A line that cannot start a reply; the next one may. */
  | { kind: 'not-a-reply'; error: string }
  /** Too much without an end: the reader is stopped. */
  | { kind: 'too-long'; error: string };

const LF = 0x0a;
const CR = 0x0d;

export class ReplyReader {
  /** The unfinished line's bytes, in the pieces they came in. */
  private pieces: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Bytes of the multi-line reply still open. */
  private replyBytes = 0;
  private parser = new ReplyParser();
  private stopped = false;

  push(bytes: Uint8Array): ReplyInput[] {
    const out: ReplyInput[] = [];
    let start = 0;
    while (!this.stopped) {
      const lineFeed = bytes.indexOf(LF, start);
      const end = lineFeed === -1 ? bytes.length : lineFeed;
      if (this.pendingBytes + (end - start) > MAX_REPLY_LINE_BYTES) {
        this.stop(out, `a reply line longer than ${MAX_REPLY_LINE_BYTES} bytes`);
        break;
      }
      if (lineFeed === -1) {
        if (end > start) {
          // A copy: a view would keep the whole chunk alive for a few bytes.
          this.pieces.push(bytes.slice(start, end));
          this.pendingBytes += end - start;
        }
        break;
      }
      this.line(out, this.take(bytes.subarray(start, end)));
      start = lineFeed + 1;
    }
    return out;
  }

  /** The pending pieces and `last`, without a final CR, and how many bytes that was. */
  private take(last: Uint8Array): { text: string; bytes: number } {
    let whole = last;
    if (this.pieces.length > 0) {
      whole = new Uint8Array(this.pendingBytes + last.length);
      let at = 0;
      for (const piece of this.pieces) {
        whole.set(piece, at);
        at += piece.length;
      }
      whole.set(last, at);
      this.pieces = [];
      this.pendingBytes = 0;
    }
    const length =
      whole.length > 0 && whole[whole.length - 1] === CR ? whole.length - 1 : whole.length;
    return { text: decodeControlText(whole.subarray(0, length)), bytes: length };
  }

  private line(out: ReplyInput[], { text, bytes }: { text: string; bytes: number }): void {
    out.push({ kind: 'line', text });
    this.replyBytes += bytes + 2;
    const result = this.parser.push(text);
    if (result === null) {
      if (this.replyBytes > MAX_REPLY_BYTES) {
        this.stop(out, `a multi-line reply longer than ${MAX_REPLY_BYTES} bytes`);
      }
      return;
    }
    this.replyBytes = 0;
    out.push(
      result.ok
        ? { kind: 'reply', reply: result.value }
        : { kind: 'not-a-reply', error: result.error },
    );
  }

  private stop(out: ReplyInput[], what: string): void {
    this.stopped = true;
    this.pieces = [];
    this.pendingBytes = 0;
    out.push({
      kind: 'too-long',
      error: `the server sent ${what}: not FTP, so the client closed the connection`,
    });
  }
}
