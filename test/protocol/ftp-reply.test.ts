import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  describeReplyCode,
  formatReply,
  isNegative,
  isPositiveCompletion,
  isPositiveIntermediate,
  isPositivePreliminary,
  parseReplyLines,
  ReplyParser,
  replyClass,
} from '../../src/protocol/ftp-reply';

const code = fc.integer({ min: 100, max: 699 });
const lineText = fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s));
// Text that tempts the parser: lines starting with a code, with or without padding.
const trickyLine = fc.oneof(
  lineText,
  fc.tuple(fc.stringMatching(/^ {0,2}[0-9]{3}[ -]?$/), lineText).map(([head, tail]) => head + tail),
);

/** Splits formatted reply text back into lines the way a LineSplitter would. */
function wireLines(text: string): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text.slice(0, -2).split('\r\n');
}

describe('formatReply (RFC 959 §4.2)', () => {
  it('single line: code, space, text, CRLF', () => {
    expect(formatReply(220, 'Welcome')).toBe('220 Welcome\r\n');
    expect(formatReply(200, ['Command okay'])).toBe('200 Command okay\r\n');
  });

  it('multi-line: "211-" first line, middle lines as is, "211 " last line', () => {
    expect(formatReply(211, ['Features:', ' EPRT', ' EPSV', 'End'])).toBe(
      '211-Features:\r\n EPRT\r\n EPSV\r\n211 End\r\n',
    );
  });

  it('§4.2: pads a middle line that starts with a 3-digit number and a space', () => {
    expect(formatReply(214, ['Help', '200 is fine', 'End'])).toBe(
      '214-Help\r\n 200 is fine\r\n214 End\r\n',
    );
  });

  it('turns line breaks inside the text into separate reply lines', () => {
    expect(formatReply(230, 'Hello\nworld')).toBe('230-Hello\r\n230 world\r\n');
  });

  it('throws RangeError for a code outside 100-699', () => {
    expect(() => formatReply(99, 'x')).toThrow(RangeError);
    expect(() => formatReply(700, 'x')).toThrow(RangeError);
  });
});

describe('ReplyParser (RFC 959 §4.2)', () => {
  it('returns a single-line reply at once', () => {
    const parser = new ReplyParser();
    expect(parser.push('220 Service ready')).toEqual({
      ok: true,
      value: { code: 220, lines: ['Service ready'] },
    });
  });

  it('waits for the line that starts with the same code and a space', () => {
    const parser = new ReplyParser();
    expect(parser.push('230-Welcome')).toBeNull();
    expect(parser.inProgress()).toBe(true);
    expect(parser.push('230-Still welcome')).toBeNull();
    expect(parser.push('220 not the end, different code')).toBeNull();
    expect(parser.push('230 Login successful.')).toEqual({
      ok: true,
      value: {
        code: 230,
        lines: [
          'Welcome',
          '230-Still welcome',
          '220 not the end, different code',
          'Login successful.',
        ],
      },
    });
    expect(parser.inProgress()).toBe(false);
  });

  it('reads a bare code as a reply with empty text', () => {
    expect(new ReplyParser().push('200')).toEqual({ ok: true, value: { code: 200, lines: [''] } });
  });

  it.each([
    ['', /3-digit code/],
    ['Hello', /3-digit code/],
    ['20 OK', /3-digit code/],
    ['2000 OK', /3-digit code/],
    ['200:OK', /3-digit code/],
    ['099 odd', /digit 1-6/],
    ['700 odd', /digit 1-6/],
  ])('rejects %j', (line, pattern) => {
    const result = new ReplyParser().push(line);
    expect(result === null || result.ok ? undefined : result.error).toMatch(pattern);
  });

  it('recovers after a malformed line', () => {
    const parser = new ReplyParser();
    expect(parser.push('garbage')?.ok).toBe(false);
    expect(parser.push('200 OK')).toEqual({ ok: true, value: { code: 200, lines: ['OK'] } });
  });

  it('never throws on arbitrary lines (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), trickyLine), { maxLength: 10 }), (lines) => {
        const parser = new ReplyParser();
        for (const line of lines) {
          const result = parser.push(line);
          if (result !== null && !result.ok) expect(result.error).toMatch(/\S/);
        }
      }),
    );
  });
});

describe('parseReplyLines', () => {
  it('parses a session of replies', () => {
    expect(
      parseReplyLines([
        '220 Hi',
        '331 Password?',
        '230-Hello',
        'there',
        '230 OK',
        '227 (1,2,3,4,5,6)',
      ]),
    ).toEqual({
      ok: true,
      value: [
        { code: 220, lines: ['Hi'] },
        { code: 331, lines: ['Password?'] },
        { code: 230, lines: ['Hello', 'there', 'OK'] },
        { code: 227, lines: ['(1,2,3,4,5,6)'] },
      ],
    });
  });

  it('names the bad line', () => {
    expect(parseReplyLines(['220 Hi', 'oops'])).toEqual({
      ok: false,
      error: 'line 2: expected a reply line starting with a 3-digit code, got "oops"',
    });
  });

  it('reports an unfinished multi-line reply', () => {
    const result = parseReplyLines(['211-Status', 'still going']);
    expect(result.ok ? undefined : result.error).toMatch(/no closing line/);
  });
});

describe('format → parse round trip (property)', () => {
  it('single-line replies', () => {
    fc.assert(
      fc.property(code, lineText, (c, text) => {
        expect(parseReplyLines(wireLines(formatReply(c, text)))).toEqual({
          ok: true,
          value: [{ code: c, lines: [text] }],
        });
      }),
    );
  });

  it('multi-line replies, including middle lines that look like codes', () => {
    fc.assert(
      fc.property(code, fc.array(trickyLine, { minLength: 2, maxLength: 8 }), (c, lines) => {
        expect(parseReplyLines(wireLines(formatReply(c, lines)))).toEqual({
          ok: true,
          value: [{ code: c, lines }],
        });
      }),
    );
  });

  it('several replies in a row', () => {
    const reply = fc.tuple(code, fc.array(trickyLine, { minLength: 1, maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(reply, { maxLength: 5 }), (replies) => {
        const lines = replies.flatMap(([c, text]) => wireLines(formatReply(c, text)));
        expect(parseReplyLines(lines)).toEqual({
          ok: true,
          value: replies.map(([c, text]) => ({ code: c, lines: text })),
        });
      }),
    );
  });
});

describe('reply classes (RFC 959 §4.2.1 first digit; 6yz RFC 2228)', () => {
  it.each([
    [150, 'positive-preliminary'],
    [226, 'positive-completion'],
    [331, 'positive-intermediate'],
    [425, 'transient-negative'],
    [530, 'permanent-negative'],
    [631, 'protected'],
    [99, 'invalid'],
    [700, 'invalid'],
    [226.5, 'invalid'],
  ] as const)('%i is %s', (c, kind) => {
    expect(replyClass(c)).toBe(kind);
  });

  it('helpers agree with the class', () => {
    expect(isPositivePreliminary(150)).toBe(true);
    expect(isPositiveCompletion(226)).toBe(true);
    expect(isPositiveIntermediate(331)).toBe(true);
    expect(isNegative(425)).toBe(true);
    expect(isNegative(550)).toBe(true);
    expect(isNegative(226)).toBe(false);
    expect(isNegative(631)).toBe(false);
    expect(isPositiveCompletion(150)).toBe(false);
  });
});

describe('describeReplyCode', () => {
  it('RFC 959 §4.2.2: describes every listed code', () => {
    const listed = [
      110, 120, 125, 150, 200, 202, 211, 212, 213, 214, 215, 220, 221, 225, 226, 227, 230, 250, 257,
      331, 332, 350, 421, 425, 426, 450, 451, 452, 500, 501, 502, 503, 504, 530, 532, 550, 551, 552,
      553,
    ];
    const descriptions = listed.map(describeReplyCode);
    // Distinct, and none is the first-digit fallback (those all contain "reply:").
    expect(new Set(descriptions).size).toBe(listed.length);
    for (const description of descriptions) expect(description).not.toMatch(/reply:/);
  });

  it('describes the data-connection failure plainly', () => {
    expect(describeReplyCode(425)).toBe("Can't open data connection");
  });

  it('RFC 2428: describes 229 and 522', () => {
    expect(describeReplyCode(229)).toMatch(/extended passive/i);
    expect(describeReplyCode(522)).toMatch(/network protocol not supported/i);
  });

  it('falls back on the first and second digits for unlisted codes', () => {
    expect(describeReplyCode(299)).toBe('Positive completion reply: done');
    expect(describeReplyCode(455)).toBe(
      'Transient negative reply: failed, trying again later may work (file system)',
    );
    expect(describeReplyCode(42)).toBe('Not a valid FTP reply code');
  });

  it('gives a non-empty description for any integer (property)', () => {
    fc.assert(
      fc.property(fc.integer(), (c) => {
        expect(describeReplyCode(c)).toMatch(/\S/);
      }),
    );
  });
});
