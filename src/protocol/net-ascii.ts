/**
 * RFC 959 §3.1.1.1: with TYPE A the data connection carries NVT-ASCII, whose end of line is
 * CRLF. The sender converts its local line ends to CRLF, the receiver converts them back.
 *
 * Like vsftpd's ASCII mode, only line ends are touched: a bare LF becomes CRLF, a CRLF already
 * present is kept (not doubled to CRCRLF), and a lone CR passes through unchanged rather than
 * becoming Telnet's CR NUL, which real servers do not send on the data connection.
 *
 * Both functions work on a whole file: a CRLF split across two calls would be seen as a lone CR
 * followed by a bare LF.
 */

const CR = 0x0d;
const LF = 0x0a;

/** Local (Unix, LF) text to network ASCII (CRLF). */
export function toNetAscii(bytes: Uint8Array): Uint8Array {
  let bareLineFeeds = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === LF && bytes[i - 1] !== CR) bareLineFeeds++;
  }
  const out = new Uint8Array(bytes.length + bareLineFeeds);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === LF && bytes[i - 1] !== CR) out[o++] = CR;
    out[o++] = bytes[i];
  }
  return out;
}

/** Network ASCII to local text for a Unix receiver: each CRLF becomes LF; other bytes stay. */
export function fromNetAscii(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === CR && bytes[i + 1] === LF) continue;
    out[o++] = bytes[i];
  }
  return out.slice(0, o);
}

/**
 * Text to bytes, one byte per character (Latin-1); a character above U+00FF cannot be sent this
 * way and becomes "?". For bytes that are already characters one to one (asciiDecode's output, as
 * the real-socket programs hold them). The simulated control connection sends UTF-8 instead
 * (control-text.ts, RFC 2640), so that no two names become one.
 */
export function asciiEncode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out[i] = code <= 0xff ? code : 0x3f;
  }
  return out;
}

/** Bytes to text, one character per byte (Latin-1), so no byte is ever lost or rejected. */
export function asciiDecode(bytes: Uint8Array): string {
  // String.fromCharCode takes its bytes as arguments; chunking keeps clear of engine limits.
  // `apply` takes the typed array as it is, where a spread would iterate it (eight times slower).
  const chunkSize = 0x2000;
  let text = '';
  for (let i = 0; i < bytes.length; i += chunkSize) {
    text += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + chunkSize) as unknown as number[],
    );
  }
  return text;
}
