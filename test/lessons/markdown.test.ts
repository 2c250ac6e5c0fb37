import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainText, renderInline, renderMarkdown, safeHref } from '../../src/lessons/markdown';

describe('lesson Markdown', () => {
  it('renders the blocks a lesson uses', () => {
    const html = renderMarkdown(
      [
        '### Why',
        '',
        'A **bold** claim, an *aside* and `PORT 192,0,2,10,195,80`',
        'on two lines.',
        '',
        '- one',
        '- two',
        '  continued',
        '',
        '1. first',
        '2. second',
        '',
        '> quoted',
        '',
        '| p1 | p2 |',
        '|---|---|',
        '| 195 | 80 |',
        '',
        '```text',
        '<b>not bold</b>',
        '```',
      ].join('\n'),
      1,
    );
    expect(html).toBe(
      [
        '<h4>Why</h4>',
        '<p>A <strong>bold</strong> claim, an <em>aside</em> and <code>PORT 192,0,2,10,195,80</code>',
        'on two lines.</p>',
        '<ul>\n<li>one</li>\n<li>two\ncontinued</li>\n</ul>',
        '<ol>\n<li>first</li>\n<li>second</li>\n</ol>',
        '<blockquote>\n<p>quoted</p>\n</blockquote>',
        '<table>\n<thead>\n<tr>\n<th scope="col">p1</th>\n<th scope="col">p2</th>\n</tr>\n</thead>',
        '<tbody>\n<tr>\n<td>195</td>\n<td>80</td>\n</tr>\n</tbody>\n</table>',
        '<pre><code class="language-text">&lt;b&gt;not bold&lt;/b&gt;\n</code></pre>',
      ].join('\n'),
    );
  });

  it('reads what CommonMark reads: entities, nested lists, hard breaks, links with parentheses', () => {
    expect(renderMarkdown('A&mdash;B &amp; C')).toBe('<p>A—B &amp; C</p>');
    expect(renderMarkdown('- outer\n  - inner')).toBe(
      '<ul>\n<li>outer\n<ul>\n<li>inner</li>\n</ul>\n</li>\n</ul>',
    );
    expect(renderMarkdown('one\\\ntwo')).toBe('<p>one<br>\ntwo</p>');
    expect(renderInline('[A (b)](https://example.org/A_(b))')).toBe(
      '<a href="https://example.org/A_(b)">A (b)</a>',
    );
  });

  it('starts a list only where CommonMark does', () => {
    expect(renderMarkdown('curl since 2020 and ftplib since\n2021. They changed')).toBe(
      '<p>curl since 2020 and ftplib since\n2021. They changed</p>',
    );
    expect(renderMarkdown('53240. The data connection')).toBe(
      '<ol start="53240">\n<li>The data connection</li>\n</ol>',
    );
    expect(renderMarkdown('53240\\. The data connection')).toBe(
      '<p>53240. The data connection</p>',
    );
  });

  it('aligns table columns with a class, never an inline style', () => {
    expect(renderMarkdown('| n |\n|--:|\n| 1 |')).toContain('<td class="align-right">1</td>');
  });

  it('keeps snake_case words and lone stars as text', () => {
    expect(renderInline('pasv_address and 2 * 3')).toBe('pasv_address and 2 * 3');
  });

  it('keeps safe links and drops script links', () => {
    expect(renderInline('[RFC 959](https://www.rfc-editor.org/rfc/rfc959)')).toBe(
      '<a href="https://www.rfc-editor.org/rfc/rfc959">RFC 959</a>',
    );
    expect(renderInline('[next](#/lesson/passive-mode/1)')).toBe(
      '<a href="#/lesson/passive-mode/1">next</a>',
    );
    expect(renderInline('[click](javascript:alert(1))')).not.toContain('href');
    expect(renderInline('[click](java\tscript:alert)')).not.toContain('href');
    expect(safeHref('JAVASCRIPT:x')).toBeNull();
    expect(safeHref('data:text/html,x')).toBeNull();
    expect(safeHref('//evil.example/')).toBeNull();
  });

  it('shows HTML in a lesson as text', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">');
    expect(html).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>',
    );
    expect(renderInline('![x](https://evil.example/x.png)')).not.toContain('<img');
  });

  it('never lets any input produce a tag or attribute it did not write itself', () => {
    const allowedTag =
      /^<\/?(p|h[2-6]|strong|em|code|pre|ul|ol|li|blockquote|table|thead|tbody|tr|th|td|a|br|hr|s|button)( (href|class|scope|start|type|data-term|aria-expanded)="[^"<>]*")*>$/;
    const pieces = fc.constantFrom(
      '<',
      '>',
      '"',
      "'",
      '&',
      '`',
      '*',
      '_',
      '[',
      ']',
      '(',
      ')',
      '#',
      '-',
      '|',
      '\n',
      ' ',
      'script',
      'onerror=',
      'javascript:',
      'a',
      '1. ',
      '> ',
      '```',
      'http://x',
      '![',
      '&#60;',
      '&lt;',
      '\\',
      '<http://x>',
      '<javascript:x>',
      '~~',
      '    ',
      'NEW',
      'RELATED',
      'conntrack',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), (parts) => {
        const html = renderMarkdown(parts.join(''));
        for (const tag of html.match(/<[^>]*>/g) ?? []) expect(tag).toMatch(allowedTag);
        expect(html).not.toMatch(/href="\s*javascript/i);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives plain text for labels', () => {
    expect(plainText('The **server** sends `227` ([why](#x))')).toBe('The server sends 227 (why)');
  });
});
