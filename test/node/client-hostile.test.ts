/**
 * `npm run client` and `npm run record` against bad input and a hostile server (issue 11 items 8
 * and 9). The CLIs run as real child processes, as a user starts them; the server is a few lines
 * of node:net here that says whatever the test wants.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runFtpClient } from '../../src/node/client';
import { MAX_REPLY_LINE_BYTES, ReplyReader } from '../../src/node/client-replies';
import { tempDir } from './tools';

const dir = tempDir('client-hostile');
afterAll(() => dir.remove());

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The child's peak resident set (VmHWM), in bytes, as last read while it ran. */
  peakRss: number;
}

/** Runs a CLI entry point in its own Node process; killed if it takes longer than `timeoutMs`. */
function runCli(script: string, args: string[], timeoutMs = 20_000): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let peakRss = 0;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('latin1')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('latin1')));
  const sampler = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
      peakRss = Math.max(peakRss, kib * 1024);
    } catch {
      // The child has just exited.
    }
  }, 20);
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      // 'exit' can come before the pipes are drained.
      setTimeout(() => resolve({ code, stdout, stderr, peakRss }), 50);
    });
  });
}

const CLIENT = 'src/node/client-cli.ts';
const RECORD = 'src/node/record-cli.ts';

interface FakeServer {
  port: number;
  /** Control connections accepted so far. */
  connections(): number;
  /** Every command line received, in order. */
  commands(): string[];
  close(): Promise<void>;
}

/**
 * Just enough of an FTP server for the client to log in, open a passive data connection and
 * RETR: `greet` writes the greeting (a hostile one, if the test likes) and `retr` writes the
 * file to the data connection, resolving when it has written all of it.
 */
async function fakeServer(options: {
  greet?: (control: net.Socket) => void;
  retr?: (data: net.Socket) => Promise<void>;
}): Promise<FakeServer> {
  let connections = 0;
  const commands: string[] = [];
  const open = new Set<net.Socket | net.Server>();
  const server = net.createServer((control) => {
    connections++;
    open.add(control);
    control.on('error', () => {});
    control.on('close', () => open.delete(control));
    let pending = '';
    let dataSocket: Promise<net.Socket> | null = null;
    const reply = (line: string) => {
      if (!control.destroyed) control.write(`${line}\r\n`);
    };
    const answer = async (command: string) => {
      const verb = command.split(' ')[0]!.toUpperCase();
      if (verb === 'USER') reply('331 Password, please.');
      else if (verb === 'PASS') reply('230 Logged in.');
      else if (verb === 'TYPE') reply('200 Type set.');
      else if (verb === 'PASV') {
        const listener = net.createServer();
        open.add(listener);
        dataSocket = new Promise((resolve) =>
          listener.once('connection', (socket) => {
            open.add(socket);
            socket.on('error', () => {});
            listener.close();
            resolve(socket);
          }),
        );
        await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
        const port = (listener.address() as AddressInfo).port;
        reply(`227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255}).`);
      } else if (verb === 'RETR' && dataSocket !== null && options.retr) {
        const data = await dataSocket;
        reply('150 Here it comes.');
        await options.retr(data);
        await new Promise<void>((resolve) => data.end(resolve));
        reply('226 Transfer complete.');
      } else if (verb === 'QUIT') {
        reply('221 Goodbye.');
        control.end();
      } else reply('502 Not here.');
    };
    let queue = Promise.resolve();
    control.on('data', (bytes: Buffer) => {
      pending += bytes.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\n')) !== -1) {
        const command = pending.slice(0, end).replace(/\r$/, '');
        pending = pending.slice(end + 1);
        commands.push(command);
        queue = queue.then(() => answer(command));
      }
    });
    (options.greet ?? ((socket) => socket.write('220 Fake server ready.\r\n')))(control);
  });
  open.add(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    commands: () => commands,
    close: async () => {
      for (const item of open) {
        if (item instanceof net.Socket) item.destroy();
        else item.close();
      }
    },
  };
}

let servers: FakeServer[] = [];
afterEach(async () => {
  for (const server of servers) await server.close();
  servers = [];
});
async function startServer(options: Parameters<typeof fakeServer>[0] = {}): Promise<FakeServer> {
  const server = await fakeServer(options);
  servers.push(server);
  return server;
}

describe('a URL that would smuggle a second command (issue 11 item 8)', () => {
  it.each([
    [CLIENT, 'notes.txt%0d%0aDELE%20notes.txt', [], /the RETR argument "notes\.txt\\r\\nDELE/],
    [RECORD, 'notes.txt%0d%0aDELE%20notes.txt', ['--out', 'x.json'], /the RETR argument/],
    [CLIENT, 'pub%0a/', [], /the LIST argument "pub\\n\/"/],
  ])(
    '%s %s: one line on stderr, exit 2, nothing sent',
    async (script, path, extra, message) => {
      const server = await startServer();
      const out = join(dir.path, 'unused.json');
      const args = [
        `ftp://127.0.0.1:${server.port}/${path}`,
        ...extra.map((a) => (a === 'x.json' ? out : a)),
      ];
      const run = await runCli(script, args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/contains CR or LF/);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(server.connections()).toBe(0);
      expect(existsSync(out)).toBe(false);
    },
    30_000,
  );

  it('a user name or password with CR/LF in the URL: the same', async () => {
    const server = await startServer();
    for (const userInfo of ['me%0d%0aDELE%20x:pw', 'me:pw%0aSITE%20x']) {
      const run = await runCli(CLIENT, [`ftp://${userInfo}@127.0.0.1:${server.port}/notes.txt`]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^error: the (user name ".*"|password) contains CR or LF/);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(server.connections()).toBe(0);
  }, 30_000);
});

describe('runFtpClient with a CR or LF in a command argument', () => {
  it('rejects before connecting, rather than throwing inside the machine', async () => {
    const server = await startServer();
    await expect(
      runFtpClient({
        host: '127.0.0.1',
        port: server.port,
        mode: 'passive',
        type: 'binary',
        steps: [{ verb: 'RETR', arg: 'a\r\nDELE b' }],
      }),
    ).rejects.toThrow(/the RETR argument "a\\r\\nDELE b" contains CR or LF/);
    expect(server.connections()).toBe(0);
  });
});

/** Writes `total` bytes of `pattern` repeated, waiting whenever the socket's buffer is full. */
async function writeRepeated(socket: net.Socket, pattern: Buffer, total: number): Promise<void> {
  for (let sent = 0; sent < total && !socket.destroyed; sent += pattern.length) {
    const piece = total - sent >= pattern.length ? pattern : pattern.subarray(0, total - sent);
    if (!socket.write(piece)) {
      await new Promise<void>((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
}

const MIB = 1024 * 1024;

describe('a hostile server (issue 11 item 9)', () => {
  it('a 20 MB greeting line: refused after 8 KiB, in well under a second of CPU', async () => {
    // Before: the splitter copied its whole buffer on every chunk, 19.5 s of CPU for this.
    const server = await startServer({
      greet: (control) => {
        control.write('220 ');
        void writeRepeated(control, Buffer.alloc(MIB, 0x41), 20 * MIB).then(() =>
          control.write('\r\n'),
        );
      },
    });
    const cpu = process.cpuUsage();
    const result = await runFtpClient({
      host: '127.0.0.1',
      port: server.port,
      mode: 'passive',
      type: 'binary',
      steps: [{ verb: 'RETR', arg: 'x' }],
      replyTimeoutMs: 5000,
    });
    const used = process.cpuUsage(cpu);
    expect(result.failure).toMatchObject({
      step: 'login',
      detail: `the server sent a reply line longer than ${MAX_REPLY_LINE_BYTES} bytes: not FTP, so the client closed the connection`,
    });
    expect((used.user + used.system) / 1e6).toBeLessThan(1);
  }, 15_000);

  it('npm run client against it: one line on stderr, exit 1', async () => {
    const server = await startServer({
      greet: (control) => void writeRepeated(control, Buffer.alloc(MIB, 0x41), 20 * MIB),
    });
    const run = await runCli(CLIENT, [`ftp://127.0.0.1:${server.port}/`]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toBe(
      'error: failed at login: the server sent a reply line longer than 8192 bytes: not FTP, so the client closed the connection\n',
    );
  }, 30_000);

  it('a multi-line reply that never ends is refused too, not kept', async () => {
    const server = await startServer({
      greet: (control) => {
        control.write('220-Welcome\r\n');
        void writeRepeated(control, Buffer.from('220-and more\r\n'.repeat(1000)), 4 * MIB);
      },
    });
    const result = await runFtpClient({
      host: '127.0.0.1',
      port: server.port,
      mode: 'passive',
      type: 'binary',
      steps: [{ verb: 'RETR', arg: 'x' }],
      replyTimeoutMs: 3000,
    });
    expect(result.failure?.detail).toMatch(
      /^the server sent a multi-line reply longer than 65536 bytes/,
    );
  }, 15_000);

  it('a download streams into a slow sink at the pace it drains (backpressure)', async () => {
    const total = 8 * MIB;
    const server = await startServer({
      retr: (data) => writeRepeated(data, Buffer.alloc(64 * 1024, 7), total),
    });
    let maxBuffered = 0;
    let written = 0;
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write: (chunk: Buffer, _encoding, done) => {
        written += chunk.length;
        setTimeout(done, 1);
      },
    });
    const watch = setInterval(() => (maxBuffered = Math.max(maxBuffered, sink.writableLength)), 1);
    const result = await runFtpClient({
      host: '127.0.0.1',
      port: server.port,
      mode: 'passive',
      type: 'binary',
      steps: [{ verb: 'RETR', arg: 'big.bin' }],
      download: sink,
    });
    clearInterval(watch);
    sink.end();
    await new Promise((resolve) => sink.once('finish', resolve));
    expect(result.failure).toBeNull();
    expect(result.downloadedBytes).toBe(total);
    expect(written).toBe(total);
    expect(result.transfers[0]).toMatchObject({ received: null, bytesOnWire: total });
    // Without pausing the data connection the sink would hold megabytes.
    expect(maxBuffered).toBeLessThan(MIB);
  }, 30_000);

  it('a 200 MB RETR with --out goes to the file without growing the client', async () => {
    const size = 200 * MIB;
    const pattern = Buffer.alloc(MIB);
    for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31) & 0xff;
    // A one-byte download first: the client's own footprint, to measure the big one against.
    let fileSize = 1;
    const server = await startServer({ retr: (data) => writeRepeated(data, pattern, fileSize) });
    const url = `ftp://127.0.0.1:${server.port}/big.bin`;
    const small = await runCli(CLIENT, [url, '--out', join(dir.path, 'small.bin')]);
    expect(small.code, small.stderr).toBe(0);
    fileSize = size;
    const out = join(dir.path, 'big.bin');
    const big = await runCli(CLIENT, [url, '--out', out], 60_000);
    expect(big.code, big.stderr).toBe(0);
    expect(big.stdout).toContain(`-- wrote ${size} bytes to ${out}\n`);
    expect(statSync(out).size).toBe(size);
    const fd = openSync(out, 'r');
    const tail = Buffer.alloc(16);
    readSync(fd, tail, 0, 16, size - 16);
    closeSync(fd);
    expect(tail).toEqual(pattern.subarray(MIB - 16));
    // Before: the whole file in memory, twice (505 MB peak for this; 2,171 MB for 1 GiB).
    const growth = big.peakRss - small.peakRss;
    expect(growth, `peak ${big.peakRss}, baseline ${small.peakRss}`).toBeLessThan(64 * MIB);
  }, 60_000);

  it('TYPE A streams CRLF to LF, a CRLF split between two chunks too', async () => {
    const server = await startServer({
      retr: async (data) => {
        for (const piece of ['one\r', '\ntwo\r\nthree\r', '\n']) {
          data.write(piece);
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
      },
    });
    const out = join(dir.path, 'text.txt');
    const run = await runCli(CLIENT, [
      `ftp://127.0.0.1:${server.port}/text.txt`,
      '--type',
      'ascii',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(out, 'latin1')).toBe('one\ntwo\nthree\n');
    expect(run.stdout).toContain(`-- wrote 14 bytes to ${out}\n`);
  }, 30_000);

  it('a failed download leaves no --out file behind, as before it streamed', async () => {
    const server = await startServer();
    const out = join(dir.path, 'refused.bin');
    const run = await runCli(CLIENT, [`ftp://127.0.0.1:${server.port}/refused.bin`, '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: failed at RETR refused.bin: 502 Not here.\n');
    expect(existsSync(out)).toBe(false);
  }, 30_000);

  it('an --out that cannot be written is bad input, found before connecting', async () => {
    const server = await startServer();
    const run = await runCli(CLIENT, [
      `ftp://127.0.0.1:${server.port}/x`,
      '--out',
      join(dir.path, 'no-such-dir', 'x'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --out .*no-such-dir\/x: cannot write it: ENOENT/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(server.connections()).toBe(0);
  }, 30_000);
});

describe('ReplyReader', () => {
  const bytes = (text: string) => Buffer.from(text, 'latin1');
  const replies = (reader: ReplyReader, ...chunks: string[]) =>
    chunks.flatMap((chunk) => reader.push(bytes(chunk)));

  it('gives the same lines and replies however the bytes are split', () => {
    const wire = '220-Hello\r\n220 there\r\n331 Password\n';
    const whole = replies(new ReplyReader(), wire);
    expect(whole).toEqual([
      { kind: 'line', text: '220-Hello' },
      { kind: 'line', text: '220 there' },
      { kind: 'reply', reply: { code: 220, lines: ['Hello', 'there'] } },
      { kind: 'line', text: '331 Password' },
      { kind: 'reply', reply: { code: 331, lines: ['Password'] } },
    ]);
    expect(replies(new ReplyReader(), ...wire.split(''))).toEqual(whole);
    expect(replies(new ReplyReader(), wire.slice(0, 10), wire.slice(10))).toEqual(whole);
  });

  it('takes a line of exactly the limit, refuses one byte more, and then reads nothing', () => {
    const longest = `220 ${'x'.repeat(MAX_REPLY_LINE_BYTES - 5)}\r`;
    expect(replies(new ReplyReader(), longest, '\n').at(-1)).toMatchObject({ kind: 'reply' });
    const reader = new ReplyReader();
    const out = replies(reader, `${longest}x`);
    expect(out).toEqual([
      { kind: 'too-long', error: expect.stringMatching(/longer than 8192 bytes/) },
    ]);
    expect(reader.push(bytes('\n200 OK\r\n'))).toEqual([]);
  });

  it('reports a line that is no reply and goes on', () => {
    expect(replies(new ReplyReader(), 'hello\r\n200 OK\r\n')).toEqual([
      { kind: 'line', text: 'hello' },
      { kind: 'not-a-reply', error: expect.stringMatching(/3-digit code/) },
      { kind: 'line', text: '200 OK' },
      { kind: 'reply', reply: { code: 200, lines: ['OK'] } },
    ]);
  });
});
