import { describe, expect, it } from 'vitest';
import { checkLessonDir } from '../../src/cli/lessons';
import { checkTask } from '../../src/lessons/check';
import { simulate } from '../../src/scenario/simulate';
import type { Scenario } from '../../src/scenario/types';

const { lessons } = checkLessonDir('lessons');

function task(order: number) {
  const step = lessons.find((l) => l.order === order)!.steps.find((s) => s.task)!;
  return step.task!;
}

function feedback(order: number, change: (start: Scenario) => Scenario) {
  const t = task(order);
  return checkTask(t, simulate(change(structuredClone(t.start))));
}

describe('task feedback points at the mistake', () => {
  it('6/3: the helper on the client side, where passive mode does not need it', () => {
    const verdict = feedback(6, (s) => ({
      ...s,
      clientSide: { ...s.clientSide, ftpHelper: true },
    }));
    expect(verdict.done).toBe(false);
    expect(verdict.missing.join(' ')).toContain(
      "The FTP helper is on the client's router, but in passive mode the client opens the data connection",
    );
    expect(verdict.missing.join(' ')).not.toContain('should be');
  });

  it('7/3: the passive range open instead of the helper', () => {
    const t = task(7);
    const verdict = checkTask(t, simulate(t.wrong[0]!.scenario));
    expect(verdict.missing[0]).toMatch(
      /^The data connection got in as NEW, through the server firewall's rule 2, "inbound: passive data ports 40000-40099":/,
    );
  });

  it('5/5: the firewall switched off', () => {
    const verdict = feedback(5, (s) => ({ ...s, clientSide: { ...s.clientSide, firewall: null } }));
    expect(verdict.missing).toEqual([
      "The task asks you to keep the client's firewall; you switched it off. A network without a firewall works, but it is not the network the task is about.",
    ]);
  });

  it('9/3: still dropped, and how long the client waits', () => {
    const verdict = feedback(9, (s) => s);
    expect(verdict.missing[0]).toMatch(/^The firewall still drops the server's SYN in silence/);
    expect(verdict.missing[1]).toMatch(
      /^The session takes \d+ s; the task wants it over within 1 s\.$/,
    );
  });

  it('9/3: the client behind NAT fails fast, but before any data connection', () => {
    const verdict = feedback(9, (s) => ({ ...s, clientSide: { ...s.clientSide, nat: true } }));
    expect(verdict.done).toBe(false);
    expect(verdict.missing.join(' ')).toContain(
      'No data connection was tried: the session stopped before it, as the server refused the PORT command',
    );
    expect(verdict.missing.join(' ')).not.toContain('should be');
  });

  it('8/5 and 11/5: another client program is a change the task does not allow', () => {
    for (const [order, program, allowed] of [
      [8, 'curl', "the server's router or the FTP server"],
      [11, 'lftp', "the client's router"],
    ] as const) {
      const verdict = feedback(order, (s) => ({ ...s, client: { ...s.client, program } }));
      expect(verdict.done).toBe(false);
      expect(verdict.missing.join(' ')).toContain(
        `You changed which program plays the client; this task lets you change only ${allowed}.`,
      );
    }
  });
});
