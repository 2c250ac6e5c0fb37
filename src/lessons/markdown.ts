import MarkdownIt from 'markdown-it';
import type { Env, StateCore, Token } from 'markdown-it';
import { findTerms } from './glossary';
import { safeHref } from './safe-href';

/**
 * Lesson prose to HTML, as CommonMark (plus tables) reads it: markdown-it with raw HTML off, so
 * every character of the source reaches the output escaped, images off, and a link kept only for
 * http(s), mailto, in-page (#) and relative targets. A lesson file cannot inject a script, an
 * event handler or a remote image into the page (test/lessons/markdown.test.ts tries).
 *
 * The first use of each glossary term in a text becomes a button (`button.term[data-term]`) that
 * the page turns into a popover with the term's definition (src/ui/course/Prose.svelte).
 */

export { safeHref };

const md = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
md.disable(['image']);
// markdown-it checks every link and autolink here, after percent-encoding it.
md.validateLink = (url) => safeHref(url) !== null;

/** Headings are shifted by env.headingOffset and never go below h2 or above h6. */
function headingTag(token: Token, env: Env | undefined): string {
  const offset = typeof env?.headingOffset === 'number' ? env.headingOffset : 0;
  const level = Number(token.tag.slice(1)) + offset;
  return `h${Math.min(6, Math.max(2, level))}`;
}
md.renderer.rules.heading_open = (tokens, at, _options, env) => `<${headingTag(tokens[at]!, env)}>`;
md.renderer.rules.heading_close = (tokens, at, _options, env) =>
  `</${headingTag(tokens[at]!, env)}>\n`;

// Column headers name their column for screen readers; alignment is a class, not inline style.
md.renderer.rules.th_open = (tokens, at) => `<th scope="col"${alignClass(tokens[at]!)}>`;
md.renderer.rules.td_open = (tokens, at) => `<td${alignClass(tokens[at]!)}>`;
function alignClass(token: Token): string {
  const align = /text-align:(left|right|center)/.exec(String(token.attrGet('style') ?? ''));
  return align ? ` class="align-${align[1]}"` : '';
}

/**
 * Wraps the first use of each glossary term in a glossary_open/close pair: in plain text and in
 * a code span that is exactly the term (`RELATED`), never in a heading or inside a link.
 */
function linkGlossaryTerms(state: StateCore): void {
  if (state.env?.glossary === false) return;
  const linked = new Set<string>();
  state.tokens.forEach((block, at) => {
    if (block.type !== 'inline' || !block.children) return;
    if (state.tokens[at - 1]?.type === 'heading_open') return;
    const out: Token[] = [];
    let inLink = 0;
    for (const child of block.children) {
      if (child.type === 'link_open') inLink++;
      if (child.type === 'link_close') inLink--;
      if (inLink > 0 || (child.type !== 'text' && child.type !== 'code_inline')) {
        out.push(child);
        continue;
      }
      const matches = findTerms(child.content, linked);
      if (child.type === 'code_inline') {
        const whole = matches[0];
        if (whole && whole.start === 0 && whole.end === child.content.length) {
          linked.add(whole.entry.id);
          out.push(
            termOpen(state, whole.entry.id),
            child,
            new state.Token('glossary_close', '', -1),
          );
        } else out.push(child);
        continue;
      }
      let from = 0;
      for (const match of matches) {
        linked.add(match.entry.id);
        out.push(textToken(state, child.content.slice(from, match.start)));
        out.push(termOpen(state, match.entry.id));
        out.push(textToken(state, child.content.slice(match.start, match.end)));
        out.push(new state.Token('glossary_close', '', -1));
        from = match.end;
      }
      out.push(textToken(state, child.content.slice(from)));
    }
    block.children = out.filter((token) => token.type !== 'text' || token.content !== '');
  });
}
function textToken(state: StateCore, content: string): Token {
  const token = new state.Token('text', '', 0);
  token.content = content;
  return token;
}
function termOpen(state: StateCore, id: string): Token {
  const token = new state.Token('glossary_open', '', 1);
  token.meta = { id };
  return token;
}
md.core.ruler.push('glossary', linkGlossaryTerms);
// The id comes from GLOSSARY (findTerms), never from the source text.
md.renderer.rules.glossary_open = (tokens, at) =>
  `<button type="button" class="term" data-term="${(tokens[at]!.meta as { id: string }).id}" aria-expanded="false">`;
md.renderer.rules.glossary_close = () => '</button>';

export interface RenderOptions {
  /** Link glossary terms (default true); off where no popover can open, such as print. */
  glossary?: boolean;
}

/**
 * Renders Markdown to HTML. Headings are shifted by `headingOffset` (a lesson step's "### Why"
 * becomes an h4 under the page's own headings) and never go below h2 or above h6.
 */
export function renderMarkdown(
  source: string,
  headingOffset = 0,
  { glossary = true }: RenderOptions = {},
): string {
  return md.render(source, { headingOffset, glossary }).trimEnd();
}

/** One line of inline Markdown (no paragraphs), for tests and short labels. */
export function renderInline(text: string, { glossary = true }: RenderOptions = {}): string {
  return md.renderInline(text, { glossary });
}

/** The text of some Markdown without its markup: for titles, aria labels and search. */
export function plainText(source: string): string {
  const words: string[] = [];
  const collect = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.children) collect(token.children);
      else if (token.type === 'text' || token.type === 'code_inline') words.push(token.content);
      else if (token.type === 'softbreak' || token.type === 'hardbreak') words.push(' ');
    }
  };
  collect(md.parseInline(source, {}));
  return words.join('').replace(/\s+/g, ' ').trim();
}

/** markdown-it's block tokens for some Markdown, each with the source lines it came from. */
export function parseMarkdown(source: string): Token[] {
  return md.parse(source, {});
}
