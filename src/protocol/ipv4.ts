import { err, ok } from './result';
import type { Result } from './result';

/** An IPv4 address in dotted-quad notation, e.g. "192.0.2.10". */
export type Ipv4 = string;

export type Octets = [number, number, number, number];

/**
 * Strict dotted-quad parser. Leading zeros are refused because inet_aton() and many tools read
 * "010" as octal 8; a teaching tool should not silently pick one meaning.
 */
export function parseIpv4(text: string): Result<Octets> {
  const expected = `expected four numbers 0-255 separated by dots, got ${JSON.stringify(text)}`;
  const parts = text.split('.');
  if (parts.length !== 4) return err(expected);
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part)) return err(expected);
    const value = Number(part);
    if (value > 255) return err(expected);
    octets.push(value);
  }
  return ok(octets as Octets);
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text).ok;
}

/** Throws RangeError for a malformed address: callers pass addresses they already validated. */
export function ipv4ToInt(addr: Ipv4): number {
  const parsed = parseIpv4(addr);
  if (!parsed.ok) throw new RangeError(parsed.error);
  const [a, b, c, d] = parsed.value;
  // Multiplication instead of << keeps the result unsigned (<< yields a signed 32-bit value).
  return a * 0x1000000 + b * 0x10000 + c * 0x100 + d;
}

/** Throws RangeError unless n is an integer 0 to 2^32 - 1. */
export function intToIpv4(n: number): Ipv4 {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new RangeError(`expected an integer 0-4294967295, got ${n}`);
  }
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

export interface Cidr {
  network: Ipv4;
  prefix: number;
}

function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses "a.b.c.d/n" or a plain address (taken as /32). Host bits set below the prefix are
 * cleared, as iptables does with `-s 10.1.2.3/8` (it stores 10.0.0.0/8).
 */
export function parseCidr(text: string): Result<Cidr> {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? '32' : text.slice(slash + 1);
  const address = parseIpv4(addressText);
  if (!address.ok) return err(`in network ${JSON.stringify(text)}: ${address.error}`);
  if (!/^(?:0|[1-9][0-9]?)$/.test(prefixText) || Number(prefixText) > 32) {
    return err(`expected a prefix length 0-32 after "/", got ${JSON.stringify(prefixText)}`);
  }
  const prefix = Number(prefixText);
  const network = (ipv4ToInt(addressText) & prefixMask(prefix)) >>> 0;
  return ok({ network: intToIpv4(network), prefix });
}

/**
 * Parsed forms of the few addresses and networks a simulation uses, kept because routing and
 * firewall matching ask about them for every packet at every hop.
 */
const addressCache = new Map<string, number | null>();
const networkCache = new Map<string, { base: number; mask: number } | null>();
const CACHE_LIMIT = 4096;

function cachedAddress(addr: string): number | null {
  let value = addressCache.get(addr);
  if (value === undefined) {
    value = isIpv4(addr) ? ipv4ToInt(addr) : null;
    if (addressCache.size >= CACHE_LIMIT) addressCache.clear();
    addressCache.set(addr, value);
  }
  return value;
}

function cachedNetwork(cidr: string): { base: number; mask: number } | null {
  let value = networkCache.get(cidr);
  if (value === undefined) {
    const parsed = parseCidr(cidr);
    value = parsed.ok
      ? { base: ipv4ToInt(parsed.value.network), mask: prefixMask(parsed.value.prefix) }
      : null;
    if (networkCache.size >= CACHE_LIMIT) networkCache.clear();
    networkCache.set(cidr, value);
  }
  return value;
}

/** False when either the address or the network is malformed. */
export function inCidr(addr: Ipv4, cidr: string): boolean {
  const network = cachedNetwork(cidr);
  const address = cachedAddress(addr);
  if (network === null || address === null) return false;
  return (address & network.mask) >>> 0 === network.base;
}

/** RFC 1918 §3 private address space. */
export const PRIVATE_NETWORKS: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
];

/**
 * Ranges a packet cannot be routed to across the public Internet. The documentation networks
 * of RFC 5737 (192.0.2/24, 198.51.100/24, 203.0.113/24) are deliberately absent: the simulator
 * uses them as its "public" addresses.
 */
export const NON_ROUTABLE_NETWORKS: readonly string[] = [
  ...PRIVATE_NETWORKS,
  '0.0.0.0/8', // RFC 1122 §3.2.1.3 "this network"
  '127.0.0.0/8', // RFC 1122 §3.2.1.3 loopback
  '169.254.0.0/16', // RFC 3927 link-local
  '100.64.0.0/10', // RFC 6598 carrier-grade NAT shared space
  '224.0.0.0/3', // multicast 224/4 (RFC 5771) and reserved 240/4 (RFC 1112 §4) incl. broadcast
];

export function isPrivateIpv4(addr: Ipv4): boolean {
  return PRIVATE_NETWORKS.some((cidr) => inCidr(addr, cidr));
}

/** False for malformed addresses as well as for the non-routable ranges. */
export function isRoutableOnInternet(addr: Ipv4): boolean {
  return cachedAddress(addr) !== null && !NON_ROUTABLE_NETWORKS.some((cidr) => inCidr(addr, cidr));
}
