import { formatEndpoint } from '../protocol/endpoint';
import type { SessionEvent } from './recording';

/**
 * One line of a printed session, in the "C:"/"S:" style of the RFCs' examples: what the client
 * and the server said, and where data connections opened and closed.
 */
export function formatSessionEvent(event: SessionEvent): string {
  switch (event.kind) {
    case 'line':
      return `${event.from === 'client' ? 'C' : 'S'}: ${printable(event.text)}`;
    case 'data-open': {
      const by = event.opener === 'server' ? 'server connected' : 'client connected';
      return `-- data connection ${event.id} open (${by}): ${formatEndpoint(event.local)} <-> ${formatEndpoint(event.remote)}`;
    }
    case 'data-close':
      return `-- data connection ${event.id} closed: ${event.bytesSent} bytes sent, ${event.bytesReceived} received`;
    case 'note':
      return `-- ${printable(event.text)}`;
  }
}

/** Control characters and bytes above ASCII shown as \xNN, so a hostile line cannot drive the terminal. */
function printable(text: string): string {
  const shown = text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text;
  let out = '';
  for (const c of shown) {
    const code = c.charCodeAt(0);
    out +=
      code < 0x20 || (code >= 0x7f && code <= 0xff)
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : c;
  }
  return out;
}
