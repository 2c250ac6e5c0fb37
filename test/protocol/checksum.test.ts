import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { internetChecksum } from '../../src/protocol/checksum';

function hex(text: string): Uint8Array {
  const pairs = text.replace(/\s+/g, '').match(/../g) ?? [];
  return new Uint8Array(pairs.map((pair) => parseInt(pair, 16)));
}

describe('internetChecksum (RFC 1071)', () => {
  it('RFC 1071 §3 example: the words sum to ddf2, so the checksum is 220d', () => {
    expect(internetChecksum(hex('0001 f203 f4f5 f6f7'))).toBe(0x220d);
  });

  it('RFC 791 IPv4 header with its checksum field zeroed', () => {
    const header = hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7');
    expect(internetChecksum(header)).toBe(0xb861);
  });

  it('a header carrying its checksum verifies to zero', () => {
    const header = hex('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7');
    expect(internetChecksum(header)).toBe(0);
  });

  it('pads an odd length with a zero byte', () => {
    expect(internetChecksum(hex('0102 03'))).toBe(internetChecksum(hex('0102 0300')));
  });

  it('of nothing is ffff', () => {
    expect(internetChecksum()).toBe(0xffff);
    expect(internetChecksum(new Uint8Array(0))).toBe(0xffff);
  });

  it('sums chunks as if concatenated, even across odd boundaries (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), (chunks) => {
        const whole = new Uint8Array(chunks.flatMap((chunk) => [...chunk]));
        expect(internetChecksum(...chunks)).toBe(internetChecksum(whole));
      }),
    );
  });

  it('inserting the checksum makes the data verify (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        const even = data.length % 2 === 0 ? data : new Uint8Array([...data, 0]);
        const sum = internetChecksum(even);
        const verified = internetChecksum(even, new Uint8Array([sum >> 8, sum & 0xff]));
        expect(verified).toBe(0);
      }),
    );
  });

  it('stays exact on large inputs', () => {
    const big = new Uint8Array(200_000).fill(0xff);
    expect(internetChecksum(big)).toBe(0);
  });
});
