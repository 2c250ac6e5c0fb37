// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { PNG_SCALE, pngScale, snapshotSvg } from '../../../src/ui/stage/svg-snapshot';

function drawing(markup: string, attributes = 'viewBox="0 0 300 120"'): SVGSVGElement {
  document.body.innerHTML = `<svg class="view" ${attributes}>${markup}</svg>`;
  return document.querySelector('svg')!;
}

function parse(text: string): Document {
  return new DOMParser().parseFromString(text, 'image/svg+xml');
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('snapshotSvg', () => {
  it("writes the page's paint onto the elements and leaves the drawing's stylesheet out", () => {
    // jsdom reads a stylesheet from the document's head, not one inside an <svg>; a browser does both.
    document.head.innerHTML =
      '<style>.shaft { stroke: rgb(31, 95, 139); stroke-width: 1.5px; }</style>';
    const svg = drawing(
      '<title>Ladder</title><style>.unused { fill: red; }</style>' +
        '<g class="hops"><line class="shaft" x1="0" y1="0" x2="10" y2="10"/></g>',
    );
    const doc = parse(snapshotSvg(svg, { background: '#fff' }).text);
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    expect(doc.querySelector('style')).toBeNull();
    const style = doc.querySelector('line')!.getAttribute('style') ?? '';
    expect(style).toContain('stroke:rgb(31, 95, 139)');
    expect(style).toContain('stroke-width:1.5px');
    document.head.innerHTML = '';
  });

  it('stands alone: namespace, size, a background behind everything, no focus stops', () => {
    const svg = drawing(
      '<title>Network</title><g tabindex="0" role="button"><text>client</text></g>',
    );
    const { text, width, height } = snapshotSvg(svg, { background: 'rgb(250, 250, 247)' });
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    expect([width, height]).toEqual([300, 120]);
    const root = parse(text).documentElement;
    expect(root.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(root.getAttribute('width')).toBe('300');
    expect(root.getAttribute('height')).toBe('120');
    expect(root.getAttribute('class')).toBeNull();
    // The title stays first (what a screen reader names the file by), the background right after.
    expect(root.children[0]!.tagName).toBe('title');
    expect(root.children[1]!.getAttribute('fill')).toBe('rgb(250, 250, 247)');
    expect(root.querySelector('[tabindex]')).toBeNull();
    expect(root.querySelector('text')!.textContent).toBe('client');
  });

  it('leaves out what it is told to, and takes the size from width and height without a viewBox', () => {
    const svg = drawing(
      '<g class="now"><line/></g><g class="hops"><line/></g>',
      'width="760" height="900"',
    );
    const snapshot = snapshotSvg(svg, { omit: ['.now'], background: '#fff' });
    const root = parse(snapshot.text).documentElement;
    expect(root.querySelector('.now')).toBeNull();
    expect(root.querySelector('.hops')).not.toBeNull();
    expect(root.getAttribute('viewBox')).toBe('0 0 760 900');
    expect([snapshot.width, snapshot.height]).toEqual([760, 900]);
  });

  it("exports the whole drawing where the <svg> shows part of it (a phone's second row)", () => {
    const svg = drawing(
      '<text x="600">Server</text><text x="100" display="none" data-cropped="">established</text>' +
        '<text x="200" display="none">hidden packet</text>',
      'viewBox="330 0 450 320" data-drawing="0 0 780 320"',
    );
    const snapshot = snapshotSvg(svg, { background: '#fff' });
    const root = parse(snapshot.text).documentElement;
    expect(root.getAttribute('viewBox')).toBe('0 0 780 320');
    expect(root.hasAttribute('data-drawing')).toBe(false);
    expect([snapshot.width, snapshot.height]).toEqual([780, 320]);
    // What only the crop hid shows in the file; what the drawing itself hides stays hidden.
    const [, shown, hidden] = [...root.querySelectorAll('text')];
    expect(shown!.getAttribute('display')).toBeNull();
    expect(shown!.getAttribute('style') ?? '').not.toContain('display:none');
    expect(shown!.hasAttribute('data-cropped')).toBe(false);
    expect(hidden!.getAttribute('display')).toBe('none');
  });

  it('escapes text from the wire as XML', () => {
    const svg = drawing('<text></text>');
    svg.querySelector('text')!.textContent = '550 <b>&"no"</b>';
    const doc = parse(snapshotSvg(svg, { background: '#fff' }).text);
    expect(doc.querySelector('text')!.textContent).toBe('550 <b>&"no"</b>');
    expect(doc.querySelector('b')).toBeNull();
  });
});

describe('pngScale', () => {
  it('is 2 pixels per unit for a session of ordinary length', () => {
    expect(pngScale(760, 3_220)).toBe(PNG_SCALE);
  });

  it('shrinks a very long ladder to fit a canvas, side and area', () => {
    expect(pngScale(760, 33_000) * 33_000).toBeCloseTo(16_384);
    const scale = pngScale(12_000, 12_000);
    expect(12_000 * scale * 12_000 * scale).toBeLessThanOrEqual(16_384 * 16_384 + 1);
  });
});
