import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import {
  ftpClientMachine,
  type ClientStep,
  type DataMode,
  type FtpClientEmitted,
  type FtpClientEvent,
  type FtpClientInput,
  type FtpClientSettings,
} from '../../src/machines/ftp-client';
import { asciiEncode } from '../../src/protocol/net-ascii';
import { CURL, FTPLIB, LFTP, type ClientProfile } from '../../src/machines/client-profiles';
import {
  allStatePaths,
  allTransitionNames,
  cachedReplay,
  describePath,
  modelPaths,
  statePathsOf,
  TestClock,
} from './model';

const CLIENT_ADDRESS = '192.0.2.10';
const SERVER_ADDRESS = '198.51.100.20';

function settings(more: Partial<FtpClientSettings> = {}): FtpClientSettings {
  return {
    user: 'alice',
    password: 'secret',
    mode: 'active',
    type: 'ascii',
    steps: [{ verb: 'LIST', arg: null }],
    pasvAddress: 'trust',
    replyTimeoutMs: 120_000,
    ...more,
  };
}

function clientInput(more: Partial<FtpClientSettings> = {}): FtpClientInput {
  return {
    settings: settings(more),
    localAddress: CLIENT_ADDRESS,
    serverAddress: SERVER_ADDRESS,
    serverPort: 21,
  };
}

function line(text: string): FtpClientEmitted {
  return { type: 'send-line', wire: `${text}\r\n`, text };
}

/** A client on a simulated clock, fed replies by the test as the server would send them. */
function client(more: Partial<FtpClientSettings> = {}) {
  const clock = new TestClock();
  const actor = createActor(ftpClientMachine, { input: clientInput(more), clock });
  const out: { at: number; event: FtpClientEmitted }[] = [];
  actor.on('*', (event) => out.push({ at: clock.now(), event }));
  actor.start();
  const send = (event: FtpClientEvent): FtpClientEmitted[] => {
    const start = out.length;
    actor.send(event);
    return out.slice(start).map((o) => o.event);
  };
  return {
    actor,
    clock,
    out,
    send,
    reply: (code: number, text: string) => send({ type: 'REPLY', code, text }),
    state: () => actor.getSnapshot().value,
    context: () => actor.getSnapshot().context,
    /** The command lines sent so far, as text. */
    lines: () => out.flatMap((o) => (o.event.type === 'send-line' ? [o.event.text] : [])),
  };
}

type Client = ReturnType<typeof client>;

/** Connect, greet, log in and accept the TYPE; stops where the first step begins. */
function login(c: Client, type: 'A' | 'I' = 'A') {
  expect(c.send({ type: 'START' })).toEqual([
    { type: 'open-control', address: SERVER_ADDRESS, port: 21 },
  ]);
  c.send({ type: 'CONTROL_CONNECTED' });
  expect(c.reply(220, '(vsFTPd 3.0.3)')).toEqual([line('USER alice')]);
  expect(c.reply(331, 'Please specify the password.')).toEqual([line('PASS secret')]);
  expect(c.reply(230, 'Login successful.')).toEqual([line(`TYPE ${type}`)]);
}

const LISTING = '-rw-r--r--    1 ftp      ftp          1024 Nov 24 09:30 logo.png\r\n';

describe('active mode (PORT, EPRT)', () => {
  it('LIST: USER, PASS, TYPE A, PORT naming our address and listening port, LIST, QUIT', () => {
    const c = client();
    login(c);
    expect(c.reply(200, 'Switching to ASCII mode.')).toEqual([{ type: 'listen-data' }]);
    expect(c.state()).toBe('openingDataListener');
    expect(c.send({ type: 'DATA_LISTENING', port: 50000 })).toEqual([
      line('PORT 192,0,2,10,195,80'),
    ]);
    expect(c.reply(200, 'PORT command successful. Consider using PASV.')).toEqual([line('LIST')]);
    expect(c.reply(150, 'Here comes the directory listing.')).toEqual([]);
    expect(c.send({ type: 'DATA_RECEIVED', data: asciiEncode(LISTING) })).toEqual([]);
    expect(c.send({ type: 'DATA_EOF' })).toEqual([{ type: 'close-data' }]);
    expect(c.reply(226, 'Directory send OK.')).toEqual([line('QUIT')]);
    expect(c.state()).toBe('quitting');
    expect(c.reply(221, 'Goodbye.')).toEqual([{ type: 'close-control' }]);
    c.send({ type: 'CONTROL_CLOSED' });
    expect(c.state()).toBe('done');
    expect(c.actor.getSnapshot().status).toBe('done');

    expect(c.lines()).toEqual([
      'USER alice',
      'PASS secret',
      'TYPE A',
      'PORT 192,0,2,10,195,80',
      'LIST',
      'QUIT',
    ]);
    expect(c.context()).toMatchObject({
      failure: null,
      replies: [220, 331, 230, 200, 200, 150, 226, 221],
      transfers: [
        {
          verb: 'LIST',
          path: null,
          mode: 'active',
          target: { address: CLIENT_ADDRESS, port: 50000 },
          bytesOnWire: LISTING.length,
          received: asciiEncode(LISTING.replace('\r\n', '\n')),
          ok: true,
        },
      ],
    });
  });

  it('the 226 may come before the end of the data: QUIT waits for both', () => {
    const c = client({ type: 'binary', steps: [{ verb: 'RETR', arg: 'a.bin' }] });
    login(c, 'I');
    c.reply(200, 'Switching to Binary mode.');
    c.send({ type: 'DATA_LISTENING', port: 40001 });
    c.reply(200, 'PORT command successful. Consider using PASV.');
    c.reply(150, 'Opening BINARY mode data connection for a.bin (4 bytes).');
    c.send({ type: 'DATA_RECEIVED', data: Uint8Array.from([1, 13, 10]) });
    expect(c.reply(226, 'Transfer complete.')).toEqual([]);
    c.send({ type: 'DATA_RECEIVED', data: Uint8Array.from([2]) });
    expect(c.send({ type: 'DATA_EOF' })).toEqual([{ type: 'close-data' }, line('QUIT')]);
    expect(c.context().transfers).toEqual([
      {
        verb: 'RETR',
        path: 'a.bin',
        mode: 'active',
        target: { address: CLIENT_ADDRESS, port: 40001 },
        bytesOnWire: 4,
        received: Uint8Array.from([1, 13, 10, 2]),
        ok: true,
      },
    ]);
  });

  it('EPRT mode sends EPRT |1|address|port|', () => {
    const c = client({ mode: 'eprt' });
    login(c);
    c.reply(200, 'Switching to ASCII mode.');
    expect(c.send({ type: 'DATA_LISTENING', port: 50001 })).toEqual([
      line('EPRT |1|192.0.2.10|50001|'),
    ]);
  });

  it('a refused PORT (500) fails the step with kind reply and quits', () => {
    const c = client();
    login(c);
    c.reply(200, 'Switching to ASCII mode.');
    c.send({ type: 'DATA_LISTENING', port: 50000 });
    expect(c.reply(500, 'Illegal PORT command.')).toEqual([
      { type: 'close-data' },
      { type: 'report', text: 'client gives up at LIST: 500 Illegal PORT command.' },
      line('QUIT'),
    ]);
    expect(c.context().failure).toEqual({
      step: 'LIST',
      kind: 'reply',
      detail: '500 Illegal PORT command.',
      code: 500,
    });
  });

  it('425 during the transfer → failure with code 425, the data connection is dropped, QUIT', () => {
    const c = client();
    login(c);
    c.reply(200, 'Switching to ASCII mode.');
    c.send({ type: 'DATA_LISTENING', port: 50000 });
    c.reply(200, 'PORT command successful. Consider using PASV.');
    expect(c.reply(425, 'Failed to establish connection.')).toEqual([
      { type: 'close-data' },
      { type: 'report', text: 'client gives up at LIST: 425 Failed to establish connection.' },
      line('QUIT'),
    ]);
    expect(c.context().failure).toEqual({
      step: 'LIST',
      kind: 'reply',
      detail: '425 Failed to establish connection.',
      code: 425,
    });
    expect(c.context().transfers).toEqual([]);
    c.reply(221, 'Goodbye.');
    expect(c.state()).toBe('closingControl');
  });

  it('each transfer step listens anew and sends a new PORT', () => {
    const c = client({
      steps: [
        { verb: 'CWD', arg: 'pub' },
        { verb: 'NLST', arg: null },
        { verb: 'RETR', arg: 'readme.txt' },
      ],
    });
    login(c);
    expect(c.reply(200, 'Switching to ASCII mode.')).toEqual([line('CWD pub')]);
    expect(c.reply(250, 'Directory successfully changed.')).toEqual([{ type: 'listen-data' }]);
    for (const [port, verb] of [
      [50000, 'NLST'],
      [50001, 'RETR readme.txt'],
    ] as const) {
      c.send({ type: 'DATA_LISTENING', port });
      expect(c.reply(200, 'PORT command successful. Consider using PASV.')).toEqual([line(verb)]);
      c.reply(150, 'Opening data connection.');
      c.send({ type: 'DATA_RECEIVED', data: asciiEncode('x\r\n') });
      c.send({ type: 'DATA_EOF' });
      c.reply(226, 'Transfer complete.');
    }
    expect(c.lines()).toEqual([
      'USER alice',
      'PASS secret',
      'TYPE A',
      'CWD pub',
      'PORT 192,0,2,10,195,80',
      'NLST',
      'PORT 192,0,2,10,195,81',
      'RETR readme.txt',
      'QUIT',
    ]);
    expect(c.context().transfers.map((t) => [t.verb, t.path, t.target?.port])).toEqual([
      ['NLST', null, 50000],
      ['RETR', 'readme.txt', 50001],
    ]);
  });

  it('a failed ordinary step (550 on CWD) fails with kind reply', () => {
    const c = client({ steps: [{ verb: 'CWD', arg: 'nowhere' }] });
    login(c);
    c.reply(200, 'Switching to ASCII mode.');
    c.reply(550, 'Failed to change directory.');
    expect(c.context().failure).toEqual({
      step: 'CWD nowhere',
      kind: 'reply',
      detail: '550 Failed to change directory.',
      code: 550,
    });
    expect(c.lines().at(-1)).toBe('QUIT');
  });
});

describe('passive mode (PASV, EPSV)', () => {
  function toPassiveReply(mode: DataMode, more: Partial<FtpClientSettings> = {}) {
    const c = client({ mode, type: 'binary', steps: [{ verb: 'RETR', arg: 'logo.png' }], ...more });
    login(c, 'I');
    expect(c.reply(200, 'Switching to Binary mode.')).toEqual([
      line(mode === 'epsv' ? 'EPSV' : 'PASV'),
    ]);
    return c;
  }

  it("pasvAddress 'trust' connects to the address in the 227 (RFC 959), then sends RETR", () => {
    const c = toPassiveReply('passive', { pasvAddress: 'trust' });
    expect(c.reply(227, 'Entering Passive Mode (203,0,113,7,195,81).')).toEqual([
      { type: 'connect-data', address: '203.0.113.7', port: 50001 },
    ]);
    expect(c.state()).toBe('connectingData');
    expect(c.send({ type: 'DATA_CONNECTED' })).toEqual([line('RETR logo.png')]);
    c.reply(150, 'Opening BINARY mode data connection for logo.png (3 bytes).');
    c.send({ type: 'DATA_RECEIVED', data: Uint8Array.from([1, 2, 3]) });
    c.send({ type: 'DATA_EOF' });
    expect(c.reply(226, 'Transfer complete.')).toEqual([line('QUIT')]);
    expect(c.context().transfers[0]).toMatchObject({
      mode: 'passive',
      target: { address: '203.0.113.7', port: 50001 },
      received: Uint8Array.from([1, 2, 3]),
    });
  });

  it("pasvAddress 'ignore' connects to the control connection's server and says so", () => {
    const c = toPassiveReply('passive', { pasvAddress: 'ignore' });
    expect(c.reply(227, 'Entering Passive Mode (10,0,0,5,195,81).')).toEqual([
      {
        type: 'report',
        text: "ignoring the address 10.0.0.5 in the 227 reply; connecting to the control connection's server 198.51.100.20 instead",
      },
      { type: 'connect-data', address: SERVER_ADDRESS, port: 50001 },
    ]);
  });

  it("pasvAddress 'ignore' stays quiet when the 227 names the server anyway", () => {
    const c = toPassiveReply('passive', { pasvAddress: 'ignore' });
    expect(c.reply(227, 'Entering Passive Mode (198,51,100,20,195,81).')).toEqual([
      { type: 'connect-data', address: SERVER_ADDRESS, port: 50001 },
    ]);
  });

  it('EPSV connects to the control connection’s server at the 229 port (RFC 2428 §3)', () => {
    const c = toPassiveReply('epsv');
    expect(c.reply(229, 'Entering Extended Passive Mode (|||50002|)')).toEqual([
      { type: 'connect-data', address: SERVER_ADDRESS, port: 50002 },
    ]);
  });

  it('a 227 without six numbers fails the step', () => {
    const c = toPassiveReply('passive');
    c.reply(227, 'Entering Passive Mode.');
    expect(c.context().failure).toMatchObject({ kind: 'reply', code: 227, step: 'RETR logo.png' });
    expect(c.lines().at(-1)).toBe('QUIT');
  });

  it('DATA_FAILED while connecting → failure kind data-connect, then QUIT', () => {
    const c = toPassiveReply('passive');
    c.reply(227, 'Entering Passive Mode (198,51,100,20,195,81).');
    expect(c.send({ type: 'DATA_FAILED', detail: 'Connection timed out' })).toEqual([
      { type: 'report', text: 'client gives up at RETR logo.png: Connection timed out' },
      line('QUIT'),
    ]);
    expect(c.context().failure).toEqual({
      step: 'RETR logo.png',
      kind: 'data-connect',
      detail: 'Connection timed out',
      code: null,
    });
    expect(c.lines()).not.toContain('RETR logo.png');
  });

  it('DATA_FAILED during the transfer → failure kind data-transfer', () => {
    const c = toPassiveReply('passive');
    c.reply(227, 'Entering Passive Mode (198,51,100,20,195,81).');
    c.send({ type: 'DATA_CONNECTED' });
    c.reply(150, 'Opening BINARY mode data connection.');
    expect(c.send({ type: 'DATA_FAILED', detail: 'Connection reset by peer' })[0]).toEqual({
      type: 'close-data',
    });
    expect(c.context().failure).toMatchObject({ kind: 'data-transfer', code: null });
  });
});

describe('uploads (STOR)', () => {
  it('sends the upload (LF → CRLF for TYPE A) only after the 150, and records the transfer', () => {
    const upload = asciiEncode('line one\nline two\n');
    const c = client({ steps: [{ verb: 'STOR', arg: 'up.txt', upload }] });
    login(c);
    c.reply(200, 'Switching to ASCII mode.');
    c.send({ type: 'DATA_LISTENING', port: 50000 });
    expect(c.reply(200, 'PORT command successful. Consider using PASV.')).toEqual([
      line('STOR up.txt'),
    ]);
    expect(c.state()).toEqual({
      transferring: { control: 'awaitingPreliminaryReply', data: 'awaitingGoAhead' },
    });
    expect(c.reply(150, 'Ok to send data.')).toEqual([
      { type: 'send-data', data: asciiEncode('line one\r\nline two\r\n') },
      { type: 'close-data' },
    ]);
    expect(c.send({ type: 'DATA_SENT' })).toEqual([]);
    expect(c.reply(226, 'Transfer complete.')).toEqual([line('QUIT')]);
    expect(c.context().transfers).toEqual([
      {
        verb: 'STOR',
        path: 'up.txt',
        mode: 'active',
        target: { address: CLIENT_ADDRESS, port: 50000 },
        bytesOnWire: 20,
        received: null,
        ok: true,
      },
    ]);
  });

  it('TYPE I uploads the bytes unchanged over a passive connection', () => {
    const upload = Uint8Array.from([0, 10, 13, 10]);
    const step: ClientStep = { verb: 'STOR', arg: 'b.bin', upload };
    const c = client({ mode: 'epsv', type: 'binary', steps: [step] });
    login(c, 'I');
    c.reply(200, 'Switching to Binary mode.');
    c.reply(229, 'Entering Extended Passive Mode (|||50010|)');
    expect(c.send({ type: 'DATA_CONNECTED' })).toEqual([line('STOR b.bin')]);
    expect(c.reply(150, 'Ok to send data.')).toEqual([
      { type: 'send-data', data: upload },
      { type: 'close-data' },
    ]);
    c.send({ type: 'DATA_SENT' });
    c.reply(226, 'Transfer complete.');
    expect(c.context().transfers[0]).toMatchObject({ bytesOnWire: 4, received: null });
  });
});

describe('login and control-connection failures', () => {
  it('530 after PASS → failure kind login, then a polite QUIT', () => {
    const c = client();
    c.send({ type: 'START' });
    c.send({ type: 'CONTROL_CONNECTED' });
    c.reply(220, '(vsFTPd 3.0.3)');
    c.reply(331, 'Please specify the password.');
    expect(c.reply(530, 'Login incorrect.')).toEqual([
      { type: 'report', text: 'client gives up at login: 530 Login incorrect.' },
      line('QUIT'),
    ]);
    expect(c.context().failure).toEqual({
      step: 'login',
      kind: 'login',
      detail: '530 Login incorrect.',
      code: 530,
    });
    expect(c.lines()).toEqual(['USER alice', 'PASS secret', 'QUIT']);
    expect(c.reply(221, 'Goodbye.')).toEqual([{ type: 'close-control' }]);
    c.send({ type: 'CONTROL_CLOSED' });
    expect(c.state()).toBe('done');
  });

  it('a 6yz protected reply (RFC 2228), which it cannot read, ends a step like a 5yz; a 2yz does not', () => {
    const c = client({
      steps: [
        { verb: 'PWD', arg: null },
        { verb: 'NOOP', arg: null },
      ],
    });
    login(c);
    expect(c.reply(200, 'Switching to ASCII mode.')).toEqual([line('PWD')]);
    expect(c.reply(631, 'c2VjcmV0')).toContainEqual(line('QUIT'));
    expect(c.context().failure).toMatchObject({ step: 'PWD', kind: 'reply', code: 631 });
    const ok = client({ steps: [{ verb: 'PWD', arg: null }] });
    login(ok);
    ok.reply(200, 'Switching to ASCII mode.');
    expect(ok.reply(257, '"/" is the current directory')).toEqual([line('QUIT')]);
    expect(ok.context().failure).toBeNull();
  });

  it('230 straight after USER skips PASS', () => {
    const c = client();
    c.send({ type: 'START' });
    c.send({ type: 'CONTROL_CONNECTED' });
    c.reply(220, 'ready');
    expect(c.reply(230, 'Login successful.')).toEqual([line('TYPE A')]);
  });

  it('a 1yz before the greeting is noted; a 421 greeting fails the login', () => {
    const c = client();
    c.send({ type: 'START' });
    c.send({ type: 'CONTROL_CONNECTED' });
    expect(c.reply(120, 'Service ready in 5 minutes.')).toEqual([]);
    expect(c.state()).toBe('awaitingGreeting');
    expect(c.reply(421, 'Too many connections.')).toContainEqual(line('QUIT'));
    expect(c.context().failure).toMatchObject({ kind: 'login', code: 421 });
    expect(c.context().replies).toEqual([120, 421]);
  });

  it('the control connection cannot be opened → failure control-connect, no QUIT', () => {
    const c = client();
    c.send({ type: 'START' });
    expect(c.send({ type: 'CONTROL_FAILED', detail: 'Connection refused (RST)' })).toEqual([
      { type: 'report', text: 'client gives up at login: Connection refused (RST)' },
    ]);
    expect(c.state()).toBe('done');
    expect(c.context().failure).toMatchObject({ kind: 'control-connect', code: null });
  });

  it('the server closes the control connection mid-session → control-lost, no QUIT', () => {
    const c = client();
    login(c);
    c.reply(200, 'Switching to ASCII mode.');
    c.send({ type: 'CONTROL_CLOSED' });
    expect(c.state()).toBe('done');
    expect(c.context().failure).toEqual({
      step: 'LIST',
      kind: 'control-lost',
      detail: 'the control connection closed',
      code: null,
    });
    expect(c.lines()).not.toContain('QUIT');
  });

  it('reply timeout (default 120 s) while waiting for the greeting → reply-timeout, QUIT, close', () => {
    const c = client();
    c.send({ type: 'START' });
    c.clock.advanceTo(500);
    c.send({ type: 'CONTROL_CONNECTED' });
    c.clock.advanceTo(120_499);
    expect(c.state()).toBe('awaitingGreeting');
    c.clock.advanceTo(120_500);
    expect(c.context().failure).toEqual({
      step: 'login',
      kind: 'reply-timeout',
      detail: 'no reply within 120 s',
      code: null,
    });
    expect(c.out.slice(-2)).toEqual([
      {
        at: 120_500,
        event: { type: 'report', text: 'client gives up at login: no reply within 120 s' },
      },
      { at: 120_500, event: line('QUIT') },
    ]);
    // No answer to QUIT either: the client closes the control connection itself.
    c.clock.advanceTo(240_499);
    expect(c.state()).toBe('quitting');
    c.clock.advanceTo(240_500);
    expect(c.state()).toBe('closingControl');
    expect(c.out.at(-1)).toEqual({ at: 240_500, event: { type: 'close-control' } });
  });

  it('replyTimeoutMs applies to every reply (here the PORT reply, 30 s)', () => {
    const c = client({ replyTimeoutMs: 30_000 });
    login(c);
    c.reply(200, 'Switching to ASCII mode.');
    c.clock.advanceTo(1000);
    c.send({ type: 'DATA_LISTENING', port: 50000 });
    c.clock.advanceTo(30_999);
    expect(c.state()).toBe('awaitingPortReply');
    c.clock.advanceTo(31_000);
    expect(c.context().failure).toEqual({
      step: 'LIST',
      kind: 'reply-timeout',
      detail: 'no reply within 30 s',
      code: null,
    });
    expect(c.state()).toBe('quitting');
  });
});

describe("the programs' own commands (FEAT, OPTS, PWD, TYPE, SIZE; the lab's recordings)", () => {
  it('lftp: FEAT first; a UTF8 in its answer brings OPTS UTF8 ON before USER and again after PASS, an MLST the facts it wants', () => {
    const c = client({ profile: LFTP, mode: 'passive', steps: [{ verb: 'RETR', arg: 'a.txt' }] });
    c.send({ type: 'START' });
    c.send({ type: 'CONTROL_CONNECTED' });
    c.reply(220, 'pyftpdlib 1.5.7 ready.');
    c.reply(
      211,
      'Features supported:\r\n MLST type*;perm*;size*;unique*;unix.gid;\r\n UTF8\r\nEnd FEAT.',
    );
    c.reply(530, 'Log in with USER and PASS first.');
    c.reply(331, 'Username ok, send password.');
    c.reply(230, 'Login successful.');
    c.reply(501, 'Invalid argument.');
    c.reply(200, 'MLST OPTS type;perm;size;unix.gid;');
    c.reply(257, '"/" is the current directory.');
    c.reply(200, 'Type set to: Binary.');
    c.reply(213, '5');
    expect(c.lines()).toEqual([
      'FEAT',
      'OPTS UTF8 ON',
      'USER alice',
      'PASS secret',
      'OPTS UTF8 ON',
      'OPTS MLST type;perm;size;unix.gid;',
      'PWD',
      'TYPE I',
      'SIZE a.txt',
      'PASV',
    ]);
    expect(c.context().failure).toBeNull();
  });

  it('curl: PWD after login, TYPE after the data command and only when it changes', () => {
    const c = client({
      profile: CURL,
      mode: 'passive',
      type: 'binary',
      steps: [
        { verb: 'LIST', arg: null },
        { verb: 'RETR', arg: 'a.txt' },
      ],
    });
    c.send({ type: 'START' });
    c.send({ type: 'CONTROL_CONNECTED' });
    c.reply(220, 'hi');
    c.reply(230, 'Login successful.');
    c.reply(257, '"/" is the current directory');
    c.reply(227, 'Entering Passive Mode (198,51,100,20,195,80).');
    c.send({ type: 'DATA_CONNECTED' });
    c.reply(200, 'Switching to ASCII mode.');
    expect(c.lines().slice(-3)).toEqual(['PASV', 'TYPE A', 'LIST']);
    c.reply(150, 'Here comes the directory listing.');
    c.send({ type: 'DATA_EOF' });
    c.reply(226, 'Directory send OK.');
    c.reply(227, 'Entering Passive Mode (198,51,100,20,195,81).');
    c.send({ type: 'DATA_CONNECTED' });
    c.reply(200, 'Switching to Binary mode.');
    c.reply(213, '5');
    expect(c.lines()).toEqual([
      'USER alice',
      'PWD',
      'PASV',
      'TYPE A',
      'LIST',
      'PASV',
      'TYPE I',
      'SIZE a.txt',
      'RETR a.txt',
    ]);
  });

  it('ftplib: TYPE before every transfer; a refused TYPE ends the step, and it closes without QUIT', () => {
    const c = client({ profile: FTPLIB, mode: 'passive' });
    c.send({ type: 'START' });
    c.send({ type: 'CONTROL_CONNECTED' });
    c.reply(220, 'hi');
    c.reply(230, 'Login successful.');
    expect(c.lines()).toEqual(['USER alice', 'TYPE A']);
    c.reply(504, 'Bad TYPE.');
    expect(c.context().failure).toMatchObject({ step: 'LIST', kind: 'reply', code: 504 });
    expect(c.lines().at(-1)).toBe('TYPE A');
    expect(c.state()).toBe('closingControl');
  });
});

describe('model-based (xstate/graph shortest paths, replayed on a real actor)', () => {
  const steps: ClientStep[] = [
    { verb: 'CWD', arg: 'pub' },
    { verb: 'RETR', arg: 'readme.txt' },
    { verb: 'STOR', arg: 'up.txt', upload: asciiEncode('hi\n') },
  ];
  const reply = (code: number, text = 'text'): FtpClientEvent => ({ type: 'REPLY', code, text });
  const events: FtpClientEvent[] = [
    { type: 'START' },
    { type: 'CONTROL_CONNECTED' },
    { type: 'CONTROL_FAILED', detail: 'refused' },
    { type: 'CONTROL_CLOSED' },
    reply(120),
    reply(150),
    reply(200),
    reply(220),
    reply(221),
    reply(226),
    reply(227, 'Entering Passive Mode (198,51,100,20,195,80).'),
    reply(229, 'Entering Extended Passive Mode (|||50000|)'),
    reply(230),
    reply(250),
    reply(331),
    reply(425),
    reply(500, 'Illegal PORT command.'),
    reply(530),
    { type: 'DATA_LISTENING', port: 50000 },
    { type: 'DATA_CONNECTED' },
    { type: 'DATA_FAILED', detail: 'reset' },
    { type: 'DATA_RECEIVED', data: asciiEncode('x\r\n') },
    { type: 'DATA_EOF' },
    { type: 'DATA_SENT' },
  ];

  const invariants = (snapshot: SnapshotFrom<typeof ftpClientMachine>) => {
    const c = snapshot.context;
    // Once failed, the client only winds down (curl goes on to its next command; curl and lftp
    // may first close the control connection and open another).
    if (c.failure !== null && !c.settings.profile?.continueAfterFailure) {
      expect([
        'quitting',
        'closingControl',
        'done',
        'waitingToRetry',
        'droppingControl',
        'waitingToReconnect',
      ]).toContain(snapshot.value);
    }
    expect(c.stepIndex).toBeLessThanOrEqual(steps.length);
    // Transfers are recorded in script order, each once (curl may skip a failed one).
    const verbs = c.transfers.map((t) => t.verb);
    if (c.settings.profile?.continueAfterFailure)
      expect(['RETR', 'STOR'].filter((v) => verbs.includes(v))).toEqual(verbs);
    else expect(['RETR', 'STOR'].slice(0, verbs.length)).toEqual(verbs);
  };

  // The data-connection mode decides which states lie on the way (a listener and PORT, or PASV
  // and a connect), so the model runs once per kind; together the two must reach every state and
  // take every transition. EPRT and EPSV take the same transitions as PORT and PASV (only the
  // command text differs; the unit tests above check it), so they add no coverage.
  // The program profiles' fallbacks take transitions the textbook client never does: curl's
  // EPSV→PASV (after a refusal and after a failed connection) and its next command after a
  // failure, EPRT→PORT, lftp's switch to passive after a refused PORT; curl's and lftp's new control
  // connections and lftp's retries; ftplib's close without QUIT.
  const runs: { mode: DataMode; profile?: ClientProfile }[] = [
    { mode: 'active' },
    { mode: 'passive' },
    { mode: 'epsv', profile: CURL },
    { mode: 'eprt', profile: CURL },
    { mode: 'active', profile: LFTP },
    { mode: 'passive', profile: FTPLIB },
  ];
  const models = runs.map(({ mode, profile }) => {
    const input = clientInput({
      mode,
      steps,
      replyTimeoutMs: 10_000,
      ...(profile ? { profile } : {}),
    });
    const paths = modelPaths(ftpClientMachine, {
      input,
      events: () => events,
      abstractContext: (s) =>
        `${s.context.stepIndex} ${s.context.attempt} ${s.context.failure === null}`,
    });
    return {
      mode: profile ? `${profile.name} ${mode}` : mode,
      input,
      paths,
      run: cachedReplay(ftpClientMachine, input, invariants),
    };
  });

  it('reaches every state of the machine', () => {
    const reached = new Set(
      models.flatMap((m) => m.paths.flatMap((p) => statePathsOf(p.state.value))),
    );
    // failed, nextStep, preparingData and extraDone are transient (eventless): no snapshot rests there.
    const transient = ['failed', 'nextStep', 'preparingData', 'extraDone'];
    expect([...reached].sort()).toEqual(
      allStatePaths(ftpClientMachine)
        .filter((s) => !transient.includes(s))
        .sort(),
    );
  });

  for (const { mode, paths, run } of models) {
    it.each(paths.map((p) => [describePath(p), p] as const))(`${mode}: path %s`, (_n, path) => {
      expect(run(path).snapshot.value).toEqual(path.state.value);
    });
  }

  // The eventless transitions of the transient states failed, nextStep and preparingData are
  // among them, so the real actor passed through those states too.
  it('takes every transition of the machine, eventless ones included', () => {
    const taken = new Set(
      models.flatMap(({ paths, run }) => paths.flatMap((path) => [...run(path).taken])),
    );
    expect(allTransitionNames(ftpClientMachine).filter((t) => !taken.has(t))).toEqual([]);
  });
});
