import { describe, expect, it } from 'vitest';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { actorOfEvent, indexTrace } from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';

// The state panel shows the actor of whatever the ladder's arrow or a packet glyph picked.
const index = indexTrace(
  simulate(networkPreset('client-nat-helper')!.apply({ ...defaultScenario(), mode: 'active' })),
);
const firstOf = (type: string, test: (e: never) => boolean = () => true) =>
  index.events.findIndex((e) => e.type === type && test(e as never));

describe('actorOfEvent', () => {
  it("names the client's control socket for its first SYN, on every hop and through NAT", () => {
    const send = firstOf('send');
    const packetId = (index.events[send] as { packet: { id: number } }).packet.id;
    const carrying = index.events
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => 'packet' in e && e.packet.id === packetId);
    expect(carrying.length).toBeGreaterThan(3);
    for (const { i } of carrying) expect(actorOfEvent(index, i)).toBe('client/tcp-1');
  });

  it("names the server's data socket for the data connection's SYN", () => {
    const syn = firstOf(
      'send',
      (e: { packet: { channel: string } }) => e.packet.channel === 'data',
    );
    expect(index.actorById.get(actorOfEvent(index, syn)!)!.info.label).toBe(
      'FTP server active data connection',
    );
  });

  it('names the actor of a transition or an FTP line, and no one for a conntrack change', () => {
    const transition = firstOf('transition');
    expect(actorOfEvent(index, transition)).toBe(
      (index.events[transition] as { actor: string }).actor,
    );
    expect(actorOfEvent(index, firstOf('control'))).toBe('server/ftp-1');
    expect(actorOfEvent(index, firstOf('conntrack'))).toBeNull();
    expect(actorOfEvent(index, -1)).toBeNull();
  });
});
