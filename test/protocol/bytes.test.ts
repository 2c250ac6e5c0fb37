import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/protocol/bytes';

describe('concatBytes', () => {
  it('equals the bytes of all chunks in order', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), (chunks) => {
        const expected = chunks.flatMap((c) => Array.from(c));
        expect(Array.from(concatBytes(chunks))).toEqual(expected);
      }),
    );
  });

  it('returns a lone non-empty chunk without copying', () => {
    const only = new Uint8Array([1, 2, 3]);
    expect(concatBytes([new Uint8Array(0), only])).toBe(only);
  });
});
