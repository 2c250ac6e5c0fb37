/**
 * How FTP writes a data-connection endpoint inside control-channel text:
 * PORT and the 227 reply (RFC 959 §4.1.2, §4.2), EPRT and the 229 reply (RFC 2428).
 */
import type { Endpoint } from './endpoint';
import { isIpv4, parseIpv4 } from './ipv4';
import { err, ok } from './result';
import type { Result } from './result';

/**
 * RFC 959's <host-port>, the endpoint a PORT argument or a 227 reply names: an Endpoint like
 * every other, its address a dotted-quad IPv4 (checked where it is written or read).
 */
export type HostPort = Endpoint;

export interface EprtArgument extends Endpoint {
  family: 1 | 2;
  delimiter: string;
}

const HOST_PORT_FIELDS = ['h1', 'h2', 'h3', 'h4', 'p1', 'p2'] as const;
const HOST_PORT_SHAPE = '6 numbers h1,h2,h3,h4,p1,p2 separated by commas';

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function isByte(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 255;
}

/** RFC 959 §4.1.2: the port travels as two 8-bit halves, high byte first. Throws RangeError. */
export function portToBytes(port: number): [number, number] {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be 0-65535, got ${port}`);
  }
  return [Math.floor(port / 256), port % 256];
}

/** Throws RangeError unless both halves are 0-255. */
export function bytesToPort(p1: number, p2: number): number {
  if (!isByte(p1) || !isByte(p2)) {
    throw new RangeError(`p1 and p2 must be 0-255, got ${p1} and ${p2}`);
  }
  return p1 * 256 + p2;
}

function assertHostPort(hp: HostPort): void {
  if (!isIpv4(hp.address)) {
    throw new RangeError(`address must be a dotted-quad IPv4, got ${hp.address}`);
  }
  if (!isPort(hp.port)) throw new RangeError(`port must be 1-65535, got ${hp.port}`);
}

/** The PORT argument / 227 numbers: "192,0,2,10,195,80". Throws RangeError on a bad address/port. */
export function formatHostPort(hp: HostPort): string {
  assertHostPort(hp);
  return [...hp.address.split('.'), ...portToBytes(hp.port)].join(',');
}

/** Validates the six decimal fields of a PORT argument or 227 reply, naming the first bad one. */
function hostPortFromFields(fields: readonly string[]): Result<HostPort> {
  const numbers: number[] = [];
  for (const [index, field] of fields.entries()) {
    const name = HOST_PORT_FIELDS[index];
    if (field === '') return err(`${name} must be a number 0-255, got nothing`);
    if (!/^[0-9]+$/.test(field)) {
      return err(`${name} must be a number 0-255, got ${JSON.stringify(field)}`);
    }
    const value = Number(field);
    if (value > 255) return err(`${name} must be 0-255, got ${field}`);
    numbers.push(value);
  }
  const [h1, h2, h3, h4, p1, p2] = numbers;
  const port = p1 * 256 + p2;
  if (port === 0) return err(`port must be 1-65535, got 0 (p1=0, p2=0)`);
  return ok({ address: [h1, h2, h3, h4].join('.'), port });
}

/**
 * RFC 959 §4.1.2: PORT h1,h2,h3,h4,p1,p2. Strict: exactly six decimal fields, no spaces inside
 * (surrounding whitespace is trimmed). Leading zeros are accepted because §4.1.2 defines the
 * fields as decimal, so "010" is unambiguous here, unlike in a dotted quad.
 */
export function parseHostPort(arg: string): Result<HostPort> {
  const trimmed = arg.trim();
  if (trimmed === '') return err(`expected ${HOST_PORT_SHAPE}, got nothing`);
  const fields = trimmed.split(',');
  if (fields.length !== 6) return err(`expected ${HOST_PORT_SHAPE}, got ${fields.length}`);
  return hostPortFromFields(fields);
}

/** RFC 2428 §2 EPRT argument for IPv4: "|1|192.0.2.10|50000|". Throws RangeError. */
export function formatEprt(hp: HostPort): string {
  assertHostPort(hp);
  return `|1|${hp.address}|${hp.port}|`;
}

/** Light check only: enough to tell an IPv6 literal from garbage, not a full RFC 4291 parser. */
function looksLikeIpv6(text: string): boolean {
  return text.includes(':') && /^[0-9A-Fa-f:.]+$/.test(text) && text.split('::').length <= 2;
}

function parsePortField(text: string): Result<number> {
  if (!/^[0-9]{1,5}$/.test(text) || !isPort(Number(text))) {
    return err(`port must be 1-65535, got ${JSON.stringify(text)}`);
  }
  return ok(Number(text));
}

/**
 * RFC 2428 §2: EPRT <d><net-prt><d><net-addr><d><tcp-port><d>. The delimiter is whatever the
 * first character is (printable ASCII 33-126, normally "|"). An unknown network protocol is
 * reported distinctly because servers answer it with 522, not 501.
 */
export function parseEprt(arg: string): Result<EprtArgument> {
  const shape = 'expected <d>af<d>address<d>port<d> such as |1|192.0.2.10|50000|';
  const trimmed = arg.trim();
  if (trimmed === '') return err(`${shape}, got nothing`);
  const delimiter = trimmed[0];
  const code = delimiter.charCodeAt(0);
  if (code < 33 || code > 126) {
    return err(
      `the delimiter (first character) must be printable ASCII, got ${JSON.stringify(delimiter)}`,
    );
  }
  const parts = trimmed.split(delimiter);
  // A well-formed argument splits into ['', af, address, port, ''].
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') {
    return err(`${shape} (delimiter ${JSON.stringify(delimiter)}), got ${JSON.stringify(trimmed)}`);
  }
  const [, af, address, portText] = parts;
  if (af !== '1' && af !== '2') {
    return err(`network protocol must be 1 (IPv4) or 2 (IPv6), got ${JSON.stringify(af)}`);
  }
  const family = af === '1' ? 1 : 2;
  if (family === 1) {
    const ipv4 = parseIpv4(address);
    if (!ipv4.ok) return err(`IPv4 address: ${ipv4.error}`);
  } else if (!looksLikeIpv6(address)) {
    return err(`expected an IPv6 address such as 2001:db8::1, got ${JSON.stringify(address)}`);
  }
  const port = parsePortField(portText);
  if (!port.ok) return port;
  return ok({ family, address, port: port.value, delimiter });
}

/** Text of the 227 reply (without the code), in the form RFC 959 §4.2 shows. Throws RangeError. */
export function formatPasvReply(hp: HostPort): string {
  return `Entering Passive Mode (${formatHostPort(hp)}).`;
}

/** Six comma-separated numbers anywhere in a 227 text; built once, as every 227 is parsed twice. */
const SIX_NUMBERS = new RegExp(`(?<![0-9])${Array(6).fill('([0-9]+)').join('\\s*,\\s*')}`);

/**
 * RFC 1123 §4.1.2.6: the 227 text is not standardised, so the client scans for the first run of
 * six comma-separated numbers, with or without parentheses around them.
 */
export function parsePasvReply(text: string): Result<HostPort> {
  const match = SIX_NUMBERS.exec(text);
  if (match === null) {
    return err(`expected ${HOST_PORT_SHAPE} in the 227 text, got ${JSON.stringify(text)}`);
  }
  return hostPortFromFields(match.slice(1));
}

/** Text of the 229 reply (without the code), RFC 2428 §3. Throws RangeError on a bad port. */
export function formatEpsvReply(port: number): string {
  if (!isPort(port)) throw new RangeError(`port must be 1-65535, got ${port}`);
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/**
 * RFC 2428 §3: the 229 text ends with (<d><d><d><tcp-port><d>), the address left empty so the
 * client reuses the control connection's. A digit cannot be the delimiter: it would run into
 * the port.
 */
export function parseEpsvReply(text: string): Result<{ port: number }> {
  const match = /\(([!-/:-~])\1\1([0-9]+)\1\)/.exec(text);
  if (match === null) {
    return err(`expected (|||port|) in the 229 text, got ${JSON.stringify(text)}`);
  }
  const port = parsePortField(match[2]);
  if (!port.ok) return port;
  return ok({ port: port.value });
}

/** For the inspector: how p1 and p2 make a port, e.g. "195 × 256 + 80 = 50000". */
export function explainPortArithmetic(p1: number, p2: number): string {
  return `${p1} × 256 + ${p2} = ${p1 * 256 + p2}`;
}
