/**
 * A short, safe rendering of a bad value for an error message or a notice: a value taken from a
 * file, a link or storage can be a megabyte long, cyclic or nested thousands deep, and quoting it
 * whole puts all of it in the DOM or on stderr (issue 11 item 14). Strings are JSON-quoted; beyond
 * `max` characters only a prefix is quoted and the full length is said:
 * `"aaaa…" (1,048,576 characters)`. Never throws, and the result stays within `max` plus a short
 * suffix, whatever the value.
 */
export function previewValue(value: unknown, max = 60): string {
  const limit = Math.max(0, Math.floor(Number.isFinite(max) ? max : 60));
  try {
    return preview(value, limit);
  } catch {
    return 'a value that cannot be shown';
  }
}

/** "1048576" → "1,048,576", without Intl so that output is the same everywhere. */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function preview(value: unknown, limit: number): string {
  switch (typeof value) {
    case 'string': {
      const { shown, complete } = quotedPrefix(value, limit);
      return complete ? `"${shown}"` : `"${shown}…" (${count(value.length, 'character')})`;
    }
    case 'undefined':
      return 'nothing';
    case 'function':
      return 'a function';
    case 'bigint':
      return longText(`${value}n`, limit, 'digit', String(value).replace('-', '').length);
    case 'symbol':
      return longText(String(value), limit, 'character');
    case 'number':
    case 'boolean':
      return String(value);
  }
  if (typeof value !== 'object' || value === null) return 'null';
  return previewObject(value, limit);
}

function previewObject(value: object, limit: number): string {
  const out = new Bounded(limit);
  render(value, out, new Set());
  if (!out.full) return out.text();
  const size = Array.isArray(value)
    ? count(value.length, 'item')
    : count(Object.keys(value).length, 'key');
  return `${out.text()}… (${size})`;
}

function count(n: number, unit: string): string {
  return `${groupDigits(n)} ${unit}${n === 1 ? '' : 's'}`;
}

function longText(text: string, limit: number, unit: string, length = text.length): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${count(length, unit)})`;
}

/**
 * The JSON-escaped form of the longest prefix of `text` whose escaped form fits in `limit`
 * characters; a surrogate pair is never split.
 */
function quotedPrefix(text: string, limit: number): { shown: string; complete: boolean } {
  let shown = '';
  let used = 0;
  for (const ch of text.slice(0, limit + 1)) {
    const escaped = JSON.stringify(ch).slice(1, -1);
    const cutPair = ch.length === 1 && isHighSurrogate(ch) && used + 1 < text.length;
    if (cutPair || shown.length + escaped.length > limit) return { shown, complete: false };
    shown += escaped;
    used += ch.length;
  }
  return { shown, complete: used === text.length };
}

function isHighSurrogate(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code >= 0xd800 && code <= 0xdbff;
}

/** Collects output until `limit` characters; a piece that does not fit sets `full` and is dropped. */
class Bounded {
  private parts: string[] = [];
  private length = 0;
  full = false;
  constructor(readonly limit: number) {}

  get room(): number {
    return this.limit - this.length;
  }

  push(piece: string): boolean {
    if (this.full) return false;
    if (piece.length > this.room) {
      this.full = true;
      return false;
    }
    this.parts.push(piece);
    this.length += piece.length;
    return true;
  }

  text(): string {
    return this.parts.join('');
  }
}

/**
 * Compact JSON-like output, stopping once `out` is full. Every level of nesting writes at least one
 * character first, so the depth of recursion is bounded by the limit, not by the value.
 */
function render(value: unknown, out: Bounded, seen: Set<object>): void {
  if (out.full) return;
  if (typeof value === 'string') {
    const { shown, complete } = quotedPrefix(value, Math.max(0, out.room - 2));
    if (!complete) out.push(`"${shown}`);
    if (complete) out.push(`"${shown}"`);
    else out.full = true;
    return;
  }
  if (typeof value !== 'object' || value === null) {
    out.push(preview(value, out.room));
    return;
  }
  if (seen.has(value)) {
    out.push('[cycle]');
    return;
  }
  seen.add(value);
  if (Array.isArray(value)) {
    if (!out.push('[')) return;
    for (let i = 0; i < value.length && !out.full; i++) {
      if (i > 0 && !out.push(',')) return;
      render(value[i], out, seen);
    }
    out.push(']');
  } else {
    if (!out.push('{')) return;
    let first = true;
    for (const key in value) {
      if (out.full) return;
      if (!Object.hasOwn(value, key)) continue;
      if (!first && !out.push(',')) return;
      first = false;
      render(key, out, seen);
      if (!out.push(':')) return;
      render(readProperty(value, key), out, seen);
    }
    out.push('}');
  }
  seen.delete(value);
}

function readProperty(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return '?';
  }
}
