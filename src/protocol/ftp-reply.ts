/** FTP replies on the control connection (RFC 959 §4.2). */
import { err, ok } from './result';
import type { Result } from './result';

export interface FtpReply {
  code: number;
  /** Text of each line without the code, separator or CRLF; a single-line reply has one. */
  lines: string[];
}

export type ReplyClass =
  | 'positive-preliminary'
  | 'positive-completion'
  | 'positive-intermediate'
  | 'transient-negative'
  | 'permanent-negative'
  | 'protected'
  | 'invalid';

/**
 * RFC 959 §4.2: a middle line of a multi-line reply that begins with a 3-digit number must be
 * padded so it cannot be read as the last line. We pad with one space any middle line that
 * looks like "nnn" or "nnn text" after optional spaces, and the parser removes exactly one
 * space again, so formatting then parsing gives back the original lines.
 */
const NEEDS_PADDING = /^ *[0-9]{3}(?: |$)/;
const PADDED = /^ +[0-9]{3}(?: |$)/;

const LINE_BREAK = /\r\n|\r|\n/;

function splitLines(text: string | string[]): string[] {
  const parts = typeof text === 'string' ? [text] : text;
  const lines: string[] = [];
  for (const part of parts) {
    // Most replies are one line: no split, no regular expression.
    if (!part.includes('\n') && !part.includes('\r')) lines.push(part);
    else lines.push(...part.split(LINE_BREAK));
  }
  return lines.length === 0 ? [''] : lines;
}

/**
 * The reply as sent, each line CRLF-terminated. Single line: "220 Welcome". Multi-line
 * (RFC 959 §4.2): "211-First", middle lines, "211 End". Line breaks inside the text start a
 * new line of the reply rather than corrupting the stream. Throws RangeError unless the code
 * is 100-699.
 */
export function formatReply(code: number, text: string | string[]): string {
  if (!Number.isInteger(code) || code < 100 || code > 699) {
    throw new RangeError(`reply code must be 100-699, got ${code}`);
  }
  const lines = splitLines(text);
  if (lines.length === 1) return `${code} ${lines[0]}\r\n`;
  const first = `${code}-${lines[0]}\r\n`;
  const middle = lines
    .slice(1, -1)
    .map((line) => `${NEEDS_PADDING.test(line) ? ' ' : ''}${line}\r\n`)
    .join('');
  const last = `${code} ${lines[lines.length - 1]}\r\n`;
  return first + middle + last;
}

/**
 * A line quoted for an error message, at most 60 characters of JSON: a hostile server's line may be
 * kilobytes long, or made of control characters that each take six to escape.
 */
function quoteLine(line: string): string {
  const limit = 60;
  const whole = JSON.stringify(line);
  if (whole.length <= limit + 2) return whole;
  let shown = line.slice(0, limit);
  while (JSON.stringify(shown).length > limit + 2) shown = shown.slice(0, -1);
  // Never cut a surrogate pair in two: half of one would show as an escape.
  if (/[\uD800-\uDBFF]$/.test(shown)) shown = shown.slice(0, -1);
  return `${JSON.stringify(shown)}… (${line.length} characters)`;
}

/**
 * Reassembles replies from lines (CRLF already removed), e.g. from a LineSplitter. push()
 * returns null while a multi-line reply is still open, the reply when its last line arrives,
 * and an error for a line that cannot start a reply. After an error it is ready for the next
 * reply.
 */
export class ReplyParser {
  private open: FtpReply | null = null;

  push(line: string): Result<FtpReply> | null {
    if (this.open !== null) return this.continueReply(this.open, line);
    const match = /^([0-9]{3})([ -]|$)(.*)$/s.exec(line);
    if (match === null) {
      return err(`expected a reply line starting with a 3-digit code, got ${quoteLine(line)}`);
    }
    const code = Number(match[1]);
    if (replyClass(code) === 'invalid') {
      return err(`reply code must start with a digit 1-6, got ${match[1]}`);
    }
    if (match[2] === '-') {
      this.open = { code, lines: [match[3]] };
      return null;
    }
    // A bare "nnn" lacks the space RFC 959 requires, but is unambiguous; read it as empty text.
    return ok({ code, lines: [match[3]] });
  }

  /** True while a multi-line reply has begun but its last line has not arrived. */
  inProgress(): boolean {
    return this.open !== null;
  }

  private continueReply(reply: FtpReply, line: string): Result<FtpReply> | null {
    // §4.2: the last line begins with the same code followed by a space.
    const code = String(reply.code);
    if (line === code || line.startsWith(`${code} `)) {
      reply.lines.push(line.slice(code.length + 1));
      this.open = null;
      return ok(reply);
    }
    reply.lines.push(PADDED.test(line) ? line.slice(1) : line);
    return null;
  }
}

/** Parses a whole sequence of reply lines; fails on the first bad line or an unfinished reply. */
export function parseReplyLines(lines: string[]): Result<FtpReply[]> {
  const parser = new ReplyParser();
  const replies: FtpReply[] = [];
  for (const [index, line] of lines.entries()) {
    const result = parser.push(line);
    if (result === null) continue;
    if (!result.ok) return err(`line ${index + 1}: ${result.error}`);
    replies.push(result.value);
  }
  if (parser.inProgress()) return err('the last multi-line reply has no closing line');
  return ok(replies);
}

/** RFC 959 §4.2.1 first digit; 6yz are protected replies (RFC 2228 §4). */
export function replyClass(code: number): ReplyClass {
  if (!Number.isInteger(code) || code < 100 || code > 699) return 'invalid';
  const classes: ReplyClass[] = [
    'positive-preliminary',
    'positive-completion',
    'positive-intermediate',
    'transient-negative',
    'permanent-negative',
    'protected',
  ];
  return classes[Math.floor(code / 100) - 1];
}

/** 1yz: the action has started; expect another reply before the next command. */
export function isPositivePreliminary(code: number): boolean {
  return replyClass(code) === 'positive-preliminary';
}

/** 2yz: the action succeeded. */
export function isPositiveCompletion(code: number): boolean {
  return replyClass(code) === 'positive-completion';
}

/** 3yz: accepted, but the server needs another command (e.g. PASS after USER). */
export function isPositiveIntermediate(code: number): boolean {
  return replyClass(code) === 'positive-intermediate';
}

/** 4yz or 5yz: the command failed, temporarily or for good. */
export function isNegative(code: number): boolean {
  const kind = replyClass(code);
  return kind === 'transient-negative' || kind === 'permanent-negative';
}

/** RFC 959 §4.2.2 in plain English, plus 229 and 522 from RFC 2428 (EPSV, EPRT). */
const REPLY_DESCRIPTIONS: Readonly<Record<number, string>> = {
  110: 'Restart marker reply',
  120: 'Service will be ready in a few minutes',
  125: 'Data connection already open; transfer starting',
  150: 'File status okay; about to open data connection',
  200: 'Command okay',
  202: 'Command not implemented, not needed at this site',
  211: 'System status, or system help reply',
  212: 'Directory status',
  213: 'File status',
  214: 'Help message',
  215: 'System type name',
  220: 'Service ready for new user',
  221: 'Service closing control connection (goodbye)',
  225: 'Data connection open; no transfer in progress',
  226: 'Closing data connection; file action successful',
  227: 'Entering passive mode: connect to the address and port given',
  229: 'Entering extended passive mode: connect to the port given, same host',
  230: 'User logged in, proceed',
  250: 'Requested file action okay, completed',
  257: 'Pathname created',
  331: 'User name okay, need password',
  332: 'Need account for login',
  350: 'Requested file action pending further information',
  421: 'Service not available, closing control connection',
  425: "Can't open data connection",
  426: 'Connection closed; transfer aborted',
  450: 'File unavailable (e.g. busy); action not taken',
  451: 'Action aborted: local error in processing',
  452: 'Insufficient storage space; action not taken',
  500: 'Syntax error, command unrecognized',
  501: 'Syntax error in parameters or arguments',
  502: 'Command not implemented',
  503: 'Bad sequence of commands',
  504: 'Command not implemented for that parameter',
  522: 'Network protocol not supported (use IPv4 or IPv6 as the server lists)',
  530: 'Not logged in',
  532: 'Need account for storing files',
  550: 'File unavailable (e.g. not found, no access); action not taken',
  551: 'Action aborted: page type unknown',
  552: 'Exceeded storage allocation; file action aborted',
  553: 'File name not allowed; action not taken',
  // RFC 2228 §4: the real reply is inside, encoded and protected.
  631: 'Integrity-protected reply',
  632: 'Confidentiality- and integrity-protected reply',
  633: 'Confidentiality-protected reply',
};

const CLASS_DESCRIPTIONS: Readonly<Record<ReplyClass, string>> = {
  'positive-preliminary': 'Positive preliminary reply: started, another reply will follow',
  'positive-completion': 'Positive completion reply: done',
  'positive-intermediate': 'Positive intermediate reply: send the next command to continue',
  'transient-negative': 'Transient negative reply: failed, trying again later may work',
  'permanent-negative': 'Permanent negative reply: failed, do not repeat as is',
  protected: 'Protected reply (RFC 2228 security extensions)',
  invalid: 'Not a valid FTP reply code',
};

/** RFC 959 §4.2.1 second digit: what the reply is about. */
const SUBJECTS = [
  'syntax',
  'information',
  'connections',
  'authentication and accounting',
  'unspecified',
  'file system',
];

/** One plain-English line for any code: the RFC meaning if listed, else its class and subject. */
export function describeReplyCode(code: number): string {
  const known = REPLY_DESCRIPTIONS[code];
  if (known !== undefined) return known;
  const kind = replyClass(code);
  const subject = SUBJECTS[Math.floor(code / 10) % 10];
  if (kind === 'invalid' || kind === 'protected' || subject === undefined) {
    return CLASS_DESCRIPTIONS[kind];
  }
  return `${CLASS_DESCRIPTIONS[kind]} (${subject})`;
}
