import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  formatCommandLine,
  LineSplitter,
  MAX_COMMAND_LINE,
  parseCommandLine,
} from '../../src/protocol/ftp-command';
import type { FtpCommand } from '../../src/protocol/ftp-command';

const encoder = new TextEncoder();
const verb = fc.stringMatching(/^[A-Z]{3,4}$/);
const arg = fc.option(fc.string({ maxLength: 60 }).filter((s) => !/[\r\n]/.test(s)));
const command: fc.Arbitrary<FtpCommand> = fc.record({ verb, arg });
const anyCodeUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
});

describe('parseCommandLine (RFC 959 §5.3: <verb> [<SP> <argument>])', () => {
  it('splits the verb from its argument', () => {
    expect(parseCommandLine('RETR notes.txt')).toEqual({
      ok: true,
      value: { verb: 'RETR', arg: 'notes.txt' },
    });
  });

  it('gives null when there is no argument', () => {
    expect(parseCommandLine('PASV')).toEqual({ ok: true, value: { verb: 'PASV', arg: null } });
  });

  it('RFC 959 §5.3: verbs are case-insensitive, returned upper-case', () => {
    expect(parseCommandLine('retr a')).toEqual({ ok: true, value: { verb: 'RETR', arg: 'a' } });
  });

  it('keeps the argument verbatim, spaces included', () => {
    expect(parseCommandLine('STOR my  file .txt ')).toEqual({
      ok: true,
      value: { verb: 'STOR', arg: 'my  file .txt ' },
    });
    expect(parseCommandLine('CWD ')).toEqual({ ok: true, value: { verb: 'CWD', arg: '' } });
  });

  it('keeps a password as typed: FTP is cleartext', () => {
    expect(parseCommandLine('PASS s3cret pass')).toEqual({
      ok: true,
      value: { verb: 'PASS', arg: 's3cret pass' },
    });
  });

  it.each([
    ['', /empty command line/],
    ['RE file', /command must be 3 or 4 letters, got "RE"/],
    ['RETRR file', /command must be 3 or 4 letters/],
    [' RETR file', /command must be 3 or 4 letters, got ""/],
    ['RET1', /command must be 3 or 4 letters/],
    ['RÉTR x', /command must be 3 or 4 letters/],
    ['RETR\tfile', /command must be 3 or 4 letters/],
    ['RETR a\rDELE b', /CR or LF/],
  ])('rejects %j', (line, pattern) => {
    const result = parseCommandLine(line);
    expect(result.ok ? undefined : result.error).toMatch(pattern);
  });

  it(`refuses lines longer than MAX_COMMAND_LINE (${MAX_COMMAND_LINE})`, () => {
    const atLimit = `STOR ${'a'.repeat(MAX_COMMAND_LINE - 5)}`;
    expect(parseCommandLine(atLimit).ok).toBe(true);
    expect(parseCommandLine(`${atLimit}a`).ok).toBe(false);
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), anyCodeUnits), (line) => {
        const result = parseCommandLine(line);
        if (!result.ok) expect(result.error).toMatch(/\S/);
      }),
    );
  });
});

describe('formatCommandLine', () => {
  it('ends the line with CRLF (RFC 959 §4.1)', () => {
    expect(formatCommandLine({ verb: 'RETR', arg: 'notes.txt' })).toBe('RETR notes.txt\r\n');
    expect(formatCommandLine({ verb: 'PASV', arg: null })).toBe('PASV\r\n');
  });

  it('sends the password as is', () => {
    expect(formatCommandLine({ verb: 'PASS', arg: 'hunter2' })).toBe('PASS hunter2\r\n');
  });

  it('refuses an argument that would inject a second command', () => {
    expect(() => formatCommandLine({ verb: 'RETR', arg: 'a\r\nDELE b' })).toThrow(RangeError);
    expect(() => formatCommandLine({ verb: 'RETRIEVE', arg: null })).toThrow(RangeError);
  });

  it('round-trips format → parse (property)', () => {
    fc.assert(
      fc.property(command, (cmd) => {
        const line = formatCommandLine(cmd);
        expect(line.endsWith('\r\n')).toBe(true);
        expect(parseCommandLine(line.slice(0, -2))).toEqual({ ok: true, value: cmd });
      }),
    );
  });
});

describe('LineSplitter (RFC 959 §4.1: Telnet end of line is CRLF)', () => {
  it('returns complete lines and buffers the rest', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(encoder.encode('USER anon'))).toEqual([]);
    expect(splitter.pending()).toBe(9);
    expect(splitter.push(encoder.encode('ymous\r\nPASS x\r\nPA'))).toEqual([
      'USER anonymous',
      'PASS x',
    ]);
    expect(splitter.pending()).toBe(2);
    expect(splitter.push(encoder.encode('SV\r\n'))).toEqual(['PASV']);
    expect(splitter.pending()).toBe(0);
  });

  it('joins a CRLF split between two segments', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(encoder.encode('NOOP\r'))).toEqual([]);
    expect(splitter.push(encoder.encode('\n'))).toEqual(['NOOP']);
  });

  it('accepts a bare LF as a line end, and keeps empty lines', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(encoder.encode('NOOP\nQUIT\r\n\r\n'))).toEqual(['NOOP', 'QUIT', '']);
  });

  it('keeps a lone CR inside a line', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(encoder.encode('A\rB\r\n'))).toEqual(['A\rB']);
  });

  it('decodes one character per byte (Latin-1)', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(new Uint8Array([0x52, 0xe9, 0xff, 0x0d, 0x0a]))).toEqual([
      'R\u00e9\u00ff',
    ]);
  });

  it('gives the same lines however the stream is cut into segments (property)', () => {
    const lineBytes = fc.array(
      fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0x0a && b !== 0x0d),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(
        fc.array(lineBytes, { maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 6 }),
        (lines, cuts) => {
          const bytes = new Uint8Array(lines.flatMap((line) => [...line, 0x0d, 0x0a]));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const splitter = new LineSplitter();
          const received: string[] = [];
          let start = 0;
          for (const point of [...points, bytes.length]) {
            received.push(...splitter.push(bytes.subarray(start, point)));
            start = point;
          }
          const expected = lines.map((line) => String.fromCharCode(...line));
          expect(received).toEqual(expected);
          expect(splitter.pending()).toBe(0);
        },
      ),
    );
  });
});
