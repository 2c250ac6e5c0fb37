/**
 * Presenter mode's keys, in one place: the projected window and the notes window read the same
 * map, and both show the same help. A clicker sends PageDown/PageUp (some send B or . to blank);
 * ← and → step through the run's events as in the sandbox, so a teacher can stop on the drop.
 */
/** What the stage shows; V cycles through them in this order. */
export const STAGE_VIEWS = ['network', 'ladder', 'tables'] as const;
export type StageView = (typeof STAGE_VIEWS)[number];

export type PresenterCommand =
  | 'next-step'
  | 'previous-step'
  | 'next-event'
  | 'previous-event'
  | 'play'
  | 'run-start'
  | 'run-end'
  | 'reveal'
  | 'cycle-view'
  | 'zoom'
  | 'blank'
  | 'scroll-down'
  | 'scroll-up'
  | 'notes'
  | 'fullscreen'
  | 'help';

const KEYS: Record<string, PresenterCommand> = {
  PageDown: 'next-step',
  PageUp: 'previous-step',
  ArrowRight: 'next-event',
  ArrowLeft: 'previous-event',
  ' ': 'play',
  k: 'play',
  Home: 'run-start',
  End: 'run-end',
  a: 'reveal',
  v: 'cycle-view',
  z: 'zoom',
  b: 'blank',
  '.': 'blank',
  ArrowDown: 'scroll-down',
  ArrowUp: 'scroll-up',
  n: 'notes',
  f: 'fullscreen',
  '?': 'help',
};

/** The command a key stands for, or null; letters in either case. */
export function presenterCommand(key: string): PresenterCommand | null {
  return KEYS[key.length === 1 ? key.toLowerCase() : key] ?? null;
}

/** Commands the notes window passes on to the projected one (the rest act on the window itself). */
export const REMOTE_COMMANDS: readonly PresenterCommand[] = [
  'next-step',
  'previous-step',
  'next-event',
  'previous-event',
  'play',
  'run-start',
  'run-end',
  'reveal',
  'cycle-view',
  'zoom',
  'blank',
  'scroll-down',
  'scroll-up',
];

/** For the on-screen help, the notes window and the README: key names and what they do. */
export const PRESENTER_SHORTCUTS: readonly [string, string][] = [
  ['PageDown / PageUp', 'Next / previous step (a clicker)'],
  ['→ / ←', 'Next / previous event in the run (stop exactly on the drop)'],
  ['Space or K', 'Play or pause'],
  ['Home / End', 'Start / end of the run'],
  ['V', 'Show the network, the ladder or the tables'],
  ['Z', 'Zoom the network view to fill the screen, or back'],
  ['A', "Reveal the answer, or hide it again (playing to the end doesn't)"],
  ['↓ / ↑', "Scroll the step's text"],
  ['B or .', 'Blank the screen, or show it again'],
  ['N', 'Open the notes window'],
  ['F', 'Full screen'],
  ['?', 'Show or hide this help'],
];
