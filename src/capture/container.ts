import { CaptureError, notACaptureFile, truncatedAt, unsupportedLinkType } from './errors';
import { isSupportedLinkType } from './link';

/**
 * The two capture file formats, read as a sequence of frames: classic libpcap
 * (wiki.wireshark.org/Development/LibpcapFileFormat) in either byte order with microsecond or
 * nanosecond timestamps, and pcapng (IETF draft-ietf-opsawg-pcapng) with any number of sections
 * and interfaces. Frames are views into the file's bytes, never copies.
 */

export interface Frame {
  /** 1-based, as Wireshark numbers frames. */
  number: number;
  /** Milliseconds since the Unix epoch (fractional). */
  tMs: number;
  linkType: number;
  /** The bytes the capture kept; shorter than originalLength when the snap length cut the frame. */
  data: Uint8Array;
  originalLength: number;
  /** Byte offset of the frame's record in the file, for error messages and the inspector. */
  offset: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export interface FrameSource {
  format: CaptureFormat;
  /** The next frame, or null at the end of the file. */
  next(): Frame | null;
  /** How far into the file the reader is, in bytes. */
  position(): number;
  /** Set when the file ends inside a record: the frames before it were read. */
  truncatedAt: number | null;
  /** Things the reader skipped and says so (unsupported interfaces, unknown blocks). */
  warnings: string[];
}

const PCAP_MICRO = 0xa1b2c3d4;
const PCAP_NANO = 0xa1b23c4d;
const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** No real link carries frames this big; a larger record length means the file is corrupt. */
const MAX_FRAME_BYTES = 262_144;

export function openCapture(bytes: Uint8Array): FrameSource {
  if (bytes.length < 4) throw notACaptureFile();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic === PCAPNG_SECTION_HEADER) return new PcapngReader(bytes, view);
  for (const littleEndian of [false, true]) {
    const m = view.getUint32(0, littleEndian);
    if (m === PCAP_MICRO || m === PCAP_NANO)
      return new PcapReader(bytes, view, littleEndian, m === PCAP_NANO);
  }
  throw notACaptureFile();
}

class PcapReader implements FrameSource {
  format = 'pcap' as const;
  truncatedAt: number | null = null;
  warnings: string[] = [];
  private offset = 24;
  private count = 0;
  private readonly linkType: number;
  private readonly fractionPerMs: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    private readonly le: boolean,
    nano: boolean,
  ) {
    if (bytes.length < 24) throw truncatedAt(bytes.length);
    // The upper bits of the link-type word carry FCS length flags (pcap-savefile(5)).
    this.linkType = view.getUint32(20, le) & 0x0fffffff;
    if (!isSupportedLinkType(this.linkType)) throw unsupportedLinkType(this.linkType);
    this.fractionPerMs = nano ? 1e6 : 1e3;
  }

  position(): number {
    return this.offset;
  }

  next(): Frame | null {
    const { bytes, view, le } = this;
    const at = this.offset;
    if (at >= bytes.length) return null;
    if (at + 16 > bytes.length) return this.truncate(at);
    const seconds = view.getUint32(at, le);
    const fraction = view.getUint32(at + 4, le);
    const captured = view.getUint32(at + 8, le);
    const original = view.getUint32(at + 12, le);
    if (captured > MAX_FRAME_BYTES)
      throw new CaptureError(`corrupt packet record at byte ${at}: length ${captured}`);
    const end = at + 16 + captured;
    if (end > bytes.length) return this.truncate(at);
    this.offset = end;
    return {
      number: ++this.count,
      tMs: seconds * 1000 + fraction / this.fractionPerMs,
      linkType: this.linkType,
      data: bytes.subarray(at + 16, end),
      originalLength: Math.max(original, captured),
      offset: at,
    };
  }

  private truncate(at: number): null {
    this.truncatedAt = at;
    this.offset = this.bytes.length;
    return null;
  }
}

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per millisecond (if_tsresol). */
  unitsPerMs: number;
  offsetMs: number;
  supported: boolean;
  skipped: number;
}

class PcapngReader implements FrameSource {
  format = 'pcapng' as const;
  truncatedAt: number | null = null;
  warnings: string[] = [];
  private offset = 0;
  private count = 0;
  private lastMs = 0;
  private le = true;
  private interfaces: Interface[] = [];
  private allInterfaces: Interface[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
  ) {
    if (bytes.length < 12) throw truncatedAt(bytes.length);
    const magic = view.getUint32(8, true);
    if (magic !== PCAPNG_BYTE_ORDER_MAGIC && view.getUint32(8, false) !== PCAPNG_BYTE_ORDER_MAGIC)
      throw notACaptureFile();
  }

  position(): number {
    return this.offset;
  }

  next(): Frame | null {
    for (;;) {
      const frame = this.block();
      if (frame !== undefined) return frame;
    }
  }

  /** Reads one block: a frame, null at the end, undefined for a block that holds no frame. */
  private block(): Frame | null | undefined {
    const { bytes, view } = this;
    const at = this.offset;
    if (at >= bytes.length) return this.finish();
    if (at + 12 > bytes.length) return this.truncate(at);
    const rawType = view.getUint32(at, true);
    if (rawType === PCAPNG_SECTION_HEADER) {
      // Each section states its own byte order; the block length is written in it.
      const magic = view.getUint32(at + 8, true);
      if (magic === PCAPNG_BYTE_ORDER_MAGIC) this.le = true;
      else if (view.getUint32(at + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) this.le = false;
      else throw new CaptureError(`corrupt pcapng section header at byte ${at}`);
      this.interfaces = [];
    }
    const le = this.le;
    const type = view.getUint32(at, le);
    const length = view.getUint32(at + 4, le);
    if (length < 12 || length % 4 !== 0)
      throw new CaptureError(`corrupt pcapng block at byte ${at}: length ${length}`);
    if (at + length > bytes.length) return this.truncate(at);
    if (view.getUint32(at + length - 4, le) !== length)
      throw new CaptureError(`corrupt pcapng block at byte ${at}: its two lengths differ`);
    this.offset = at + length;
    const body = at + 8;
    const bodyEnd = at + length - 4;
    switch (type) {
      case 1:
        this.describeInterface(body, bodyEnd);
        return undefined;
      case 6:
        return this.timestampedPacket(at, body, bodyEnd, 32);
      case 3:
        return this.simplePacket(at, body, bodyEnd);
      case 2:
        return this.timestampedPacket(at, body, bodyEnd, 16);
      default:
        return undefined;
    }
  }

  private describeInterface(body: number, end: number): void {
    const { view, le } = this;
    if (body + 8 > end) throw new CaptureError(`corrupt interface description at byte ${body - 8}`);
    const linkType = view.getUint16(body, le);
    const snapLength = view.getUint32(body + 4, le);
    let unitsPerMs = 1e3;
    let offsetMs = 0;
    for (let o = body + 8; o + 4 <= end;) {
      const code = view.getUint16(o, le);
      const len = view.getUint16(o + 2, le);
      if (code === 0) break;
      if (o + 4 + len > end) break;
      if (code === 9 && len >= 1) {
        const resolution = view.getUint8(o + 4);
        const exponent = resolution & 0x7f;
        const unitsPerSecond = resolution & 0x80 ? 2 ** exponent : 10 ** exponent;
        unitsPerMs = unitsPerSecond / 1000;
      } else if (code === 14 && len >= 8) {
        const high = view.getInt32(o + 4 + (le ? 4 : 0), le);
        const low = view.getUint32(o + 4 + (le ? 0 : 4), le);
        offsetMs = (high * 4294967296 + low) * 1000;
      }
      o += 4 + ((len + 3) & ~3);
    }
    const iface: Interface = {
      linkType,
      snapLength,
      unitsPerMs,
      offsetMs,
      supported: isSupportedLinkType(linkType),
      skipped: 0,
    };
    this.interfaces.push(iface);
    this.allInterfaces.push(iface);
  }

  private interfaceFor(id: number, at: number): Interface {
    const iface = this.interfaces[id];
    if (!iface)
      throw new CaptureError(`packet at byte ${at} names interface ${id}, never described`);
    return iface;
  }

  private frame(
    iface: Interface,
    at: number,
    tsHigh: number | null,
    tsLow: number,
    dataStart: number,
    captured: number,
    original: number,
    end: number,
  ): Frame | undefined {
    if (captured > MAX_FRAME_BYTES || dataStart + captured > end)
      throw new CaptureError(`corrupt packet block at byte ${at}: length ${captured}`);
    if (!iface.supported) {
      iface.skipped++;
      return undefined;
    }
    if (tsHigh !== null)
      this.lastMs = (tsHigh * 4294967296 + tsLow) / iface.unitsPerMs + iface.offsetMs;
    return {
      number: ++this.count,
      tMs: this.lastMs,
      linkType: iface.linkType,
      data: this.bytes.subarray(dataStart, dataStart + captured),
      originalLength: Math.max(original, captured),
      offset: at,
    };
  }

  /**
   * An enhanced packet block (type 6) and the obsolete packet block (type 2) it replaced share one
   * layout after the interface id, which is 32 bits in the first and 16 (then a drop count) in the
   * second (pcapng draft, appendix A).
   */
  private timestampedPacket(
    at: number,
    body: number,
    end: number,
    interfaceIdBits: 16 | 32,
  ): Frame | undefined {
    const { view, le } = this;
    if (body + 20 > end) throw new CaptureError(`corrupt packet block at byte ${at}`);
    const id = interfaceIdBits === 32 ? view.getUint32(body, le) : view.getUint16(body, le);
    return this.frame(
      this.interfaceFor(id, at),
      at,
      view.getUint32(body + 4, le),
      view.getUint32(body + 8, le),
      body + 20,
      view.getUint32(body + 12, le),
      view.getUint32(body + 16, le),
      end,
    );
  }

  /** A simple packet block has no timestamp and belongs to the section's first interface. */
  private simplePacket(at: number, body: number, end: number): Frame | undefined {
    const { view, le } = this;
    if (body + 4 > end) throw new CaptureError(`corrupt packet block at byte ${at}`);
    const iface = this.interfaceFor(0, at);
    const original = view.getUint32(body, le);
    let captured = Math.min(original, end - body - 4);
    if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
    return this.frame(iface, at, null, 0, body + 4, captured, original, end);
  }

  private truncate(at: number): null {
    this.truncatedAt = at;
    this.offset = this.bytes.length;
    return this.finish();
  }

  private finish(): null {
    const skipped = this.allInterfaces.filter((i) => !i.supported && i.skipped > 0);
    if (skipped.length > 0 && this.count === 0) throw unsupportedLinkType(skipped[0]!.linkType);
    this.warnings = skipped.map(
      (i) => `skipped ${i.skipped} packets on an interface of unsupported link type ${i.linkType}`,
    );
    return null;
  }
}
