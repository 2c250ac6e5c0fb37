import { LABEL_FONT, STATE_FONT } from './statechart-layout';

/**
 * The statechart's look, scoped to `.statechart` and placed inside its <svg>. Colours are custom
 * properties (`--statechart-*`) falling back to the app's palette, then to literals. The current
 * state is filled with the accent colour and its name turned bold, the transition just taken is
 * thick and in the focus colour, so neither depends on colour alone.
 */
export const STATECHART_CSS = `
.statechart {
  --statechart-current: var(--accent, #1f5f8b);
  --statechart-current-text: var(--accent-contrast, #ffffff);
  --statechart-last: var(--focus, #b35c00);
  --statechart-line: var(--text-muted, #4f5963);
  --statechart-halo: var(--surface, #ffffff);
  font-family: var(--font-sans, system-ui, sans-serif);
}
.statechart text { fill: var(--text, #1d2329); }
.statechart .frame rect {
  fill: none;
  stroke: var(--border, #d5d9dd);
  stroke-width: 2;
}
.statechart .frame.region rect { stroke-dasharray: 6 4; }
.statechart .frame.active rect { stroke: var(--statechart-current); }
.statechart .frame text {
  font-family: var(--font-mono, ui-monospace, monospace);
  font-size: ${STATE_FONT}px;
  font-weight: 600;
  fill: var(--text-muted, #4f5963);
}
.statechart .frame.active text { fill: var(--statechart-current); }
.statechart .state { cursor: pointer; }
.statechart .state rect {
  fill: var(--surface, #ffffff);
  stroke: var(--statechart-line);
  stroke-width: 1.5;
}
.statechart .state.final rect.inner { fill: none; }
.statechart .state .name {
  font-family: var(--font-mono, ui-monospace, monospace);
  font-size: ${STATE_FONT}px;
  text-anchor: middle;
  dominant-baseline: central;
}
.statechart .state .entry {
  font-size: ${LABEL_FONT - 1}px;
  text-anchor: middle;
  fill: var(--text-muted, #4f5963);
}
.statechart .state.previous rect.outer {
  stroke: var(--statechart-last);
  stroke-width: 2.5;
  stroke-dasharray: 5 3;
}
.statechart .state.current rect.outer {
  fill: var(--statechart-current);
  stroke: var(--statechart-current);
  stroke-width: 3;
}
.statechart .state.current .name,
.statechart .state.current .entry {
  fill: var(--statechart-current-text);
  font-weight: 700;
}
.statechart .state.entered .entry { font-weight: 700; fill: var(--statechart-last); }
.statechart .state.current.entered .entry { fill: var(--statechart-current-text); text-decoration: underline; }
.statechart .state:focus { outline: none; }
.statechart .state:focus-visible rect.outer {
  stroke: var(--focus, #b35c00);
  stroke-width: 4;
}
.statechart .initial circle,
.statechart .initial path.head { fill: var(--statechart-line); }
.statechart .initial path.line { stroke: var(--statechart-line); stroke-width: 1.5; fill: none; }
.statechart .edge path.line {
  fill: none;
  stroke: var(--statechart-line);
  stroke-width: 1.5;
}
.statechart .edge path.head { fill: var(--statechart-line); }
.statechart .edge.minor { display: none; }
.statechart .edge.minor.last { display: inline; }
.statechart .edge.last path.line { stroke: var(--statechart-last); stroke-width: 4; }
.statechart .edge.last path.head { fill: var(--statechart-last); }
.statechart .label {
  font-size: ${LABEL_FONT}px;
  font-family: var(--font-mono, ui-monospace, monospace);
  fill: var(--text-muted, #4f5963);
  paint-order: stroke;
  stroke: var(--statechart-halo);
  stroke-width: 4px;
  stroke-linejoin: round;
}
.statechart .label.minor { display: none; }
.statechart .label.minor.last { display: inline; }
.statechart .label.last { fill: var(--statechart-last); font-weight: 700; }
`;
