/**
 * The real server's log holds back repeats (issue 11 item 4): a flood of one line is logged as a
 * few of it and a count, on a clock the test moves.
 */
import { describe, expect, it } from 'vitest';
import { REPEAT_WINDOW_MS, REPEATS_SHOWN, repeatLimitedLog } from '../../src/node/served-log';
import type { UntimedEvent } from '../../src/node/sockets';

function limited() {
  const logged: UntimedEvent[] = [];
  let time = 0;
  const log = repeatLimitedLog(
    (event) => logged.push(event),
    () => time,
  );
  return {
    logged,
    log,
    advance: (ms: number) => (time += ms),
    texts: () => logged.map((event) => ('text' in event ? event.text : event.kind)),
  };
}

const client = (text: string): UntimedEvent => ({ kind: 'line', from: 'client', text });
const server = (text: string): UntimedEvent => ({ kind: 'line', from: 'server', text });

describe('repeat-limited session log', () => {
  it('logs the first few of a repeated line and counts the rest when the window closes', () => {
    const l = limited();
    for (let i = 0; i < 1000; i++) {
      l.log.log(client(''));
      l.log.log(server('500 Syntax error, command unrecognized.'));
    }
    expect(l.logged).toHaveLength(2 * REPEATS_SHOWN);
    l.advance(REPEAT_WINDOW_MS);
    l.log.log(client('NOOP'));
    expect(l.texts().slice(2 * REPEATS_SHOWN)).toEqual([
      `${1000 - REPEATS_SHOWN} more like this not shown: C: `,
      `${1000 - REPEATS_SHOWN} more like this not shown: S: 500 Syntax error, command unrecognized.`,
      'NOOP',
    ]);
  });

  it('logs every line of a dialogue without repeats, and every data connection event', () => {
    const l = limited();
    for (let i = 0; i < 100; i++) l.log.log(client(`RETR file-${i}.txt`));
    for (let i = 0; i < 10; i++) {
      l.log.log({ kind: 'data-close', id: 1, bytesSent: 0, bytesReceived: 0 });
    }
    expect(l.logged).toHaveLength(110);
  });

  it('a new window shows the line again; flush counts what is held at the end', () => {
    const l = limited();
    for (let i = 0; i < REPEATS_SHOWN + 2; i++) l.log.log(client('NOOP'));
    l.advance(REPEAT_WINDOW_MS);
    for (let i = 0; i < REPEATS_SHOWN + 2; i++) l.log.log(client('NOOP'));
    l.log.flush();
    expect(l.texts()).toEqual([
      ...Array<string>(REPEATS_SHOWN).fill('NOOP'),
      '2 more like this not shown: C: NOOP',
      ...Array<string>(REPEATS_SHOWN).fill('NOOP'),
      '2 more like this not shown: C: NOOP',
    ]);
  });

  it('long lines are alike by their start and length, and quoted short', () => {
    const l = limited();
    for (let i = 0; i < 20; i++) l.log.log(client(`${'A'.repeat(4000)}${i % 10}`));
    l.log.flush();
    expect(l.logged).toHaveLength(REPEATS_SHOWN + 1);
    expect(l.texts().at(-1)).toBe(
      `${20 - REPEATS_SHOWN} more like this not shown: C: ${'A'.repeat(77)}… (4004)`,
    );
  });
});
