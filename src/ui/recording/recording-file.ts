import type { SessionEvent, SessionRecording } from '../../node/recording';
import type { Endpoint } from '../../protocol/endpoint';
import { err, ok, type Result } from '../../protocol/result';
import { defaultScenario } from '../../scenario/presets';
import { previewValue } from '../../scenario/preview';
import { DATA_MODES, type Scenario } from '../../scenario/types';
import { MAX_COMMANDS, validateScenario } from '../../scenario/validate';

/**
 * Reads a file that `npm run record` wrote (a SessionRecording) when a teacher opens it in the
 * browser. The file comes from a disk, so it may be anything: the first problem is reported with
 * its path ("events[3].t") and what was expected, in words a teacher can act on.
 */

/** Far above a real session's few kilobytes; a bigger file is not a recording. */
export const MAX_RECORDING_BYTES = 2_000_000;
/**
 * `npm run record` sends at most 100 commands, each a handful of events (command, reply, data
 * connection opened and closed): a real session is a few hundred events. Opening a file parses and
 * checks every event at once on the main thread; at 2,000 events that stays under a 50 ms task,
 * at the former 20,000 it took about ten times longer (issue 11 item 15).
 */
export const MAX_EVENTS = 2_000;
const MAX_LINE = 10_000;

class Invalid extends Error {}

function fail(path: string, expected: string, got: unknown): never {
  throw new Invalid(`${path}: expected ${expected}, got ${previewValue(got)}`);
}

type Obj = Record<string, unknown>;

function object(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(path, 'an object', value);
  return value as Obj;
}

function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !options.includes(value as T))
    fail(path, `one of ${options.map((o) => `"${o}"`).join(', ')}`, value);
  return value as T;
}

function text(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string' || value.length > max)
    fail(path, `text of at most ${max} characters`, value);
  return value as string;
}

function count(value: unknown, path: string, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    fail(path, `a whole number of ${what} (0 or more)`, value);
  return value as number;
}

function endpoint(value: unknown, path: string, lowestPort: 0 | 1): Endpoint {
  const o = object(value, path);
  const port = o.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < lowestPort || port > 65535)
    fail(`${path}.port`, `a port number ${lowestPort}-65535`, port);
  return { address: text(o.address, `${path}.address`, 255), port };
}

function event(value: unknown, path: string, previousT: number, open: Set<number>): SessionEvent {
  const o = object(value, path);
  const t = o.t;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < previousT) {
    const bound = previousT === 0 ? '0' : `the previous event's (${previousT})`;
    fail(`${path}.t`, `a number of milliseconds ≥ ${bound}`, t);
  }
  const kind = oneOf(o.kind, `${path}.kind`, ['line', 'data-open', 'data-close', 'note'] as const);
  switch (kind) {
    case 'line':
      return {
        t,
        kind,
        from: oneOf(o.from, `${path}.from`, ['client', 'server'] as const),
        text: text(o.text, `${path}.text`, MAX_LINE),
      };
    case 'note':
      return { t, kind, text: text(o.text, `${path}.text`, MAX_LINE) };
    case 'data-open': {
      const id = count(o.id, `${path}.id`, 'a data connection');
      if (open.has(id)) fail(`${path}.id`, 'an id not already open', id);
      open.add(id);
      return {
        t,
        kind,
        id,
        opener: oneOf(o.opener, `${path}.opener`, ['client', 'server'] as const),
        local: endpoint(o.local, `${path}.local`, 1),
        remote: endpoint(o.remote, `${path}.remote`, 1),
      };
    }
    case 'data-close': {
      const id = count(o.id, `${path}.id`, 'a data connection');
      if (!open.delete(id)) fail(`${path}.id`, 'the id of a data connection opened earlier', id);
      return {
        t,
        kind,
        id,
        bytesSent: count(o.bytesSent, `${path}.bytesSent`, 'bytes'),
        bytesReceived: count(o.bytesReceived, `${path}.bytesReceived`, 'bytes'),
      };
    }
  }
}

function recording(input: unknown): SessionRecording {
  const o = object(input, 'the file');
  if (o.format !== 'ftp-lab-recording')
    fail('format', '"ftp-lab-recording" (a file written by npm run record)', o.format);
  if (o.version !== 1) fail('version', '1 (the only version this FTP Lab reads)', o.version);
  const recordedAt = text(o.recordedAt, 'recordedAt', 64);
  if (Number.isNaN(Date.parse(recordedAt)))
    fail('recordedAt', 'a date and time such as "2025-01-31T09:00:00.000Z"', recordedAt);
  const server = endpoint(o.server, 'server', 1);
  const client = { address: text(object(o.client, 'client').address, 'client.address', 255) };
  const mode = oneOf(o.mode, 'mode', DATA_MODES);
  const type = oneOf(o.type, 'type', ['ascii', 'binary'] as const);
  if (!Array.isArray(o.commands) || o.commands.length > 100)
    fail('commands', 'a list of at most 100 FTP commands such as "LIST"', o.commands);
  const commands = (o.commands as unknown[]).map((c, i) => text(c, `commands[${i}]`, 300));
  if (!Array.isArray(o.events) || o.events.length > MAX_EVENTS)
    fail('events', `a list of at most ${MAX_EVENTS} events`, o.events);
  const open = new Set<number>();
  let previousT = 0;
  const events = (o.events as unknown[]).map((e, i) => {
    const parsed = event(e, `events[${i}]`, previousT, open);
    previousT = parsed.t;
    return parsed;
  });
  const outcome = object(o.outcome, 'outcome');
  if (typeof outcome.ok !== 'boolean') fail('outcome.ok', 'true or false', outcome.ok);
  const failure =
    outcome.failure === null ? null : text(outcome.failure, 'outcome.failure', MAX_LINE);
  return {
    format: 'ftp-lab-recording',
    version: 1,
    recordedAt,
    server,
    client,
    mode,
    type,
    commands,
    events,
    outcome: { ok: outcome.ok, failure },
  };
}

/** Never throws: too large, not JSON and the wrong shape are all an `err` saying what to fix. */
export function parseRecording(source: string): Result<SessionRecording> {
  if (source.length > MAX_RECORDING_BYTES)
    return err(
      `the file is too large (${(source.length / 1e6).toFixed(1)} MB); a recording is at most ${MAX_RECORDING_BYTES / 1e6} MB`,
    );
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    // V8's message quotes a piece of the file, control characters and line breaks included:
    // passed on as a bounded, escaped quote, so the notice stays one short line.
    return err(`the file is not JSON: ${previewValue((error as Error).message, 100)}`);
  }
  try {
    return ok(recording(json));
  } catch (error) {
    if (error instanceof Invalid) return err(error.message);
    throw error;
  }
}

export interface EquivalentScenario {
  scenario: Scenario;
  /** Commands of the recording that the simulator cannot run, left out of `scenario`. */
  skipped: string[];
}

/**
 * The simulated session to compare a recording with: the sandbox's starting network without any
 * firewall, running the same mode, type and commands. A command the simulator does not know is
 * skipped rather than failing the comparison; with none left, the default commands stay.
 */
export function equivalentScenario(recorded: SessionRecording): EquivalentScenario {
  const base = defaultScenario();
  const runnable: string[] = [];
  const skipped: string[] = [];
  for (const command of recorded.commands) {
    const check = validateScenario({ commands: [command] });
    if (check.ok && runnable.length < MAX_COMMANDS) runnable.push(check.value.commands[0]!);
    else skipped.push(command);
  }
  return {
    scenario: {
      ...base,
      mode: recorded.mode,
      type: recorded.type,
      commands: runnable.length > 0 ? runnable : base.commands,
    },
    skipped,
  };
}
