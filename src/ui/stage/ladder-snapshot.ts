import type { TraceIndex } from '../../scenario/queries';
import { renderLadder } from '../../viz/ladder';
import { snapshotSvg, type SvgSnapshot } from './svg-snapshot';

/**
 * The whole ladder of a session as a file: drawn afresh at the end of the session (nothing faded
 * as still to come, no playhead, no selection), in full however long it is, while the ladder on
 * the page may be scrolled, mid-playback or drawing only the rows in view.
 */
export function snapshotWholeLadder(index: TraceIndex): SvgSnapshot {
  const holder = document.createElement('div');
  holder.setAttribute('aria-hidden', 'true');
  // Off screen but laid out and styled: the snapshot reads computed styles.
  holder.style.cssText = 'position:fixed;left:-100000px;top:0;width:760px;pointer-events:none';
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  holder.append(svg);
  document.body.append(holder);
  try {
    renderLadder(svg, index, index.end);
    return snapshotSvg(svg, { omit: ['.ladder-now', '.ladder-dots', '.ladder-hit'] });
  } finally {
    holder.remove();
  }
}
