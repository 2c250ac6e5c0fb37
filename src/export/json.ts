import type { TraceEvent } from '../scenario/trace';
import type { DataConnectionSummary, Outcome } from '../scenario/outcome';
import type { SimulationResult } from '../scenario/simulate';
import { programsOf, type Scenario } from '../scenario/types';

/**
 * JSON export of a simulation: a summary a script can check (`outcome`, `failedAt`, the data
 * connections) and, on request, the whole trace with every payload as hex (plus text when the
 * bytes are printable), so the same trace can be diffed, hashed or replayed elsewhere.
 * Pure and free of Node APIs: it runs in the browser too.
 */

export interface PayloadJson {
  hex: string;
  /** The bytes as text, when every byte is printable ASCII, CR or LF. */
  text?: string;
}

/** A JSON value: what `JSON.stringify` writes and `JSON.parse` gives back unchanged. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface JsonSummary {
  outcome: 'success' | 'failure';
  failedAt: string | null;
  failureKind: string | null;
  /** Null, or timeout|refused|no-route|unreachable when the client itself gave up on a connection. */
  clientError: Outcome['clientError'];
  /** What the real client program prints for this failure, as the lab recorded it, or null. */
  clientMessage: string | null;
  commandsSent: string[];
  fallbacks: string[];
  replyCodes: number[];
  /** Each with the mode the client really used and the real source port in `from`. */
  dataConnections: DataConnectionSummary[];
  elapsedMs: number;
  explanation: string;
  /** The programs played, defaults filled in. */
  programs: ReturnType<typeof programsOf>;
  scenario: Scenario;
  traceEvents: number;
  traceHash: string;
  trace?: JsonValue[];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function isPrintable(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if ((byte < 0x20 || byte > 0x7e) && byte !== 0x0d && byte !== 0x0a) return false;
  }
  return true;
}

export function payloadToJson(bytes: Uint8Array): PayloadJson {
  let hex = '';
  for (const byte of bytes) hex += HEX[byte];
  if (!isPrintable(bytes)) return { hex };
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return { hex, text };
}

/**
 * Copies a value into plain JSON data: byte arrays become `{ hex, text? }`, undefined fields go.
 * A payload is shared by every hop of its packet, so each array is converted once per call.
 */
function toJsonValue(value: unknown, payloads: Map<Uint8Array, PayloadJson>): JsonValue {
  if (value instanceof Uint8Array) {
    let payload = payloads.get(value);
    if (!payload) payloads.set(value, (payload = payloadToJson(value)));
    return { ...payload };
  }
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, payloads));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, field] of Object.entries(value)) {
      if (field !== undefined) out[key] = toJsonValue(field, payloads);
    }
    return out;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return null;
}

export function traceToJson(trace: readonly TraceEvent[]): JsonValue[] {
  const payloads = new Map<Uint8Array, PayloadJson>();
  return trace.map((event) => toJsonValue(event, payloads));
}

/**
 * FNV-1a, 64 bits, over the UTF-8 bytes of the text it is fed, piece by piece: hashing pieces
 * in order gives the hash of their concatenation, so a long text need never be built whole.
 * The 64-bit state is two 32-bit halves: multiplying by the prime 2^40 + 0x1b3 gives the low
 * half times 0x1b3 (below 2^41, exact in a double) plus a high half that wraps at 2^32. No
 * BigInt, no node:crypto.
 */
export class Fnv1a64 {
  // Offset basis 0xcbf29ce484222325.
  private high = 0xcbf29ce4;
  private low = 0x84222325;

  /** Feeds `text` as UTF-8 (a lone surrogate as U+FFFD, as TextEncoder does). */
  update(text: string): this {
    // ASCII, nearly all of a trace, is hashed in this loop on local variables (five times
    // faster than a method call per byte); any other character goes through multiByte().
    let high = this.high;
    let low = this.low;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        low = (low ^ code) >>> 0;
        const product = low * 0x1b3;
        high = (Math.imul(high, 0x1b3) + (low << 8) + ((product / 0x100000000) | 0)) >>> 0;
        low = product >>> 0;
      } else {
        this.high = high;
        this.low = low;
        i = this.multiByte(text, i);
        high = this.high;
        low = this.low;
      }
    }
    this.high = high;
    this.low = low;
    return this;
  }

  private byte(value: number): void {
    const low = (this.low ^ value) >>> 0;
    const product = low * 0x1b3;
    this.high = (Math.imul(this.high, 0x1b3) + (low << 8) + ((product / 0x100000000) | 0)) >>> 0;
    this.low = product >>> 0;
  }

  /** Hashes the UTF-8 bytes of the character at `i`; returns the index of its last code unit. */
  private multiByte(text: string, i: number): number {
    let code = text.charCodeAt(i);
    if (code < 0x800) {
      this.byte(0xc0 | (code >> 6));
      this.byte(0x80 | (code & 0x3f));
      return i;
    }
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
      this.byte(0xf0 | (code >> 18));
      this.byte(0x80 | ((code >> 12) & 0x3f));
      this.byte(0x80 | ((code >> 6) & 0x3f));
      this.byte(0x80 | (code & 0x3f));
      return i + 1;
    }
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    this.byte(0xe0 | (code >> 12));
    this.byte(0x80 | ((code >> 6) & 0x3f));
    this.byte(0x80 | (code & 0x3f));
    return i;
  }

  /** Sixteen hex digits. */
  digest(): string {
    return this.high.toString(16).padStart(8, '0') + this.low.toString(16).padStart(8, '0');
  }
}

export function fnv1a64(text: string): string {
  return new Fnv1a64().update(text).digest();
}

/**
 * A fingerprint of a trace: the same scenario gives the same hash, in Node and in a browser.
 * It is the hash of `JSON.stringify(traceToJson(trace))`, fed one event at a time so that the
 * largest traces (tens of megabytes as JSON) are never held as one string.
 */
export function traceHash(trace: readonly TraceEvent[]): string {
  const hash = new Fnv1a64().update('[');
  const payloads = new Map<Uint8Array, PayloadJson>();
  trace.forEach((event, i) => {
    if (i > 0) hash.update(',');
    hash.update(JSON.stringify(toJsonValue(event, payloads)));
  });
  return hash.update(']').digest();
}

export function toJsonSummary(
  result: SimulationResult,
  options: { includeTrace: boolean },
): JsonSummary {
  const { outcome } = result;
  const summary: JsonSummary = {
    outcome: outcome.result,
    failedAt: outcome.failedAt,
    failureKind: outcome.failureKind,
    clientError: outcome.clientError,
    clientMessage: outcome.clientMessage,
    commandsSent: [...outcome.commandsSent],
    fallbacks: [...outcome.fallbacks],
    replyCodes: [...outcome.replyCodes],
    dataConnections: outcome.dataConnections.map((c) => ({
      ...c,
      decidedBy: c.decidedBy ? { ...c.decidedBy } : null,
    })),
    elapsedMs: outcome.elapsedMs,
    explanation: outcome.explanation,
    programs: programsOf(result.scenario),
    scenario: result.scenario,
    traceEvents: result.trace.length,
    traceHash: traceHash(result.trace),
  };
  if (options.includeTrace) summary.trace = traceToJson(result.trace);
  return summary;
}
