import { describe, expect, it } from 'vitest';
import {
  buildScenario,
  defaultOptions,
  helpText,
  parseArgs,
  SWITCH_FLAGS,
  VALUE_FLAGS,
  type CliOptions,
} from '../../src/cli/args';
import { defaultScenario, firewallPresetIds } from '../../src/scenario/presets';

function options(argv: string[]): CliOptions {
  const parsed = parseArgs(argv);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.options;
}

function error(argv: string[]): string {
  const parsed = parseArgs(argv);
  if (parsed.ok) throw new Error(`expected an error for ${argv.join(' ')}`);
  return parsed.error;
}

function scenarioFor(argv: string[], base = defaultScenario()) {
  const built = buildScenario(options(argv), base);
  if (!built.ok) throw new Error(built.error);
  return built.value;
}

describe('parseArgs', () => {
  it('gives the defaults for no arguments', () => {
    expect(options([])).toEqual(defaultOptions());
  });

  it('reads every value flag, separated or with =', () => {
    const argv = {
      '--mode': ['epsv', { mode: 'epsv' }],
      '--type': ['binary', { type: 'binary' }],
      '--commands': [' list ; RETR notes.txt ;', { commands: ['LIST', 'RETR notes.txt'] }],
      '--client-fw': ['stateful-helper', { clientFw: 'stateful-helper' }],
      '--server-fw': ['only-21-passive-range', { serverFw: 'only-21-passive-range' }],
      '--server-advertise': ['public', { advertise: 'public' }],
      '--pasv-address': ['ignore', { pasvAddress: 'ignore' }],
      '--preset': ['both-stateful', { preset: 'both-stateful' }],
      '--scenario': ['some file.json', { scenarioFile: 'some file.json' }],
      '--server': ['pyftpdlib', { server: 'pyftpdlib' }],
      '--client': ['lftp', { client: 'lftp' }],
      '--tcp': ['rfc6298', { tcp: 'rfc6298' }],
      '--active-source-port': ['ephemeral', { activeSourcePort: 'ephemeral' }],
      '--reject-with': ['icmp-admin-prohibited', { rejectWith: 'icmp-admin-prohibited' }],
      '--server-nat-forward': ['21', { serverNatForward: '21' }],
      '--server-timeout': ['10', { serverTimeoutS: 10 }],
    } as const;
    expect(Object.keys(argv).sort()).toEqual(VALUE_FLAGS.map((f) => f.name).sort());
    for (const [flag, [value, expected]] of Object.entries(argv)) {
      expect(options([flag, value])).toMatchObject(expected);
      expect(options([`${flag}=${value}`])).toMatchObject(expected);
    }
  });

  it('reads every switch', () => {
    const all = options([
      '--client-nat',
      '--server-nat',
      '--reject',
      '--client-helper',
      '--server-helper',
      '--json',
      '--trace',
      '--verbose',
      '--list-presets',
      '--help',
    ]);
    expect(SWITCH_FLAGS).toHaveLength(10);
    expect(all).toMatchObject({
      clientNat: true,
      serverNat: true,
      reject: true,
      clientHelper: true,
      serverHelper: true,
      json: true,
      trace: true,
      verbose: true,
      listPresets: true,
      help: true,
    });
    expect(options(['-h']).help).toBe(true);
  });

  it('lets a later repeat of a flag win', () => {
    expect(options(['--mode', 'active', '--mode=passive']).mode).toBe('passive');
  });

  it('names an unknown flag, suggests the near one and lists the allowed ones', () => {
    const message = error(['--moed', 'passive']);
    expect(message).toMatch(/^unknown flag "--moed" \(did you mean --mode\?\); allowed: --mode, /);
    expect(message).toContain('--list-presets');
    expect(error(['--frobnicate'])).toMatch(/^unknown flag "--frobnicate"; allowed: /);
  });

  it('names an unknown preset and lists the allowed ids', () => {
    expect(error(['--client-fw', 'statefull'])).toBe(
      `--client-fw: unknown preset "statefull"; allowed: ${firewallPresetIds('client').join(', ')}`,
    );
    expect(error(['--server-fw=bogus'])).toMatch(
      /^--server-fw: unknown preset "bogus"; allowed: none, only-21, /,
    );
    expect(error(['--preset', 'nope'])).toMatch(
      /^--preset: unknown network preset "nope"; allowed: no-firewall, client-stateful, /,
    );
  });

  it('rejects values outside a flag’s list', () => {
    expect(error(['--mode', 'pasv'])).toBe(
      '--mode: unknown value "pasv"; allowed: active, passive, eprt, epsv',
    );
    expect(error(['--type=ebcdic'])).toMatch(
      /^--type: unknown value "ebcdic"; allowed: ascii, binary$/,
    );
    expect(error(['--server-advertise', 'both'])).toMatch(/allowed: private, public$/);
    expect(error(['--pasv-address', 'maybe'])).toMatch(/allowed: trust, ignore$/);
  });

  it('reports a missing value, at the end, before another flag, or after =', () => {
    expect(error(['--mode'])).toBe(
      '--mode: missing value <mode>; allowed: active, passive, eprt, epsv',
    );
    expect(error(['--client-fw', '--json'])).toMatch(
      /^--client-fw: missing value <preset>; allowed: none, /,
    );
    expect(error(['--scenario='])).toBe('--scenario: missing value <file.json>');
  });

  it('checks commands with the scenario validator', () => {
    expect(error(['--commands', 'LIST;DELE notes.txt'])).toMatch(
      /^--commands: commands\[1\]: expected LIST, NLST, RETR <file>/,
    );
    expect(error(['--commands', ' ; '])).toMatch(
      /^--commands: commands: expected a list of 1 to 20/,
    );
  });

  it('refuses a value on a switch, a stray argument, and --trace without --json', () => {
    expect(error(['--json=yes'])).toBe('--json: takes no value, got "yes"');
    expect(error(['passive'])).toMatch(/^unexpected argument "passive"/);
    expect(error(['--trace'])).toMatch(/^--trace: only together with --json/);
  });
});

describe('buildScenario', () => {
  it('is the default scenario without flags', () => {
    expect(scenarioFor([])).toEqual(defaultScenario());
  });

  it('names the programs and the TCP stack (issue 13)', () => {
    const scenario = scenarioFor(['--server', 'pyftpdlib', '--client', 'curl', '--tcp', 'rfc6298']);
    expect(scenario.server.program).toBe('pyftpdlib');
    expect(scenario.client.program).toBe('curl');
    expect(scenario.tcp).toBe('rfc6298');
    // The defaults are left out, as a scenario file without them.
    expect(scenarioFor(['--server', 'vsftpd', '--tcp', 'linux'])).toEqual(defaultScenario());
  });

  it('--reject-with turns every DROP rule into REJECT with that answer', () => {
    const scenario = scenarioFor(['--preset', 'server-only-21', '--reject-with', 'tcp-reset']);
    const rules = scenario.serverSide.firewall!.rules;
    expect(rules.some((r) => r.action === 'DROP')).toBe(false);
    expect(rules.filter((r) => r.action === 'REJECT').map((r) => r.rejectWith)).toEqual([
      'tcp-reset',
    ]);
  });

  it('sets the helpers, the forwarded ports and the active source port on their own', () => {
    const scenario = scenarioFor([
      '--client-helper',
      '--server-helper',
      '--server-nat',
      '--server-nat-forward',
      '21',
      '--active-source-port',
      'ephemeral',
    ]);
    expect(scenario.clientSide).toMatchObject({ firewall: null, ftpHelper: true });
    expect(scenario.serverSide).toMatchObject({ nat: true, ftpHelper: true, natForward: '21' });
    expect(scenario.server.activeSourcePort).toBe(0);
  });

  it('has the client preset stateful-sport20: stateful, plus "tcp sport 20 accept"', () => {
    const rules = scenarioFor(['--client-fw', 'stateful-sport20']).clientSide.firewall!.rules;
    expect(rules.find((r) => r.srcPort?.from === 20)).toMatchObject({ action: 'ACCEPT' });
  });

  it('builds a side from a firewall preset; --client-nat keeps that firewall', () => {
    const scenario = scenarioFor(['--client-fw', 'stateful-helper', '--client-nat']);
    expect(scenario.clientSide.firewall?.stateful).toBe(true);
    expect(scenario.clientSide).toMatchObject({ nat: true, ftpHelper: true });
    expect(scenario.serverSide).toEqual(defaultScenario().serverSide);
  });

  it('opens the configured passive range in only-21-passive-range', () => {
    const base = defaultScenario();
    base.server.passivePorts = { from: 50000, to: 50010 };
    const scenario = scenarioFor(['--server-fw', 'only-21-passive-range', '--server-nat'], base);
    expect(scenario.serverSide.nat).toBe(true);
    expect(scenario.serverSide.firewall?.rules.map((r) => r.dstPort)).toContainEqual({
      from: 50000,
      to: 50010,
    });
  });

  it('turns every DROP rule into REJECT on both sides with --reject', () => {
    const scenario = scenarioFor(['--client-fw', 'stateful', '--server-fw', 'only-21', '--reject']);
    for (const side of [scenario.clientSide, scenario.serverSide]) {
      const actions = side.firewall!.rules.map((r) => r.action);
      expect(actions).toContain('REJECT');
      expect(actions).not.toContain('DROP');
    }
  });

  it('applies a network preset, then lets single flags override it', () => {
    const preset = scenarioFor(['--preset', 'server-nat-public']);
    expect(preset.serverSide.nat).toBe(true);
    expect(preset.server.advertise).toBe('public');
    const overridden = scenarioFor([
      '--preset=server-nat-public',
      '--server-advertise',
      'private',
      '--client-fw',
      'stateful',
    ]);
    expect(overridden.server.advertise).toBe('private');
    expect(overridden.clientSide.firewall).not.toBeNull();
  });

  it('overrides the fields of a scenario file with the flags given', () => {
    const base = { ...defaultScenario(), mode: 'epsv' as const, type: 'binary' as const };
    const scenario = scenarioFor(
      ['--mode', 'eprt', '--commands', 'NLST', '--pasv-address', 'ignore'],
      base,
    );
    expect(scenario).toMatchObject({
      mode: 'eprt',
      type: 'binary',
      commands: ['NLST'],
      pasvAddress: 'ignore',
    });
  });
});

describe('a flag the scenario would not act on is refused, not dropped', () => {
  const refusal = (argv: string[], base = defaultScenario()) => {
    const built = buildScenario(options(argv), base);
    return built.ok ? null : built.error;
  };

  it("--pasv-address is the textbook client's: curl, ftplib and lftp have their own policy", () => {
    expect(refusal(['--client', 'curl', '--pasv-address', 'trust'])).toBe(
      '--pasv-address: curl 7.88 has its own policy for the 227 address (it never uses the address in 227, only the port); only --client rfc959 takes this flag',
    );
    expect(refusal(['--client', 'lftp', '--pasv-address', 'ignore'])).toMatch(
      /^--pasv-address: lftp 4\.9 has its own policy .*replaces a private address/,
    );
    // A scenario file that names the program counts as --client does.
    const curl = {
      ...defaultScenario(),
      client: { ...defaultScenario().client, program: 'curl' as const },
    };
    expect(refusal(['--pasv-address', 'ignore'], curl)).toMatch(/^--pasv-address: curl/);
    expect(refusal(['--client', 'rfc959', '--pasv-address', 'ignore'])).toBeNull();
  });

  it('--active-source-port 20 is vsftpd’s: pyftpdlib always connects from an ephemeral port', () => {
    expect(refusal(['--server', 'pyftpdlib', '--active-source-port', '20'])).toMatch(
      /^--active-source-port 20: pyftpdlib 1\.5 always connects from an ephemeral port/,
    );
    expect(refusal(['--server', 'pyftpdlib', '--active-source-port', 'ephemeral'])).toBeNull();
    expect(refusal(['--server', 'vsftpd', '--active-source-port', '20'])).toBeNull();
  });

  it('--server-nat-forward needs a server behind NAT, from the flags, a preset or the file', () => {
    expect(refusal(['--server-nat-forward', '21'])).toBe(
      '--server-nat-forward: only for a server behind NAT (add --server-nat, or use a preset or scenario file with one)',
    );
    expect(refusal(['--server-nat', '--server-nat-forward', '21'])).toBeNull();
    expect(refusal(['--preset', 'server-nat-public', '--server-nat-forward', '21'])).toBeNull();
  });
});

describe('--server-timeout', () => {
  it("sets both of the server's data-connection timeouts, which the run then keeps", async () => {
    const scenario = scenarioFor([
      '--preset',
      'client-stateful',
      '--mode',
      'active',
      '--server-timeout',
      '10',
    ]);
    expect(scenario.server.timeouts).toEqual({ connectS: 10, acceptS: 10 });
    const { simulate } = await import('../../src/scenario/simulate');
    const outcome = simulate(scenario).outcome;
    // vsftpd gives up on its dropped active connection after 10 s instead of 60.
    expect(outcome.elapsedMs).toBeGreaterThan(10_000);
    expect(outcome.elapsedMs).toBeLessThan(12_000);
    expect(outcome.explanation).toContain('after 10 s (its connect timeout)');
    expect(
      simulate(scenarioFor(['--preset', 'client-stateful', '--mode', 'active'])).outcome.elapsedMs,
    ).toBeGreaterThan(60_000);
  });

  it('refuses what is not whole seconds 1-3600', () => {
    for (const bad of ['0', '3601', '1.5', '-1', 'ten'])
      expect(error(['--server-timeout', bad])).toMatch(
        /^--server-timeout: unknown value .*; expected whole seconds 1-3600/,
      );
  });
});

describe('helpText', () => {
  it('documents every flag and the exit codes', () => {
    const help = helpText();
    for (const flag of [...VALUE_FLAGS, ...SWITCH_FLAGS]) expect(help).toContain(flag.name);
    expect(help).toMatch(/0 {2}the simulated FTP session succeeded/);
    expect(help).toMatch(/1 {2}the simulated FTP session failed/);
    expect(help).toMatch(/2 {2}bad input/);
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});
