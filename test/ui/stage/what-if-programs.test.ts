import { describe, expect, it } from 'vitest';
import { defaultScenario, networkPreset } from '../../../src/scenario/presets';
import { simulate } from '../../../src/scenario/simulate';
import { DATA_MODES, type Scenario } from '../../../src/scenario/types';
import { mergeWhatIf, splitWhatIf, verdictOf } from '../../../src/ui/stage/what-if';
import { answerWhatIf } from '../../../src/ui/stage/what-if-answer';
import { everyProgram, type ProgramVerdicts } from '../../../src/ui/stage/what-if-programs';

const on = (preset: string) => networkPreset(preset)!.apply(defaultScenario());
const simulated = (scenario: Scenario) => verdictOf(simulate(scenario));
const works = (table: ProgramVerdicts) =>
  Object.fromEntries(
    Object.entries(table).map(([program, modes]) => [
      program,
      DATA_MODES.map((mode) => (modes[mode].works ? mode : '-')).join(' '),
    ]),
  );

describe('the what-if program axis: every client program × mode on this network', () => {
  it('behind the server’s NAT, only the textbook client follows 227’s private address', () => {
    const table = everyProgram(on('server-nat-private'), simulated);
    expect(works(table)).toEqual({
      rfc959: 'active - eprt epsv',
      curl: 'active passive eprt epsv',
      ftplib: 'active passive eprt epsv',
      lftp: 'active passive eprt epsv',
    });
    expect(table.rfc959.passive.reason).toMatch(/10\.0\.0\.\d+/);
  });

  it('behind the client’s NAT without a helper, lftp alone gets through with PORT and EPRT: refused, it goes passive', () => {
    const table = everyProgram(on('client-nat'), simulated);
    expect(works(table)).toEqual({
      rfc959: '- passive - epsv',
      curl: '- passive - epsv',
      ftplib: '- passive - epsv',
      lftp: 'active passive eprt epsv',
    });
  });

  it('asks about the program on screen with the scenario’s own client, the mode strip’s sessions', () => {
    const scenario = on('client-stateful');
    const asked: string[] = [];
    const table = everyProgram(scenario, (each) => {
      asked.push(JSON.stringify(each));
      return simulated(each);
    });
    expect(new Set(asked).size).toBe(16);
    for (const mode of DATA_MODES) expect(asked).toContain(JSON.stringify({ ...scenario, mode }));
    const curl = { ...scenario, client: { ...scenario.client, program: 'curl' as const } };
    expect(everyProgram(curl, simulated)).toEqual(table);
  });

  it('comes with the what-if answer when asked, simulating only the 12 sessions the strip did not', () => {
    // A network no other test asks about, so the verdict cache holds nothing of it yet.
    const fresh = { ...on('server-nat-private'), commands: ['LIST', 'NOOP', 'LIST'] };
    const strip = answerWhatIf({ id: 1, scenario: fresh, presets: false });
    expect(strip.programs).toBeNull();
    const request = { id: 2, scenario: fresh, presets: false, programs: true };
    const answer = answerWhatIf(request);
    expect(answer.simulated).toBe(12);
    expect(answer.programs).toEqual(everyProgram(fresh, simulated));
    expect(answer.programs!.rfc959).toEqual(answer.modes);
    expect(mergeWhatIf(splitWhatIf(request, 4).map(answerWhatIf)).programs).toEqual(
      answer.programs,
    );
  });
});
