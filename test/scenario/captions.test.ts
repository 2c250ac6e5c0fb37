import { describe, expect, it } from 'vitest';
import { captionAt, captionOf, plainActorName, plainState } from '../../src/scenario/captions';
import { defaultScenario, NETWORK_PRESETS } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import { indexTrace } from '../../src/scenario/timeline';
import type { Scenario } from '../../src/scenario/types';

/** A state name as a machine writes it: camelCase, dotted, or RFC 9293's SYN_SENT. */
const MACHINE_NAME = /\b[a-z]+[A-Z]\w*\b|\b[A-Z]+_[A-Z_]+\b|\w\.\w|→/;

function runs(): Scenario[] {
  const modes = ['active', 'passive', 'eprt', 'epsv'] as const;
  return NETWORK_PRESETS.flatMap((preset) =>
    modes.map((mode) => ({ ...preset.apply(defaultScenario()), mode })),
  );
}

describe('captions', () => {
  it('say what a state means rather than its name', () => {
    expect(plainState('ftp-server', 'awaitingPassword')).toBe('waits for the password');
    expect(plainState('ftp-server', 'loggedIn.idle')).toBe(
      'has logged the client in and waits for a command',
    );
    expect(plainState('tcp', 'SYN_SENT')).toBe('has sent its SYN and waits for an answer');
    expect(
      plainState('ftp-client', 'transferring.control.awaitingCompletionReply | data.open'),
    ).toBe('receives the data');
    expect(
      plainState('ftp-client', 'transferring.control.awaitingCompletionReply | data.closed'),
    ).toBe('waits for the server to confirm the transfer');
    expect(plainState('tcp', 'NO_SUCH_STATE')).toBeNull();
  });

  it('name the machine as the learner knows it', () => {
    const base = { actor: 'a', node: 'server', channel: 'data' } as const;
    expect(plainActorName({ ...base, machine: 'ftp-server', label: 'FTP server session' })).toBe(
      'The server',
    );
    expect(
      plainActorName({ ...base, machine: 'tcp', label: 'FTP server active data connection' }),
    ).toBe("The server's data connection");
    expect(
      plainActorName({
        ...base,
        node: 'client',
        machine: 'tcp',
        label: 'FTP client active data listener',
      }),
    ).toBe("The client's data port");
  });

  it('never show a machine-internal name, in any preset and mode', () => {
    const seen = new Set<string>();
    for (const scenario of runs()) {
      const index = indexTrace(simulate(scenario));
      for (const event of index.events) {
        if (event.type !== 'transition') continue;
        const caption = captionOf(event, index);
        seen.add(caption);
        expect(caption, `${event.machine} ${event.from} → ${event.to}`).not.toMatch(MACHINE_NAME);
        expect(caption).not.toMatch(/changes state$/);
      }
    }
    expect(seen).toContain('The server waits for the password');
    expect(seen).toContain("The client's control connection is open");
  });

  it('give the last thing that happened at t, and nothing before the first event', () => {
    const index = indexTrace(simulate(defaultScenario()));
    expect(captionAt(index, -1)).toBeNull();
    const end = index.events[index.events.length - 1]!.t;
    expect(captionAt(index, end)).toEqual(expect.any(String));
  });
});
