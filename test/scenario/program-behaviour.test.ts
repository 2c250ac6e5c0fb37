import { describe, expect, it } from 'vitest';
import { networkPreset, defaultScenario, withReject } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import type { ClientProgram, DataMode, Scenario, ServerProgram } from '../../src/scenario/types';

/**
 * The programs as the lab saw them (test/lab; `npm run lab -- --server ... --client ...`), one
 * behaviour per test, each against the network where it shows.
 */
function play(
  preset: string,
  mode: DataMode,
  programs: { client?: ClientProgram; server?: ServerProgram },
  change: (s: Scenario) => Scenario = (s) => s,
) {
  const base = networkPreset(preset)!.apply({ ...defaultScenario(), mode, commands: ['LIST'] });
  const scenario = change({
    ...base,
    client: { ...base.client, ...(programs.client ? { program: programs.client } : {}) },
    server: { ...base.server, ...(programs.server ? { program: programs.server } : {}) },
  });
  return simulate(scenario);
}

const serverLines = (result: ReturnType<typeof simulate>) =>
  result.trace.flatMap((e) => (e.type === 'control' && e.from === 'server' ? [e.text] : []));

describe('pyftpdlib 1.5.7', () => {
  it('connects on PORT, from an ephemeral port, and only then answers 200; the transfer gets 125', () => {
    const result = play('no-firewall', 'active', { server: 'pyftpdlib' });
    expect(result.outcome.result).toBe('success');
    const lines = serverLines(result);
    expect(lines[0]).toBe('220 pyftpdlib 1.5.7 ready.');
    expect(lines).toContain('200 Active data connection established.');
    expect(lines).toContain('125 Data connection already open. Transfer starting.');
    expect(lines).toContain('226 Transfer complete.');
    const from = Number(result.outcome.dataConnections[0]!.from.split(':')[1]);
    expect(from).toBeGreaterThanOrEqual(32768);
  });

  it('is not helped by "allow inbound from source port 20", which lets vsftpd in', () => {
    expect(play('client-stateless-port-20', 'active', {}).outcome.result).toBe('success');
    const py = play('client-stateless-port-20', 'active', { server: 'pyftpdlib' });
    expect(py.outcome.result).toBe('failure');
    expect(py.outcome.dataConnections[0]!.decidedBy?.node).toBe('client-router');
  });

  it('refuses a PORT naming the private address behind NAT with 501 and the address', () => {
    const result = play('client-nat', 'active', { server: 'pyftpdlib' });
    expect(result.outcome.failureKind).toBe('reply');
    expect(serverLines(result).find((l) => l.startsWith('501'))).toMatch(
      /^501 Rejected data connection to foreign address 192\.168\.1\.10:\d+\.$/,
    );
    expect(result.outcome.explanation).toMatch(/501 Rejected data connection/);
  });

  it('answers a refused connect at once with 425 at PORT, and a dropped one after 30 s with 421', () => {
    const rejected = play('client-stateful-reject', 'active', { server: 'pyftpdlib' });
    expect(serverLines(rejected)).toContain("425 Can't connect to specified address.");
    const dropped = play('client-stateful', 'active', { server: 'pyftpdlib' });
    expect(serverLines(dropped)).toContain('421 Active data channel timed out.');
    expect(dropped.outcome.elapsedMs).toBeGreaterThan(30_000);
    expect(dropped.outcome.elapsedMs).toBeLessThan(31_000);
  });
});

describe('client programs', () => {
  it('the textbook client trusts the private address in 227; curl, ftplib and lftp get through', () => {
    expect(play('server-nat-private', 'passive', {}).outcome.result).toBe('failure');
    for (const client of ['curl', 'ftplib', 'lftp'] as const)
      expect(play('server-nat-private', 'passive', { client }).outcome.result, client).toBe(
        'success',
      );
  });

  it('curl falls back from EPSV to PASV when the EPSV data connection is refused', () => {
    const result = play('server-only-21-reject', 'epsv', { client: 'curl' });
    expect(result.outcome.fallbacks).toEqual(['EPSV→PASV']);
    expect(result.outcome.commandsSent.filter((c) => /^(EPSV|PASV)/.test(c))).toEqual([
      'EPSV',
      'PASV',
    ]);
    expect(result.outcome.dataConnections.map((c) => c.mode)).toEqual(['epsv', 'passive']);
    expect(result.outcome.clientError).toBe('refused');
    expect(result.outcome.explanation).toMatch(/^curl 7\.88 fell back from EPSV to PASV\./);
  });

  it('curl falls back from EPRT to PORT on a refusal, sends PORT once more, and runs no further URL', () => {
    const result = play('client-nat', 'eprt', { client: 'curl' });
    // The lab: EPRT, PORT, PORT, each "500 Illegal ... command.", and nothing for the second URL.
    expect(result.outcome.commandsSent.filter((c) => /^(EPRT|PORT)/.test(c))).toHaveLength(3);
    // The second PORT is a retry, not a fallback: the lab's summary lists EPRT→PORT alone.
    expect(result.outcome.fallbacks).toEqual(['EPRT→PORT']);
    expect(result.outcome.explanation).toMatch(
      /^curl 7\.88 fell back from EPRT to PORT\. curl 7\.88 sent PORT again after the refusal\./,
    );
  });

  it('curl goes on to its next command after a failed one', () => {
    const base = networkPreset('client-stateful-reject')!.apply({
      ...defaultScenario(),
      mode: 'active',
    });
    const result = simulate({ ...base, client: { ...base.client, program: 'curl' } });
    expect(result.outcome.failedAt).toBe('LIST');
    expect(result.outcome.commandsSent).toContain('RETR notes.txt');
  });

  it('lftp switches to passive mode after "500 Illegal PORT command." and gets its listing', () => {
    const result = play('client-nat', 'active', { client: 'lftp' });
    expect(result.outcome.result).toBe('success');
    expect(result.outcome.fallbacks).toEqual(['PORT→PASV']);
    expect(result.outcome.explanation).toMatch(
      /lftp 4\.9 fell back to passive mode \(PASV\) after "500 Illegal PORT command\."/,
    );
  });

  it('ftplib uses PORT when EPRT is asked for (EPRT is for IPv6 in ftplib)', () => {
    const result = play('no-firewall', 'eprt', { client: 'ftplib' });
    expect(result.outcome.commandsSent.some((c) => c.startsWith('PORT '))).toBe(true);
    expect(result.outcome.dataConnections[0]!.mode).toBe('active');
  });

  it('names the errno of a connect the client gave up on: refused, no-route, timeout', () => {
    expect(play('server-only-21-reject', 'passive', {}).outcome.clientError).toBe('refused');
    const prohibited = play('server-only-21', 'passive', {}, (s) => ({
      ...s,
      serverSide: {
        ...withReject(s.serverSide),
        firewall: {
          ...withReject(s.serverSide).firewall!,
          rules: withReject(s.serverSide).firewall!.rules.map((r) =>
            r.action === 'REJECT' ? { ...r, rejectWith: 'icmp-admin-prohibited' as const } : r,
          ),
        },
      },
    }));
    expect(prohibited.outcome.clientError).toBe('no-route');
    expect(play('server-only-21', 'passive', {}).outcome.clientError).toBe('timeout');
    // A 425 is the server's reply, not the client's own error.
    expect(play('client-stateful-reject', 'active', {}).outcome.clientError).toBeNull();
  });
});

describe('what ends a server data connection that gets no answer', () => {
  const dropped = (server: ServerProgram, synRetries?: number) => {
    const base = networkPreset('client-stateful')!.apply({
      ...defaultScenario(),
      mode: 'active',
      commands: ['LIST'],
    });
    const scenario = { ...base, server: { ...base.server, program: server } };
    return simulate(scenario, synRetries ? { tcpProfile: { kind: 'linux', synRetries } } : {})
      .outcome.explanation;
  };

  it('is the server’s own connect timeout with the kernel’s default SYN retries', () => {
    expect(dropped('vsftpd')).toContain('after 60 s (its connect timeout) gave up and answered');
    expect(dropped('pyftpdlib')).toContain('after 30 s (its connect timeout) gave up');
  });

  it('is the kernel when it gives up on the SYNs first, as in the lab (tcp_syn_retries=1: a 425 after about 3 s)', () => {
    const said = dropped('vsftpd', 1);
    expect(said).toMatch(
      /after 3\.\d s, when its kernel gave up on the SYNs \(before the server's own 60 s timeout\), it answered "425/,
    );
    expect(said).not.toContain('(its connect timeout)');
  });
});

describe('lftp with its defaults on a network where every try fails', () => {
  it('is still retrying when the simulation stops, and the outcome says so with the failure that keeps coming', () => {
    const base = networkPreset('server-only-21')!.apply({
      ...defaultScenario(),
      mode: 'passive',
      commands: ['LIST'],
    });
    const result = simulate({ ...base, client: { ...base.client, program: 'lftp' } });
    expect(result.outcome).toMatchObject({
      result: 'failure',
      failedAt: 'LIST',
      failureKind: 'data-connect',
    });
    expect(result.outcome.explanation).toMatch(
      /^lftp 4\.9 was still trying LIST when the simulation stopped after \d+ s: all \d+ tries had failed/,
    );
    expect(result.outcome.explanation).toContain('net:max-retries 1000');
    expect(result.outcome.explanation).toContain('was dropped by the server firewall');
    expect(result.outcome.explanation).not.toContain('did not finish');
  });
});

describe('the outcome quotes what the real client prints (the lab recordings, client-reports.ts)', () => {
  it('for each program, after a reset; the textbook client, which no one runs, prints nothing', () => {
    const printed = (client: ClientProgram) =>
      play('server-only-21-reject', 'passive', { client }).outcome;
    expect(printed('ftplib').clientMessage).toBe('[Errno 111] Connection refused');
    expect(printed('ftplib').explanation).toMatch(
      /Python's ftplib \(3\.11\) prints: \[Errno 111\] Connection refused$/,
    );
    expect(printed('curl').clientMessage).toMatch(
      /^curl: \(7\) Failed to connect to 198\.51\.100\.20 port 21 after \d+ ms: Couldn't connect to server$/,
    );
    expect(printed('rfc959').clientMessage).toBeNull();
    expect(printed('rfc959').explanation).not.toContain('prints:');
    expect(play('no-firewall', 'passive', { client: 'curl' }).outcome.clientMessage).toBeNull();
    // lftp with its defaults is still trying when the simulation stops: nothing printed yet.
    expect(printed('lftp').explanation).toMatch(/^lftp 4\.9 was still trying LIST/);
    expect(printed('lftp').clientMessage).toBeNull();
  });
});
