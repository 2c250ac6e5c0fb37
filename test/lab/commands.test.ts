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
import type { LabSummary } from '../../src/lab/lab';
import { LAB_LFTP_RECONNECT } from '../../src/lab/programs';
import { simulate } from '../../src/scenario/simulate';
import { commandsOf, fromSimulation, scenarioOf } from './compare';

const FIXTURES = new URL('../capture/fixtures/', import.meta.url);
const names = readdirSync(FIXTURES)
  .filter((n) => n.startsWith('lab-') && n.endsWith('.json'))
  .sort();

type Recorded = Pick<LabSummary, 'dialogue' | 'programs'> & { flags: string };

describe('each program sends the commands the real one sends, on as many control connections (the lab recordings)', () => {
  it('reads every lab recording', () => {
    expect(names.length).toBeGreaterThanOrEqual(60);
  });

  it.each(names)('%s', (name) => {
    const recorded = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Recorded;
    const sim = fromSimulation(
      simulate(scenarioOf(recorded.flags), {
        tcpProfile: { kind: 'linux', synRetries: 1 },
        reconnect: LAB_LFTP_RECONNECT,
      }),
    );
    const real = commandsOf(recorded.dialogue, recorded.programs.client);
    expect(sim.commands, recorded.dialogue.join('\n')).toEqual(real);
  });
});
