/**
 * curl's and lftp's new control connections after a failure, and lftp's retries (issue 13), as
 * the lab's pcaps show them (test/capture/fixtures/lab-*-{curl,lftp}-*.pcap; client-profiles.ts
 * says what each recording showed). The test plays the server and the host: it answers, and
 * tells the client when its control connection closed and how long it had been open.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import {
  ftpClientMachine,
  type FtpClientEmitted,
  type FtpClientEvent,
  type FtpClientSettings,
} from '../../src/machines/ftp-client';
import { CURL, LFTP } from '../../src/machines/client-profiles';
import { LAB_LFTP_RECONNECT } from '../../src/lab/programs';
import { TestClock } from './model';

const SERVER = '198.51.100.20';
/** lftp as the lab runs it (net:max-retries 2, net:reconnect-interval-base 1), as its pcaps show it. */
const LFTP_IN_THE_LAB = { ...LFTP, reconnect: { ...LFTP.reconnect!, ...LAB_LFTP_RECONNECT } };
const VSFTPD_FEAT =
  '211-Features:\n EPRT\n EPSV\n MDTM\n PASV\n REST STREAM\n SIZE\n TVFS\n211 End';

function client(more: Partial<FtpClientSettings>) {
  const clock = new TestClock();
  const actor = createActor(ftpClientMachine, {
    input: {
      settings: {
        user: 'alice',
        password: 'secret',
        mode: 'active',
        type: 'ascii',
        steps: [
          { verb: 'LIST', arg: null },
          { verb: 'RETR', arg: 'notes.txt' },
        ],
        pasvAddress: 'trust',
        replyTimeoutMs: 120_000,
        ...more,
      },
      localAddress: '192.168.1.10',
      serverAddress: SERVER,
      serverPort: 21,
    },
    clock,
  });
  const out: { at: number; event: FtpClientEmitted }[] = [];
  const opens: number[] = [];
  actor.on('*', (event) => {
    out.push({ at: clock.now(), event });
    if (event.type === 'open-control') opens.push(clock.now());
  });
  actor.start();
  const send = (event: FtpClientEvent) => actor.send(event);
  const c = {
    clock,
    send,
    reply: (code: number, text = '') => send({ type: 'REPLY', code, text }),
    state: () => actor.getSnapshot().value,
    context: () => actor.getSnapshot().context,
    /** What the client did, in order: its command lines as text, the rest by event type. */
    did: () =>
      out.map(({ event }) =>
        event.type === 'send-line' ? event.text : event.type === 'report' ? 'report' : event.type,
      ),
    /** When it asked for each control connection, in ms of the clock. */
    opened: () => [...opens],
    clear: () => out.splice(0),
    /** The server's side of the greeting and login, for lftp against vsftpd. */
    lftpLogin: () => {
      c.send({ type: 'CONTROL_CONNECTED' });
      c.reply(220, '(vsFTPd 3.0.3)');
      c.reply(211, VSFTPD_FEAT);
      c.reply(331, 'Please specify the password.');
      c.reply(230, 'Login successful.');
    },
  };
  return c;
}

/** lftp started, logged in to vsftpd on its first control connection and told its directory. */
function loggedInLftp(profile: typeof LFTP) {
  const c = client({ profile });
  c.send({ type: 'START' });
  c.lftpLogin();
  c.reply(257, '"/" is the current directory');
  return c;
}

describe('lftp after a refused PORT', () => {
  it('interrupts, closes, logs in again a second later without PWD, and retries the command passive', () => {
    const c = loggedInLftp(LFTP_IN_THE_LAB);
    c.send({ type: 'DATA_LISTENING', port: 40001 });
    c.clear();
    c.reply(500, 'Illegal PORT command.');
    // No LIST and no ABOR line: Telnet IP and Synch, then the close (the pcap's 3 + 1 bytes, FIN).
    expect(c.did()).toEqual(['close-data', 'report', 'send-interrupt', 'close-control']);
    c.send({ type: 'CONTROL_CLOSED', connectedMs: 4 });
    expect(c.state()).toBe('waitingToReconnect');
    c.clock.increment(999);
    expect(c.opened()).toEqual([0]);
    c.clock.increment(1);
    expect(c.opened()).toEqual([0, 1000]);
    c.clear();
    c.lftpLogin();
    expect(c.did()).toEqual(['FEAT', 'USER alice', 'PASS secret', 'PASV']);
    expect(c.context()).toMatchObject({ connections: 2, tries: 2, failure: null });
    expect(c.context().fallbacks).toEqual(['PORT→PASV']);
  });

  it('after a 4yz to PORT (pyftpdlib) tries PORT again on the new connection, and gives up after two tries', () => {
    const c = loggedInLftp(LFTP_IN_THE_LAB);
    c.send({ type: 'DATA_LISTENING', port: 40001 });
    c.reply(425, "Can't connect to specified address.");
    // pyftpdlib's connect timed out 3 s after the connection opened: no wait left.
    c.send({ type: 'CONTROL_CLOSED', connectedMs: 3083 });
    expect(c.state()).toBe('connecting');
    c.clear();
    c.lftpLogin();
    expect(c.did()).toEqual(['FEAT', 'USER alice', 'PASS secret', 'listen-data']);
    c.send({ type: 'DATA_LISTENING', port: 40002 });
    c.clear();
    c.reply(425, "Can't connect to specified address.");
    expect(c.did()).toEqual(['close-data', 'report', 'send-interrupt', 'close-control']);
    c.send({ type: 'CONTROL_CLOSED', connectedMs: 3073 });
    expect(c.state()).toBe('done');
    expect(c.context().failure).toMatchObject({ step: 'LIST', kind: 'reply', code: 425 });
    expect(c.opened()).toEqual([0, 0]);
  });

  it('after a retried command succeeded, the next one gets its own tries, its SIZE once', () => {
    const c = loggedInLftp(LFTP_IN_THE_LAB);
    c.send({ type: 'DATA_LISTENING', port: 40001 });
    c.reply(500, 'Illegal PORT command.');
    c.send({ type: 'CONTROL_CLOSED', connectedMs: 4 });
    c.clock.increment(1000);
    c.lftpLogin();
    c.reply(227, 'Entering Passive Mode (198,51,100,20,156,71).');
    c.send({ type: 'DATA_CONNECTED' });
    c.reply(150, 'Here comes the directory listing.');
    c.send({ type: 'DATA_EOF' });
    c.clear();
    c.reply(226, 'Directory send OK.');
    expect(c.did()).toEqual(['TYPE I']);
    expect(c.context().tries).toBe(0);
    c.reply(200, 'Switching to Binary mode.');
    c.reply(213, '338');
    c.send({ type: 'DATA_LISTENING', port: 40003 });
    c.reply(500, 'Illegal PORT command.');
    c.send({ type: 'CONTROL_CLOSED', connectedMs: 90 });
    c.clock.increment(1000);
    c.clear();
    c.lftpLogin();
    // A new connection's type is the server's default again; the size is known: no SIZE.
    expect(c.did()).toEqual(['FEAT', 'USER alice', 'PASS secret', 'TYPE I']);
    c.reply(200, 'Switching to Binary mode.');
    expect(c.did().at(-1)).toBe('PASV');
    expect(c.opened()).toEqual([0, 1000, 2000]);
  });
});

describe("lftp after vsftpd's 425 to the transfer command", () => {
  it('tries again on the same connection 2 s later, then QUITs: max-retries exceeded', () => {
    const c = loggedInLftp(LFTP_IN_THE_LAB);
    c.send({ type: 'DATA_LISTENING', port: 40001 });
    c.reply(200, 'PORT command successful. Consider using PASV.');
    c.clear();
    c.reply(425, 'Failed to establish connection.');
    expect(c.state()).toBe('waitingToRetry');
    c.clock.increment(1999);
    expect(c.did()).toEqual(['close-data', 'report']);
    c.clock.increment(1);
    expect(c.did().at(-1)).toBe('listen-data');
    c.send({ type: 'DATA_LISTENING', port: 40002 });
    c.reply(200, 'PORT command successful. Consider using PASV.');
    c.reply(425, 'Failed to establish connection.');
    expect(c.did().slice(-4)).toEqual(['LIST', 'close-data', 'report', 'QUIT']);
    expect(c.opened()).toEqual([0]);
  });
});

describe('curl after a failed data connection', () => {
  it('closes without QUIT and runs the next URL on a new connection at once, PWD again', () => {
    const c = client({ profile: CURL, mode: 'passive' });
    c.send({ type: 'START' });
    c.send({ type: 'CONTROL_CONNECTED' });
    c.reply(220, '(vsFTPd 3.0.3)');
    c.reply(331, 'Please specify the password.');
    c.reply(230, 'Login successful.');
    c.reply(257, '"/" is the current directory');
    c.reply(227, 'Entering Passive Mode (198,51,100,20,156,150).');
    c.clear();
    c.send({ type: 'DATA_FAILED', detail: 'Connection timed out' });
    expect(c.did()).toEqual(['report', 'close-control']);
    c.send({ type: 'CONTROL_CLOSED', connectedMs: 3260 });
    expect(c.did().at(-1)).toBe('open-control');
    c.clear();
    c.send({ type: 'CONTROL_CONNECTED' });
    c.reply(220, '(vsFTPd 3.0.3)');
    c.reply(331, 'Please specify the password.');
    c.reply(230, 'Login successful.');
    c.reply(257, '"/" is the current directory');
    expect(c.did()).toEqual(['USER alice', 'PASS secret', 'PWD', 'PASV']);
    c.reply(227, 'Entering Passive Mode (198,51,100,20,156,133).');
    c.send({ type: 'DATA_FAILED', detail: 'Connection timed out' });
    c.send({ type: 'CONTROL_CLOSED', connectedMs: 3260 });
    // The last URL failed too: no third connection, no QUIT; judged by its first failure.
    expect(c.state()).toBe('done');
    expect(c.did()).not.toContain('QUIT');
    expect(c.context().failure).toMatchObject({ step: 'LIST', kind: 'data-connect' });
    expect(c.opened()).toEqual([0, 0]);
  });
});

describe('lftp with its own defaults (net:reconnect-interval-base 15, -multiplier 1.5, -max 300, net:max-retries 1000)', () => {
  it('waits 15 s before its first new connection, 23 s before the next, and does not give up after two', () => {
    const c = loggedInLftp(LFTP);
    c.send({ type: 'DATA_LISTENING', port: 40001 });
    c.reply(425, "Can't connect to specified address.");
    // The connection had been open 3 s: 12 s of the 15 s interval are left.
    c.send({ type: 'CONTROL_CLOSED', connectedMs: 3083 });
    expect(c.state()).toBe('waitingToReconnect');
    c.clock.increment(11_999);
    expect(c.opened()).toEqual([0]);
    c.clock.increment(1);
    expect(c.opened()).toEqual([0, 12_000]);
    c.lftpLogin();
    c.send({ type: 'DATA_LISTENING', port: 40002 });
    c.reply(425, "Can't connect to specified address.");
    c.send({ type: 'CONTROL_CLOSED', connectedMs: 3073 });
    expect(c.state()).toBe('waitingToReconnect');
    c.clock.increment(20_000);
    expect(c.opened()).toEqual([0, 12_000, 32_000]);
    expect(c.context().failure).toBeNull();
  });

  it('never waits more than net:reconnect-interval-max, 300 s', () => {
    const waits: number[] = [];
    const c = loggedInLftp(LFTP);
    for (let i = 0; i < 12; i++) {
      c.send({ type: 'DATA_LISTENING', port: 40001 + i });
      c.reply(425, "Can't connect to specified address.");
      c.send({ type: 'CONTROL_CLOSED', connectedMs: 0 });
      const before = c.opened().length;
      let waited = 0;
      while (c.opened().length === before && waited < 400_000) {
        c.clock.increment(1000);
        waited += 1000;
      }
      waits.push(waited / 1000);
      c.lftpLogin();
    }
    expect(waits).toEqual([15, 23, 34, 51, 76, 114, 171, 257, 300, 300, 300, 300]);
  });
});
