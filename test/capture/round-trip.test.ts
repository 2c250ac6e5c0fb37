import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index';
import { CAPTURE_POINTS, writePcap } from '../../src/export/pcap';
import { defaultScenario, NETWORK_PRESETS } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import { DATA_MODES } from '../../src/scenario/types';
import { validateScenario } from '../../src/scenario/validate';
import { suggestedScenario } from '../../src/capture/stage';

describe('every pcap the simulator exports reads back to the same session', () => {
  for (const preset of NETWORK_PRESETS) {
    for (const mode of DATA_MODES) {
      it(`${preset.id}, ${mode}: every capture point`, () => {
        const result = simulate(preset.apply({ ...defaultScenario(), mode }));
        for (const point of CAPTURE_POINTS) {
          const analysis = readCapture(writePcap(result.trace, { capture: point.id }));
          expect(analysis.sessions, point.id).toHaveLength(1);
          const { session, diagnosis } = analysis.sessions[0]!;
          expect(session.replyCodes, point.id).toEqual(result.outcome.replyCodes);
          expect(session.gaps).toEqual([]);
          expect(diagnosis.outcome, point.id).toBe(result.outcome.result);
          const simulated = result.outcome.dataConnections;
          // Every announcement counts, also one whose connection this capture point never saw.
          const read = session.dataConnections;
          expect(
            read.map((d) => d.result === 'completed'),
            point.id,
          ).toEqual(simulated.map((d) => d.result === 'established'));
          expect(read.map((d) => d.mode)).toEqual(simulated.map((d) => d.mode));
          if (result.outcome.failureKind === 'reply' || result.outcome.failureKind === null) {
            const failedAt = result.outcome.failedAt;
            // A transfer the client never sent (its PORT was refused first) is not in the
            // capture: the reader names the command the failing reply answered instead.
            if (failedAt === null || session.commands.includes(failedAt))
              expect(diagnosis.failure?.at ?? null, point.id).toBe(failedAt);
            else expect(diagnosis.failure?.at, point.id).toMatch(/^(?:PORT|EPRT|PASV|EPSV)\b/);
          }
          const scenario = suggestedScenario(diagnosis.suggested);
          expect(validateScenario(JSON.parse(JSON.stringify(scenario))).ok).toBe(true);
        }
      });
    }
  }

  it('the client-stateful active failure is diagnosed as a drop by the client firewall', () => {
    const result = simulate(
      NETWORK_PRESETS.find((p) => p.id === 'client-stateful')!.apply(defaultScenario()),
    );
    const { diagnosis, session } = readCapture(writePcap(result.trace, { capture: 'server' }))
      .sessions[0]!;
    expect(diagnosis.capturedAt).toBe('server');
    expect(diagnosis.failure).toEqual({ at: 'LIST', kind: 425 });
    expect(session.dataConnections[0]).toMatchObject({
      result: 'dropped',
      opener: 'server',
      synCount: 10,
    });
    expect(diagnosis.explanation).toMatch(/client's stateful firewall/);
    expect(diagnosis.fixes.join(' ')).toMatch(/passive mode/);
    expect(diagnosis.suggested.preset).toBe('client-stateful');
  });
});
