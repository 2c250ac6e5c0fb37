/**
 * Nothing outside the served root is written or read, whatever links a local user has left inside
 * it (issue 11 item 1). Every path component is opened relative to the directory before it,
 * refusing links, so there is no gap between the check and the write for a link to slip into.
 */
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServedRoot } from '../../src/node/served-root';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import { connectPassive, RawFtp, storePassive } from './raw-ftp';
import { tempDir } from './tools';

const dir = tempDir('served-root');
const root = join(dir.path, 'root');
const outside = join(dir.path, 'outside');
let server: RunningFtpServer;

beforeAll(async () => {
  mkdirSync(join(root, 'pub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim.txt'), 'original\n');
  writeFileSync(join(root, 'pub', 'inside.txt'), 'inside\n');
  symlinkSync(join(outside, 'victim.txt'), join(root, 'victim-link.txt'));
  symlinkSync(outside, join(root, 'out-dir'));
  symlinkSync('pub', join(root, 'pub-link'));
  server = await startFtpServer({ port: 0, root, onError: () => {} });
});
afterAll(async () => {
  await server?.close();
  dir.remove();
});

const loggedIn = () => RawFtp.loggedIn(server.port);

/** STOR `path` in passive mode; the reply code to STOR, and the final one if the upload ran. */
async function store(path: string, body: string): Promise<number[]> {
  const raw = await loggedIn();
  try {
    expect(await raw.send('TYPE I')).toBe(200);
    return await storePassive(raw, path, body);
  } finally {
    raw.close();
  }
}

describe('STOR never writes through a symbolic link', () => {
  it.each([
    ['a link to a file outside the root', 'victim-link.txt'],
    ['a file in a linked directory outside the root', 'out-dir/victim.txt'],
    ['a new file in a linked directory outside the root', 'out-dir/new.txt'],
    ['a file in a linked directory inside the root', 'pub-link/inside.txt'],
  ])('%s: 553, and nothing changes', async (_, path) => {
    expect(await store(path, 'pwned\n')).toEqual([553]);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('original\n');
    expect(readdirSync(outside)).toEqual(['victim.txt']);
    expect(readFileSync(join(root, 'pub', 'inside.txt'), 'utf8')).toBe('inside\n');
    expect(lstatSync(join(root, 'victim-link.txt')).isSymbolicLink()).toBe(true);
  });

  it('a plain file in a plain directory is still written', async () => {
    expect(await store('pub/new.txt', 'fresh\n')).toEqual([150, 226]);
    expect(readFileSync(join(root, 'pub', 'new.txt'), 'utf8')).toBe('fresh\n');
  });
});

describe('reads and listings do not follow links either', () => {
  it('RETR through a link is 550; CWD into a linked directory is 550', async () => {
    const raw = await loggedIn();
    try {
      const data = await connectPassive(raw);
      expect(await raw.send('RETR victim-link.txt')).toBe(550);
      data.destroy();
      expect(await raw.send('CWD out-dir')).toBe(550);
      expect(await raw.send('CWD pub')).toBe(250);
    } finally {
      raw.close();
    }
  });
});

describe('no gap between check and write', () => {
  it('a link swapped in for the target during an upload is replaced, not written through', () => {
    const served = new ServedRoot(root);
    const upload = served.beginUpload('/pub/race.txt', 'race-1')!;
    expect(upload).not.toBeNull();
    symlinkSync(join(outside, 'victim.txt'), join(root, 'pub', 'race.txt'));
    writeSync(upload.fd, 'mine\n');
    upload.commit();
    expect(lstatSync(join(root, 'pub', 'race.txt')).isFile()).toBe(true);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('original\n');
  });

  it('a parent directory swapped for a link during an upload: the file lands in the directory it opened', () => {
    mkdirSync(join(root, 'moving'));
    const served = new ServedRoot(root);
    const upload = served.beginUpload('/moving/file.txt', 'race-2')!;
    renameSync(join(root, 'moving'), join(root, 'moved'));
    symlinkSync(outside, join(root, 'moving'));
    writeSync(upload.fd, 'mine\n');
    upload.commit();
    expect(readFileSync(join(root, 'moved', 'file.txt'), 'utf8')).toBe('mine\n');
    expect(readdirSync(outside)).toEqual(['victim.txt']);
  });
});
