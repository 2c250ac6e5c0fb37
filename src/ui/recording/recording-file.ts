import * as v from 'valibot';
import type { SessionRecording } from '../../node/recording';
import { err, type Result } from '../../protocol/result';
import { defaultScenario } from '../../scenario/presets';
import { previewValue } from '../../scenario/preview';
import {
  checkWith,
  expected,
  fields,
  objectOf,
  oneOf,
  record,
} from '../../scenario/schema-messages';
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

// Each field below is one check rather than a pipe of small ones (v.string, v.maxLength...): a
// file holds thousands of events, and the pipes cost a fifth of the time to read one.
function text(max: number) {
  return v.custom<string>(
    (s) => typeof s === 'string' && s.length <= max,
    expected(`text of at most ${max} characters`),
  );
}

function count(what: string) {
  return v.custom<number>(
    (n) => Number.isSafeInteger(n) && (n as number) >= 0,
    expected(`a whole number of ${what} (0 or more)`),
  );
}

const port = v.custom<number>(
  (p) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535,
  expected('a port number 1-65535'),
);

const endpoint = record({ port, address: text(255) });
const side = oneOf(['client', 'server']);

/** A list checked for its length before its items: 20,000 events are refused without reading them. */
function list<T extends v.GenericSchema>(item: T, max: number, what: string) {
  const m = expected(what);
  return v.pipe(v.array(v.unknown(), m), v.maxLength(max, m), v.array(item));
}

/**
 * The events, in file order. Whether an event's time and data connection id are right depends on
 * the events before it (times never go back; an id is opened once, then closed), so the schema is
 * made for each file and holds the last time and the open ids while valibot reads the list in order.
 */
function eventsSchema() {
  let previousT = 0;
  const open = new Set<number>();
  const t = v.pipe(
    v.custom<number>(
      (t) => typeof t === 'number' && Number.isFinite(t) && t >= previousT,
      (issue) => {
        const bound = previousT === 0 ? '0' : `the previous event's (${previousT})`;
        return expected(`a number of milliseconds ≥ ${bound}`)(issue);
      },
    ),
    v.transform((t) => (previousT = t)),
  );
  const opened = v.pipe(
    count('a data connection'),
    v.check((id) => !open.has(id), expected('an id not already open')),
    v.transform((id) => (open.add(id), id)),
  );
  const closed = v.pipe(
    count('a data connection'),
    v.check((id) => open.has(id), expected('the id of a data connection opened earlier')),
    v.transform((id) => (open.delete(id), id)),
  );
  const byKind = {
    line: fields({ t, kind: v.literal('line'), from: side, text: text(MAX_LINE) }),
    'data-open': fields({
      t,
      kind: v.literal('data-open'),
      id: opened,
      opener: side,
      local: endpoint,
      remote: endpoint,
    }),
    'data-close': fields({
      t,
      kind: v.literal('data-close'),
      id: closed,
      bytesSent: count('bytes'),
      bytesReceived: count('bytes'),
    }),
    note: fields({ t, kind: v.literal('note'), text: text(MAX_LINE) }),
  };
  type Kind = keyof typeof byKind;
  const kinds = Object.keys(byKind) as Kind[];
  // Read only when the kind is none of the above, so it always fails: at the time if that is
  // wrong too (the time is read first, as for every event), else at the kind.
  const unknownKind = fields({ t, kind: oneOf(kinds) }) as unknown as (typeof byKind)[Kind];
  // The kind picks the event's fields. (v.variant does the same, but reads the kind before the
  // time and was three times slower on a 5,000-event file.)
  const event = v.lazy((input) => {
    const kind = (input as { kind?: unknown }).kind;
    return typeof kind === 'string' && Object.hasOwn(byKind, kind)
      ? byKind[kind as Kind]
      : unknownKind;
  });
  return list(objectOf(event), MAX_EVENTS, `a list of at most ${MAX_EVENTS} events`);
}

function recordingSchema() {
  return record({
    format: v.literal(
      'ftp-lab-recording',
      expected('"ftp-lab-recording" (a file written by npm run record)'),
    ),
    version: v.literal(1, expected('1 (the only version this FTP Lab reads)')),
    recordedAt: v.pipe(
      text(64),
      v.check(
        (at) => !Number.isNaN(Date.parse(at)),
        expected('a date and time such as "2025-01-31T09:00:00.000Z"'),
      ),
    ),
    server: endpoint,
    client: record({ address: text(255) }),
    mode: oneOf(DATA_MODES),
    type: oneOf(['ascii', 'binary']),
    commands: list(text(300), 100, 'a list of at most 100 FTP commands such as "LIST"'),
    events: eventsSchema(),
    outcome: record({
      ok: v.boolean(expected('true or false')),
      failure: v.nullable(text(MAX_LINE)),
    }),
  });
}

/** True when A and B are the same type; a mismatch fails to compile below. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The schema gives the type npm run record writes (node/recording.ts), asserted both ways.
const typeAgrees: Same<v.InferOutput<ReturnType<typeof recordingSchema>>, SessionRecording> = true;
void typeAgrees;

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
  return checkWith(recordingSchema(), json, { whole: 'the file' });
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
