/**
 * Floods on the control connection against the real server (issue 11 items 3 and 4): one session
 * sending lines as fast as it can must not hold up the others, and one that never reads its
 * replies must not grow the server.
 */
import net from 'node:net';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/node/recording';
import { defaultFileStore } from '../../src/machines/file-store';
import { memoryFiles } from '../../src/node/served-files';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import {
  LINES_PER_SLICE,
  OUTPUT_HIGH_WATER,
  runServerSession,
} from '../../src/node/server-session';
import { RawFtp } from './raw-ftp';

let server: RunningFtpServer;

beforeAll(async () => {
  server = await startFtpServer({ port: 0 });
});
afterAll(() => server?.close());

/** Sends NOOP after NOOP on a session of its own until `stop()`; each one's reply time in ms. */
function pinger(raw: RawFtp) {
  const latencies: number[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const sent = performance.now();
      expect(await raw.send('NOOP')).toBe(200);
      latencies.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    latencies,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/**
 * A logged-in session on a plain socket that counts the replies after login cheaply (a RawFtp
 * would parse and queue each of 65,536) and checks that each is a 500.
 */
async function flooder(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let text = '';
  let lines = 0;
  const others: string[] = [];
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    const complete = text.split('\r\n');
    text = complete.pop()!;
    for (const line of complete) {
      lines++;
      if (lines > 3 && !line.startsWith('500 ')) others.push(line);
    }
  });
  socket.write('USER anonymous\r\nPASS guest@example.org\r\n');
  return {
    socket,
    /** Replies after the greeting, 331 and 230. */
    replies: () => Math.max(0, lines - 3),
    others,
  };
}

async function until(condition: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a burst of empty lines (item 3)', () => {
  it('gets one reply per line while other sessions are still answered at once', async () => {
    const polite = await RawFtp.loggedIn(server.port);
    const flood = await flooder(server.port);
    try {
      const lines = 64 * 1024;
      const ping = pinger(polite);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const before = ping.latencies.length;
      // One write: the server reads it in one or two chunks of up to 64 KiB.
      flood.socket.write(Buffer.alloc(lines, 0x0a));
      await until(() => flood.replies() === lines, 'every line is answered', 30_000);
      const duringFlood = ping.latencies.length - before;
      await ping.stop();
      expect(flood.others).toEqual([]);
      // Before the fix, all 65,536 lines were handled in one go: no NOOP was answered until the
      // last of them (5 to 13 s on a loaded 2-core machine), so none in between.
      expect(duringFlood).toBeGreaterThanOrEqual(5);
      expect(Math.max(...ping.latencies)).toBeLessThan(1500);
    } finally {
      polite.close();
      flood.socket.destroy();
    }
  }, 40_000);
});

/**
 * A control connection whose client never reads: what the session writes stays in the stream's
 * buffer, as it stays in a socket's once the kernel's buffers are full (on loopback they hold
 * megabytes, which a real client takes seconds of flooding to fill). Its idle timer is the one a
 * socket has: it fires when nothing was read or written for that long.
 */
class UnreadConnection extends Duplex {
  readonly localAddress = '127.0.0.1';
  readonly remoteAddress = '127.0.0.1';
  private idleMs = 0;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super({ allowHalfOpen: false });
    this.on('data', () => this.touch());
  }

  override _read() {}
  override _write(_chunk: Buffer, _encoding: string, _done: () => void) {
    // Never done: the client reads nothing.
    this.touch();
  }
  override _destroy(error: Error | null, callback: (error: Error | null) => void) {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    callback(error);
  }

  setTimeout(ms: number, listener?: () => void): this {
    this.idleMs = ms;
    if (listener) this.once('timeout', listener);
    this.touch();
    return this;
  }

  private touch() {
    if (this.idleMs === 0 || this.destroyed) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
  }
}

describe('a client that sends and never reads (item 4)', () => {
  it('stops being read once its replies back up, is closed (421) when idle so, and its repeats are counted, not logged', async () => {
    const control = new UnreadConnection();
    const log: SessionEvent[] = [];
    const over = runServerSession(control as unknown as net.Socket, {
      settings: {
        users: [],
        allowAnonymous: true,
        greeting: 'FTP Lab server ready.',
        passivePorts: { from: 1024, to: 65535 },
        passiveAddress: null,
        activeSourcePort: 0,
        acceptTimeoutMs: 1000,
        connectTimeoutMs: 1000,
        files: {},
      },
      passivePorts: null,
      idleTimeoutMs: 500,
      lineTimeoutMs: 60_000,
      dataTimeoutMs: 1000,
      files: memoryFiles(defaultFileStore(), 1024),
      onEvent: (event) => log.push(event),
    });
    // 256 Ki bare LFs: 262,144 lines, whose replies (41 bytes each) would be 10.5 MB.
    const lines = 256 * 1024;
    for (let i = 0; i < 4; i++) control.push(Buffer.alloc(lines / 4, 0x0a));
    await Promise.race([over, new Promise((resolve) => setTimeout(resolve, 8000))]);
    expect(control.destroyed).toBe(true);
    const handled = log.reduce((sum, event) => {
      if (event.kind === 'line' && event.from === 'client') return sum + 1;
      const held = /^(\d+) more like this not shown: C: $/.exec(
        event.kind === 'note' ? event.text : '',
      );
      return sum + Number(held?.[1] ?? 0);
    }, 0);
    // Reading stopped at 64 KiB of unread replies (about 1,600 of them). Before the fix every line
    // was handled and every reply kept (30 s of this over a socket: 113 to 463 MB).
    expect(handled).toBeGreaterThan(1000);
    expect(handled).toBeLessThan(5000);
    // What was left unread when it closed: one slice past the bound, not 10 MB.
    expect(control.writableLength).toBeLessThan(OUTPUT_HIGH_WATER + LINES_PER_SLICE * 64);
    const closing = log.findIndex(
      (event) => event.kind === 'note' && event.text === 'no reply read for 0.5 s',
    );
    expect(log[closing + 1]).toMatchObject({
      kind: 'line',
      from: 'server',
      text: '421 Replies are not being read; closing the connection.',
    });
    // Thousands of "C: " and "S: 500 ..." lines, logged as a few of each and a count.
    // (Ten a second each are let through: a slow, loaded machine takes a few seconds more.)
    expect(log.length).toBeLessThan(200);
    expect(log).toContainEqual(
      expect.objectContaining({
        kind: 'note',
        text: expect.stringMatching(/^\d+ more like this not shown: S: 500 /),
      }),
    );
  }, 15_000);
});
