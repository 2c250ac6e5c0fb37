/**
 * The one playback keymap: which key plays, pauses, steps and jumps, wherever a session is
 * played (the sandbox, a lesson, the Real session page). The player's button titles and the
 * shortcuts help read the same table, so what a tooltip promises is what the key does.
 */

export type PlaybackAction = 'toggle' | 'next' | 'previous' | 'start' | 'end';

export const PLAYBACK_KEYS: Record<PlaybackAction, { keys: string[]; shown: string }> = {
  toggle: { keys: ['k', 'K', ' '], shown: 'K or Space' },
  next: { keys: ['ArrowRight'], shown: '→' },
  previous: { keys: ['ArrowLeft'], shown: '←' },
  start: { keys: ['Home'], shown: 'Home' },
  end: { keys: ['End'], shown: 'End' },
};

/** Where typing happens: K is a letter there, not Play. */
const TYPES_TEXT =
  'input[type="text"], input[type="number"], input[type="search"], input:not([type]), textarea, [contenteditable], dialog[open]';
/** Where the arrows, Home, End and Space already mean something to the focused control. */
const CLAIMS_KEYS = 'input, select, textarea, [contenteditable], dialog[open], [role="tablist"]';
/** Where Space presses the focused control. */
const PRESSES_ON_SPACE = 'button, [role="button"], summary, a';

interface Closest {
  closest(selector: string): unknown;
}

function hasClosest(target: unknown): target is Closest {
  return typeof (target as Partial<Closest> | null)?.closest === 'function';
}

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
  target: EventTarget | null;
}

/**
 * What a key pressed anywhere on the page asks of playback, or null when it belongs to someone
 * else. K plays and pauses wherever the focus is except where it types, as in video players;
 * Space does only where no focused checkbox, button or link claims it.
 */
export function playbackKeyAction(event: KeyLike): PlaybackAction | null {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = hasClosest(event.target) ? event.target : null;
  if (event.key === 'k' || event.key === 'K') return target?.closest(TYPES_TEXT) ? null : 'toggle';
  if (target?.closest(CLAIMS_KEYS)) return null;
  if (event.key === ' ') return target?.closest(PRESSES_ON_SPACE) ? null : 'toggle';
  for (const action of ['next', 'previous', 'start', 'end'] as const)
    if (PLAYBACK_KEYS[action].keys.includes(event.key)) return action;
  return null;
}

/** "Next event (→)": a control's title with the key that does the same. */
export function withKey(label: string, action: PlaybackAction): string {
  return `${label} (${PLAYBACK_KEYS[action].shown})`;
}
