/**
 * The network view's stylesheet, placed inside its <svg> so the view is complete wherever it is
 * mounted. Every colour is a custom property (`--topology-*`) that falls back to the app's
 * palette (app.css) and only then to a literal, so a theme or presenter mode can restyle it.
 * Text over lines and packets gets a halo in the surface colour (paint-order) to stay readable.
 */
export const TOPOLOGY_CSS = `
.topology {
  --topology-control: var(--accent, #1f5f8b);
  --topology-data: var(--ok, #2e7d32);
  --topology-icmp: var(--warn, #9a6700);
  --topology-rst: var(--error, #b3261e);
  --topology-firewall: var(--error, #b3261e);
  --topology-halo: var(--surface, #ffffff);
  font-family: var(--font-sans, system-ui, sans-serif);
}
.topology text { fill: var(--text, #1d2329); }
.topology .link { stroke: var(--border, #d5d9dd); stroke-width: 5; stroke-linecap: round; }
.topology .link.busy { stroke: var(--topology-link-busy, var(--text-muted, #4f5963)); }
.topology.reduced-motion .link.busy {
  stroke: var(--topology-link-busy, var(--accent, #1f5f8b));
  stroke-width: 10;
}
.topology .icon-body {
  fill: var(--surface, #ffffff);
  stroke: var(--text-muted, #4f5963);
  stroke-width: 3;
}
.topology .icon-detail { fill: none; stroke: var(--text-muted, #4f5963); stroke-width: 3; }
.topology .kind-firewall .icon-body {
  fill: var(--topology-firewall-fill, var(--surface, #ffffff));
  stroke: var(--topology-firewall);
  stroke-width: 4;
}
.topology .kind-firewall .icon-detail { stroke: var(--topology-firewall); stroke-width: 2.5; }
.topology .node-name { font-size: 22px; font-weight: 700; text-anchor: middle; }
.topology .address,
.topology .port {
  font-family: var(--font-mono, ui-monospace, monospace);
  font-size: 17px;
  text-anchor: middle;
}
.topology .address { fill: var(--text-muted, #4f5963); }
.topology .ports-heading {
  font-size: 15px;
  text-anchor: middle;
  fill: var(--text-muted, #4f5963);
}
.topology .port.listening { font-weight: 700; }
.topology .port.more { fill: var(--text-muted, #4f5963); }
.topology .badge rect { fill: var(--topology-badge, var(--accent, #1f5f8b)); }
.topology .badge.badge-firewall rect { fill: var(--topology-firewall); }
.topology .badge.badge-helper rect { fill: var(--topology-helper, var(--text-muted, #4f5963)); }
.topology .badge text {
  font-size: 14px;
  font-family: var(--font-mono, ui-monospace, monospace);
  text-anchor: middle;
  fill: var(--accent-contrast, #ffffff);
}
.topology .packet { cursor: default; }
.topology.selectable .packet { cursor: pointer; }
.topology .packet.kind-control { --packet-colour: var(--topology-control); }
.topology .packet.kind-data { --packet-colour: var(--topology-data); }
.topology .packet.kind-icmp { --packet-colour: var(--topology-icmp); }
.topology .packet.kind-rst { --packet-colour: var(--topology-rst); }
.topology .packet .body {
  fill: var(--packet-colour, var(--accent, #1f5f8b));
  stroke: var(--topology-halo);
  stroke-width: 2;
}
.topology .packet .label {
  font-family: var(--font-mono, ui-monospace, monospace);
  font-size: 15px;
  text-anchor: middle;
  fill: var(--topology-packet-text, var(--accent-contrast, #ffffff));
}
.topology .drop text { fill: var(--topology-rst); }
.topology .drop .mark { font-size: 60px; font-weight: 700; text-anchor: middle; }
.topology .drop .mark,
.topology .node-name,
.topology .ports-heading,
.topology .port,
.topology .address {
  paint-order: stroke;
  stroke: var(--topology-halo);
  stroke-width: 4px;
  stroke-linejoin: round;
}
.topology .drop .verdict {
  font-family: var(--font-mono, ui-monospace, monospace);
  font-size: 15px;
  font-weight: 700;
}
.topology .stopped .body { stroke: var(--topology-rst); stroke-width: 3; }
.topology .connection { --conn-colour: var(--topology-control); }
.topology .connection.channel-data { --conn-colour: var(--topology-data); }
.topology .connection .track {
  stroke: var(--border, #d5d9dd);
  stroke-width: 2;
  stroke-dasharray: 2 6;
}
.topology .connection .reach {
  stroke: var(--conn-colour);
  stroke-width: 4;
  stroke-linecap: round;
}
.topology .connection .tag { fill: var(--topology-halo); }
.topology .connection.state-opening .reach { stroke-dasharray: 10 6; }
.topology .connection.state-closing .reach { stroke-dasharray: 4 4; opacity: 0.7; }
.topology .connection.state-closed .reach {
  stroke: var(--text-muted, #4f5963);
  stroke-width: 2;
  opacity: 0.6;
}
.topology .connection .junctions circle {
  fill: var(--topology-halo);
  stroke: var(--conn-colour);
  stroke-width: 2;
}
.topology .connection.state-closed .junctions circle { stroke: var(--text-muted, #4f5963); }
.topology .conn-label,
.topology .conn-state,
.topology .stop .verdict,
.topology .note {
  font-family: var(--font-mono, ui-monospace, monospace);
  font-size: 14px;
}
.topology .conn-label { font-weight: 700; }
.topology .conn-state { text-anchor: end; fill: var(--text-muted, #4f5963); }
.topology .connection.state-blocked .conn-state { fill: var(--topology-rst); font-weight: 700; }
.topology .stop text { fill: var(--topology-rst); font-weight: 700; }
.topology .stop .cross { font-size: 26px; text-anchor: middle; }
.topology .note { text-anchor: middle; }
.topology .note-expect { fill: var(--topology-helper-text, var(--accent, #1f5f8b)); font-weight: 700; }
.topology .note-related { fill: var(--topology-data); font-weight: 700; }
.topology .note-nat { fill: var(--text-muted, #4f5963); }
.topology .note-stop { fill: var(--topology-rst); font-weight: 700; }
.topology .conn-label,
.topology .conn-state,
.topology .stop text,
.topology .note,
.topology .drop .verdict {
  paint-order: stroke;
  stroke: var(--topology-halo);
  stroke-width: 4px;
  stroke-linejoin: round;
}
`;
