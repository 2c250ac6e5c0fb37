import type { TraceEvent } from '../scenario/trace';
import type { DataConnectionSummary } from '../scenario/outcome';
import type { SimulationResult } from '../scenario/simulate';
import type { Scenario } from '../scenario/types';

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
  replyCodes: number[];
  dataConnections: DataConnectionSummary[];
  elapsedMs: number;
  explanation: string;
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

/** Copies a value into plain JSON data: byte arrays become `{ hex, text? }`, undefined fields go. */
function toJsonValue(value: unknown): JsonValue {
  if (value instanceof Uint8Array) return { ...payloadToJson(value) };
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, field] of Object.entries(value)) {
      if (field !== undefined) out[key] = toJsonValue(field);
    }
    return out;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return null;
}

export function traceToJson(trace: readonly TraceEvent[]): JsonValue[] {
  return trace.map(toJsonValue);
}

/**
 * FNV-1a, 64 bits, over UTF-8 bytes. Computed in four 16-bit limbs so that every intermediate
 * product stays an exact integer in a double; no BigInt, no node:crypto.
 */
export function fnv1a64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  // Offset basis 0xcbf29ce484222325, least significant limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (const byte of bytes) {
    h0 ^= byte;
    // Multiply by the prime 0x100000001b3 = 2^40 + 0x1b3; 2^40 is limb 2 shifted left by 8.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, '0')).join('');
}

/** A fingerprint of a trace: the same scenario gives the same hash, in Node and in a browser. */
export function traceHash(trace: readonly TraceEvent[]): string {
  return fnv1a64(JSON.stringify(traceToJson(trace)));
}

export function toJsonSummary(
  result: SimulationResult,
  options: { includeTrace: boolean },
): JsonSummary {
  const { outcome } = result;
  const trace = traceToJson(result.trace);
  const summary: JsonSummary = {
    outcome: outcome.result,
    failedAt: outcome.failedAt,
    failureKind: outcome.failureKind,
    replyCodes: [...outcome.replyCodes],
    dataConnections: outcome.dataConnections.map((c) => ({
      ...c,
      decidedBy: c.decidedBy ? { ...c.decidedBy } : null,
    })),
    elapsedMs: outcome.elapsedMs,
    explanation: outcome.explanation,
    scenario: result.scenario,
    traceEvents: result.trace.length,
    traceHash: fnv1a64(JSON.stringify(trace)),
  };
  if (options.includeTrace) summary.trace = trace;
  return summary;
}
