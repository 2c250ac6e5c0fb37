/**
 * Fuzz: lesson files (issue 11, "A standing fuzz suite"). parseLesson reads a Markdown file a
 * teacher wrote by hand, with front matter and scenario, predict and task blocks in the subset of
 * YAML that block-data.ts reads.
 *
 * Cases per run (numRuns): mutated course lessons 800; any text 300; mutated blocks through
 * parseBlockData 800.
 * Total 1,900.
 *
 * Each case: parseLesson never throws, and reports each problem at a line of the file with a
 * message that is one short line; a step it accepts has a scenario that validates.
 * parseBlockData throws nothing but a DataError of that kind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, parseBlockData } from '../../src/lessons/block-data';
import { parseLesson } from '../../src/lessons/lesson';
import { validateScenario } from '../../src/scenario/validate';
import {
  assertRuns,
  expectClearMessage,
  FUZZ_TIMEOUT_MS,
  hostileString,
  hugeString,
  UNFIXED,
} from './arbitraries';

/** The longest fixed text lists every fact a lesson can check (about 400 characters). */
const MAX_MESSAGE = 600;

const RUNS = { lessons: 800, text: 300, blocks: 800 };

const lessonDir = new URL('../../lessons/', import.meta.url);
const lessonFiles = readdirSync(lessonDir)
  .filter((f) => /^\d+.*\.md$/.test(f))
  .map((file) => ({ file, text: readFileSync(new URL(file, lessonDir), 'utf8') }));

/** The fenced blocks of every lesson (scenario, predict, task) and every front matter. */
const blocks: string[] = lessonFiles.flatMap(({ text }) => {
  const found = [...text.matchAll(/```(?:scenario|predict|task)\n([\s\S]*?)```/g)].map(
    (m) => m[1]!,
  );
  const front = /^---\n([\s\S]*?)\n---/.exec(text);
  return front ? [front[1]!, ...found] : found;
});

const hostileLine = fc.oneof(
  { arbitrary: hostileString, weight: 3 },
  {
    arbitrary: fc.constantFrom(
      '---',
      '```',
      '```scenario',
      '```predict',
      '~~~task',
      '## A new step',
      '# Title',
      'preset: no-such-preset',
      'preset: client-stateful',
      'mode: sideways',
      'order: -1',
      'minutes: 0',
      'objectives: []',
      'commands: [',
      'commands: []',
      'commands: [\'LIST\', "RETR a, b"]',
      "user: 'unclosed",
      'password: "a\\',
      'expect:',
      '  outcome: failure',
      '  outcome: > 3',
      '  noSuchFact: 1',
      'fact: noSuchFact',
      'answer: 42',
      'choices:',
      '  - item',
      '-',
      '\tkey: tab',
      'key:',
      'key: |',
      'passivePorts: 70000-1',
      'activeSourcePort: 0',
      'reject: maybe',
      '__proto__: x',
      'constructor: x',
    ),
    weight: 3,
  },
  { arbitrary: hugeString.map((s) => `user: ${s}`), weight: 1 },
  { arbitrary: hugeString.map((s) => `  ${s}: x`), weight: 1 },
);

type LineEdit = [index: number, kind: number, line: string];

/** Damage at the line level: lines deleted, repeated, swapped, re-indented, replaced, inserted. */
function editLines(text: string, edits: LineEdit[]): string {
  const lines = text.split('\n');
  for (const [index, kind, line] of edits) {
    const at = index % (lines.length + 1);
    const current = lines[at] ?? '';
    switch (kind % 9) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, current);
        break;
      case 2:
        lines.splice(at, 2, lines[at + 1] ?? '', current);
        break;
      case 3:
        lines[at] = `  ${current}`;
        break;
      case 4:
        lines[at] = current.replace(/^ {1,2}/, '');
        break;
      case 5:
        lines[at] = line;
        break;
      case 6:
        lines.splice(at, 0, line);
        break;
      case 7:
        // Keep the key, change the value: the most common slip in a hand-edited block.
        lines[at] = /^(\s*[\w-]+:)/.test(current)
          ? current.replace(/^(\s*[\w-]+:).*/, `$1 ${line}`)
          : line;
        break;
      case 8:
        lines.length = at;
        break;
    }
  }
  return lines.join('\n');
}

const edits = fc.array(fc.tuple(fc.nat(), fc.nat(), hostileLine), { minLength: 1, maxLength: 5 });

function checkLesson(file: string, text: string): void {
  let parsed: ReturnType<typeof parseLesson>;
  try {
    parsed = parseLesson(file, text);
  } catch (error) {
    throw new Error(`parseLesson threw ${String(error).slice(0, 200)}`);
  }
  const lineCount = text.replace(/\r\n?/g, '\n').split('\n').length;
  for (const problem of parsed.problems) {
    expect(Number.isInteger(problem.line), `line ${problem.line} is a line number`).toBe(true);
    expect(problem.line).toBeGreaterThanOrEqual(0);
    expect(problem.line).toBeLessThanOrEqual(lineCount + 1);
    // A scenario block's own error comes from validate.ts (see UNFIXED.item14).
    const fromValidate = problem.message.startsWith('the scenario is invalid:');
    expectClearMessage(problem.message, MAX_MESSAGE, { long: fromValidate && UNFIXED.item14 });
  }
  for (const step of parsed.lesson?.steps ?? []) {
    expect(validateScenario(step.scenario).ok, 'a step has a valid scenario').toBe(true);
  }
}

describe('parseLesson on fuzzed lesson files', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('reads every lesson of the course without a problem', () => {
    expect(lessonFiles.length).toBeGreaterThan(5);
    for (const { file, text } of lessonFiles) expect(parseLesson(file, text).problems).toEqual([]);
  });

  it(`reports the problems of a mutated lesson at their lines (${RUNS.lessons} cases)`, () => {
    const damaged = fc
      .tuple(fc.constantFrom(...lessonFiles), edits)
      .map(([lesson, e]) => ({ file: lesson.file, text: editLines(lesson.text, e) }));
    assertRuns(RUNS.lessons, damaged, ({ file, text }) => checkLesson(file, text));
  });

  it(`reports the problems of any text (${RUNS.text} cases)`, () => {
    const text = fc.oneof(
      hostileString,
      fc.array(hostileLine, { maxLength: 30 }).map((lines) => lines.join('\n')),
      fc
        .array(hostileLine, { maxLength: 30 })
        .map((lines) => ['---', 'title: T', 'order: 1', '---', ...lines].join('\r\n')),
    );
    assertRuns(RUNS.text, text, (t) => checkLesson('lessons/99-fuzz.md', t));
  });

  it(`parseBlockData fails only with a DataError at a line of the block (${RUNS.blocks} cases)`, () => {
    const damaged = fc
      .tuple(fc.constantFrom(...blocks), edits, fc.integer({ min: 1, max: 500 }))
      .map(([block, e, firstLine]) => ({ text: editLines(block, e), firstLine }));
    assertRuns(RUNS.blocks, damaged, ({ text, firstLine }) => {
      try {
        parseBlockData(text, firstLine);
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
        expect(error.line).toBeGreaterThanOrEqual(firstLine);
        expect(error.line).toBeLessThan(firstLine + text.split('\n').length);
        expectClearMessage(error.message, MAX_MESSAGE);
      }
    });
  });
});
