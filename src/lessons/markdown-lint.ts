import type { LineError } from './block-data';
import type { Lesson } from './lesson';
import { lessonTexts } from './prerendered';
import { safeHref } from './safe-href';

/**
 * Markdown that CommonMark reads differently from what its author meant. A sentence that starts
 * with a number and a period ("53240. The data connection...") at the start of a paragraph is a
 * numbered list starting at 53240; the same line inside a paragraph becomes one if the paragraph
 * is ever rewrapped. A link to a target lesson prose may not use (javascript:, data:...) is
 * shown as its raw text.
 *
 * It reads lines by CommonMark's rules for where an ordered list starts (§5.2, §5.3) rather than
 * with markdown-it, so that the checker, which the lesson page also uses, does not bring the
 * renderer into the browser; test/lessons/markdown-lint.test.ts holds it to markdown-it.
 */
export interface MarkdownProblem {
  /** 0-based line of the Markdown source. */
  line: number;
  message: string;
}

const ORDERED_ITEM = /^ {0,3}(\d{1,9})([.)])([ \t]|$)/;
const BULLET_ITEM = /^ {0,3}[-+*]([ \t]|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}([ \t]|$)/;
const LINK_TARGET = /\]\(\s*<?([^)\s>]*)/g;

const quote = (text: string) => `"${text.trim().slice(0, 40)}"`;

export function lintMarkdown(source: string): MarkdownProblem[] {
  const lines = source.split('\n');
  const problems: MarkdownProblem[] = [];
  let fence: string | null = null;
  let inParagraph = false;
  /** The delimiter of the ordered list the last lines belong to ("." or ")"), or null. */
  let list: string | null = null;
  let bullets = false;
  /** How far the last list item's text is indented: a line after a blank needs as much to stay in it. */
  let itemIndent = 0;
  let afterBlank = true;
  lines.forEach((text, line) => {
    const fenceMark = FENCE.exec(text);
    if (fence !== null) {
      if (fenceMark && fenceMark[1]!.startsWith(fence)) fence = null;
      return;
    }
    if (fenceMark) {
      fence = fenceMark[1]!;
      inParagraph = false;
      if (!/^ {2,}/.test(text)) {
        list = null;
        bullets = false;
      }
      return;
    }
    if (text.trim() === '') {
      afterBlank = true;
      inParagraph = false;
      return;
    }
    const item = ORDERED_ITEM.exec(text);
    if (item) {
      const [, number, delimiter] = item as unknown as [string, string, string];
      const continues = list === delimiter;
      // Inside a list, an item of another kind ends it and starts a list of its own; otherwise
      // only a 1 may interrupt a paragraph (§5.3).
      const empty = item[3] === '' || text.slice(item[0].length).trim() === '';
      const starts =
        !continues && (list !== null || bullets || !inParagraph || (number === '1' && !empty));
      if (starts && Number(number) !== 1)
        problems.push({
          line,
          message: `${quote(text)} reads as a numbered list starting at ${number} in Markdown; to keep it a sentence, write "${number}\\." or rephrase`,
        });
      else if (!continues && !starts)
        problems.push({
          line,
          message: `${quote(text)} starts a line with a number and a period: rewrapping the paragraph would make it a numbered list; write "${number}\\." or rephrase`,
        });
      if (continues || starts) {
        list = delimiter;
        bullets = false;
        itemIndent = item[0].length;
      }
      inParagraph = true;
    } else if (BULLET_ITEM.test(text)) {
      list = null;
      bullets = true;
      itemIndent = BULLET_ITEM.exec(text)![0].length;
      inParagraph = true;
    } else if (HEADING.test(text)) {
      list = null;
      bullets = false;
      inParagraph = false;
    } else {
      // Text after a blank line ends the list unless it is indented into the last item.
      if (afterBlank && text.length - text.trimStart().length < itemIndent) {
        list = null;
        bullets = false;
      }
      inParagraph = true;
    }
    afterBlank = false;
  });
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
 * Every Markdown text of a lesson (introduction, prose, explanations, goals, hints, notes: the
 * texts the build renders), linted, each problem placed on the line of the file that holds it.
 */
export function lintLessonMarkdown(lesson: Lesson, fileText: string): LineError[] {
  const fileLines = fileText.replace(/\r\n?/g, '\n').split('\n');
  const problems: LineError[] = [];
  for (const source of lessonTexts(lesson)) {
    const lines = source.split('\n');
    for (const problem of lintMarkdown(source)) {
      const wanted = lines[problem.line]!.trim();
      const found = fileLines.findIndex((text) => text.trim() === wanted);
      problems.push({ line: found + 1 || 1, message: problem.message });
    }
  }
  return problems;
}
