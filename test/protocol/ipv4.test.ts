import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  inCidr,
  intToIpv4,
  ipv4ToInt,
  isIpv4,
  isPrivateIpv4,
  isRoutableOnInternet,
  parseCidr,
  parseIpv4,
} from '../../src/protocol/ipv4';

const octet = fc.integer({ min: 0, max: 255 });
const address = fc.tuple(octet, octet, octet, octet).map((octets) => octets.join('.'));

describe('parseIpv4', () => {
  it('accepts dotted quads', () => {
    expect(parseIpv4('192.0.2.10')).toEqual({ ok: true, value: [192, 0, 2, 10] });
    expect(parseIpv4('0.0.0.0')).toEqual({ ok: true, value: [0, 0, 0, 0] });
    expect(parseIpv4('255.255.255.255')).toEqual({ ok: true, value: [255, 255, 255, 255] });
  });

  it('says what it expected', () => {
    expect(parseIpv4('300.1.2.3')).toEqual({
      ok: false,
      error: 'expected four numbers 0-255 separated by dots, got "300.1.2.3"',
    });
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.256',
    '01.2.3.4',
    '1.2.3.00',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1. 2.3.4',
    '1..3.4',
    '+1.2.3.4',
    '0x1.2.3.4',
    '1.2.3.4/32',
    '١.2.3.4',
  ])('rejects %j', (text) => {
    const result = parseIpv4(text);
    expect(result.ok).toBe(false);
    expect(isIpv4(text)).toBe(false);
  });

  it('round-trips every dotted quad (property)', () => {
    fc.assert(
      fc.property(address, (text) => {
        const parsed = parseIpv4(text);
        expect(parsed.ok && parsed.value.join('.')).toBe(text);
      }),
    );
  });

  it('never throws, and accepts only canonical dotted quads (property)', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom(...'0123456789.'.split('')), maxLength: 20 }),
    );
    fc.assert(
      fc.property(text, (candidate) => {
        const result = parseIpv4(candidate);
        if (result.ok) expect(result.value.join('.')).toBe(candidate);
        else expect(result.error).toMatch(/^expected four numbers 0-255 separated by dots/);
      }),
    );
  });
});

describe('ipv4ToInt and intToIpv4', () => {
  it('convert known values, unsigned', () => {
    expect(ipv4ToInt('0.0.0.0')).toBe(0);
    expect(ipv4ToInt('192.0.2.10')).toBe(0xc000020a);
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
    expect(intToIpv4(0xc000020a)).toBe('192.0.2.10');
  });

  it('are inverse (property)', () => {
    fc.assert(
      fc.property(address, (text) => {
        expect(intToIpv4(ipv4ToInt(text))).toBe(text);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(ipv4ToInt(intToIpv4(n))).toBe(n);
      }),
    );
  });

  it('throw RangeError on invalid input', () => {
    expect(() => ipv4ToInt('1.2.3')).toThrow(RangeError);
    expect(() => intToIpv4(-1)).toThrow(RangeError);
    expect(() => intToIpv4(2 ** 32)).toThrow(RangeError);
    expect(() => intToIpv4(1.5)).toThrow(RangeError);
  });
});

describe('parseCidr and inCidr', () => {
  it('parses a network and treats a plain address as /32', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({
      ok: true,
      value: { network: '10.0.0.0', prefix: 8 },
    });
    expect(parseCidr('192.0.2.10')).toEqual({
      ok: true,
      value: { network: '192.0.2.10', prefix: 32 },
    });
    expect(parseCidr('0.0.0.0/0')).toEqual({ ok: true, value: { network: '0.0.0.0', prefix: 0 } });
  });

  it('clears host bits as iptables does', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({
      ok: true,
      value: { network: '10.0.0.0', prefix: 8 },
    });
  });

  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '10.0.0/8', '10.0.0.0/a', '/8'])(
    'rejects %j',
    (text) => {
      expect(parseCidr(text).ok).toBe(false);
    },
  );

  it('tests membership', () => {
    expect(inCidr('172.16.0.1', '172.16.0.0/12')).toBe(true);
    expect(inCidr('172.31.255.255', '172.16.0.0/12')).toBe(true);
    expect(inCidr('172.32.0.0', '172.16.0.0/12')).toBe(false);
    expect(inCidr('192.0.2.10', '192.0.2.10')).toBe(true);
    expect(inCidr('192.0.2.11', '192.0.2.10')).toBe(false);
    expect(inCidr('8.8.8.8', '0.0.0.0/0')).toBe(true);
    expect(inCidr('not an address', '0.0.0.0/0')).toBe(false);
    expect(inCidr('8.8.8.8', 'garbage')).toBe(false);
  });

  it('every address is in its own /n network for any n (property)', () => {
    fc.assert(
      fc.property(address, fc.integer({ min: 0, max: 32 }), (addr, prefix) => {
        expect(inCidr(addr, `${addr}/${prefix}`)).toBe(true);
      }),
    );
  });
});

describe('address ranges', () => {
  it('RFC 1918 private ranges', () => {
    for (const addr of ['10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.0.1', '192.168.1.1']) {
      expect(isPrivateIpv4(addr)).toBe(true);
      expect(isRoutableOnInternet(addr)).toBe(false);
    }
    for (const addr of ['9.255.255.255', '172.15.0.1', '172.32.0.1', '192.169.0.1', '8.8.8.8']) {
      expect(isPrivateIpv4(addr)).toBe(false);
    }
  });

  it('loopback, this-network, link-local, RFC 6598 shared, multicast and reserved are not routable', () => {
    for (const addr of [
      '127.0.0.1',
      '0.1.2.3',
      '169.254.1.1',
      '100.64.0.1',
      '100.127.255.255',
      '224.0.0.1',
      '239.1.1.1',
      '240.0.0.1',
      '255.255.255.255',
    ]) {
      expect(isRoutableOnInternet(addr)).toBe(false);
    }
  });

  it('public and RFC 5737 documentation addresses are routable in the simulator', () => {
    for (const addr of ['8.8.8.8', '100.63.255.255', '100.128.0.0', '192.0.2.10', '198.51.100.7']) {
      expect(isRoutableOnInternet(addr)).toBe(true);
    }
    expect(isRoutableOnInternet('203.0.113.5')).toBe(true);
    expect(isRoutableOnInternet('223.255.255.255')).toBe(true);
  });

  it('malformed addresses are neither private nor routable', () => {
    expect(isPrivateIpv4('10.0.0')).toBe(false);
    expect(isRoutableOnInternet('8.8.8')).toBe(false);
  });
});
