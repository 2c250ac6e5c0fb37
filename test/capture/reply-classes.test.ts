/**
 * A capture's replies are judged by their class (protocol/ftp-reply.ts, RFC 959 §4.2.1): only
 * 4yz and 5yz are refusals. RFC 2228's protected replies (6yz) carry a reply the capture cannot
 * read, and must not be counted as a failure of the command they answer, as `code >= 400` did.
 */
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index';
import { LINKTYPE } from '../../src/capture/link';
import { pcap, Peer, TCP } from './build';

function session(replyToEpsv: string, replyToList: string) {
  const c = new Peer('192.0.2.10', 40000, 1000);
  const s = new Peer('198.51.100.20', 21, 5000);
  const dc = new Peer('192.0.2.10', 45000, 9000);
  const ds = new Peer('198.51.100.20', 30000, 7000);
  const packets = [
    c.syn(s),
    s.syn(c, true),
    s.send(c, '220 hi\r\n'),
    c.send(s, 'USER a\r\n'),
    s.send(c, '230 ok\r\n'),
    c.send(s, 'EPSV\r\n'),
    s.send(c, `${replyToEpsv}\r\n`),
    c.send(s, 'PASV\r\n'),
    s.send(c, '227 Entering Passive Mode (198,51,100,20,117,48).\r\n'),
    dc.syn(ds),
    ds.syn(dc, true),
    c.send(s, 'LIST\r\n'),
    s.send(c, '150 Here it comes.\r\n'),
    ds.send(dc, 'file.txt\r\n', TCP.ack | TCP.psh | TCP.fin),
    s.send(c, `${replyToList}\r\n`),
  ];
  const analysis = readCapture(
    pcap(
      packets.map((data, i) => ({ data, tMs: 1000 + i * 10 })),
      { linkType: LINKTYPE.raw },
    ),
  );
  return analysis.sessions[0]!;
}

describe('reply classes in a capture (isNegative, not code >= 400)', () => {
  it('a 5yz to EPSV is a refusal the client fell back from; a 6yz is not', () => {
    const refused = session('500 EPSV not understood.', '226 Done.');
    expect(refused.diagnosis.notes.join(' ')).toMatch(/EPSV got .*500.*fell back to PASV/);
    const protectedReply = session('631 c2VjcmV0', '226 Done.');
    expect(protectedReply.diagnosis.notes.join(' ')).not.toMatch(/fell back/);
  });

  it('a 6yz ending a transfer is not the failure of that transfer; a 5yz is', () => {
    expect(session('500 no', '550 Nope.').diagnosis.failure).toMatchObject({
      at: 'LIST',
      kind: 550,
    });
    expect(session('500 no', '632 c2VjcmV0').diagnosis.failure?.kind).not.toBe(632);
  });
});
