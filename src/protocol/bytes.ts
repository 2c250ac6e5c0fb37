/** Joins byte chunks; a single non-empty chunk is returned as it is, without copying. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const nonEmpty = chunks.filter((c) => c.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const out = new Uint8Array(nonEmpty.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of nonEmpty) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
