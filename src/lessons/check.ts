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
import { parseLesson, type Lesson, type LessonStep, type Task } from './lesson';
import { lintLessonMarkdown } from './markdown-lint';
import { checkInstructions } from './instructions';
import { spoilers } from './spoilers';
import { checkConstraints } from './constraints';
import { describeUnmet } from './feedback';
import { givesAway, heldOutcome } from './held-outcome';
import { verdictLine } from '../scenario/outcome';

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
    problems.push(...checkInstructions(step), ...checkSpoilers(step));
    const result = runOnce(step.scenario);
    problems.push(...checkOutcomeBox(lesson, step, result));
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
      problems.push(...checkTaskConstraints(step.task, runOnce));
    }
  }
  return problems;
}

/**
 * A task states what it rules out, its solution keeps to it without a warning, and each known
 * wrong solution is refused or warned about.
 */
function checkTaskConstraints(task: Task, run: (s: Scenario) => SimulationResult): LineError[] {
  if (!task.constraints)
    return [
      {
        line: task.line,
        message: `the task "${task.goal}" states no constraints; add "constraints:" with at least one of change, openPorts, mustNotAdd, warnIfAdded (lessons/README.md)`,
      },
    ];
  const problems: LineError[] = [];
  const solution = checkConstraints(task.constraints, task.start, task.solution);
  for (const sentence of [...solution.broken, ...solution.warnings])
    problems.push({
      line: task.constraints.line,
      message: `the task's solution breaks its own constraints: ${sentence}`,
    });
  for (const wrong of task.wrong) {
    const verdict = checkTask(task, run(wrong.scenario));
    if (verdict.done && verdict.warnings.length === 0)
      problems.push({
        line: wrong.line,
        message: `the wrong solution "${wrong.name}" is accepted without a warning; add a constraint that refuses it`,
      });
  }
  return problems;
}

/** A question the page answers before it is asked, or whose step title gives its answer away. */
function checkSpoilers(step: LessonStep): LineError[] {
  const report = spoilers(step);
  if (!report || !step.predict) return [];
  const problems: LineError[] = [];
  const list = (words: string[]) => words.map((w) => `"${w}"`).join(', ');
  if (report.titleGivesAway)
    problems.push({
      line: step.line,
      message: `the title of step "${step.title}" gives away the answer to "${step.predict.question}": it contains ${list(report.inTitle)}, which only the right choice has`,
    });
  else if (report.answeredByPage)
    problems.push({
      line: step.predict.line,
      message: `the prose above "${step.predict.question}" already says its answer: it contains ${list(report.distinctive)}, the words that set the right choice apart; reword it, or move it below the question (shown after the answer)`,
    });
  if (report.bareRight)
    problems.push({
      line: step.predict.line,
      message: `the right answer to "${step.predict.question}" is the only choice without a reason, which gives it away; give it a reason too, or the wrong ones none`,
    });
  return problems;
}

/**
 * What the outcome box of a step shows before the later questions of its lesson are answered
 * (LessonPage): the verdict line and the explanation with what would answer them held back.
 */
export function visibleOutcome(lesson: Lesson, step: LessonStep, result: SimulationResult): string {
  const held = heldOutcome(lesson, step.index, result.outcome.explanation);
  return `${verdictLine(result.outcome, result.scenario)}. ${held.text}`;
}

/** The later questions of the lesson that this step's outcome box, as shown, answers first. */
function laterAnsweredByOutcome(lesson: Lesson, step: LessonStep, result: SimulationResult) {
  const shown = visibleOutcome(lesson, step, result);
  return lesson.steps.slice(step.index + 1).filter((later) => givesAway(later, shown, step));
}

/** The outcome box does not answer a later question of the same lesson. */
function checkOutcomeBox(lesson: Lesson, step: LessonStep, result: SimulationResult): LineError[] {
  return laterAnsweredByOutcome(lesson, step, result).map((later) => ({
    line: step.line,
    message: `the outcome box of step "${step.title}", as the page shows it (verdict line and the explanation it does not hold back), gives the answer to "${later.predict!.question}" (step ${later.index + 1}), read with that step's title and prose; reword that step, or change this step's network`,
  }));
}

/**
 * How many predictions a learner could answer from what precedes them: the step's title and
 * prose (the spoiler rule), or the outcome box of an earlier step of the lesson as the page
 * shows it.
 */
export function answeredByPage(
  lessons: readonly Lesson[],
  run = simulate,
): { answered: number; of: number } {
  let answered = 0;
  let of = 0;
  for (const lesson of lessons) {
    const byOutcome = new Set<number>();
    for (const step of lesson.steps)
      for (const later of laterAnsweredByOutcome(lesson, step, run(step.scenario)))
        byOutcome.add(later.index);
    for (const step of lesson.steps) {
      const report = spoilers(step);
      if (!report) continue;
      of++;
      if (report.answeredByPage || report.titleGivesAway || byOutcome.has(step.index)) answered++;
    }
  }
  return { answered, of };
}

/** Parses and checks a lesson file: every problem with its line. */
export function checkLessonFile(
  file: string,
  text: string,
): { lesson: Lesson | null; problems: FileProblem[] } {
  const parsed = parseLesson(file, text);
  const problems: LineError[] = [...parsed.problems];
  if (parsed.lesson && parsed.problems.length === 0)
    problems.push(...checkLessonClaims(parsed.lesson), ...lintLessonMarkdown(parsed.lesson, text));
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
  /** One sentence per unmet goal or broken constraint, for the learner. */
  missing: string[];
  /** Sentences for a network that meets the goal in a way a later lesson warns against. */
  warnings: string[];
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
  const missing = unmet(result, task.expect)
    .map(
      ({ expectation, actual }) =>
        describeUnmet(expectation, actual, result) ?? describeGoal(expectation, actual),
    )
    .filter((sentence) => sentence !== '');
  const constraints = task.constraints
    ? checkConstraints(task.constraints, task.start, result.scenario)
    : { broken: [], warnings: [] };
  missing.push(...constraints.broken);
  const done = missing.length === 0;
  return { done, missing, warnings: done ? constraints.warnings : [] };
}
