import { findTerms } from '../lessons/glossary';
import { dropsUpTo, openPortsAt, type TraceIndex } from '../scenario/queries';
import type { NodeId } from '../scenario/trace';
import { verdictLabel } from './connections';
import { routerNotesAt } from './router-notes';
import { computeLayout, DEFAULT_HEIGHT, DEFAULT_WIDTH } from './topology-layout';

/**
 * The glossary terms the network view shows at t (issue 16), in the order a reader meets them:
 * the routers' badges ("stateful", "NAT", "FTP helper"), the ports' states ("LISTEN"), the
 * verdicts on stopped packets ("DROP"), and the notes beside each router ("expect … ← RELATED",
 * "SNAT …"). A pure function of (index, t), read from the same queries the drawing uses, so the
 * list beside the drawing names only words that are on it.
 */

const ROUTERS: readonly NodeId[] = ['client-router', 'server-router'];
const HOSTS: readonly NodeId[] = ['client', 'server'];

/** Badges do not change with t or with the drawing's size. */
const badgeMemo = new WeakMap<TraceIndex, readonly string[]>();

function badgeTexts(index: TraceIndex): readonly string[] {
  let texts = badgeMemo.get(index);
  if (!texts) {
    const layout = computeLayout(index, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    texts = layout.nodes.flatMap((node) => node.badges.map((badge) => badge.text));
    badgeMemo.set(index, texts);
  }
  return texts;
}

/** The words written on the drawing at t that might be glossary terms. */
function textsAt(index: TraceIndex, t: number): string[] {
  const words = [...badgeTexts(index)];
  for (const host of HOSTS)
    for (const port of openPortsAt(index, host, t))
      for (const socket of port.sockets) words.push(socket.state);
  for (const drop of dropsUpTo(index, t)) words.push(verdictLabel(drop));
  for (const router of ROUTERS)
    for (const note of routerNotesAt(index, router, t)) words.push(note.text);
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

/** Each glossary term the drawing shows at t, once, under the word it first appears as. */
export function termsOnDrawingAt(index: TraceIndex, t: number): readonly DrawingTerm[] {
  const found = new Map<string, DrawingTerm>();
  for (const text of textsAt(index, t))
    for (const term of termsIn(text)) if (!found.has(term.id)) found.set(term.id, term);
  return [...found.values()];
}
