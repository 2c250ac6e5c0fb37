import { describe, expect, it } from 'vitest';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { indexTrace } from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';
import { COMPACT_HEIGHT, DEFAULT_HEIGHT, computeLayout } from '../../src/viz/topology-layout';
import { ICON_HALF_HEIGHT } from '../../src/viz/node-icon';
import { laneOffset, PACKET_HEIGHT } from '../../src/viz/packet-glyph';

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
      // The name's cap height (22 px text) clears the icon's bottom edge, and the pills of the
      // outer lane below the link (a packet at its link's end lies under the name).
      expect(node.nameY - 18).toBeGreaterThan(layout.linkY + ICON_HALF_HEIGHT);
      const pillBottom = layout.linkY + laneOffset('data', false) + PACKET_HEIGHT / 2 + 1;
      expect(node.nameY - 16).toBeGreaterThanOrEqual(pillBottom);
      for (const badge of node.badges) expect(badge.y + 24).toBeLessThanOrEqual(COMPACT_HEIGHT);
      if (node.ports)
        expect(node.ports.firstRowY + (layout.maxPortRows - 1) * layout.portRowHeight).toBeLessThan(
          COMPACT_HEIGHT,
        );
    }
  });
});

describe("computeLayout: a router's badges clear the host beside it", () => {
  const nat = indexTrace(simulate(networkPreset('client-nat')!.apply(defaultScenario())));
  /** The widest port row a host can show, where the renderer puts it, as [left, right]. */
  const widestRow = (layout: ReturnType<typeof computeLayout>, host: 'client' | 'server') => {
    const x = layout.nodeById.get(host)!.x;
    const half = ('65535 SYN_RECEIVED'.length * 0.6 * 17) / 2 + 2;
    const left = Math.min(Math.max(0, x - half), layout.width - 2 * half);
    return [left, left + 2 * half] as const;
  };

  it("on a phone (780 units), moves the client firewall's badges off the client's port rows", () => {
    const layout = computeLayout(nat, 780, COMPACT_HEIGHT);
    const router = layout.nodeById.get('client-router')!;
    expect(router.badges.map((b) => b.text)).toEqual(['stateful', 'NAT']);
    const [, right] = widestRow(layout, 'client');
    for (const badge of router.badges) expect(router.x + badge.x).toBeGreaterThanOrEqual(right);
  });

  it('leaves them centred under the router where the rows do not reach them', () => {
    for (const width of [900, 1200]) {
      const router = computeLayout(nat, width, COMPACT_HEIGHT).nodeById.get('client-router')!;
      const first = router.badges[0]!;
      const last = router.badges[router.badges.length - 1]!;
      expect(first.x).toBeCloseTo(-(last.x + last.width), 5);
    }
  });
});
