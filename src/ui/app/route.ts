/**
 * Which page the address asks for. Share links of the sandbox keep their old form (`#s=...`);
 * the course, lessons and presenter mode live under `#/`:
 *
 *   #/sandbox                     the sandbox with its starting network
 *   #/lessons                     the course page
 *   #/lesson/active-mode/3        a lesson at its third step (steps count from 1 in links)
 *   #/present/active-mode/3       the same step in presenter mode
 *   #/notes/active-mode/3         the teacher's notes window that follows the presenter
 *   #/deck/nat:2,active-mode:3    a deck: steps picked from any lessons (course/deck.ts)
 *   #/present-deck/<deck>/2       the deck's second step in presenter mode; notes-deck: its notes
 *   #/recording                   a real session recorded by `npm run record`, replayed
 *   #/summary                     the course on one printable page
 *   #/embed/z=...&t=...           the stage alone, for an iframe in a course page: the same state
 *                                 as a share link after "/embed/"
 */
export type Route =
  | { page: 'sandbox'; hash: string }
  | { page: 'course' }
  | { page: 'recording' }
  | { page: 'embed'; hash: string }
  | { page: 'summary' }
  | { page: 'lesson' | 'present' | 'notes'; lessonId: string; step: number }
  | { page: 'deck'; deck: string }
  | { page: 'present-deck' | 'notes-deck'; deck: string; step: number }
  | { page: 'unknown'; hash: string };

const LESSON_PAGES = ['lesson', 'present', 'notes'] as const;

/** A path segment with its %-escapes read, or null for a broken one ("%", "caf%C3"). */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Never throws: an address that is not a page of the app (even a malformed one) is `unknown`. */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  if (!text.startsWith('/')) return { page: 'sandbox', hash: text };
  // The share link's own text after "/embed/", read by the link's decoder, not split here.
  const embed = /^\/embed(?:\/(.*))?$/s.exec(text);
  if (embed) return { page: 'embed', hash: embed[1] ?? '' };
  const decoded = text.slice(1).split('/').filter(Boolean).map(decodeSegment);
  if (decoded.includes(null)) return { page: 'unknown', hash: text };
  const parts = decoded as string[];
  if (parts.length === 1 && parts[0] === 'sandbox') return { page: 'sandbox', hash: '' };
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'lessons'))
    return { page: 'course' };
  if (parts.length === 1 && parts[0] === 'recording') return { page: 'recording' };
  if (parts.length === 1 && parts[0] === 'summary') return { page: 'summary' };
  if (parts[0] === 'deck' && parts.length <= 2) return { page: 'deck', deck: parts[1] ?? '' };
  const [page, lessonId, stepText] = parts;
  if ((page === 'present-deck' || page === 'notes-deck') && lessonId && parts.length <= 3) {
    const step = stepText === undefined ? 1 : Number(stepText);
    if (Number.isInteger(step) && step >= 1) return { page, deck: lessonId, step: step - 1 };
  }
  if ((LESSON_PAGES as readonly string[]).includes(page!) && lessonId && parts.length <= 3) {
    const step = stepText === undefined ? 1 : Number(stepText);
    if (Number.isInteger(step) && step >= 1)
      return { page: page as (typeof LESSON_PAGES)[number], lessonId, step: step - 1 };
  }
  return { page: 'unknown', hash: text };
}

/** The link to a lesson page at a step (0-based here, 1-based in the link). */
export function lessonHref(
  page: 'lesson' | 'present' | 'notes',
  lessonId: string,
  step: number,
): string {
  return `#/${page}/${encodeURIComponent(lessonId)}/${step + 1}`;
}

/** A deck's page, or one of its steps (0-based) presented or in the notes window. */
export function deckHref(
  page: 'deck' | 'present-deck' | 'notes-deck',
  deck: string,
  step = 0,
): string {
  if (page === 'deck') return deck ? `#/deck/${deck}` : '#/deck';
  return `#/${page}/${deck}/${step + 1}`;
}

export const COURSE_HREF = '#/lessons';
/** The sandbox with its starting network. */
export const SANDBOX_HREF = '#/sandbox';
/** The embed address of a share link's fragment (`z=...&t=...`, without the '#'). */
export function embedHref(fragment: string): string {
  return `#/embed/${fragment.replace(/^#/, '')}`;
}

/** The replay of a real session's recording. */
export const RECORDING_HREF = '#/recording';
/** The course on one printable page. */
export const SUMMARY_HREF = '#/summary';
