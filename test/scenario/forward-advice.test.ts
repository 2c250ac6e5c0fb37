/**
 * A server behind NAT whose router forwards port 21 alone (issue 13's "only port 21 forwarded"):
 * the passive connection is addressed to the router itself, not stopped by a firewall rule, and
 * the advice names the forward. Each fix the advice offers is simulated here, so advice that does
 * not work fails this test.
 */
import { describe, expect, it } from 'vitest';
import { buildScenario, parseArgs } from '../../src/cli/args';
import { defaultScenario } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';

function run(...argv: string[]) {
  const parsed = parseArgs(['--server-nat', '--server-nat-forward', '21', ...argv]);
  if (!parsed.ok) throw new Error(parsed.error);
  const built = buildScenario(parsed.options, defaultScenario());
  if (!built.ok) throw new Error(built.error);
  return simulate(built.value).outcome;
}

describe('a server router that forwards only port 21', () => {
  it('names the missing forward, not a firewall rule, and each fix it offers works', () => {
    const outcome = run('--mode', 'epsv');
    expect(outcome.result).toBe('failure');
    expect(outcome.explanation).toContain(
      "The server's router forwards only port 21 to the server, so the client's connection to the passive port",
    );
    expect(outcome.explanation).not.toContain('no rule of this firewall');
    expect(outcome.explanation).toContain(
      "Forward the passive range (40000-40099) too, or switch on the FTP helper on the server's router",
    );
    expect(run('--mode', 'epsv', '--server-nat-forward', '21+passive').result).toBe('success');
    expect(run('--mode', 'epsv', '--server-helper').result).toBe('success');
    expect(run('--mode', 'active').result).toBe('success');
  });

  it('with the helper on and the public address in 227, says why the helper does not forward it', () => {
    const outcome = run('--mode', 'passive', '--server-advertise', 'public', '--server-helper');
    expect(outcome.result).toBe('failure');
    expect(outcome.explanation).toContain(
      'The FTP helper is on, but the 227 reply names the public address, not the server',
    );
    expect(outcome.explanation).not.toContain('or switch on the FTP helper');
    expect(run('--mode', 'passive', '--server-helper').result).toBe('success');
    expect(run('--mode', 'epsv', '--server-advertise', 'public', '--server-helper').result).toBe(
      'success',
    );
  });

  it('with a private 227, does not offer the public address alone, which would not do', () => {
    const outcome = run('--mode', 'passive');
    expect(outcome.explanation).toContain('advertising the public address alone would not do');
    expect(outcome.explanation).not.toContain(
      'Configure the server to advertise its public address',
    );
    expect(run('--mode', 'passive', '--server-advertise', 'public').result).toBe('failure');
    expect(run('--mode', 'passive', '--server-helper').result).toBe('success');
    expect(
      run('--mode', 'passive', '--server-nat-forward', '21+passive', '--server-advertise', 'public')
        .result,
    ).toBe('success');
    expect(
      run('--mode', 'passive', '--server-nat-forward', '21+passive', '--client', 'curl').result,
    ).toBe('success');
  });
});
