/**
 * One end of a TCP connection: the one shape every layer uses for it (the TCP machine's local and
 * remote ends, the FTP helper's NAT target, a capture's connection ends, a recording's data
 * connection), and the one way it is written for the learner.
 */
import type { Packet } from './tcp';

export interface Endpoint {
  address: string;
  port: number;
}

/** "192.0.2.10:21"; an IPv6 address in brackets, "[2001:db8::1]:21" (RFC 3986 §3.2.2). */
export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.address.includes(':')
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}

/** A packet's source or destination as its headers name it: "192.0.2.10:53233", or the address alone for ICMP. */
export function formatPacketEnd(packet: Packet, side: 'src' | 'dst'): string {
  const port = side === 'src' ? packet.tcp?.srcPort : packet.tcp?.dstPort;
  return port === undefined ? packet[side] : formatEndpoint({ address: packet[side], port });
}
