/**
 * The ladder's look, scoped to `.ladder`. Every colour is a custom property a theme can set
 * (--ladder-control, --ladder-data, --ladder-icmp, --ladder-rst, --ladder-drop, --ladder-now, ...),
 * falling back to the app's own tokens and then to a literal, so the SVG also reads on its own.
 */
export const LADDER_CSS = `
.ladder { font-family: var(--font-sans, sans-serif); font-size: 11.5px; }
.ladder text { fill: var(--ladder-text, var(--text, #1d2329)); }
.ladder .kind-control { --ladder-colour: var(--ladder-control, var(--accent, #1f5f8b)); }
.ladder .kind-data { --ladder-colour: var(--ladder-data, var(--ok, #2e7d32)); }
.ladder .kind-icmp { --ladder-colour: var(--ladder-icmp, var(--warn, #9a6700)); }
.ladder .kind-rst { --ladder-colour: var(--ladder-rst, var(--error, #b3261e)); }
.ladder .ladder-heading { font-size: 13.5px; font-weight: 600; text-anchor: middle; }
.ladder .ladder-header-band { fill: var(--ladder-halo, var(--surface, #ffffff)); }
.ladder .ladder-lane-line { stroke: var(--ladder-lane, var(--border, #d5d9dd)); stroke-width: 2; }
.ladder .ladder-tick { fill: var(--ladder-muted, var(--text-muted, #4f5963)); font-size: 11px; text-anchor: end; }
.ladder .ladder-break-band { fill: var(--ladder-break, var(--surface, #ffffff)); }
.ladder .ladder-break-edge { stroke: var(--ladder-lane, var(--border, #d5d9dd)); stroke-dasharray: 4 4; }
.ladder .ladder-break-text { fill: var(--ladder-muted, var(--text-muted, #4f5963)); font-style: italic; text-anchor: middle; dominant-baseline: middle; }
.ladder .ladder-packet { cursor: pointer; }
.ladder .ladder-hit { stroke: transparent; stroke-width: 10; pointer-events: stroke; }
.ladder .ladder-shaft { stroke: var(--ladder-colour); stroke-width: 1.5; }
.ladder .ladder-head { fill: var(--ladder-colour); }
.ladder .ladder-label { cursor: pointer; }
.ladder .ladder-label-box { fill: var(--ladder-halo, var(--surface, #ffffff)); opacity: 0.85; }
.ladder .ladder-label-text { fill: var(--ladder-colour); font-family: var(--font-mono, monospace); font-size: 11.5px; }
.ladder .future { opacity: var(--ladder-future-opacity, 0.28); }
.ladder .in-flight .ladder-shaft { stroke-width: 2.5; }
.ladder .selected .ladder-shaft { stroke-width: 3.5; }
.ladder .selected .ladder-label-text { font-weight: 700; }
.ladder .ladder-packet:focus { outline: none; }
.ladder .ladder-packet:focus-visible .ladder-hit { stroke: var(--ladder-focus, var(--focus, #b35c00)); stroke-width: 6; }
.ladder .ladder-drop { cursor: pointer; }
.ladder .ladder-drop-mark,
.ladder .ladder-drop-rule {
  fill: var(--ladder-drop, var(--error, #b3261e));
  font-weight: 700;
  dominant-baseline: middle;
  paint-order: stroke;
  stroke: var(--ladder-halo, var(--surface, #ffffff));
  stroke-width: 3px;
}
.ladder .ladder-drop-mark { font-size: 16px; }
.ladder .ladder-dot { fill: var(--ladder-colour); stroke: var(--ladder-halo, var(--surface, #ffffff)); stroke-width: 1.5; }
.ladder .ladder-now-line { stroke: var(--ladder-now, var(--focus, #b35c00)); stroke-width: 1.5; stroke-dasharray: 6 3; }
.ladder .ladder-now-text { fill: var(--ladder-now, var(--focus, #b35c00)); font-size: 11px; font-weight: 600; }
`;
