/**
 * Lesson prose to HTML. Only the Markdown a lesson needs: headings, paragraphs, lists, quotes,
 * fenced code, simple tables, and inline code, bold, italics and links. Safe by construction:
 * every character of the source reaches the output escaped, no raw HTML passes through, and a link
 * is kept only for http(s), mailto, in-page (#) and relative targets, so a lesson file cannot
 * inject a script or an event handler into the page.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A link target a lesson may use; anything else (javascript:, data:, vbscript:...) is dropped. */
export function safeHref(href: string): string | null {
  // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
  let compact = '';
  for (const c of href) if (c.charCodeAt(0) > 0x20 && c.charCodeAt(0) !== 0x7f) compact += c;
  if (compact === '') return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact);
  if (!scheme) return compact.startsWith('//') ? null : compact;
  return ['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase()) ? compact : null;
}

/** Inline Markdown of one block's text (already joined), escaped. */
export function renderInline(text: string): string {
  let out = '';
  let at = 0;
  while (at < text.length) {
    const c = text[at]!;
    if (c === '\\' && at + 1 < text.length && /[\\`*_[\]()#+\-.!|>]/.test(text[at + 1]!)) {
      out += escapeHtml(text[at + 1]!);
      at += 2;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', at + 1);
      if (end > at) {
        out += `<code>${escapeHtml(text.slice(at + 1, end))}</code>`;
        at = end + 1;
        continue;
      }
    }
    if ((c === '*' || c === '_') && text[at + 1] === c) {
      const end = text.indexOf(c + c, at + 2);
      if (end > at + 2) {
        out += `<strong>${renderInline(text.slice(at + 2, end))}</strong>`;
        at = end + 2;
        continue;
      }
    }
    if ((c === '*' || c === '_') && text[at + 1] !== ' ' && text[at + 1] !== undefined) {
      const wordStart = c === '*' || at === 0 || !/\w/.test(text[at - 1]!);
      const end = findClosingEmphasis(text, c, at + 1);
      if (wordStart && end > at + 1) {
        out += `<em>${renderInline(text.slice(at + 1, end))}</em>`;
        at = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const link = /^\[([^\]]+)\]\(([^()\s]*)\)/.exec(text.slice(at));
      if (link) {
        const href = safeHref(link[2]!);
        const label = renderInline(link[1]!);
        out += href === null ? label : `<a href="${escapeHtml(href)}">${label}</a>`;
        at += link[0].length;
        continue;
      }
    }
    out += escapeHtml(c);
    at++;
  }
  return out;
}

function findClosingEmphasis(text: string, marker: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) {
    if (text[i] === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i) i = end;
      continue;
    }
    if (text[i] === marker && text[i - 1] !== ' ' && text[i + 1] !== marker) {
      if (marker === '_' && i + 1 < text.length && /\w/.test(text[i + 1]!)) continue;
      return i;
    }
  }
  return -1;
}

const FENCE = /^(`{3,}|~{3,})\s*([\w-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

function tableCells(line: string): string[] {
  const trimmed = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < trimmed.length; i++) {
    if (trimmed[i] === '\\' && trimmed[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (trimmed[i] === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += trimmed[i];
  }
  cells.push(cell.trim());
  return cells;
}

/**
 * Renders Markdown to HTML. Headings are shifted by `headingOffset` (a lesson step's "### Why"
 * becomes an h4 under the page's own headings) and never go below h2 or above h6.
 */
export function renderMarkdown(source: string, headingOffset = 0): string {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const html: string[] = [];
  let i = 0;
  const isBlockStart = (line: string) =>
    FENCE.test(line) ||
    HEADING.test(line) ||
    BULLET.test(line) ||
    NUMBERED.test(line) ||
    QUOTE.test(line);

  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.startsWith(fence[1]!)) body.push(lines[i++]!);
      i++;
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : '';
      html.push(`<pre><code${lang}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(6, Math.max(2, heading[1]!.length + headingOffset));
      html.push(`<h${level}>${renderInline(heading[2]!)}</h${level}>`);
      i++;
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]!)) {
      const head = tableCells(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.includes('|') && lines[i]!.trim() !== '')
        rows.push(tableCells(lines[i++]!));
      const th = head.map((c) => `<th scope="col">${renderInline(c)}</th>`).join('');
      const body = rows
        .map(
          (row) =>
            `<tr>${head.map((_, col) => `<td>${renderInline(row[col] ?? '')}</td>`).join('')}</tr>`,
        )
        .join('');
      html.push(`<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`);
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) body.push(QUOTE.exec(lines[i++]!)![1]!);
      html.push(`<blockquote>${renderMarkdown(body.join('\n'), headingOffset)}</blockquote>`);
      continue;
    }
    const bullet = BULLET.test(line);
    const numbered = NUMBERED.exec(line);
    if (bullet || numbered) {
      const pattern = bullet ? BULLET : NUMBERED;
      const items: string[] = [];
      while (i < lines.length) {
        const current = lines[i]!;
        const match = pattern.exec(current);
        if (match) {
          items.push(match[match.length - 1]!);
          i++;
        } else if (current.trim() !== '' && /^\s+/.test(current) && !isBlockStart(current)) {
          items[items.length - 1] += ` ${current.trim()}`;
          i++;
        } else break;
      }
      const tag = bullet ? 'ul' : 'ol';
      const start = numbered && numbered[1] !== '1' ? ` start="${Number(numbered[1])}"` : '';
      html.push(
        `<${tag}${start}>${items.map((item) => `<li>${renderInline(item.trim())}</li>`).join('')}</${tag}>`,
      );
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !isBlockStart(lines[i]!)) {
      if (
        lines[i]!.includes('|') &&
        i + 1 < lines.length &&
        TABLE_RULE.test(lines[i + 1]!) &&
        paragraph.length > 0
      )
        break;
      paragraph.push(lines[i++]!.trim());
    }
    html.push(`<p>${renderInline(paragraph.join(' '))}</p>`);
  }
  return html.join('\n');
}

/** The text of some Markdown without its markup: for titles, aria labels and search. */
export function plainText(source: string): string {
  return source
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/[*_]([^*_]+)[*_]/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}
