import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  bytesToPort,
  explainPortArithmetic,
  formatEprt,
  formatEpsvReply,
  formatHostPort,
  formatPasvReply,
  parseEprt,
  parseEpsvReply,
  parseHostPort,
  parsePasvReply,
  portToBytes,
} from '../../src/protocol/ftp-address';
import type { HostPort } from '../../src/protocol/ftp-address';

const octet = fc.integer({ min: 0, max: 255 });
const address = fc.tuple(octet, octet, octet, octet).map((octets) => octets.join('.'));
const port = fc.integer({ min: 1, max: 65535 });
const hostPort: fc.Arbitrary<HostPort> = fc.record({ address, port });
// Arbitrary text, plus text made of the characters these formats use, which reaches deeper.
const anyText = fc.oneof(
  fc.string(),
  // Any UTF-16 code unit, lone surrogates included; cheaper to set up than unit: 'binary'.
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: fc.constantFrom(...'0123456789,.|()! '.split('')), maxLength: 40 }),
);

function errorOf(result: { ok: boolean; error?: string }): string | undefined {
  return result.ok ? undefined : result.error;
}

describe('port bytes (RFC 959 §4.1.2: p1 is the high byte, p2 the low byte)', () => {
  it('splits and joins known ports', () => {
    expect(portToBytes(50000)).toEqual([195, 80]);
    expect(portToBytes(21)).toEqual([0, 21]);
    expect(bytesToPort(195, 80)).toBe(50000);
    expect(bytesToPort(255, 255)).toBe(65535);
  });

  it('round-trips every port (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), (p) => {
        const [p1, p2] = portToBytes(p);
        expect(bytesToPort(p1, p2)).toBe(p);
      }),
    );
  });

  it('throws RangeError outside the range', () => {
    expect(() => portToBytes(65536)).toThrow(RangeError);
    expect(() => portToBytes(-1)).toThrow(RangeError);
    expect(() => bytesToPort(256, 0)).toThrow(RangeError);
  });

  it('explains the arithmetic', () => {
    expect(explainPortArithmetic(195, 80)).toBe('195 × 256 + 80 = 50000');
  });
});

describe('PORT argument (RFC 959 §4.1.2)', () => {
  it('formats h1,h2,h3,h4,p1,p2', () => {
    expect(formatHostPort({ address: '192.0.2.10', port: 50000 })).toBe('192,0,2,10,195,80');
  });

  it('refuses an address PORT cannot carry, and a port outside 1-65535', () => {
    expect(() => formatHostPort({ address: '2001:db8::1', port: 50000 })).toThrow(
      'address must be a dotted-quad IPv4, got 2001:db8::1',
    );
    expect(() => formatEprt({ address: '192.0.2', port: 50000 })).toThrow(
      'address must be a dotted-quad IPv4, got 192.0.2',
    );
    expect(() => formatPasvReply({ address: '192.0.2.10', port: 0 })).toThrow(
      'port must be 1-65535, got 0',
    );
  });

  it('parses the RFC form, trimming surrounding whitespace', () => {
    expect(parseHostPort('192,0,2,10,195,80')).toEqual({
      ok: true,
      value: { address: '192.0.2.10', port: 50000 },
    });
    expect(parseHostPort('  10,0,0,1,4,1 ')).toEqual({
      ok: true,
      value: { address: '10.0.0.1', port: 1025 },
    });
  });

  it('reads fields as decimal, so leading zeros are harmless', () => {
    expect(parseHostPort('010,000,002,010,0,21')).toEqual({
      ok: true,
      value: { address: '10.0.2.10', port: 21 },
    });
  });

  it.each([
    ['1,2,3,4,5', 'expected 6 numbers h1,h2,h3,h4,p1,p2 separated by commas, got 5'],
    ['1,2,3,4,5,6,7', 'expected 6 numbers h1,h2,h3,h4,p1,p2 separated by commas, got 7'],
    ['', 'expected 6 numbers h1,h2,h3,h4,p1,p2 separated by commas, got nothing'],
    ['   ', 'expected 6 numbers h1,h2,h3,h4,p1,p2 separated by commas, got nothing'],
    ['1,2,3,4,300,6', 'p1 must be 0-255, got 300'],
    ['256,2,3,4,5,6', 'h1 must be 0-255, got 256'],
    ['1,2,3,4,5,999', 'p2 must be 0-255, got 999'],
    ['1,2,x,4,5,6', 'h3 must be a number 0-255, got "x"'],
    ['1,2,3,-4,5,6', 'h4 must be a number 0-255, got "-4"'],
    ['1,2,3,4, 5,6', 'p1 must be a number 0-255, got " 5"'],
    ['1,2,3,4,5,', 'p2 must be a number 0-255, got nothing'],
    ['1.2.3.4,5,6', 'expected 6 numbers h1,h2,h3,h4,p1,p2 separated by commas, got 3'],
    ['1,2,3,4,0,0', 'port must be 1-65535, got 0 (p1=0, p2=0)'],
  ])('rejects %j: %s', (arg, message) => {
    expect(parseHostPort(arg)).toEqual({ ok: false, error: message });
  });

  it('round-trips format → parse (property)', () => {
    fc.assert(
      fc.property(hostPort, (hp) => {
        expect(parseHostPort(formatHostPort(hp))).toEqual({ ok: true, value: hp });
      }),
    );
  });

  it('rejects the wrong number of fields and names the count (property)', () => {
    const wrongCount = fc
      .array(octet, { minLength: 1, maxLength: 12 })
      .filter((fields) => fields.length !== 6);
    fc.assert(
      fc.property(wrongCount, (fields) => {
        expect(errorOf(parseHostPort(fields.join(',')))).toBe(
          `expected 6 numbers h1,h2,h3,h4,p1,p2 separated by commas, got ${fields.length}`,
        );
      }),
    );
  });

  it('rejects any out-of-range field and names it (property)', () => {
    const names = ['h1', 'h2', 'h3', 'h4', 'p1', 'p2'];
    fc.assert(
      fc.property(
        fc.array(octet, { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 256, max: 1_000_000 }),
        (fields, index, bad) => {
          const withBad = fields.map((f, i) => (i === index ? bad : f));
          expect(errorOf(parseHostPort(withBad.join(',')))).toBe(
            `${names[index]} must be 0-255, got ${bad}`,
          );
        },
      ),
    );
  });

  it('rejects a non-digit field and names it (property)', () => {
    const names = ['h1', 'h2', 'h3', 'h4', 'p1', 'p2'];
    const notDigits = fc
      .string({ minLength: 1, maxLength: 5 })
      .filter((s) => !/^[0-9]+$/.test(s) && !s.includes(','));
    fc.assert(
      fc.property(
        fc.array(octet, { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        notDigits,
        (fields, index, bad) => {
          const withBad = fields.map((f, i) => (i === index ? bad : String(f)));
          const text = withBad.join(',');
          // Whitespace at either end of the whole argument is trimmed before the fields are read.
          fc.pre(text === text.trim());
          expect(errorOf(parseHostPort(text))).toMatch(
            new RegExp(`^${names[index]} must be a number 0-255, got `),
          );
        },
      ),
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parseHostPort(text);
        if (!result.ok) expect(result.error).toMatch(/\S/);
      }),
    );
  });
});

describe('EPRT (RFC 2428 §2)', () => {
  it('parses the RFC IPv4 example', () => {
    expect(parseEprt('|1|132.235.1.2|6275|')).toEqual({
      ok: true,
      value: { family: 1, address: '132.235.1.2', port: 6275, delimiter: '|' },
    });
  });

  it('parses the RFC IPv6 example', () => {
    expect(parseEprt('|2|1080::8:800:200C:417A|5282|')).toEqual({
      ok: true,
      value: { family: 2, address: '1080::8:800:200C:417A', port: 5282, delimiter: '|' },
    });
  });

  it('takes the delimiter from the first character', () => {
    expect(parseEprt('!1!192.0.2.10!50000!')).toEqual({
      ok: true,
      value: { family: 1, address: '192.0.2.10', port: 50000, delimiter: '!' },
    });
  });

  it('formats the IPv4 form', () => {
    expect(formatEprt({ address: '192.0.2.10', port: 50000 })).toBe('|1|192.0.2.10|50000|');
  });

  it('reports an unknown network protocol distinctly (servers answer 522)', () => {
    expect(errorOf(parseEprt('|3|192.0.2.10|50000|'))).toMatch(/network protocol/);
    expect(errorOf(parseEprt('|x|192.0.2.10|50000|'))).toMatch(/network protocol/);
  });

  it.each([
    ['', /got nothing/],
    ['|1|192.0.2.10|50000', /expected <d>af<d>address<d>port<d>/],
    ['|1|192.0.2.10|50000|extra|', /expected <d>af<d>address<d>port<d>/],
    ['|1|192.0.2|50000|', /IPv4 address: expected four numbers/],
    ['|1|1080::1|50000|', /IPv4 address/],
    ['|2|192.0.2.10|50000|', /IPv6/],
    ['|2|1::2::3|50000|', /IPv6/],
    ['|1|192.0.2.10|0|', /port must be 1-65535/],
    ['|1|192.0.2.10|65536|', /port must be 1-65535/],
    ['|1|192.0.2.10||', /port must be 1-65535/],
    ['\u00e91\u00e9192.0.2.10\u00e950000\u00e9', /delimiter/],
  ])('rejects %j', (arg, pattern) => {
    expect(errorOf(parseEprt(arg))).toMatch(pattern);
  });

  it('round-trips format → parse (property)', () => {
    fc.assert(
      fc.property(hostPort, (hp) => {
        expect(parseEprt(formatEprt(hp))).toEqual({
          ok: true,
          value: { family: 1, address: hp.address, port: hp.port, delimiter: '|' },
        });
      }),
    );
  });

  it('accepts any printable non-field delimiter (property)', () => {
    const delimiter = fc
      .integer({ min: 33, max: 126 })
      .map((code) => String.fromCharCode(code))
      .filter((d) => !/[0-9.]/.test(d));
    fc.assert(
      fc.property(hostPort, delimiter, (hp, d) => {
        const parsed = parseEprt(`${d}1${d}${hp.address}${d}${hp.port}${d}`);
        expect(parsed).toEqual({ ok: true, value: { family: 1, ...hp, delimiter: d } });
      }),
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parseEprt(text);
        if (!result.ok) expect(result.error).toMatch(/\S/);
      }),
    );
  });
});

describe('227 reply (RFC 959 §4.2, RFC 1123 §4.1.2.6)', () => {
  it('formats the usual text', () => {
    expect(formatPasvReply({ address: '192.0.2.10', port: 40000 })).toBe(
      'Entering Passive Mode (192,0,2,10,156,64).',
    );
  });

  it.each([
    'Entering Passive Mode (192,0,2,10,156,64).',
    'Entering Passive Mode 192,0,2,10,156,64',
    '=192,0,2,10,156,64',
    'Entering Passive Mode (192, 0, 2, 10, 156, 64)',
    '227 Entering Passive Mode (192,0,2,10,156,64)',
  ])('RFC 1123 §4.1.2.6: scans %j for the six numbers', (text) => {
    expect(parsePasvReply(text)).toEqual({
      ok: true,
      value: { address: '192.0.2.10', port: 40000 },
    });
  });

  it.each([
    ['Entering Passive Mode', /expected 6 numbers/],
    ['Entering Passive Mode (1,2,3,4,5)', /expected 6 numbers/],
    ['Entering Passive Mode (1,2,3,4,256,1)', /p1 must be 0-255, got 256/],
    ['Entering Passive Mode (1234,2,3,4,5,6)', /h1 must be 0-255, got 1234/],
    ['Entering Passive Mode (1,2,3,4,0,0)', /port must be 1-65535/],
  ])('rejects %j', (text, pattern) => {
    expect(errorOf(parsePasvReply(text))).toMatch(pattern);
  });

  it('round-trips format → parse (property)', () => {
    fc.assert(
      fc.property(hostPort, (hp) => {
        expect(parsePasvReply(formatPasvReply(hp))).toEqual({ ok: true, value: hp });
      }),
    );
  });

  it('finds the numbers inside any surrounding text without digits (property)', () => {
    const noDigits = fc.string().filter((s) => !/[0-9]/.test(s));
    fc.assert(
      fc.property(hostPort, noDigits, noDigits, (hp, before, after) => {
        const text = `${before}${formatHostPort(hp)}${after}`;
        expect(parsePasvReply(text)).toEqual({ ok: true, value: hp });
      }),
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parsePasvReply(text);
        if (!result.ok) expect(result.error).toMatch(/\S/);
      }),
    );
  });
});

describe('229 reply (RFC 2428 §3)', () => {
  it('parses the RFC example', () => {
    expect(parseEpsvReply('Entering Extended Passive Mode (|||6446|)')).toEqual({
      ok: true,
      value: { port: 6446 },
    });
  });

  it('formats the RFC form', () => {
    expect(formatEpsvReply(50000)).toBe('Entering Extended Passive Mode (|||50000|)');
  });

  it('accepts another delimiter if used consistently', () => {
    expect(parseEpsvReply('Extended Passive (!!!2121!)')).toEqual({
      ok: true,
      value: { port: 2121 },
    });
  });

  it.each([
    ['Entering Extended Passive Mode', /expected \(\|\|\|port\|\)/],
    ['Entering Extended Passive Mode (|||6446)', /expected/],
    ['Entering Extended Passive Mode (||6446|)', /expected/],
    ['Entering Extended Passive Mode (|!|6446|)', /expected/],
    ['Entering Extended Passive Mode (|||0|)', /port must be 1-65535/],
    ['Entering Extended Passive Mode (|||70000|)', /port must be 1-65535/],
  ])('rejects %j', (text, pattern) => {
    expect(errorOf(parseEpsvReply(text))).toMatch(pattern);
  });

  it('throws RangeError when formatting an impossible port', () => {
    expect(() => formatEpsvReply(0)).toThrow(RangeError);
  });

  it('round-trips format → parse (property)', () => {
    fc.assert(
      fc.property(port, (p) => {
        expect(parseEpsvReply(formatEpsvReply(p))).toEqual({ ok: true, value: { port: p } });
      }),
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parseEpsvReply(text);
        if (!result.ok) expect(result.error).toMatch(/\S/);
      }),
    );
  });
});
