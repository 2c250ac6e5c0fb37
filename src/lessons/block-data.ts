/**
 * The small, strict subset of YAML that lesson files use for their front matter and for their
 * scenario, predict and task blocks. It is written here rather than taken from a YAML library so
 * that every node keeps its line number (an author's mistake is reported at the right line) and
 * so that nothing surprising is accepted (no anchors, no type tags, no "no" meaning false).
 *
 *   key: value                a scalar: "quoted", 'quoted', true/false, a number, or plain text
 *   key: [a, b, "c, d"]       an inline list of scalars
 *   key:                      a nested block, indented under the key: either
 *     - item                    list items (scalars), or
 *     other: value              entries of a map (order kept)
 *   key: |                    a text block: the indented lines below, newlines kept
 *   # comment                 a line of its own
 */

import { previewValue } from '../scenario/preview';

export type Scalar = string | number | boolean;

export type DataNode =
  | { kind: 'scalar'; value: Scalar; line: number }
  | { kind: 'list'; items: DataNode[]; line: number }
  | { kind: 'map'; entries: DataEntry[]; line: number };

export interface DataEntry {
  key: string;
  line: number;
  value: DataNode;
}

export type MapNode = Extract<DataNode, { kind: 'map' }>;

/** A problem in an author's file, at a line counted from 1 in the whole file. */
export interface LineError {
  line: number;
  message: string;
}

export class DataError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An author's text quoted in a message: whole when it is short, else a prefix and its length, so
 * that a 1 MB line does not become a 1 MB message (issue 11 item 14).
 */
export function quoted(text: string): string {
  return previewValue(text, 60);
}

interface Line {
  number: number;
  indent: number;
  text: string;
}

const KEY = /^([^\s:#"'[\]{}-][^:]*?|-?\d+)\s*:(?:\s+(.*))?$/;

/** Parses the lines of a block; `firstLine` is the file line number of `text`'s first line. */
export function parseBlockData(text: string, firstLine = 1): MapNode {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    const number = firstLine + i;
    const withoutCr = raw.replace(/\r$/, '');
    if (/^\s*\t/.test(withoutCr)) throw new DataError(number, 'indent with spaces, not tabs');
    const trimmed = withoutCr.trim();
    lines.push({ number, indent: withoutCr.length - withoutCr.trimStart().length, text: trimmed });
  });
  const cursor = { at: 0 };
  const map = parseMap(lines, cursor, 0, firstLine);
  skipBlank(lines, cursor);
  if (cursor.at < lines.length) {
    const stray = lines[cursor.at]!;
    throw new DataError(stray.number, `unexpected indentation before ${quoted(stray.text)}`);
  }
  return map;
}

function isBlank(line: Line): boolean {
  return line.text === '' || line.text.startsWith('#');
}

function skipBlank(lines: Line[], cursor: { at: number }): void {
  while (cursor.at < lines.length && isBlank(lines[cursor.at]!)) cursor.at++;
}

function parseMap(lines: Line[], cursor: { at: number }, indent: number, line: number): MapNode {
  const entries: DataEntry[] = [];
  for (;;) {
    skipBlank(lines, cursor);
    const current = lines[cursor.at];
    if (!current || current.indent < indent) break;
    if (current.indent > indent)
      throw new DataError(current.number, `unexpected indentation before ${quoted(current.text)}`);
    if (current.text.startsWith('- '))
      throw new DataError(current.number, 'a list item here needs a "key:" line above it');
    const match = KEY.exec(current.text);
    if (!match)
      throw new DataError(current.number, `expected "key: value", found ${quoted(current.text)}`);
    const key = match[1]!.trim();
    if (entries.some((e) => e.key === key))
      throw new DataError(current.number, `${quoted(key)} is given twice`);
    const rest = (match[2] ?? '').trim();
    cursor.at++;
    entries.push({
      key,
      line: current.number,
      value: parseValue(lines, cursor, indent, current, rest),
    });
  }
  return { kind: 'map', entries, line: entries[0]?.line ?? line };
}

function parseValue(
  lines: Line[],
  cursor: { at: number },
  indent: number,
  keyLine: Line,
  rest: string,
): DataNode {
  if (rest === '|' || rest === '>') return parseTextBlock(lines, cursor, indent, keyLine);
  if (rest !== '' && !rest.startsWith('#')) {
    if (rest.startsWith('[')) return parseInlineList(rest, keyLine.number);
    return { kind: 'scalar', value: parseScalar(rest, keyLine.number), line: keyLine.number };
  }
  skipBlank(lines, cursor);
  const next = lines[cursor.at];
  if (!next || next.indent <= indent)
    throw new DataError(keyLine.number, `${quoted(keyLine.text)} has no value`);
  if (next.text.startsWith('- ') || next.text === '-') return parseList(lines, cursor, next.indent);
  return parseMap(lines, cursor, next.indent, next.number);
}

function parseList(lines: Line[], cursor: { at: number }, indent: number): DataNode {
  const items: DataNode[] = [];
  const line = lines[cursor.at]!.number;
  for (;;) {
    skipBlank(lines, cursor);
    const current = lines[cursor.at];
    if (!current || current.indent < indent) break;
    if (current.indent > indent || !current.text.startsWith('-'))
      throw new DataError(
        current.number,
        `expected a list item "- ...", found ${quoted(current.text)}`,
      );
    const item = current.text.slice(1).trim();
    if (item === '') throw new DataError(current.number, 'empty list item');
    items.push({ kind: 'scalar', value: parseScalar(item, current.number), line: current.number });
    cursor.at++;
  }
  return { kind: 'list', items, line };
}

function parseTextBlock(
  lines: Line[],
  cursor: { at: number },
  indent: number,
  keyLine: Line,
): DataNode {
  const body: Line[] = [];
  while (cursor.at < lines.length) {
    const current = lines[cursor.at]!;
    if (current.text !== '' && current.indent <= indent) break;
    body.push(current);
    cursor.at++;
  }
  while (body.length > 0 && body[body.length - 1]!.text === '') body.pop();
  if (body.length === 0)
    throw new DataError(keyLine.number, `${quoted(keyLine.text)} has no text below it`);
  const base = Math.min(...body.filter((l) => l.text !== '').map((l) => l.indent));
  // Re-indent relative to the block, so Markdown inside keeps its nested lists and code.
  const text = body
    .map((l) => (l.text === '' ? '' : ' '.repeat(l.indent - base) + l.text))
    .join('\n');
  return { kind: 'scalar', value: text, line: body[0]!.number };
}

function parseInlineList(text: string, line: number): DataNode {
  if (!text.endsWith(']'))
    throw new DataError(line, `an inline list must end with "]": ${quoted(text)}`);
  const inner = text.slice(1, -1).trim();
  const items: DataNode[] = [];
  if (inner === '') return { kind: 'list', items, line };
  let at = 0;
  while (at <= inner.length) {
    let end: number;
    let raw: string;
    const quote = inner[at];
    if (quote === '"' || quote === "'") {
      end = closingQuote(inner, at, line);
      raw = inner.slice(at, end + 1);
      end = inner.indexOf(',', end + 1);
      if (end !== -1 && inner.slice(at + raw.length, end).trim() !== '')
        throw new DataError(line, `unexpected text after ${quoted(raw)} in the list`);
    } else {
      end = inner.indexOf(',', at);
      raw = inner.slice(at, end === -1 ? undefined : end);
    }
    if (raw.trim() === '') throw new DataError(line, 'empty item in the inline list');
    items.push({ kind: 'scalar', value: parseScalar(raw.trim(), line), line });
    if (end === -1) break;
    at = end + 1;
    while (inner[at] === ' ') at++;
  }
  return { kind: 'list', items, line };
}

function closingQuote(text: string, start: number, line: number): number {
  const quote = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  throw new DataError(line, `unclosed ${quote} quote`);
}

export function parseScalar(text: string, line: number): Scalar {
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const end = closingQuote(text, 0, line);
    if (end !== text.length - 1)
      throw new DataError(
        line,
        `unexpected text after the closing quote: ${quoted(text.slice(end + 1))}`,
      );
    const inner = text.slice(1, -1);
    if (quote === "'") return inner.replace(/''/g, "'");
    return inner.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  }
  // Unlike YAML, a " #" inside plain text is text: lesson prose says "port #20" more often than
  // authors want trailing comments.
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** The plain JavaScript value of a node: what a test or a generic reader wants. */
export function toPlain(node: DataNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'list':
      return node.items.map(toPlain);
    case 'map':
      return Object.fromEntries(node.entries.map((e) => [e.key, toPlain(e.value)]));
  }
}
