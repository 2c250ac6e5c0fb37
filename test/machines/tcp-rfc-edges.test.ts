import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { tcpSocketMachine, type TcpEvent } from '../../src/machines/tcp-socket';
import { tcpFlags, type TcpFlags, type TcpSegment } from '../../src/protocol/tcp';
import { TestClock } from './model';

const LOCAL = { address: '192.0.2.10', port: 40000 };
const REMOTE = { address: '198.51.100.20', port: 21 };

function start() {
  const clock = new TestClock();
  const actor = createActor(tcpSocketMachine, {
    input: { local: LOCAL, remote: REMOTE, iss: 1000 },
    clock,
  });
  const sent: TcpSegment[] = [];
  actor.on('transmit', (e) => sent.push(e.segment));
  actor.start();
  return { actor, sent, clock };
}

function segment(
  flags: (keyof TcpFlags)[],
  seq: number,
  ack: number,
  payload = new Uint8Array(0),
): TcpEvent {
  return {
    type: 'SEGMENT',
    segment: {
      srcPort: REMOTE.port,
      dstPort: LOCAL.port,
      seq,
      ack,
      flags: tcpFlags(...flags),
      window: 65535,
      payload,
    },
  };
}

function established() {
  const t = start();
  t.actor.send({ type: 'OPEN_ACTIVE' });
  t.actor.send(segment(['syn', 'ack'], 5000, 1001));
  t.sent.length = 0;
  return t;
}

describe('TCP edge cases against RFC 9293', () => {
  it('§3.10.7.2: LISTEN answers a stray SYN-ACK with RST, seq = SEG.ACK', () => {
    const { actor, sent } = start();
    actor.send({ type: 'OPEN_PASSIVE' });
    actor.send(segment(['syn', 'ack'], 7000, 4242));
    expect(actor.getSnapshot().value).toBe('LISTEN');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.flags.rst).toBe(true);
    expect(sent[0]!.seq).toBe(4242);
  });

  it('§3.10.7.4: a repeated SYN-ACK in ESTABLISHED (our ACK was lost) is acknowledged again', () => {
    const { actor, sent } = established();
    actor.send(segment(['syn', 'ack'], 5000, 1001));
    expect(actor.getSnapshot().value).toBe('ESTABLISHED');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.flags).toEqual(tcpFlags('ack'));
    expect(sent[0]!.ack).toBe(5001);
  });

  it('§3.10.7.4 TIME-WAIT: a retransmitted FIN is acknowledged, a plain ACK is not', () => {
    const { actor, sent } = established();
    actor.send({ type: 'CLOSE' });
    actor.send(segment(['fin', 'ack'], 5001, 1002));
    expect(actor.getSnapshot().value).toBe('TIME_WAIT');
    sent.length = 0;
    actor.send(segment(['ack'], 5002, 1002));
    expect(sent).toHaveLength(0);
    actor.send(segment(['fin', 'ack'], 5001, 1002));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.ack).toBe(5002);
  });
});
