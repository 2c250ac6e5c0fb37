/**
 * Fuzz: replies to the client (issue 11, "A standing fuzz suite"), without sockets: the reply
 * parser every client reads the server with, and the client machine the simulation and the real
 * client both run, fed replies in any order a broken or hostile server could send them.
 *
 * Cases per run (numRuns): reply line sequences 1,500; format-then-parse round trip 1,000; reply
 * codes described 500; client machine fed random replies and data events 600.
 * Total 3,600.
 *
 * Each case: the parser returns a reply with a code 100-699, nothing yet, or an error that is one
 * short line; it never throws. The machine never throws or stops in an error, sends only single
 * CRLF-terminated lines, and once the control connection closes and its timers run out, is done.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import {
  ftpClientMachine,
  type DataMode,
  type FtpClientEmitted,
  type FtpClientEvent,
} from '../../src/machines/ftp-client';
import {
  describeReplyCode,
  formatReply,
  ReplyParser,
  replyClass,
} from '../../src/protocol/ftp-reply';
import { scriptSteps } from '../../src/scenario/simulate';
import { TestClock } from '../machines/model';
import { assertRuns, expectClearMessage, FUZZ_TIMEOUT_MS, hostileString } from './arbitraries';

/** "expected a reply line …" and a quoted prefix of the line. */
const MAX_MESSAGE = 200;

const RUNS = { lines: 1500, roundTrip: 1000, codes: 500, machine: 600 };

const code = fc.oneof(
  fc.integer({ min: 100, max: 699 }),
  fc.constantFrom(150, 200, 220, 221, 226, 227, 229, 230, 331, 421, 425, 530, 550),
);

/** Lines a server could send: replies, parts of multi-line replies, and anything else. */
const replyLine = fc.oneof(
  fc.tuple(code, fc.constantFrom(' ', '-', ''), fc.string()).map(([c, sep, t]) => `${c}${sep}${t}`),
  fc.tuple(code, fc.string()).map(([c, t]) => ` ${c} ${t}`),
  fc.constantFrom('', ' ', '099 low', '700 high', '2000 long', '22', 'abc', '２２０ wide digits'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  hostileString,
);

describe('ReplyParser on fuzzed reply lines', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it(`reads a reply, waits, or says in one line what is wrong (${RUNS.lines} cases)`, () => {
    assertRuns(RUNS.lines, fc.array(replyLine, { maxLength: 20 }), (lines) => {
      const parser = new ReplyParser();
      let replyLines = 0;
      for (const line of lines) {
        const result = parser.push(line);
        if (result === null) continue;
        if (!result.ok) {
          expectClearMessage(result.error, MAX_MESSAGE);
          continue;
        }
        expect(Number.isInteger(result.value.code)).toBe(true);
        expect(replyClass(result.value.code)).not.toBe('invalid');
        expect(result.value.lines.length).toBeGreaterThan(0);
        replyLines += result.value.lines.length;
      }
      expect(replyLines).toBeLessThanOrEqual(lines.length);
    });
  });

  it(`gives back the lines formatReply wrote (${RUNS.roundTrip} cases)`, () => {
    const text = fc.array(
      fc.oneof(
        fc.string().map((s) => s.replace(/[\r\n]/g, '')),
        fc.tuple(code, fc.string()).map(([c, t]) => `${c} ${t}`.replace(/[\r\n]/g, '')),
        fc.constantFrom('', ' 220', '220', '  220 x'),
      ),
      { minLength: 1, maxLength: 6 },
    );
    assertRuns(RUNS.roundTrip, fc.tuple(code, text), ([c, lines]) => {
      const wire = formatReply(c, lines);
      expect(wire.endsWith('\r\n')).toBe(true);
      const parser = new ReplyParser();
      const results = wire
        .slice(0, -2)
        .split('\r\n')
        .map((line) => parser.push(line));
      expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
      expect(results.at(-1)).toEqual({ ok: true, value: { code: c, lines } });
    });
  });

  it(`describes any code in one line, and formats only 100-699 (${RUNS.codes} cases)`, () => {
    const anyNumber = fc.oneof(fc.integer({ min: -1000, max: 100_000 }), fc.double());
    assertRuns(RUNS.codes, anyNumber, (n) => {
      expectClearMessage(describeReplyCode(n), 120);
      const valid = Number.isInteger(n) && n >= 100 && n <= 699;
      expect(replyClass(n) === 'invalid').toBe(!valid);
      if (valid) expect(formatReply(n, 'x')).toBe(`${n} x\r\n`);
      else expect(() => formatReply(n, 'x')).toThrow(RangeError);
    });
  });
});

/** Replies whose 227/229 parse, so the machine goes on to its data connection. */
const passiveText = fc.oneof(
  fc
    .tuple(fc.nat({ max: 255 }), fc.nat({ max: 255 }))
    .map(([p1, p2]) => `Entering Passive Mode (192,0,2,1,${p1},${p2}).`),
  fc.nat({ max: 65535 }).map((p) => `Entering Extended Passive Mode (|||${p}|)`),
);

const machineEvent: fc.Arbitrary<FtpClientEvent | { type: 'tick'; ms: number }> = fc.oneof(
  {
    arbitrary: fc
      .tuple(code, fc.oneof(fc.string(), passiveText, hostileString))
      .map(([c, text]) => ({ type: 'REPLY' as const, code: c, text })),
    weight: 8,
  },
  {
    arbitrary: fc.nat({ max: 65535 }).map((port) => ({ type: 'DATA_LISTENING' as const, port })),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom<FtpClientEvent>(
      { type: 'CONTROL_CONNECTED' },
      { type: 'DATA_CONNECTED' },
      { type: 'DATA_EOF' },
      { type: 'DATA_SENT' },
      { type: 'DATA_FAILED', detail: 'connection refused' },
      { type: 'CONTROL_FAILED', detail: 'connection refused' },
    ),
    weight: 3,
  },
  {
    arbitrary: fc
      .uint8Array({ maxLength: 64 })
      .map((data) => ({ type: 'DATA_RECEIVED' as const, data })),
    weight: 1,
  },
  { arbitrary: fc.constant({ type: 'CONTROL_CLOSED' as const }), weight: 1 },
  { arbitrary: fc.nat({ max: 200_000 }).map((ms) => ({ type: 'tick' as const, ms })), weight: 1 },
);

const session = fc.record({
  mode: fc.constantFrom<DataMode>('active', 'passive', 'eprt', 'epsv'),
  type: fc.constantFrom<'ascii' | 'binary'>('ascii', 'binary'),
  commands: fc.array(
    fc.constantFrom(
      'LIST',
      'NLST',
      'RETR notes.txt',
      'STOR up.txt',
      'CWD pub',
      'PWD',
      'NOOP',
      'FEAT',
    ),
    { minLength: 1, maxLength: 4 },
  ),
  pasvAddress: fc.constantFrom<'trust' | 'ignore'>('trust', 'ignore'),
  events: fc.array(machineEvent, { maxLength: 40 }),
});

describe('the FTP client machine fed fuzzed replies', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it(`never fails itself and always ends (${RUNS.machine} cases)`, () => {
    assertRuns(RUNS.machine, session, ({ mode, type, commands, pasvAddress, events }) => {
      const clock = new TestClock();
      const actor = createActor(ftpClientMachine, {
        clock,
        input: {
          settings: {
            user: 'anonymous',
            password: 'guest@example.org',
            mode,
            type,
            steps: scriptSteps(commands),
            pasvAddress,
            replyTimeoutMs: 30_000,
          },
          localAddress: '192.0.2.10',
          serverAddress: '198.51.100.20',
          serverPort: 21,
        },
      });
      const emitted: FtpClientEmitted[] = [];
      actor.on('*', (event) => emitted.push(event));
      let error: unknown = null;
      actor.subscribe({ error: (e) => (error = e) });
      actor.start();
      const send = (event: FtpClientEvent) => {
        if (actor.getSnapshot().status === 'active') actor.send(event);
      };
      send({ type: 'START' });
      for (const event of events) {
        if (event.type === 'tick') clock.increment(event.ms);
        else send(event);
      }
      // The server goes away: whatever the machine waited for, it must finish.
      send({ type: 'CONTROL_CLOSED' });
      for (let i = 0; i < 10 && actor.getSnapshot().status === 'active'; i++) {
        clock.increment(60_000);
        send({ type: 'CONTROL_CLOSED' });
      }
      expect(error).toBeNull();
      expect(actor.getSnapshot().status).toBe('done');
      for (const out of emitted) {
        if (out.type === 'send-line') expect(out.wire).toMatch(/^[^\r\n]*\r\n$/);
      }
      actor.stop();
    });
  });
});
