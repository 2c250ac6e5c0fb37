import { SHARE_BASE, SHARE_FIREWALLS, SHARE_RULES } from './share-dictionary';

/**
 * The compact form of a scenario in a share link: what differs from SHARE_BASE, with each preset
 * rule or firewall replaced by its number, deflated and written in base64url. The packing is
 * plain data in, plain data out; validation is the caller's (url-state.ts), as for any link.
 *
 * In the packed JSON an object `{"#r": n}` is preset rule n, `{"#f": n}` preset firewall n, and
 * `{"#x": 1}` as a field's value means "this field of the base is absent". No scenario object has
 * keys starting with "#", so none of them can be mistaken for a field.
 */

const RULE = '#r';
const FIREWALL = '#f';
const ABSENT = '#x';

/** The most a link may inflate to: 200 rules of 200 characters fit five times over. */
export const MAX_INFLATED_BYTES = 256 * 1024;
/** Deeper than any scenario (a rule's port range is five levels down). */
const MAX_DEPTH = 32;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A link that cannot be read, with the words the learner sees. */
export class DamagedLink extends Error {}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with every object's keys sorted, so equal data gives equal text whatever the key order. */
function stableText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableText).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableText(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

const firewalls: Json[] = SHARE_FIREWALLS.map((f) => ({
  ...f,
  rules: f.rules.map((i) => SHARE_RULES[i] as unknown as Json),
}));
const rules = SHARE_RULES as unknown as Json[];
const ruleIndex = new Map(rules.map((r, i) => [stableText(r), i]));
const firewallIndex = new Map(firewalls.map((f, i) => [stableText(f), i]));

function packValue(value: Json, base: Json | undefined): Json {
  if (Array.isArray(value)) return value.map((item) => packValue(item, undefined));
  if (!isObject(value)) return value;
  const text = stableText(value);
  const rule = ruleIndex.get(text);
  if (rule !== undefined) return { [RULE]: rule };
  const firewall = firewallIndex.get(text);
  if (firewall !== undefined) return { [FIREWALL]: firewall };
  const entries: [string, Json][] = [];
  const from = isObject(base) ? base : {};
  for (const [key, field] of Object.entries(value)) {
    if (Object.hasOwn(from, key)) {
      if (stableText(field) !== stableText(from[key]))
        entries.push([key, packValue(field, from[key])]);
    } else entries.push([key, packValue(field, undefined)]);
  }
  for (const key of Object.keys(from))
    if (!Object.hasOwn(value, key)) entries.push([key, { [ABSENT]: 1 }]);
  return Object.fromEntries(entries);
}

/** The scenario (any JSON data) as the difference from SHARE_BASE. */
export function packScenario(scenario: unknown): Json {
  const value = JSON.parse(JSON.stringify(scenario)) as Json;
  return packValue(value, SHARE_BASE as unknown as Json);
}

function reference(value: JsonObject, key: string, table: Json[]): Json | undefined {
  if (Object.keys(value).length !== 1 || !Object.hasOwn(value, key)) return undefined;
  const index = value[key];
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= table.length)
    throw new DamagedLink(
      `it names a preset ${key === RULE ? 'rule' : 'firewall'} that does not exist`,
    );
  return structuredClone(table[index]!);
}

function unpackValue(packed: Json, base: Json | undefined, depth: number): Json {
  if (depth > MAX_DEPTH) throw new DamagedLink(`it is nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(packed)) return packed.map((item) => unpackValue(item, undefined, depth + 1));
  if (!isObject(packed)) return packed;
  const known = reference(packed, RULE, rules) ?? reference(packed, FIREWALL, firewalls);
  if (known !== undefined) return known;
  const from = isObject(base) ? base : {};
  // A Map and Object.fromEntries, so that a key such as "__proto__" stays a plain field.
  const fields = new Map<string, Json>(Object.entries(structuredClone(from)));
  for (const [key, field] of Object.entries(packed)) {
    if (isObject(field) && Object.hasOwn(field, ABSENT)) fields.delete(key);
    else
      fields.set(
        key,
        unpackValue(field, Object.hasOwn(from, key) ? from[key] : undefined, depth + 1),
      );
  }
  return Object.fromEntries(fields);
}

/** The inverse of packScenario, on whatever a link holds; throws DamagedLink. */
export function unpackScenario(packed: unknown): unknown {
  if (!isObject(packed)) throw new DamagedLink('it does not hold the changes to a scenario');
  return unpackValue(packed, SHARE_BASE as unknown as Json, 0);
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Throws DamagedLink on anything that is not base64url. */
export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1)
    throw new DamagedLink('it is not valid base64url text');
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function readAll(
  readable: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array | null> {
  const reader = readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

async function transform(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
  limit: number,
): Promise<Uint8Array | null> {
  const writer = stream.writable.getWriter();
  // Errors surface on the reading side; these promises only need not go unhandled.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  return readAll(stream.readable, limit);
}

/** Raw DEFLATE (RFC 1951) through the browser's own CompressionStream. */
export async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  return (await transform(bytes, new CompressionStream('deflate-raw'), Infinity))!;
}

/**
 * Inflates at most `limit` bytes: a few hundred characters of DEFLATE can stand for gigabytes of
 * zeros, so a link is refused as soon as it passes the limit rather than after.
 */
export async function inflate(bytes: Uint8Array, limit = MAX_INFLATED_BYTES): Promise<Uint8Array> {
  let out: Uint8Array | null;
  try {
    out = await transform(bytes, new DecompressionStream('deflate-raw'), limit);
  } catch {
    throw new DamagedLink('it is not compressed data (it was cut short or changed)');
  }
  if (out === null)
    throw new DamagedLink(`it unpacks to more than ${limit / 1024} KB, more than any scenario`);
  return out;
}
