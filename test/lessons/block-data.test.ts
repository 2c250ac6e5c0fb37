import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, parseBlockData, toPlain } from '../../src/lessons/block-data';

function errorOf(text: string, firstLine = 1): { line: number; message: string } {
  try {
    parseBlockData(text, firstLine);
  } catch (error) {
    if (error instanceof DataError) return { line: error.line, message: error.message };
    throw error;
  }
  throw new Error('expected a DataError');
}

describe('lesson block data', () => {
  it('reads scalars, inline lists, nested lists and maps, keeping order', () => {
    const map = parseBlockData(
      [
        'title: Passive mode',
        'order: 4',
        'fast: true',
        "commands: [LIST, \"RETR a, b\", 'it''s']",
        'objectives:',
        '  - one',
        '  - two: with a colon',
        '# a comment',
        'choices:',
        '  server: The server',
        '  client: The client',
      ].join('\n'),
    );
    expect(toPlain(map)).toEqual({
      title: 'Passive mode',
      order: 4,
      fast: true,
      commands: ['LIST', 'RETR a, b', "it's"],
      objectives: ['one', 'two: with a colon'],
      choices: { server: 'The server', client: 'The client' },
    });
    expect(map.entries.map((e) => e.key)).toEqual([
      'title',
      'order',
      'fast',
      'commands',
      'objectives',
      'choices',
    ]);
  });

  it('keeps text blocks with their inner indentation and a "#" inside plain text', () => {
    const map = parseBlockData('explanation: |\n  Line one\n\n    - nested\n  port #20\nnext: x');
    expect(toPlain(map)).toEqual({
      explanation: 'Line one\n\n  - nested\nport #20',
      next: 'x',
    });
  });

  it('reports the file line of each mistake', () => {
    expect(errorOf('a: 1\nb 2', 10)).toEqual({
      line: 11,
      message: 'expected "key: value", found "b 2"',
    });
    expect(errorOf('a: 1\na: 2').message).toBe('"a" is given twice');
    expect(errorOf('a:\n\tb: 1').message).toBe('indent with spaces, not tabs');
    expect(errorOf('a: [x, y').message).toMatch(/must end with "\]"/);
    expect(errorOf('a: "open').message).toBe('unclosed " quote');
    expect(errorOf('a:').message).toBe('"a:" has no value');
    expect(errorOf('a:\n  - x\n  y: 1').line).toBe(3);
    expect(errorOf('  a: 1\nb: 2').line).toBe(1);
    expect(errorOf('a: |\nb: 1').message).toBe('"a: |" has no text below it');
  });

  it('never throws anything but a DataError, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseBlockData(text);
        } catch (error) {
          expect(error).toBeInstanceOf(DataError);
          expect((error as DataError).line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads back what a simple writer writes', () => {
    const key = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/);
    const text = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ,.?!]{0,30}[A-Za-z0-9.?!]$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, text), { selector: ([k]) => k, maxLength: 8 }),
        (pairs) => {
          const source = pairs.map(([k, v]) => `${k}: ${v}`).join('\n');
          const plain = toPlain(parseBlockData(source)) as Record<string, unknown>;
          for (const [k, v] of pairs) {
            const expected =
              v === 'true'
                ? true
                : v === 'false'
                  ? false
                  : /^-?\d+(\.\d+)?$/.test(v)
                    ? Number(v)
                    : v;
            expect(plain[k]).toEqual(expected);
          }
        },
      ),
    );
  });
});
