/**
 * The real server's limits on what held sessions may take (issue 11 item 6): a cap on sessions
 * at once, a time limit for one command line, and passive listeners given up after the accept
 * timeout even while their session stays.
 */
import { describe, expect, it } from 'vitest';
import { startFtpServer, TOO_MANY_SESSIONS } from '../../src/node/server';
import { RawFtp } from './raw-ftp';
import { freePort } from './tools';

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sessions at once', () => {
  it('the connection past --max-sessions gets 421 and is closed; a freed place is taken again', async () => {
    const server = await startFtpServer({ port: 0, maxSessions: 3 });
    const held: RawFtp[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await RawFtp.loggedIn(server.port));
      const extra = await RawFtp.connect(server.port);
      expect(await extra.next()).toEqual({
        code: 421,
        lines: [TOO_MANY_SESSIONS.slice(4)],
      });
      await until(() => extra.closed, 'the server closes the connection');
      expect(server.openSessions()).toBe(3);

      held.pop()!.close();
      await until(() => server.openSessions() === 2, 'the session is over');
      const next = await RawFtp.loggedIn(server.port);
      held.push(next);
      expect(await next.send('NOOP')).toBe(200);
    } finally {
      for (const raw of held) raw.close();
      await server.close();
    }
  });
});

describe('a command line that takes too long (slowloris)', () => {
  it('a client dribbling one byte at a time is told 421 and closed', async () => {
    const server = await startFtpServer({ port: 0, lineTimeoutMs: 400 });
    const raw = await RawFtp.loggedIn(server.port);
    try {
      let sent = 0;
      const started = performance.now();
      // Each byte resets any idle timer; before the fix this went on for as long as the client liked.
      while (!raw.closed && performance.now() - started < 5000) {
        raw.write('N');
        sent++;
        await sleep(50);
      }
      expect(raw.closed).toBe(true);
      expect(performance.now() - started).toBeLessThan(3000);
      expect(await raw.next()).toEqual({
        code: 421,
        lines: ['Command line not completed in time.'],
      });
      expect(sent).toBeGreaterThan(4);
      await until(() => server.openSessions() === 0, 'the session is over');
    } finally {
      raw.close();
      await server.close();
    }
  });

  it('lines that end in time are not cut off, and a silent session is no slow line', async () => {
    const server = await startFtpServer({ port: 0, lineTimeoutMs: 400 });
    const raw = await RawFtp.loggedIn(server.port);
    try {
      // Each line within the limit, all of them together well past it.
      for (let i = 0; i < 3; i++) {
        raw.write('NO');
        await sleep(200);
        expect(await raw.send('OP')).toBe(200);
      }
      await sleep(600);
      expect(await raw.send('NOOP')).toBe(200);
    } finally {
      raw.close();
      await server.close();
    }
  });
});

describe('the idle timeout', () => {
  it('still closes a session that was busy the first time its timer fired', async () => {
    const server = await startFtpServer({ port: 0, idleTimeoutMs: 300, acceptTimeoutMs: 1000 });
    const raw = await RawFtp.loggedIn(server.port);
    try {
      expect(await raw.send('PASV')).toBe(227);
      // Waiting for a data connection nobody opens: not idle when the timer fires at 300 ms.
      expect(await raw.send('NLST')).toBe(425);
      // Before the fix the timer's one-time listener was spent on that, and this never came.
      expect(await raw.next(3000)).toEqual({ code: 421, lines: ['Timeout.'] });
      await until(() => raw.closed, 'the server closes the connection');
    } finally {
      raw.close();
      await server.close();
    }
  });
});

describe('passive listeners', () => {
  it('are closed after the accept timeout while their session stays, so held sessions do not use up the range', async () => {
    const port = await freePort();
    const server = await startFtpServer({
      port: 0,
      passivePorts: { from: port, to: port },
      acceptTimeoutMs: 300,
    });
    const holder = await RawFtp.loggedIn(server.port);
    const later = await RawFtp.loggedIn(server.port);
    try {
      expect(await holder.send('PASV')).toBe(227);
      // The range's only port is taken now.
      expect(await later.send('PASV')).toBe(425);
      await sleep(600);
      // Before the fix the holder kept it for as long as its session lasted.
      expect(await later.send('PASV')).toBe(227);
      // The holder's port is gone: its transfer fails as one nobody connected to.
      expect(await holder.send('NLST')).toBe(425);
      expect(await holder.send('NOOP')).toBe(200);
    } finally {
      holder.close();
      later.close();
      await server.close();
    }
  });
});
