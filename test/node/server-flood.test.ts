/**
 * Floods on the control connection against the real server (issue 11 items 3 and 4): one session
 * sending lines as fast as it can must not hold up the others, and one that never reads its
 * replies must not grow the server.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
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
