import { findTerms } from '../lessons/glossary';
import { dropsUpTo, openPortsAt, type TraceIndex } from '../scenario/queries';
import type { NodeId } from '../scenario/trace';
import { verdictLabel } from './connections';
import { routerNotesAt } from './router-notes';
import { noteSlots } from './topology';
import { computeLayout, DEFAULT_HEIGHT, DEFAULT_WIDTH } from './topology-layout';

/**
 * The glossary terms the network view shows at t (issue 16), in the order a reader meets them:
 * the routers' badges ("stateful", "NAT", "FTP helper"), the ports' states ("LISTEN"), the
 * verdicts on stopped packets ("DROP"), and the notes beside each router ("expect … ← RELATED",
 * "SNAT …"). A pure function of (index, t), read from the same queries the drawing uses, so the
 * list beside the drawing names only words that are on it.
 */

const HOSTS: readonly NodeId[] = ['client', 'server'];

interface Layout {
  readonly badges: readonly string[];
  readonly maxPortRows: number;
  /** Each node that has notes written beside it, and how many lines there is room for. */
  readonly noteLines: readonly { node: NodeId; lines: number }[];
}

/** What the layout at a size decides about words: the badges, and how many rows fit. */
const layoutMemo = new WeakMap<TraceIndex, Map<string, Layout>>();

function layoutOf(index: TraceIndex, width: number, height: number): Layout {
  let bySize = layoutMemo.get(index);
  if (!bySize) {
    bySize = new Map();
    layoutMemo.set(index, bySize);
  }
  const size = `${width}x${height}`;
  let found = bySize.get(size);
  if (!found) {
    const layout = computeLayout(index, width, height);
    found = {
      badges: layout.nodes.flatMap((node) => node.badges.map((badge) => badge.text)),
      maxPortRows: layout.maxPortRows,
      noteLines: noteSlots(layout),
    };
    bySize.set(size, found);
  }
  return found;
}

/** The words written on the drawing at t that might be glossary terms. */
function textsAt(index: TraceIndex, t: number, layout: Layout): string[] {
  const words = [...layout.badges];
  const { maxPortRows } = layout;
  for (const host of HOSTS) {
    const states = openPortsAt(index, host, t).flatMap((port) => port.sockets.map((s) => s.state));
    // As the drawing does: past the rows there is room for, the last row reads "+N more".
    words.push(...(states.length <= maxPortRows ? states : states.slice(0, maxPortRows - 1)));
  }
  for (const drop of dropsUpTo(index, t)) words.push(verdictLabel(drop));
  for (const { node, lines } of layout.noteLines)
    for (const note of routerNotesAt(index, node, t).slice(0, lines)) words.push(note.text);
  return words;
}

export interface DrawingTerm {
  /** A GLOSSARY id (src/lessons/glossary.ts). */
  readonly id: string;
  /** The word as the drawing writes it ("stateful", "LISTEN", "expect"). */
  readonly word: string;
}

/**
 * "LISTEN" is a TCP state, but the glossary's matcher for TCP's states names only the transient
 * ones (so that prose saying "listen" is not linked): the port list's LISTEN opens that entry too.
 * "expect …" is the helper's expectation, in the drawing's shorthand.
 */
function termsIn(text: string): DrawingTerm[] {
  const terms = findTerms(text).map((match) => ({
    id: match.entry.id,
    word: text.slice(match.start, match.end),
  }));
  if (/^expect /.test(text)) terms.unshift({ id: 'expectation', word: 'expect' });
  if (/\bLISTEN\b/.test(text)) terms.push({ id: 'tcp-state', word: 'LISTEN' });
  return terms;
}

/**
 * Each glossary term the drawing shows at t, once, under the word it first appears as. The size
 * is the drawing's (viewBox units): a shorter one has room for fewer ports and notes.
 */
export function termsOnDrawingAt(
  index: TraceIndex,
  t: number,
  { width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT }: { width?: number; height?: number } = {},
): readonly DrawingTerm[] {
  const found = new Map<string, DrawingTerm>();
  for (const text of textsAt(index, t, layoutOf(index, width, height)))
    for (const term of termsIn(text)) if (!found.has(term.id)) found.set(term.id, term);
  return [...found.values()];
}
