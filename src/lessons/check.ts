import { simulate, type SimulationResult } from '../scenario/simulate';
import type { Scenario } from '../scenario/types';
import type { LineError } from './block-data';
import {
  ALL_FACTS,
  formatExpectation,
  readFact,
  unmet,
  type Expectation,
  type FactValue,
} from './facts';
import { parseLesson, type Lesson, type Task } from './lesson';

/**
 * Lessons never lie: every claim a lesson makes (a step's "this fails", a predict question's
 * answer, a task's solution) is checked here against the simulation the learner will watch.
 */

export interface FileProblem extends LineError {
  file: string;
}

export function formatProblem(p: FileProblem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

function show(value: FactValue): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** What the simulation says each claim of the lesson is; problems where they disagree. */
export function checkLessonClaims(lesson: Lesson, run = simulate): LineError[] {
  const problems: LineError[] = [];
  const cache = new Map<string, SimulationResult>();
  const runOnce = (scenario: Scenario) => {
    const key = JSON.stringify(scenario);
    let result = cache.get(key);
    if (!result) {
      result = run(scenario);
      cache.set(key, result);
    }
    return result;
  };
  for (const step of lesson.steps) {
    const result = runOnce(step.scenario);
    for (const { expectation, actual } of unmet(result, step.expect)) {
      problems.push({
        line: expectation.line,
        message: `step "${step.title}" claims ${formatExpectation(expectation)}, but the simulation gives ${show(actual)}`,
      });
    }
    if (step.predict) {
      const actual = readFact(result, step.predict.fact);
      if (actual !== step.predict.answer) {
        const known = step.predict.choices.some((c) => c.value === actual);
        problems.push({
          line: step.predict.line,
          message: `the answer to "${step.predict.question}" is given as ${show(step.predict.answer)}, but the simulation gives ${show(actual)}${known ? '' : ', which is not among the choices'}`,
        });
      }
    }
    if (step.task) {
      const before = unmet(result, step.task.expect);
      if (before.length === 0)
        problems.push({
          line: step.task.line,
          message: `the task "${step.task.goal}" is already done by the step's own scenario; nothing is left for the learner`,
        });
      for (const { expectation, actual } of unmet(runOnce(step.task.solution), step.task.expect)) {
        problems.push({
          line: expectation.line,
          message: `the task's solution does not meet "${formatExpectation(expectation)}": the simulation gives ${show(actual)}`,
        });
      }
    }
  }
  return problems;
}

/** Parses and checks a lesson file: every problem with its line. */
export function checkLessonFile(
  file: string,
  text: string,
): { lesson: Lesson | null; problems: FileProblem[] } {
  const parsed = parseLesson(file, text);
  const problems: LineError[] = [...parsed.problems];
  if (parsed.lesson && parsed.problems.length === 0)
    problems.push(...checkLessonClaims(parsed.lesson));
  return {
    lesson: parsed.problems.length === 0 ? parsed.lesson : null,
    problems: problems.sort((a, b) => a.line - b.line).map((p) => ({ ...p, file })),
  };
}

/** Course-level rules: lesson ids and places in the order are unique. */
export function checkCourse(lessons: readonly Lesson[]): FileProblem[] {
  const problems: FileProblem[] = [];
  const seenOrder = new Map<number, string>();
  const seenId = new Map<string, string>();
  for (const lesson of lessons) {
    const order = seenOrder.get(lesson.order);
    if (order)
      problems.push({
        file: lesson.file,
        line: 1,
        message: `order ${lesson.order} is already taken by ${order}`,
      });
    seenOrder.set(lesson.order, lesson.file);
    const id = seenId.get(lesson.id);
    if (id)
      problems.push({
        file: lesson.file,
        line: 1,
        message: `lesson id "${lesson.id}" is already used by ${id}`,
      });
    seenId.set(lesson.id, lesson.file);
  }
  return problems;
}

export interface TaskCheck {
  done: boolean;
  /** One sentence per unmet goal, for the learner. */
  missing: string[];
}

function describeGoal(expectation: Expectation, actual: FactValue): string {
  const { description } = ALL_FACTS[expectation.fact]!;
  const wanted =
    expectation.op === '='
      ? show(expectation.value)
      : `${expectation.op} ${show(expectation.value)}`;
  return `${expectation.fact} (${description}) should be ${wanted}; it is ${show(actual)}.`;
}

/** Checks a learner's scenario against a task: the same rule the tests apply to the solution. */
export function checkTask(task: Task, result: SimulationResult): TaskCheck {
  const missing = unmet(result, task.expect).map(({ expectation, actual }) =>
    describeGoal(expectation, actual),
  );
  return { done: missing.length === 0, missing };
}
