/**
 * The outcome of parsing text that came from the wire or from a learner: either a value or a
 * human-readable reason. Parsers in this layer return a Result instead of throwing, because bad
 * input is an expected, teachable event (the simulator shows the error), not a bug.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export type Ok<T> = Extract<Result<T>, { ok: true }>;
export type Err = Extract<Result<unknown>, { ok: false }>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** Assignable to every `Result<T>`, so a parser can `return err('...')` whatever T is. */
export function err(message: string): Err {
  return { ok: false, error: message };
}
