import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionRecording } from '../../../src/node/recording';
import { defaultScenario } from '../../../src/scenario/presets';
import { validateScenario } from '../../../src/scenario/validate';
import {
  equivalentScenario,
  MAX_RECORDING_BYTES,
  parseRecording,
} from '../../../src/ui/recording/recording-file';

const exampleText = readFileSync(
  new URL('../../../src/ui/recording/recording-example.json', import.meta.url),
  'utf8',
);

function example(): SessionRecording {
  return JSON.parse(exampleText) as SessionRecording;
}

/** The error for the example changed by `edit`, or 'ok'. */
function errorAfter(edit: (file: Record<string, unknown>) => void): string {
  const file = example() as unknown as Record<string, unknown>;
  edit(file);
  const result = parseRecording(JSON.stringify(file));
  return result.ok ? 'ok' : result.error;
}

describe('reading a recording file', () => {
  it('reads the example recorded from npm run serve as it is', () => {
    const result = parseRecording(exampleText);
    expect(result).toEqual({ ok: true, value: example() });
    expect(result.ok && result.value.events[0]).toMatchObject({ from: 'server', text: /^220 / });
  });

  it('says when the file is not JSON, or too large', () => {
    expect(parseRecording('{"format": ')).toMatchObject({
      ok: false,
      error: /^the file is not JSON/,
    });
    expect(parseRecording('')).toMatchObject({ ok: false, error: /not JSON/ });
    expect(parseRecording(' '.repeat(MAX_RECORDING_BYTES + 1))).toMatchObject({
      ok: false,
      error: /too large .* at most 2 MB/,
    });
    expect(parseRecording('[]')).toEqual({
      ok: false,
      error: 'the file: expected an object, got []',
    });
  });

  it('names the field and what was expected', () => {
    expect(errorAfter((f) => (f.format = 'pcap'))).toBe(
      'format: expected "ftp-lab-recording" (a file written by npm run record), got "pcap"',
    );
    expect(errorAfter((f) => delete f.format)).toMatch(/^format: expected .* got nothing$/);
    expect(errorAfter((f) => (f.version = 2))).toMatch(/^version: expected 1 .*got 2$/);
    expect(errorAfter((f) => (f.recordedAt = 'yesterday'))).toMatch(/^recordedAt: expected a date/);
    expect(errorAfter((f) => (f.server = { address: '127.0.0.1', port: 70000 }))).toMatch(
      /^server\.port: expected a port number 1-65535, got 70000$/,
    );
    expect(errorAfter((f) => (f.client = {}))).toMatch(/^client\.address: expected text/);
    expect(errorAfter((f) => (f.mode = 'PASV'))).toMatch(
      /^mode: expected one of "active", "passive", "eprt", "epsv", got "PASV"$/,
    );
    expect(errorAfter((f) => (f.type = 'ebcdic'))).toMatch(
      /^type: expected one of "ascii", "binary"/,
    );
    expect(errorAfter((f) => (f.commands = 'LIST'))).toMatch(/^commands: expected a list/);
    expect(errorAfter((f) => (f.commands = [42]))).toMatch(/^commands\[0\]: expected text/);
    expect(errorAfter((f) => (f.events = {}))).toMatch(/^events: expected a list/);
    expect(errorAfter((f) => (f.outcome = { ok: 'yes', failure: null }))).toMatch(
      /^outcome\.ok: expected true or false, got "yes"$/,
    );
    expect(errorAfter((f) => (f.outcome = { ok: false, failure: 3 }))).toMatch(
      /^outcome\.failure: expected text/,
    );
  });

  it('checks every event: its time, kind and fields', () => {
    const events = (edit: (events: Record<string, unknown>[]) => void) =>
      errorAfter((f) => edit(f.events as Record<string, unknown>[]));
    expect(events((e) => (e[3]!.t = 1))).toBe(
      `events[3].t: expected a number of milliseconds ≥ the previous event's (${example().events[2]!.t}), got 1`,
    );
    expect(events((e) => (e[0]!.t = -1))).toMatch(/^events\[0\]\.t: expected .* ≥ 0, got -1$/);
    expect(events((e) => (e[0]!.t = '29'))).toMatch(/^events\[0\]\.t: expected a number/);
    expect(events((e) => (e[1]!.kind = 'packet'))).toMatch(/^events\[1\]\.kind: expected one of/);
    expect(events((e) => (e[1]!.from = 'router'))).toMatch(/^events\[1\]\.from: expected one of/);
    expect(events((e) => delete e[1]!.text)).toMatch(/^events\[1\]\.text: expected text.*nothing$/);
    expect(events((e) => (e[10]!.opener = 'nobody'))).toMatch(/^events\[10\]\.opener:/);
    expect(events((e) => (e[10]!.local = { address: '127.0.0.1' }))).toMatch(
      /^events\[10\]\.local\.port: expected a port number/,
    );
    expect(events((e) => (e[14]!.bytesReceived = -5))).toMatch(
      /^events\[14\]\.bytesReceived: expected a whole number of bytes/,
    );
    expect(events((e) => (e[14]!.id = 7))).toMatch(
      /^events\[14\]\.id: expected the id of a data connection opened earlier, got 7$/,
    );
    expect(events((e) => e.splice(11, 0, { ...e[10]! }))).toMatch(
      /^events\[11\]\.id: expected an id not already open/,
    );
  });

  it('reports the first problem of an event in reading order: its time, its kind, then its fields', () => {
    const events = (edit: (events: unknown[]) => void) =>
      errorAfter((f) => edit(f.events as unknown[]));
    expect(events((e) => (e[2] = {}))).toMatch(
      /^events\[2\]\.t: expected a number of milliseconds ≥ the previous event's \(.*\), got nothing$/,
    );
    expect(events((e) => (e[2] = { t: 500, kind: ['line'] }))).toBe(
      'events[2].kind: expected one of "line", "data-open", "data-close", "note", got ["line"]',
    );
    expect(events((e) => (e[2] = ['line']))).toBe('events[2]: expected an object, got ["line"]');
    expect(events((e) => ((e[10] as Record<string, unknown>).local = {}))).toBe(
      'events[10].local.port: expected a port number 1-65535, got nothing',
    );
    expect(events((e) => e.splice(14, 0, { ...(e[14] as object) }))).toMatch(
      /^events\[15\]\.id: expected the id of a data connection opened earlier, got \d+$/,
    );
  });

  it('quotes only the start of a long bad value and says how long it was (issue 11 item 14)', () => {
    const long = 'x'.repeat(1_000_000);
    const error = errorAfter((f) => ((f.client as Record<string, unknown>).address = long));
    expect(error).toBe(
      `client.address: expected text of at most 255 characters, got "${'x'.repeat(60)}…" (1,000,000 characters)`,
    );
  });

  it('keeps only the fields it knows', () => {
    const file = { ...example(), extra: 'x' } as Record<string, unknown>;
    (file.events as Record<string, unknown>[])[0]!.secret = 1;
    const result = parseRecording(JSON.stringify(file));
    expect(result).toEqual({ ok: true, value: example() });
  });

  it('never throws, whatever JSON it is given', () => {
    const recordingLike = fc.record({
      format: fc.oneof(fc.constant('ftp-lab-recording'), fc.string()),
      version: fc.oneof(fc.constant(1), fc.jsonValue()),
      recordedAt: fc.oneof(fc.constant('2025-01-31T09:00:00.000Z'), fc.jsonValue()),
      server: fc.jsonValue(),
      events: fc.array(
        fc.record({
          t: fc.jsonValue(),
          kind: fc.constantFrom('line', 'data-open', 'data-close', 'note'),
          id: fc.jsonValue(),
          text: fc.jsonValue(),
        }),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), recordingLike), (value) => {
        const result = parseRecording(JSON.stringify(value) ?? '');
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.error).toMatch(/\S/);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(typeof parseRecording(text).ok).toBe('boolean');
      }),
    );
  });
});

describe('the simulated session to compare with', () => {
  it('runs the recording mode, type and commands with no firewall', () => {
    const { scenario, skipped } = equivalentScenario(example());
    expect(scenario).toEqual({
      ...defaultScenario(),
      mode: 'active',
      type: 'ascii',
      commands: ['RETR notes.txt'],
    });
    expect(scenario.clientSide.firewall).toBeNull();
    expect(scenario.serverSide.firewall).toBeNull();
    expect(skipped).toEqual([]);
    expect(validateScenario(scenario)).toEqual({ ok: true, value: scenario });
  });

  it('leaves out commands the simulator cannot run, keeping a runnable session', () => {
    const recording = {
      ...example(),
      mode: 'epsv' as const,
      commands: ['retr a.txt', 'SITE CHMOD 600 a.txt'],
    };
    expect(equivalentScenario(recording)).toMatchObject({
      scenario: { mode: 'epsv', commands: ['RETR a.txt'] },
      skipped: ['SITE CHMOD 600 a.txt'],
    });
    const none = equivalentScenario({ ...example(), commands: [] });
    expect(none.scenario.commands).toEqual(defaultScenario().commands);
  });
});
