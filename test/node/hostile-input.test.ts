/**
 * Malformed and hostile input against the project's server on a real socket: overlong lines, bare
 * LF, garbage, commands before login, the FTP bounce attack (RFC 2577), data connections from
 * strangers, clients that vanish mid-transfer, floods of pipelined commands. Each gets the answer
 * a careful server gives, and afterwards the server still serves a well-behaved client.
 */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFileStore } from '../../src/machines/file-store';
import { runFtpClient } from '../../src/node/client';
import type { SessionEvent } from '../../src/node/recording';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import { connectPassive, RawFtp } from './raw-ftp';
import { binarySample, expectSameBytes } from './tools';

/** Larger than loopback's socket buffers, so a transfer is still running when the client leaves. */
const BIG = binarySample(16 * 1024 * 1024, 5);
const files = { ...defaultFileStore(), '/big.bin': { bytes: BIG, kind: 'binary' as const } };

let server: RunningFtpServer;
const events: { session: number; event: SessionEvent }[] = [];

beforeAll(async () => {
  server = await startFtpServer({
    port: 0,
    files,
    onEvent: (session, event) => events.push({ session, event }),
  });
});
afterAll(() => server?.close());

const loggedIn = (localAddress?: string) => RawFtp.loggedIn(server.port, localAddress);

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A well-behaved client still gets a listing, and no session is left over. */
async function expectStillServes(): Promise<void> {
  const result = await runFtpClient({
    host: '127.0.0.1',
    port: server.port,
    mode: 'passive',
    type: 'ascii',
    steps: [{ verb: 'LIST', arg: null }],
  });
  expect(result.failure).toBeNull();
  expect(new TextDecoder().decode(result.transfers[0]!.received!)).toContain('notes.txt');
  await until(() => server.openSessions() === 0, 'every session is over');
}

/** A listener on another loopback address (127.0.0.2: all of 127/8 is this host on Linux). */
async function thirdParty(): Promise<{ port: number; connections: () => number; close(): void }> {
  let connections = 0;
  const listener = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.2', resolve));
  return {
    port: (listener.address() as AddressInfo).port,
    connections: () => connections,
    close: () => listener.close(),
  };
}

describe('malformed lines', () => {
  it('an overlong line gets one 500, its bytes are not kept, and the session goes on', async () => {
    const raw = await loggedIn();
    // A megabyte without an end of line, in pieces, then the end of the line.
    const chunk = 'A'.repeat(64 * 1024);
    for (let i = 0; i < 16; i++) raw.write(chunk);
    expect(await raw.silentFor(100)).toBe(true);
    raw.write('\r\n');
    expect((await raw.next())?.code).toBe(500);
    // Longer than RFC 959 needs but under the hard limit: also one 500.
    expect(await raw.send(`NOOP ${'x'.repeat(1000)}`)).toBe(500);
    expect(await raw.send('NOOP')).toBe(200);
    expect(await raw.silentFor(50)).toBe(true);
    raw.close();
    await expectStillServes();
  });

  it('a bare LF ends a line as CRLF does; a CR inside a line makes it no command', async () => {
    const raw = await RawFtp.connect(server.port);
    expect(await raw.greeting()).toBe(220);
    raw.write('USER anonymous\nPASS x\nNOOP\n');
    expect((await raw.next())?.code).toBe(331);
    expect((await raw.next())?.code).toBe(230);
    expect((await raw.next())?.code).toBe(200);
    expect(await raw.send('NO\rOP')).toBe(500);
    raw.close();
    await expectStillServes();
  });

  it('unknown commands, empty lines, NUL bytes, Telnet IAC and 8-bit garbage each get one 500, in order', async () => {
    const raw = await loggedIn();
    const garbage = [
      'FOO',
      'XYZZY',
      '',
      '\x00\x00\x00',
      '\xff\xf4\xff\xfd\x06',
      '\x80\x81\x82 x',
      '123',
    ];
    raw.write(garbage.map((line) => `${line}\r\n`).join('') + 'SYST\r\n');
    for (const _ of garbage) expect((await raw.next())?.code).toBe(500);
    expect((await raw.next())?.code).toBe(215);
    raw.close();
    await expectStillServes();
  });
});

describe('before login', () => {
  it('every command but USER, PASS and QUIT gets 530; PASS first gets 503; no data port opens', async () => {
    const before = events.length;
    const raw = await RawFtp.connect(server.port);
    expect(await raw.greeting()).toBe(220);
    for (const line of [
      'LIST',
      'RETR notes.txt',
      'STOR x',
      'PASV',
      'EPSV',
      'PORT 127,0,0,1,200,1',
      'CWD pub',
      'SYST',
    ]) {
      expect(await raw.send(line), line).toBe(530);
    }
    expect(await raw.send('PASS x')).toBe(503);
    expect(await raw.send('USER anonymous')).toBe(331);
    expect(await raw.send('LIST')).toBe(530);
    expect(await raw.send('QUIT')).toBe(221);
    await until(() => raw.closed, 'the server closes the connection');
    expect(events.slice(before).filter(({ event }) => event.kind === 'data-open')).toEqual([]);
    await expectStillServes();
  });
});

describe('FTP bounce (RFC 2577 §3): data connections only to the client itself', () => {
  it('PORT and EPRT naming another host get 500 and nothing connects there', async () => {
    const victim = await thirdParty();
    try {
      const raw = await loggedIn();
      const p1 = Math.floor(victim.port / 256);
      const p2 = victim.port % 256;
      expect(await raw.send(`PORT 127,0,0,2,${p1},${p2}`)).toBe(500);
      expect(await raw.send('LIST')).toBe(425);
      expect(await raw.send(`EPRT |1|127.0.0.2|${victim.port}|`)).toBe(500);
      expect(await raw.send('RETR notes.txt')).toBe(425);
      // The client's own address, but a privileged port: refused too.
      expect(await raw.send('PORT 127,0,0,1,0,22')).toBe(500);
      expect(await raw.silentFor(200)).toBe(true);
      expect(victim.connections()).toBe(0);
      raw.close();
    } finally {
      victim.close();
    }
    await expectStillServes();
  });

  it("the client's own address is fine, whichever it is", async () => {
    // The client connects from 127.0.0.2 and names 127.0.0.2: its own address, so allowed.
    const received: Buffer[] = [];
    const listener = net.createServer((socket) =>
      socket.on('data', (d: Buffer) => received.push(d)),
    );
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.2', resolve));
    const port = (listener.address() as AddressInfo).port;
    try {
      const raw = await loggedIn('127.0.0.2');
      expect(await raw.send(`EPRT |1|127.0.0.2|${port}|`)).toBe(200);
      expect(await raw.send('NLST')).toBe(150);
      expect((await raw.next())?.code).toBe(226);
      await until(
        () => Buffer.concat(received).toString().includes('notes.txt'),
        'the listing arrives',
      );
      raw.close();
    } finally {
      listener.close();
    }
  });

  it('a passive data connection from another address is refused; the client can still connect', async () => {
    const raw = await loggedIn();
    const stranger = await connectPassive(raw, '127.0.0.2').catch((error: Error) => error);
    // The stranger's connection is accepted by the kernel and then closed unread.
    if (!(stranger instanceof Error)) {
      await new Promise((resolve) => stranger.once('close', resolve));
    }
    const data = await connectPassive(raw);
    const chunks: Buffer[] = [];
    data.on('data', (d: Buffer) => chunks.push(d));
    expect(await raw.send('NLST')).toBe(150);
    expect((await raw.next())?.code).toBe(226);
    await new Promise((resolve) => data.once('close', resolve));
    expect(Buffer.concat(chunks).toString()).toContain('notes.txt');
    expect(
      events.some(
        ({ event }) => event.kind === 'note' && /from 127\.0\.0\.2 refused/.test(event.text),
      ),
    ).toBe(true);
    raw.close();
    await expectStillServes();
  });
});

describe('clients that leave mid-transfer', () => {
  it('a download whose data connection is reset gets 426, and the session goes on', async () => {
    const raw = await loggedIn();
    expect(await raw.send('TYPE I')).toBe(200);
    const data = await connectPassive(raw);
    data.pause();
    expect(await raw.send('RETR big.bin')).toBe(150);
    await new Promise((resolve) => setTimeout(resolve, 50));
    data.resetAndDestroy();
    expect((await raw.next())?.code).toBe(426);
    expect(await raw.send('NOOP')).toBe(200);
    raw.close();
    await expectStillServes();

    // And the file is whole for the next client.
    const result = await runFtpClient({
      host: '127.0.0.1',
      port: server.port,
      mode: 'epsv',
      type: 'binary',
      steps: [{ verb: 'RETR', arg: 'big.bin' }],
    });
    expectSameBytes(result.transfers[0]?.received, BIG);
  });

  it('an upload whose data connection is reset gets 426 and stores nothing', async () => {
    const raw = await loggedIn();
    expect(await raw.send('TYPE I')).toBe(200);
    const data = await connectPassive(raw);
    expect(await raw.send('STOR partial.bin')).toBe(150);
    data.write(Buffer.alloc(10_000, 7));
    await new Promise((resolve) => setTimeout(resolve, 50));
    data.resetAndDestroy();
    expect((await raw.next())?.code).toBe(426);
    expect(await raw.send('PASV')).toBe(227);
    expect(await raw.send('RETR partial.bin')).toBe(550);
    raw.close();
    await expectStillServes();
  });

  it('a client that drops the control connection mid-transfer ends its session and frees it', async () => {
    const raw = await loggedIn();
    expect(await raw.send('TYPE I')).toBe(200);
    const data = await connectPassive(raw);
    data.pause();
    expect(await raw.send('RETR big.bin')).toBe(150);
    raw.close();
    await until(() => server.openSessions() === 0, 'the session is over');
    // Its data connection was closed by the server, not left hanging.
    await new Promise((resolve) => {
      data.on('error', () => {});
      data.once('close', resolve);
      data.resume();
    });
    await expectStillServes();
  });

  it('a client that never connects to its passive port gets 425 after the accept timeout', async () => {
    const impatient = await startFtpServer({ port: 0, files, acceptTimeoutMs: 200 });
    try {
      const raw = await RawFtp.connect(impatient.port);
      expect(await raw.greeting()).toBe(220);
      await raw.login();
      expect(await raw.send('PASV')).toBe(227);
      expect(await raw.send('LIST')).toBe(425);
      expect(await raw.send('NOOP')).toBe(200);
      raw.close();
    } finally {
      await impatient.close();
    }
  });
});

describe('passive ports', () => {
  it('PASV when every port of the range is taken gets 425, and the session goes on', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as AddressInfo).port;
    const crowded = await startFtpServer({
      port: 0,
      files,
      passivePorts: { from: port, to: port },
    });
    try {
      const raw = await RawFtp.connect(crowded.port);
      expect(await raw.greeting()).toBe(220);
      await raw.login();
      expect(await raw.send('PASV')).toBe(425);
      squatter.close();
      await new Promise((resolve) => squatter.once('close', resolve));
      raw.write('EPSV\r\n');
      expect(await raw.next()).toEqual({
        code: 229,
        lines: [`Entering Extended Passive Mode (|||${port}|)`],
      });
      raw.close();
    } finally {
      squatter.close();
      await crowded.close();
    }
  });
});

describe('floods and silence', () => {
  it('thousands of pipelined commands behind a transfer are answered, in order, after it', async () => {
    const raw = await loggedIn();
    const data = await connectPassive(raw);
    const flood = 3000;
    raw.write(`NLST\r\n${'NOOP\r\n'.repeat(flood)}SYST\r\n`);
    expect((await raw.next())?.code).toBe(150);
    expect((await raw.next())?.code).toBe(226);
    for (let i = 0; i < flood; i++) {
      const reply = await raw.next();
      if (reply?.code !== 200) expect.fail(`NOOP ${i}: ${JSON.stringify(reply)}`);
    }
    expect((await raw.next())?.code).toBe(215);
    data.destroy();
    raw.close();
    await expectStillServes();
  });

  it('a client that says nothing is told 421 and disconnected (vsftpd idle_session_timeout)', async () => {
    const sleepy = await startFtpServer({ port: 0, files, idleTimeoutMs: 200 });
    try {
      const raw = await RawFtp.connect(sleepy.port);
      expect(await raw.greeting()).toBe(220);
      const reply = await raw.next(2000);
      expect(reply).toEqual({ code: 421, lines: ['Timeout.'] });
      await until(() => raw.closed, 'the server closes the connection');
      await until(() => sleepy.openSessions() === 0, 'the session is over');
    } finally {
      await sleepy.close();
    }
  });
});
