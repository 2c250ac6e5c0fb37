/**
 * How the learner reads a time, in every view, text and tool: one function, with a named style
 * for each genuinely different use, so that the same moment is never written two ways.
 *
 * The other words shared by every view live where the lower layers can reach them: a firewall
 * rule's wording is `ruleLabel` (network/firewall, re-exported by scenario/trace), an endpoint's is
 * `formatEndpoint` (protocol/endpoint).
 */

/**
 * - `'clock'` (the default): a moment on the virtual clock, or a span the stage measures, at the
 *   resolution each scale needs: "0.0 ms", "307.6 ms", "1.500 s", "60.353 s". The player's clock,
 *   the ladder's time axis, the state panel and the screen reader's "At ..." all use it.
 * - `'duration'`: a span said in a sentence, rounded as a person would say it: "450 ms",
 *   "1.5 s", "5 s", "60 s", "134 s" (whole milliseconds below a second, tenths below ten
 *   seconds, whole seconds above; no trailing ".0"). The outcome, lesson feedback, a capture's
 *   diagnosis and the ladder's folded waits use it.
 * - `'precise'`: a real recording's moment, whose timestamps are microseconds: "0.250 ms",
 *   "307.600 ms", "1.500 s"; three decimals keep apart packets a loopback sends microseconds apart.
 * - `'seconds'`: bare seconds with three decimals and no unit, "60.352", for a column whose
 *   heading or line names the unit (the text transcript's left column, lined up by width).
 */
export type TimeStyle = 'clock' | 'duration' | 'precise' | 'seconds';

export function formatTime(ms: number, style: TimeStyle = 'clock'): string {
  switch (style) {
    case 'clock':
      return Math.abs(ms) < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(3)} s`;
    case 'precise':
      return Math.abs(ms) < 1000 ? `${ms.toFixed(3)} ms` : `${(ms / 1000).toFixed(3)} s`;
    case 'seconds':
      return (ms / 1000).toFixed(3);
    case 'duration':
      return duration(ms);
  }
}

function duration(ms: number): string {
  const wholeMs = Math.round(ms);
  if (Math.abs(wholeMs) < 1000) return `${wholeMs} ms`;
  const seconds = ms / 1000;
  // Tenths below ten seconds; 9.96 s rounds up to "10 s", not "10.0 s".
  const rounded = Math.abs(seconds) < 9.95 ? Math.round(seconds * 10) / 10 : Math.round(seconds);
  return `${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)} s`;
}
