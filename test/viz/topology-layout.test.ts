import { describe, expect, it } from 'vitest';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { indexTrace } from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';
import { COMPACT_HEIGHT, DEFAULT_HEIGHT, computeLayout } from '../../src/viz/topology-layout';
import { ICON_HALF_HEIGHT } from '../../src/viz/node-icon';

const index = indexTrace(
  simulate({ ...networkPreset('client-nat-helper')!.apply(defaultScenario()), mode: 'active' }),
);

describe('computeLayout at the workspace height', () => {
  it('keeps the full layout at the default height', () => {
    const layout = computeLayout(index, 1200, DEFAULT_HEIGHT);
    expect(layout.nodes[0]!.nameY).toBe(layout.linkY + 88);
  });

  it('at the compact height: names below the icons, badges and two port rows inside the drawing', () => {
    const layout = computeLayout(index, 920, COMPACT_HEIGHT);
    expect(layout.maxPortRows).toBeGreaterThanOrEqual(2);
    for (const node of layout.nodes) {
      // The name's cap height (22 px text) clears the icon's bottom edge.
      expect(node.nameY - 18).toBeGreaterThan(layout.linkY + ICON_HALF_HEIGHT);
      for (const badge of node.badges) expect(badge.y + 24).toBeLessThanOrEqual(COMPACT_HEIGHT);
      if (node.ports)
        expect(node.ports.firstRowY + (layout.maxPortRows - 1) * layout.portRowHeight).toBeLessThan(
          COMPACT_HEIGHT,
        );
    }
  });
});
