import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simulate } from '../scenario/simulate';
import { DataError, parseBlockData } from '../lessons/block-data';
import { ALL_FACTS } from '../lessons/facts';
import { applyScenarioEntries, baseScenario } from '../lessons/scenario-spec';
import {
  answeredByPage,
  checkCourse,
  checkLessonFile,
  formatProblem,
  type FileProblem,
} from '../lessons/check';
import type { Lesson } from '../lessons/lesson';

/**
 * `npm run lessons`: parses every lesson file in lessons/ and checks each claim it makes
 * against the simulation, printing `file:line: problem` lines (exit 1) or a one-line summary per
 * lesson (exit 0). The test suite runs the same check; this is the author's quick loop.
 */

export function lessonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md') && name.toLowerCase() !== 'readme.md')
    .sort()
    .map((name) => join(dir, name));
}

export function checkLessonDir(dir: string): { lessons: Lesson[]; problems: FileProblem[] } {
  const lessons: Lesson[] = [];
  const problems: FileProblem[] = [];
  for (const file of lessonFiles(dir)) {
    const checked = checkLessonFile(file, readFileSync(file, 'utf8'));
    problems.push(...checked.problems);
    if (checked.lesson) lessons.push(checked.lesson);
  }
  problems.push(...checkCourse(lessons));
  return { lessons: lessons.sort((a, b) => a.order - b.order), problems };
}

/**
 * Every fact for one scenario written as in a lesson, settings separated by ";":
 * `npm run lessons -- --facts "preset: client-stateful; mode: active"`. What an author runs to
 * see what a predict question's answer will be.
 */
export function factsFor(spec: string): string {
  const map = parseBlockData(
    spec
      .split(';')
      .map((part) => part.trim())
      .join('\n'),
  );
  const result = simulate(applyScenarioEntries(baseScenario(), map.entries));
  const width = Math.max(...Object.keys(ALL_FACTS).map((k) => k.length));
  const lines = Object.entries(ALL_FACTS).map(
    ([name, fact]) => `${name.padEnd(width)}  ${JSON.stringify(fact.read(result))}`,
  );
  return [...lines, '', result.outcome.explanation].join('\n');
}

function main(args: string[]): number {
  if (args[0] === '--facts') {
    try {
      console.log(factsFor(args[1] ?? ''));
      return 0;
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      console.error(`--facts: ${error.message}`);
      return 2;
    }
  }
  const quiet = args.includes('--quiet');
  const dir = args.find((a) => !a.startsWith('--')) ?? 'lessons';
  const { lessons, problems } = checkLessonDir(dir);
  for (const lesson of quiet ? [] : lessons) {
    const predicts = lesson.steps.filter((s) => s.predict).length;
    const tasks = lesson.steps.filter((s) => s.task).length;
    console.log(
      `${String(lesson.order).padStart(2)}. ${lesson.title} (${lesson.file}): ${lesson.steps.length} steps, ${predicts} predictions, ${tasks} tasks`,
    );
  }
  for (const problem of problems) console.error(formatProblem(problem));
  const spoiled = answeredByPage(lessons);
  if (!quiet)
    console.log(
      `${spoiled.answered} of ${spoiled.of} predictions are answered by the page before they are asked`,
    );
  console.log(`${lessons.length} lessons checked, ${problems.length} problems`);
  return problems.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = main(process.argv.slice(2));
}
