// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { findTerms } from '../../src/lessons/glossary';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { indexTrace, type TraceIndex } from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';
import { termsOnDrawingAt } from '../../src/viz/drawing-terms';
import { renderTopology } from '../../src/viz/topology';
import { COMPACT_HEIGHT } from '../../src/viz/topology-layout';

function run(presetId: string, change: Partial<Scenario> = {}): TraceIndex {
  return indexTrace(simulate(networkPreset(presetId)!.apply({ ...defaultScenario(), ...change })));
}

/** The glossary ids found in the text the SVG draws at t (its visible <text>s, not titles). */
const ids = (index: TraceIndex, t: number, height?: number) =>
  termsOnDrawingAt(index, t, { height }).map((term) => term.id);
const end = (index: TraceIndex) => index.events.at(-1)!.t;

function termsDrawn(index: TraceIndex, t: number, height?: number): Set<string> {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  renderTopology(svg, index, t, { height });
  const ids = new Set<string>();
  for (const text of svg.querySelectorAll('text')) {
    const words = text.textContent ?? '';
    for (const match of findTerms(words)) ids.add(match.entry.id);
    if (/\bLISTEN\b/.test(words)) ids.add('tcp-state');
    if (/^expect /.test(words)) ids.add('expectation');
  }
  return ids;
}

describe('termsOnDrawingAt', () => {
  const blocked = run('client-stateful', { mode: 'active' });
  const helper = run('client-nat-helper', { mode: 'active' });

  it('names the firewall badge and the first TCP state at the start, as the drawing writes them', () => {
    // The client's port (SYN_SENT) is written before the server's (LISTEN): one entry, first word.
    expect(termsOnDrawingAt(blocked, 0)).toEqual([
      { id: 'stateful', word: 'stateful' },
      { id: 'tcp-state', word: 'SYN_SENT' },
    ]);
  });

  it('adds DROP once the data connection is stopped, and keeps it to the end', () => {
    const firstDrop = blocked.drops[0]!.t;
    expect(ids(blocked, firstDrop - 1)).not.toContain('drop');
    expect(ids(blocked, firstDrop)).toContain('drop');
    expect(ids(blocked, end(blocked))).toContain('drop');
  });

  it("names the helper's expectation and RELATED while it waits, and NAT's rewrite", () => {
    const added = helper.events.find((e) => e.type === 'expect')!;
    const terms = ids(helper, added.t);
    expect(terms).toEqual(expect.arrayContaining(['nat', 'ftp-helper', 'expectation', 'related']));
    const snat = helper.events.find((e) => e.type === 'nat' && e.kind === 'snat')!;
    expect(ids(helper, snat.t)).toContain('snat');
  });

  it('lists exactly the terms the SVG draws, at every step of several runs', () => {
    for (const index of [blocked, helper, run('server-nat-helper', { mode: 'passive' })]) {
      // Every third event (all of them takes seconds under jsdom), and the end.
      const times = [0, ...index.events.filter((_, i) => i % 3 === 0).map((e) => e.t), end(index)];
      for (const t of times)
        expect(new Set(ids(index, t)), `at ${t}`).toEqual(termsDrawn(index, t));
    }
  });

  it('lists exactly the terms a short (compact) drawing draws, with fewer ports and notes', () => {
    const natted = run('client-nat', { mode: 'active', commands: ['LIST'] });
    for (const t of [0, ...natted.events.map((e) => e.t)])
      expect(new Set(ids(natted, t, COMPACT_HEIGHT)), `at ${t}`).toEqual(
        termsDrawn(natted, t, COMPACT_HEIGHT),
      );
  });
});
