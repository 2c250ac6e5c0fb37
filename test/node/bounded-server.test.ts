/**
 * The real server stays bounded under hostile clients (issue 11 items 2-7): uploads go to disk
 * under a cap, files are read from disk when asked for, failed writes are never answered 226, and
 * sessions, lines and listeners have limits.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import { connectPassive, RawFtp, storePassive } from './raw-ftp';
import { tempDir } from './tools';

const dir = tempDir('bounded-server');
const root = join(dir.path, 'root');
let server: RunningFtpServer;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(join(root, 'pub'), { recursive: true });
  writeFileSync(join(root, 'notes.txt'), 'notes\n');
  server = await startFtpServer({
    port: 0,
    root,
    maxUploadBytes: 4096,
    onError: (message) => errors.push(message),
  });
});
afterAll(async () => {
  await server?.close();
  dir.remove();
});

const loggedIn = () => RawFtp.loggedIn(server.port);

async function retrieve(raw: RawFtp, path: string): Promise<{ codes: number[]; bytes: Buffer }> {
  const data = await connectPassive(raw);
  const chunks: Buffer[] = [];
  data.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise((resolve) => data.once('close', resolve));
  raw.write(`RETR ${path}\r\n`);
  const first = (await raw.next())!.code;
  if (first !== 150) {
    data.destroy();
    return { codes: [first], bytes: Buffer.alloc(0) };
  }
  const last = (await raw.next())!.code;
  await closed;
  return { codes: [first, last], bytes: Buffer.concat(chunks) };
}

describe('uploads and downloads go through the disk (item 2)', () => {
  it('an upload over the cap gets 552, leaves nothing behind, and the session goes on', async () => {
    const raw = await loggedIn();
    try {
      expect(await raw.send('TYPE I')).toBe(200);
      expect(await storePassive(raw, 'big.bin', Buffer.alloc(64 * 1024, 7))).toEqual([150, 552]);
      expect(existsSync(join(root, 'big.bin'))).toBe(false);
      expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
      expect(await raw.send('NOOP')).toBe(200);
      expect(await storePassive(raw, 'small.bin', Buffer.alloc(4096, 1))).toEqual([150, 226]);
      expect(readFileSync(join(root, 'small.bin'))).toEqual(Buffer.alloc(4096, 1));
    } finally {
      raw.close();
    }
  });

  it('a session sees files written after it started: nothing is read at login', async () => {
    const raw = await loggedIn();
    try {
      writeFileSync(join(root, 'later.txt'), 'written after login\n');
      expect(await raw.send('TYPE I')).toBe(200);
      const got = await retrieve(raw, 'later.txt');
      expect(got.codes).toEqual([150, 226]);
      expect(got.bytes.toString()).toBe('written after login\n');
    } finally {
      raw.close();
    }
  });

  it('TYPE A converts line ends on the way in and out, across chunk boundaries', async () => {
    const raw = await loggedIn();
    try {
      expect(await raw.send('TYPE A')).toBe(200);
      expect(await storePassive(raw, 'pub/text.txt', 'one\r\ntwo\r\nthree\r')).toEqual([150, 226]);
      expect(readFileSync(join(root, 'pub', 'text.txt'), 'latin1')).toBe('one\ntwo\nthree\r');
      const got = await retrieve(raw, 'pub/text.txt');
      expect(got.bytes.toString('latin1')).toBe('one\r\ntwo\r\nthree\r');
    } finally {
      raw.close();
    }
  });
});
