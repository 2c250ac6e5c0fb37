/**
 * RFC 1071 Internet checksum, as used by the IPv4 header (RFC 791 §3.1) and TCP (RFC 9293
 * §3.1): the one's complement of the one's complement sum of the data taken as big-endian
 * 16-bit words. The chunks are summed as if concatenated (e.g. pseudo-header, header,
 * payload); an odd total length is padded with a zero byte.
 */
export function internetChecksum(...chunks: Uint8Array[]): number {
  let sum = 0;
  // Tracks whether the next byte is the high or low half of a word across chunk boundaries.
  let highByte = true;
  for (const chunk of chunks) {
    for (const byte of chunk) {
      sum += highByte ? byte << 8 : byte;
      highByte = !highByte;
    }
    sum = foldCarries(sum);
  }
  return ~foldCarries(sum) & 0xffff;
}

/** End-around carry: what overflows 16 bits is added back in at the bottom (RFC 1071 §1). */
function foldCarries(sum: number): number {
  // Arithmetic rather than bitwise operators: a large chunk can push the sum past 32 bits.
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}
