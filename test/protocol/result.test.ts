import { describe, it, expect } from 'vitest';
import { err, ok } from '../../src/protocol/result';
import type { Result } from '../../src/protocol/result';

describe('Result helpers', () => {
  it('ok wraps a value', () => {
    const result: Result<number> = ok(42);
    expect(result).toEqual({ ok: true, value: 42 });
  });

  it('err carries a message and fits any Result type', () => {
    const result: Result<string[]> = err('bad input');
    expect(result).toEqual({ ok: false, error: 'bad input' });
  });
});
