import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import {
  ftpServerMachine,
  type FtpServerEmitted,
  type FtpServerEvent,
  type FtpServerInput,
  type FtpServerSettings,
} from '../../src/machines/ftp-server';
import { defaultFileStore } from '../../src/machines/file-store';
import { PYFTPDLIB, VSFTPD } from '../../src/machines/server-profiles';
import { asciiDecode, asciiEncode } from '../../src/protocol/net-ascii';
import {
  allStatePaths,
  allTransitionNames,
  cachedReplay,
  describePath,
  modelPaths,
  statePathsOf,
  TestClock,
} from './model';

const SERVER_ADDRESS = '198.51.100.20';
const CLIENT_ADDRESS = '192.0.2.10';
const STORE = defaultFileStore();
const NOTES = STORE['/notes.txt'].bytes;
const LOGO = STORE['/logo.png'].bytes;

function settings(more: Partial<FtpServerSettings> = {}): FtpServerSettings {
  return {
    users: [{ user: 'alice', password: 'secret' }],
    allowAnonymous: false,
    greeting: '(vsFTPd 3.0.3)',
    passivePorts: { from: 50000, to: 50100 },
    passiveAddress: null,
    activeSourcePort: 20,
    acceptTimeoutMs: 60_000,
    connectTimeoutMs: 60_000,
    files: defaultFileStore(),
    ...more,
  };
}

function serverInput(more: Partial<FtpServerSettings> = {}, seed = 42): FtpServerInput {
  return {
    settings: settings(more),
    localAddress: SERVER_ADDRESS,
    peerAddress: CLIENT_ADDRESS,
    seed,
  };
}

function reply(code: number, text: string): FtpServerEmitted {
  return { type: 'reply', code, text, wire: `${code} ${text}\r\n` };
}

/** A server session on a simulated clock; `cmd` returns what the server emitted in answer. */
function session(more: Partial<FtpServerSettings> = {}, seed = 42) {
  const clock = new TestClock();
  const actor = createActor(ftpServerMachine, { input: serverInput(more, seed), clock });
  const out: FtpServerEmitted[] = [];
  actor.on('*', (event) => out.push(event));
  actor.start();
  const send = (event: FtpServerEvent): FtpServerEmitted[] => {
    const start = out.length;
    actor.send(event);
    return out.slice(start);
  };
  return {
    actor,
    clock,
    send,
    cmd: (verb: string, arg: string | null = null) => send({ type: 'COMMAND', verb, arg }),
    state: () => actor.getSnapshot().value,
    context: () => actor.getSnapshot().context,
    /** Advances virtual time; returns what the server emitted meanwhile. */
    advanceTo(time: number): FtpServerEmitted[] {
      const start = out.length;
      clock.advanceTo(time);
      return out.slice(start);
    },
  };
}

/** Greeted and logged in as alice. */
function loggedIn(more: Partial<FtpServerSettings> = {}, seed = 42) {
  const s = session(more, seed);
  s.send({ type: 'CONTROL_OPENED' });
  s.cmd('USER', 'alice');
  expect(s.cmd('PASS', 'secret')).toEqual([reply(230, 'Login successful.')]);
  return s;
}

function crlfCount(bytes: Uint8Array): number {
  return asciiDecode(bytes).split('\n').length - 1;
}

describe('login dialogue (RFC 959 §4.1.1, §5.4; vsftpd wording)', () => {
  it('greets with 220 and the configured text, CRLF-terminated', () => {
    const s = session();
    expect(s.state()).toBe('awaitingConnection');
    expect(s.send({ type: 'CONTROL_OPENED' })).toEqual([
      { type: 'reply', code: 220, text: '(vsFTPd 3.0.3)', wire: '220 (vsFTPd 3.0.3)\r\n' },
    ]);
    expect(s.state()).toBe('awaitingUser');
  });

  it('USER → 331, PASS → 230 and the session is logged in', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    expect(s.cmd('USER', 'alice')).toEqual([reply(331, 'Please specify the password.')]);
    expect(s.state()).toBe('awaitingPassword');
    expect(s.cmd('PASS', 'secret')).toEqual([reply(230, 'Login successful.')]);
    expect(s.state()).toEqual({ loggedIn: 'idle' });
    expect(s.context().user).toBe('alice');
  });

  it('a wrong password gets 530 "Login incorrect." and a fresh USER is needed', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    s.cmd('USER', 'alice');
    expect(s.cmd('PASS', 'guess')).toEqual([reply(530, 'Login incorrect.')]);
    expect(s.state()).toBe('awaitingUser');
    expect(s.context().user).toBeNull();
    expect(s.cmd('PASS', 'secret')).toEqual([reply(503, 'Login with USER first.')]);
    s.cmd('USER', 'alice');
    expect(s.cmd('PASS', 'secret')).toEqual([reply(230, 'Login successful.')]);
  });

  it('an unknown user gets 530 after PASS, not after USER (no user enumeration)', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    expect(s.cmd('USER', 'mallory')).toEqual([reply(331, 'Please specify the password.')]);
    expect(s.cmd('PASS', 'secret')).toEqual([reply(530, 'Login incorrect.')]);
  });

  it('PASS before USER → 503 "Login with USER first."', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    expect(s.cmd('PASS', 'secret')).toEqual([reply(503, 'Login with USER first.')]);
    expect(s.state()).toBe('awaitingUser');
  });

  it('commands before login → 530 "Please login with USER and PASS." (also between USER and PASS)', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    for (const [verb, arg] of [
      ['SYST', null],
      ['LIST', null],
      ['PASV', null],
      ['RETR', 'notes.txt'],
    ] as const) {
      expect(s.cmd(verb, arg)).toEqual([reply(530, 'Please login with USER and PASS.')]);
    }
    s.cmd('USER', 'alice');
    expect(s.cmd('PWD')).toEqual([reply(530, 'Please login with USER and PASS.')]);
    expect(s.state()).toBe('awaitingPassword');
  });

  it('a second USER while waiting for PASS replaces the first', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    s.cmd('USER', 'bob');
    expect(s.cmd('USER', 'alice')).toEqual([reply(331, 'Please specify the password.')]);
    expect(s.cmd('PASS', 'secret')).toEqual([reply(230, 'Login successful.')]);
  });

  it('anonymous login only when allowed (any password, "ftp" or "anonymous" in any case)', () => {
    const open = session({ allowAnonymous: true });
    open.send({ type: 'CONTROL_OPENED' });
    open.cmd('USER', 'Anonymous');
    expect(open.cmd('PASS', 'me@example.org')).toEqual([reply(230, 'Login successful.')]);

    const closed = session({ allowAnonymous: false });
    closed.send({ type: 'CONTROL_OPENED' });
    closed.cmd('USER', 'ftp');
    expect(closed.cmd('PASS', '')).toEqual([reply(530, 'Login incorrect.')]);
  });

  it('a line that does not parse → 500 in every reading state', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    const bad = { type: 'BAD_LINE', reason: 'too long' } as const;
    expect(s.send(bad)).toEqual([reply(500, 'Syntax error, command unrecognized.')]);
    s.cmd('USER', 'alice');
    expect(s.send(bad)).toEqual([reply(500, 'Syntax error, command unrecognized.')]);
    s.cmd('PASS', 'secret');
    expect(s.send(bad)).toEqual([reply(500, 'Syntax error, command unrecognized.')]);
  });
});

describe('simple commands once logged in', () => {
  it('SYST 215, NOOP 200, TYPE A/I 200, TYPE X 500', () => {
    const s = loggedIn();
    expect(s.cmd('SYST')).toEqual([reply(215, 'UNIX Type: L8')]);
    expect(s.cmd('NOOP')).toEqual([reply(200, 'NOOP ok.')]);
    expect(s.cmd('TYPE', 'I')).toEqual([reply(200, 'Switching to Binary mode.')]);
    expect(s.context().type).toBe('I');
    expect(s.cmd('TYPE', 'A')).toEqual([reply(200, 'Switching to ASCII mode.')]);
    expect(s.context().type).toBe('A');
    expect(s.cmd('TYPE', 'L 8')).toEqual([reply(200, 'Switching to Binary mode.')]);
    expect(s.cmd('TYPE', 'X')).toEqual([reply(500, 'Unrecognised TYPE command.')]);
    expect(s.cmd('TYPE')).toEqual([reply(500, 'Unrecognised TYPE command.')]);
    expect(s.context().type).toBe('I');
  });

  it('MODE S and STRU F 200 (RFC 959 §5.1 minimum), other modes and structures 504, ALLO 202', () => {
    const s = loggedIn();
    expect(s.cmd('MODE', 'S')).toEqual([reply(200, 'Mode set to S.')]);
    expect(s.cmd('MODE', 's')).toEqual([reply(200, 'Mode set to S.')]);
    expect(s.cmd('MODE', 'B')).toEqual([reply(504, 'Bad MODE command.')]);
    expect(s.cmd('MODE')).toEqual([reply(504, 'Bad MODE command.')]);
    expect(s.cmd('STRU', 'F')).toEqual([reply(200, 'Structure set to F.')]);
    expect(s.cmd('STRU', 'R')).toEqual([reply(504, 'Bad STRU command.')]);
    expect(s.cmd('ALLO', '1024')).toEqual([reply(202, 'ALLO command ignored.')]);
    expect(s.state()).toEqual({ loggedIn: 'idle' });
  });

  it('PWD 257, CWD 250/550, CDUP', () => {
    const s = loggedIn();
    expect(s.cmd('PWD')).toEqual([reply(257, '"/" is the current directory')]);
    expect(s.cmd('CWD', 'pub')).toEqual([reply(250, 'Directory successfully changed.')]);
    expect(s.cmd('XPWD')).toEqual([reply(257, '"/pub" is the current directory')]);
    expect(s.cmd('CWD', '/nowhere')).toEqual([reply(550, 'Failed to change directory.')]);
    expect(s.cmd('CWD', 'notes.txt')).toEqual([reply(550, 'Failed to change directory.')]);
    expect(s.cmd('PWD')).toEqual([reply(257, '"/pub" is the current directory')]);
    expect(s.cmd('CDUP')).toEqual([reply(250, 'Directory successfully changed.')]);
    expect(s.cmd('PWD')).toEqual([reply(257, '"/" is the current directory')]);
  });

  it('USER and PASS again after login', () => {
    const s = loggedIn();
    expect(s.cmd('USER', 'bob')).toEqual([reply(530, "Can't change to another user.")]);
    expect(s.cmd('PASS', 'x')).toEqual([reply(230, 'Already logged in.')]);
    expect(s.context().user).toBe('alice');
  });

  it('unknown command → 500 "Unknown command."; known but unimplemented (ACCT, …) → 502', () => {
    const s = loggedIn();
    expect(s.cmd('FOO')).toEqual([reply(500, 'Unknown command.')]);
    for (const verb of ['ACCT', 'MKD', 'DELE', 'ABOR', 'STAT', 'HELP']) {
      expect(s.cmd(verb, 'x')).toEqual([reply(502, 'Command not implemented.')]);
    }
  });

  it('QUIT → 221 "Goodbye." and close-control; CONTROL_CLOSED ends the session', () => {
    const s = loggedIn();
    expect(s.cmd('QUIT')).toEqual([reply(221, 'Goodbye.'), { type: 'close-control' }]);
    expect(s.state()).toBe('closing');
    expect(s.cmd('NOOP')).toEqual([]);
    s.send({ type: 'CONTROL_CLOSED' });
    expect(s.state()).toBe('done');
    expect(s.actor.getSnapshot().status).toBe('done');
  });

  it('QUIT works before login too', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    expect(s.cmd('QUIT')).toEqual([reply(221, 'Goodbye.'), { type: 'close-control' }]);
    const t = session();
    t.send({ type: 'CONTROL_OPENED' });
    t.cmd('USER', 'alice');
    expect(t.cmd('QUIT')).toEqual([reply(221, 'Goodbye.'), { type: 'close-control' }]);
  });

  it('CONTROL_CLOSED in any state ends the session at once', () => {
    const s = loggedIn();
    s.cmd('PASV');
    s.send({ type: 'CONTROL_CLOSED' });
    expect(s.state()).toBe('done');
  });
});

describe('PORT and EPRT (RFC 959 §4.1.2, RFC 2428 §2, RFC 2577 §3)', () => {
  it('PORT naming the client → 200; the transfer then connects from port 20 to it', () => {
    const s = loggedIn();
    expect(s.cmd('PORT', '192,0,2,10,195,80')).toEqual([
      reply(200, 'PORT command successful. Consider using PASV.'),
    ]);
    expect(s.state()).toEqual({ loggedIn: 'activeReady' });
    expect(s.cmd('LIST')).toEqual([
      { type: 'connect-active', target: { address: CLIENT_ADDRESS, port: 50000 }, sourcePort: 20 },
    ]);
    expect(s.state()).toEqual({ loggedIn: 'connectingActive' });
  });

  it('the active source port is configurable', () => {
    const s = loggedIn({ activeSourcePort: 2020 });
    s.cmd('PORT', '192,0,2,10,4,0');
    expect(s.cmd('NLST')).toEqual([
      { type: 'connect-active', target: { address: CLIENT_ADDRESS, port: 1024 }, sourcePort: 2020 },
    ]);
  });

  it('malformed PORT → 501', () => {
    const s = loggedIn();
    for (const arg of ['192,0,2,10,195', '192,0,2,10,195,80,1', '192,0,2,10,195,256', 'x', null]) {
      expect(s.cmd('PORT', arg)).toEqual([reply(501, 'Syntax error in parameters or arguments.')]);
    }
    expect(s.state()).toEqual({ loggedIn: 'idle' });
  });

  it('PORT naming another host → 500 "Illegal PORT command." (RFC 2577 §3, FTP bounce)', () => {
    const s = loggedIn();
    expect(s.cmd('PORT', '203,0,113,5,195,80')).toEqual([reply(500, 'Illegal PORT command.')]);
    expect(s.state()).toEqual({ loggedIn: 'idle' });
    expect(s.context().activeTarget).toBeNull();
  });

  it('PORT naming a privileged port (< 1024) → 500; 1024 is accepted', () => {
    const s = loggedIn();
    expect(s.cmd('PORT', '192,0,2,10,0,21')).toEqual([reply(500, 'Illegal PORT command.')]);
    expect(s.cmd('PORT', '192,0,2,10,3,255')).toEqual([reply(500, 'Illegal PORT command.')]);
    expect(s.cmd('PORT', '192,0,2,10,4,0')).toEqual([
      reply(200, 'PORT command successful. Consider using PASV.'),
    ]);
    expect(s.context().activeTarget).toEqual({ address: CLIENT_ADDRESS, port: 1024 });
  });

  it('EPRT |1|client|port| → 200, and the transfer connects there', () => {
    const s = loggedIn();
    expect(s.cmd('EPRT', '|1|192.0.2.10|50001|')).toEqual([
      reply(200, 'EPRT command successful. Consider using EPSV.'),
    ]);
    expect(s.cmd('RETR', 'notes.txt')).toEqual([
      { type: 'connect-active', target: { address: CLIENT_ADDRESS, port: 50001 }, sourcePort: 20 },
    ]);
  });

  it('EPRT with an unsupported family → 522; malformed → 501; another host or port < 1024 → 500', () => {
    const s = loggedIn();
    expect(s.cmd('EPRT', '|2|2001:db8::1|50001|')).toEqual([
      reply(522, 'Network protocol not supported, use (1)'),
    ]);
    expect(s.cmd('EPRT', '|3|192.0.2.10|50001|')).toEqual([
      reply(522, 'Network protocol not supported, use (1)'),
    ]);
    expect(s.cmd('EPRT', 'garbage')).toEqual([
      reply(501, 'Syntax error in parameters or arguments.'),
    ]);
    expect(s.cmd('EPRT', '|1|203.0.113.5|50001|')).toEqual([reply(500, 'Illegal EPRT command.')]);
    expect(s.cmd('EPRT', '|1|192.0.2.10|21|')).toEqual([reply(500, 'Illegal EPRT command.')]);
    expect(s.state()).toEqual({ loggedIn: 'idle' });
  });
});

describe('PASV and EPSV (RFC 959 §4.1.2, RFC 2428 §3)', () => {
  it('PASV opens a listener in the range first, then answers 227 with the address and port', () => {
    const s = loggedIn();
    const out = s.cmd('PASV');
    expect(out).toHaveLength(2);
    const [open, answer] = out;
    if (open.type !== 'open-passive' || answer.type !== 'reply') throw new Error('order');
    expect(open.port).toBeGreaterThanOrEqual(50000);
    expect(open.port).toBeLessThanOrEqual(50100);
    const p1 = Math.floor(open.port / 256);
    const p2 = open.port % 256;
    expect(answer).toEqual(reply(227, `Entering Passive Mode (198,51,100,20,${p1},${p2}).`));
    expect(s.state()).toEqual({ loggedIn: 'passiveReady' });
    expect(s.context().passivePort).toBe(open.port);
  });

  it('passive ports are reproducible for a seed and stay in range', () => {
    const ports = (seed: number) => {
      const s = loggedIn({ passivePorts: { from: 50000, to: 50009 } }, seed);
      return Array.from({ length: 20 }, () => {
        const open = s.cmd('PASV').find((e) => e.type === 'open-passive');
        return open?.type === 'open-passive' ? open.port : -1;
      });
    };
    const first = ports(7);
    expect(ports(7)).toEqual(first);
    for (const port of first) expect(port >= 50000 && port <= 50009).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(1);
  });

  it('a configured passive address (vsftpd pasv_address, for NAT) goes into the 227', () => {
    const s = loggedIn({ passiveAddress: '203.0.113.7', passivePorts: { from: 50000, to: 50000 } });
    expect(s.cmd('PASV')).toEqual([
      { type: 'open-passive', port: 50000 },
      reply(227, 'Entering Passive Mode (203,0,113,7,195,80).'),
    ]);
  });

  it('EPSV → 229 (|||port|)', () => {
    const s = loggedIn({ passivePorts: { from: 50123, to: 50123 } });
    expect(s.cmd('EPSV')).toEqual([
      { type: 'open-passive', port: 50123 },
      reply(229, 'Entering Extended Passive Mode (|||50123|)'),
    ]);
    expect(s.state()).toEqual({ loggedIn: 'passiveReady' });
  });

  it('a new PASV or PORT closes the passive listener prepared before', () => {
    const s = loggedIn({ passivePorts: { from: 50000, to: 50000 } });
    s.cmd('PASV');
    expect(s.cmd('PASV')).toEqual([
      { type: 'close-passive' },
      { type: 'open-passive', port: 50000 },
      reply(227, 'Entering Passive Mode (198,51,100,20,195,80).'),
    ]);
    expect(s.cmd('PORT', '192,0,2,10,195,80')).toEqual([
      { type: 'close-passive' },
      reply(200, 'PORT command successful. Consider using PASV.'),
    ]);
    expect(s.context().passivePort).toBeNull();
  });
});

describe('transfers', () => {
  it('LIST without PORT or PASV → 425 "Use PORT or PASV first."', () => {
    const s = loggedIn();
    for (const [verb, arg] of [
      ['LIST', null],
      ['NLST', null],
      ['RETR', 'notes.txt'],
      ['STOR', 'up.txt'],
    ] as const) {
      expect(s.cmd(verb, arg)).toEqual([reply(425, 'Use PORT or PASV first.')]);
    }
  });

  it('RETR of a missing file → 550; RETR or STOR without a name → 501', () => {
    const s = loggedIn();
    s.cmd('PORT', '192,0,2,10,195,80');
    expect(s.cmd('RETR', 'missing.txt')).toEqual([reply(550, 'Failed to open file.')]);
    expect(s.cmd('RETR')).toEqual([reply(501, 'Syntax error in parameters or arguments.')]);
    expect(s.cmd('STOR')).toEqual([reply(501, 'Syntax error in parameters or arguments.')]);
    expect(s.state()).toEqual({ loggedIn: 'activeReady' });
  });

  it('STOR into a directory that does not exist, or onto a directory → 553, before any data connection', () => {
    const s = loggedIn();
    s.cmd('PORT', '192,0,2,10,195,80');
    for (const path of ['nowhere/up.txt', '/pub', '/', 'pub/../missing/x']) {
      expect(s.cmd('STOR', path)).toEqual([reply(553, 'Could not create file.')]);
    }
    expect(s.state()).toEqual({ loggedIn: 'activeReady' });
    // A new file in a directory that exists is fine, relative or absolute.
    expect(s.cmd('STOR', 'pub/new.txt')[0]).toMatchObject({ type: 'connect-active' });
  });

  it('RETR in active mode, TYPE A: connect-active, 150 on DATA_CONNECTED, LF → CRLF, close, 226', () => {
    const s = loggedIn();
    s.cmd('PORT', '192,0,2,10,195,80');
    expect(s.cmd('RETR', 'notes.txt')).toEqual([
      { type: 'connect-active', target: { address: CLIENT_ADDRESS, port: 50000 }, sourcePort: 20 },
    ]);
    // The session reads no further command while the transfer is set up (vsftpd is single-threaded).
    expect(s.actor.getSnapshot().hasTag('readsCommands')).toBe(false);

    const lines = crlfCount(NOTES);
    const expected = asciiEncode(asciiDecode(NOTES).replace(/\n/g, '\r\n'));
    expect(expected.length).toBe(NOTES.length + lines);
    expect(s.send({ type: 'DATA_CONNECTED' })).toEqual([
      reply(150, `Opening ASCII mode data connection for notes.txt (${NOTES.length} bytes).`),
      { type: 'send-data', data: expected },
      { type: 'close-data' },
    ]);
    expect(s.state()).toEqual({ loggedIn: 'transferring' });
    expect(s.send({ type: 'DATA_SENT' })).toEqual([reply(226, 'Transfer complete.')]);
    expect(s.state()).toEqual({ loggedIn: 'idle' });
    expect(s.actor.getSnapshot().hasTag('readsCommands')).toBe(true);
    // The PORT was used up: the next transfer needs a new one.
    expect(s.cmd('LIST')).toEqual([reply(425, 'Use PORT or PASV first.')]);
  });

  it('RETR with TYPE I sends the stored bytes unchanged (CR LF inside a PNG survive)', () => {
    const s = loggedIn();
    s.cmd('TYPE', 'I');
    s.cmd('PORT', '192,0,2,10,195,80');
    s.cmd('RETR', '/logo.png');
    const out = s.send({ type: 'DATA_CONNECTED' });
    expect(out).toEqual([
      reply(150, 'Opening BINARY mode data connection for logo.png (1024 bytes).'),
      { type: 'send-data', data: LOGO },
      { type: 'close-data' },
    ]);
    expect([...LOGO.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('RETR with TYPE A mangles a binary file (the lesson on TYPE A): every bare LF gains a CR', () => {
    const s = loggedIn();
    s.cmd('PORT', '192,0,2,10,195,80');
    s.cmd('RETR', 'logo.png');
    const sent = s.send({ type: 'DATA_CONNECTED' }).find((e) => e.type === 'send-data');
    if (sent?.type !== 'send-data') throw new Error('no send-data');
    expect(sent.data.length).toBeGreaterThan(LOGO.length);
    // The signature's CR LF stays CR LF; its lone LF at byte 7 becomes CR LF.
    expect([...sent.data.subarray(0, 9)]).toEqual([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0d, 0x0a,
    ]);
  });

  it('LIST in passive mode: 150 once the client connects, the listing, 226, and the listener closes', () => {
    const s = loggedIn({ passivePorts: { from: 50000, to: 50000 } });
    s.cmd('PASV');
    expect(s.cmd('LIST')).toEqual([]);
    expect(s.state()).toEqual({ loggedIn: 'awaitingPassiveConnection' });
    const listing = [
      `-rw-r--r--    1 ftp      ftp         65536 Nov 24 09:30 archive.bin\r\n`,
      `-rw-r--r--    1 ftp      ftp          1024 Nov 24 09:30 logo.png\r\n`,
      `-rw-r--r--    1 ftp      ftp      ${String(NOTES.length).padStart(8)} Nov 24 09:30 notes.txt\r\n`,
      `drwxr-xr-x    2 ftp      ftp          4096 Nov 24 09:30 pub\r\n`,
    ].join('');
    expect(s.send({ type: 'DATA_CONNECTED' })).toEqual([
      reply(150, 'Here comes the directory listing.'),
      { type: 'send-data', data: asciiEncode(listing) },
      { type: 'close-data' },
    ]);
    expect(s.send({ type: 'DATA_SENT' })).toEqual([
      reply(226, 'Directory send OK.'),
      { type: 'close-passive' },
    ]);
    expect(s.context().passivePort).toBeNull();
  });

  it('NLST sends bare names; LIST of a subdirectory lists it', () => {
    const s = loggedIn();
    s.cmd('PASV');
    s.send({ type: 'DATA_CONNECTED' });
    expect(s.state()).toEqual({ loggedIn: 'passiveReady' });
    // Already connected: the transfer starts at once.
    expect(s.cmd('NLST')).toEqual([
      reply(150, 'Here comes the directory listing.'),
      { type: 'send-data', data: asciiEncode('archive.bin\r\nlogo.png\r\nnotes.txt\r\npub\r\n') },
      { type: 'close-data' },
    ]);
    s.send({ type: 'DATA_SENT' });
    s.cmd('PORT', '192,0,2,10,195,80');
    s.cmd('LIST', 'pub');
    const sent = s.send({ type: 'DATA_CONNECTED' }).find((e) => e.type === 'send-data');
    expect(sent).toEqual({
      type: 'send-data',
      data: asciiEncode('-rw-r--r--    1 ftp      ftp            24 Nov 24 09:30 readme.txt\r\n'),
    });
  });

  it('passive accept timeout (vsftpd accept_timeout 60 s) → 425 and the listener closes', () => {
    const s = loggedIn();
    s.cmd('PASV');
    s.clock.advanceTo(1000);
    s.cmd('RETR', 'notes.txt');
    expect(s.advanceTo(60_999)).toEqual([]);
    expect(s.advanceTo(61_000)).toEqual([
      reply(425, 'Failed to establish connection.'),
      { type: 'close-passive' },
    ]);
    expect(s.state()).toEqual({ loggedIn: 'idle' });
    expect(s.context()).toMatchObject({ passivePort: null, transfer: null });
  });

  it('active connect timeout (vsftpd connect_timeout 60 s) → abort-data and 425', () => {
    const s = loggedIn({ connectTimeoutMs: 60_000 });
    s.cmd('PORT', '192,0,2,10,195,80');
    s.cmd('LIST');
    expect(s.advanceTo(59_999)).toEqual([]);
    expect(s.advanceTo(60_000)).toEqual([
      { type: 'abort-data' },
      reply(425, 'Failed to establish connection.'),
    ]);
    expect(s.state()).toEqual({ loggedIn: 'idle' });
    expect(s.context().activeTarget).toBeNull();
  });

  it('DATA_FAILED while connecting (RST, ICMP) → 425 at once, and no timer is left', () => {
    const s = loggedIn();
    s.cmd('PORT', '192,0,2,10,195,80');
    s.cmd('LIST');
    expect(s.send({ type: 'DATA_FAILED', detail: 'Connection refused (RST)' })).toEqual([
      reply(425, 'Failed to establish connection.'),
    ]);
    expect(s.state()).toEqual({ loggedIn: 'idle' });
    expect(s.clock.pending()).toEqual([]);
  });

  it('DATA_FAILED during a transfer → 426 and close-data', () => {
    const s = loggedIn();
    s.cmd('PORT', '192,0,2,10,195,80');
    s.cmd('RETR', 'archive.bin');
    s.send({ type: 'DATA_CONNECTED' });
    expect(s.send({ type: 'DATA_FAILED', detail: 'reset' })).toEqual([
      reply(426, 'Failure reading network stream.'),
      { type: 'close-data' },
    ]);
    expect(s.state()).toEqual({ loggedIn: 'idle' });
  });

  it('a client that half-closes or writes to a download does not replace the file (only STOR reads data)', () => {
    const s = loggedIn();
    s.cmd('PASV');
    s.send({ type: 'DATA_CONNECTED' });
    s.cmd('RETR', 'notes.txt');
    expect(s.send({ type: 'DATA_RECEIVED', data: asciiEncode('junk') })).toEqual([]);
    expect(s.send({ type: 'DATA_EOF' })).toEqual([]);
    expect(s.state()).toEqual({ loggedIn: 'transferring' });
    expect(s.context().upload).toEqual([]);
    expect(s.send({ type: 'DATA_SENT' })).toEqual([
      reply(226, 'Transfer complete.'),
      { type: 'close-passive' },
    ]);
    expect(s.context().files['/notes.txt']).toBe(STORE['/notes.txt']);
  });

  it('STOR with TYPE A stores the received bytes with CRLF turned back into LF', () => {
    const s = loggedIn();
    s.cmd('PORT', '192,0,2,10,195,80');
    expect(s.cmd('STOR', 'up.txt')).toEqual([
      { type: 'connect-active', target: { address: CLIENT_ADDRESS, port: 50000 }, sourcePort: 20 },
    ]);
    expect(s.send({ type: 'DATA_CONNECTED' })).toEqual([reply(150, 'Ok to send data.')]);
    expect(s.send({ type: 'DATA_RECEIVED', data: asciiEncode('one\r\ntw') })).toEqual([]);
    expect(s.send({ type: 'DATA_RECEIVED', data: asciiEncode('o\r\n') })).toEqual([]);
    expect(s.send({ type: 'DATA_EOF' })).toEqual([
      { type: 'close-data' },
      reply(226, 'Transfer complete.'),
    ]);
    expect(s.context().files['/up.txt']).toEqual({
      bytes: asciiEncode('one\ntwo\n'),
      kind: 'text',
    });
    expect(s.context().files['/notes.txt']).toEqual(STORE['/notes.txt']);
  });

  it('STOR with TYPE I stores the bytes unchanged, in the current directory, and RETR gets them back', () => {
    const s = loggedIn();
    s.cmd('TYPE', 'I');
    s.cmd('CWD', 'pub');
    s.cmd('PASV');
    s.cmd('STOR', 'blob.bin');
    s.send({ type: 'DATA_CONNECTED' });
    const blob = Uint8Array.from([0, 13, 10, 255, 10, 13]);
    s.send({ type: 'DATA_RECEIVED', data: blob });
    s.send({ type: 'DATA_EOF' });
    expect(s.context().files['/pub/blob.bin']).toEqual({ bytes: blob, kind: 'binary' });
    s.cmd('PORT', '192,0,2,10,195,80');
    s.cmd('RETR', 'blob.bin');
    const sent = s.send({ type: 'DATA_CONNECTED' }).find((e) => e.type === 'send-data');
    expect(sent).toEqual({ type: 'send-data', data: blob });
  });
});

describe('FEAT and OPTS UTF8 (RFC 2389, RFC 2640 §3.1; vsftpd 3.0.3 recorded on this machine)', () => {
  /** vsftpd's FEAT with utf8_filesystem=YES, less MDTM, REST STREAM and SIZE (not implemented here). */
  const FEAT_WIRE = '211-Features:\r\n UTF8\r\n EPRT\r\n EPSV\r\n PASV\r\n TVFS\r\n211 End\r\n';

  it('FEAT lists UTF8 among the features, multi-line, before login as after it', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    expect(s.cmd('FEAT').map((e) => e.type === 'reply' && e.wire)).toEqual([FEAT_WIRE]);
    s.cmd('USER', 'alice');
    expect(s.cmd('FEAT').map((e) => e.type === 'reply' && e.wire)).toEqual([FEAT_WIRE]);
    expect(s.state()).toBe('awaitingPassword');
    s.cmd('PASS', 'secret');
    expect(s.cmd('FEAT', 'x').map((e) => e.type === 'reply' && e.wire)).toEqual([FEAT_WIRE]);
  });

  it('OPTS UTF8 ON → 200 "Always in UTF8 mode." in any case; any other OPTS → 501, as vsftpd', () => {
    const s = session();
    s.send({ type: 'CONTROL_OPENED' });
    expect(s.cmd('OPTS', 'UTF8 ON')).toEqual([reply(200, 'Always in UTF8 mode.')]);
    expect(s.state()).toBe('awaitingUser');
    s.cmd('USER', 'alice');
    s.cmd('PASS', 'secret');
    expect(s.cmd('OPTS', 'utf8 on')).toEqual([reply(200, 'Always in UTF8 mode.')]);
    for (const arg of ['UTF8 OFF', 'UTF8  ON', 'UTF8 ON ', 'MLST type;', null]) {
      expect(s.cmd('OPTS', arg)).toEqual([reply(501, 'Option not understood.')]);
    }
  });
});

describe('what the server programs answer to what lftp and curl send (the lab: test/capture/fixtures/lab-*.json)', () => {
  const wires = (out: FtpServerEmitted[]) => out.map((e) => e.type === 'reply' && e.wire);

  it("vsftpd as Debian ships it: FEAT without UTF8, PWD's 257 without a full stop, SIZE 213 in either TYPE", () => {
    const s = session({ profile: VSFTPD });
    s.send({ type: 'CONTROL_OPENED' });
    expect(wires(s.cmd('FEAT'))).toEqual([
      '211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n',
    ]);
    s.cmd('USER', 'alice');
    s.cmd('PASS', 'secret');
    expect(s.cmd('PWD')).toEqual([reply(257, '"/" is the current directory')]);
    expect(s.cmd('SIZE', 'notes.txt')).toEqual([reply(213, '338')]);
    s.cmd('TYPE', 'I');
    expect(s.cmd('SIZE', '/notes.txt')).toEqual([reply(213, '338')]);
    expect(s.cmd('SIZE', 'missing.txt')).toEqual([reply(550, 'Could not get file size.')]);
    expect(s.cmd('SIZE', '/')).toEqual([reply(550, 'Could not get file size.')]);
  });

  it('pyftpdlib: FEAT with MLST and UTF8, OPTS 530 before login, then MLST only, SIZE refused in TYPE A', () => {
    const s = session({ profile: PYFTPDLIB });
    s.send({ type: 'CONTROL_OPENED' });
    expect(wires(s.cmd('FEAT'))).toEqual([
      '211-Features supported:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MFMT\r\n' +
        ' MLST type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;\r\n' +
        ' REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End FEAT.\r\n',
    ]);
    expect(s.cmd('OPTS', 'UTF8 ON')).toEqual([reply(530, 'Log in with USER and PASS first.')]);
    expect(s.cmd('SYST')).toEqual([reply(530, 'Log in with USER and PASS first.')]);
    s.cmd('USER', 'alice');
    s.cmd('PASS', 'secret');
    expect(s.cmd('OPTS', 'UTF8 ON')).toEqual([reply(501, 'Invalid argument.')]);
    expect(s.cmd('OPTS', 'MLST type;perm;size;modify;unix.mode;unix.uid;unix.gid;')).toEqual([
      reply(200, 'MLST OPTS type;perm;size;modify;unix.mode;unix.uid;unix.gid;'),
    ]);
    expect(s.cmd('OPTS', 'MLST TYPE;color;')).toEqual([reply(200, 'MLST OPTS type;')]);
    expect(s.cmd('OPTS', 'MDTM a;b')).toEqual([reply(501, 'Unsupported command "MDTM".')]);
    expect(s.cmd('OPTS', 'a b c')).toEqual([reply(501, 'Invalid number of arguments.')]);
    expect(s.cmd('PWD')).toEqual([reply(257, '"/" is the current directory.')]);
    expect(s.cmd('SIZE', 'notes.txt')).toEqual([reply(550, 'SIZE not allowed in ASCII mode.')]);
    s.cmd('TYPE', 'I');
    expect(s.cmd('SIZE', 'notes.txt')).toEqual([reply(213, '338')]);
    expect(s.cmd('SIZE', 'missing.txt')).toEqual([reply(550, '/missing.txt is not retrievable.')]);
  });

  it('without a server program (the real-socket server) SIZE stays unknown: 500', () => {
    expect(loggedIn().cmd('SIZE', 'notes.txt')).toEqual([reply(500, 'Unknown command.')]);
  });
});

describe('names beyond ASCII (RFC 2640: UTF-8, each name exactly as sent)', () => {
  it('two names that differ only beyond ASCII are two files; RETR of the other one is 550', () => {
    const s = loggedIn();
    s.cmd('TYPE', 'I');
    s.cmd('PASV');
    s.cmd('STOR', '中文.txt');
    s.send({ type: 'DATA_CONNECTED' });
    s.send({ type: 'DATA_RECEIVED', data: Uint8Array.from([1, 2, 3]) });
    s.send({ type: 'DATA_EOF' });
    expect(Object.keys(s.context().files)).toContain('/中文.txt');
    s.cmd('PASV');
    expect(s.cmd('RETR', '日本.txt')).toEqual([reply(550, 'Failed to open file.')]);
    s.cmd('RETR', '中文.txt');
    const sent = s.send({ type: 'DATA_CONNECTED' });
    expect(sent.find((e) => e.type === 'reply')).toEqual(
      reply(150, 'Opening BINARY mode data connection for 中文.txt (3 bytes).'),
    );
    expect(sent.find((e) => e.type === 'send-data')).toEqual({
      type: 'send-data',
      data: Uint8Array.from([1, 2, 3]),
    });
  });

  it('NLST sends names as UTF-8 bytes, in byte order as vsftpd sorts them', () => {
    const file = { bytes: new Uint8Array(0), kind: 'text' as const };
    const s = loggedIn({ files: { '/中': file, '/é': file, '/a': file, '/B': file, '/😀': file } });
    s.cmd('PASV');
    s.cmd('NLST');
    const sent = s.send({ type: 'DATA_CONNECTED' }).find((e) => e.type === 'send-data');
    expect(sent).toEqual({
      type: 'send-data',
      data: new TextEncoder().encode('B\r\na\r\né\r\n中\r\n😀\r\n'),
    });
  });
});

describe('model-based (xstate/graph shortest paths, replayed on a real actor)', () => {
  const input = serverInput({ passivePorts: { from: 50000, to: 50000 } });
  const command = (verb: string, arg: string | null = null): FtpServerEvent => ({
    type: 'COMMAND',
    verb,
    arg,
  });
  const events: FtpServerEvent[] = [
    { type: 'CONTROL_OPENED' },
    { type: 'CONTROL_CLOSED' },
    { type: 'BAD_LINE', reason: 'not a command' },
    command('USER', 'alice'),
    command('PASS', 'secret'),
    command('PASS', 'wrong'),
    command('QUIT'),
    command('SYST'),
    command('NOOP'),
    command('PWD'),
    command('CWD', 'pub'),
    command('CWD', 'nowhere'),
    command('TYPE', 'I'),
    command('TYPE', 'X'),
    command('PORT', '192,0,2,10,195,80'),
    command('PORT', '1,2,3'),
    command('PORT', '203,0,113,5,195,80'),
    command('EPRT', '|1|192.0.2.10|50001|'),
    command('EPRT', '|2|2001:db8::1|50001|'),
    command('EPRT', 'garbage'),
    command('EPRT', '|1|203.0.113.5|50001|'),
    command('PASV'),
    command('EPSV'),
    command('LIST'),
    command('RETR', 'notes.txt'),
    command('RETR', 'missing.txt'),
    command('RETR'),
    command('STOR', 'up.txt'),
    command('STOR', 'nowhere/up.txt'),
    command('MODE', 'S'),
    command('MODE', 'B'),
    command('STRU', 'F'),
    command('STRU', 'R'),
    command('ALLO', '10'),
    command('ACCT', 'x'),
    command('FEAT'),
    command('OPTS', 'UTF8 ON'),
    command('OPTS', 'UTF8 OFF'),
    command('SIZE', 'notes.txt'),
    command('FOO'),
    { type: 'DATA_CONNECTED' },
    { type: 'DATA_FAILED', detail: 'reset' },
    { type: 'DATA_RECEIVED', data: asciiEncode('hello\r\n') },
    { type: 'DATA_EOF' },
    { type: 'DATA_SENT' },
  ];
  // pyftpdlib connects on PORT: its states and transitions are explored with its profile.
  const pyInput = serverInput({ passivePorts: { from: 50000, to: 50000 }, profile: PYFTPDLIB });
  const explore = (from: FtpServerInput) =>
    modelPaths(ftpServerMachine, {
      input: from,
      events: () => events,
      // Only an upload reads the data connection, so transferring for STOR is a different vertex
      // from transferring for LIST or RETR. (Only there: commands in the transfer states are never
      // fed by a host, which waits for the readsCommands tag, so they need no second exploration.)
      abstractContext: (snapshot) =>
        `${snapshot.matches({ loggedIn: 'transferring' }) && snapshot.context.transfer?.verb === 'STOR'} ${snapshot.context.activeConnected}`,
    });
  const paths = explore(input);
  const pyPaths = explore(pyInput);

  const invariants = (snapshot: SnapshotFrom<typeof ftpServerMachine>) => {
    const c = snapshot.context;
    // Never both an active target and a passive listener.
    expect(c.activeTarget !== null && c.passivePort !== null).toBe(false);
    // A transfer is in progress exactly in the three transfer states.
    const transferStates = [
      'connectingActive',
      'awaitingPassiveConnection',
      'transferring',
    ] as const;
    const inTransfer = transferStates.some((state) => snapshot.matches({ loggedIn: state }));
    expect(c.transfer !== null).toBe(inTransfer);
    expect(snapshot.hasTag('readsCommands')).toBe(
      snapshot.matches('awaitingUser') ||
        snapshot.matches('awaitingPassword') ||
        snapshot.matches({ loggedIn: 'idle' }) ||
        snapshot.matches({ loggedIn: 'activeReady' }) ||
        snapshot.matches({ loggedIn: 'passiveReady' }),
    );
  };

  it('reaches every state of the machine', () => {
    const reached = new Set([...paths, ...pyPaths].flatMap((p) => statePathsOf(p.state.value)));
    expect([...reached].sort()).toEqual(allStatePaths(ftpServerMachine).sort());
  });

  const run = cachedReplay(ftpServerMachine, input, invariants);
  const pyRun = cachedReplay(ftpServerMachine, pyInput, invariants);

  it.each(paths.map((p) => [describePath(p), p] as const))('path %s', (_name, path) => {
    expect(run(path).snapshot.value).toEqual(path.state.value);
  });

  it.each(pyPaths.map((p) => [describePath(p), p] as const))('pyftpdlib: path %s', (_n, path) => {
    expect(pyRun(path).snapshot.value).toEqual(path.state.value);
  });

  it('takes every transition of the machine', () => {
    const taken = new Set([
      ...paths.flatMap((path) => [...run(path).taken]),
      ...pyPaths.flatMap((path) => [...pyRun(path).taken]),
    ]);
    expect(allTransitionNames(ftpServerMachine).filter((t) => !taken.has(t))).toEqual([]);
  });
});
