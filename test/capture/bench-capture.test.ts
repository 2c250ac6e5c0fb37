import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index';
import { syntheticCapture } from '../../src/cli/bench-capture';

describe('the benchmark capture', () => {
  it('is twenty complete passive downloads, each byte counted once', () => {
    const bytes = syntheticCapture(2_000_000);
    const analysis = readCapture(bytes);
    expect(analysis.truncatedAt).toBeNull();
    expect(analysis.sessions).toHaveLength(20);
    for (const { session, diagnosis } of analysis.sessions) {
      expect(diagnosis.outcome).toBe('success');
      expect(session.dataConnections).toHaveLength(1);
      const [data] = session.dataConnections;
      expect(data).toMatchObject({
        command: 'RETR archive.bin',
        mode: 'passive',
        result: 'completed',
        retransmissions: 0,
      });
      expect(data!.bytes).toBe(Math.ceil(2_000_000 / 20 / 1530) * 1448);
    }
  });
});
