/**
 * Bad commands get the reply codes real servers give. The same commands go to vsftpd, pyftpdlib
 * and the project's server over raw sockets; for each, our code must be one of the real servers'
 * codes (they do not always agree: vsftpd says 500 for most bad arguments, pyftpdlib 501), and
 * it must be the one the project chose (written here, so a change is seen).
 *
 * Left out on purpose, where the project's server differs from both: ABOR outside a transfer
 * (both say 225, we say 502), REST (vsftpd 350, we 502), SIZE (RFC 3659, which we do not
 * implement: 500). FEAT is not a bad command: we answer 211 with what we implement, UTF8 among
 * it (server-utf8.test.ts). And an empty line, which vsftpd ignores without a reply while
 * pyftpdlib and we answer 500.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFtpServer, type RunningFtpServer } from '../../src/node/server';
import { RawFtp } from './raw-ftp';
import { prepared, startPyftpdlib, startVsftpd, tempDir, type RealServer } from './tools';

/** [line, the code our server gives]. */
const BEFORE_LOGIN: [string, number][] = [
  ['FOO', 530],
  ['SYST', 530],
  ['LIST', 530],
  ['RETR a.txt', 530],
  ['STOR a.txt', 530],
  ['PASV', 530],
  ['EPSV', 530],
  ['PORT 127,0,0,1,200,1', 530],
  ['CWD /', 530],
  ['PASS secret', 503],
];

const AFTER_LOGIN: [string, number][] = [
  ['FOO', 500],
  ['XYZZY', 500],
  ['PORT 1,2,3', 501],
  ['PORT 127,0,0,1,200,1,7', 501],
  ['PORT 10,0,0,1,200,1', 500],
  ['PORT 127,0,0,1,0,21', 500],
  ['EPRT |1|10.0.0.1|5000|', 500],
  ['EPRT |2|::1|5000|', 522],
  ['EPRT garbage', 501],
  ['TYPE X', 500],
  ['MODE S', 200],
  ['MODE B', 504],
  ['STRU F', 200],
  ['ALLO 100', 202],
  ['RETR', 501],
  ['RETR missing.txt', 425],
  ['CWD nowhere', 550],
  ['NOOP', 200],
  // Last: pyftpdlib takes a second USER as a new login (331) and then wants PASS.
  ['USER someone-else', 530],
];

async function replyCodes(port: number): Promise<{ before: number[]; after: number[] }> {
  const raw = await RawFtp.connect(port);
  try {
    expect(await raw.greeting()).toBe(220);
    const before: number[] = [];
    for (const [line] of BEFORE_LOGIN) before.push((await raw.send(line)) ?? -1);
    await raw.login();
    const after: number[] = [];
    for (const [line] of AFTER_LOGIN) after.push((await raw.send(line)) ?? -1);
    return { before, after };
  } finally {
    raw.close();
  }
}

describe('reply codes for bad commands, compared with vsftpd and pyftpdlib', () => {
  const dir = tempDir('reply-codes');
  const root = join(dir.path, 'root');
  const running: { stop(): Promise<void> }[] = [];
  const servers = prepared(async () => {
    mkdirSync(root);
    writeFileSync(join(root, 'a.txt'), 'a\n');
    // All three start together; whichever did start is stopped afterwards, even if one failed.
    const [vsftpd, pyftpdlib, ours] = await Promise.allSettled([
      startVsftpd(root, dir.path),
      startPyftpdlib(root),
      startFtpServer({ port: 0, root }),
    ]);
    for (const result of [vsftpd, pyftpdlib]) {
      if (result.status === 'fulfilled') running.push(result.value);
    }
    if (ours.status === 'fulfilled') running.push({ stop: () => ours.value.close() });
    for (const result of [vsftpd, pyftpdlib, ours]) {
      if (result.status === 'rejected') throw result.reason;
    }
    return {
      vsftpd: (vsftpd as PromiseFulfilledResult<RealServer>).value,
      pyftpdlib: (pyftpdlib as PromiseFulfilledResult<RealServer>).value,
      ours: (ours as PromiseFulfilledResult<RunningFtpServer>).value,
    };
  });
  afterAll(async () => {
    await Promise.all(running.map((server) => server.stop()));
    dir.remove();
  });

  it('each code is one a real server gives, and the one the project chose', async () => {
    const { vsftpd, pyftpdlib, ours } = servers();
    const [v, p, o] = await Promise.all([
      replyCodes(vsftpd.port),
      replyCodes(pyftpdlib.port),
      replyCodes(ours.port),
    ]);
    const table = (probes: [string, number][], phase: 'before' | 'after') =>
      probes.map(([line, chosen], i) => ({
        line,
        chosen,
        ours: o[phase][i],
        real: [v[phase][i], p[phase][i]],
      }));
    for (const row of [...table(BEFORE_LOGIN, 'before'), ...table(AFTER_LOGIN, 'after')]) {
      expect(
        row.real,
        `${row.line}: vsftpd and pyftpdlib say ${row.real}, we say ${row.ours}`,
      ).toContain(row.ours);
      expect(row.ours, row.line).toBe(row.chosen);
    }
  });
});
