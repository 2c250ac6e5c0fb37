/** FTP command lines on the control connection (RFC 959 §4.1 meanings, §5.3 syntax). */
import { LONE_SURROGATE } from './control-text';
import { asciiDecode } from './net-ascii';
import { err, ok } from './result';
import type { Result } from './result';

export interface FtpCommand {
  /** Upper-case, e.g. "RETR". */
  verb: string;
  /** Everything after the first space, spaces included; null when the line is the verb alone. */
  arg: string | null;
}

/**
 * Longest command line we accept, in characters, not counting the CRLF. RFC 959 sets no limit;
 * real servers bound their buffer (vsftpd reads up to 4096 bytes). 512 follows SMTP's command
 * line limit (RFC 5321 §4.5.3.1.4) and is far above any path a lesson uses.
 */
export const MAX_COMMAND_LINE = 512;

const VERB = /^[A-Za-z]{3,4}$/;

/**
 * RFC 959 §5.3: <verb> [<SP> <argument>] <CRLF>, given here without the CRLF. The verb is
 * case-insensitive (§5.3) and returned upper-case; the argument is kept exactly, because
 * pathnames may contain spaces.
 */
export function parseCommandLine(line: string): Result<FtpCommand> {
  if (line === '') return err('empty command line');
  if (line.length > MAX_COMMAND_LINE) {
    return err(`command line too long: ${line.length} characters, limit ${MAX_COMMAND_LINE}`);
  }
  if (/[\r\n]/.test(line)) return err('command line must not contain CR or LF inside it');
  const space = line.indexOf(' ');
  const verb = space === -1 ? line : line.slice(0, space);
  if (!VERB.test(verb)) {
    return err(`command must be 3 or 4 letters, got ${JSON.stringify(verb)}`);
  }
  return ok({ verb: verb.toUpperCase(), arg: space === -1 ? null : line.slice(space + 1) });
}

/**
 * The line as sent, CRLF included. Arguments go out verbatim, PASS too: FTP is cleartext and the
 * learner should see the password on the wire. Throws RangeError for a malformed verb, an
 * argument containing CR or LF, which would smuggle a second command onto the connection, or a
 * lone surrogate, which has no UTF-8 form (see control-text.ts) and would arrive as another name.
 */
export function formatCommandLine(cmd: FtpCommand): string {
  if (!VERB.test(cmd.verb)) {
    throw new RangeError(`command must be 3 or 4 letters, got ${JSON.stringify(cmd.verb)}`);
  }
  if (cmd.arg !== null && /[\r\n]/.test(cmd.arg)) {
    throw new RangeError(`command argument must not contain CR or LF: ${JSON.stringify(cmd.arg)}`);
  }
  if (cmd.arg !== null && LONE_SURROGATE.test(cmd.arg)) {
    throw new RangeError(`command argument is not well-formed Unicode: ${JSON.stringify(cmd.arg)}`);
  }
  const verb = cmd.verb.toUpperCase();
  return cmd.arg === null ? `${verb}\r\n` : `${verb} ${cmd.arg}\r\n`;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Cuts a control-connection byte stream into lines. TCP delivers bytes, not lines, so a line
 * may arrive in pieces or several in one segment. RFC 959 ends lines with Telnet's CRLF; a
 * bare LF is accepted too, as servers and clients do in practice. Lines come back without their
 * terminator, each decoded by `decode`: one character per byte unless told otherwise (the
 * simulation passes decodeControlText, UTF-8 as RFC 2640 has it). No length limit is applied here;
 * callers can watch pending() and parseCommandLine enforces MAX_COMMAND_LINE.
 */
export class LineSplitter {
  private buffer: Uint8Array = new Uint8Array(0);

  private readonly decode: (bytes: Uint8Array) => string;

  constructor(decode: (bytes: Uint8Array) => string = asciiDecode) {
    this.decode = decode;
  }

  push(bytes: Uint8Array): string[] {
    const data = new Uint8Array(this.buffer.length + bytes.length);
    data.set(this.buffer);
    data.set(bytes, this.buffer.length);
    const lines: string[] = [];
    let lineStart = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== LF) continue;
      const lineEnd = i > lineStart && data[i - 1] === CR ? i - 1 : i;
      lines.push(this.decode(data.subarray(lineStart, lineEnd)));
      lineStart = i + 1;
    }
    this.buffer = data.slice(lineStart);
    return lines;
  }

  /** Bytes received that do not yet form a complete line. */
  pending(): number {
    return this.buffer.length;
  }
}
