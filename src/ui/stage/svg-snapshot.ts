/**
 * A drawing on the page as a file that stands alone: the SVG with every style it was drawn with
 * written onto its elements (the page's stylesheet and theme variables do not travel with a
 * file), and a PNG of it through a canvas. The view renderers' own <style> elements read the
 * page's custom properties, so they are replaced by what those resolved to.
 */

/** The properties that change how SVG content looks; the rest of a computed style is noise here. */
const PAINT_PROPERTIES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'paint-order',
  'letter-spacing',
  'text-decoration-line',
  'visibility',
] as const;

/** Properties a child does not inherit: written where they differ from the initial value. */
const INITIAL: Partial<Record<(typeof PAINT_PROPERTIES)[number], string>> = {
  opacity: '1',
  'text-decoration-line': 'none',
};

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The PNG is drawn at this many pixels per drawing unit, unless the canvas would be too big. */
export const PNG_SCALE = 2;
/** Chromium's and Firefox's limits on one side of a canvas and on its area. */
const MAX_CANVAS_SIDE = 16_384;
const MAX_CANVAS_AREA = 16_384 * 16_384;

export interface SnapshotOptions {
  /** Elements to leave out (a playhead, a focus ring), as CSS selectors. */
  omit?: readonly string[];
  /** A background behind everything; the page's own by default. */
  background?: string;
}

export interface SvgSnapshot {
  readonly text: string;
  readonly width: number;
  readonly height: number;
}

/**
 * The drawing's size in its own units: the whole drawing's box where the <svg> shows only part of
 * it (`data-drawing`, a phone's network view in two rows), else its viewBox, else its width and
 * height attributes.
 */
function sizeOf(svg: SVGSVGElement): { width: number; height: number } {
  const box = (svg.getAttribute('data-drawing') ?? svg.getAttribute('viewBox'))
    ?.split(/[\s,]+/)
    .map(Number);
  if (box?.length === 4 && box[2]! > 0 && box[3]! > 0) return { width: box[2]!, height: box[3]! };
  const rect = svg.getBoundingClientRect();
  return {
    width: Number(svg.getAttribute('width')) || rect.width || 300,
    height: Number(svg.getAttribute('height')) || rect.height || 150,
  };
}

function pageBackground(from: Element): string {
  for (let at: Element | null = from; at; at = at.parentElement) {
    const colour = getComputedStyle(at).backgroundColor;
    if (colour && colour !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(colour)) return colour;
  }
  return '#ffffff';
}

/** Writes each paint property that differs from what the copy would get anyway onto it. */
function inlineStyles(original: Element, copy: Element, parentStyle: Map<string, string>): void {
  const computed = getComputedStyle(original);
  const own = new Map<string, string>();
  const declarations: string[] = [];
  for (const property of PAINT_PROPERTIES) {
    const value = computed.getPropertyValue(property);
    own.set(property, value);
    const inherited = INITIAL[property] ?? parentStyle.get(property);
    if (value && value !== inherited) declarations.push(`${property}:${value}`);
  }
  // What a cropped view hides only because the crop would cut it is part of the whole drawing.
  if (
    computed.display === 'none' &&
    original.tagName !== 'title' &&
    !original.hasAttribute('data-cropped')
  )
    declarations.push('display:none');
  if (declarations.length) copy.setAttribute('style', declarations.join(';'));
  else copy.removeAttribute('style');
  const originals = original.children;
  const copies = copy.children;
  for (let i = 0; i < originals.length; i++) inlineStyles(originals[i]!, copies[i]!, own);
}

/** The SVG as a standalone file's text. The element must be in the document (styles are read from it). */
export function snapshotSvg(svg: SVGSVGElement, options: SnapshotOptions = {}): SvgSnapshot {
  const { width, height } = sizeOf(svg);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, copy, new Map());
  for (const selector of ['style', ...(options.omit ?? [])])
    for (const element of copy.querySelectorAll(selector)) element.remove();
  for (const element of copy.querySelectorAll('[tabindex]')) element.removeAttribute('tabindex');
  for (const element of copy.querySelectorAll('[data-cropped]')) {
    element.removeAttribute('data-cropped');
    element.removeAttribute('display');
  }
  copy.removeAttribute('data-drawing');
  copy.removeAttribute('class');
  // As a namespace declaration, so that a serializer that adds its own does not write it twice.
  copy.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns', SVG_NS);
  copy.setAttribute('viewBox', `0 0 ${width} ${height}`);
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', options.background ?? pageBackground(svg));
  const title = copy.querySelector(':scope > title');
  copy.insertBefore(background, title ? title.nextSibling : copy.firstChild);
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
  return { text, width, height };
}

/** How many canvas pixels per drawing unit: PNG_SCALE, or less where the canvas would not fit. */
export function pngScale(width: number, height: number): number {
  return Math.min(
    PNG_SCALE,
    MAX_CANVAS_SIDE / width,
    MAX_CANVAS_SIDE / height,
    Math.sqrt(MAX_CANVAS_AREA / (width * height)),
  );
}

/** The snapshot drawn onto a canvas at `pngScale`, as PNG bytes. */
export async function snapshotPng(snapshot: SvgSnapshot): Promise<{ blob: Blob; scale: number }> {
  const scale = pngScale(snapshot.width, snapshot.height);
  const url = URL.createObjectURL(new Blob([snapshot.text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(snapshot.width * scale);
    canvas.height = Math.round(snapshot.height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('this browser gave no canvas to draw the PNG on');
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('this browser could not encode the PNG');
    return { blob, scale };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Offers the browser a file to save; nothing leaves the machine. */
export function saveFile(contents: Blob, fileName: string): void {
  const url = URL.createObjectURL(contents);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke after the click has been handled, or some browsers cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
