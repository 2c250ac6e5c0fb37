import { describe, expect, it } from 'vitest';
import { formatTranscript } from '../../src/export/transcript';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { conntrackAt, describeEventForScreenReader, indexTrace } from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';
import { FTP_EXPECT_POLICY, type TraceEvent } from '../../src/scenario/trace';

type ExpectEvent = Extract<TraceEvent, { type: 'expect' }>;

/**
 * What the stage and the transcript make of an FTP helper expectation that timed out (the router
 * side is test/network/router.test.ts). No preset's session lasts the helper's 300 s, so the
 * trace is an active-mode session's cut after the PORT's expectation, as if the server had never
 * connected, with the expiry event the router records at 300 s.
 */
function expiredSession() {
  const result = simulate(
    networkPreset('client-stateful-helper')!.apply({ ...defaultScenario(), mode: 'active' }),
  );
  const at = result.trace.findIndex((e) => e.type === 'expect' && e.op === 'add');
  const added = result.trace[at] as ExpectEvent;
  const expiry: ExpectEvent = {
    ...added,
    t: added.t + FTP_EXPECT_POLICY.timeoutMs,
    op: 'expire',
  };
  const cut = { ...result, trace: [...result.trace.slice(0, at + 1), expiry] };
  return { cut, added, expiry };
}

describe('an expectation that timed out', () => {
  const { cut, added, expiry } = expiredSession();
  const index = indexTrace(cut);
  const listed = (t: number) => conntrackAt(index, 'client-router', t).expectations;

  it('is listed in the state table until the helper forgets it, 300 s after the PORT', () => {
    expect(expiry.t - added.t).toBe(300_000);
    expect(listed(added.t)).toEqual([added.expectation]);
    expect(listed(expiry.t - 0.001)).toEqual([added.expectation]);
    expect(listed(expiry.t)).toEqual([]);
    expect(index.routers.get('client-router')!.expectations[0]).toMatchObject({
      endsAt: expiry.t,
      endedBy: 'expired',
    });
  });

  it('is said to have timed out, not to have arrived', () => {
    const { dst, dstPort } = added.expectation;
    expect(describeEventForScreenReader(expiry, index)).toBe(
      `Client firewall's FTP helper forgets the connection it expected to ${dst}:${dstPort}: none came within 300 s`,
    );
    expect(formatTranscript(cut)).toContain(
      `FTP helper forgets ${added.expectation.src} → ${dst}:${dstPort}: no connection came within 300 s`,
    );
  });
});
