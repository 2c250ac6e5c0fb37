import { describe, expect, it } from 'vitest';
import { parseClientArgs, parseFtpUrl, parseServeArgs } from '../../src/node/args';
import { formatSessionEvent } from '../../src/node/dialogue';
import { pathComponents } from '../../src/node/served-root';
import { DEFAULT_MAX_SESSIONS, DEFAULT_MAX_UPLOAD_BYTES } from '../../src/node/server';

describe('ftp:// URLs (RFC 1738 §3.2)', () => {
  it('host, port (21 by default), path relative to the login directory, user and password', () => {
    expect(parseFtpUrl('ftp://127.0.0.1:2121/pub/read%20me.txt')).toEqual({
      ok: true,
      value: {
        host: '127.0.0.1',
        port: 2121,
        path: 'pub/read me.txt',
        directory: false,
        user: null,
        password: null,
      },
    });
    expect(parseFtpUrl('ftp://alice:s%40cret@localhost/')).toMatchObject({
      ok: true,
      value: {
        host: 'localhost',
        port: 21,
        path: '',
        directory: true,
        user: 'alice',
        password: 's@cret',
      },
    });
  });

  it('refuses port 0: nothing listens there (issue 11 item 8)', () => {
    expect(parseFtpUrl('ftp://127.0.0.1:0/')).toEqual({
      ok: false,
      error: 'port 0 in "ftp://127.0.0.1:0/": expected a port 1-65535',
    });
    expect(parseFtpUrl('ftp://127.0.0.1:00/notes.txt')).toMatchObject({ ok: false });
    expect(parseClientArgs(['ftp://127.0.0.1:0/notes.txt'])).toMatchObject({ ok: false });
    expect(parseFtpUrl('ftp://127.0.0.1:1/')).toMatchObject({ ok: true, value: { port: 1 } });
  });

  it('refuses what is not an ftp:// URL', () => {
    expect(parseFtpUrl('127.0.0.1:21')).toMatchObject({ ok: false });
    expect(parseFtpUrl('sftp://host/')).toMatchObject({
      ok: false,
      error: 'only ftp:// URLs, got "sftp:"',
    });
  });
});

describe('client and record arguments', () => {
  it('the URL decides the command: a directory is listed, a file downloaded, --put uploads', () => {
    const steps = (...argv: string[]) => {
      const parsed = parseClientArgs(argv);
      if (!parsed.ok) throw new Error(parsed.error);
      return { steps: parsed.value.steps, type: parsed.value.type, mode: parsed.value.mode };
    };
    expect(steps('ftp://h/')).toEqual({
      steps: [{ verb: 'LIST', arg: null }],
      type: 'ascii',
      mode: 'passive',
    });
    expect(steps('ftp://h/pub/')).toMatchObject({ steps: [{ verb: 'LIST', arg: 'pub/' }] });
    expect(steps('ftp://h/a.bin', '--mode=eprt')).toEqual({
      steps: [{ verb: 'RETR', arg: 'a.bin' }],
      type: 'binary',
      mode: 'eprt',
    });
    expect(steps('ftp://h/pub/', '--put', '/tmp/x/notes.txt')).toMatchObject({
      steps: [{ verb: 'STOR', arg: 'pub/notes.txt' }],
      type: 'binary',
    });
    expect(steps('ftp://h/new.txt', '--put', 'old.txt', '--type', 'ascii')).toMatchObject({
      steps: [{ verb: 'STOR', arg: 'new.txt' }],
      type: 'ascii',
    });
  });
});

describe('serve arguments', () => {
  it('defaults, a passive range, and what is wrong with bad values', () => {
    expect(parseServeArgs([])).toEqual({
      ok: true,
      value: {
        help: false,
        port: 2121,
        root: null,
        passivePorts: null,
        activeSourcePort: 0,
        maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
        maxSessions: DEFAULT_MAX_SESSIONS,
        lineTimeoutMs: 60_000,
        idleTimeoutMs: 300_000,
      },
    });
    expect(
      parseServeArgs(['--port', '0', '--root', 'd', '--pasv-ports', '50000-50100']),
    ).toMatchObject({
      ok: true,
      value: { port: 0, root: 'd', passivePorts: { from: 50000, to: 50100 } },
    });
    expect(parseServeArgs(['--pasv-ports', '50100-50000'])).toMatchObject({ ok: false });
    expect(parseServeArgs(['--pasv-ports', '21-30'])).toMatchObject({ ok: false });
    expect(parseServeArgs(['--port', '70000'])).toMatchObject({ ok: false });
    expect(parseServeArgs(['--port'])).toEqual({ ok: false, error: '--port: missing value' });
  });

  it('refuses a passive range that includes the control port (issue 11 item 7)', () => {
    expect(parseServeArgs(['--port', '50050', '--pasv-ports', '50000-50100'])).toEqual({
      ok: false,
      error: '--pasv-ports 50000-50100 includes the control port 50050; choose a range without it',
    });
    for (const port of ['50000', '50100']) {
      expect(parseServeArgs(['--port', port, '--pasv-ports', '50000-50100'])).toMatchObject({
        ok: false,
      });
    }
    expect(parseServeArgs(['--pasv-ports', '2121-2121'])).toMatchObject({ ok: false });
    expect(parseServeArgs(['--port', '49999', '--pasv-ports', '50000-50100'])).toMatchObject({
      ok: true,
    });
    expect(parseServeArgs(['--port', '0', '--pasv-ports', '50000-50100'])).toMatchObject({
      ok: true,
    });
  });

  it('session limits: --max-sessions, --line-timeout and --idle-timeout (seconds) (issue 11 item 6)', () => {
    expect(
      parseServeArgs(['--max-sessions', '5', '--line-timeout', '2', '--idle-timeout=30']),
    ).toMatchObject({
      ok: true,
      value: { maxSessions: 5, lineTimeoutMs: 2000, idleTimeoutMs: 30_000 },
    });
    expect(parseServeArgs(['--max-sessions', '0'])).toEqual({
      ok: false,
      error: '--max-sessions: expected a whole number 1-10000, got "0"',
    });
    for (const flag of ['--line-timeout', '--idle-timeout']) {
      for (const bad of ['0', '1.5', '-3', 'soon']) {
        expect(parseServeArgs([flag, bad])).toMatchObject({ ok: false });
      }
    }
  });

  it('--max-upload takes bytes, or K, M and G (binary units)', () => {
    const cap = (text: string) => {
      const parsed = parseServeArgs(['--max-upload', text]);
      return parsed.ok ? parsed.value.maxUploadBytes : parsed.error;
    };
    expect(cap('4096')).toBe(4096);
    expect(cap('64k')).toBe(64 * 1024);
    expect(cap('100M')).toBe(DEFAULT_MAX_UPLOAD_BYTES);
    expect(cap('2G')).toBe(2 * 1024 ** 3);
    for (const bad of ['0', '-1', '1.5M', '10T', 'lots', '9'.repeat(16)]) {
      expect(cap(bad)).toMatch(/^--max-upload: expected a number of bytes/);
    }
  });
});

describe('files under the served root', () => {
  it('FTP paths are walked as plain names; "..", NUL and empty parts are none', () => {
    expect(pathComponents('/pub/a.txt')).toEqual(['pub', 'a.txt']);
    expect(pathComponents('/')).toEqual([]);
    expect(pathComponents('/../../etc/passwd')).toBeNull();
    expect(pathComponents('/a\0b')).toBeNull();
  });
});

describe('printed dialogue', () => {
  it('C:/S: lines, data connections, and control characters made visible', () => {
    expect(formatSessionEvent({ t: 0, kind: 'line', from: 'client', text: 'USER anonymous' })).toBe(
      'C: USER anonymous',
    );
    expect(formatSessionEvent({ t: 0, kind: 'line', from: 'server', text: '220 hi\x1b[2J' })).toBe(
      'S: 220 hi\\x1b[2J',
    );
    expect(
      formatSessionEvent({
        t: 0,
        kind: 'data-open',
        id: 2,
        opener: 'server',
        local: { address: '127.0.0.1', port: 40000 },
        remote: { address: '127.0.0.1', port: 20 },
      }),
    ).toBe('-- data connection 2 open (server connected): 127.0.0.1:40000 <-> 127.0.0.1:20');
  });
});

describe('flags tokenized by node:util parseArgs', () => {
  it('reads "--out --put" as --out missing its value, never as a file named --put', () => {
    expect(parseClientArgs(['ftp://127.0.0.1:2121/notes.txt', '--out', '--put'])).toEqual({
      ok: false,
      error: '--out: missing value',
    });
    expect(parseClientArgs(['ftp://127.0.0.1:2121/notes.txt', '--out=--put'])).toMatchObject({
      ok: true,
      value: { out: '--put' },
    });
  });

  it('suggests the flag meant', () => {
    const parsed = parseClientArgs(['ftp://127.0.0.1:2121/notes.txt', '--otu', 'x']);
    expect(parsed).toMatchObject({
      ok: false,
      error: expect.stringMatching(/did you mean --out\?/),
    });
  });
});
