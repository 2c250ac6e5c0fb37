import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/network/event-queue';
import type { FirewallConfig, FirewallRule, RejectWith } from '../../src/network/firewall';
import { scanControlPayload } from '../../src/network/ftp-helper';
import { Router, type RouterConfig } from '../../src/network/router';
import { TraceLog, type NodeId } from '../../src/network/trace';
import type { Packet } from '../../src/protocol/tcp';
import { ICMP_CODES } from '../../src/protocol/tcp';
import { tcp, text } from './packets';

const CLIENT = '192.0.2.10';
const SERVER_PRIVATE = '10.0.0.5';
const SERVER_PUBLIC = '198.51.100.20';

/**
 * A router alone on a bench: what it forwards and what it answers by itself are recorded. Its
 * clock stands still unless a test runs `queue` (the expectations' timeouts are on it).
 */
function bench(config: Partial<RouterConfig>) {
  const queue = new EventQueue();
  const trace = new TraceLog(queue);
  const forwarded: Packet[] = [];
  const originated: Omit<Packet, 'id' | 'ttl' | 'ipId'>[] = [];
  const router = new Router(
    {
      id: 'server-router',
      name: 'the server’s router',
      lanAddress: '10.0.0.1',
      lanSubnet: '10.0.0.0/24',
      wanAddress: SERVER_PUBLIC,
      firewall: null,
      nat: null,
      ftpHelper: false,
      ...config,
    },
    {
      trace,
      clock: queue,
      forward: (_from: NodeId, packet: Packet) => forwarded.push(packet),
      originate: (_from, packet, announce) => {
        originated.push(packet);
        announce?.({ ...packet, id: 1000 + originated.length, ttl: 64, ipId: 1 });
      },
    },
  );
  /** Sends a packet in from the Internet (inbound) or from the LAN host, returning what left. */
  const send = (packet: Packet, from: 'internet' | 'server') => {
    const before = forwarded.length;
    router.receive(packet, from);
    return forwarded.length > before ? forwarded[forwarded.length - 1]! : null;
  };
  return { router, trace, queue, forwarded, originated, send };
}

/** The server behind NAT: port 21 forwarded to 10.0.0.5, its replies masqueraded. */
const natServer: Partial<RouterConfig> = {
  nat: { masquerade: true, forwards: [{ ports: { from: 21, to: 21 }, to: SERVER_PRIVATE }] },
  ftpHelper: true,
};

/** Opens the control connection through the bench; the server's next byte is seq 5001. */
function control(b: ReturnType<typeof bench>, controlPort = 21) {
  b.send(tcp(CLIENT, 40000, SERVER_PUBLIC, controlPort, { flags: ['syn'], seq: 100 }), 'internet');
  b.send(
    tcp(SERVER_PRIVATE, controlPort, CLIENT, 40000, { flags: ['syn', 'ack'], seq: 5000, ack: 101 }),
    'server',
  );
  b.send(tcp(CLIENT, 40000, SERVER_PUBLIC, controlPort, { seq: 101, ack: 5001 }), 'internet');
}

const PASV_REPLY = '227 Entering Passive Mode (10,0,0,5,195,80).\r\n';

describe('the FTP helper on a NAT router (nf_conntrack_ftp + nf_nat_ftp)', () => {
  it('rewrites the private address in a 227 to the public one, and the reply grows by 5 bytes', () => {
    const b = bench(natServer);
    control(b);
    const out = b.send(
      tcp(SERVER_PRIVATE, 21, CLIENT, 40000, { seq: 5001, ack: 101, text: PASV_REPLY }),
      'server',
    )!;
    expect(text(out)).toBe('227 Entering Passive Mode (198,51,100,20,195,80).\r\n');
    expect(out).toMatchObject({ src: SERVER_PUBLIC, tcp: { seq: 5001 } });
    expect(b.router.conntrack!.expectations).toMatchObject([
      {
        src: CLIENT,
        dst: SERVER_PUBLIC,
        dstPort: 50000,
        natTo: { address: SERVER_PRIVATE, port: 50000 },
      },
    ]);
  });

  it('shifts the server’s later sequence numbers by 5 and the client’s ACKs back by 5', () => {
    const b = bench(natServer);
    control(b);
    b.send(tcp(SERVER_PRIVATE, 21, CLIENT, 40000, { seq: 5001, text: PASV_REPLY }), 'server');
    const next = 5001 + PASV_REPLY.length;
    const later = b.send(
      tcp(SERVER_PRIVATE, 21, CLIENT, 40000, { seq: next, text: '150 Here comes the data.\r\n' }),
      'server',
    )!;
    expect(later.tcp!.seq).toBe(next + 5);
    const ack = b.send(
      tcp(CLIENT, 40000, SERVER_PUBLIC, 21, { seq: 107, ack: next + 5 }),
      'internet',
    )!;
    expect(ack.tcp!.ack).toBe(next);
  });

  it('sends the expected data connection to the private server, once', () => {
    const b = bench(natServer);
    control(b);
    b.send(tcp(SERVER_PRIVATE, 21, CLIENT, 40000, { seq: 5001, text: PASV_REPLY }), 'server');
    const data = b.send(tcp(CLIENT, 40001, SERVER_PUBLIC, 50000, { flags: ['syn'] }), 'internet');
    expect(data).toMatchObject({ dst: SERVER_PRIVATE, tcp: { dstPort: 50000 } });
    expect(b.router.conntrack!.expectations).toEqual([]);
    expect(b.trace.events.filter((e) => e.type === 'expect').map((e) => e.op)).toEqual([
      'add',
      'match',
    ]);
    // A second connection to the same port has no expectation left: it is for the router itself.
    expect(
      b.send(tcp(CLIENT, 40002, SERVER_PUBLIC, 50000, { flags: ['syn'] }), 'internet'),
    ).toBeNull();
    expect(b.trace.events.at(-1)).toMatchObject({ type: 'drop' });
  });

  it('the connection it made is RELATED, then ESTABLISHED once answered, and names its master', () => {
    const b = bench({ ...natServer, firewall: { stateful: true, policy: 'ACCEPT', rules: [] } });
    control(b);
    b.send(tcp(SERVER_PRIVATE, 21, CLIENT, 40000, { seq: 5001, text: PASV_REPLY }), 'server');
    b.send(tcp(CLIENT, 40001, SERVER_PUBLIC, 50000, { flags: ['syn'] }), 'internet');
    b.send(tcp(SERVER_PRIVATE, 50000, CLIENT, 40001, { flags: ['syn', 'ack'] }), 'server');
    const verdicts = b.trace.events.flatMap((e) => (e.type === 'forward' ? [e.verdict.state] : []));
    expect(verdicts.slice(-3)).toEqual(['ESTABLISHED', 'RELATED', 'ESTABLISHED']);
    const [controlEntry, dataEntry] = b.router.conntrack!.all();
    expect(dataEntry).toMatchObject({ related: true, masterId: controlEntry!.id, helper: null });
  });

  it('only watches port 21: a PORT on a control connection to 2121 is left alone', () => {
    const b = bench({
      ...natServer,
      nat: {
        ...natServer.nat!,
        forwards: [{ ports: { from: 2121, to: 2121 }, to: SERVER_PRIVATE }],
      },
    });
    control(b, 2121);
    expect(b.router.conntrack!.all()[0]).toMatchObject({ helper: null });
    const out = b.send(
      tcp(SERVER_PRIVATE, 2121, CLIENT, 40000, { seq: 5001, text: PASV_REPLY }),
      'server',
    )!;
    expect(text(out)).toBe(PASV_REPLY);
    expect(b.router.conntrack!.expectations).toEqual([]);
  });

  it('ignores a 227 naming an address that is not the sender’s own (loose=0)', () => {
    const b = bench(natServer);
    control(b);
    const elsewhere = '227 Entering Passive Mode (10,0,0,9,195,80).\r\n';
    const out = b.send(
      tcp(SERVER_PRIVATE, 21, CLIENT, 40000, { seq: 5001, text: elsewhere }),
      'server',
    )!;
    expect(text(out)).toBe(elsewhere);
    expect(b.router.conntrack!.expectations).toEqual([]);
    expect(b.trace.events.some((e) => e.type === 'note' && e.text.includes('not the sender'))).toBe(
      true,
    );
  });

  it('expects, but does not rewrite, where there is no NAT', () => {
    const b = bench({
      ftpHelper: true,
      lanSubnet: '198.51.100.0/24',
      lanAddress: '198.51.100.1',
      wanAddress: '203.0.113.1',
    });
    b.send(tcp(CLIENT, 40000, SERVER_PUBLIC, 21, { flags: ['syn'] }), 'internet');
    b.send(tcp(SERVER_PUBLIC, 21, CLIENT, 40000, { flags: ['syn', 'ack'] }), 'server');
    const pasv = '227 Entering Passive Mode (198,51,100,20,195,80).\r\n';
    const out = b.send(tcp(SERVER_PUBLIC, 21, CLIENT, 40000, { seq: 5001, text: pasv }), 'server')!;
    expect(text(out)).toBe(pasv);
    expect(b.router.conntrack!.expectations).toMatchObject([
      { src: CLIENT, dst: SERVER_PUBLIC, dstPort: 50000, natTo: null },
    ]);
    expect(b.trace.events.some((e) => e.type === 'nat')).toBe(false);
  });

  it('a data SYN the filter drops still uses the expectation up: its retransmission is NEW', () => {
    // Measured on Linux 6.18 (test/lab/expectation.test.ts): with the helper on port 21 and
    // `ct state related drop`, /proc/net/nf_conntrack_expect lists the 227's expectation before
    // the first data SYN and nothing after it; counters saw 1 RELATED SYN and 5 NEW
    // retransmissions, and with NEW accepted the first retransmission connected (after 1.01 s).
    const b = bench({
      ftpHelper: true,
      lanSubnet: '198.51.100.0/24',
      lanAddress: '198.51.100.1',
      wanAddress: '203.0.113.1',
      firewall: {
        stateful: true,
        policy: 'ACCEPT',
        rules: [{ name: 'no related', direction: 'inbound', state: ['RELATED'], action: 'DROP' }],
      },
    });
    b.send(tcp(CLIENT, 40000, SERVER_PUBLIC, 21, { flags: ['syn'] }), 'internet');
    b.send(tcp(SERVER_PUBLIC, 21, CLIENT, 40000, { flags: ['syn', 'ack'] }), 'server');
    const pasv = '227 Entering Passive Mode (198,51,100,20,195,80).\r\n';
    b.send(tcp(SERVER_PUBLIC, 21, CLIENT, 40000, { seq: 5001, text: pasv }), 'server');
    const dataSyn = tcp(CLIENT, 40001, SERVER_PUBLIC, 50000, { flags: ['syn'] });
    expect(b.send(dataSyn, 'internet')).toBeNull();
    expect(b.router.conntrack!.expectations).toEqual([]);
    expect(b.router.conntrack!.all()).toHaveLength(1);
    expect(b.send(dataSyn, 'internet')).toMatchObject({ dst: SERVER_PUBLIC });
    const verdicts = b.trace.events.flatMap((e) =>
      e.type === 'drop' || e.type === 'forward' ? [`${e.type} ${e.verdict?.state}`] : [],
    );
    expect(verdicts.slice(-2)).toEqual(['drop RELATED', 'forward NEW']);
    expect(b.trace.events.filter((e) => e.type === 'expect').map((e) => e.op)).toEqual([
      'add',
      'match',
    ]);
  });

  it('forgets an expectation no packet matched after 300 s, and says so in the trace then', () => {
    // nf_conntrack_ftp's expect policy: .timeout = 5 * 60 (FTP_EXPECT_POLICY). Only RELATED may
    // pass to the data port, so a SYN after the timeout is NEW and dropped.
    const b = bench({
      ftpHelper: true,
      lanSubnet: '198.51.100.0/24',
      lanAddress: '198.51.100.1',
      wanAddress: '203.0.113.1',
      firewall: {
        stateful: true,
        policy: 'DROP',
        rules: [
          {
            name: 'control',
            direction: 'inbound',
            protocol: 'tcp',
            dstPort: { from: 21, to: 21 },
            action: 'ACCEPT',
          },
          { name: 'related', direction: 'inbound', state: ['RELATED'], action: 'ACCEPT' },
          { name: 'replies', direction: 'outbound', action: 'ACCEPT' },
        ],
      },
    });
    b.send(tcp(CLIENT, 40000, SERVER_PUBLIC, 21, { flags: ['syn'] }), 'internet');
    b.send(tcp(SERVER_PUBLIC, 21, CLIENT, 40000, { flags: ['syn', 'ack'] }), 'server');
    const pasv = '227 Entering Passive Mode (198,51,100,20,195,80).\r\n';
    b.send(tcp(SERVER_PUBLIC, 21, CLIENT, 40000, { seq: 5001, text: pasv }), 'server');
    expect(b.router.conntrack!.expectations).toHaveLength(1);
    expect(b.queue.peekTime()).toBe(300_000);
    b.queue.step();
    expect(b.queue.now).toBe(300_000);
    expect(b.router.conntrack!.expectations).toEqual([]);
    const expiry = b.trace.events.at(-1)!;
    expect(expiry).toMatchObject({
      t: 300_000,
      type: 'expect',
      node: 'server-router',
      op: 'expire',
      expectation: { src: CLIENT, dst: SERVER_PUBLIC, dstPort: 50000 },
    });
    const dataSyn = tcp(CLIENT, 40001, SERVER_PUBLIC, 50000, { flags: ['syn'] });
    expect(b.send(dataSyn, 'internet')).toBeNull();
    expect(b.trace.events.at(-1)).toMatchObject({ type: 'drop', verdict: { state: 'NEW' } });
  });

  it('an expectation matched or replaced leaves no timer behind', () => {
    const b = bench({
      ftpHelper: true,
      lanSubnet: '198.51.100.0/24',
      lanAddress: '198.51.100.1',
      wanAddress: '203.0.113.1',
    });
    b.send(tcp(CLIENT, 40000, SERVER_PUBLIC, 21, { flags: ['syn'] }), 'internet');
    b.send(tcp(SERVER_PUBLIC, 21, CLIENT, 40000, { flags: ['syn', 'ack'] }), 'server');
    const pasv = (p2: number) => `227 Entering Passive Mode (198,51,100,20,195,${p2}).\r\n`;
    b.send(tcp(SERVER_PUBLIC, 21, CLIENT, 40000, { seq: 5001, text: pasv(80) }), 'server');
    b.send(tcp(SERVER_PUBLIC, 21, CLIENT, 40000, { seq: 5050, text: pasv(81) }), 'server');
    expect(b.router.conntrack!.expectations.map((e) => e.dstPort)).toEqual([50001]);
    b.send(tcp(CLIENT, 40001, SERVER_PUBLIC, 50001, { flags: ['syn'] }), 'internet');
    expect(b.router.conntrack!.expectations).toEqual([]);
    // Nothing is left to run: a finished session's queue does not wait 300 s for a timer.
    expect(b.queue.peekTime()).toBeUndefined();
    expect(b.trace.events.filter((e) => e.type === 'expect').map((e) => e.op)).toEqual([
      'add',
      'add',
      'match',
    ]);
  });

  it('never expects a connection for a line it did not read', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 50 }),
          fc.constantFrom(PASV_REPLY, '227 (10,0,0,5,1,2)\r\n', '229 (|||50000|)\r\n', '227 x\r\n'),
        ),
        (line) => {
          const b = bench(natServer);
          control(b);
          b.send(tcp(SERVER_PRIVATE, 21, CLIENT, 40000, { seq: 5001, text: line }), 'server');
          const read = scanControlPayload(
            Uint8Array.from(line, (c) => c.charCodeAt(0)),
            'reply',
          );
          const own = read !== null && (read.address ?? SERVER_PRIVATE) === SERVER_PRIVATE;
          expect(b.router.conntrack!.expectations.length).toBe(own ? 1 : 0);
        },
      ),
    );
  });
});

describe('DROP and REJECT at the FORWARD chain', () => {
  const blockData = (action: FirewallRule['action'], rejectWith?: RejectWith): FirewallConfig => ({
    stateful: true,
    policy: 'ACCEPT',
    rules: [
      {
        name: 'no data',
        direction: 'inbound',
        dstPort: { from: 1024, to: 65535 },
        action,
        ...(rejectWith ? { rejectWith } : {}),
      },
    ],
  });
  const dataSyn = tcp(CLIENT, 40001, '10.0.0.5', 50000, { flags: ['syn'], seq: 7000 });
  const LAN = { lanSubnet: '10.0.0.0/24' };

  it('DROP is silent: nothing forwarded, nothing sent back, the drop names the rule and state', () => {
    const b = bench({ ...LAN, firewall: blockData('DROP') });
    expect(b.send(dataSyn, 'internet')).toBeNull();
    expect(b.originated).toEqual([]);
    expect(b.trace.events.at(-1)).toMatchObject({
      type: 'drop',
      verdict: { action: 'DROP', ruleNumber: 1, state: 'NEW' },
    });
  });

  it('REJECT with tcp-reset answers the SYN with a RST+ACK from the address it was sent to', () => {
    const b = bench({ ...LAN, firewall: blockData('REJECT', 'tcp-reset') });
    b.send(dataSyn, 'internet');
    expect(b.originated).toMatchObject([
      {
        src: '10.0.0.5',
        dst: CLIENT,
        tcp: { srcPort: 50000, dstPort: 40001, ack: 7001, flags: { rst: true, ack: true } },
      },
    ]);
    expect(b.trace.events.at(-1)).toMatchObject({ type: 'reject' });
  });

  it('REJECT answers ICMP port unreachable by default, from the router’s own address', () => {
    const b = bench({ ...LAN, firewall: blockData('REJECT') });
    b.send(dataSyn, 'internet');
    expect(b.originated).toMatchObject([
      {
        src: SERVER_PUBLIC,
        dst: CLIENT,
        icmp: {
          type: 3,
          code: ICMP_CODES.portUnreachable,
          original: { dstPort: 50000, seq: 7000 },
        },
      },
    ]);
  });

  it('REJECT with icmp-admin-prohibited answers code 13', () => {
    const b = bench({ ...LAN, firewall: blockData('REJECT', 'icmp-admin-prohibited') });
    b.send(dataSyn, 'internet');
    expect(b.originated[0]!.icmp!.code).toBe(ICMP_CODES.adminProhibited);
  });

  it('never answers a RST with a RST: tcp-reset falls back to ICMP', () => {
    const b = bench({ ...LAN, firewall: blockData('REJECT', 'tcp-reset') });
    b.send(tcp(CLIENT, 40001, '10.0.0.5', 50000, { flags: ['rst'] }), 'internet');
    expect(b.originated).toMatchObject([{ icmp: { code: ICMP_CODES.portUnreachable } }]);
  });

  it('a refused packet is not tracked: conntrack confirms only what got through', () => {
    const b = bench({ ...LAN, firewall: blockData('DROP') });
    b.send(dataSyn, 'internet');
    expect(b.router.conntrack!.all()).toEqual([]);
  });

  it('a stray RST is INVALID and falls to the DROP policy of an "established only" firewall', () => {
    const firewall: FirewallConfig = {
      stateful: true,
      policy: 'DROP',
      rules: [
        {
          name: 'in: established',
          direction: 'inbound',
          state: ['ESTABLISHED', 'RELATED'],
          action: 'ACCEPT',
        },
      ],
    };
    const b = bench({ ...LAN, firewall });
    b.send(tcp(CLIENT, 40001, '10.0.0.5', 50000, { flags: ['rst'] }), 'internet');
    expect(b.trace.events.at(-1)).toMatchObject({
      type: 'drop',
      verdict: { by: 'policy', state: 'INVALID' },
    });
  });
});

describe('masquerade and routing', () => {
  const clientRouter: Partial<RouterConfig> = {
    id: 'client-router',
    lanAddress: '192.168.1.1',
    lanSubnet: '192.168.1.0/24',
    wanAddress: '203.0.113.10',
    nat: { masquerade: true, forwards: [] },
  };

  it('keeps the source port unless another connection already uses it', () => {
    const b = bench(clientRouter);
    const first = b.send(
      tcp('192.168.1.20', 40000, SERVER_PUBLIC, 21, { flags: ['syn'] }),
      'server',
    )!;
    const second = b.send(
      tcp('192.168.1.21', 40000, SERVER_PUBLIC, 21, { flags: ['syn'] }),
      'server',
    )!;
    expect(first).toMatchObject({ src: '203.0.113.10', tcp: { srcPort: 40000 } });
    expect(second).toMatchObject({ src: '203.0.113.10', tcp: { srcPort: 40001 } });
    const back = b.send(
      tcp(SERVER_PUBLIC, 21, '203.0.113.10', 40001, { flags: ['syn', 'ack'] }),
      'internet',
    )!;
    expect(back).toMatchObject({ dst: '192.168.1.21', tcp: { dstPort: 40000 } });
  });

  it('a stateless router without NAT or helper tracks nothing', () => {
    expect(
      bench({ firewall: { stateful: false, policy: 'ACCEPT', rules: [] } }).router.conntrack,
    ).toBeNull();
  });

  it('routes its LAN subnet to the LAN host and everything else to the Internet', () => {
    const { router } = bench(clientRouter);
    expect(router.routeFor('192.168.1.20', 'client')).toBe('client');
    expect(router.routeFor(SERVER_PUBLIC, 'client')).toBe('internet');
  });
});
