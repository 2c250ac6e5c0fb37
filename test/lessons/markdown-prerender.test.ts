import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLesson } from '../../src/lessons/lesson';
import { renderMarkdown } from '../../src/lessons/markdown';
import { lessonModule } from '../../src/lessons/lesson-module';
import {
  lessonTexts,
  prerenderedHtml,
  registerRendered,
  shiftHeadings,
  textKey,
  withoutGlossary,
} from '../../src/lessons/prerendered';

const files = readdirSync('lessons').filter((name) => /^\d.*\.md$/.test(name));

describe('lesson prose rendered at build time', () => {
  it('gives the same HTML the browser would render, at every heading offset, with and without the glossary', () => {
    const source = '### Why\n\nA NEW connection, `RELATED`.\n\n#### Deeper';
    registerRendered({ [textKey(source)]: renderMarkdown(source) });
    for (const offset of [0, 1, 2, 3])
      for (const glossary of [true, false])
        expect(prerenderedHtml(source, offset, glossary)).toBe(
          renderMarkdown(source, offset, { glossary }),
        );
    expect(prerenderedHtml('never registered', 0, true)).toBeUndefined();
  });

  it('only moves our own heading tags and glossary buttons', () => {
    const html = renderMarkdown('Text with `<h3>` and `</button>` in code');
    expect(shiftHeadings(html, 2)).toBe(html);
    expect(withoutGlossary(html)).toBe(html);
  });

  it('covers every text a lesson page shows as Markdown', () => {
    for (const file of files) {
      const { lesson } = parseLesson(`lessons/${file}`, readFileSync(`lessons/${file}`, 'utf8'));
      const texts = new Set(lessonTexts(lesson!));
      expect(texts.has(lesson!.intro), file).toBe(true);
      for (const step of lesson!.steps) {
        for (const source of [
          step.prose,
          step.predict?.explanation,
          step.task?.goal,
          step.task?.hint,
          step.notes,
        ])
          if (source && /\s/.test(source.trim()))
            expect(texts.has(source), `${file}: ${source}`).toBe(true);
      }
    }
  });

  it('turns a lesson file into a module that keeps its text and registers its HTML', async () => {
    const file = files[0]!;
    const text = readFileSync(`lessons/${file}`, 'utf8');
    const code = lessonModule(`lessons/${file}`, text);
    const [imports, registers, exports] = code.split('\n');
    expect(imports).toMatch(/^import \{ registerRendered \} from ".*prerendered\.ts";$/);
    const html = JSON.parse(registers!.replace(/^registerRendered\(/, '').replace(/\);$/, ''));
    const { lesson } = parseLesson(`lessons/${file}`, text);
    const prose = lesson!.steps[0]!.prose;
    expect(html[textKey(prose)]).toBe(renderMarkdown(prose));
    // Keyed by a short hash, not by the text itself a second time.
    expect(Object.keys(html).every((key) => key.length < 16)).toBe(true);
    expect(JSON.parse(exports!.replace(/^export default /, '').replace(/;$/, ''))).toBe(text);
  });

  it('keys texts apart', () => {
    expect(textKey('abc')).not.toBe(textKey('abd'));
    expect(textKey('abc')).not.toBe(textKey('abc '));
  });

  it('registers nothing for a file that does not parse, so the page renders it itself', () => {
    expect(lessonModule('lessons/99-draft.md', 'no front matter')).toContain(
      'registerRendered({})',
    );
  });
});
