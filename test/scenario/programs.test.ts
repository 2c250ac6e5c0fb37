import { describe, expect, it } from 'vitest';
import { canonicalScenario, seedText } from '../../src/scenario/canonical';
import { defaultScenario } from '../../src/scenario/presets';
import { programsOf, type Scenario } from '../../src/scenario/types';
import { validateScenario } from '../../src/scenario/validate';

function valid(input: unknown): Scenario {
  const checked = validateScenario(input);
  if (!checked.ok) throw new Error(checked.error);
  return checked.value;
}

describe('the programs a scenario plays (issue 13)', () => {
  it('defaults to vsftpd, the textbook client and Linux TCP when the scenario names none', () => {
    expect(programsOf(defaultScenario())).toEqual({
      server: 'vsftpd',
      client: 'rfc959',
      tcp: 'linux',
    });
  });

  it('reads the programs from a scenario file', () => {
    const scenario = valid({
      client: { program: 'lftp' },
      server: { program: 'pyftpdlib' },
      tcp: 'rfc6298',
    });
    expect(programsOf(scenario)).toEqual({ server: 'pyftpdlib', client: 'lftp', tcp: 'rfc6298' });
  });

  it('names the field and the choices when a program is unknown', () => {
    expect(validateScenario({ client: { program: 'filezilla' } })).toEqual({
      ok: false,
      error: 'client.program: expected one of "rfc959", "curl", "ftplib", "lftp", got "filezilla"',
    });
    expect(validateScenario({ server: { program: 'proftpd' } })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^server\.program: expected one of "vsftpd", "pyftpdlib"/),
    });
    expect(validateScenario({ tcp: 'windows' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^tcp: expected one of "linux", "rfc6298"/),
    });
  });

  it('leaves the defaults out of the canonical form, so older links and files keep their text', () => {
    const named: Scenario = {
      ...defaultScenario(),
      tcp: 'linux',
      client: { ...defaultScenario().client, program: 'rfc959' },
      server: { ...defaultScenario().server, program: 'vsftpd' },
    };
    expect(JSON.stringify(canonicalScenario(named))).toBe(
      JSON.stringify(canonicalScenario(defaultScenario())),
    );
    const other = { ...defaultScenario(), tcp: 'rfc6298' as const };
    expect(canonicalScenario(other).tcp).toBe('rfc6298');
  });

  it('keeps the programs out of the seed: one network gets the same ports whoever plays it', () => {
    const curl: Scenario = {
      ...defaultScenario(),
      client: { ...defaultScenario().client, program: 'curl' },
      server: { ...defaultScenario().server, program: 'pyftpdlib' },
      tcp: 'rfc6298',
    };
    expect(seedText(curl)).toBe(seedText(defaultScenario()));
  });

  it('accepts 0 as an ephemeral active-mode source port', () => {
    expect(valid({ server: { activeSourcePort: 0 } }).server.activeSourcePort).toBe(0);
    expect(validateScenario({ server: { activeSourcePort: -1 } })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/or 0 for an ephemeral port/),
    });
  });
});
