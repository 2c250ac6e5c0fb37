import { describe, expect, it } from 'vitest';
import { checkLessonFile } from '../../src/lessons/check';
import { parseLesson } from '../../src/lessons/lesson';
import fc from 'fast-check';
import { parseMarkdown } from '../../src/lessons/markdown';
import { lintLessonMarkdown, lintMarkdown } from '../../src/lessons/markdown-lint';

describe('Markdown a lesson did not mean', () => {
  it('flags a sentence that CommonMark reads as a numbered list', () => {
    const problems = lintMarkdown('Intro.\n\n53240. The data connection is new.');
    expect(problems).toEqual([
      {
        line: 2,
        message:
          '"53240. The data connection is new." reads as a numbered list starting at 53240 in Markdown; to keep it a sentence, write "53240\\." or rephrase',
      },
    ]);
  });

  it('flags a line inside a paragraph that a rewrap would turn into a list', () => {
    const [problem] = lintMarkdown('ftplib changed in\n2021. They changed for security.');
    expect(problem?.line).toBe(1);
    expect(problem?.message).toContain('rewrapping the paragraph would make it a numbered list');
  });

  it('leaves real lists, escaped numbers and numbers inside sentences alone', () => {
    expect(lintMarkdown('1. first\n2. second')).toEqual([]);
    expect(lintMarkdown('53240\\. The data connection')).toEqual([]);
    expect(lintMarkdown('The port is 53240. The data connection')).toEqual([]);
    expect(lintMarkdown('```\n2021. in code\n```')).toEqual([]);
  });

  it('flags a link whose target the page would drop', () => {
    const [problem] = lintMarkdown(
      'See [this](javascript:alert(1)) and [RFC](https://x.example/).',
    );
    expect(problem?.message).toContain('"javascript:alert(1"');
    expect(lintMarkdown('[next](#/lesson/nat/2) [a](./x.md)')).toEqual([]);
  });

  it('places each problem on the line of the lesson file that holds it', () => {
    const text = [
      '---',
      'title: T',
      'order: 1',
      'minutes: 5',
      'objectives: [one]',
      '---',
      '',
      '## A step',
      '',
      'Some prose.',
      '',
      '```scenario',
      'preset: no-firewall',
      '```',
      '',
      '```predict',
      'question: Which port?',
      'fact: dataSourcePort',
      'choices:',
      '  20: 20',
      '  53240: 53240',
      'answer: 53240',
      'explanation: |',
      '  53240. A new port.',
      '```',
    ].join('\n');
    const { lesson, problems } = parseLesson('lessons/01-t.md', text);
    expect(problems).toEqual([]);
    const found = lintLessonMarkdown(lesson!, text);
    expect(found.map((p) => p.line)).toEqual([24]);
    // npm run lessons reports it with the other problems of the file.
    const checked = checkLessonFile('lessons/01-t.md', text).problems;
    expect(checked.filter((p) => p.message.includes('numbered list'))).toEqual([
      { file: 'lessons/01-t.md', line: 24, message: found[0]!.message },
    ]);
  });

  // Lines as lessons write them; empty list items, which no lesson has, follow rules of their own.
  it('finds exactly the lists markdown-it starts at a number other than 1', () => {
    const lines = fc.constantFrom(
      '',
      'Some text.',
      '53240. The data connection',
      '1. first',
      '2. second',
      '1460) The client',
      '- a bullet',
      '## A heading',
      '```',
      '  indented more',
    );
    fc.assert(
      fc.property(fc.array(lines, { maxLength: 12 }), (parts) => {
        const source = parts.join('\n');
        const expected = parseMarkdown(source)
          .filter((t) => t.type === 'ordered_list_open' && t.attrGet('start') !== null)
          .map((t) => t.map![0]);
        const found = lintMarkdown(source)
          .filter((p) => p.message.includes('reads as a numbered list'))
          .map((p) => p.line);
        expect(found).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
