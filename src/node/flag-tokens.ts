import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * A command line split into flags and positionals by `node:util`'s `parseArgs`, in the order given,
 * for the CLIs' own flag tables to read (`sim`, `lab`, `client`, `serve`, `record`).
 *
 * parseArgs is run without `strict`, so that an unknown flag becomes a token the caller can answer
 * with "did you mean", and the value flags are named to it, so that `--out --put` is seen as
 * `--out` with `--put` after it: a flag whose value would start with "--" is missing its value
 * (write `--out=--put` for a file of that name), where a hand-written loop took `--put` as the
 * file name.
 */

export type FlagToken =
  | { kind: 'flag'; name: string; value: string | undefined }
  | { kind: 'positional'; value: string }
  | { kind: 'terminator' };

export function flagTokens(
  argv: readonly string[],
  valueFlags: readonly string[],
  switches: readonly string[],
  shortNames: Readonly<Record<string, string>> = {},
): FlagToken[] {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const flag of valueFlags) options[flag.slice(2)] = { type: 'string', multiple: true };
  for (const flag of switches) options[flag.slice(2)] = { type: 'boolean', multiple: true };
  for (const [short, long] of Object.entries(shortNames)) {
    const option = options[long.slice(2)];
    if (option) option.short = short;
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const out: FlagToken[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') out.push({ kind: 'positional', value: token.value });
    else if (token.kind === 'option-terminator') out.push({ kind: 'terminator' });
    else {
      const name = token.rawName.startsWith('--') ? `--${token.name}` : token.rawName;
      const long = shortNames[token.rawName.slice(1)] ?? name;
      const taken = token.value !== undefined && !token.inlineValue && token.value.startsWith('--');
      out.push({ kind: 'flag', name: long, value: taken ? undefined : token.value });
      // The "value" was the next flag: read it as one.
      if (taken) out.push(...flagTokens([token.value!], valueFlags, switches, shortNames));
    }
  }
  return out;
}

/** " (did you mean --port?)" when `flag` is within two edits of known flags, otherwise "". */
export function didYouMean(flag: string, known: readonly string[]): string {
  const near = known.filter((name) => editDistance(flag, name) <= 2);
  return near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : '';
}

/** Levenshtein distance: the fewest one-character insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
