import { CAPTURE_POINTS, type CapturePoint } from '../export/pcap';
import { wrapText } from '../export/transcript';
import { err, ok, type Result } from '../protocol/result';
import {
  firewallPreset,
  firewallPresetIds,
  NETWORK_PRESETS,
  networkPreset,
} from '../scenario/presets';
import {
  CLIENT_PROGRAMS,
  DATA_MODES,
  PROGRAM_LABELS,
  programsOf,
  SERVER_PROGRAMS,
  TCP_STACKS,
  type ClientProgram,
  type DataMode,
  type Scenario,
  type ServerProgram,
  type TransferType,
} from '../scenario/types';
import type { RejectWith } from '../network/firewall';
import type { TcpStackName } from '../machines/tcp-profile';
import { CLIENT_PROFILES } from '../machines/client-profiles';
import { previewValue } from '../scenario/preview';
import { validateScenario } from '../scenario/validate';
import { REJECT_KINDS, rejectEverywhere } from '../scenario/reject-with';
import { didYouMean, flagTokens } from '../node/flag-tokens';

/**
 * The `sim` command line: tokenized by node:util's parseArgs (node/flag-tokens.ts), read against
 * one table: every flag is listed once with its help text, so the parser, the error messages
 * ("did you mean") and `--help` cannot disagree.
 */

export interface CliOptions {
  mode?: DataMode;
  type?: TransferType;
  commands?: string[];
  clientFw?: string;
  serverFw?: string;
  clientNat: boolean;
  serverNat: boolean;
  advertise?: Scenario['server']['advertise'];
  pasvAddress?: Scenario['pasvAddress'];
  reject: boolean;
  rejectWith?: RejectWith;
  clientHelper: boolean;
  serverHelper: boolean;
  serverNatForward?: NonNullable<Scenario['serverSide']['natForward']>;
  /** --server-timeout: the server's connect and accept timeouts, in seconds. */
  serverTimeoutS?: number;
  server?: ServerProgram;
  client?: ClientProgram;
  tcp?: TcpStackName;
  activeSourcePort?: 'ephemeral' | '20';
  preset?: string;
  scenarioFile?: string;
  json: boolean;
  trace: boolean;
  verbose: boolean;
  listPresets: boolean;
  help: boolean;
  /** Where to write a pcap capture of the session. */
  pcapFile?: string;
  /** Which link the capture is taken on; without it, DEFAULT_CAPTURE. */
  capture?: CapturePoint;
  /** Print the ladder as sequence-diagram text instead of the transcript. */
  diagram?: (typeof DIAGRAM_FORMATS)[number];
}

const DIAGRAM_FORMATS = ['mermaid', 'plantuml'] as const;

export type ParseResult = { ok: true; options: CliOptions } | { ok: false; error: string };

interface ValueFlag {
  name: string;
  placeholder: string;
  help: string;
  /** The values accepted, when they form a fixed list. */
  allowed?: () => string[];
  /** Stores the value, or returns what is wrong with it. */
  set(options: CliOptions, value: string): string | null;
}

interface SwitchFlag {
  name: string;
  help: string;
  set(options: CliOptions): void;
}

const TYPES: TransferType[] = ['ascii', 'binary'];
const ADVERTISE: Scenario['server']['advertise'][] = ['private', 'public'];
const PASV_ADDRESS: Scenario['pasvAddress'][] = ['trust', 'ignore'];
const NAT_FORWARDS = ['21', '21+passive'] as const;
const SOURCE_PORTS = ['20', 'ephemeral'] as const;
const CAPTURES: CapturePoint[] = CAPTURE_POINTS.map((point) => point.id);
export const DEFAULT_CAPTURE: CapturePoint = 'client';
/** The largest --scenario file read; the largest valid scenario, pretty-printed, is about 110 KB. */
export const SCENARIO_FILE_LIMIT = 1024 * 1024;

function choice<T extends string>(allowed: readonly T[], store: (o: CliOptions, v: T) => void) {
  return (options: CliOptions, value: string): string | null => {
    if (!(allowed as readonly string[]).includes(value)) return unknownValue('value', value);
    store(options, value as T);
    return null;
  };
}

/** The "what is wrong" half of an error; the flag name and the allowed list are added around it. */
function unknownValue(what: string, value: string): string {
  return `unknown ${what} ${previewValue(value)}`;
}

export const VALUE_FLAGS: ValueFlag[] = [
  {
    name: '--mode',
    placeholder: '<mode>',
    help: 'active (PORT, default), passive (PASV), eprt or epsv',
    allowed: () => [...DATA_MODES],
    set: choice(DATA_MODES, (o, v) => (o.mode = v)),
  },
  {
    name: '--type',
    placeholder: '<type>',
    help: 'transfer type: ascii (default) or binary',
    allowed: () => TYPES,
    set: choice(TYPES, (o, v) => (o.type = v)),
  },
  {
    name: '--commands',
    placeholder: '"<c>;<c>"',
    help: 'FTP commands after login; default "LIST;RETR notes.txt"',
    set: (options, value) => {
      const commands = value
        .split(';')
        .map((c) => c.trim())
        .filter(Boolean);
      const checked = validateScenario({ commands });
      if (!checked.ok) return checked.error;
      options.commands = checked.value.commands;
      return null;
    },
  },
  {
    name: '--client-fw',
    placeholder: '<preset>',
    help: `client firewall: ${firewallPresetIds('client').join(', ')}`,
    allowed: () => firewallPresetIds('client'),
    set: (options, value) => {
      if (!firewallPreset('client', value)) return unknownValue('preset', value);
      options.clientFw = value;
      return null;
    },
  },
  {
    name: '--server-fw',
    placeholder: '<preset>',
    help: `server firewall: ${firewallPresetIds('server').join(', ')}`,
    allowed: () => firewallPresetIds('server'),
    set: (options, value) => {
      if (!firewallPreset('server', value)) return unknownValue('preset', value);
      options.serverFw = value;
      return null;
    },
  },
  {
    name: '--server-advertise',
    placeholder: '<addr>',
    help: 'address a NATed server puts in 227: private (default) or public',
    allowed: () => ADVERTISE,
    set: choice(ADVERTISE, (o, v) => (o.advertise = v)),
  },
  {
    name: '--pasv-address',
    placeholder: '<policy>',
    help: "the rfc959 client: use the 227 address (trust, default) or the server's (ignore); the other clients have their own policy",
    allowed: () => PASV_ADDRESS,
    set: choice(PASV_ADDRESS, (o, v) => (o.pasvAddress = v)),
  },
  {
    name: '--server',
    placeholder: '<program>',
    help: 'the server program: vsftpd (default; connects after the transfer command, from port 20) or pyftpdlib (connects on PORT, from an ephemeral port)',
    allowed: () => [...SERVER_PROGRAMS],
    set: choice(SERVER_PROGRAMS, (o, v) => (o.server = v)),
  },
  {
    name: '--client',
    placeholder: '<program>',
    help: 'the client program: rfc959 (default, the textbook client), curl, ftplib or lftp',
    allowed: () => [...CLIENT_PROGRAMS],
    set: choice(CLIENT_PROGRAMS, (o, v) => (o.client = v)),
  },
  {
    name: '--tcp',
    placeholder: '<stack>',
    help: "the hosts' TCP stack: linux (default, 11 SYNs over 134 s) or rfc6298 (7 SYNs, 127 s)",
    allowed: () => [...TCP_STACKS],
    set: choice(TCP_STACKS, (o, v) => (o.tcp = v)),
  },
  {
    name: '--active-source-port',
    placeholder: '<port>',
    help: "vsftpd: source port of the server's active data connections, 20 (default) or ephemeral; pyftpdlib always uses an ephemeral one",
    allowed: () => [...SOURCE_PORTS],
    set: choice(SOURCE_PORTS, (o, v) => (o.activeSourcePort = v)),
  },
  {
    name: '--reject-with',
    placeholder: '<kind>',
    help: "every DROP rule becomes REJECT answered with this, as nftables' reject with: tcp-reset, icmp-port-unreachable or icmp-admin-prohibited",
    allowed: () => [...REJECT_KINDS],
    set: choice(REJECT_KINDS, (o, v) => (o.rejectWith = v)),
  },
  {
    name: '--server-timeout',
    placeholder: '<seconds>',
    help: "how long the server waits for a data connection, its own (active) or the client's (passive): whole seconds 1-3600; default the program's, vsftpd 60, pyftpdlib 30",
    set: (options, value) => {
      const seconds = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
      if (!(seconds >= 1 && seconds <= 3600))
        return `${unknownValue('value', value)}; expected whole seconds 1-3600`;
      options.serverTimeoutS = seconds;
      return null;
    },
  },
  {
    name: '--server-nat-forward',
    placeholder: '<ports>',
    help: 'with --server-nat: the ports forwarded to the server, 21+passive (default) or 21 alone',
    allowed: () => [...NAT_FORWARDS],
    set: choice(NAT_FORWARDS, (o, v) => (o.serverNatForward = v)),
  },
  {
    name: '--preset',
    placeholder: '<id>',
    help: 'a whole-network preset (both sides); see --list-presets',
    allowed: () => NETWORK_PRESETS.map((p) => p.id),
    set: (options, value) => {
      if (!networkPreset(value)) return unknownValue('network preset', value);
      options.preset = value;
      return null;
    },
  },
  {
    name: '--scenario',
    placeholder: '<file.json>',
    help: `read a scenario file (a regular file of at most ${SCENARIO_FILE_LIMIT / 1024 / 1024} MiB); the other flags override its fields`,
    set: (options, value) => {
      options.scenarioFile = value;
      return null;
    },
  },
];

/** Value flags that change what is written, not what is simulated. */
export const CAPTURE_FLAGS: ValueFlag[] = [
  {
    name: '--pcap',
    placeholder: '<file>',
    help: 'also write the packets to <file> as a libpcap capture (Wireshark, tshark, tcpdump -r)',
    set: (options, value) => {
      options.pcapFile = value;
      return null;
    },
  },
  {
    name: '--capture',
    placeholder: '<link>',
    help: `with --pcap: the link to capture on: ${CAPTURE_POINTS.map(
      (point) => `${point.id} (${point.id === DEFAULT_CAPTURE ? 'default, ' : ''}${point.title})`,
    ).join(', ')}`,
    allowed: () => CAPTURES,
    set: choice(CAPTURES, (o, v) => (o.capture = v)),
  },
  {
    name: '--diagram',
    placeholder: '<format>',
    help: 'print the ladder as Mermaid (sequenceDiagram) or PlantUML (@startuml) text instead of the transcript',
    allowed: () => [...DIAGRAM_FORMATS],
    set: choice(DIAGRAM_FORMATS, (o, v) => (o.diagram = v)),
  },
];

export const SWITCH_FLAGS: SwitchFlag[] = [
  {
    name: '--client-nat',
    help: 'client behind NAT (masquerade); keeps the client firewall',
    set: (o) => (o.clientNat = true),
  },
  {
    name: '--server-nat',
    help: 'server behind NAT: port 21 and the passive range forwarded',
    set: (o) => (o.serverNat = true),
  },
  {
    name: '--reject',
    help: 'every DROP rule becomes REJECT (answered with ICMP port unreachable)',
    set: (o) => (o.reject = true),
  },
  {
    name: '--client-helper',
    help: "the FTP conntrack helper on the client's router, whether or not it filters",
    set: (o) => (o.clientHelper = true),
  },
  {
    name: '--server-helper',
    help: "the FTP conntrack helper on the server's router, whether or not it filters",
    set: (o) => (o.serverHelper = true),
  },
  {
    name: '--json',
    help: 'print a JSON summary instead of the transcript',
    set: (o) => (o.json = true),
  },
  { name: '--trace', help: 'with --json: include the full trace', set: (o) => (o.trace = true) },
  {
    name: '--verbose',
    help: 'transcript with every event: hops, verdicts, conntrack, state transitions',
    set: (o) => (o.verbose = true),
  },
  {
    name: '--list-presets',
    help: 'list the firewall and network presets',
    set: (o) => (o.listPresets = true),
  },
  { name: '--help', help: 'show this help', set: (o) => (o.help = true) },
];

const ALL_VALUE_FLAGS = [...VALUE_FLAGS, ...CAPTURE_FLAGS];
const ALL_FLAGS = [...VALUE_FLAGS, ...SWITCH_FLAGS, ...CAPTURE_FLAGS].map((f) => f.name);

function unknownFlag(flag: string): string {
  return `unknown flag ${previewValue(flag)}${didYouMean(flag, ALL_FLAGS)}; allowed: ${ALL_FLAGS.join(', ')}`;
}

function withAllowed(flag: ValueFlag, message: string): string {
  return flag.allowed ? `${message}; allowed: ${flag.allowed().join(', ')}` : message;
}

export function defaultOptions(): CliOptions {
  return {
    clientNat: false,
    serverNat: false,
    reject: false,
    clientHelper: false,
    serverHelper: false,
    json: false,
    trace: false,
    verbose: false,
    listPresets: false,
    help: false,
  };
}

/** Parses `sim`'s arguments (without node and the script). A later repeat of a flag wins. */
export function parseArgs(argv: readonly string[]): ParseResult {
  const options = defaultOptions();
  const tokens = flagTokens(
    argv,
    ALL_VALUE_FLAGS.map((f) => f.name),
    SWITCH_FLAGS.map((f) => f.name),
    { h: '--help' },
  );
  for (const token of tokens) {
    if (token.kind !== 'flag') {
      const shown = token.kind === 'terminator' ? '--' : token.value;
      return {
        ok: false,
        error: `unexpected argument ${previewValue(shown)}; every option is a flag such as --mode passive (see --help)`,
      };
    }
    const { name, value } = token;
    const switchFlag = SWITCH_FLAGS.find((f) => f.name === name);
    if (switchFlag) {
      if (value !== undefined)
        return { ok: false, error: `${name}: takes no value, got ${previewValue(value)}` };
      switchFlag.set(options);
      continue;
    }
    const valueFlag = ALL_VALUE_FLAGS.find((f) => f.name === name);
    if (!valueFlag) return { ok: false, error: unknownFlag(name) };
    if (value === undefined || value === '') {
      return {
        ok: false,
        error: withAllowed(valueFlag, `${name}: missing value ${valueFlag.placeholder}`),
      };
    }
    const problem = valueFlag.set(options, value);
    if (problem) return { ok: false, error: withAllowed(valueFlag, `${name}: ${problem}`) };
  }
  if (options.trace && !options.json) {
    return {
      ok: false,
      error: '--trace: only together with --json (for every event in the transcript use --verbose)',
    };
  }
  if (options.diagram && (options.json || options.verbose)) {
    return {
      ok: false,
      error: `--diagram: not together with ${options.json ? '--json' : '--verbose'}`,
    };
  }
  if (options.capture && !options.pcapFile) {
    return { ok: false, error: '--capture: only together with --pcap <file>' };
  }
  return { ok: true, options };
}

/**
 * The scenario the flags describe, on top of `base` (a scenario file, or the default):
 * network preset first, then the per-side firewall presets, NAT, the scalar settings, and last
 * --reject, which turns every DROP rule of both sides into REJECT.
 */
export function buildScenario(options: CliOptions, base: Scenario): Result<Scenario> {
  let scenario: Scenario = { ...base, server: { ...base.server } };
  if (options.preset) scenario = networkPreset(options.preset)!.apply(scenario);
  const ports = scenario.server.passivePorts;
  if (options.clientFw) {
    const built = firewallPreset('client', options.clientFw)!.build(ports);
    scenario.clientSide = { ...built, nat: scenario.clientSide.nat };
  }
  if (options.serverFw) {
    const built = firewallPreset('server', options.serverFw)!.build(ports);
    scenario.serverSide = { ...built, nat: scenario.serverSide.nat };
  }
  if (options.clientNat) scenario.clientSide = { ...scenario.clientSide, nat: true };
  if (options.serverNat) scenario.serverSide = { ...scenario.serverSide, nat: true };
  if (options.mode) scenario.mode = options.mode;
  if (options.type) scenario.type = options.type;
  if (options.commands) scenario.commands = [...options.commands];
  if (options.pasvAddress) scenario.pasvAddress = options.pasvAddress;
  if (options.advertise) scenario.server = { ...scenario.server, advertise: options.advertise };
  if (options.clientHelper) scenario.clientSide = { ...scenario.clientSide, ftpHelper: true };
  if (options.serverHelper) scenario.serverSide = { ...scenario.serverSide, ftpHelper: true };
  if (options.serverNatForward)
    scenario.serverSide = { ...scenario.serverSide, natForward: options.serverNatForward };
  if (options.server) scenario.server = { ...scenario.server, program: options.server };
  if (options.serverTimeoutS) {
    const seconds = options.serverTimeoutS;
    scenario.server = { ...scenario.server, timeouts: { connectS: seconds, acceptS: seconds } };
  }
  if (options.client) scenario.client = { ...scenario.client, program: options.client };
  if (options.tcp) scenario.tcp = options.tcp;
  if (options.activeSourcePort) {
    const port = options.activeSourcePort === 'ephemeral' ? 0 : 20;
    scenario.server = { ...scenario.server, activeSourcePort: port };
  }
  if (options.reject || options.rejectWith)
    scenario = rejectEverywhere(scenario, options.rejectWith);
  const ignored = ignoredFlag(options, scenario);
  if (ignored) return err(ignored);
  const checked = validateScenario(scenario);
  return checked.ok ? ok(checked.value) : err(`the combined scenario is invalid: ${checked.error}`);
}

const PASV_POLICY = {
  scenario: 'the scenario chooses',
  ignore: 'it never uses the address in 227, only the port',
  'fix-private': "it replaces a private address in 227 with the control connection's",
} as const;

/**
 * A flag the combined scenario would not act on: said, not silently dropped. The 227 address is
 * the real clients' own policy, pyftpdlib always connects from an ephemeral port, and the
 * forwarded ports belong to a server router that does NAT.
 */
function ignoredFlag(options: CliOptions, scenario: Scenario): string | null {
  const { client, server } = programsOf(scenario);
  if (options.pasvAddress && client !== 'rfc959') {
    const policy = PASV_POLICY[CLIENT_PROFILES[client].pasvAddress];
    return `--pasv-address: ${PROGRAM_LABELS[client]} has its own policy for the 227 address (${policy}); only --client rfc959 takes this flag`;
  }
  if (options.activeSourcePort === '20' && server === 'pyftpdlib')
    return `--active-source-port 20: ${PROGRAM_LABELS.pyftpdlib} always connects from an ephemeral port (it binds port 0); only --server vsftpd takes this flag`;
  if (options.serverNatForward && !scenario.serverSide.nat)
    return '--server-nat-forward: only for a server behind NAT (add --server-nat, or use a preset or scenario file with one)';
  return null;
}

const HELP_COLUMNS = 100;

export function helpText(): string {
  const indent = ' '.repeat(32);
  const row = (left: string, help: string) =>
    wrapText(help, HELP_COLUMNS - indent.length)
      .map((line, i) => (i === 0 ? `  ${left.padEnd(30)}${line}` : `${indent}${line}`))
      .join('\n');
  return [
    'Usage: npm run sim -- [flags]',
    '',
    'Simulates one FTP session (connect, log in, run the commands, QUIT) through the network the',
    'flags describe, and prints a ladder transcript of every packet that matters, or JSON.',
    '',
    'Scenario:',
    ...VALUE_FLAGS.map((f) => row(`${f.name} ${f.placeholder}`, f.help)),
    ...SWITCH_FLAGS.slice(0, 5).map((f) => row(f.name, f.help)),
    '',
    'Output:',
    ...SWITCH_FLAGS.slice(5, 8).map((f) => row(f.name, f.help)),
    ...CAPTURE_FLAGS.map((f) => row(`${f.name} ${f.placeholder}`, f.help)),
    ...SWITCH_FLAGS.slice(8).map((f) => row(f.name, f.help)),
    '',
    'Every value flag also accepts --flag=value.',
    '',
    'Exit codes:',
    '  0  the simulated FTP session succeeded (also after --help and --list-presets)',
    '  1  the simulated FTP session failed; the transcript says where and why',
    '  2  bad input: unknown flag or preset, missing value, unreadable or invalid scenario file',
    `     (also a device, a FIFO or a file over ${SCENARIO_FILE_LIMIT / 1024 / 1024} MiB), a --pcap file that cannot be written`,
    '  3  internal error',
    '',
    'Examples:',
    '  npm run sim -- --mode active --client-fw stateful',
    '  npm run sim -- --mode passive --server-fw only-21 --reject',
    '  npm run sim -- --preset server-nat-private --mode passive --json',
    '  npm run sim -- --preset client-nat --mode active --client lftp',
    '  npm run sim -- --client-fw stateful-sport20 --mode active --server pyftpdlib',
    '  npm run sim -- --scenario my.json --mode epsv --verbose',
    '  npm run sim -- --mode active --client-fw stateful --pcap /tmp/ftp.pcap --capture client-wan',
    '',
  ].join('\n');
}
