import { err, ok, type Result } from '../../protocol/result';
import { previewValue } from '../../scenario/preview';
import { validateScenario } from '../../scenario/validate';
import type { Scenario } from '../../scenario/types';

/**
 * The share link: the whole scenario and the current time in the URL's fragment, so opening the
 * link shows exactly what was on screen. `#s=<base64url JSON>&t=<virtual ms>`.
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

export function encodeState(state: SharedState): string {
  const t = Math.max(0, Math.round(state.t * 1000) / 1000);
  return `s=${toBase64Url(JSON.stringify(state.scenario))}&t=${t}`;
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
  if (!encoded) return err('the link has no scenario (expected "#s=…")');
  let json: unknown;
  try {
    json = JSON.parse(fromBase64Url(encoded));
  } catch {
    return err('the scenario in the link is damaged (it is not valid encoded JSON)');
  }
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
