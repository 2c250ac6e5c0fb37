/**
 * UTF-8 file names over real sockets (RFC 2640 §2.2), as vsftpd, curl, Python's ftplib and lftp
 * carry them: the bytes of a name on the control connection and in a listing are the UTF-8 bytes
 * of its characters, and the name on disk is those same bytes. Before this the project's server
 * and client wrote one byte per character: curl's `STOR 中文.txt` landed on disk double-encoded
 * (c3 a4 c2 b8 …), a `日本.txt` on disk was listed as `??.txt` and could not be fetched, and the
 * client asked vsftpd for the wrong bytes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/node/client-cli';
import { BoundedLineReader, MAX_LINE_BYTES } from '../../src/node/control-lines';
import type { SessionEvent } from '../../src/node/recording';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import { connectPassive, RawFtp } from './raw-ftp';
import {
  CURL,
  LFTP,
  prepared,
  PYTHON,
  requireProgram,
  runProgram,
  startVsftpd,
  tempDir,
  type RealServer,
} from './tools';

const JAPAN = '日本.txt';
const JAPAN_TEXT = 'こんにちは\n';
/** runProgram reads output one character per byte; this reads it back as UTF-8. */
const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');
const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');

const dir = tempDir('server-utf8');
const root = join(dir.path, 'root');
const local = join(dir.path, 'local');
let server: RunningFtpServer;
const commands: string[] = [];

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  mkdirSync(local);
  writeFileSync(join(root, JAPAN), JAPAN_TEXT);
  writeFileSync(join(local, '中文.txt'), 'zhongwen\n');
  server = await startFtpServer({
    port: 0,
    root,
    onEvent: (_session: number, event: SessionEvent) => {
      if (event.kind === 'line' && event.from === 'client') commands.push(event.text);
    },
  });
});
afterAll(async () => {
  await server?.close();
  dir.remove();
});

const url = (path = '') => `ftp://127.0.0.1:${server.port}/${path}`;
const curl = (args: string[], cwd?: string) =>
  runProgram(CURL, ['--silent', '--show-error', '--max-time', '15', ...args], { cwd });

describe('the control connection', () => {
  it('FEAT lists UTF8 (before login, as vsftpd), and it is true: a name in a reply comes back as the UTF-8 bytes sent', async () => {
    const raw = await RawFtp.connect(server.port);
    try {
      expect(await raw.greeting()).toBe(220);
      raw.write('FEAT\r\n');
      const feat = await raw.next();
      expect(feat?.code).toBe(211);
      expect(feat?.lines).toContain(' UTF8');
      expect(await raw.send('OPTS UTF8 ON')).toBe(200);
      await raw.login();
      expect(await raw.send('TYPE I')).toBe(200);
      const data = await connectPassive(raw);
      const received: Buffer[] = [];
      data.on('data', (chunk: Buffer) => received.push(chunk));
      const closed = new Promise((resolve) => data.once('close', resolve));
      raw.write(Buffer.from(`RETR ${JAPAN}\r\n`, 'utf8'));
      const opening = await raw.next();
      expect(opening?.code).toBe(150);
      // RawFtp reads one character per byte.
      expect(utf8(opening!.lines.join('\n'))).toContain(`for ${JAPAN} (`);
      expect((await raw.next())?.code).toBe(226);
      await closed;
      expect(Buffer.concat(received).toString('utf8')).toBe(JAPAN_TEXT);
    } finally {
      raw.close();
    }
  });
});

describe('the command line limit', () => {
  it('counts bytes, not characters: 2,000 CJK characters are 6,000 bytes, over 4,096', () => {
    const line = Buffer.from(`STOR ${'中'.repeat(2000)}\r\n`, 'utf8');
    expect(new BoundedLineReader().push(line)).toEqual([
      { kind: 'overlong', bytes: line.length - 2 },
    ]);
    const fits = Buffer.from(`STOR ${'中'.repeat(1000)}\n`, 'utf8');
    expect(fits.length).toBeLessThan(MAX_LINE_BYTES);
    expect(new BoundedLineReader().push(fits)).toEqual([
      { kind: 'line', text: `STOR ${'中'.repeat(1000)}` },
    ]);
  });
});

describe('curl', () => {
  const curlInstalled = prepared(() => requireProgram(CURL, 'curl'));

  it('uploads 中文.txt: the file on disk has exactly the UTF-8 name', async () => {
    curlInstalled();
    const upload = await curl(['-T', '中文.txt', url()], local);
    expect(upload.stderr).toBe('');
    expect(upload.code).toBe(0);
    expect(commands).toContain('STOR 中文.txt');
    const names = readdirSync(root, { encoding: 'buffer' }).map((name) => name.toString('hex'));
    expect(names).toContain(hex('中文.txt'));
    expect(readFileSync(join(root, '中文.txt'), 'utf8')).toBe('zhongwen\n');
  });

  it('lists 日本.txt by LIST and NLST, and downloads it', async () => {
    curlInstalled();
    const list = await curl([url()]);
    expect(list.code).toBe(0);
    expect(utf8(list.stdout)).toMatch(/^-.* 日本\.txt\r?$/m);
    const nlst = await curl(['--list-only', url()]);
    expect(nlst.code).toBe(0);
    expect(utf8(nlst.stdout).split(/\r?\n/)).toContain(JAPAN);
    const fetched = await curl([url(encodeURIComponent(JAPAN))]);
    expect(fetched.stderr).toBe('');
    expect(fetched.code).toBe(0);
    expect(utf8(fetched.stdout)).toBe(JAPAN_TEXT);
  });

  it('two names that differ only in non-ASCII characters stay two files', async () => {
    curlInstalled();
    const names = ['ä-ö.txt', 'ü-ß.txt'];
    for (const [i, name] of names.entries()) {
      writeFileSync(join(local, name), `file ${i}\n`);
      const upload = await curl(['-T', join(local, name), url(encodeURIComponent(name))]);
      expect(upload.code).toBe(0);
    }
    const nlst = await curl(['--list-only', url()]);
    const listed = utf8(nlst.stdout).split(/\r?\n/);
    for (const [i, name] of names.entries()) {
      expect(listed).toContain(name);
      expect(readFileSync(join(root, name), 'utf8')).toBe(`file ${i}\n`);
      const fetched = await curl([url(encodeURIComponent(name))]);
      expect(utf8(fetched.stdout)).toBe(`file ${i}\n`);
    }
  });
});

describe("Python's ftplib (UTF-8 by default)", () => {
  const pythonInstalled = prepared(() => requireProgram(PYTHON, 'python3'));
  const script = `
import ftplib, json, sys
ftp = ftplib.FTP(encoding='utf-8')
ftp.connect('127.0.0.1', int(sys.argv[1]), timeout=10)
ftp.login()
out = {'nlst': ftp.nlst(), 'list': []}
ftp.retrlines('LIST', out['list'].append)
data = bytearray()
ftp.retrbinary('RETR ' + sys.argv[2], data.extend)
out['data'] = data.decode('utf-8')
ftp.quit()
print(json.dumps(out))
`;

  it('lists 日本.txt by LIST and NLST, and downloads it', async () => {
    pythonInstalled();
    const result = await runProgram(PYTHON, ['-c', script, String(server.port), JAPAN]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // json.dumps escapes every non-ASCII character, so stdout is ASCII.
    const out = JSON.parse(result.stdout);
    expect(out.nlst).toContain(JAPAN);
    expect(out.list.some((line: string) => line.endsWith(` ${JAPAN}`))).toBe(true);
    expect(out.data).toBe(JAPAN_TEXT);
  });
});

describe('lftp', () => {
  const lftpInstalled = prepared(() => requireProgram(LFTP, 'lftp'));

  it('lists 日本.txt and downloads it (after FEAT and OPTS UTF8 ON)', async () => {
    lftpInstalled();
    const target = join(local, 'lftp-japan.txt');
    // lftp converts names from the locale's charset: a UTF-8 locale, so it sends them unchanged.
    const result = await runProgram('/usr/bin/env', [
      'LC_ALL=C.UTF-8',
      LFTP,
      '-c',
      [
        'set net:max-retries 1',
        'set net:timeout 10',
        `open -p ${server.port} 127.0.0.1`,
        'cls -1',
        `get ${JAPAN} -o ${target}`,
      ].join('; '),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(utf8(result.stdout).split(/\r?\n/)).toContain(JAPAN);
    expect(readFileSync(target, 'utf8')).toBe(JAPAN_TEXT);
    expect(commands).toContain('OPTS UTF8 ON');
  });
});

describe('the project client against vsftpd', () => {
  const vsftpdDir = tempDir('client-utf8');
  const vsftpdRoot = join(vsftpdDir.path, 'root');
  let started: RealServer | undefined;
  const vsftpd = prepared(async () => {
    mkdirSync(vsftpdRoot);
    writeFileSync(join(vsftpdRoot, JAPAN), JAPAN_TEXT);
    started = await startVsftpd(vsftpdRoot, vsftpdDir.path);
    return started;
  });
  afterAll(async () => {
    await started?.stop();
    vsftpdDir.remove();
  });

  it('fetches ftp://…/%E6%97%A5%E6%9C%AC.txt (vsftpd passes the bytes to the disk)', async () => {
    const out = join(vsftpdDir.path, 'fetched.txt');
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) };
    const code = await run(
      [`ftp://127.0.0.1:${vsftpd().port}/%E6%97%A5%E6%9C%AC.txt`, '--out', out],
      io,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('RETR 日本.txt');
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe(JAPAN_TEXT);
  });
});
