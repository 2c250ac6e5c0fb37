import { describe, expect, it } from 'vitest';
import { synSchedule } from '../../src/machines/tcp-profile';
import { FTP_EXPECT_POLICY } from '../../src/network/ftp-helper';
import { conntrackAt } from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';
import { indexTrace } from '../../src/scenario/timeline';
import {
  expectationScenario,
  labAvailable,
  observeExpectation,
  SYN_RETRIES,
} from './expectation-experiment';

/**
 * When Linux uses up an FTP expectation, measured (issue 13). The client router runs the FTP
 * helper; its forward chain passes the control connection and drops a RELATED data SYN, and
 * either drops or accepts a NEW one. The client logs in, sends PASV and connects to the port the
 * 227 names, with net.ipv4.tcp_syn_retries=2.
 *
 * On 6.18.44-fc-v1147 (pyftpdlib 1.5.7, a hand-written Python client), reading the client
 * router's /proc/net/nf_conntrack_expect and counters on the data SYNs by `ct state`:
 * - before the first data SYN one expectation is listed (src=192.0.2.10 dst=198.51.100.20
 *   sport=0 dport=<the 227's port> ftp), its timeout column at 299 (seconds left of the
 *   helper's 300, about 0.2 s after the 227); 300 ms after that SYN was dropped, none;
 * - with NEW dropped: `ct state related` counted 1 SYN and `ct state new` 5, connect() timed out
 *   after 7.1 s (6 SYNs, the first RELATED, its 5 retransmissions NEW);
 * - with NEW accepted: related 1, new 1, and the retransmission a second later connected (1.01 s);
 * - two more PASVs on the same control connection leave one expectation, the last PASV's port.
 * So the expectation goes when the first packet matching it creates its conntrack, in PREROUTING
 * (init_conntrack unlinks it), not when the filter accepts that packet; a dropped SYN's
 * retransmission is NEW. The simulation's router does the same (src/network/router.ts).
 */

const SYNS = synSchedule({ kind: 'linux', synRetries: SYN_RETRIES }).sendTimesMs.length;

/** The client router's verdicts on the data SYNs in the simulation of the same network. */
function simulated(acceptNew: boolean) {
  const scenario = expectationScenario(acceptNew);
  const result = simulate(
    {
      ...scenario,
      client: { ...scenario.client, program: 'rfc959' },
      server: { ...scenario.server, program: 'pyftpdlib' },
    },
    { tcpProfile: { kind: 'linux', synRetries: SYN_RETRIES } },
  );
  const syns = result.trace.flatMap((e) =>
    (e.type === 'drop' || e.type === 'forward') &&
    e.node === 'client-router' &&
    e.packet.channel === 'data' &&
    e.packet.tcp?.flags.syn &&
    !e.packet.tcp.flags.ack
      ? [`${e.type} ${e.verdict?.state}`]
      : [],
  );
  return { syns, result: result.outcome.result, index: indexTrace(result) };
}

describe('an FTP expectation is used up by the first packet it matches, even one the filter drops', () => {
  it('in the simulation: the dropped SYN was RELATED, its retransmissions are NEW', () => {
    const dropped = simulated(false);
    expect(dropped).toMatchObject({
      syns: ['drop RELATED', ...Array<string>(SYNS - 1).fill('drop NEW')],
      result: 'failure',
    });
    // The state tables list the expectation until that SYN, and not from its drop on.
    const drop = dropped.index.events.find((e) => e.type === 'drop' && e.node === 'client-router')!;
    const listed = (t: number) => conntrackAt(dropped.index, 'client-router', t).expectations;
    expect(listed(drop.t - 0.001)).toHaveLength(1);
    expect(listed(drop.t)).toEqual([]);
    // Accepted as NEW, the first retransmission makes the data connection; the second transfer
    // (the scenario's RETR after LIST) goes the same way.
    const accepted = simulated(true);
    expect(accepted.result).toBe('success');
    expect(accepted.syns.slice(0, 2)).toEqual(['drop RELATED', 'forward NEW']);
  });

  const unavailable = labAvailable();
  it.skipIf(unavailable !== null)(
    'on the real kernel: the same counts, and the expectation is gone after the first SYN',
    async () => {
      const dropped = await observeExpectation(false, `jd${process.pid.toString(36)}`);
      // About 0.3 s after the 227 the helper's 300 s timeout (FTP_EXPECT_POLICY) has 299 left.
      expect(dropped.timeoutBeforeSyn, dropped.log.join('\n')).toBeGreaterThanOrEqual(295);
      expect(dropped.timeoutBeforeSyn).toBeLessThanOrEqual(FTP_EXPECT_POLICY.timeoutMs / 1000);
      expect(dropped, dropped.log.join('\n')).toMatchObject({
        expectedBeforeSyn: 1,
        expectedAfterFirstSyn: 0,
        relatedSyns: 1,
        newSyns: SYNS - 1,
        connected: false,
        expectedAfterTwoPasv: 1,
      });
      // max_expected = 1: of the three PASVs' expectations the last one's is the one left.
      expect(dropped.thirdPasvPort).not.toBeNull();
      expect(dropped.expectedPortAfterTwoPasv).toBe(dropped.thirdPasvPort);
      const accepted = await observeExpectation(true, `ja${process.pid.toString(36)}`);
      expect(accepted, accepted.log.join('\n')).toMatchObject({
        expectedBeforeSyn: 1,
        expectedAfterFirstSyn: 0,
        relatedSyns: 1,
        newSyns: 1,
        connected: true,
        expectedAfterTwoPasv: 1,
      });
    },
    60_000,
  );
});
