import { describe, expect, it } from 'vitest';
import { verdictLine } from '../../src/scenario/outcome';
import { defaultScenario, NETWORK_PRESETS, networkPreset } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import { DATA_MODES, type DataMode, type Scenario } from '../../src/scenario/types';

function lineFor(preset: string, mode: DataMode, change: Partial<Scenario> = {}): string {
  const scenario = { ...networkPreset(preset)!.apply(defaultScenario()), mode, ...change };
  return verdictLine(simulate(scenario).outcome, scenario);
}

describe('verdictLine: the place and the cause first, the mode and the command last', () => {
  it('names the client firewall rule that dropped the server data connection in active mode', () => {
    expect(lineFor('client-stateful', 'active')).toBe(
      "Fails: the client firewall's rule 3 dropped the server's data connection (active mode, LIST)",
    );
  });

  it('says rejected when the rule rejects', () => {
    expect(lineFor('client-stateful-reject', 'active')).toBe(
      "Fails: the client firewall's rule 3 rejected the server's data connection (active mode, LIST)",
    );
  });

  it('names the server firewall rule in passive mode, with the command that failed', () => {
    expect(lineFor('server-only-21', 'passive', { commands: ['RETR notes.txt'] })).toBe(
      "Fails: the server firewall's rule 4 dropped the client's data connection (passive mode, RETR notes.txt)",
    );
  });

  it('blames the private address in 227 on the Internet, not on a firewall', () => {
    expect(lineFor('server-nat-private', 'passive')).toMatch(
      /^Fails: the Internet could not deliver the client's data connection to 10\.0\.0\.20:\d+, a private address \(passive mode, LIST\)$/,
    );
  });

  it('explains the refused PORT behind NAT', () => {
    expect(lineFor('client-nat', 'active')).toBe(
      "Fails: the server refused the PORT command, which named the client's private address behind NAT (active mode, LIST)",
    );
  });

  it('credits the FTP helper: in at the far side, out at the opener side', () => {
    expect(lineFor('client-stateful-helper', 'active')).toBe(
      "Works: the client firewall let the server's data connection in as RELATED (active mode)",
    );
    expect(lineFor('client-stateful-helper', 'passive')).toBe(
      "Works: the client firewall let the client's data connection out as RELATED (passive mode)",
    );
  });

  it('a session that works says who opened the data connections', () => {
    expect(lineFor('no-firewall', 'epsv')).toBe(
      'Works: every command succeeded, 2 data connections opened by the client (EPSV mode)',
    );
  });

  it('a login refused by the server says so', () => {
    expect(
      lineFor('no-firewall', 'passive', { client: { user: 'student', password: 'wrong' } }),
    ).toBe('Fails: the server refused the login (passive mode, login)');
  });

  it('every preset in every mode gets one line that agrees with the outcome and names its mode', () => {
    for (const preset of NETWORK_PRESETS)
      for (const mode of DATA_MODES) {
        const scenario = { ...preset.apply(defaultScenario()), mode };
        const { outcome } = simulate(scenario);
        const line = verdictLine(outcome, scenario);
        expect(line.startsWith(outcome.result === 'success' ? 'Works: ' : 'Fails: ')).toBe(true);
        expect(line).not.toMatch(/\n|undefined|null/);
        expect(line).toContain(mode === 'eprt' || mode === 'epsv' ? mode.toUpperCase() : mode);
        if (outcome.failedAt) expect(line).toContain(`, ${outcome.failedAt})`);
      }
  }, 60_000);
});
