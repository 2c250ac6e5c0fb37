/**
 * A hand-driven FTP control connection over a raw socket, for sending what no polite client
 * would: overlong lines, bare LF, garbage, third-party PORTs. Replies are read whole (multi-line
 * included) with the project's own ReplyParser.
 */
import net from 'node:net';
import { LineSplitter } from '../../src/protocol/ftp-command';
import { ReplyParser, type FtpReply } from '../../src/protocol/ftp-reply';

export class RawFtp {
  private splitter = new LineSplitter();
  private parser = new ReplyParser();
  private replies: FtpReply[] = [];
  private waiting: ((reply: FtpReply | null) => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (bytes: Buffer) => {
      for (const line of this.splitter.push(bytes)) {
        const result = this.parser.push(line);
        if (result?.ok) this.deliver(result.value);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const wake of this.waiting.splice(0)) wake(null);
    });
  }

  static async connect(port: number, localAddress?: string): Promise<RawFtp> {
    const socket = net.connect({
      port,
      host: '127.0.0.1',
      ...(localAddress ? { localAddress } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawFtp(socket);
  }

  /** Connects and logs in anonymously, failing unless the server answers 220, 331 and 230. */
  static async loggedIn(port: number, localAddress?: string): Promise<RawFtp> {
    const raw = await RawFtp.connect(port, localAddress);
    const codes = [await raw.greeting(), await raw.send('USER anonymous')];
    codes.push(await raw.send('PASS guest@example.org'));
    if (codes.join() !== '220,331,230') {
      raw.close();
      throw new Error(`expected 220, 331, 230 to greeting, USER and PASS; got ${codes.join(', ')}`);
    }
    return raw;
  }

  private deliver(reply: FtpReply) {
    const wake = this.waiting.shift();
    if (wake) wake(reply);
    else this.replies.push(reply);
  }

  /** The next reply; null if the server closed the connection first. Fails after `timeoutMs`. */
  next(timeoutMs = 5000): Promise<FtpReply | null> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiting.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  /** True if no reply arrives within `ms` (replies that do arrive stay queued). */
  async silentFor(ms: number): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.replies.length === 0;
  }

  write(bytes: string | Uint8Array): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Sends one CRLF-terminated line and returns the reply code. */
  async send(line: string): Promise<number | null> {
    this.write(`${line}\r\n`);
    return (await this.next())?.code ?? null;
  }

  async greeting(): Promise<number | null> {
    return (await this.next())?.code ?? null;
  }

  async login(user = 'anonymous', password = 'test@example.org'): Promise<void> {
    const code = await this.send(`USER ${user}`);
    if (code === 331) await this.send(`PASS ${password}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Opens a passive data connection after a 227 reply and returns it. */
export async function connectPassive(raw: RawFtp, localAddress?: string): Promise<net.Socket> {
  raw.write('PASV\r\n');
  const reply = await raw.next();
  const numbers = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply?.lines.join(' ') ?? '');
  if (reply?.code !== 227 || numbers === null) {
    throw new Error(`expected 227, got ${JSON.stringify(reply)}`);
  }
  const port = Number(numbers[5]) * 256 + Number(numbers[6]);
  const socket = net.connect({
    port,
    host: '127.0.0.1',
    ...(localAddress ? { localAddress } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** STOR `path` over a passive data connection: the reply to STOR, and the final one if it ran. */
export async function storePassive(
  raw: RawFtp,
  path: string,
  body: Uint8Array | string,
): Promise<number[]> {
  const data = await connectPassive(raw);
  raw.write(`STOR ${path}\r\n`);
  const first = (await raw.next())!.code;
  if (first !== 150) {
    data.destroy();
    return [first];
  }
  data.on('error', () => {});
  data.end(body);
  return [first, (await raw.next())!.code];
}
