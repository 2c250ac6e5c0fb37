import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index';
import { LINKTYPE } from '../../src/capture/link';
import { ipv4, pcap, Peer, tcp, TCP } from './build';

/** A capture from raw IP frames, 10 ms apart unless a frame says otherwise. */
function capture(packets: (Uint8Array | { data: Uint8Array; original?: number; tMs?: number })[]) {
  return readCapture(
    pcap(
      packets.map((p, i) =>
        p instanceof Uint8Array ? { data: p, tMs: 1000 + i * 10 } : { tMs: 1000 + i * 10, ...p },
      ),
      { linkType: LINKTYPE.raw },
    ),
  );
}

function handshake(client: Peer, server: Peer): Uint8Array[] {
  return [client.syn(server), server.syn(client, true)];
}

const lines = (analysis: ReturnType<typeof readCapture>) =>
  analysis.sessions[0]!.session.dialogue.map((l) => `${l.from === 'client' ? '>' : '<'} ${l.text}`);

describe('the control dialogue, reassembled by sequence number', () => {
  it('one line split over segments, and several lines in one segment', () => {
    const c = new Peer('192.0.2.10', 40000, 1000);
    const s = new Peer('198.51.100.20', 21, 5000);
    const a = capture([
      ...handshake(c, s),
      s.send(c, '220 Wel'),
      s.send(c, 'come\r'),
      s.send(c, '\n'),
      c.send(s, 'USER anonymous\r\n'),
      s.send(c, '331 Password?\r\n'),
      c.send(s, 'PASS x\r\nSYST\r\n'),
      s.send(c, '230 Logged in.\r\n215 UNIX Type: L8\r\n'),
    ]);
    expect(lines(a)).toEqual([
      '< 220 Welcome',
      '> USER anonymous',
      '< 331 Password?',
      '> PASS x',
      '> SYST',
      '< 230 Logged in.',
      '< 215 UNIX Type: L8',
    ]);
    const { session } = a.sessions[0]!;
    expect(session.commands).toEqual(['USER anonymous', 'PASS ****', 'SYST']);
    expect(session.replyCodes).toEqual([220, 331, 230, 215]);
    expect(session.gaps).toEqual([]);
  });

  it('out-of-order and retransmitted segments: each byte once, in sequence order', () => {
    const c = new Peer('192.0.2.10', 40000, 1000);
    const s = new Peer('198.51.100.20', 21, 0xfffffff0); // the sequence numbers wrap mid-stream
    const [syn, synAck] = handshake(c, s);
    const first = s.send(c, '220-Hello\r\n');
    const second = s.send(c, '220 there\r\n');
    const a = capture([syn!, synAck!, second, first, first, second]);
    expect(lines(a)).toEqual(['< 220-Hello', '< 220 there']);
    expect(a.sessions[0]!.session.replyCodes).toEqual([220]);
    const server = a.connections[0]!.fromAcceptor;
    expect(server.retransmissions).toBe(2);
    expect(server.bytes).toBe(22);
  });

  it('a segment that overlaps what came before adds only its new bytes', () => {
    const c = new Peer('192.0.2.10', 40000, 1000);
    const s = new Peer('198.51.100.20', 21, 5000);
    const hs = handshake(c, s);
    const start = s.seq;
    s.send(c, '220 Hel');
    s.seq = start;
    const overlapping = s.send(c, '220 Hello\r\n');
    s.seq = start;
    const head = s.send(c, '220 Hel');
    const a = capture([...hs, head, overlapping]);
    expect(lines(a)).toEqual(['< 220 Hello']);
    expect(a.connections[0]!.fromAcceptor.bytes).toBe(11);
  });

  it('bytes never captured are said as a gap, not guessed', () => {
    const c = new Peer('192.0.2.10', 40000, 1000);
    const s = new Peer('198.51.100.20', 21, 5000);
    const hs = handshake(c, s);
    const greeting = s.send(c, '220 Hi\r\n');
    s.send(c, '331 Password required\r\n'); // lost before the capture point
    const later = s.send(c, '230 OK\r\n');
    const a = capture([...hs, greeting, later]);
    expect(lines(a)).toEqual(['< 220 Hi', '< [23 bytes not captured]230 OK']);
    expect(a.sessions[0]!.session.gaps).toEqual([
      { tMs: 1030, at: 8, bytes: 23, why: 'not captured', from: 'server' },
    ]);
    expect(a.sessions[0]!.diagnosis.notes[0]).toBe(
      "23 bytes of the server's control stream not captured (at stream byte 8)",
    );
  });

  it('a frame the snap length cut: the kept bytes, then the number cut off', () => {
    const c = new Peer('192.0.2.10', 40000, 1000);
    const s = new Peer('198.51.100.20', 21, 5000);
    const hs = handshake(c, s);
    const full = s.send(c, '220 A long greeting\r\n');
    const a = capture([
      ...hs,
      { data: full.subarray(0, 40 + 6), original: full.length },
      s.send(c, '331 Next\r\n'),
    ]);
    expect(lines(a)).toEqual(['< 220 A [15 bytes cut by the snap length]331 Next']);
    expect(a.sessions[0]!.session.gaps[0]).toMatchObject({
      bytes: 15,
      why: 'cut by the snap length',
    });
  });

  it('a capture that starts mid-session reads from the first byte it holds', () => {
    const c = new Peer('192.0.2.10', 40000, 1000);
    const s = new Peer('198.51.100.20', 21, 5000);
    const a = capture([c.send(s, 'PWD\r\n'), s.send(c, '257 "/" is the current directory\r\n')]);
    expect(lines(a)).toEqual(['> PWD', '< 257 "/" is the current directory']);
  });

  it('finds FTP on another port by its greeting or first command', () => {
    const c = new Peer('192.0.2.10', 40000, 1000);
    const s = new Peer('198.51.100.20', 2121, 5000);
    const a = capture([...handshake(c, s), s.send(c, '220 ready\r\n'), c.send(s, 'USER a\r\n')]);
    expect(a.sessions).toHaveLength(1);
    expect(a.sessions[0]!.session.server).toEqual({ address: '198.51.100.20', port: 2121 });
    const c2 = new Peer('192.0.2.10', 40001, 1000);
    const s2 = new Peer('198.51.100.20', 2200, 5000);
    const b = capture([...handshake(c2, s2), c2.send(s2, 'USER a\r\n')]);
    expect(b.sessions).toHaveLength(1);
    const other = capture([...handshake(c2, s2), c2.send(s2, 'GET / HTTP/1.1\r\n')]);
    expect(other.sessions).toHaveLength(0);
  });
});

function dialogue(
  mode: 'active' | 'passive',
  dataResult: 'completed' | 'dropped' | 'rst' | 'icmp',
) {
  const c = new Peer('192.0.2.10', 40000, 1000);
  const s = new Peer('198.51.100.20', 21, 5000);
  const packets: Uint8Array[] = [
    ...handshake(c, s),
    s.send(c, '220 hi\r\n'),
    c.send(s, 'USER a\r\n'),
    s.send(c, '230 ok\r\n'),
  ];
  let dataClient: Peer;
  let dataServer: Peer;
  if (mode === 'active') {
    packets.push(
      c.send(s, 'PORT 192,0,2,10,195,80\r\n'),
      s.send(c, '200 PORT command successful.\r\n'),
    );
    dataClient = new Peer('192.0.2.10', 50000, 9000);
    dataServer = new Peer('198.51.100.20', 20, 7000);
  } else {
    packets.push(
      c.send(s, 'PASV\r\n'),
      s.send(c, '227 Entering Passive Mode (198,51,100,20,117,48).\r\n'),
    );
    dataClient = new Peer('192.0.2.10', 45000, 9000);
    dataServer = new Peer('198.51.100.20', 30000, 7000);
  }
  packets.push(c.send(s, 'LIST\r\n'));
  const [opener, acceptor] =
    mode === 'active' ? [dataServer, dataClient] : [dataClient, dataServer];
  const syn = opener.syn(acceptor);
  packets.push(syn);
  if (dataResult === 'completed') {
    packets.push(
      acceptor.syn(opener, true),
      dataServer.send(dataClient, 'file.txt\r\n', TCP.ack | TCP.psh | TCP.fin),
    );
    packets.push(s.send(c, '150 Here it comes.\r\n'), s.send(c, '226 Done.\r\n'));
  } else {
    if (dataResult === 'dropped') {
      opener.seq = (opener.seq - 1) >>> 0;
      packets.push(opener.syn(acceptor));
    }
    if (dataResult === 'rst')
      packets.push(
        ipv4(
          acceptor.address,
          opener.address,
          tcp({
            sport: acceptor.port,
            dport: opener.port,
            seq: 0,
            ack: opener.seq,
            flags: TCP.rst | TCP.ack,
          }),
        ),
      );
    if (dataResult === 'icmp')
      packets.push(
        ipv4(
          '203.0.113.1',
          opener.address,
          new Uint8Array([3, 13, 0, 0, 0, 0, 0, 0, ...syn.subarray(0, 28)]),
          { protocol: 1 },
        ),
      );
    packets.push(s.send(c, '425 Failed to establish connection.\r\n'));
  }
  return capture(packets);
}

describe('data connections tied to what announced them', () => {
  it('PORT: the server connects from port 20 to the announced port', () => {
    const { session, diagnosis } = dialogue('active', 'completed').sessions[0]!;
    expect(session.dataConnections).toHaveLength(1);
    expect(session.dataConnections[0]).toMatchObject({
      command: 'LIST',
      mode: 'active',
      announcedBy: 'PORT 192,0,2,10,195,80',
      announced: { address: '192.0.2.10', port: 50000 },
      opener: 'server',
      from: '198.51.100.20:20',
      to: '192.0.2.10:50000',
      result: 'completed',
      synCount: 1,
      bytes: 10,
      fin: true,
      finalReply: { code: 226, text: 'Done.' },
    });
    expect(diagnosis.outcome).toBe('success');
    expect(diagnosis.failure).toBeNull();
  });

  it('227: the client connects to the port p1 × 256 + p2', () => {
    const { session } = dialogue('passive', 'completed').sessions[0]!;
    expect(session.dataConnections[0]).toMatchObject({
      mode: 'passive',
      opener: 'client',
      to: '198.51.100.20:30000',
      result: 'completed',
    });
  });

  it('a SYN sent twice with no answer is dropped; a RST is refused; an ICMP error is unreachable', () => {
    const dropped = dialogue('active', 'dropped').sessions[0]!;
    expect(dropped.session.dataConnections[0]).toMatchObject({ result: 'dropped', synCount: 2 });
    expect(dropped.diagnosis.failure).toEqual({ at: 'LIST', kind: 425 });
    expect(dropped.diagnosis.suggested.preset).toBe('client-stateful');

    const refused = dialogue('active', 'rst').sessions[0]!;
    expect(refused.session.dataConnections[0]).toMatchObject({
      result: 'refused',
      answeredBy: '192.0.2.10',
    });
    expect(refused.diagnosis.suggested.preset).toBe('client-stateful-reject');

    const unreachable = dialogue('passive', 'icmp').sessions[0]!;
    expect(unreachable.session.dataConnections[0]).toMatchObject({
      result: 'unreachable',
      answeredBy: '203.0.113.1',
      icmpKind: 'admin-prohibited',
    });
    expect(unreachable.diagnosis.suggested.preset).toBe('server-only-21-reject');
    expect(unreachable.diagnosis.fixes.join(' ')).toMatch(/passive port range/);
  });
});
