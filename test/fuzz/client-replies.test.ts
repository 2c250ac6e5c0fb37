/**
 * Fuzz: replies to the real client (issue 11, "A standing fuzz suite"): runFtpClient over real
 * sockets against a tiny fake server on 127.0.0.1 that answers each command with random replies:
 * wrong codes, broken multi-line replies, bare LF, NUL, overlong lines, silence, a closed
 * connection, passive replies to a data sink of ours, a connection back to the client's PORT.
 *
 * Cases per run (numRuns): 8 rounds of 10 sessions at once: 80 sessions.
 *
 * Each session: runFtpClient resolves (it never rejects or hangs: each has 8 s, its own limit 2 s) with ok, or with
 * a failure of a known kind whose notes are single lines; every socket it opened is closed.
 */
import net, { type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureKind } from '../../src/machines/ftp-client';
import { runFtpClient } from '../../src/node/client';
import type { SessionEvent } from '../../src/node/recording';
import { parseEpsvReply, parsePasvReply } from '../../src/protocol/ftp-address';
import { LineSplitter } from '../../src/protocol/ftp-command';
import { scriptSteps } from '../../src/scenario/simulate';
import { assertRunsAsync, expectClearMessage, FUZZ_TIMEOUT_MS, UNFIXED } from './arbitraries';
import { startSink, type Sink } from './sink';

const RUNS = { rounds: 8 };
const SESSIONS = 10;
const FAILURE_KINDS: FailureKind[] = [
  'control-connect',
  'login',
  'reply',
  'data-connect',
  'data-transfer',
  'reply-timeout',
  'control-lost',
];

/** What the fake server does in answer to one command (or, first, instead of a greeting). */
type Answer =
  | { kind: 'lines'; lines: string[]; end: string }
  | { kind: 'pasv' }
  | { kind: 'epsv' }
  | { kind: 'connect-back' }
  | { kind: 'silence' }
  | { kind: 'close' };

let sink: Sink | undefined;
let sinkPort = 0;
const fakeServers = new Set<net.Server>();

beforeAll(async () => {
  // Where passive replies point: takes the client's data connection, sends a few bytes, closes.
  sink = await startSink('some data\r\nmore\r\n');
  sinkPort = sink.port;
});

afterAll(async () => {
  for (const server of fakeServers) server.close();
  await sink?.close();
});

/**
 * A passive reply that would send the client anywhere but our sink becomes a plain 500, so that
 * no random reply makes the client connect to some other program's port on this machine.
 */
function safeLine(line: string): string {
  const code = line.slice(0, 3);
  const text = line.slice(4);
  if (code === '227' && parsePasvReply(text).ok) {
    const target = parsePasvReply(text);
    if (!target.ok || target.value.port !== sinkPort || target.value.address !== '127.0.0.1')
      return '500 (a random 227 left out)';
  }
  if (code === '229' && parseEpsvReply(text).ok) {
    const target = parseEpsvReply(text);
    if (!target.ok || target.value.port !== sinkPort) return '500 (a random 229 left out)';
  }
  return line;
}

async function fakeServer(greeting: Answer, answers: Answer[]): Promise<net.Server> {
  const server = net.createServer((control) => {
    control.on('error', () => {});
    const splitter = new LineSplitter();
    let next = 0;
    let portTarget: number | null = null;
    const act = (answer: Answer) => {
      switch (answer.kind) {
        case 'lines':
          control.write(answer.lines.map(safeLine).join(answer.end) + answer.end, 'latin1');
          return;
        case 'pasv':
          control.write(
            `227 Entering Passive Mode (127,0,0,1,${sinkPort >> 8},${sinkPort & 255}).\r\n`,
          );
          return;
        case 'epsv':
          control.write(`229 Entering Extended Passive Mode (|||${sinkPort}|)\r\n`);
          return;
        case 'connect-back':
          control.write('150 Here it comes.\r\n');
          if (portTarget !== null) {
            const data = net.connect({ host: '127.0.0.1', port: portTarget });
            data.on('error', () => {});
            data.on('connect', () => data.end('listing\r\n'));
          }
          control.write('226 Done.\r\n');
          return;
        case 'silence':
          return;
        case 'close':
          control.end();
          return;
      }
    };
    control.on('data', (bytes: Buffer) => {
      for (const line of splitter.push(bytes)) {
        // The client's own listener, named in its PORT or EPRT: the only place we connect back to.
        const port = /^PORT 127,0,0,1,(\d+),(\d+)$/.exec(line);
        const eprt = /^EPRT \|1\|127\.0\.0\.1\|(\d+)\|$/.exec(line);
        if (port) portTarget = Number(port[1]) * 256 + Number(port[2]);
        if (eprt) portTarget = Number(eprt[1]);
        if (line === 'QUIT') {
          control.end('221 Bye.\r\n');
          return;
        }
        act(answers[next++ % answers.length]!);
      }
    });
    act(greeting);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  fakeServers.add(server);
  return server;
}

const code = fc.oneof(
  fc.constantFrom(150, 200, 220, 226, 227, 229, 230, 250, 331, 421, 425, 500, 530, 550),
  fc.integer({ min: 0, max: 999 }),
);

const replyLines = fc.oneof(
  fc.tuple(code, fc.string({ unit: 'binary-ascii', maxLength: 30 })).map(([c, t]) => [`${c} ${t}`]),
  fc
    .tuple(code, fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }), fc.boolean())
    .map(([c, middle, closed]) => [`${c}-start`, ...middle, ...(closed ? [`${c} end`] : [])]),
  fc.constantFrom<string[]>(['220'], ['2'], [''], ['\u0000\u0000'], ['220-a', '220-b'], ['999 x']),
  fc.integer({ min: 1000, max: 100_000 }).map((n) => [`220 ${'z'.repeat(n)}`]),
);

const answer: fc.Arbitrary<Answer> = fc.oneof(
  {
    arbitrary: fc
      .tuple(replyLines, fc.constantFrom('\r\n', '\n', '\r\r\n'))
      .map(([lines, end]) => ({ kind: 'lines' as const, lines, end })),
    weight: 8,
  },
  { arbitrary: fc.constantFrom<Answer>({ kind: 'pasv' }, { kind: 'epsv' }), weight: 2 },
  { arbitrary: fc.constant<Answer>({ kind: 'connect-back' }), weight: 1 },
  { arbitrary: fc.constantFrom<Answer>({ kind: 'silence' }, { kind: 'close' }), weight: 1 },
);

/** Mostly a plausible greeting and login, so that the fuzzing reaches the transfers. */
const greeting = fc.oneof(
  { arbitrary: fc.constant<Answer>({ kind: 'lines', lines: ['220 Hi.'], end: '\r\n' }), weight: 3 },
  { arbitrary: answer, weight: 1 },
);
const plausible = fc.constantFrom<Answer[]>(
  [
    { kind: 'lines', lines: ['331 Password?'], end: '\r\n' },
    { kind: 'lines', lines: ['230 In.'], end: '\r\n' },
    { kind: 'lines', lines: ['200 Type set.'], end: '\r\n' },
  ],
  [],
);

const session = fc.record({
  greeting,
  answers: fc
    .tuple(plausible, fc.array(answer, { minLength: 1, maxLength: 8 }))
    .map(([a, b]) => [...a, ...b]),
  mode: fc.constantFrom<'active' | 'passive' | 'eprt' | 'epsv'>(
    'active',
    'passive',
    'eprt',
    'epsv',
  ),
  type: fc.constantFrom<'ascii' | 'binary'>('ascii', 'binary'),
  commands: fc.array(fc.constantFrom('LIST', 'RETR notes.txt', 'STOR up.txt', 'PWD', 'CWD pub'), {
    minLength: 1,
    maxLength: 3,
  }),
  pasvAddress: fc.constantFrom<'trust' | 'ignore'>('trust', 'ignore'),
});

type Session = {
  greeting: Answer;
  answers: Answer[];
  mode: 'active' | 'passive' | 'eprt' | 'epsv';
  type: 'ascii' | 'binary';
  commands: string[];
  pasvAddress: 'trust' | 'ignore';
};

async function runSession(s: Session) {
  const server = await fakeServer(s.greeting, s.answers);
  const events: SessionEvent[] = [];
  try {
    const run = runFtpClient({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      mode: s.mode,
      type: s.type,
      steps: scriptSteps(s.commands),
      pasvAddress: s.pasvAddress,
      replyTimeoutMs: 200,
      sessionTimeoutMs: 2000,
      onEvent: (event) => events.push(event),
    });
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('runFtpClient did not finish within 8 s')), 8000);
    });
    const result = await Promise.race([run, hang]).finally(() => clearTimeout(timer));
    expect(typeof result.ok).toBe('boolean');
    if (result.failure !== null) {
      expect(FAILURE_KINDS).toContain(result.failure.kind);
      expect(typeof result.failure.detail).toBe('string');
    } else {
      expect(result.ok).toBe(true);
    }
    for (const event of events) {
      if (event.kind !== 'note') continue;
      const leeway = UNFIXED.failureNote && event.text.startsWith('client gives up at');
      expectClearMessage(event.text, 1000, { multiLine: leeway, long: leeway });
    }
  } finally {
    server.close();
    fakeServers.delete(server);
  }
}

/** A multi-line reply in a failure: the note must still be one short line. */
const multiLineFailure: Session = {
  greeting: {
    kind: 'lines',
    lines: ['220-Hello', 'there', `220 ${'w'.repeat(5000)}`],
    end: '\r\n',
  },
  answers: [{ kind: 'lines', lines: ['530-No', 'one', '530 is welcome'], end: '\r\n' }],
  mode: 'passive',
  type: 'ascii',
  commands: ['LIST'],
  pasvAddress: 'ignore',
};

describe(
  'the real client against a fake server with fuzzed replies',
  { timeout: FUZZ_TIMEOUT_MS },
  () => {
    it(`ends every session with a result (${RUNS.rounds} rounds of ${SESSIONS} sessions)`, async () => {
      const rounds = fc.array(session, { minLength: SESSIONS, maxLength: SESSIONS });
      await assertRunsAsync(RUNS.rounds, rounds, async (sessions) => {
        await Promise.all(sessions.map(runSession));
      });
    });

    it.skipIf(UNFIXED.failureNote)('says why it gives up in one short line', async () => {
      await runSession(multiLineFailure);
    });
  },
);
