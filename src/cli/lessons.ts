import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkCourse, checkLessonFile, formatProblem, type FileProblem } from '../lessons/check';
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? 'lessons';
  const { lessons, problems } = checkLessonDir(dir);
  for (const lesson of lessons) {
    const predicts = lesson.steps.filter((s) => s.predict).length;
    const tasks = lesson.steps.filter((s) => s.task).length;
    console.log(
      `${String(lesson.order).padStart(2)}. ${lesson.title} (${lesson.file}): ${lesson.steps.length} steps, ${predicts} predictions, ${tasks} tasks`,
    );
  }
  for (const problem of problems) console.error(formatProblem(problem));
  console.log(`${lessons.length} lessons checked, ${problems.length} problems`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
