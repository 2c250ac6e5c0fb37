import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../src/node/recording';
import {
  describeEvent,
  formatRecordedAt,
  revealWait,
} from '../../../src/ui/recording/recording-replay';

const events: SessionEvent[] = [
  { t: 30, kind: 'line', from: 'server', text: '220 ready' },
  { t: 32, kind: 'line', from: 'client', text: 'USER anonymous' },
  { t: 1532, kind: 'line', from: 'server', text: '331 password' },
];

describe('replaying a recording', () => {
  it('waits for each gap, 20 times slower at 1×', () => {
    expect(revealWait(events, 0, 1, false)).toEqual({ wallMs: 600, skippedMs: 0 });
    expect(revealWait(events, 1, 1, false)).toEqual({ wallMs: 40, skippedMs: 0 });
    expect(revealWait(events, 1, 4, false)).toEqual({ wallMs: 10, skippedMs: 0 });
  });

  it('skips a quiet stretch longer than 400 ms, and says how long it was', () => {
    expect(revealWait(events, 2, 1, false)).toEqual({ wallMs: 400, skippedMs: 1500 });
  });

  it('moves at a steady pace with reduced motion', () => {
    expect(revealWait(events, 1, 1, true)).toEqual({ wallMs: 700, skippedMs: 0 });
    expect(revealWait(events, 2, 2, true)).toEqual({ wallMs: 350, skippedMs: 0 });
  });

  it('describes each event in words', () => {
    expect(describeEvent(events[0]!)).toBe('Server to client: 220 ready');
    expect(describeEvent(events[1]!)).toBe('Client to server: USER anonymous');
    expect(
      describeEvent({
        t: 50,
        kind: 'data-open',
        id: 1,
        opener: 'server',
        local: { address: '10.0.0.2', port: 40000 },
        remote: { address: '::1', port: 20 },
      }),
    ).toBe('Data connection 1 opened by the server: server [::1]:20 to client 10.0.0.2:40000');
    expect(
      describeEvent({ t: 60, kind: 'data-close', id: 1, bytesSent: 0, bytesReceived: 1 }),
    ).toBe('Data connection 1 closed: the client sent 0 bytes and received 1 byte');
    expect(describeEvent({ t: 70, kind: 'note', text: 'refused' })).toBe('Note: refused');
  });

  it('shows the recording time in UTC for everyone', () => {
    expect(formatRecordedAt('2025-01-31T09:00:00.123Z')).toBe('2025-01-31 09:00:00 UTC');
    expect(formatRecordedAt('2025-01-31T10:00:00+01:00')).toBe('2025-01-31 09:00:00 UTC');
  });
});
