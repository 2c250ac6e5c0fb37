/**
 * The picture of one node, centred on (0, 0): a computer for a host, a box with crossing arrows
 * for a router, a brick wall for a firewall, a cloud for the Internet. Colours come from the
 * stylesheet (topology-style.ts), keyed on the node's `kind-*` class.
 */

export type NodeKind = 'host' | 'router' | 'firewall' | 'internet';

/** Half the icon's width and height, for where links end and what packets must clear. */
export const ICON_HALF_WIDTH: Record<NodeKind, number> = {
  host: 36,
  router: 38,
  firewall: 38,
  internet: 50,
};
export const ICON_HALF_HEIGHT = 28;

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgElement(
  doc: Document,
  name: string,
  attributes: Record<string, string | number>,
): SVGElement {
  const element = doc.createElementNS(SVG_NS, name) as SVGElement;
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

const BRICKS =
  'M-38 -9.3H38M-38 9.3H38' +
  'M-19 -28V-9.3M19 -28V-9.3' +
  'M0 -9.3V9.3M-28 -9.3V9.3M28 -9.3V9.3' +
  'M-19 9.3V28M19 9.3V28';

const ROUTER_ARROWS = 'M-22 -7H16M9 -14L16 -7L9 0' + 'M22 7H-16M-9 0L-16 7L-9 14';

const CLOUD = 'M-38 22A14 14 0 0 1 -36 -2A20 20 0 0 1 -4 -22A20 20 0 0 1 30 -8A16 16 0 0 1 38 22Z';

/** The icon's elements, to append to the node's icon group. */
export function nodeIcon(doc: Document, kind: NodeKind): SVGElement[] {
  switch (kind) {
    case 'host':
      return [
        svgElement(doc, 'rect', {
          class: 'icon-body',
          x: -36,
          y: -28,
          width: 72,
          height: 44,
          rx: 5,
        }),
        svgElement(doc, 'path', { class: 'icon-body', d: 'M-10 16H10L14 28H-14Z' }),
      ];
    case 'router':
      return [
        svgElement(doc, 'rect', {
          class: 'icon-body',
          x: -38,
          y: -24,
          width: 76,
          height: 48,
          rx: 24,
        }),
        svgElement(doc, 'path', { class: 'icon-detail', d: ROUTER_ARROWS }),
      ];
    case 'firewall':
      return [
        svgElement(doc, 'rect', {
          class: 'icon-body',
          x: -38,
          y: -28,
          width: 76,
          height: 56,
          rx: 3,
        }),
        svgElement(doc, 'path', { class: 'icon-detail', d: BRICKS }),
      ];
    case 'internet':
      return [svgElement(doc, 'path', { class: 'icon-body', d: CLOUD })];
  }
}
