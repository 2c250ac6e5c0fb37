/**
 * Fuzz: FTP command lines to the real server (issue 11, "A standing fuzz suite"): the project's
 * server on 127.0.0.1 (port 0), driven over four control connections at once with random byte
 * lines: commands with hostile arguments, raw bytes (NUL, Telnet IAC, lone CR), overlong lines,
 * PORT and EPRT towards a sink of ours or towards a third party (bounce, refused).
 *
 * Cases per run (numRuns): 120 rounds of 4 connection scripts (1 to 3 lines each): 480 scripts.
 *
 * Each script: every byte the server sends parses as replies with codes 1yz-5yz and lines of a
 * bounded length; after the script a FEAT is answered within 10 s (no hang, no starvation), or
 * the server closed that connection (QUIT, 421). At the end, memory has not run away, every
 * session is over, and a well-behaved client still gets a listing.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFtpClient } from '../../src/node/client';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import { LineSplitter } from '../../src/protocol/ftp-command';
import { ReplyParser, type FtpReply } from '../../src/protocol/ftp-reply';
import { assertRunsAsync, FUZZ_TIMEOUT_MS, UNFIXED } from './arbitraries';
import { startSink, type Sink } from './sink';

const RUNS = { rounds: 120 };
const CONNECTIONS = 4;
/** No reply line of ours comes near this; an echoed 4 KiB command would. */
const MAX_REPLY_LINE = 1024;

/** A control connection that keeps every reply and every line that was not one. */
class Control {
  private splitter = new LineSplitter();
  private parser = new ReplyParser();
  readonly replies: FtpReply[] = [];
  readonly problems: string[] = [];
  closed = false;
  private wake: (() => void) | null = null;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (bytes: Buffer) => {
      for (const line of this.splitter.push(bytes)) {
        if (line.length > MAX_REPLY_LINE) this.problems.push(`a ${line.length}-byte reply line`);
        const result = this.parser.push(line);
        if (result === null) continue;
        if (!result.ok) this.problems.push(result.error);
        else if (result.value.code >= 600) this.problems.push(`code ${result.value.code}`);
        else this.replies.push(result.value);
      }
      this.wake?.();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  static async open(port: number): Promise<Control> {
    const socket = net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new Control(socket);
  }

  /** Waits for a reply that `match`es (true) or the end of the connection (false). */
  async until(match: (reply: FtpReply) => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    let seen = 0;
    for (;;) {
      for (; seen < this.replies.length; seen++) if (match(this.replies[seen]!)) return true;
      if (this.closed) return false;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching reply within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  write(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes);
  }
}

let server: RunningFtpServer;
let sink: Sink | undefined;
let sinkPort = 0;
const serverErrors: string[] = [];

beforeAll(async () => {
  server = await startFtpServer({
    port: 0,
    acceptTimeoutMs: 200,
    connectTimeoutMs: 500,
    dataTimeoutMs: 2000,
    idleTimeoutMs: 30_000,
    lineTimeoutMs: 10_000,
    maxUploadBytes: 64 * 1024,
    onError: (message) => serverErrors.push(message),
  });
  // Where PORT and EPRT point: takes the server's data connection, sends nothing, closes.
  sink = await startSink();
  sinkPort = sink.port;
});

afterAll(async () => {
  await server?.close();
  await sink?.close();
});

const VERBS = [
  'USER',
  'PASS',
  'ACCT',
  'CWD',
  'CDUP',
  'PWD',
  'XPWD',
  'TYPE',
  'MODE',
  'STRU',
  'ALLO',
  'SYST',
  'OPTS',
  'LIST',
  'NLST',
  'RETR',
  'STOR',
  'APPE',
  'DELE',
  'MKD',
  'RMD',
  'RNFR',
  'RNTO',
  'REST',
  'ABOR',
  'SIZE',
  'MDTM',
  'STAT',
  'HELP',
  'SITE',
  'PASV',
  'EPSV',
  'PORT',
  'EPRT',
  'QUIT',
  'XYZZ',
  'user',
  'Retr',
];

const argument = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    'notes.txt',
    '/',
    '..',
    '../../etc/passwd',
    'A',
    'I',
    'L 8',
    'E',
    'S',
    'F',
    'UTF8 ON',
    'anonymous',
    'ftp',
    '中文.txt',
    '\u0000',
    'a b  c',
    '%s%n',
    '-la',
  ),
  fc.integer({ min: 1, max: 4500 }).map((n) => 'x'.repeat(n)),
);

/** PORT and EPRT name our sink, a third party (the FTP bounce; refused) or nothing readable. */
const dataTarget = fc.oneof(
  fc.constant(() => `PORT 127,0,0,1,${sinkPort >> 8},${sinkPort & 255}`),
  fc.constant(() => `EPRT |1|127.0.0.1|${sinkPort}|`),
  fc.constant(() => `PORT 127,0,0,2,${sinkPort >> 8},${sinkPort & 255}`),
  fc.constant(() => `EPRT |1|127.0.0.2|${sinkPort}|`),
  fc
    .constantFrom(
      'PORT 127,0,0,1,0,0',
      'PORT 1,2,3',
      'PORT 256,0,0,1,1,1',
      'EPRT |2|::1|21|',
      'EPRT ||||',
      'PORT -1,0,0,1,1,1',
    )
    .map((text) => () => text),
);

const encoder = new TextEncoder();
const bytesOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);

/** One line's bytes, its end of line included. */
const line: fc.Arbitrary<() => Uint8Array> = fc.oneof(
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom(...VERBS),
        fc.option(argument),
        fc.constantFrom('\r\n', '\n', '\r\r\n'),
      )
      .map(
        ([verb, arg, end]) =>
          () =>
            bytesOf(`${verb}${arg === null ? '' : ` ${arg}`}${end}`),
      ),
    weight: 6,
  },
  {
    arbitrary: fc
      .tuple(dataTarget, fc.constantFrom('LIST', 'NLST', 'RETR notes.txt', 'STOR fuzz.txt', 'NOOP'))
      .map(
        ([target, next]) =>
          () =>
            bytesOf(`${target()}\r\n${next}\r\n`),
      ),
    weight: 1,
  },
  {
    arbitrary: fc.uint8Array({ maxLength: 80 }).map((b) => () => Uint8Array.of(...b, 0x0d, 0x0a)),
    weight: 2,
  },
  {
    arbitrary: fc
      .string({ unit: 'grapheme', maxLength: 30 })
      .map((s) => () => encoder.encode(`RETR ${s}\r\n`)),
    weight: 1,
  },
  {
    arbitrary: fc
      .constantFrom(0xff, 0x00, 0x0d)
      .map((b) => () => Uint8Array.of(b, 0xf4, 0xff, 0xf2, 0x0d, 0x0a)),
    weight: 1,
  },
  {
    arbitrary: fc
      .integer({ min: 4000, max: 70_000 })
      .map((n) => () => bytesOf(`STAT ${'y'.repeat(n)}\r\n`)),
    weight: 1,
  },
);

const script = fc.record({
  login: fc.boolean(),
  lines: fc.array(line, { minLength: 1, maxLength: 3 }),
});

const isFeatReply = (r: FtpReply) => r.code === 211 && /feature/i.test(r.lines[0] ?? '');

describe('the real server fed fuzzed command lines', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it(`answers every line and stays responsive (${RUNS.rounds} rounds of ${CONNECTIONS} connections)`, async () => {
    const controls: (Control | null)[] = Array(CONNECTIONS).fill(null);
    const memoryBefore = process.memoryUsage().rss;

    const runScript = async (slot: number, s: { login: boolean; lines: (() => Uint8Array)[] }) => {
      let control = controls[slot];
      if (!control || control.closed) {
        control = await Control.open(server.port);
        controls[slot] = control;
        expect(await control.until((r) => r.code === 220, 10_000), 'greeting').toBe(true);
        if (s.login) {
          control.write(bytesOf('USER anonymous\r\nPASS fuzz@example.org\r\n'));
          await control.until((r) => r.code === 230 || r.code === 530, 10_000);
        }
      }
      for (const make of s.lines) control.write(make());
      control.write(bytesOf('FEAT\r\n'));
      // Answered, or the server ended the session (QUIT, an overlong line's 421): both are fine.
      await control.until(isFeatReply, 10_000);
      expect(control.problems, 'every line the server sent was a reply').toEqual([]);
    };

    await assertRunsAsync(
      RUNS.rounds,
      fc.array(script, { minLength: CONNECTIONS, maxLength: CONNECTIONS }),
      async (scripts) => {
        await Promise.all(scripts.map((s, slot) => runScript(slot, s)));
      },
    );

    for (const control of controls) control?.socket.destroy();
    const deadline = Date.now() + 10_000;
    while (server.openSessions() > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    // While UNFIXED.quitLinger, a session that got QUIT with lines still queued stays open.
    if (!UNFIXED.quitLinger) expect(server.openSessions(), 'every session is over').toBe(0);
    expect(process.memoryUsage().rss - memoryBefore, 'memory did not run away').toBeLessThan(
      300 * 1024 * 1024,
    );
    for (const message of serverErrors) expect(message).not.toMatch(/[\r\n]/);

    const result = await runFtpClient({
      host: '127.0.0.1',
      port: server.port,
      mode: 'passive',
      type: 'ascii',
      steps: [{ verb: 'LIST', arg: null }],
      replyTimeoutMs: 10_000,
      sessionTimeoutMs: 20_000,
    });
    expect(result.failure).toBeNull();
  });

  it.skipIf(UNFIXED.quitLinger)(
    'ends a session at QUIT, even with lines still queued behind it',
    async () => {
      const before = server.openSessions();
      const control = await Control.open(server.port);
      expect(await control.until((r) => r.code === 220, 10_000)).toBe(true);
      control.write(bytesOf(`QUIT\r\n${'NOOP\r\n'.repeat(20_000)}`));
      expect(await control.until(() => false, 10_000), 'the server closes the connection').toBe(
        false,
      );
      control.socket.destroy();
      const deadline = Date.now() + 5000;
      while (server.openSessions() > before && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.openSessions(), 'the session is over').toBe(before);
    },
  );
});
