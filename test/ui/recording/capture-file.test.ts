import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fileKind,
  readCaptureFile,
  type CaptureReply,
} from '../../../src/ui/recording/capture-file';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../capture/fixtures/${name}`, import.meta.url)));

function read(bytes: Uint8Array): CaptureReply[] {
  const replies: CaptureReply[] = [];
  let clock = 0;
  readCaptureFile(
    bytes,
    (r) => replies.push(r),
    () => (clock += 5),
  );
  return replies;
}

describe('opening a file on the Real session page', () => {
  it('tells captures and recordings apart by their first bytes', () => {
    expect(fileKind(fixture('no-firewall-passive.internet.pcap'))).toBe('pcap');
    expect(fileKind(fixture('no-firewall-curl-epsv.server-lan.pcapng'))).toBe('pcapng');
    expect(fileKind(new Uint8Array([0xa1, 0xb2, 0x3c, 0x4d]))).toBe('pcap');
    expect(fileKind(new Uint8Array([0x4d, 0x3c, 0xb2, 0xa1]))).toBe('pcap');
    expect(fileKind(new TextEncoder().encode('\uFEFF \n {"format"'))).toBe('recording');
    expect(fileKind(new Uint8Array([0xff, 0xd8, 0xff]))).toBe('unknown');
    expect(fileKind(new Uint8Array())).toBe('unknown');
  });

  it('reads a capture with progress up to 1, then one result with its stage', () => {
    const replies = read(fixture('client-stateful-active.server-lan.pcap'));
    const last = replies.at(-1)!;
    expect(replies.filter((r) => r.type === 'progress').at(-1)).toEqual({
      type: 'progress',
      fraction: 1,
    });
    expect(last.type).toBe('done');
    if (last.type !== 'done' || !last.result.ok) throw new Error('not read');
    expect(last.result).toMatchObject({ format: 'pcap', frames: 29, sessions: 1, readMs: 5 });
    expect(last.result.stages.map((s) => s.diagnosis.failure)).toEqual([{ at: 'LIST', kind: 425 }]);
  });

  it('stages every FTP session of a capture, each with its own diagnosis', () => {
    const active = fixture('client-stateful-active.server-lan.pcap');
    const passive = fixture('ftplib-no-firewall-passive.server-lan.pcap');
    // Both are Ethernet pcaps: the second one's records follow the first one's.
    const both = new Uint8Array(active.length + passive.length - 24);
    both.set(active);
    both.set(passive.subarray(24), active.length);
    const last = read(both).at(-1)!;
    if (last.type !== 'done' || !last.result.ok) throw new Error('not read');
    expect(last.result.sessions).toBe(2);
    expect(last.result.stages.map((s) => s.diagnosis.outcome)).toEqual(['failure', 'success']);
    expect(last.result.stages.map((s) => s.summary.client.port)).toEqual([58428, 35606]);
  });

  it("gives the reader's own sentence for a bad file, never a throw", () => {
    const replies = read(new TextEncoder().encode('hello, not a capture'));
    expect(replies.at(-1)).toEqual({
      type: 'done',
      result: { ok: false, error: 'not a capture file (neither pcap nor pcapng)' },
    });
  });
});
