import { describe, expect, it } from 'vitest';
import { formatTranscript, wrapText } from '../../src/export/transcript';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';

function run(presetId: string, change: Partial<Scenario> = {}) {
  return simulate(networkPreset(presetId)!.apply({ ...defaultScenario(), ...change }));
}

const activeBlocked = run('client-stateful', { mode: 'active' });
const transcript = formatTranscript(activeBlocked);
const lines = transcript.split('\n');

describe('formatTranscript', () => {
  it('shows the PORT line with its port arithmetic', () => {
    const match = /"PORT 192,0,2,10,(\d+),(\d+)" \(port (\d+) × 256 \+ (\d+) = (\d+)\)/.exec(
      transcript,
    );
    expect(match).not.toBeNull();
    const [, p1, p2, a, b, port] = match!.map(Number);
    expect([a, b]).toEqual([p1, p2]);
    expect(port).toBe(p1! * 256 + p2!);
  });

  it('names the rule that dropped the data connection, once per SYN', () => {
    const drops = lines.filter((l) =>
      /✗ \[SYN\] dropped at the client firewall: rule 3, "inbound: drop everything else" \(conntrack state NEW\)$/.test(
        l,
      ),
    );
    expect(drops).toHaveLength(activeBlocked.outcome.dataConnections[0]!.synCount);
    expect(transcript).toMatch(
      /server → client\s+\[SYN\] 198\.51\.100\.20:20 → .*\(retransmission 5\)/,
    );
  });

  it('prints times in seconds with three decimals, packets as `from → to`', () => {
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\s*0\.000 {2}client → server {2}\[SYN\] 192\.0\.2\.10:\d+ → 198\.51\.100\.20:21 seq=\d+$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^\s*\d+\.\d{3} {2}client → server {2}\[PSH, ACK\] "USER student"$/),
    );
  });

  it('ends with the outcome and the explanation wrapped at 100 columns', () => {
    const at = lines.findIndex((l) => l.startsWith('Outcome: '));
    expect(lines[at]).toMatch(/^Outcome: FAILURE \(failed at LIST\) after 60\.\d{3} s$/);
    expect(lines[at - 1]).toBe('');
    const explanation = lines.slice(at + 1).filter(Boolean);
    expect(explanation.join(' ')).toBe(activeBlocked.outcome.explanation);
    for (const line of explanation) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('uses no colours', () => {
    expect(transcript.includes(String.fromCharCode(0x1b))).toBe(false);
  });

  it('skips bare ACKs in the short form but keeps handshake and close ACKs', () => {
    const bareAcks = lines.filter((l) => /\[ACK\] \d+\.\d+\.\d+\.\d+:\d+ → /.test(l));
    // Control connection: the handshake's last ACK, the ACKs of the two FINs.
    expect(bareAcks).toHaveLength(3);
    const verbose = formatTranscript(activeBlocked, { verbose: true });
    expect(verbose.split('\n').length).toBeGreaterThan(lines.length * 3);
    expect(verbose).toContain('on the wire client → client firewall');
    expect(verbose).toContain('SYN_SENT → ESTABLISHED');
    expect(verbose).toContain('conntrack at the client firewall: new #1');
  });

  it('collapses a burst of data segments into one line', () => {
    const binary = formatTranscript(
      run('no-firewall', { mode: 'passive', type: 'binary', commands: ['RETR archive.bin'] }),
    );
    expect(binary).toMatch(/server → client {2}\[ACK\] data \d+ bytes in \d+ segments/);
    expect(binary).toContain('Outcome: SUCCESS after');
  });

  it('tells a REJECT from a DROP and shows the ICMP answer', () => {
    const text = formatTranscript(run('client-stateful-reject', { mode: 'active' }));
    expect(text).toMatch(
      /✗ \[SYN\] rejected at the client firewall: rule 3, .*; answered with ICMP port unreachable/,
    );
    expect(text).toMatch(
      /client firewall → server {2}\[ICMP\] destination unreachable \(port unreachable\)/,
    );
  });

  it('shows NAT rewrites and what the FTP helper expects', () => {
    const text = formatTranscript(run('server-nat-helper', { mode: 'passive' }));
    expect(text).toMatch(
      /NAT at the server router: destination 198\.51\.100\.20:21 → 10\.0\.0\.20:21/,
    );
    expect(text).toMatch(
      /NAT at the server router: FTP helper rewrote 227 address 10\.0\.0\.20 → 198\.51\.100\.20/,
    );
    expect(text).toMatch(
      /FTP helper expects 192\.0\.2\.10 → 198\.51\.100\.20:\d+, translated to 10\.0\.0\.20:\d+/,
    );
    expect(text).toContain('server 10.0.0.20 (public 198.51.100.20)');
  });

  it('says where a private 227 address got lost', () => {
    const text = formatTranscript(run('server-nat-private', { mode: 'passive' }));
    expect(text).toMatch(/✗ \[SYN\] dropped at the internet: no route to 10\.0\.0\.20/);
  });
});

describe('wrapText', () => {
  it('wraps greedily at the width and keeps every word', () => {
    const text = 'one two three four five six seven eight nine ten';
    const wrapped = wrapText(text, 14);
    expect(wrapped).toEqual(['one two three', 'four five six', 'seven eight', 'nine ten']);
    expect(wrapText('a-very-long-word x', 5)).toEqual(['a-very-long-word', 'x']);
  });
});

describe('commands a terminal would act on (issue 11 item 19)', () => {
  const hostile = [
    { what: 'OSC that retitles the terminal', command: 'RETR \u001b]0;owned\u0007.txt' },
    { what: 'CSI that clears the screen', command: 'CWD \u001b[2J\u001b[31m' },
    { what: 'the one-character C1 CSI', command: 'RETR \u009b2Jc1.txt' },
    { what: 'a right-to-left override ("exe.png")', command: 'RETR \u202egnp.exe' },
  ];
  const unprintable =
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

  it.each(hostile)('prints $what escaped on every line, verbose or not', ({ command }) => {
    const result = run('no-firewall', { mode: 'passive', commands: [command] });
    for (const verbose of [false, true]) {
      const text = formatTranscript(result, { verbose });
      expect(text).not.toMatch(unprintable);
      const escaped = JSON.stringify(command)
        .slice(1, -1)
        .replace(
          /[\u007f-\u009f\u202e]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        );
      const scenarioLine = text.split('\n')[0]!;
      expect(scenarioLine).toContain(`commands: ${escaped}`);
      const outcomeLine = text.split('\n').find((l) => l.startsWith('Outcome: '))!;
      expect(outcomeLine).toContain(`(failed at ${escaped})`);
    }
  });

  it('leaves ordinary text and the quoted wire lines as they were', () => {
    expect(transcript).toContain('commands: LIST; RETR notes.txt');
    expect(transcript).toContain('"USER student"');
    expect(transcript).toContain('→');
  });
});
