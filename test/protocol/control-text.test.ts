import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeControlPrefix,
  decodeControlText,
  decodeUtf8,
  encodeControlText,
  utf8Breakdown,
} from '../../src/protocol/control-text';
import { formatCommandLine, LineSplitter, parseCommandLine } from '../../src/protocol/ftp-command';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));

/** Any Unicode text without control characters (C0, DEL, C1): what a file name may be. */
const name = fc.string({ unit: 'binary', maxLength: 60 }).filter((text) => !/\p{Cc}/u.test(text));

describe('encodeControlText (RFC 2640 §2.2: UTF-8 on the control connection)', () => {
  it('sends each character as its UTF-8 bytes, never as "?"', () => {
    expect(hex(encodeControlText('STOR 中文.txt\r\n'))).toEqual([
      ...['53', '54', '4f', '52', '20'],
      ...['e4', 'b8', 'ad', 'e6', '96', '87'],
      ...['2e', '74', '78', '74', '0d', '0a'],
    ]);
    expect(hex(encodeControlText('é😀'))).toEqual(['c3', 'a9', 'f0', '9f', '98', '80']);
  });

  it('leaves ASCII as it was: one byte per character', () => {
    expect(encodeControlText('USER a\r\n')).toEqual(
      new Uint8Array([85, 83, 69, 82, 32, 97, 13, 10]),
    );
  });
});

describe('decodeControlText', () => {
  it('reads UTF-8, a leading byte order mark included', () => {
    expect(decodeControlText(encodeControlText('RETR 日本.txt'))).toBe('RETR 日本.txt');
    expect(decodeControlText(encodeControlText('\ufeffa'))).toBe('\ufeffa');
  });

  it('reads a line that is not UTF-8 one character per byte (an old Latin-1 client), never throwing', () => {
    expect(decodeControlText(new Uint8Array([0x52, 0xe9, 0xff]))).toBe('R\u00e9\u00ff');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(typeof decodeControlText(bytes)).toBe('string');
      }),
    );
  });

  it('decodeUtf8 says null for bytes that are not UTF-8', () => {
    expect(decodeUtf8(new Uint8Array([0xe4, 0xb8]))).toBeNull();
    expect(decodeUtf8(new Uint8Array([0xe4, 0xb8, 0xad]))).toBe('中');
  });

  it('a prefix for a label leaves out a character cut at the end', () => {
    const bytes = encodeControlText('ab中文');
    expect(decodeControlPrefix(bytes, 2)).toBe('ab');
    expect(decodeControlPrefix(bytes, 3)).toBe('ab');
    expect(decodeControlPrefix(bytes, 4)).toBe('ab');
    expect(decodeControlPrefix(bytes, 5)).toBe('ab中');
    expect(decodeControlPrefix(bytes, 99)).toBe('ab中文');
  });
});

describe('utf8Breakdown (for the inspector)', () => {
  it('names each character beyond ASCII once, with its bytes', () => {
    expect(utf8Breakdown('STOR 中文中.txt')).toEqual(['中 = e4 b8 ad', '文 = e6 96 87']);
    expect(utf8Breakdown('PASV')).toEqual([]);
    expect(utf8Breakdown('😀')).toEqual(['😀 = f0 9f 98 80']);
  });
});

describe('a name beyond ASCII through command format, the wire and parse', () => {
  it('any name without control characters comes back exactly, however TCP cuts the bytes (property)', () => {
    fc.assert(
      fc.property(name, fc.array(fc.nat(), { maxLength: 4 }), (arg, cuts) => {
        const bytes = encodeControlText(formatCommandLine({ verb: 'STOR', arg }));
        const splitter = new LineSplitter(decodeControlText);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const lines: string[] = [];
        let start = 0;
        for (const point of [...points, bytes.length]) {
          lines.push(...splitter.push(bytes.subarray(start, point)));
          start = point;
        }
        expect(lines).toHaveLength(1);
        expect(parseCommandLine(lines[0]!)).toEqual({ ok: true, value: { verb: 'STOR', arg } });
      }),
      { numRuns: 500 },
    );
  });

  it('two different names are two different byte strings on the wire (property)', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        fc.pre(a !== b);
        expect(encodeControlText(a)).not.toEqual(encodeControlText(b));
      }),
    );
  });

  it('formatCommandLine refuses a lone surrogate, which has no UTF-8 form', () => {
    expect(() => formatCommandLine({ verb: 'STOR', arg: 'a\ud800' })).toThrow(RangeError);
    expect(formatCommandLine({ verb: 'STOR', arg: 'a😀' })).toBe('STOR a😀\r\n');
  });
});
