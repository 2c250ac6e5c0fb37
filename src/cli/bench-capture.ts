import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../capture/index';

/**
 * The capture half of `npm run bench` (issue 15): reading and diagnosing a ~50 MB capture
 * (`capture_ms`) beside `tshark -r` dissecting the same file (`tshark_ms`, one run each). The
 * file is synthesised: FTP sessions in passive mode, each downloading a few megabytes in
 * 1448-byte segments with the client's ACKs, the shape of a large real download on Ethernet.
 */

const TARGET_BYTES = 50 * 1024 * 1024;
const SESSIONS = 20;
const MSS = 1448;
const CLIENT = [192, 0, 2, 10];
const SERVER = [198, 51, 100, 20];

class PcapBuilder {
  private chunks: Uint8Array[] = [];
  size = 24;
  private tUs = 1_767_225_600_000_000;

  constructor() {
    const header = new Uint8Array(24);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0xa1b2c3d4, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setUint32(16, 262_144, true);
    v.setUint32(20, 1, true);
    this.chunks.push(header);
  }

  /** One Ethernet/IPv4/TCP frame, 50 µs after the last. */
  tcp(
    from: number[],
    to: number[],
    sport: number,
    dport: number,
    seq: number,
    ack: number,
    flags: number,
    payload: Uint8Array,
  ): void {
    const ipLength = 40 + payload.length;
    const frame = new Uint8Array(16 + 14 + ipLength);
    const v = new DataView(frame.buffer);
    this.tUs += 50;
    v.setUint32(0, Math.floor(this.tUs / 1e6), true);
    v.setUint32(4, this.tUs % 1e6, true);
    v.setUint32(8, frame.length - 16, true);
    v.setUint32(12, frame.length - 16, true);
    frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00], 16);
    const ip = 30;
    frame[ip] = 0x45;
    v.setUint16(ip + 2, ipLength);
    frame[ip + 8] = 63;
    frame[ip + 9] = 6;
    frame.set(from, ip + 12);
    frame.set(to, ip + 16);
    const t = ip + 20;
    v.setUint16(t, sport);
    v.setUint16(t + 2, dport);
    v.setUint32(t + 4, seq >>> 0);
    v.setUint32(t + 8, ack >>> 0);
    frame[t + 12] = 0x50;
    frame[t + 13] = flags;
    v.setUint16(t + 14, 65535);
    frame.set(payload, t + 20);
    this.chunks.push(frame);
    this.size += frame.length;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;
const FIN_ACK = 0x11;

function session(b: PcapBuilder, index: number, downloadBytes: number): void {
  const cport = 40_000 + index;
  const dport = 50_000 + index;
  const pasvPort = 30_000 + index;
  let c = 1000;
  let s = 5000;
  const text = new TextEncoder();
  const send = (fromClient: boolean, line: string) => {
    const payload = text.encode(`${line}\r\n`);
    if (fromClient) {
      b.tcp(CLIENT, SERVER, cport, 21, c, s, PSH_ACK, payload);
      c += payload.length;
    } else {
      b.tcp(SERVER, CLIENT, 21, cport, s, c, PSH_ACK, payload);
      s += payload.length;
    }
  };
  const empty = new Uint8Array();
  b.tcp(CLIENT, SERVER, cport, 21, c++, 0, SYN, empty);
  b.tcp(SERVER, CLIENT, 21, cport, s++, c, SYN | ACK, empty);
  send(false, '220 (vsFTPd 3.0.3)');
  send(true, 'USER anonymous');
  send(false, '331 Please specify the password.');
  send(true, 'PASS secret');
  send(false, '230 Login successful.');
  send(true, 'TYPE I');
  send(false, '200 Switching to Binary mode.');
  send(true, 'PASV');
  send(false, `227 Entering Passive Mode (198,51,100,20,${pasvPort >> 8},${pasvPort & 255}).`);
  send(true, 'RETR archive.bin');
  let dc = 9000;
  let ds = 7000;
  b.tcp(CLIENT, SERVER, dport, pasvPort, dc++, 0, SYN, empty);
  b.tcp(SERVER, CLIENT, pasvPort, dport, ds++, dc, SYN | ACK, empty);
  b.tcp(CLIENT, SERVER, dport, pasvPort, dc, ds, ACK, empty);
  send(false, `150 Opening BINARY mode data connection for archive.bin (${downloadBytes} bytes).`);
  const segment = new Uint8Array(MSS).fill(0x5a);
  for (let sent = 0; sent < downloadBytes; sent += MSS) {
    const piece = segment.subarray(0, Math.min(MSS, downloadBytes - sent));
    b.tcp(SERVER, CLIENT, pasvPort, dport, ds, dc, ACK, piece);
    ds += piece.length;
    // Linux acknowledges every second full segment.
    if ((sent / MSS) % 2 === 1) b.tcp(CLIENT, SERVER, dport, pasvPort, dc, ds, ACK, empty);
  }
  b.tcp(SERVER, CLIENT, pasvPort, dport, ds++, dc, FIN_ACK, empty);
  b.tcp(CLIENT, SERVER, dport, pasvPort, dc++, ds, FIN_ACK, empty);
  send(false, '226 Transfer complete.');
  send(true, 'QUIT');
  send(false, '221 Goodbye.');
}

export function syntheticCapture(targetBytes = TARGET_BYTES): Uint8Array {
  const b = new PcapBuilder();
  // Each data segment costs about 1,530 bytes in the file (its ACK every other one included).
  const perSession = Math.ceil(targetBytes / SESSIONS / 1530) * MSS;
  for (let i = 0; i < SESSIONS; i++) session(b, i, perSession);
  return b.bytes();
}

/** key=value lines: capture_ms beside tshark_ms (null when tshark is not installed). */
export function benchCapture(): Record<string, string | number | boolean | null> {
  const bytes = syntheticCapture();
  const dir = mkdtempSync(join(tmpdir(), 'ftp-lab-bench-'));
  try {
    const file = join(dir, 'large.pcap');
    writeFileSync(file, bytes);
    const start = performance.now();
    const analysis = readCapture(bytes);
    const captureMs = performance.now() - start;
    const tsharkStart = performance.now();
    const tshark = spawnSync('tshark', ['-n', '-r', file], {
      stdio: ['ignore', 'ignore', 'ignore'],
      timeout: 300_000,
    });
    const tsharkMs = tshark.status === 0 ? performance.now() - tsharkStart : null;
    return {
      capture_bytes: bytes.length,
      capture_frames: analysis.frames,
      capture_sessions: analysis.sessions.length,
      capture_ms: captureMs.toFixed(0),
      tshark_ms: tsharkMs === null ? null : tsharkMs.toFixed(0),
      capture_faster_than_tshark: tsharkMs === null ? null : captureMs < tsharkMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
