import { describe, expect, it } from 'vitest';
import { replySummary } from '../../src/machines/ftp-client';

// The failure note a client writes quotes a reply in one bounded line (found by the fuzz suite:
// a multi-line 530 put its line breaks into the "client gives up at …" note).
describe('replySummary', () => {
  it('keeps a one-line reply as it is', () => {
    expect(replySummary('Login incorrect.')).toBe('Login incorrect.');
  });
  it('gives the first line of a multi-line reply and counts the rest', () => {
    expect(replySummary('No\none\n530 is welcome')).toBe('No (2 more lines)');
  });
  it('writes out control characters and cuts a long line', () => {
    expect(replySummary('bad \u001b[31m red')).toBe('bad \\x1b[31m red');
    expect(replySummary('z'.repeat(5000))).toBe(`${'z'.repeat(200)}…`);
    expect(replySummary('200 \r')).toBe('200 ');
  });
});
