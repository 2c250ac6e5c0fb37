import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runLab } from '../../src/lab/lab';
import { LAB_LFTP_RECONNECT } from '../../src/lab/programs';
import { labUnavailable, leftoverNamespaces } from '../../src/lab/netns';
import { synSchedule } from '../../src/machines/tcp-profile';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';
import { labCells, type Cell } from './cells';
import { fromLab, fromSimulation, type Comparable } from './compare';

/**
 * The simulation against the real kernel, cell by cell: each cell's scenario is simulated and
 * run in network namespaces with nftables, vsftpd and a real client, and the two must agree on
 * the outcome, the step and reply that ended a failure, the client's error kind, and for each
 * data connection who opened it, what became of it, which node decided it, its source port and
 * (for answered SYNs) the SYN count.
 *
 * The simulation plays each cell's programs (`client.program`, `server.program`) on the `linux`
 * TCP stack with the lab's tcp_syn_retries=2 (6 SYNs in about 7 s, measured in
 * test/machines/tcp-linux-evidence.test.ts), so what were known differences are agreements now:
 * pyftpdlib's ephemeral source port (compared as "20" or "ephemeral", the kernel picks the number)
 * and its "501 Rejected data connection to foreign address"; curl's EPSV→PASV and EPRT→PORT
 * fallbacks and its next URL after a failed one; ftplib's PORT/PASV only. A dropped SYN's count is
 * compared too.
 *
 * The client's commands are compared too, on every control connection (compare.ts's commandsOf):
 * curl logs in again for its next URL after a failed data connection, in both.
 */

const SYN_RETRIES = 2;
/** SYNs a Linux connect() sends into a black hole with tcp_syn_retries=2 (6; measured in test/machines/tcp-linux-evidence.test.ts). */
const LINUX_DROPPED_SYNS = synSchedule({ kind: 'linux', synRetries: SYN_RETRIES }).sendTimesMs
  .length;

function labAvailable(): string | null {
  if (process.env.SKIP_LAB === '1') return 'SKIP_LAB=1';
  if (!existsSync('/usr/sbin/vsftpd')) return 'vsftpd is missing';
  return labUnavailable();
}

const unavailable = labAvailable();
const cells = labCells();
if (unavailable) {
  console.log(
    `lab: ${cells.length} sim-vs-kernel cells skipped (${unavailable}); run them with: sudo npm test (or sudo npx vitest run test/lab)`,
  );
}

const dropped = (result: string) => result === 'dropped' || result === 'timed out';

/** Source ports as the firewall sees them: 20, or one from the ephemeral range (any number). */
function comparable(value: Comparable): Comparable {
  const connections = value.connections.map((c) => ({
    ...c,
    sourcePort: c.sourcePort !== null && c.sourcePort >= 1024 ? -1 : c.sourcePort,
  }));
  return { ...value, connections };
}

/** The cell's scenario with its programs named, as the lab runs them. */
function withPrograms(cell: Cell): Scenario {
  const { scenario } = cell;
  return {
    ...scenario,
    client: { ...scenario.client, program: cell.client },
    server: { ...scenario.server, program: cell.server ?? 'vsftpd' },
  };
}

describe.skipIf(unavailable !== null)('simulation and real kernel agree', () => {
  it.concurrent.each(cells.map((cell) => [cell.name, cell] as const))(
    '%s',
    async (_name, cell) => {
      const summary = await runLab(cell.scenario, {
        client: cell.client,
        server: cell.server ?? 'vsftpd',
        synRetries: SYN_RETRIES,
        timeouts: { replySeconds: 10, clientSeconds: 30 },
      });
      const lab = fromLab(summary);
      const result = simulate(withPrograms(cell), {
        tcpProfile: { kind: 'linux', synRetries: SYN_RETRIES },
        reconnect: LAB_LFTP_RECONNECT,
      });
      const sim = fromSimulation(result);
      const got = comparable(lab);
      const expected = comparable(sim);
      expect(got, summary.dialogue.join('\n')).toEqual(expected);
      got.connections.forEach((connection, i) => {
        if (dropped(connection.result))
          expect(lab.connections[i]!.synCount).toBe(LINUX_DROPPED_SYNS);
      });
      // The lab names a change of command ("EPSV→PASV"), once; curl's second PORT is not one,
      // and the simulation does not count it either.
      expect([...new Set(result.outcome.fallbacks)], summary.dialogue.join('\n')).toEqual(
        summary.fallbacks,
      );
    },
    120_000,
  );

  it.sequential('leaves no namespace behind', () => {
    expect(
      leftoverNamespaces().filter((name) => name.includes(`-${process.pid.toString(36)}`)),
    ).toEqual([]);
  });
});
