/**
 * Fuzz: recording files (issue 11, "A standing fuzz suite"). parseRecording reads a file a teacher
 * opens in the browser: whatever `npm run record` wrote, or anything else from a disk.
 *
 * Cases per run (numRuns): mutated example recording 800; damaged file text 800; any text
 * 500; any JSON value 500; deep nesting 100; equivalent scenario of what parses 100; and, once
 * its fix lands (UNFIXED.jsonMessage), a one-line "not JSON" message 500.
 * Total 2,800 (+500).
 *
 * Each case: parseRecording returns ok, or an err whose message is one short line; it never
 * throws. What parses gives an equivalent scenario that validates.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionRecording } from '../../src/node/recording';
import { validateScenario } from '../../src/scenario/validate';
import { equivalentScenario, parseRecording } from '../../src/ui/recording/recording-file';
import {
  assertRuns,
  damagedText,
  deepNestText,
  expectClearMessage,
  UNFIXED,
  FUZZ_TIMEOUT_MS,
  hostileString,
  mutated,
} from './arbitraries';

/** A path, the expected shape (the longest is the event-time rule) and a 60-character quote. */
const MAX_MESSAGE = 300;

const RUNS = {
  mutated: 800,
  damaged: 800,
  text: 500,
  json: 500,
  deep: 100,
  equivalent: 100,
  jsonMessage: 500,
};

const exampleText = readFileSync(
  new URL('../../src/ui/recording/recording-example.json', import.meta.url),
  'utf8',
);
const example: unknown = JSON.parse(exampleText);

/** A JSON text, or (for a value too deep for JSON.stringify) one that is 5,000 levels deep. */
function toText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return deepNestText(5000, 'object');
  }
}

/** `strict` makes no allowance for the known bug in the "not JSON" message (UNFIXED.jsonMessage). */
function checkParse(text: string, strict = false): SessionRecording | null {
  let result: ReturnType<typeof parseRecording>;
  try {
    result = parseRecording(text);
  } catch (error) {
    throw new Error(`parseRecording threw ${String(error).slice(0, 200)}`);
  }
  if (!result.ok) {
    const notJson = result.error.startsWith('the file is not JSON');
    expectClearMessage(result.error, MAX_MESSAGE, {
      multiLine: !strict && notJson && UNFIXED.jsonMessage,
    });
    return null;
  }
  const again = parseRecording(JSON.stringify(result.value));
  expect(again.ok, 'a recording that parsed parses again').toBe(true);
  return result.value;
}

const anyText = fc.oneof(
  hostileString,
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '\ufeff{}', 'null', '[]', '"x"', '1e999', '{"__proto__":{"format":1}}'),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `{\n"format": "${s}\n`),
);

describe('parseRecording on fuzzed recording files', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('reads the example as it is', () => {
    expect(checkParse(exampleText)).not.toBeNull();
  });

  it(`reads or clearly refuses a mutated recording (${RUNS.mutated} cases)`, () => {
    assertRuns(RUNS.mutated, mutated(example).map(toText), (text) => checkParse(text));
  });

  it(`reads or clearly refuses a damaged file (${RUNS.damaged} cases)`, () => {
    const pretty = JSON.stringify(example, null, 2);
    const damaged = fc.constantFrom(exampleText, pretty).chain(damagedText);
    assertRuns(RUNS.damaged, damaged, (t) => checkParse(t));
  });

  it(`reads or clearly refuses any text (${RUNS.text} cases)`, () => {
    assertRuns(RUNS.text, anyText, (t) => checkParse(t));
  });

  it.skipIf(UNFIXED.jsonMessage)(
    `says "not JSON" in one line whatever the file holds (${RUNS.jsonMessage} cases)`,
    () => {
      const damaged = fc.constantFrom(exampleText).chain(damagedText);
      assertRuns(RUNS.jsonMessage, fc.oneof(anyText, damaged), (t) => checkParse(t, true));
    },
  );

  it(`reads or clearly refuses any JSON value (${RUNS.json} cases)`, () => {
    assertRuns(RUNS.json, fc.jsonValue().map(toText), (t) => checkParse(t));
  });

  it(`names the field for deep nesting (${RUNS.deep} cases)`, () => {
    const fields = ['server', 'client', 'commands', 'events', 'outcome', 'recordedAt', 'mode'];
    const deep = fc
      .tuple(fc.constantFrom(...fields), fc.integer({ min: 1000, max: 6000 }), fc.boolean())
      .map(([field, depth, array]) => {
        const nested = deepNestText(depth, array ? 'array' : 'object');
        return exampleText.replace(new RegExp(`"${field}": [^\\n]*`), `"${field}": ${nested},`);
      });
    assertRuns(RUNS.deep, deep, (text) => {
      expect(checkParse(text)).toBeNull();
    });
  });

  it(`gives what parses an equivalent scenario that validates (${RUNS.equivalent} cases)`, () => {
    const parsed = mutated(example, true)
      .map((value) => {
        try {
          const result = parseRecording(toText(value));
          return result.ok ? result.value : null;
        } catch {
          return null; // the properties above report it
        }
      })
      .filter((r): r is SessionRecording => r !== null);
    assertRuns(RUNS.equivalent, parsed, (recording) => {
      const { scenario, skipped } = equivalentScenario(recording);
      expect(validateScenario(scenario).ok).toBe(true);
      expect(skipped.length + scenario.commands.length).toBeGreaterThanOrEqual(
        Math.min(1, recording.commands.length),
      );
    });
  });
});
