/**
 * Link-layer framings the reader understands (tcpdump.org/linktypes.html), and where the IP
 * packet starts in each. Anything else is said plainly: "unsupported link type N".
 */

export const LINKTYPE = {
  bsdLoopback: 0,
  ethernet: 1,
  raw: 101,
  openbsdLoopback: 108,
  linuxSll: 113,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const;

const SUPPORTED = new Set<number>(Object.values(LINKTYPE));

export function isSupportedLinkType(linkType: number): boolean {
  return SUPPORTED.has(linkType);
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
/** BSD's AF_INET6 differs by system: NetBSD/OpenBSD 24, FreeBSD 28, macOS 30. */
const AF_INET = 2;
const AF_INET6 = new Set([24, 28, 30]);

export interface IpStart {
  offset: number;
  version: 4 | 6;
}

function fromEthertype(type: number, offset: number): IpStart | null {
  if (type === ETHERTYPE_IPV4) return { offset, version: 4 };
  if (type === ETHERTYPE_IPV6) return { offset, version: 6 };
  return null;
}

function fromVersionNibble(data: Uint8Array, offset: number): IpStart | null {
  if (offset >= data.length) return null;
  const version = data[offset]! >> 4;
  return version === 4 || version === 6 ? { offset, version } : null;
}

/** Where the IP header starts in a frame, or null for a frame that carries no IP (ARP, LLDP). */
export function ipStart(linkType: number, data: Uint8Array): IpStart | null {
  switch (linkType) {
    case LINKTYPE.ethernet: {
      let offset = 12;
      if (data.length < offset + 2) return null;
      let type = (data[offset]! << 8) | data[offset + 1]!;
      // 802.1Q and 802.1ad tags: four bytes each before the real EtherType.
      while ((type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) && data.length >= offset + 6) {
        offset += 4;
        type = (data[offset]! << 8) | data[offset + 1]!;
      }
      return fromEthertype(type, offset + 2);
    }
    case LINKTYPE.linuxSll:
      if (data.length < 16) return null;
      return fromEthertype((data[14]! << 8) | data[15]!, 16);
    case LINKTYPE.linuxSll2:
      if (data.length < 20) return null;
      return fromEthertype((data[0]! << 8) | data[1]!, 20);
    case LINKTYPE.bsdLoopback:
    case LINKTYPE.openbsdLoopback: {
      if (data.length < 4) return null;
      // DLT_NULL writes the family in the capturing host's byte order, DLT_LOOP in network order.
      const big = (data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!;
      const little = (data[3]! << 24) | (data[2]! << 16) | (data[1]! << 8) | data[0]!;
      const family = linkType === LINKTYPE.openbsdLoopback ? big : big < 256 ? big : little;
      if (family === AF_INET) return { offset: 4, version: 4 };
      if (AF_INET6.has(family)) return { offset: 4, version: 6 };
      return null;
    }
    case LINKTYPE.raw:
      return fromVersionNibble(data, 0);
    case LINKTYPE.ipv4:
      return { offset: 0, version: 4 };
    case LINKTYPE.ipv6:
      return { offset: 0, version: 6 };
    default:
      return null;
  }
}
