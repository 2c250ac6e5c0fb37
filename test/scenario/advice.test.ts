import { describe, expect, it } from 'vitest';
import { parseBlockData } from '../../src/lessons/block-data';
import { applyScenarioEntries, baseScenario } from '../../src/lessons/scenario-spec';
import { diagnoseDataConnection, idleHelpers } from '../../src/scenario/advice';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';

function network(...settings: string[]): Scenario {
  return applyScenarioEntries(baseScenario(), parseBlockData(settings.join('\n')).entries);
}

function diagnosis(scenario: Scenario): string | null {
  const result = simulate(scenario);
  const blocked = result.outcome.dataConnections.find((c) => c.result !== 'established');
  return blocked ? diagnoseDataConnection(scenario, blocked, result.trace) : null;
}

const PASSIVE_LIST = ['mode: passive', 'commands: [LIST]'];

describe('a diagnosis of the learner network', () => {
  it('names the helper on the wrong side, and a helper where there is no firewall', () => {
    const scenario = network('preset: server-only-21', ...PASSIVE_LIST, 'clientHelper: true');
    expect(diagnosis(scenario)).toBe(
      "The FTP helper is on the client's router, but in passive mode the client opens the data connection, so its SYN arrives at the server's firewall as a new connection, and that firewall decides. The client has no firewall, so a helper there changes nothing. Switch the helper on at the server's router.",
    );
    expect(idleHelpers(scenario)).toEqual([
      "The client has no firewall and no NAT, so the FTP helper on the client's router changes nothing.",
    ]);
    expect(
      diagnosis(network('preset: client-stateful', 'mode: active', 'serverHelper: true')),
    ).toMatch(/^The FTP helper is on the server's router, but in active mode the server opens/);
  });

  it('names a helper behind a stateless firewall', () => {
    expect(
      diagnosis(network('preset: client-stateless', 'mode: active', 'clientHelper: true')),
    ).toMatch(/the client's firewall is stateless: its rules never look at conntrack states/);
  });

  it('does not promise the helper behind a stateless firewall', () => {
    const scenario = network('preset: client-stateless', 'mode: active');
    expect(diagnosis(scenario)).toMatch(
      /^The client's firewall is stateless: .* even the FTP helper would not get this connection in\. Passive mode/,
    );
    expect(simulate(scenario).outcome.explanation).not.toContain(
      'so does the FTP helper, which reads',
    );
  });

  it('names an ACCEPT rule placed after the DROP that stops the connection', () => {
    const scenario = network('preset: server-only-21', ...PASSIVE_LIST);
    scenario.serverSide.firewall!.rules.push({
      name: 'inbound: passive data ports 40000-40099',
      direction: 'inbound',
      protocol: 'tcp',
      dstPort: { from: 40000, to: 40099 },
      state: ['NEW'],
      action: 'ACCEPT',
    });
    expect(diagnosis(scenario)).toBe(
      'Your rule 5, "inbound: passive data ports 40000-40099", would let this connection in, but it comes after rule 4 (DROP), and the first matching rule wins, so rule 5 is never reached. Move it above rule 4.',
    );
  });

  it('names a firewall range that misses the server range', () => {
    expect(
      diagnosis(
        network('preset: server-passive-range', 'passivePorts: 50000-50099', ...PASSIVE_LIST),
      ),
    ).toMatch(
      /^The server's firewall opens ports 40000-40099, but the server announced port 5\d{4} from its own range, 50000-50099: the two ranges must agree/,
    );
  });

  it('says nothing when the network has no mistake to point at', () => {
    expect(diagnosis(network('preset: client-stateful', 'mode: active'))).toBeNull();
    expect(idleHelpers(network('preset: client-stateful-helper'))).toEqual([]);
  });

  it('gives the outcome box the same words', () => {
    const scenario = network('preset: server-only-21', ...PASSIVE_LIST, 'clientHelper: true');
    expect(simulate(scenario).outcome.explanation).toContain(
      "The FTP helper is on the client's router, but in passive mode the client opens the data connection",
    );
  });
});
