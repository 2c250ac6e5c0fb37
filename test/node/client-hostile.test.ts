/**
 * `npm run client` and `npm run record` against bad input and a hostile server (issue 11 items 8
 * and 9). The CLIs run as real child processes, as a user starts them; the server is a few lines
 * of node:net here that says whatever the test wants.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runFtpClient } from '../../src/node/client';
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
