import { describe, expect, it } from 'vitest';
import { findTerms, GLOSSARY, glossaryEntry } from '../../src/lessons/glossary';
import { renderInline, renderMarkdown } from '../../src/lessons/markdown';

const term = (id: string, text: string) =>
  `<button type="button" class="term" data-term="${id}" aria-expanded="false">${text}</button>`;

describe('glossary terms in lesson prose', () => {
  it('links the first use of each term in a text, and only the first', () => {
    expect(renderInline('A NEW packet, then another NEW one, seen by conntrack.')).toBe(
      `A ${term('new', 'NEW')} packet, then another NEW one, seen by ${term('conntrack', 'conntrack')}.`,
    );
  });

  it("matches capital words only in capitals: the English word 'new' is not netfilter's NEW", () => {
    expect(renderInline('a new connection')).toBe('a new connection');
  });

  it('links a code span that is exactly a term, not one that only contains it', () => {
    expect(renderInline('`RELATED` and `ESTABLISHED,RELATED`')).toBe(
      `${term('related', '<code>RELATED</code>')} and <code>ESTABLISHED,RELATED</code>`,
    );
  });

  it('leaves headings and links alone', () => {
    expect(renderMarkdown('## The FTP helper\n\n[conntrack](#x) and conntrack')).toBe(
      `<h2>The FTP helper</h2>\n<p><a href="#x">conntrack</a> and ${term('conntrack', 'conntrack')}</p>`,
    );
  });

  it('can be switched off', () => {
    expect(renderInline('NEW', { glossary: false })).toBe('NEW');
  });

  it('finds terms without overlaps, in order', () => {
    const found = findTerms('the FTP helper adds an expectation; DROP or REJECT');
    expect(found.map((m) => m.entry.id)).toEqual(['ftp-helper', 'expectation', 'drop', 'reject']);
  });

  it('has an entry for every see-also, and one id per entry', () => {
    const ids = GLOSSARY.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of GLOSSARY)
      for (const id of entry.seeAlso ?? [])
        expect(glossaryEntry(id), `${entry.id} → ${id}`).toBeDefined();
  });

  it('tells netfilter states from TCP states', () => {
    expect(glossaryEntry('new')!.definition).toMatch(/not TCP's/);
    expect(glossaryEntry('established')!.definition).toMatch(/In TCP/);
  });
});
