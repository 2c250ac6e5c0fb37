import { formatHostPort, type HostPort } from '../protocol/ftp-address';

/**
 * What a real FTP server program does where RFC 959 leaves it a choice (issue 13). The server
 * machine (ftp-server.ts) reads one of these from its settings; the chart is the same for every
 * program. Each line here was seen in the lab (test/lab) or read in the program's source:
 *
 * - `vsftpd` 3.0.3 with Debian's defaults (connect_from_port_20=YES, port_promiscuous=NO): it
 *   accepts a PORT at once and connects only after the transfer command, from port 20, answering
 *   "425 Failed to establish connection." when that fails; a PORT naming another host than the
 *   control connection's is "500 Illegal PORT command.". Its wording is the simulation's own and
 *   needs no table.
 * - `pyftpdlib` 1.5.7: it connects as soon as PORT arrives, from an ephemeral port (it binds
 *   (address, 0)), and only then answers: "200 Active data connection established.", or "425
 *   Can't connect to specified address." when the connect fails, or after 30 s of silence "421
 *   Active data channel timed out."; a foreign PORT is "501 Rejected data connection to foreign
 *   address <ip>:<port>.". The data connection is open before the transfer command, so the
 *   preliminary reply is 125.
 */

export type ServerProgramName = 'vsftpd' | 'pyftpdlib';

export interface ServerProfile {
  name: ServerProgramName;
  /** The 220 text, or null for the settings' greeting. */
  greeting: string | null;
  /** When an active data connection is opened: after the transfer command, or on PORT/EPRT. */
  activeConnect: 'at-transfer' | 'at-port';
  /** Its source port: the settings' `activeSourcePort` (0: ephemeral), or always ephemeral. */
  activeSource: 'configured' | 'ephemeral';
  /** How long a connect started on PORT may take before the 421 (pyftpdlib ActiveDTP.timeout). */
  portConnectTimeoutMs: number;
  /** Timeouts that replace the settings' (connect, accept), or null to keep them. */
  timeouts: { connectMs: number; acceptMs: number } | null;
  /** Replies worded differently from vsftpd's, by vsftpd's text. */
  wording: Readonly<Record<string, readonly [number, string]>>;
  /** The reply to a PORT/EPRT that names another host or a privileged port. */
  refusePort(
    target: HostPort,
    why: 'foreign' | 'privileged',
    verb: 'PORT' | 'EPRT',
  ): [number, string];
  pasvText(target: HostPort): string | null;
  epsvText(port: number): string | null;
  /** FEAT's lines between the 211s (RFC 2389 §3.2), or null for the server machine's own. */
  features: readonly string[] | null;
  /** PWD's 257 text, or absent for vsftpd's ("/" is the current directory, no full stop). */
  pwdText?(cwd: string): string;
  /** The answer to OPTS, or absent/null for vsftpd's (200 to UTF8 ON, 501 to the rest). */
  opts?(arg: string, loggedIn: boolean): [number, string] | null;
  /** The answer to SIZE (size null: no such file), or absent/null for vsftpd's. */
  sizeReply?(type: 'A' | 'I', path: string, size: number | null): [number, string] | null;
}

export const VSFTPD: ServerProfile = {
  name: 'vsftpd',
  greeting: null,
  activeConnect: 'at-transfer',
  activeSource: 'configured',
  portConnectTimeoutMs: 0,
  timeouts: null,
  wording: {},
  refusePort: (_target, _why, verb) => [500, `Illegal ${verb} command.`],
  pasvText: () => null,
  epsvText: () => null,
  // vsftpd 3.0.3 as Debian ships it (utf8_filesystem off, so no UTF8), recorded by the lab
  // (test/capture/fixtures/lab-vsftpd-lftp-*.json). MDTM and REST STREAM are listed as vsftpd
  // lists them though the simulated server answers them 500/502: no simulated client sends them.
  features: [
    'Features:',
    ' EPRT',
    ' EPSV',
    ' MDTM',
    ' PASV',
    ' REST STREAM',
    ' SIZE',
    ' TVFS',
    'End',
  ],
};

/** The MLST facts pyftpdlib 1.5.7 offers on a Unix host, and those it sends unless told (*). */
const PY_MLST_FACTS = [
  'type',
  'perm',
  'size',
  'modify',
  'unique',
  'unix.mode',
  'unix.uid',
  'unix.gid',
] as const;
const PY_MLST_DEFAULT: readonly string[] = ['type', 'perm', 'size', 'modify', 'unique'];

/**
 * FTPHandler.ftp_OPTS (pyftpdlib 1.5.7): every command but USER, PASS, QUIT, FEAT... needs a login
 * first; then only MLST takes options, its argument must hold a ";", and the reply names the facts
 * it knows, in the order asked, each followed by ";" ("OPTS UTF8 ON" is "501 Invalid argument.").
 */
function pyftpdlibOpts(arg: string, loggedIn: boolean): [number, string] {
  if (!loggedIn) return [530, 'Log in with USER and PASS first.'];
  const spaces = arg.split(' ').length - 1;
  if (spaces > 1) return [501, 'Invalid number of arguments.'];
  const [cmd = '', facts = ''] = spaces === 1 ? arg.split(' ') : [arg, ''];
  if (spaces === 1 && !facts.includes(';')) return [501, 'Invalid argument.'];
  if (cmd.toUpperCase() !== 'MLST') return [501, `Unsupported command "${cmd}".`];
  const known = facts
    .split(';')
    .map((f) => f.toLowerCase())
    .filter((f) => (PY_MLST_FACTS as readonly string[]).includes(f));
  return [200, `MLST OPTS ${known.map((f) => `${f};`).join('')}`];
}

const PY_ALREADY_OPEN = [125, 'Data connection already open. Transfer starting.'] as const;

export const PYFTPDLIB: ServerProfile = {
  name: 'pyftpdlib',
  greeting: 'pyftpdlib 1.5.7 ready.',
  activeConnect: 'at-port',
  activeSource: 'ephemeral',
  portConnectTimeoutMs: 30_000,
  // PassiveDTP.timeout and ActiveDTP.timeout: 30 s each.
  timeouts: { connectMs: 30_000, acceptMs: 30_000 },
  wording: {
    'Please specify the password.': [331, 'Username ok, send password.'],
    'Switching to ASCII mode.': [200, 'Type set to: ASCII.'],
    'Switching to Binary mode.': [200, 'Type set to: Binary.'],
    'Here comes the directory listing.': PY_ALREADY_OPEN,
    'Ok to send data.': PY_ALREADY_OPEN,
    'Directory send OK.': [226, 'Transfer complete.'],
    'Failed to establish connection.': [425, "Can't connect to specified address."],
    'Please login with USER and PASS.': [530, 'Log in with USER and PASS first.'],
  },
  refusePort: (target, why) =>
    why === 'foreign'
      ? [501, `Rejected data connection to foreign address ${target.address}:${target.port}.`]
      : [501, `PORT against the privileged port "${target.port}" refused.`],
  pasvText: (target) => `Entering passive mode (${formatHostPort(target)}).`,
  epsvText: (port) => `Entering extended passive mode (|||${port}|).`,
  // Recorded by the lab (lab-pyftpdlib-lftp-*.json), as FTPHandler lists its commands.
  features: [
    'Features supported:',
    ' EPRT',
    ' EPSV',
    ' MDTM',
    ' MFMT',
    ` MLST ${PY_MLST_FACTS.map((f) => `${f}${PY_MLST_DEFAULT.includes(f) ? '*' : ''};`).join('')}`,
    ' REST STREAM',
    ' SIZE',
    ' TVFS',
    ' UTF8',
    'End FEAT.',
  ],
  pwdText: (cwd) => `"${cwd}" is the current directory.`,
  opts: pyftpdlibOpts,
  // FTPHandler.ftp_SIZE: SIZE in TYPE A would mean reading the whole file to count CRLFs.
  sizeReply: (type, path, size) =>
    type === 'A'
      ? [550, 'SIZE not allowed in ASCII mode.']
      : size === null
        ? [550, `${path} is not retrievable.`]
        : [213, String(size)],
};

export const SERVER_PROFILES: Record<ServerProgramName, ServerProfile> = {
  vsftpd: VSFTPD,
  pyftpdlib: PYFTPDLIB,
};

/** A RETR's 150 names the file ("Opening BINARY mode data connection for notes.txt (338 bytes)."). */
export function rewordReply(profile: ServerProfile, code: number, text: string): [number, string] {
  const exact = profile.wording[text];
  if (exact) return [exact[0], exact[1]];
  if (code === 150 && text.startsWith('Opening ') && profile.wording['Ok to send data.']) {
    const [c, t] = profile.wording['Ok to send data.']!;
    return [c, t];
  }
  return [code, text];
}
