import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { asciiDecode, asciiEncode, fromNetAscii, toNetAscii } from '../../src/protocol/net-ascii';

const bytes = (text: string): Uint8Array => asciiEncode(text);
const withoutCr = fc.uint8Array({ maxLength: 200 }).map((b) => b.filter((x) => x !== 0x0d));

describe('TYPE A conversion (RFC 959 §3.1.1.1: NVT-ASCII ends lines with CRLF)', () => {
  it('toNetAscii turns each bare LF into CRLF', () => {
    expect(toNetAscii(bytes('a\nb\n'))).toEqual(bytes('a\r\nb\r\n'));
    expect(toNetAscii(bytes('\n\n'))).toEqual(bytes('\r\n\r\n'));
  });

  it('toNetAscii keeps an existing CRLF and a lone CR', () => {
    expect(toNetAscii(bytes('a\r\nb'))).toEqual(bytes('a\r\nb'));
    expect(toNetAscii(bytes('a\rb'))).toEqual(bytes('a\rb'));
  });

  it('fromNetAscii turns CRLF into LF and leaves other bytes alone', () => {
    expect(fromNetAscii(bytes('a\r\nb\r\n'))).toEqual(bytes('a\nb\n'));
    expect(fromNetAscii(bytes('a\rb\nc\r'))).toEqual(bytes('a\rb\nc\r'));
    expect(fromNetAscii(bytes('\r\r\n'))).toEqual(bytes('\r\n'));
  });

  it('handles empty input', () => {
    expect(toNetAscii(new Uint8Array(0))).toEqual(new Uint8Array(0));
    expect(fromNetAscii(new Uint8Array(0))).toEqual(new Uint8Array(0));
  });

  it('fromNetAscii(toNetAscii(x)) is x for text without CR (property)', () => {
    fc.assert(
      fc.property(withoutCr, (data) => {
        expect(fromNetAscii(toNetAscii(data))).toEqual(data);
      }),
    );
  });

  it('toNetAscii output has no bare LF, and grows by one byte per bare LF (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const out = toNetAscii(data);
        out.forEach((b, i) => {
          if (b === 0x0a) expect(out[i - 1]).toBe(0x0d);
        });
        const bareLf = data.filter((b, i) => b === 0x0a && data[i - 1] !== 0x0d).length;
        expect(out.length).toBe(data.length + bareLf);
      }),
    );
  });

  it('toNetAscii is idempotent: converting twice does not double CRs (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        expect(toNetAscii(toNetAscii(data))).toEqual(toNetAscii(data));
      }),
    );
  });
});

describe('asciiEncode and asciiDecode (control connection, one byte per character)', () => {
  it('encode ASCII and Latin-1', () => {
    expect(asciiEncode('USER a\r\n')).toEqual(new Uint8Array([85, 83, 69, 82, 32, 97, 13, 10]));
    expect(asciiEncode('\u00e9')).toEqual(new Uint8Array([0xe9]));
  });

  it('replace characters beyond Latin-1 with "?"', () => {
    expect(asciiDecode(asciiEncode('a\u20acb'))).toBe('a?b');
  });

  it('decode large buffers', () => {
    const big = new Uint8Array(100_000).fill(0x41);
    expect(asciiDecode(big)).toBe('A'.repeat(100_000));
  });

  it('decode → encode is the identity on bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(asciiEncode(asciiDecode(data))).toEqual(data);
      }),
    );
  });

  it('encode → decode is the identity on Latin-1 text (property)', () => {
    const latin1 = fc.string({
      unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
    });
    fc.assert(
      fc.property(latin1, (text) => {
        expect(asciiDecode(asciiEncode(text))).toBe(text);
      }),
    );
  });
});
