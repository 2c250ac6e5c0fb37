import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replacementText, scanControlPayload, splice } from '../../src/network/ftp-helper';

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const asText = (payload: Uint8Array) => String.fromCharCode(...payload);
const scan = (text: string, dir: 'orig' | 'reply') => scanControlPayload(bytes(text), dir);

describe('what nf_conntrack_ftp reads on the control connection', () => {
  it('reads PORT from the client: address and p1 × 256 + p2, with the bytes NAT would replace', () => {
    const line = 'PORT 10,0,0,5,195,80\r\n';
    const found = scan(line, 'orig');
    expect(found).toMatchObject({ kind: 'PORT', address: '10.0.0.5', port: 50000 });
    expect(line.slice(found!.start, found!.end)).toBe('10,0,0,5,195,80');
  });

  it('reads the verb case-insensitively, as the helper does', () => {
    expect(scan('port 10,0,0,5,4,1\r\n', 'orig')).toMatchObject({ kind: 'PORT', port: 1025 });
  });

  it('reads EPRT for IPv4 with any delimiter, and not the IPv6 form', () => {
    expect(scan('EPRT |1|10.0.0.5|50000|\r\n', 'orig')).toMatchObject({
      kind: 'EPRT',
      address: '10.0.0.5',
      port: 50000,
    });
    expect(scan('EPRT !1!10.0.0.5!50000!\r\n', 'orig')).toMatchObject({ port: 50000 });
    expect(scan('EPRT |2|2001:db8::5|50000|\r\n', 'orig')).toBeNull();
  });

  it('reads 227 and 229 from the server; 229 names no address', () => {
    const pasv = '227 Entering Passive Mode (10,0,0,5,195,80).\r\n';
    const found = scan(pasv, 'reply');
    expect(found).toMatchObject({ kind: '227', address: '10.0.0.5', port: 50000 });
    expect(pasv.slice(found!.start, found!.end)).toBe('10,0,0,5,195,80');
    const epsv = '229 Entering Extended Passive Mode (|||50000|)\r\n';
    const extended = scan(epsv, 'reply');
    expect(extended).toMatchObject({ kind: '229', address: null, port: 50000 });
    expect(epsv.slice(extended!.start, extended!.end)).toBe('50000');
  });

  it('reads commands only from the client and replies only from the server', () => {
    expect(scan('PORT 10,0,0,5,195,80\r\n', 'reply')).toBeNull();
    expect(scan('227 Entering Passive Mode (10,0,0,5,195,80).\r\n', 'orig')).toBeNull();
  });

  it('needs the whole line in one segment', () => {
    expect(scan('PORT 10,0,0,5,195,80', 'orig')).toBeNull();
    expect(scan('227 Entering Passive Mode (10,0,0,5,195,80).', 'reply')).toBeNull();
    // Split between CR and LF: the line is not whole yet.
    expect(scan('EPRT |1|10.0.0.5|50000|\r', 'orig')).toBeNull();
  });

  it('ignores numbers above 255, numbers past the end of the line, and other commands', () => {
    expect(scan('PORT 10,0,0,5,300,80\r\n', 'orig')).toBeNull();
    expect(scan('PORT 10,0,0\r\n5,195,80\r\n', 'orig')).toBeNull();
    expect(scan('PORT x\r\nPORT 10,0,0,5,195,80\r\n', 'orig')).toBeNull();
    expect(scan('227 Entering Passive Mode\r\n(10,0,0,5,195,80)\r\n', 'reply')).toBeNull();
    expect(scan('STOR 10,0,0,5,195,80\r\n', 'orig')).toBeNull();
    expect(scan('200 PORT command successful (10,0,0,5,195,80)\r\n', 'reply')).toBeNull();
  });
});

describe('what nf_nat_ftp writes', () => {
  it('rewrites a 227 to the public address, which changes the payload length', () => {
    const pasv = bytes('227 Entering Passive Mode (10,0,0,5,195,80).\r\n');
    const found = scanControlPayload(pasv, 'reply')!;
    const text = replacementText(found, '198.51.100.20', found.port);
    const out = splice(pasv, found.start, found.end, text);
    expect(asText(out)).toBe('227 Entering Passive Mode (198,51,100,20,195,80).\r\n');
    expect(out.length - pasv.length).toBe(5);
  });

  it('writes each form in its own syntax', () => {
    const of = (line: string, dir: 'orig' | 'reply') => scan(line, dir)!;
    expect(replacementText(of('PORT 10,0,0,5,195,80\r\n', 'orig'), '203.0.113.10', 1025)).toBe(
      '203,0,113,10,4,1',
    );
    expect(replacementText(of('EPRT |1|10.0.0.5|50000|\r\n', 'orig'), '203.0.113.10', 1025)).toBe(
      '|1|203.0.113.10|1025|',
    );
    expect(
      replacementText(
        of('229 Entering Extended Passive Mode (|||50000|)\r\n', 'reply'),
        '203.0.113.10',
        1025,
      ),
    ).toBe('1025');
  });
});

describe('helper laws', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const address = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
  const port = fc.integer({ min: 0, max: 65535 });
  const pasvLine = fc
    .tuple(address, port)
    .map(
      ([a, p]) =>
        `227 Entering Passive Mode (${a.split('.').join(',')},${Math.floor(p / 256)},${p % 256}).\r\n`,
    );
  const portLine = fc
    .tuple(address, port)
    .map(([a, p]) => `PORT ${a.split('.').join(',')},${Math.floor(p / 256)},${p % 256}\r\n`);
  const eprtLine = fc.tuple(address, port).map(([a, p]) => `EPRT |1|${a}|${p}|\r\n`);

  it('a rewritten line reads back as the new address and port, the rest of the payload untouched', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          pasvLine.map((l) => [l, 'reply'] as const),
          portLine.map((l) => [l, 'orig'] as const),
          eprtLine.map((l) => [l, 'orig'] as const),
        ),
        address,
        port,
        fc.string({ maxLength: 20 }),
        ([line, dir], to, toPort, rest) => {
          const payload = bytes(line + rest);
          const found = scanControlPayload(payload, dir)!;
          expect(found).not.toBeNull();
          const out = splice(payload, found.start, found.end, replacementText(found, to, toPort));
          expect(scanControlPayload(out, dir)).toMatchObject({ address: to, port: toPort });
          expect(asText(out).endsWith('\r\n' + rest)).toBe(true);
        },
      ),
    );
  });

  it('rewriting to the address and port the line already names gives the same bytes back', () => {
    fc.assert(
      fc.property(fc.oneof(pasvLine, portLine), (line) => {
        const dir = line.startsWith('227') ? 'reply' : 'orig';
        const payload = bytes(line);
        const found = scanControlPayload(payload, dir)!;
        const same = replacementText(found, found.address!, found.port);
        expect(asText(splice(payload, found.start, found.end, same))).toBe(line);
      }),
    );
  });

  it('finds nothing in a line that is not PORT, EPRT, 227 or 229', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.constantFrom('orig' as const, 'reply' as const),
        (line, dir) => {
          const upper = line.toUpperCase();
          fc.pre(!/^(PORT |EPRT |227 |229 )/.test(dir === 'orig' ? upper : line));
          expect(scanControlPayload(bytes(line + '\r\n'), dir)).toBeNull();
        },
      ),
    );
  });
});
