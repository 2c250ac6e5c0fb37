/**
 * Real FTP clients against the project's server machine running on a real socket: curl, Python's
 * ftplib and lftp list, download and upload in active and passive mode (and curl in EPRT and EPSV
 * too), with the files on disk in a temporary root. Downloads and uploads must be byte-identical.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/node/recording';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import {
  binarySample,
  CURL,
  expectSameBytes,
  freePort,
  LFTP,
  prepared,
  PYTHON,
  requireProgram,
  runProgram,
  tempDir,
  textSample,
} from './tools';

const BINARY = binarySample(300_000, 3);
const TEXT = textSample(200);
const UPLOAD = binarySample(90_000, 11);

const dir = tempDir('real-clients');
const root = join(dir.path, 'root');
const local = join(dir.path, 'local');
let server: RunningFtpServer;
/** What the client said in each session, by session number. */
const commands = new Map<number, string[]>();

beforeAll(async () => {
  mkdirSync(join(root, 'pub'), { recursive: true });
  mkdirSync(local);
  writeFileSync(join(root, 'data.bin'), BINARY);
  writeFileSync(join(root, 'pub', 'notes.txt'), TEXT);
  writeFileSync(join(local, 'upload.bin'), UPLOAD);
  server = await startFtpServer({
    port: 0,
    root,
    onEvent: (session: number, event: SessionEvent) => {
      if (event.kind !== 'line' || event.from !== 'client') return;
      commands.set(session, [...(commands.get(session) ?? []), event.text]);
    },
  });
});
afterAll(async () => {
  await server?.close();
  dir.remove();
});

/** The commands of the session that started last. */
const lastSession = () => commands.get(server.sessions()) ?? [];
const url = (path = '') => `ftp://127.0.0.1:${server.port}/${path}`;

describe('curl', () => {
  const curlInstalled = prepared(() => requireProgram(CURL, 'curl'));

  const variants = [
    { name: 'passive, EPSV', flags: [], command: /^EPSV$/ },
    { name: 'passive, PASV', flags: ['--disable-epsv'], command: /^PASV$/ },
    {
      name: 'active, EPRT',
      flags: ['--ftp-port', '127.0.0.1'],
      command: /^EPRT \|1\|127\.0\.0\.1\|\d+\|$/,
    },
    {
      name: 'active, PORT',
      flags: ['--ftp-port', '127.0.0.1', '--disable-eprt'],
      command: /^PORT 127,0,0,1,\d+,\d+$/,
    },
  ];

  const curl = async (flags: string[], ...args: string[]) => {
    const run = await runProgram(CURL, [
      '--silent',
      '--show-error',
      '--max-time',
      '15',
      ...flags,
      ...args,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout;
  };

  it.each(variants)('$name: LIST, RETR and STOR', async ({ name, flags, command }) => {
    curlInstalled();
    const listing = await curl(flags, url());
    expect(listing).toMatch(/^-.* data\.bin\r?$/m);
    expect(listing).toMatch(/^d.* pub\r?$/m);
    expect(lastSession().some((line) => command.test(line))).toBe(true);

    const downloaded = join(local, `curl-${name.replace(/\W+/g, '-')}.bin`);
    await curl(flags, '--output', downloaded, url('data.bin'));
    expectSameBytes(readFileSync(downloaded), BINARY);
    expect(lastSession()).toContain('RETR data.bin');

    const target = `up-curl-${name.replace(/\W+/g, '-')}.bin`;
    await curl(flags, '--upload-file', join(local, 'upload.bin'), url(target));
    expectSameBytes(readFileSync(join(root, target)), UPLOAD);
    expect(lastSession()).toContain(`STOR ${target}`);
  });

  it('active mode connects from the configured source port (RFC 959 says 20; any port works)', async () => {
    curlInstalled();
    const sourcePort = await freePort();
    const opens: SessionEvent[] = [];
    const fixed = await startFtpServer({
      port: 0,
      root,
      activeSourcePort: sourcePort,
      onEvent: (_session, event) => event.kind === 'data-open' && opens.push(event),
    });
    try {
      const listing = await runProgram(CURL, [
        '-sS',
        '--ftp-port',
        '127.0.0.1',
        `ftp://127.0.0.1:${fixed.port}/`,
      ]);
      expect(listing.code).toBe(0);
      expect(opens).toMatchObject([{ opener: 'server', local: { port: sourcePort } }]);
    } finally {
      await fixed.close();
    }
  });

  it('a missing file: curl reports the 550 and exits with its code for it (78)', async () => {
    curlInstalled();
    const run = await runProgram(CURL, ['--silent', '--show-error', url('missing.bin')]);
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/550/);
  });
});

describe("Python's ftplib", () => {
  const pythonInstalled = prepared(() => requireProgram(PYTHON, 'python3'));

  // ftplib reads TYPE A text line by line (retrlines) and sends it with CRLF (storlines).
  const script = `
import ftplib, hashlib, json, sys
port, passive, local, tag = int(sys.argv[1]), sys.argv[2] == 'passive', sys.argv[3], sys.argv[4]
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', port, timeout=10)
ftp.login()
ftp.set_pasv(passive)
out = {'nlst': ftp.nlst(), 'list': []}
ftp.retrlines('LIST', out['list'].append)
data = bytearray()
ftp.retrbinary('RETR data.bin', data.extend)
out['sha256'] = hashlib.sha256(data).hexdigest()
lines = []
ftp.retrlines('RETR pub/notes.txt', lines.append)
out['lines'] = lines
with open(local + '/upload.bin', 'rb') as f:
    ftp.storbinary('STOR up-ftplib-' + tag + '.bin', f)
with open(local + '/text-' + tag + '.txt', 'wb') as f:
    f.write(b'alpha\\nbeta\\n')
with open(local + '/text-' + tag + '.txt', 'rb') as f:
    ftp.storlines('STOR pub/up-ftplib-' + tag + '.txt', f)
out['quit'] = ftp.quit()
print(json.dumps(out))
`;

  it.each(['passive', 'active'])(
    '%s mode: NLST, LIST, RETR (binary and text), STOR (binary and text)',
    async (mode) => {
      pythonInstalled();
      const run = await runProgram(PYTHON, ['-c', script, String(server.port), mode, local, mode]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out.nlst).toEqual(expect.arrayContaining(['data.bin', 'pub']));
      expect(out.list.some((line: string) => / data\.bin$/.test(line))).toBe(true);
      expect(out.sha256).toBe(createHash('sha256').update(BINARY).digest('hex'));
      expect(out.lines.join('\n') + '\n').toBe(new TextDecoder().decode(TEXT));
      expect(out.quit).toMatch(/^221/);
      expectSameBytes(readFileSync(join(root, `up-ftplib-${mode}.bin`)), UPLOAD);
      expect(readFileSync(join(root, 'pub', `up-ftplib-${mode}.txt`), 'latin1')).toBe(
        'alpha\nbeta\n',
      );
      const setup = mode === 'passive' ? /^PASV$/ : /^PORT 127,0,0,1,\d+,\d+$/;
      expect(lastSession().filter((line) => setup.test(line))).toHaveLength(6);
    },
  );
});

describe('lftp', () => {
  const lftpInstalled = prepared(() => requireProgram(LFTP, 'lftp'));

  it.each(['on', 'off'])('passive-mode %s: ls, get, put', async (passive) => {
    lftpInstalled();
    const downloaded = join(local, `lftp-${passive}.bin`);
    const target = `up-lftp-${passive}.bin`;
    const script = [
      'set cmd:fail-exit yes',
      'set net:max-retries 1',
      'set net:timeout 10',
      'set ftp:ssl-allow no',
      `set ftp:passive-mode ${passive}`,
      'set xfer:clobber yes',
      `open -u anonymous,lftp@example.org ${url()}`,
      'ls',
      `get data.bin -o ${downloaded}`,
      `put ${join(local, 'upload.bin')} -o ${target}`,
      'bye',
    ].join('; ');
    const run = await runProgram(LFTP, ['-c', script]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ data\.bin$/m);
    expectSameBytes(readFileSync(downloaded), BINARY);
    expectSameBytes(readFileSync(join(root, target)), UPLOAD);
    const setup = passive === 'on' ? /^PASV$/ : /^PORT 127,0,0,1,\d+,\d+$/;
    expect(lastSession().filter((line) => setup.test(line))).toHaveLength(3);
  });
});
