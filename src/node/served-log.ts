import type { UntimedEvent } from './sockets';

/**
 * A session's log with repeats held back (issue 11 item 4): a client that sends the same line
 * thousands of times a second got each line and each reply printed, and the server's log grew by
 * megabytes a second. Of lines alike (the same speaker and text, or the same note), the first
 * REPEATS_SHOWN in each window of REPEAT_WINDOW_MS are logged; the rest are counted, and one note
 * per kind of line says how many were left out when the window closes. Data connections' events
 * are always logged. At most MAX_TRACKED kinds of line are counted per window; lines beyond them
 * are logged as they are (they are all different, so not a repeat).
 */

export const REPEATS_SHOWN = 10;
export const REPEAT_WINDOW_MS = 1000;
const MAX_TRACKED = 256;
/** Of a line, at most this much is compared and quoted. */
const QUOTED_CHARS = 80;

export interface RepeatLimitedLog {
  log(event: UntimedEvent): void;
  /** Logs the notes for what the current window held back; call when the session ends. */
  flush(): void;
}

/** What makes two events alike: their printed line, of a long one its start and its length. */
function likeness(event: UntimedEvent): string | null {
  let line: string;
  if (event.kind === 'line') line = `${event.from === 'client' ? 'C' : 'S'}: ${event.text}`;
  else if (event.kind === 'note') line = `-- ${event.text}`;
  else return null;
  return line.length > QUOTED_CHARS ? `${line.slice(0, QUOTED_CHARS)}… (${line.length})` : line;
}

export function repeatLimitedLog(
  log: (event: UntimedEvent) => void,
  now: () => number = () => performance.now(),
): RepeatLimitedLog {
  let windowStart = now();
  const seen = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    for (const [line, count] of seen) {
      if (count <= REPEATS_SHOWN) continue;
      log({ kind: 'note', text: `${count - REPEATS_SHOWN} more like this not shown: ${line}` });
    }
    seen.clear();
    windowStart = now();
  };

  return {
    flush,
    log: (event) => {
      if (now() - windowStart >= REPEAT_WINDOW_MS) flush();
      const line = likeness(event);
      if (line === null) {
        log(event);
        return;
      }
      const count = seen.get(line);
      if (count === undefined) {
        if (seen.size < MAX_TRACKED) seen.set(line, 1);
        log(event);
        return;
      }
      seen.set(line, count + 1);
      if (count < REPEATS_SHOWN) {
        log(event);
        return;
      }
      // The first line held back: its note is due when the window closes, even if the session
      // then falls silent.
      if (timer === null) {
        timer = setTimeout(flush, Math.max(0, windowStart + REPEAT_WINDOW_MS - now()));
        timer.unref();
      }
    },
  };
}
