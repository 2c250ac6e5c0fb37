/**
 * STOR that cannot write its file (issue 11 item 5): onto a directory's name, with a name longer
 * than a file system takes, under a file, in a directory that is not there. Each gets what
 * vsftpd 3 answers (553 Could not create file.), and no file appears in a listing afterwards, on
 * disk or in memory.
 *
 * One difference, on purpose: a NUL in the name. vsftpd turns the NUL into LF (RFC 959's Telnet
 * NUL, it reasons) and stores "bad\nname.txt", a name no NLST line can carry; we refuse it with
 * the same 553.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import { connectPassive, RawFtp } from './raw-ftp';
import { startVsftpd, tempDir, type RealServer } from './tools';

const dir = tempDir('stor-failures');

/** [what, the STOR argument]. */
const UNWRITABLE: [string, string][] = [
  ["a directory's name", 'pub'],
  ['a 300-byte name', `${'n'.repeat(296)}.txt`],
  ['a name under a file', 'notes.txt/inner.txt'],
  ['a directory that is not there', 'nowhere/file.txt'],
];

function makeRoot(name: string): string {
  const root = join(dir.path, name);
  mkdirSync(join(root, 'pub'), { recursive: true });
  writeFileSync(join(root, 'notes.txt'), 'notes\n');
  return root;
}

/** Every reply to one STOR attempt (with a data connection ready), then the names NLST lists. */
async function attempt(port: number, path: string): Promise<{ codes: number[]; listed: string[] }> {
  // Not RawFtp.loggedIn: this vsftpd asks no anonymous password (230 to USER).
  const raw = await RawFtp.connect(port);
  try {
    expect(await raw.greeting()).toBe(220);
    await raw.login();
    expect(await raw.send('TYPE I')).toBe(200);
    const data = await connectPassive(raw);
    data.on('error', () => {});
    raw.write(`STOR ${path}\r\n`);
    const codes = [(await raw.next())!.code];
    if (codes[0] === 150) {
      data.end('would-be contents\n');
      codes.push((await raw.next())!.code);
    } else {
      data.destroy();
    }
    const listing = await connectPassive(raw);
    const chunks: Buffer[] = [];
    listing.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise((resolve) => listing.once('close', resolve));
    expect(await raw.send('NLST')).toBe(150);
    expect((await raw.next())?.code).toBe(226);
    await closed;
    const listed = Buffer.concat(chunks).toString('latin1').split('\r\n').filter(Boolean);
    return { codes, listed: listed.sort() };
  } finally {
    raw.close();
  }
}

let vsftpd: RealServer;
let disk: RunningFtpServer;
let memory: RunningFtpServer;
const diskRoot = makeRoot('ours');
/** What the server reports as not the client's doing: the failed rename. */
const errors: string[] = [];

beforeAll(async () => {
  [vsftpd, disk, memory] = await Promise.all([
    startVsftpd(makeRoot('vsftpd'), dir.path),
    startFtpServer({ port: 0, root: diskRoot, onError: (message) => errors.push(message) }),
    startFtpServer({
      port: 0,
      files: {
        '/notes.txt': { bytes: new TextEncoder().encode('notes\n'), kind: 'text' },
        '/pub/.keep': { bytes: new Uint8Array(0), kind: 'text' },
      },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([vsftpd?.stop(), disk?.close(), memory?.close()]);
  dir.remove();
});

const UNTOUCHED = ['notes.txt', 'pub'];

describe('STOR that cannot write its file', () => {
  for (const [what, path] of UNWRITABLE) {
    it(`${what}: 553 as vsftpd answers, and nothing listed`, async () => {
      expect(await attempt(vsftpd.port, path)).toEqual({ codes: [553], listed: UNTOUCHED });
      expect(await attempt(disk.port, path)).toEqual({ codes: [553], listed: UNTOUCHED });
      expect(await attempt(memory.port, path)).toEqual({ codes: [553], listed: UNTOUCHED });
      expect(readdirSync(diskRoot).sort()).toEqual(UNTOUCHED);
    });
  }

  it('a NUL in the name: 553, where vsftpd stores a name with an LF in it', async () => {
    expect(await attempt(vsftpd.port, 'bad\0name.txt')).toEqual({
      codes: [150, 226],
      listed: ['bad\nname.txt', ...UNTOUCHED],
    });
    expect(await attempt(disk.port, 'bad\0name.txt')).toEqual({ codes: [553], listed: UNTOUCHED });
    expect(await attempt(memory.port, 'bad\0name.txt')).toEqual({
      codes: [553],
      listed: UNTOUCHED,
    });
    expect(readdirSync(diskRoot).sort()).toEqual(UNTOUCHED);
  });

  it('a write that fails after 150 gets 451 (vsftpd: Failure writing to local file.), not 226', async () => {
    const raw = await RawFtp.loggedIn(disk.port);
    try {
      expect(await raw.send('TYPE I')).toBe(200);
      const data = await connectPassive(raw);
      data.on('error', () => {});
      expect(await raw.send('STOR late.txt')).toBe(150);
      // The upload goes to a fresh file and is renamed over the target at the end: a directory
      // that took the name meanwhile cannot be replaced.
      mkdirSync(join(diskRoot, 'late.txt'));
      writeFileSync(join(diskRoot, 'late.txt', 'inside'), '');
      data.end('contents\n');
      expect(await raw.next()).toEqual({ code: 451, lines: ['Failure writing to local file.'] });
      expect(await raw.send('NOOP')).toBe(200);
      expect(readdirSync(diskRoot).sort()).toEqual(['late.txt', ...UNTOUCHED]);
      expect(readdirSync(join(diskRoot, 'late.txt'))).toEqual(['inside']);
      expect(errors).toEqual([expect.stringMatching(/^STOR: cannot store: /)]);
    } finally {
      raw.close();
      rmSync(join(diskRoot, 'late.txt'), { recursive: true, force: true });
    }
  });
});
