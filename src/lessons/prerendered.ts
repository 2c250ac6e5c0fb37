import type { Lesson } from './lesson';

/**
 * Lesson Markdown rendered at build time. Each lesson file's chunk registers the HTML of every
 * text in it (src/lessons/lesson-module.ts writes that), so the course does not ship
 * markdown-it to the browser: Prose.svelte looks a text up here, and only a text that is not
 * here (none, in a built course) loads the renderer.
 *
 * The HTML is rendered once, with headings at their own level and glossary terms linked; the
 * page's heading offset and a glossary switched off are applied to it here. Both edits are safe
 * on this HTML because markdown.ts escapes every "<" of the source: a tag in it is one of ours.
 */

const rendered = new Map<string, string>();

/**
 * A text's key: its length and FNV-1a hash, so the chunk does not carry each text a second
 * time. lesson-module.ts leaves out any text whose key another text of the file already has.
 */
export function textKey(source: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) hash = Math.imul(hash ^ source.charCodeAt(i), 0x01000193);
  return `${source.length.toString(36)}.${(hash >>> 0).toString(36)}`;
}

/** The HTML of a lesson file's texts, by textKey. */
export function registerRendered(entries: Record<string, string>): void {
  for (const [key, html] of Object.entries(entries)) rendered.set(key, html);
}

/** Moves every heading down by `offset` levels, never below h2 or above h6. */
export function shiftHeadings(html: string, offset: number): string {
  if (offset === 0) return html;
  return html.replace(/<(\/?)h([1-6])>/g, (_, slash: string, level: string) => {
    const shifted = Math.min(6, Math.max(2, Number(level) + offset));
    return `<${slash}h${shifted}>`;
  });
}

/** The HTML without its glossary buttons (their text stays). */
export function withoutGlossary(html: string): string {
  return html.replace(
    /<button type="button" class="term" data-term="[a-z-]+" aria-expanded="false">|<\/button>/g,
    '',
  );
}

/** The build-time HTML of a text as a page shows it, or undefined if it was not prerendered. */
export function prerenderedHtml(
  source: string,
  headingOffset: number,
  glossary: boolean,
): string | undefined {
  const html = rendered.get(textKey(source));
  if (html === undefined) return undefined;
  const shifted = shiftHeadings(html, headingOffset);
  return glossary ? shifted : withoutGlossary(shifted);
}

/**
 * Every text of a lesson a page may render as Markdown: each string in it, outside its
 * scenarios and claims (addresses, rules and commands are not prose). Walking the whole lesson
 * rather than naming its fields keeps a field added later (a step's "after the answer") covered.
 */
const NOT_PROSE = new Set(['scenario', 'solution', 'wrong', 'expect', 'constraints']);

export function lessonTexts(lesson: Lesson): string[] {
  const texts = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.trim() !== '') texts.add(value);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object')
      for (const [key, child] of Object.entries(value)) if (!NOT_PROSE.has(key)) walk(child);
  };
  walk(lesson);
  return [...texts];
}
