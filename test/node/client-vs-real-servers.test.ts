/**
 * The project's FTP client machine, over real sockets, against real servers: pyftpdlib and
 * vsftpd, each on a free loopback port with a temporary root. In every data-connection mode the
 * client lists, downloads and uploads, in binary and in ASCII, and the bytes must come out as
 * the RFC says: TYPE I unchanged, TYPE A with CRLF on the wire and LF on disk at both ends.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DataMode } from '../../src/machines/ftp-client';
import { runFtpClient } from '../../src/node/client';
import type { SessionEvent } from '../../src/node/recording';
import { asciiDecode } from '../../src/protocol/net-ascii';
import {
  binarySample,
  expectSameBytes,
  prepared,
  startPyftpdlib,
  startVsftpd,
  tempDir,
  textSample,
  type RealServer,
} from './tools';

const MODES: DataMode[] = ['active', 'passive', 'eprt', 'epsv'];
const BINARY = binarySample(300_000);
const TEXT = textSample(500);
const UPLOAD_BINARY = binarySample(70_000, 7);
const UPLOAD_TEXT = textSample(80);
const lineCount = (bytes: Uint8Array) => bytes.filter((b) => b === 0x0a).length;

const servers: { name: string; start: (root: string, dir: string) => Promise<RealServer> }[] = [
  { name: 'pyftpdlib', start: (root) => startPyftpdlib(root) },
  { name: 'vsftpd', start: (root, dir) => startVsftpd(root, dir) },
];

describe.each(servers)('the project client against $name', ({ start }) => {
  const dir = tempDir('client-vs-server');
  const root = join(dir.path, 'root');
  let started: RealServer | undefined;
  const server = prepared(async () => {
    mkdirSync(join(root, 'pub'), { recursive: true });
    writeFileSync(join(root, 'data.bin'), BINARY);
    writeFileSync(join(root, 'pub', 'notes.txt'), TEXT);
    started = await start(root, dir.path);
    return started;
  });
  afterAll(async () => {
    await started?.stop();
    dir.remove();
  });

  async function session(
    mode: DataMode,
    type: 'ascii' | 'binary',
    steps: Parameters<typeof runFtpClient>[0]['steps'],
  ) {
    const events: SessionEvent[] = [];
    const result = await runFtpClient({
      host: '127.0.0.1',
      port: server().port,
      mode,
      type,
      steps,
      replyTimeoutMs: 10_000,
      sessionTimeoutMs: 15_000,
      onEvent: (event) => events.push(event),
    });
    const dialogue = events.flatMap((e) => (e.kind === 'line' ? [`${e.from}: ${e.text}`] : []));
    expect(result.failure, dialogue.join('\n')).toBeNull();
    return { result, events, dialogue };
  }

  it.each(MODES)(
    '%s mode, TYPE I: LIST, RETR byte-identical, STOR byte-identical',
    async (mode) => {
      const name = `up-${mode}.bin`;
      const { result, events, dialogue } = await session(mode, 'binary', [
        { verb: 'LIST', arg: null },
        { verb: 'RETR', arg: 'data.bin' },
        { verb: 'STOR', arg: name, upload: UPLOAD_BINARY },
      ]);
      const [list, retr, stor] = result.transfers;
      expect(asciiDecode(list!.received!)).toMatch(/data\.bin\r\n/);
      expectSameBytes(retr!.received, BINARY);
      expect(stor!.bytesOnWire).toBe(UPLOAD_BINARY.length);
      expectSameBytes(readFileSync(join(root, name)), UPLOAD_BINARY);

      // The command that set up each data connection is the one the mode calls for.
      const command = {
        active: 'PORT ',
        passive: 'PASV',
        eprt: 'EPRT |1|127.0.0.1|',
        epsv: 'EPSV',
      }[mode];
      expect(dialogue.filter((line) => line.startsWith(`client: ${command}`))).toHaveLength(3);
      // Active modes: the server opens the data connections; passive: the client does.
      const opens = events.filter((e) => e.kind === 'data-open');
      expect(opens).toHaveLength(3);
      const opener = mode === 'active' || mode === 'eprt' ? 'server' : 'client';
      for (const open of opens) expect(open).toMatchObject({ opener });
    },
  );

  it.each(MODES)('%s mode, TYPE A: CRLF on the wire, LF at both ends', async (mode) => {
    const name = `up-${mode}.txt`;
    const { result } = await session(mode, 'ascii', [
      { verb: 'RETR', arg: 'pub/notes.txt' },
      { verb: 'STOR', arg: `pub/${name}`, upload: UPLOAD_TEXT },
    ]);
    const [retr, stor] = result.transfers;
    expect(retr!.bytesOnWire).toBe(TEXT.length + lineCount(TEXT));
    expectSameBytes(retr!.received, TEXT);
    expect(stor!.bytesOnWire).toBe(UPLOAD_TEXT.length + lineCount(UPLOAD_TEXT));
    expectSameBytes(readFileSync(join(root, 'pub', name)), UPLOAD_TEXT);
  });

  it('a missing file: the server says 550, the client gives up politely (QUIT) and reports it', async () => {
    const events: SessionEvent[] = [];
    const result = await runFtpClient({
      host: '127.0.0.1',
      port: server().port,
      mode: 'passive',
      type: 'binary',
      steps: [{ verb: 'RETR', arg: 'no-such-file.bin' }],
      onEvent: (event) => events.push(event),
    });
    expect(result.ok).toBe(false);
    expect(result.failure).toMatchObject({
      step: 'RETR no-such-file.bin',
      kind: 'reply',
      code: 550,
    });
    const lines = events.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
    expect(lines.at(-2)).toBe('QUIT');
    expect(lines.at(-1)).toMatch(/^221/);
  });
});
