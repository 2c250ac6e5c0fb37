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
        '<p>A <strong>bold</strong> claim, an <em>aside</em> and <code>PORT 192,0,2,10,195,80</code> on two lines.</p>',
        '<ul><li>one</li><li>two continued</li></ul>',
        '<ol><li>first</li><li>second</li></ol>',
        '<blockquote><p>quoted</p></blockquote>',
        '<table><thead><tr><th scope="col">p1</th><th scope="col">p2</th></tr></thead><tbody><tr><td>195</td><td>80</td></tr></tbody></table>',
        '<pre><code class="language-text">&lt;b&gt;not bold&lt;/b&gt;</code></pre>',
      ].join('\n'),
    );
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
  });

  it('never lets any input produce a tag or attribute it did not write itself', () => {
    const allowedTag =
      /^<\/?(p|h[2-6]|strong|em|code|pre|ul|ol|li|blockquote|table|thead|tbody|tr|th|td|a)( (href|class|scope|start)="[^"<>]*")*>$/;
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
