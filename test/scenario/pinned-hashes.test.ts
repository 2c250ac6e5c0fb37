import { describe, expect, it } from 'vitest';
import { traceHash } from '../../src/export/json';
import { NETWORK_PRESETS, defaultScenario } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import { DATA_MODES, type Scenario } from '../../src/scenario/types';

/**
 * The trace hash of every network preset in every mode, pinned before the machines were
 * refactored (issue 13): a refactor that keeps behaviour keeps these byte for byte. A change
 * that legitimately moves a trace (a new seed, a new default) updates them and says why in
 * its commit message.
 */
const PINNED: Record<string, string> = {
  'no-firewall active': 'd974b40a2b954e12',
  'no-firewall passive': '5949320271506692',
  'no-firewall eprt': 'd801c909ceb048de',
  'no-firewall epsv': '36e88b85702c5103',
  'client-stateful active': 'e3ef4738d19b5e57',
  'client-stateful passive': '3a01184f71e65855',
  'client-stateful eprt': '2e43e133ba081bbb',
  'client-stateful epsv': '6aa91443f9518920',
  'client-stateful-reject active': 'e29447507f6fac74',
  'client-stateful-reject passive': '12e3c533e2401a2b',
  'client-stateful-reject eprt': 'b8a18c3e40daacb6',
  'client-stateful-reject epsv': '19152533942621de',
  'client-stateful-helper active': 'c71fd19818a10d50',
  'client-stateful-helper passive': 'f1524759157b08c7',
  'client-stateful-helper eprt': '8b24d66d34634175',
  'client-stateful-helper epsv': '80901bc634727e24',
  'client-stateless active': '2053f22bfc8aadc1',
  'client-stateless passive': '26bf4f5b8a9bbcb9',
  'client-stateless eprt': '3dd4bce2698a2c82',
  'client-stateless epsv': '3c7195ab1a4f20d8',
  'client-stateless-port-20 active': '3d0a9aa8a8529dd9',
  'client-stateless-port-20 passive': '5e4bfe1c6874a236',
  'client-stateless-port-20 eprt': '7b694e4228f548d7',
  'client-stateless-port-20 epsv': '69ff73f85a5a14e0',
  'server-only-21 active': 'ea7a43fabd446a2d',
  'server-only-21 passive': '90c199247889df31',
  'server-only-21 eprt': '0061b75b6922bb29',
  'server-only-21 epsv': 'c9e4021310320a31',
  'server-only-21-reject active': 'ea7a43fabd446a2d',
  'server-only-21-reject passive': '9e81c642d7c4630b',
  'server-only-21-reject eprt': '0061b75b6922bb29',
  'server-only-21-reject epsv': '08e260da6c6b2e47',
  'server-passive-range active': '83273ca334c1aadf',
  'server-passive-range passive': 'f17768100819ebd3',
  'server-passive-range eprt': 'c0a5ab610ad81e47',
  'server-passive-range epsv': '1473cd8173ff5f30',
  'server-stateful-helper active': '28ef4e957193e1f0',
  'server-stateful-helper passive': '965a340598bb05c6',
  'server-stateful-helper eprt': '7acc9855a1a70db0',
  'server-stateful-helper epsv': 'd8a0634ae57e5830',
  'both-stateful active': '7630cefc1b136ef2',
  'both-stateful passive': 'e8e8c5fb0fa9c081',
  'both-stateful eprt': 'f4b170e92d94e92f',
  'both-stateful epsv': '1c6c80e1f285022d',
  'both-stateful-helper active': '203b619eb30546ec',
  'both-stateful-helper passive': '51ad297c1b213923',
  'both-stateful-helper eprt': '9665487c2e3d9183',
  'both-stateful-helper epsv': '9ec268ba8122e337',
  'client-nat active': '1597922c1c605b5c',
  'client-nat passive': '6ecc4bd8b00c92f3',
  'client-nat eprt': '702259ba35d1e10d',
  'client-nat epsv': '2bc8965a5196d368',
  'client-nat-helper active': '32008873eda3386e',
  'client-nat-helper passive': '8ac337320c706414',
  'client-nat-helper eprt': '81c1e67f9944ed75',
  'client-nat-helper epsv': 'bd0166af986d4fdc',
  'server-nat-private active': 'bdaa2b19854aeb36',
  'server-nat-private passive': '60b3071df1f84831',
  'server-nat-private eprt': 'b2983f7292e95d2b',
  'server-nat-private epsv': 'cc44e05b684d9543',
  'server-nat-public active': 'bdaa2b19854aeb36',
  'server-nat-public passive': '3e7c3d4df213bf4e',
  'server-nat-public eprt': 'b2983f7292e95d2b',
  'server-nat-public epsv': '489f01c4983e0e75',
  'server-nat-helper active': 'cdc2d4900d9e101d',
  'server-nat-helper passive': '78529663ea63314f',
  'server-nat-helper eprt': '484aafe32735b37e',
  'server-nat-helper epsv': '481120c6ce0f7415',
  'no-firewall passive binary STOR': '2fca55ec8ea23ada',
};

/** Today's behaviour: the textbook client, the lab's own server, the RFC 6298 SYN schedule. */
function legacy(base: Scenario): Scenario {
  return base;
}

describe('trace hashes of the presets', () => {
  for (const preset of NETWORK_PRESETS) {
    for (const mode of DATA_MODES) {
      it(`${preset.id} in ${mode} mode is unchanged`, () => {
        const scenario = preset.apply(legacy({ ...defaultScenario(), mode }));
        expect(traceHash(simulate(scenario).trace)).toBe(PINNED[`${preset.id} ${mode}`]);
      });
    }
  }

  it('a binary upload, download and listing is unchanged', () => {
    const scenario: Scenario = {
      ...legacy(defaultScenario()),
      mode: 'passive',
      type: 'binary',
      commands: ['STOR notes.txt', 'RETR notes.txt', 'NLST', 'QUIT'],
    };
    expect(traceHash(simulate(scenario).trace)).toBe(PINNED['no-firewall passive binary STOR']);
  });
});
