import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Conntrack, invert, packetTuple, type Expectation } from '../../src/network/conntrack';
import { EventQueue } from '../../src/network/event-queue';
import type { Packet } from '../../src/protocol/tcp';
import { seqAdd } from '../../src/protocol/tcp';
import { icmpAbout, tcp } from './packets';

const CLIENT = '192.0.2.10';
const SERVER = '198.51.100.20';

/** A table holding one confirmed connection for `first`, with no NAT (reply = inverted orig). */
function tracking(first: Packet) {
  const ct = new Conntrack();
  const orig = packetTuple(first);
  const entry = ct.create(orig, invert(orig), { helper: null, master: null });
  ct.updateTcpState(entry, 'orig', first);
  return { ct, entry };
}

const controlSyn = tcp(CLIENT, 40000, SERVER, 21, { flags: ['syn'] });
const controlSynAck = tcp(SERVER, 21, CLIENT, 40000, { flags: ['syn', 'ack'] });

describe('conntrack states (conntrack(8): NEW, ESTABLISHED, RELATED, INVALID)', () => {
  it('a first SYN is NEW, and so is its retransmission until the other side answers', () => {
    expect(new Conntrack().classify(controlSyn).state).toBe('NEW');
    const { ct } = tracking(controlSyn);
    expect(ct.classify(controlSyn)).toMatchObject({ state: 'NEW', dir: 'orig' });
  });

  it('the answer is ESTABLISHED, and once it is seen so is everything after in both directions', () => {
    const { ct, entry } = tracking(controlSyn);
    expect(ct.classify(controlSynAck)).toMatchObject({ state: 'ESTABLISHED', dir: 'reply' });
    ct.updateTcpState(entry, 'reply', controlSynAck);
    expect(ct.classify(tcp(CLIENT, 40000, SERVER, 21)).state).toBe('ESTABLISHED');
  });

  it('a RST that belongs to no connection is INVALID; a stray ACK starts tracking (nf_conntrack_tcp_loose=1)', () => {
    const ct = new Conntrack();
    expect(ct.classify(tcp(SERVER, 20, CLIENT, 50000, { flags: ['rst'] })).state).toBe('INVALID');
    expect(ct.classify(tcp(SERVER, 20, CLIENT, 50000, { flags: ['ack'] })).state).toBe('NEW');
  });

  it('an ICMP error quoting a tracked connection is RELATED to it, from either side; otherwise INVALID', () => {
    const { ct, entry } = tracking(controlSyn);
    const fromServerSide = icmpAbout('198.51.100.1', controlSyn);
    expect(ct.classify(fromServerSide)).toMatchObject({ state: 'RELATED', entry, dir: 'orig' });
    expect(ct.classify(icmpAbout('192.0.2.1', controlSynAck))).toMatchObject({
      state: 'RELATED',
      dir: 'reply',
    });
    const unknown = icmpAbout('198.51.100.1', tcp(CLIENT, 40001, SERVER, 21, { flags: ['syn'] }));
    expect(ct.classify(unknown)).toMatchObject({ state: 'INVALID', entry: null });
  });

  it('follows the TCP flags to the state conntrack -L shows, ASSURED once both sides have spoken', () => {
    const { ct, entry } = tracking(controlSyn);
    const states: string[] = [entry.tcpState];
    const step = (dir: 'orig' | 'reply', p: Packet) => {
      ct.updateTcpState(entry, dir, p);
      states.push(entry.tcpState);
    };
    step('reply', controlSynAck);
    expect(entry.assured).toBe(false);
    step('orig', tcp(CLIENT, 40000, SERVER, 21));
    expect(entry.assured).toBe(true);
    step('orig', tcp(CLIENT, 40000, SERVER, 21, { flags: ['fin', 'ack'] }));
    step('reply', tcp(SERVER, 21, CLIENT, 40000, { flags: ['fin', 'ack'] }));
    step('orig', tcp(CLIENT, 40000, SERVER, 21));
    expect(states).toEqual([
      'SYN_SENT',
      'SYN_RECV',
      'ESTABLISHED',
      'FIN_WAIT',
      'LAST_ACK',
      'TIME_WAIT',
    ]);
    step('orig', tcp(CLIENT, 40000, SERVER, 21, { flags: ['rst'] }));
    expect(entry.tcpState).toBe('CLOSE');
  });

  it('names the NAT an entry does by comparing its two tuples', () => {
    const ct = new Conntrack();
    const orig = packetTuple(tcp('10.0.0.5', 40000, SERVER, 21, { flags: ['syn'] }));
    const snat = { ...invert(orig), dst: '203.0.113.10' };
    const dnat = { ...invert(orig), src: '10.1.0.5' };
    expect(ct.create(orig, invert(orig), { helper: null, master: null }).nat).toBeNull();
    expect(ct.create(orig, snat, { helper: null, master: null }).nat).toBe('snat');
    expect(ct.create(orig, dnat, { helper: null, master: null }).nat).toBe('dnat');
    expect(ct.create(orig, { ...snat, src: '10.1.0.5' }, { helper: null, master: null }).nat).toBe(
      'both',
    );
  });
});

describe('expectations (what the FTP helper registers for a data connection)', () => {
  // After "PORT 192,0,2,10,195,80" the client's firewall expects the server on 192.0.2.10:50000.
  const expected = { masterId: 1, src: SERVER, dst: CLIENT, dstPort: 50000, natTo: null };

  it('makes the first packet of the announced connection RELATED, from any source port', () => {
    const ct = new Conntrack();
    const expectation = ct.addExpectation({ ...expected, cause: 'PORT 192,0,2,10,195,80' });
    for (const srcPort of [20, 33333]) {
      expect(ct.classify(tcp(SERVER, srcPort, CLIENT, 50000, { flags: ['syn'] }))).toMatchObject({
        state: 'RELATED',
        entry: null,
        expectation,
      });
    }
  });

  it('does not match another destination port or another source address', () => {
    const ct = new Conntrack();
    ct.addExpectation({ ...expected, cause: 'PORT' });
    expect(ct.classify(tcp(SERVER, 20, CLIENT, 50001, { flags: ['syn'] })).state).toBe('NEW');
    expect(ct.classify(tcp('203.0.113.9', 20, CLIENT, 50000, { flags: ['syn'] })).state).toBe(
      'NEW',
    );
  });

  // The router consumes it as soon as a packet matches, before its filter decides, as Linux
  // does (test/network/router.test.ts, measured in test/lab/expectation.test.ts).
  it('is consumed once: after it, the same SYN from elsewhere is NEW again', () => {
    const ct = new Conntrack();
    const expectation = ct.addExpectation({ ...expected, cause: 'PORT' });
    ct.consumeExpectation(expectation);
    expect(ct.expectations).toEqual([]);
    expect(ct.classify(tcp(SERVER, 20, CLIENT, 50000, { flags: ['syn'] })).state).toBe('NEW');
  });

  it('the connection made from it stays RELATED until answered, and knows its master', () => {
    const ct = new Conntrack();
    const expectation = ct.addExpectation({ ...expected, cause: 'PORT' });
    const dataSyn = tcp(SERVER, 20, CLIENT, 50000, { flags: ['syn'] });
    const orig = packetTuple(dataSyn);
    const entry = ct.create(orig, invert(orig), { helper: null, master: expectation });
    expect(entry).toMatchObject({ related: true, masterId: 1 });
    expect(ct.classify(dataSyn).state).toBe('RELATED');
    ct.updateTcpState(entry, 'reply', tcp(CLIENT, 50000, SERVER, 20, { flags: ['syn', 'ack'] }));
    expect(ct.classify(dataSyn).state).toBe('ESTABLISHED');
  });

  // Measured on Linux 6.18 (test/lab/expectation.test.ts): after two PASVs in a row on one
  // control connection /proc/net/nf_conntrack_expect lists one expectation, the second's port.
  it('a newer command on the same control connection replaces the older expectation (max_expected=1)', () => {
    const ct = new Conntrack();
    ct.addExpectation({ ...expected, cause: 'PORT ...195,80' });
    ct.addExpectation({ ...expected, dstPort: 50001, cause: 'PORT ...195,81' });
    ct.addExpectation({ ...expected, masterId: 7, dstPort: 50002, cause: 'other session' });
    expect(ct.expectations.map((e) => e.dstPort)).toEqual([50001, 50002]);
  });
});

describe('an expectation times out (nf_conntrack_ftp: .timeout = 5 * 60)', () => {
  const expected = { masterId: 1, src: SERVER, dst: CLIENT, dstPort: 50000, natTo: null };
  const dataSyn = tcp(SERVER, 20, CLIENT, 50000, { flags: ['syn'] });

  /** A table on the simulation's clock, noting when each expectation ran out. */
  function timed() {
    const queue = new EventQueue();
    const expired: [number, Expectation][] = [];
    const ct = new Conntrack(queue, (e) => expired.push([queue.now, e]));
    return { queue, ct, expired };
  }

  it('is RELATED until 300 s after the line that announced it, and gone from then on', () => {
    const { queue, ct, expired } = timed();
    queue.schedule(1000, () => ct.addExpectation({ ...expected, cause: 'PORT' }));
    queue.step();
    queue.schedule(300_999, () => expect(ct.classify(dataSyn).state).toBe('RELATED'));
    queue.step();
    queue.step();
    expect(queue.now).toBe(301_000);
    expect(ct.expectations).toEqual([]);
    expect(expired).toMatchObject([[301_000, { dstPort: 50000, cause: 'PORT' }]]);
    expect(ct.classify(dataSyn).state).toBe('NEW');
  });

  it('a newer command’s expectation gets its own 300 s, and the replaced one never expires', () => {
    const { queue, ct, expired } = timed();
    ct.addExpectation({ ...expected, cause: 'PASV 1' });
    queue.schedule(200_000, () =>
      ct.addExpectation({ ...expected, dstPort: 50001, cause: 'PASV 2' }),
    );
    while (queue.step());
    expect(expired.map(([t, e]) => [t, e.cause])).toEqual([[500_000, 'PASV 2']]);
  });

  it('a used-up expectation never expires', () => {
    const { queue, ct, expired } = timed();
    ct.consumeExpectation(ct.addExpectation({ ...expected, cause: 'PORT' }));
    expect(queue.peekTime()).toBeUndefined();
    expect(expired).toEqual([]);
  });

  it('without a clock (a bench table) it waits for ever', () => {
    const ct = new Conntrack();
    ct.addExpectation({ ...expected, cause: 'PORT' });
    expect(ct.classify(dataSyn).state).toBe('RELATED');
  });
});

describe('sequence adjustment after a helper resized a payload (seqadj)', () => {
  it('shifts later sequence numbers of that direction and un-shifts the other side’s ACKs', () => {
    const { ct, entry } = tracking(controlSyn);
    // A 227 reply at seq 5000 grew by 5 bytes on its way out (10,0,0,5 → 198,51,100,20).
    ct.addSeqOffset(entry, 'reply', 5000, 5);
    const resized = ct.adjustSequence(
      entry,
      'reply',
      tcp(SERVER, 21, CLIENT, 40000, { seq: 5000 }),
    );
    expect(resized.tcp!.seq).toBe(5000);
    const next = ct.adjustSequence(entry, 'reply', tcp(SERVER, 21, CLIENT, 40000, { seq: 5050 }));
    expect(next.tcp!.seq).toBe(5055);
    const ack = ct.adjustSequence(entry, 'orig', tcp(CLIENT, 40000, SERVER, 21, { ack: 5055 }));
    expect(ack.tcp!.ack).toBe(5050);
    const oldAck = ct.adjustSequence(entry, 'orig', tcp(CLIENT, 40000, SERVER, 21, { ack: 4990 }));
    expect(oldAck.tcp!.ack).toBe(4990);
  });

  it('leaves a packet alone when no payload changed length', () => {
    const { ct, entry } = tracking(controlSyn);
    const p = tcp(CLIENT, 40000, SERVER, 21, { seq: 1, ack: 2 });
    expect(ct.adjustSequence(entry, 'orig', p)).toBe(p);
  });

  // The law: what one side sent, rewritten on the way out, comes back acknowledged in the
  // sender's own sequence space, even across the 2^32 wrap.
  it('rewriting SEQ then un-rewriting the ACK that answers it is the identity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: -8, max: 8 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 1460 }),
        (start, rewrites, after, length) => {
          const { ct, entry } = tracking(controlSyn);
          // Each rewrite resizes one segment of `size` bytes at the sender's current position, recorded
          // at its sequence number as sent (before any adjustment), as the router records it.
          let seq = start;
          for (const [size, delta] of rewrites) {
            ct.addSeqOffset(entry, 'orig', seq, delta);
            seq = seqAdd(seq, size);
          }
          const sent = seqAdd(seq, after);
          const out = ct.adjustSequence(
            entry,
            'orig',
            tcp(CLIENT, 40000, SERVER, 21, { seq: sent }),
          );
          const answer = tcp(SERVER, 21, CLIENT, 40000, { ack: seqAdd(out.tcp!.seq, length) });
          const back = ct.adjustSequence(entry, 'reply', answer);
          expect(back.tcp!.ack).toBe(seqAdd(sent, length));
        },
      ),
    );
  });
});
