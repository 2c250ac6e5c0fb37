import { describe, expect, it } from 'vitest';
import { defaultFileStore } from '../../src/machines/file-store';
import { fromNetAscii, toNetAscii } from '../../src/protocol/net-ascii';
import { defaultScenario } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import { diffBytes, hexBytes, lineEnds, transferReports } from '../../src/scenario/transfers';
import type { TransferType } from '../../src/scenario/types';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('diffBytes', () => {
  it('finds nothing in identical copies', () => {
    const a = bytes(1, 2, 3, 0x0d, 0x0a, 4);
    expect(diffBytes(a, a.slice())).toEqual({ edits: [], totalEdits: 0, crlfToLf: 0, lfToCrlf: 0 });
  });

  it('names the CR that TYPE A dropped from a CR LF, and stays in step after it', () => {
    const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d);
    const diff = diffBytes(png, fromNetAscii(toNetAscii(png)));
    expect(diff.totalEdits).toBe(1);
    expect(diff.crlfToLf).toBe(1);
    expect(diff.edits[0]).toEqual({ originalOffset: 4, copyOffset: 4, removed: [0x0d], added: [] });
  });

  it('names a CR put before a bare LF', () => {
    const diff = diffBytes(
      bytes(0x41, 0x0a, 0x42, 0x43, 0x44, 0x45),
      bytes(0x41, 0x0d, 0x0a, 0x42, 0x43, 0x44, 0x45),
    );
    expect(diff.lfToCrlf).toBe(1);
    expect(diff.edits[0]).toMatchObject({
      originalOffset: 1,
      copyOffset: 1,
      removed: [],
      added: [0x0d],
    });
  });

  it('reports a changed byte as one removed and one added', () => {
    const diff = diffBytes(bytes(1, 2, 3, 4, 5, 6, 7, 8), bytes(1, 2, 9, 4, 5, 6, 7, 8));
    expect(diff.edits).toEqual([{ originalOffset: 2, copyOffset: 2, removed: [3], added: [9] }]);
  });

  it('reports a cut-off tail', () => {
    const diff = diffBytes(bytes(1, 2, 3, 4, 5, 6), bytes(1, 2, 3));
    expect(diff.edits).toEqual([
      { originalOffset: 3, copyOffset: 3, removed: [4, 5, 6], added: [] },
    ]);
  });

  it('keeps the first edits and counts them all on a large damaged file', () => {
    const archive = defaultFileStore()['/archive.bin']!.bytes;
    const pairs = lineEnds(archive).crlf;
    const diff = diffBytes(archive, fromNetAscii(toNetAscii(archive)), 2);
    expect(diff.totalEdits).toBe(pairs);
    expect(diff.crlfToLf).toBe(pairs);
    expect(diff.edits.length).toBe(Math.min(2, pairs));
  });
});

describe('transferReports', () => {
  const run = (type: TransferType, commands: string[]) =>
    transferReports(simulate({ ...defaultScenario(), mode: 'passive', type, commands }));

  it('finds the PNG damaged by TYPE A, with the sizes on each side and the changed bytes', () => {
    const [report] = run('ascii', ['RETR logo.png']);
    expect(report!.verdict).toBe('damaged');
    expect(report!.original!.bytes.length).toBe(1024);
    expect(report!.received!.length).toBeLessThan(1024);
    expect(report!.wireBytes).toBeGreaterThan(1024);
    expect(report!.diff!.edits[0]).toMatchObject({ originalOffset: 4, removed: [0x0d] });
    expect(report!.explanation).toContain(
      hexBytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(report!.explanation).toContain('arrived as 89 50 4E 47 0A 1A 0A');
    expect(report!.explanation).toContain('TYPE I');
  });

  it('finds the PNG identical with TYPE I, and the text file identical in both types', () => {
    const binary = run('binary', ['RETR logo.png', 'RETR notes.txt']);
    expect(binary.map((r) => r.verdict)).toEqual(['identical', 'identical']);
    const [notes] = run('ascii', ['RETR notes.txt']);
    expect(notes!.verdict).toBe('identical');
    const { bareLf } = lineEnds(notes!.original!.bytes);
    expect(notes!.wireBytes).toBe(notes!.original!.bytes.length + bareLf);
    expect(notes!.explanation).toContain(`${bareLf} line ends as 0D 0A`);
  });

  it('does not claim to compare listings and uploads', () => {
    const reports = run('ascii', ['LIST', 'STOR upload.txt']);
    expect(reports.map((r) => [r.verb, r.verdict])).toEqual([
      ['LIST', 'not compared'],
      ['STOR', 'not compared'],
    ]);
  });
});

describe('an upload the server cannot create (RFC 959 §4.2: 553, file name not allowed)', () => {
  /** Each TCP socket's last state in the trace. */
  const finalTcpStates = (trace: ReturnType<typeof simulate>['trace']) => {
    const last = new Map<string, string>();
    for (const e of trace)
      if (e.type === 'transition' && e.machine === 'tcp') last.set(e.actor, e.to);
    return [...last.values()];
  };

  it.each(['active', 'passive'] as const)(
    '%s mode: 553 fails the session, and every connection, the data one included, ends closed',
    (mode) => {
      const result = simulate({ ...defaultScenario(), mode, commands: ['STOR nowhere/up.txt'] });
      expect(result.outcome.result).toBe('failure');
      expect(result.outcome.failedAt).toBe('STOR nowhere/up.txt');
      expect(result.outcome.replyCodes.slice(-2)).toEqual([553, 221]);
      const states = finalTcpStates(result.trace);
      expect(states.filter((s) => s !== 'CLOSED' && s !== 'TIME_WAIT' && s !== 'LISTEN')).toEqual(
        [],
      );
    },
  );

  it('a new file in a directory that exists is stored', () => {
    const result = simulate({
      ...defaultScenario(),
      mode: 'passive',
      commands: ['STOR pub/new.txt'],
    });
    expect(result.outcome.result).toBe('success');
  });
});
