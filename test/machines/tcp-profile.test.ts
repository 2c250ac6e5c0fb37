import { describe, expect, it } from 'vitest';
import { traceHash } from '../../src/export/json';
import { linuxSynBudgetMs, synSchedule, tcpProfile } from '../../src/machines/tcp-profile';
import { NETWORK_PRESETS, defaultScenario } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import type { TraceEvent } from '../../src/network/trace';

/**
 * Recorded on the lab machine (Linux 6.18, HZ 250, tcp_syn_retries 6, tcp_syn_linear_timeouts 4):
 * connect() into a black hole in a network namespace, SYNs captured with tcpdump, times from the
 * first SYN. test/machines/tcp-linux-evidence.test.ts repeats this for tcp_syn_retries 1, 2, 3.
 */
const MEASURED_SYNS_MS = [0, 1017, 2041, 3065, 4089, 5113, 7129, 11257, 19449, 35577, 68601];
const MEASURED_ETIMEDOUT_MS = 134_100;

/**
 * tcp_syn_retries 1 … 6 on the same kernel, by tcp-linux-evidence.test.ts (FTPLAB_EV_RETRIES=4,5,6
 * for the slow ones), 2026-12-02: SYN times from tcpdump, ETIMEDOUT from the connect()ing process.
 * The last intervals move by up to a timer-wheel granule (2.048 s above 16 s) from run to run.
 */
const LAB_RUNS: { n: number; synsMs: number[]; etimedoutMs: number }[] = [
  { n: 1, synsMs: [0, 1003, 2027], etimedoutMs: 3065 },
  { n: 2, synsMs: [0, 1000, 2024, 3048, 4072, 5096], etimedoutMs: 7136 },
  { n: 3, synsMs: [0, 1014, 2038, 3062, 4086, 5110, 7130, 11386], etimedoutMs: 19607 },
  { n: 4, synsMs: [0, 1029, 2053, 3077, 4101, 5125, 7141, 11237, 19429], etimedoutMs: 35591 },
  {
    n: 5,
    synsMs: [0, 1002, 2026, 3050, 4074, 5098, 7114, 11242, 19434, 35562],
    etimedoutMs: 67852,
  },
  {
    n: 6,
    synsMs: [0, 1026, 2050, 3070, 4094, 5118, 7134, 11358, 19554, 35682, 69474],
    etimedoutMs: 135021,
  },
];

describe('synSchedule', () => {
  it.each(LAB_RUNS)(
    'linux, tcp_syn_retries=$n: the lab run within 5%',
    ({ n, synsMs, etimedoutMs }) => {
      const s = synSchedule({ kind: 'linux', synRetries: n });
      expect(s.sendTimesMs).toHaveLength(synsMs.length);
      s.sendTimesMs.forEach((t, i) =>
        expect(Math.abs(t - synsMs[i]!)).toBeLessThanOrEqual(0.05 * t + 30),
      );
      expect(Math.abs(s.giveUpMs - etimedoutMs)).toBeLessThanOrEqual(0.05 * etimedoutMs);
    },
  );

  it('rfc6298 is the schedule the simulation always used: 0, 1, 3 … 63 s, give up at 127 s', () => {
    expect(synSchedule(tcpProfile('rfc6298'))).toEqual({
      sendTimesMs: [0, 1000, 3000, 7000, 15000, 31000, 63000],
      giveUpMs: 127_000,
    });
    expect(synSchedule({ kind: 'rfc6298', synRetries: 2, initialRtoMs: 3000 })).toEqual({
      sendTimesMs: [0, 3000, 9000],
      giveUpMs: 21_000,
    });
  });

  it('linux matches the recorded run: 11 SYNs, each within 4 ms, ETIMEDOUT at 134.1 s', () => {
    const s = synSchedule(tcpProfile('linux'));
    expect(s.sendTimesMs).toHaveLength(MEASURED_SYNS_MS.length);
    s.sendTimesMs.forEach((t, i) =>
      expect(Math.abs(t - MEASURED_SYNS_MS[i]!)).toBeLessThanOrEqual(4),
    );
    // The give-up was read to 0.1 s.
    expect(Math.abs(s.giveUpMs - MEASURED_ETIMEDOUT_MS)).toBeLessThanOrEqual(100);
  });

  it('linux gives up on a time budget, not a count (tcp_syn_retries 2: 6 SYNs, not 7)', () => {
    expect(linuxSynBudgetMs(6)).toBe(127_000);
    expect(linuxSynBudgetMs(2)).toBe(7000);
    expect(linuxSynBudgetMs(8)).toBe(127_000 + 2 * 120_000);
    const n2 = synSchedule({ kind: 'linux', synRetries: 2 });
    expect(n2.sendTimesMs).toHaveLength(6);
    expect(n2.giveUpMs).toBeGreaterThanOrEqual(7000);
    expect(n2.giveUpMs).toBeLessThan(8000);
    expect(synSchedule({ kind: 'linux', synRetries: 1 }).sendTimesMs).toHaveLength(3);
    expect(synSchedule({ kind: 'linux', synRetries: 3 }).sendTimesMs).toHaveLength(8);
  });

  it('linux without linear timeouts is the pre-6.5 exponential schedule (timer-wheel rounded)', () => {
    const s = synSchedule({ kind: 'linux', linearTimeouts: 0, timerPhaseJiffies: 0 });
    expect(s.sendTimesMs).toEqual([0, 1024, 3040, 7168, 15360, 31488, 65536]);
    expect(s.giveUpMs).toBeGreaterThanOrEqual(127_000);
  });
});

function dataSyns(trace: TraceEvent[], from: string): number[] {
  return trace
    .filter(
      (e): e is Extract<TraceEvent, { type: 'send' }> =>
        e.type === 'send' &&
        e.node === from &&
        e.packet.channel === 'data' &&
        !!e.packet.tcp?.flags.syn &&
        !e.packet.tcp.flags.ack,
    )
    .map((e) => e.t);
}

describe("simulate's TCP stack option", () => {
  const preset = NETWORK_PRESETS.find((p) => p.id === 'server-only-21')!;
  const scenario = preset.apply({ ...defaultScenario(), mode: 'passive' });

  it('rfc6298, by option or by the scenario, plays the pinned trace; the default is linux', () => {
    // The hashes pinned in test/scenario/pinned-hashes.test.ts for 'server-only-21 passive'.
    expect(traceHash(simulate(scenario, { tcp: 'rfc6298' }).trace)).toBe('65afd470daf1c520');
    expect(traceHash(simulate({ ...scenario, tcp: 'rfc6298' }).trace)).toBe('65afd470daf1c520');
    expect(traceHash(simulate(scenario).trace)).toBe('1190d40489f37b5c');
    expect(traceHash(simulate({ ...scenario, tcp: 'linux' }).trace)).toBe('1190d40489f37b5c');
  });

  it("linux: the client's dropped passive data connection sends 11 SYNs and gives up at 134 s", () => {
    const rfc = dataSyns(simulate({ ...scenario, tcp: 'rfc6298' }).trace, 'client');
    expect(rfc).toHaveLength(7);
    const result = simulate(scenario);
    const syns = dataSyns(result.trace, 'client');
    expect(syns).toHaveLength(11);
    const gaps = syns.map((t) => t - syns[0]!);
    const expected = synSchedule(tcpProfile('linux')).sendTimesMs;
    gaps.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 6));
    const closed = result.trace.find(
      (e) =>
        e.type === 'transition' &&
        e.machine === 'tcp' &&
        e.to === 'CLOSED' &&
        e.from === 'SYN_SENT',
    );
    expect(closed).toBeDefined();
    expect((closed!.t - syns[0]!) / 1000).toBeCloseTo(134.1, 0);
  });
});
