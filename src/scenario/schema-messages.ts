import * as v from 'valibot';
import { err, ok, type Result } from '../protocol/result';
import { previewValue } from './preview';

/**
 * The valibot pieces every file check in FTP Lab shares (scenarios, recordings, progress), so that
 * a problem reads the same everywhere: the path to the field, what was expected and what was there,
 * `events[3].t: expected a number of milliseconds ≥ 0, got "x"`. Checks stop at the first problem
 * (`abortEarly`): a learner fixes one thing at a time, and a megabyte of bad input costs one line.
 */

type Issue = v.BaseIssue<unknown>;

/**
 * A message saying what was expected and quoting what was there. The value is quoted by a bounded
 * preview: it may be a megabyte long or nested thousands of levels deep, and quoting it whole
 * filled stderr or overflowed the stack (issue 11 items 14, 17).
 */
export function expected(what: string): (issue: Issue) => string {
  return (issue) => `expected ${what}, got ${previewValue(issue.input)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * valibot reports a missing required field as a problem of the object around it; here it is the
 * field's own check that words it, as if the field were there and empty ("got nothing").
 */
function missingFieldMessage(entries: v.ObjectEntries): (issue: Issue) => string {
  return (issue) => {
    const key = issue.path?.[0]?.key;
    const schema = typeof key === 'string' ? entries[key] : undefined;
    const own = schema && v.safeParse(schema, undefined, { abortEarly: true }).issues?.[0];
    return own ? own.message : expected('an object')(issue);
  };
}

/** An object's fields, checked in the order written; other fields are left out of the output. */
export function fields<E extends v.ObjectEntries>(entries: E) {
  return v.object(entries, missingFieldMessage(entries));
}

/** `schema` for a JSON object: an array or null is "expected an object", not a list of missing fields. */
export function objectOf<S extends v.GenericSchema>(schema: S) {
  return v.pipe(v.custom<v.InferInput<S>>(isRecord, expected('an object')), schema);
}

/** A JSON object with these fields; any others are dropped. */
export function record<E extends v.ObjectEntries>(entries: E) {
  return objectOf(fields(entries));
}

/**
 * A JSON object with only these fields. An unknown field is reported before any value, because a
 * misspelt name ("modes") explains the rest; the message lists the names allowed, in the order of
 * `listed` when the order they are checked in is not the order a reader looks for them in.
 */
export function closedRecord<E extends v.ObjectEntries>(
  entries: E,
  listed: readonly (keyof E & string)[] = Object.keys(entries),
) {
  return v.pipe(
    v.custom<v.InferInput<v.ObjectSchema<E, undefined>>>(isRecord, expected('an object')),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const input = dataset.value as Record<string, unknown>;
      const key = Object.keys(input).find((k) => !Object.hasOwn(entries, k));
      if (key === undefined) return;
      addIssue({
        message: `unknown field; allowed: ${listed.join(', ')}`,
        path: [{ type: 'object', origin: 'key', input, key, value: input[key] }],
      });
    }),
    fields(entries),
  );
}

/** One of a few words, quoted in the message as a file would write them. */
export function oneOf<const T extends readonly string[]>(options: T) {
  return v.picklist(options, expected(`one of ${options.map((o) => `"${o}"`).join(', ')}`));
}

/** A key as the path shows it: a plain name as is, anything else (a megabyte, a line break) quoted short. */
function keyText(key: unknown): string {
  if (typeof key === 'number') return `[${key}]`;
  const name = String(key);
  return /^\w{1,60}$/.test(name) ? name : previewValue(name);
}

/**
 * The path of an issue as a file's reader writes it: `clientSide.firewall.rules[2].dstPort`.
 * `root` starts the path (a part checked on its own, "firewall"); `whole` names the input when the
 * problem is the input itself ("scenario", "the file"); both may be empty.
 */
export function issuePath(issue: Issue, root = '', whole = root): string {
  let path = root;
  for (const item of issue.path ?? []) {
    const part = keyText(item.key);
    path += part.startsWith('[') || path === '' ? part : `.${part}`;
  }
  return path || whole;
}

/** Checks `input` and returns the output, or the first problem as one line. */
export function checkWith<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  names: { root?: string; whole?: string } = {},
): Result<v.InferOutput<S>> {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return ok(result.output);
  const issue = result.issues[0];
  const path = issuePath(issue, names.root, names.whole);
  return err(`${path ? `${path}: ` : ''}${issue.message}`);
}
