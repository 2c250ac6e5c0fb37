import type { Scenario } from '../scenario/types';
import {
  DataError,
  parseBlockData,
  quoted,
  type DataEntry,
  type DataNode,
  type LineError,
  type MapNode,
} from './block-data';
import { checkValue, parseExpectation, ALL_FACTS, type Expectation, type FactValue } from './facts';
import { applyScenarioEntries, baseScenario } from './scenario-spec';
import { parseConstraints, type TaskConstraints } from './constraints';

/**
 * A lesson file: front matter between `---` lines, an optional introduction, then one step per
 * `## heading`. Inside a step, fenced blocks marked `scenario`, `predict`, `task` and `notes`
 * carry the step's network, its question, its challenge and the teacher's notes; everything
 * else is the step's prose. lessons/README.md is the author's guide to the format.
 */
export interface Lesson {
  /** From the file name: "03-active-mode.md" is "active-mode". */
  id: string;
  file: string;
  title: string;
  order: number;
  minutes: number;
  objectives: string[];
  /** Markdown shown above the first step. */
  intro: string;
  steps: LessonStep[];
}

export interface LessonStep {
  /** 0-based position in the lesson. */
  index: number;
  title: string;
  line: number;
  /** What the learner reads before the question or task. */
  prose: string;
  /**
   * Prose written after the predict or task block: shown once the answer is revealed or the task
   * done, so a summary cannot answer the question first. Empty for a step without one.
   */
  afterAnswer: string;
  scenario: Scenario;
  /** Claims about this step's run ("outcome: failure"), checked against the simulation. */
  expect: Expectation[];
  predict: Predict | null;
  task: Task | null;
  /** For the teacher only: shown in the presenter's notes, never on the projected view. */
  notes: string | null;
}

export interface Predict {
  question: string;
  /** The fact the answer is read from (see facts.ts). */
  fact: string;
  choices: { value: FactValue; text: string }[];
  answer: FactValue;
  explanation: string;
  /** One switch shown beside the explanation, so "switch the mode and see" has its control. */
  tryIt: TryIt | null;
  line: number;
}

export const TRY_IT = ['mode', 'clientHelper', 'serverHelper'] as const;
export type TryIt = (typeof TRY_IT)[number];

export interface Task {
  goal: string;
  /** What the learner's changed scenario must achieve. */
  expect: Expectation[];
  /** One way to do it: the step's scenario with the solution's settings applied. */
  solution: Scenario;
  hint: string | null;
  /** What the task rules out besides the outcome (see constraints.ts); null if it states none. */
  constraints: TaskConstraints | null;
  /** The network the learner starts from: the step's own. */
  start: Scenario;
  /** Known wrong solutions, each the start with the settings applied; the checker runs them. */
  wrong: { name: string; scenario: Scenario; line: number }[];
  line: number;
}

export interface ParsedLesson {
  /** Null when the file is too broken to show at all. */
  lesson: Lesson | null;
  problems: LineError[];
}

const SPECIAL_BLOCKS = ['scenario', 'predict', 'task', 'notes'] as const;
type SpecialBlock = (typeof SPECIAL_BLOCKS)[number];

export function lessonIdFromFile(file: string): string {
  const name = file.replace(/^.*\//, '').replace(/\.md$/i, '');
  return name.replace(/^\d+[-_ ]*/, '') || name;
}

interface RawBlock {
  kind: SpecialBlock;
  text: string;
  /** File line of the block's first content line. */
  line: number;
}

interface RawStep {
  title: string;
  line: number;
  prose: string[];
  /** Prose after the predict or task block. */
  after: string[];
  /** Where prose goes now: `prose`, or `after` once the question's block has been read. */
  text: string[];
  blocks: RawBlock[];
}

function entry(map: MapNode, key: string): DataEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

function requireText(map: MapNode, key: string, where: string): string {
  const found = entry(map, key);
  if (!found) throw new DataError(map.line, `${where} needs "${key}:"`);
  const node = found.value;
  if (node.kind !== 'scalar' || String(node.value).trim() === '')
    throw new DataError(found.line, `"${key}" must be text`);
  return String(node.value);
}

function onlyKeys(map: MapNode, allowed: readonly string[], where: string): void {
  for (const e of map.entries) {
    if (!allowed.includes(e.key))
      throw new DataError(
        e.line,
        `unknown key ${quoted(e.key)} in ${where}; keys: ${allowed.join(', ')}`,
      );
  }
}

function expectations(node: DataNode): Expectation[] {
  if (node.kind !== 'map')
    throw new DataError(node.line, 'expect: needs facts below it, like "outcome: failure"');
  return node.entries.map((e) => {
    if (e.value.kind !== 'scalar')
      throw new DataError(e.line, `the expected value of ${quoted(e.key)} must be a single value`);
    const parsed = parseExpectation(e.key, e.value.value, e.line);
    if (typeof parsed === 'string') throw new DataError(e.line, parsed);
    return parsed;
  });
}

function parseFrontMatter(map: MapNode): Omit<Lesson, 'id' | 'file' | 'intro' | 'steps'> {
  onlyKeys(map, ['title', 'order', 'minutes', 'objectives'], 'the front matter');
  const title = requireText(map, 'title', 'the front matter');
  const order = entry(map, 'order');
  if (
    !order ||
    order.value.kind !== 'scalar' ||
    !Number.isInteger(order.value.value) ||
    (order.value.value as number) < 1
  )
    throw new DataError(
      order?.line ?? map.line,
      "order must be a whole number from 1 (the lesson's place in the course)",
    );
  const minutes = entry(map, 'minutes');
  if (
    !minutes ||
    minutes.value.kind !== 'scalar' ||
    typeof minutes.value.value !== 'number' ||
    minutes.value.value <= 0
  )
    throw new DataError(
      minutes?.line ?? map.line,
      'minutes must be a positive number (the estimated time)',
    );
  const objectives = entry(map, 'objectives');
  if (!objectives || objectives.value.kind !== 'list' || objectives.value.items.length === 0)
    throw new DataError(
      objectives?.line ?? map.line,
      'objectives must be a list of what the learner will be able to do',
    );
  return {
    title,
    order: order.value.value as number,
    minutes: minutes.value.value,
    objectives: objectives.value.items.map((item) =>
      String(item.kind === 'scalar' ? item.value : ''),
    ),
  };
}

function parseTryIt(map: MapNode): TryIt | null {
  const found = entry(map, 'tryIt');
  if (!found) return null;
  const value = found.value.kind === 'scalar' ? String(found.value.value) : '';
  if (!(TRY_IT as readonly string[]).includes(value))
    throw new DataError(
      found.line,
      `tryIt must be one of ${TRY_IT.map((t) => `"${t}"`).join(', ')}, the switch shown after the answer`,
    );
  return value as TryIt;
}

function parsePredict(map: MapNode): Predict {
  onlyKeys(
    map,
    ['question', 'fact', 'choices', 'answer', 'explanation', 'tryIt'],
    'a predict block',
  );
  const question = requireText(map, 'question', 'a predict block');
  const factEntry = entry(map, 'fact');
  const fact = requireText(map, 'fact', 'a predict block');
  if (!ALL_FACTS[fact])
    throw new DataError(
      factEntry!.line,
      `unknown fact ${quoted(fact)}; facts: ${Object.keys(ALL_FACTS).join(', ')}`,
    );
  const kind = ALL_FACTS[fact]!.kind;
  const asValue = (text: string, line: number): FactValue => {
    const value: FactValue =
      kind === 'number' ? Number(text) : kind === 'boolean' ? text === 'true' : text;
    if (kind === 'number' && !/^-?\d+(\.\d+)?$/.test(text))
      throw new DataError(line, `"${fact}" is a number; ${quoted(text)} is not`);
    if (kind === 'boolean' && text !== 'true' && text !== 'false')
      throw new DataError(line, `"${fact}" is true or false; ${quoted(text)} is neither`);
    const problem = checkValue(fact, value);
    if (problem) throw new DataError(line, problem);
    return value;
  };
  const choicesEntry = entry(map, 'choices');
  if (!choicesEntry || choicesEntry.value.kind !== 'map' || choicesEntry.value.entries.length < 2)
    throw new DataError(
      choicesEntry?.line ?? map.line,
      'choices must list at least two answers, each "value: what the learner reads"',
    );
  const choices = choicesEntry.value.entries.map((c) => {
    if (c.value.kind !== 'scalar') throw new DataError(c.line, 'a choice is one line of text');
    return { value: asValue(c.key, c.line), text: String(c.value.value) };
  });
  const answerEntry = entry(map, 'answer');
  if (!answerEntry || answerEntry.value.kind !== 'scalar')
    throw new DataError(map.line, 'a predict block needs "answer:", the value of the right choice');
  const answer = asValue(String(answerEntry.value.value), answerEntry.line);
  if (!choices.some((c) => c.value === answer))
    throw new DataError(
      answerEntry.line,
      `the answer ${quoted(String(answer))} is not one of the choices`,
    );
  return {
    question,
    fact,
    choices,
    answer,
    explanation: requireText(map, 'explanation', 'a predict block'),
    tryIt: parseTryIt(map),
    line: map.line,
  };
}

function parseTask(map: MapNode, scenario: Scenario): Task {
  onlyKeys(map, ['goal', 'expect', 'constraints', 'solution', 'hint'], 'a task block');
  const goal = requireText(map, 'goal', 'a task block');
  const expectEntry = entry(map, 'expect');
  if (!expectEntry)
    throw new DataError(map.line, 'a task block needs "expect:", what counts as done');
  const solution = entry(map, 'solution');
  if (!solution || solution.value.kind !== 'map')
    throw new DataError(
      solution?.line ?? map.line,
      'a task block needs "solution:", settings that solve it (checked by the tests)',
    );
  const hint = entry(map, 'hint');
  const constraintsEntry = entry(map, 'constraints');
  if (constraintsEntry && constraintsEntry.value.kind !== 'map')
    throw new DataError(
      constraintsEntry.line,
      'constraints: needs settings below it, like "change: [serverSide]"',
    );
  const constraints =
    constraintsEntry?.value.kind === 'map' ? parseConstraints(constraintsEntry.value) : null;
  return {
    goal,
    expect: expectations(expectEntry.value),
    solution: applyScenarioEntries(scenario, solution.value.entries),
    hint: hint ? requireText(map, 'hint', 'a task block') : null,
    constraints,
    start: scenario,
    wrong: (constraints?.wrong ?? []).map((w) => ({
      name: w.name,
      scenario: applyScenarioEntries(scenario, w.entries),
      line: w.line,
    })),
    line: map.line,
  };
}

/** Splits the file into front matter, introduction and raw steps, keeping file line numbers. */
function splitFile(text: string): {
  front: RawBlock;
  intro: string[];
  steps: RawStep[];
  problems: LineError[];
} {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const problems: LineError[] = [];
  if (lines[0]?.trim() !== '---')
    throw new DataError(
      1,
      'a lesson starts with front matter: a line "---", title, order, minutes, objectives, and "---"',
    );
  const close = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (close < 0) throw new DataError(1, 'the front matter has no closing "---" line');
  const front: RawBlock = { kind: 'scenario', text: lines.slice(1, close).join('\n'), line: 2 };
  const intro: string[] = [];
  const steps: RawStep[] = [];
  let fence: { marker: string; block: RawBlock | null; line: number } | null = null;
  for (let i = close + 1; i < lines.length; i++) {
    const line = lines[i]!;
    const number = i + 1;
    const current = steps.at(-1);
    if (fence) {
      if (line.trimStart().startsWith(fence.marker) && line.trim().replace(/[`~]/g, '') === '') {
        // An ordinary code fence stays in the prose, closing line included.
        if (!fence.block) (current ? current.text : intro).push(line);
        fence = null;
        continue;
      }
      if (fence.block) fence.block.text += (fence.block.text ? '\n' : '') + line;
      else (current ? current.text : intro).push(line);
      continue;
    }
    const opening = /^\s*(`{3,}|~{3,})\s*([\w-]*)\s*$/.exec(line);
    if (opening) {
      const kind = opening[2] as SpecialBlock;
      if ((SPECIAL_BLOCKS as readonly string[]).includes(kind)) {
        if (!current) {
          problems.push({
            line: number,
            message: `a "${kind}" block must be inside a step (after a "## " heading)`,
          });
          fence = {
            marker: opening[1]!,
            block: { kind, text: '', line: number + 1 },
            line: number,
          };
          continue;
        }
        if (current.blocks.some((b) => b.kind === kind))
          problems.push({ line: number, message: `this step already has a "${kind}" block` });
        const block: RawBlock = { kind, text: '', line: number + 1 };
        current.blocks.push(block);
        if (kind === 'predict' || kind === 'task') current.text = current.after;
        fence = { marker: opening[1]!, block, line: number };
      } else {
        (current ? current.text : intro).push(line);
        fence = { marker: opening[1]!, block: null, line: number };
      }
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading && heading[1] === '##') {
      const prose: string[] = [];
      steps.push({ title: heading[2]!, line: number, prose, after: [], text: prose, blocks: [] });
      continue;
    }
    if (heading && heading[1] === '#') {
      problems.push({
        line: number,
        message:
          'use "## " for a step and "### " inside one; the title comes from the front matter',
      });
      continue;
    }
    (current ? current.text : intro).push(line);
  }
  if (fence) problems.push({ line: fence.line, message: 'this fenced block is never closed' });
  return { front, intro, steps, problems };
}

/** Parses one lesson file. Every problem found is reported with its line; nothing throws. */
export function parseLesson(file: string, text: string): ParsedLesson {
  const problems: LineError[] = [];
  const attempt = <T>(work: () => T): T | null => {
    try {
      return work();
    } catch (error) {
      if (error instanceof DataError) {
        problems.push({ line: error.line, message: error.message });
        return null;
      }
      throw error;
    }
  };
  const split = attempt(() => splitFile(text));
  if (!split) return { lesson: null, problems };
  problems.push(...split.problems);
  const meta = attempt(() => parseFrontMatter(parseBlockData(split.front.text, split.front.line)));
  if (split.steps.length === 0)
    problems.push({ line: 1, message: 'a lesson needs at least one step: a "## " heading' });

  const steps: LessonStep[] = [];
  let scenario: Scenario | null = null;
  split.steps.forEach((raw, index) => {
    const block = (kind: SpecialBlock) => raw.blocks.find((b) => b.kind === kind);
    const scenarioBlock = block('scenario');
    let stepExpect: Expectation[] = [];
    if (scenarioBlock) {
      const built = attempt(() => {
        const map = parseBlockData(scenarioBlock.text, scenarioBlock.line);
        const start: Scenario = scenario ?? baseScenario();
        const fresh = applyScenarioEntries(start, map.entries, ['expect']);
        const expectEntry = entry(map, 'expect');
        return { scenario: fresh, expect: expectEntry ? expectations(expectEntry.value) : [] };
      });
      if (built) {
        scenario = built.scenario;
        stepExpect = built.expect;
      }
    } else if (!scenario) {
      problems.push({
        line: raw.line,
        message: 'the first step needs a ```scenario block (later steps reuse the one before)',
      });
    }
    const current = scenario ?? baseScenario();
    const predictBlock = block('predict');
    const taskBlock = block('task');
    const notesBlock = block('notes');
    const predict = predictBlock
      ? attempt(() => parsePredict(parseBlockData(predictBlock.text, predictBlock.line)))
      : null;
    const task = taskBlock
      ? attempt(() => parseTask(parseBlockData(taskBlock.text, taskBlock.line), current))
      : null;
    if (predict && task)
      problems.push({
        line: taskBlock!.line - 1,
        message: 'a step has a predict question or a task, not both',
      });
    steps.push({
      index,
      title: raw.title,
      line: raw.line,
      prose: raw.prose.join('\n').trim(),
      afterAnswer: raw.after.join('\n').trim(),
      scenario: current,
      expect: stepExpect,
      predict,
      task,
      notes: notesBlock ? notesBlock.text.trim() || null : null,
    });
  });

  if (!meta) return { lesson: null, problems };
  return {
    lesson: {
      id: lessonIdFromFile(file),
      file,
      ...meta,
      intro: split.intro.join('\n').trim(),
      steps,
    },
    problems,
  };
}
