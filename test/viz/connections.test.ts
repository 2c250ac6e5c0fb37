import { describe, expect, it } from 'vitest';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { indexTrace, type TraceIndex } from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';
import {
  connectionAt,
  connectionsAt,
  connectionsOf,
  stopMomentsOf,
  verdictLabel,
} from '../../src/viz/connections';
import { NOTE_WINDOW_MS, routerNotesAt } from '../../src/viz/router-notes';

function run(presetId: string, change: Partial<Scenario> = {}): TraceIndex {
  return indexTrace(simulate(networkPreset(presetId)!.apply({ ...defaultScenario(), ...change })));
}

const activeDropped = run('client-stateful', { mode: 'active' });
const activeRejected = run('client-stateful-reject', { mode: 'active' });
const passiveWorks = run('client-stateful', { mode: 'passive' });
const passiveDropped = run('server-only-21', { mode: 'passive' });
const natHelper = run('client-nat-helper', { mode: 'active' });

const summary = (index: TraceIndex, t: number) =>
  connectionsAt(index, t).map((c) => ({
    channel: c.connection.channel,
    state: c.state,
    blockedAt: c.blockedAt,
    tallies: c.tallies.map((s) => `${s.node} ${s.verdict} ×${s.count}`),
  }));

describe('connections: active mode behind a stateful client firewall that drops', () => {
  const [control, data] = connectionsOf(activeDropped);

  it('finds the control connection and the data connection the server opens from port 20', () => {
    expect(connectionsOf(activeDropped)).toHaveLength(2);
    expect(control).toMatchObject({ channel: 'control', opener: 'client', serverPort: 21 });
    expect(data).toMatchObject({ channel: 'data', opener: 'server', serverPort: 20 });
    expect(data!.crosses).toEqual(['client-router', 'internet', 'server-router']);
    // The client's port is the one the PORT command named.
    const port = activeDropped.events.find((e) => e.type === 'control' && /^PORT /.test(e.text));
    const [p1, p2] = (port as { text: string }).text.split(',').slice(-2).map(Number);
    expect(data!.clientPort).toBe(p1! * 256 + p2!);
  });

  it('is opening while the first SYN travels, and blocked at the firewall once it is dropped', () => {
    const firstDrop = activeDropped.drops[0]!;
    expect(connectionAt(data!, data!.openedAt - 0.001)).toBeNull();
    expect(connectionAt(data!, data!.openedAt)).toMatchObject({
      state: 'opening',
      blockedAt: null,
    });
    expect(connectionAt(data!, firstDrop.t)).toMatchObject({
      state: 'blocked',
      blockedAt: 'client-router',
    });
  });

  it('counts every retransmitted SYN it stops, and keeps the cross to the end of the run', () => {
    const counts = activeDropped.drops.map(
      (drop) => connectionAt(data!, drop.t)!.tallies[0]!.count,
    );
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(summary(activeDropped, activeDropped.end)).toEqual([
      { channel: 'control', state: 'closed', blockedAt: null, tallies: [] },
      {
        channel: 'data',
        state: 'blocked',
        blockedAt: 'client-router',
        tallies: ['client-router DROP · rule 3 ×10'],
      },
    ]);
  });

  it('lists every drop as a moment playback must show', () => {
    const moments = stopMomentsOf(activeDropped);
    expect([...moments.times]).toEqual(activeDropped.drops.map((d) => d.t));
    expect([...moments.events]).toEqual(activeDropped.drops.map((d) => d.eventIndex));
    expect(stopMomentsOf(activeDropped)).toBe(moments);
  });

  it('is the same at t whatever was asked before', () => {
    const t = activeDropped.drops[2]!.t + 5;
    const fresh = summary(run('client-stateful', { mode: 'active' }), t);
    summary(activeDropped, activeDropped.end);
    expect(summary(activeDropped, t)).toEqual(fresh);
  });
});

describe('connections: other endings', () => {
  it('a REJECT blocks the data connection at once, with one mark', () => {
    expect(summary(activeRejected, activeRejected.end)[1]).toEqual({
      channel: 'data',
      state: 'blocked',
      blockedAt: 'client-router',
      tallies: ['client-router REJECT · rule 3 ×1'],
    });
  });

  it('a passive connection dropped by the server firewall is blocked there', () => {
    const data = summary(passiveDropped, passiveDropped.end)[1]!;
    expect(data).toMatchObject({ state: 'blocked', blockedAt: 'server-router' });
    expect(data.tallies).toEqual(['server-router DROP · rule 4 ×11']);
  });

  it('a working passive transfer opens, is established, closes, and ends closed', () => {
    const data = connectionsOf(passiveWorks).filter((c) => c.channel === 'data');
    expect(data).toHaveLength(2);
    for (const c of data) {
      expect(c.opener).toBe('client');
      expect(c.peerActor).not.toBeNull();
      expect(c.changes.map((change) => change.state)).toEqual([
        'opening',
        'established',
        'closing',
        'closed',
      ]);
    }
  });

  it('pairs the connection across NAT: the client socket that took the rewritten SYN', () => {
    const data = connectionsOf(natHelper).find((c) => c.channel === 'data')!;
    expect(data.peerActor).not.toBeNull();
    expect(natHelper.actorById.get(data.peerActor!)!.info.node).toBe('client');
    expect(data.changes.map((c) => c.state)).toEqual([
      'opening',
      'established',
      'closing',
      'closed',
    ]);
  });
});

describe('verdictLabel', () => {
  it('names the action and the rule, the policy, or the reason', () => {
    expect(verdictLabel(activeDropped.drops[0]!)).toBe('DROP · rule 3');
    expect(verdictLabel(activeRejected.drops[0]!)).toBe('REJECT · rule 3');
    expect(
      verdictLabel({
        ...activeDropped.drops[0]!,
        rule: null,
        verdict: null,
        reason: 'no route to 10.0.0.1: private',
      }),
    ).toBe('DROP · no route');
  });
});

describe('routerNotesAt', () => {
  const added = natHelper.events.findIndex((e) => e.type === 'expect' && e.op === 'add');
  const matched = natHelper.events.findIndex((e) => e.type === 'expect' && e.op === 'match');
  const at = (t: number) => routerNotesAt(natHelper, 'client-router', t).map((n) => n.text);

  it('shows the helper expectation from the PORT line until the data SYN meets it', () => {
    const addedAt = natHelper.events[added]!.t;
    const matchedAt = natHelper.events[matched]!.t;
    expect(at(addedAt - 0.001).some((text) => text.startsWith('expect'))).toBe(false);
    expect(at(addedAt)).toContain('expect 203.0.113.10:40968 ← RELATED');
    expect(at(addedAt)).toContain('helper rewrote PORT');
    expect(at(matchedAt - 0.001)).toContain('expect 203.0.113.10:40968 ← RELATED');
    expect(at(matchedAt)).toContain('RELATED: 203.0.113.10:40968');
    expect(at(matchedAt).some((text) => text.startsWith('expect'))).toBe(false);
    expect(at(matchedAt + NOTE_WINDOW_MS + 500)).not.toContain('RELATED: 203.0.113.10:40968');
  });

  it('writes the latest NAT rewrite as it happens, then lets it go', () => {
    const first = natHelper.events.find((e) => e.type === 'nat')!;
    expect(at(first.t)).toEqual(['SNAT 192.168.1.10:40961', '→ 203.0.113.10:40961']);
    expect(at(natHelper.end + NOTE_WINDOW_MS)).toEqual([]);
  });

  it('has nothing to say at a router without NAT or helper', () => {
    expect(routerNotesAt(activeDropped, 'server-router', activeDropped.end)).toEqual([]);
  });
});
