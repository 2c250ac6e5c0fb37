/**
 * Text on the control connection as bytes. RFC 959 commands and replies are ASCII; RFC 2640 §2.2
 * keeps them so and carries a pathname as the UTF-8 form of its characters, which is what vsftpd,
 * pyftpdlib, curl and lftp put on the wire: `STOR 中文.txt` is the bytes of `STOR `, then
 * e4 b8 ad e6 96 87, then `.txt` and CRLF. A name is never translated or replaced on the way, so two
 * different names stay two different byte strings.
 */
import { asciiDecode } from './net-ascii';

const utf8Encoder = new TextEncoder();
/** `ignoreBOM` keeps a leading U+FEFF as a character: dropping it would merge two names. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/**
 * Matches a lone surrogate: half of a UTF-16 pair without its other half is no character and has
 * no UTF-8 form (TextEncoder would send U+FFFD instead, so two such names would become one).
 */
export const LONE_SURROGATE = /\p{Cs}/u;

/** The UTF-8 bytes of control-connection text (RFC 2640 §2.2). */
export function encodeControlText(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** UTF-8 bytes as text, or null if they are not well-formed UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  if (isAscii(bytes)) return asciiDecode(bytes);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Control-connection bytes as text: UTF-8, or, for a line that is not well-formed UTF-8 (an old
 * client sending Latin-1 names), one character per byte. RFC 2640 §3.2 relies on the same test:
 * text in another charset is almost never well-formed UTF-8. Never throws.
 */
export function decodeControlText(bytes: Uint8Array): string {
  return decodeUtf8(bytes) ?? asciiDecode(bytes);
}

/**
 * The first `maxBytes` bytes as text, for a label: a character cut at the end is left out instead
 * of showing as stray Latin-1 letters.
 */
export function decodeControlPrefix(bytes: Uint8Array, maxBytes: number): string {
  if (bytes.length <= maxBytes) return decodeControlText(bytes);
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that was cut.
  for (let back = 0; back < 3 && end > 0 && (bytes[end]! & 0xc0) === 0x80; back++) end--;
  return decodeControlText(bytes.subarray(0, end));
}

/** Each character above ASCII with its UTF-8 bytes in hex, e.g. `中 = e4 b8 ad`, at most `max`. */
export function utf8Breakdown(text: string, max = 8): string[] {
  const seen = new Set<string>();
  for (const char of text) {
    if (char.codePointAt(0)! < 0x80 || seen.has(char)) continue;
    seen.add(char);
    if (seen.size >= max) break;
  }
  return [...seen].map(
    (char) =>
      `${char} = ${Array.from(utf8Encoder.encode(char), (b) => b.toString(16).padStart(2, '0')).join(' ')}`,
  );
}
