import type { LineError } from './block-data';
import type { Lesson } from './lesson';
import { parseMarkdown, safeHref } from './markdown';

/**
 * Markdown that CommonMark reads differently from what its author meant. A sentence that starts
 * with a number and a period ("53240. The data connection...") at the start of a paragraph is a
 * numbered list starting at 53240; the same line inside a paragraph becomes one if the paragraph
 * is ever rewrapped. A link to a target lesson prose may not use (javascript:, data:...) is
 * shown as its raw text.
 */
export interface MarkdownProblem {
  /** 0-based line of the Markdown source. */
  line: number;
  message: string;
}

const NUMBER_AND_PERIOD = /^\s{0,3}(\d{1,9})[.)](\s|$)/;
const LINK_TARGET = /\]\(\s*<?([^)\s>]*)/g;

function accidentalList(number: string | number, text: string): string {
  return `"${text.trim().slice(0, 40)}" reads as a numbered list starting at ${number} in Markdown; to keep it a sentence, write "${number}\\." or rephrase`;
}

export function lintMarkdown(source: string): MarkdownProblem[] {
  const lines = source.split('\n');
  const problems: MarkdownProblem[] = [];
  for (const token of parseMarkdown(source)) {
    if (!token.map) continue;
    const [first, end] = token.map;
    const start = token.type === 'ordered_list_open' ? token.attrGet('start') : null;
    if (start !== null)
      problems.push({ line: first, message: accidentalList(start, lines[first]!) });
    if (token.type === 'paragraph_open') {
      for (let at = first + 1; at < end; at++) {
        const number = NUMBER_AND_PERIOD.exec(lines[at]!);
        if (number)
          problems.push({
            line: at,
            message: `"${lines[at]!.trim().slice(0, 40)}" starts a line with a number and a period: rewrapping the paragraph would make it a numbered list; write "${number[1]}\\." or rephrase`,
          });
      }
    }
  }
  lines.forEach((text, line) => {
    for (const link of text.matchAll(LINK_TARGET)) {
      if (safeHref(link[1]!) === null)
        problems.push({
          line,
          message: `the link target "${link[1]}" is not allowed (only http:, https:, mailto:, # and relative links are), so the link shows as raw text`,
        });
    }
  });
  return problems.sort((a, b) => a.line - b.line);
}

/**
 * Every Markdown text of a lesson (introduction, prose, explanations, goals, hints, notes),
 * linted, with problems placed on the line of the file that holds the flagged text.
 */
export function lintLessonMarkdown(lesson: Lesson, fileText: string): LineError[] {
  const fileLines = fileText.replace(/\r\n?/g, '\n').split('\n');
  const texts: { source: string; from: number }[] = [{ source: lesson.intro, from: 1 }];
  for (const step of lesson.steps) {
    for (const source of [
      step.prose,
      step.predict?.explanation,
      step.task?.goal,
      step.task?.hint,
      step.notes,
    ])
      if (source) texts.push({ source, from: step.line });
  }
  const problems: LineError[] = [];
  for (const { source, from } of texts) {
    const lines = source.split('\n');
    for (const problem of lintMarkdown(source)) {
      const wanted = lines[problem.line]!.trim();
      const found = fileLines.findIndex((text, at) => at + 1 >= from && text.trim() === wanted);
      problems.push({ line: found >= 0 ? found + 1 : from, message: problem.message });
    }
  }
  return problems;
}
