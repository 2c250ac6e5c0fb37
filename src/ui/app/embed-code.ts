import { embedHref } from './route';

/** The frame size the snippet asks for: 16:9, and the stage fits it (embed.spec.ts checks). */
export const EMBED_WIDTH = 960;
export const EMBED_HEIGHT = 540;

function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * The `<iframe>` a teacher pastes into a course page (Moodle, Canvas, a blog) to show this
 * network on its stage alone: `pageUrl` is the app's address, `fragment` a share link's
 * (`z=...&t=...`). The title names the frame for screen readers, as WCAG 4.1.2 asks.
 */
export function embedCode(pageUrl: string, fragment: string, title: string): string {
  const src = `${pageUrl.split('#')[0]}${embedHref(fragment)}`;
  return (
    `<iframe src="${attribute(src)}" title="${attribute(title)}" ` +
    `width="${EMBED_WIDTH}" height="${EMBED_HEIGHT}" style="border:0;max-width:100%" ` +
    `loading="lazy"></iframe>`
  );
}
