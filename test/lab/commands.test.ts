/**
 * Each client program sends the commands the real one sends, in its order (issue 13), checked
 * against every lab recording without the kernel: test/capture/fixtures/lab-*.json holds what the
 * real program did through real netfilter (its dialogue) and the sim flags of that cell; the
 * simulation of the same flags must send the same commands on the same control connections, the
 * whole dialogue (compare.ts's commandsOf says which lines of the programs' logs never reached the
 * wire and which arguments are left out).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildScenario, parseArgs } from '../../src/cli/args';
import type { LabSummary } from '../../src/lab/lab';
import { defaultScenario } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';
import { commandsOf, fromSimulation } from './compare';

const FIXTURES = new URL('../capture/fixtures/', import.meta.url);
const names = readdirSync(FIXTURES)
  .filter((n) => n.startsWith('lab-') && n.endsWith('.json'))
  .sort();

type Recorded = Pick<LabSummary, 'dialogue' | 'programs'> & { flags: string };

/** The flags as `npm run lab` reads them: its own (programs, timeouts) and then the sim's. */
function scenarioOf(flags: string): Scenario {
  const words = flags.split(' ');
  const lab: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (['--server', '--client', '--syn-retries', '--reply-timeout'].includes(words[i]!)) {
      lab[words[i]!] = words[++i]!;
    } else rest.push(words[i]!);
  }
  const parsed = parseArgs(rest);
  if (!parsed.ok) throw new Error(parsed.error);
  const built = buildScenario(parsed.options, defaultScenario());
  if (!built.ok) throw new Error(built.error);
  const scenario = built.value;
  return {
    ...scenario,
    client: { ...scenario.client, program: lab['--client'] as never },
    server: { ...scenario.server, program: lab['--server'] as never },
  };
}

describe('each program sends the commands the real one sends, on as many control connections (the lab recordings)', () => {
  it('reads every lab recording', () => {
    expect(names.length).toBeGreaterThanOrEqual(60);
  });

  it.each(names)('%s', (name) => {
    const recorded = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Recorded;
    const sim = fromSimulation(
      simulate(scenarioOf(recorded.flags), { tcpProfile: { kind: 'linux', synRetries: 1 } }),
    );
    const real = commandsOf(recorded.dialogue, recorded.programs.client);
    expect(sim.commands, recorded.dialogue.join('\n')).toEqual(real);
  });
});
