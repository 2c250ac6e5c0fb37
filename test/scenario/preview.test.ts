import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupDigits, previewValue } from '../../src/scenario/preview';

/** Whatever the value, the preview is the limit plus a short suffix like "… (1,048,576 characters)". */
const SUFFIX_ROOM = 40;

describe('previewValue', () => {
  it('quotes a short string whole, as JSON', () => {
    expect(previewValue('passv')).toBe('"passv"');
    expect(previewValue('a"b\n')).toBe('"a\\"b\\n"');
    expect(previewValue('')).toBe('""');
  });

  it('quotes only a prefix of a long string and says how long it was', () => {
    expect(previewValue('a'.repeat(1_048_576))).toBe(`"${'a'.repeat(60)}…" (1,048,576 characters)`);
    expect(previewValue('abcdef', 3)).toBe('"abc…" (6 characters)');
    expect(previewValue('a'.repeat(60))).toBe(`"${'a'.repeat(60)}"`);
  });

  it('counts escapes against the limit and never splits an escape or a surrogate pair', () => {
    expect(previewValue('\u0000\u0000\u0000', 13)).toBe('"\\u0000\\u0000…" (3 characters)');
    expect(previewValue('ab😀cd', 3)).toBe('"ab…" (6 characters)');
    expect(previewValue('ab😀cd', 4)).toBe('"ab😀…" (6 characters)');
  });

  it('shows other values the way a message reads them', () => {
    expect(previewValue(undefined)).toBe('nothing');
    expect(previewValue(null)).toBe('null');
    expect(previewValue(21)).toBe('21');
    expect(previewValue(Number.NaN)).toBe('NaN');
    expect(previewValue(true)).toBe('true');
    expect(previewValue(12n)).toBe('12n');
    expect(previewValue(10n ** 100n, 10)).toBe('1000000000… (101 digits)');
    expect(previewValue(() => 1)).toBe('a function');
    expect(previewValue({ mode: 'active', ports: [1, 2] })).toBe('{"mode":"active","ports":[1,2]}');
  });

  it('cuts long lists and objects and says how many items or keys they had', () => {
    expect(
      previewValue(
        Array.from({ length: 5000 }, (_, i) => i),
        10,
      ),
    ).toBe('[0,1,2,3,4… (5,000 items)');
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    expect(previewValue(wide, 12)).toBe('{"k0":0,"k1"… (300 keys)');
    expect(previewValue({ user: 'x'.repeat(1000) }, 20)).toBe('{"user":"xxxxxxxxxx… (1 key)');
  });

  it('survives cycles, deep nesting, throwing getters and proxies', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(previewValue(cyclic)).toBe('{"a":1,"self":[cycle]}');

    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(previewValue(deep, 10)).toBe('[[[[[[[[[[… (1 item)');

    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(previewValue(getter)).toBe('{"x":"?"}');

    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no');
        },
      },
    );
    expect(previewValue(hostile)).toBe('a value that cannot be shown');
  });

  it('groups digits in threes', () => {
    expect([0, 999, 1000, 1_048_576].map(groupDigits)).toEqual(['0', '999', '1,000', '1,048,576']);
  });

  it('never throws and stays within the limit plus a short suffix, for any value', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true }),
          fc.string({ unit: 'binary', maxLength: 2000 }),
        ),
        fc.integer({ min: 0, max: 200 }),
        (value, max) => {
          const shown = previewValue(value, max);
          expect(typeof shown).toBe('string');
          expect(shown.length).toBeLessThanOrEqual(max + SUFFIX_ROOM);
        },
      ),
      { numRuns: 500 },
    );
  }, 30_000);

  it('stays bounded for huge strings at the default limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 61, max: 2_000_000 }),
        fc.string({ minLength: 1, maxLength: 3 }),
        (n, unit) => {
          const shown = previewValue(unit.repeat(Math.ceil(n / unit.length)));
          expect(shown.length).toBeLessThanOrEqual(60 + SUFFIX_ROOM);
        },
      ),
      { numRuns: 20 },
    );
  }, 30_000);
});
