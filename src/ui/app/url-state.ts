import { err, ok, type Result } from '../../protocol/result';
import { previewValue } from '../../scenario/preview';
import { validateScenario } from '../../scenario/validate';
import type { Scenario } from '../../scenario/types';
import {
  DamagedLink,
  deflate,
  fromBase64Url as bytesFromBase64Url,
  inflate,
  packScenario,
  toBase64Url as bytesToBase64Url,
  unpackScenario,
} from './share-codec';

/**
 * The share link: the whole scenario and the current time in the URL's fragment, so opening the
 * link shows exactly what was on screen. Two forms, both read forever:
 *
 *   #z=<base64url of raw DEFLATE of the packed changes>&t=<virtual ms>   what the sandbox writes:
 *       the scenario as its difference from a fixed base (share-codec.ts), about 100 characters
 *   #s=<base64url JSON>&t=<virtual ms>   the first form (about 930 characters), still written by
 *       pages that need a link synchronously, and by tests
 *
 * The compressed form needs the browser's (or Node's) CompressionStream, which is asynchronous.
 */

export interface SharedState {
  scenario: Scenario;
  t: number;
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function timeText(t: number): string {
  return String(Math.max(0, Math.round(t * 1000) / 1000));
}

/** The first, uncompressed form (`s=`), for callers that cannot wait. */
export function encodeState(state: SharedState): string {
  return `s=${toBase64Url(JSON.stringify(state.scenario))}&t=${timeText(state.t)}`;
}

/**
 * The last scenario compressed: the sandbox rewrites its link at every pause, and a pause that
 * only moved t (the usual case: stepping, scrubbing) writes the same scenario again.
 */
let lastCompressed: { json: string; payload: Promise<string> } | null = null;

/** The compressed form (`z=`), a tenth of the first form's length. */
export async function encodeShareLink(state: SharedState): Promise<string> {
  const json = JSON.stringify(packScenario(state.scenario));
  if (lastCompressed?.json !== json) {
    const payload = deflate(new TextEncoder().encode(json)).then(bytesToBase64Url);
    lastCompressed = { json, payload };
    payload.catch(() => {
      if (lastCompressed?.payload === payload) lastCompressed = null;
    });
  }
  return `z=${await lastCompressed.payload}&t=${timeText(state.t)}`;
}

/** Validation that cannot take the page down, whatever the link holds (issue 11 item 10). */
function checkScenario(json: unknown): Result<Scenario> {
  try {
    return validateScenario(json);
  } catch {
    return err('it could not be checked (it is not a scenario FTP Lab can read)');
  }
}

/**
 * Reads a fragment (with or without its '#'). An empty fragment is not an error: it means "no
 * shared state" (`ok` with null). Anything else that cannot be read says why, and never throws.
 */
export function decodeState(fragment: string): Result<SharedState | null> {
  const text = fragment.replace(/^#/, '');
  if (text === '') return ok(null);
  const params = new URLSearchParams(text);
  const encoded = params.get('s');
  if (!encoded) return err('the link has no scenario (expected "#z=…" or "#s=…")');
  let json: unknown;
  try {
    json = JSON.parse(fromBase64Url(encoded));
  } catch {
    return err('the scenario in the link is damaged (it is not valid encoded JSON)');
  }
  return withTime(json, params);
}

/** Whether a fragment is in the compressed form, which only decodeShareLink reads. */
export function isCompressedLink(fragment: string): boolean {
  return new URLSearchParams(fragment.replace(/^#/, '')).has('z');
}

/**
 * What a page opens with: the result at once for an empty or first-form link, a promise for a
 * compressed one (so a page can show the shared network without a "loading" flash when it can).
 */
export function openShareLink(
  fragment: string,
): Result<SharedState | null> | Promise<Result<SharedState | null>> {
  return isCompressedLink(fragment) ? decodeShareLink(fragment) : decodeState(fragment);
}

/**
 * Reads either form of link; like decodeState it never throws (nor rejects) and says what is
 * wrong with a link it cannot read.
 */
export async function decodeShareLink(fragment: string): Promise<Result<SharedState | null>> {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const packed = params.get('z');
  if (packed === null) return decodeState(fragment);
  let json: unknown;
  try {
    const bytes = await inflate(bytesFromBase64Url(packed));
    json = unpackScenario(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
  } catch (error) {
    const why = error instanceof DamagedLink ? error.message : 'it is not valid compressed JSON';
    return err(`the scenario in the link is damaged (${why})`);
  }
  return withTime(json, params);
}

function withTime(json: unknown, params: URLSearchParams): Result<SharedState> {
  const scenario = checkScenario(json);
  if (!scenario.ok) return err(`the scenario in the link is not valid: ${scenario.error}`);
  const tText = params.get('t') ?? '0';
  const t = Number(tText);
  if (!/^\d+(\.\d+)?$/.test(tText) || !Number.isFinite(t)) {
    return err(
      `the time in the link should be a number of milliseconds, got ${previewValue(tText)}`,
    );
  }
  return ok({ scenario: scenario.value, t });
}
