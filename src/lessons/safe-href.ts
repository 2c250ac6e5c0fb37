/**
 * Which link targets lesson prose may use. Its own module, without markdown-it, so the lesson
 * checker can use it and stay out of the browser's way.
 */

/** A link target a lesson may use; anything else (javascript:, data:, vbscript:...) is dropped. */
export function safeHref(href: string): string | null {
  // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
  let compact = '';
  for (const c of href) if (c.charCodeAt(0) > 0x20 && c.charCodeAt(0) !== 0x7f) compact += c;
  if (compact === '') return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact);
  if (!scheme) return compact.startsWith('//') ? null : compact;
  return ['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase()) ? compact : null;
}
