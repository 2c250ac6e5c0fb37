/**
 * RFC 959 §3.1.1.1 TYPE A line-end conversion for a stream of chunks, with the rules of
 * protocol/net-ascii.ts (which works on whole files): a CRLF split between two chunks is still
 * one line end.
 */

const CR = 0x0d;
const LF = 0x0a;

/** Local text (LF) to network ASCII (CRLF), chunk by chunk. */
export class NetAsciiEncoder {
  private lastWasCr = false;

  push(bytes: Uint8Array): Uint8Array {
    let bare = 0;
    let previousCr = this.lastWasCr;
    for (const byte of bytes) {
      if (byte === LF && !previousCr) bare++;
      previousCr = byte === CR;
    }
    const out = new Uint8Array(bytes.length + bare);
    let o = 0;
    previousCr = this.lastWasCr;
    for (const byte of bytes) {
      if (byte === LF && !previousCr) out[o++] = CR;
      out[o++] = byte;
      previousCr = byte === CR;
    }
    this.lastWasCr = previousCr;
    return out;
  }
}

/** Network ASCII to local text: each CRLF becomes LF; a CR at a chunk's end waits for the next. */
export class NetAsciiDecoder {
  private heldCr = false;

  push(bytes: Uint8Array): Uint8Array {
    const out = new Uint8Array(bytes.length + 1);
    let o = 0;
    let i = 0;
    if (this.heldCr) {
      this.heldCr = false;
      if (bytes.length === 0) {
        this.heldCr = true;
        return new Uint8Array(0);
      }
      if (bytes[0] !== LF) out[o++] = CR;
    }
    for (; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === CR) {
        if (i === bytes.length - 1) {
          this.heldCr = true;
          continue;
        }
        if (bytes[i + 1] === LF) continue;
      }
      out[o++] = byte;
    }
    return out.subarray(0, o);
  }

  /** What is still held back at the end of the stream. */
  end(): Uint8Array {
    const out = this.heldCr ? new Uint8Array([CR]) : new Uint8Array(0);
    this.heldCr = false;
    return out;
  }
}
