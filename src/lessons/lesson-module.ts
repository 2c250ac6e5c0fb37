import { fileURLToPath } from 'node:url';
import { parseLesson } from './lesson';
import { renderMarkdown } from './markdown';
import { lessonTexts, textKey } from './prerendered';

const REGISTRY = fileURLToPath(new URL('./prerendered.ts', import.meta.url));

/**
 * The module a lesson file's `?raw` import becomes: its text, as before, and the HTML of every
 * Markdown text in it, registered with prerendered.ts as the chunk loads. A file that does not
 * parse registers nothing; the page then renders its texts in the browser, as a draft should.
 */
export function lessonModule(file: string, text: string): string {
  const { lesson } = parseLesson(file, text);
  const html: Record<string, string> = {};
  const clashes = new Set<string>();
  if (lesson)
    for (const source of lessonTexts(lesson)) {
      const key = textKey(source);
      if (key in html) clashes.add(key);
      html[key] = renderMarkdown(source);
    }
  // Two texts with one key (never seen): neither is prerendered, both render in the browser.
  for (const key of clashes) delete html[key];
  return [
    `import { registerRendered } from ${JSON.stringify(REGISTRY)};`,
    `registerRendered(${JSON.stringify(html)});`,
    `export default ${JSON.stringify(text)};`,
  ].join('\n');
}
