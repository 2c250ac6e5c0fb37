import { describe, expect, it } from 'vitest';
import { BoundedLineReader, controlEvent, MAX_LINE_BYTES } from '../../src/node/control-lines';
import { asciiEncode } from '../../src/protocol/net-ascii';

describe('BoundedLineReader', () => {
  it('cuts CRLF and bare LF lines, across chunk boundaries', () => {
    const reader = new BoundedLineReader();
    expect(reader.push(asciiEncode('USER anon'))).toEqual([]);
    expect(reader.push(asciiEncode('ymous\r\nPASS x\nNO'))).toEqual([
      { kind: 'line', text: 'USER anonymous' },
      { kind: 'line', text: 'PASS x' },
    ]);
    expect(reader.push(asciiEncode('OP\r\n'))).toEqual([{ kind: 'line', text: 'NOOP' }]);
  });

  it('reports an overlong line once, with its length, and reads on after it', () => {
    const reader = new BoundedLineReader();
    const chunk = asciiEncode('A'.repeat(MAX_LINE_BYTES));
    expect(reader.push(chunk)).toEqual([]);
    expect(reader.push(chunk)).toEqual([]);
    expect(reader.push(asciiEncode('AAAA\r\nNOOP\r\n'))).toEqual([
      { kind: 'overlong', bytes: 2 * MAX_LINE_BYTES + 5 },
      { kind: 'line', text: 'NOOP' },
    ]);
  });

  it('an overlong line inside one chunk is reported too', () => {
    const reader = new BoundedLineReader();
    const line = 'B'.repeat(MAX_LINE_BYTES + 1);
    expect(reader.push(asciiEncode(`${line}\r\nSYST\r\n`))).toEqual([
      { kind: 'overlong', bytes: MAX_LINE_BYTES + 1 },
      { kind: 'line', text: 'SYST' },
    ]);
  });

  it('a line of exactly the limit is still a line', () => {
    const reader = new BoundedLineReader();
    const line = 'C'.repeat(MAX_LINE_BYTES);
    expect(reader.push(asciiEncode(`${line}\n`))).toEqual([{ kind: 'line', text: line }]);
  });
});

describe('controlEvent', () => {
  it('a command, a line that is none, and an overlong line', () => {
    expect(controlEvent({ kind: 'line', text: 'retr a b.txt' })).toEqual({
      type: 'COMMAND',
      verb: 'RETR',
      arg: 'a b.txt',
    });
    expect(controlEvent({ kind: 'line', text: '' })).toMatchObject({ type: 'BAD_LINE' });
    expect(controlEvent({ kind: 'overlong', bytes: 9000 })).toEqual({
      type: 'BAD_LINE',
      reason: 'line too long: 9000 bytes',
    });
  });
});
