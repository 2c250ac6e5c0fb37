import { describe, expect, it } from 'vitest';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { indexTrace } from '../../src/scenario/queries';
import { simulate } from '../../src/scenario/simulate';
import {
  activeStates,
  guardName,
  handshakeRetriesAt,
  guardVerdict,
  lastChangeAt,
  statechartOf,
  transitionPath,
  type ActorMachine,
} from '../../src/scenario/statecharts';
import type { Scenario } from '../../src/scenario/types';

const MACHINES: ActorMachine[] = ['tcp', 'ftp-client', 'ftp-server'];

describe('statechartOf', () => {
  it('reads the TCP socket as RFC 9293 names it, with its guards', () => {
    const chart = statechartOf('tcp');
    expect(chart.states.map((s) => s.id)).toEqual([
      'CLOSED',
      'LISTEN',
      'SYN_SENT',
      'SYN_RECEIVED',
      'ESTABLISHED',
      'FIN_WAIT_1',
      'FIN_WAIT_2',
      'CLOSE_WAIT',
      'CLOSING',
      'LAST_ACK',
      'TIME_WAIT',
    ]);
    const synAck = chart.transitions.find((t) => t.id === 'SYN_SENT->ESTABLISHED')!;
    expect(synAck.triggers).toEqual([
      { kind: 'event', event: 'SEGMENT', guard: 'isSynAck', actions: ['completeActiveOpen'] },
    ]);
    // The SYN retransmission re-enters SYN_SENT: it is drawn, as a loop.
    const retry = chart.transitions.find((t) => t.id === 'SYN_SENT->SYN_SENT')!;
    expect(retry.triggers[0]).toMatchObject({ kind: 'after', event: 'retransmissionTimeout' });
    expect(chart.states.find((s) => s.id === 'ESTABLISHED')!.inPlace).toContain('SEND');
  });

  it.each(MACHINES)('%s: every transition joins states of the machine', (machine) => {
    const chart = statechartOf(machine);
    const ids = new Set(chart.states.map((s) => s.id));
    for (const t of chart.transitions) {
      expect(t.source === '' || ids.has(t.source), t.id).toBe(true);
      expect(ids.has(t.target), t.id).toBe(true);
      expect(t.triggers.length).toBeGreaterThan(0);
    }
    expect(chart.states.filter((s) => s.parent === '' && s.initial)).toHaveLength(1);
  });

  it('names parameterised and combined guards as the machine writes them', () => {
    const client = statechartOf('ftp-client');
    expect(
      client.transitions.find((t) => t.id === 'awaitingGreeting->awaitingUserReply')!.triggers[0]!
        .guard,
    ).toBe('isReply(220)');
    expect(
      client.transitions.find((t) => t.id === 'nextStep->preparingData')!.triggers[0],
    ).toMatchObject({
      kind: 'always',
      guard: 'hasMoreSteps and nextIsTransfer',
    });
    expect(
      client.transitions.find((t) => t.id === 'transferring->nextStep')!.triggers[0],
    ).toMatchObject({
      kind: 'done',
    });
    // A transition the machine takes from any state has the machine itself ("") as its source.
    expect(client.transitions.find((t) => t.id === '->failed')!.triggers[0]!.event).toBe(
      'CONTROL_CLOSED',
    );
    expect(guardName({ type: 'isCommand', params: { verb: ['PWD', 'XPWD'] } })).toBe(
      'isCommand(PWD, XPWD)',
    );
    expect(guardName(undefined)).toBeNull();
  });
});

describe('activeStates', () => {
  it('reads a parallel state flattened by the trace', () => {
    const chart = statechartOf('ftp-client');
    expect(activeStates(chart, 'transferring.control.awaitingCompletionReply | data.open')).toEqual(
      ['transferring.control.awaitingCompletionReply', 'transferring.data.open'],
    );
    expect(activeStates(chart, 'idle')).toEqual(['idle']);
    expect(activeStates(chart, 'nowhere')).toEqual([]);
    expect(activeStates(chart, null)).toEqual([]);
  });
});

const scenarios: [string, Scenario][] = [
  ['active behind a stateful firewall', networkPreset('client-stateful')!.apply(defaultScenario())],
  [
    'passive, binary, three transfers',
    {
      ...defaultScenario(),
      mode: 'passive',
      type: 'binary',
      commands: ['LIST', 'RETR logo.png', 'STOR up.txt'],
    },
  ],
  ['EPRT', { ...defaultScenario(), mode: 'eprt', commands: ['LIST', 'PWD', 'RETR missing.txt'] }],
  ['EPSV', { ...defaultScenario(), mode: 'epsv' }],
  ['wrong password', { ...defaultScenario(), client: { user: 'student', password: 'nope' } }],
];

describe('transitionPath', () => {
  it.each(scenarios)('explains every change of state of every actor: %s', (_name, scenario) => {
    const index = indexTrace(simulate(scenario));
    const unexplained: string[] = [];
    for (const event of index.events) {
      if (event.type !== 'transition' || event.from === null) continue;
      // The event as rebuilt from the trace, so that the machine's guards are judged too.
      const change = lastChangeAt(index, event.actor, event.t)!;
      const detail = change.eventIndex === index.events.indexOf(event) ? change.machineEvent : null;
      const chart = statechartOf(event.machine);
      const path = transitionPath(chart, event.from, event.to, event.event, detail);
      if (path.length === 0)
        unexplained.push(`${event.machine}: ${event.from} -> ${event.to} on ${event.event}`);
    }
    expect(unexplained).toEqual([]);
  });

  it('follows eventless transitions after the event', () => {
    const chart = statechartOf('ftp-client');
    const path = transitionPath(chart, 'awaitingTypeReply', 'awaitingPassiveReply', 'REPLY');
    expect(path.map((t) => t.id)).toEqual([
      'awaitingTypeReply->nextStep',
      'nextStep->preparingData',
      'preparingData->awaitingPassiveReply',
    ]);
    // Out of a parallel state when both regions are done.
    const done = transitionPath(
      chart,
      'transferring.control.awaitingCompletionReply | data.closed',
      'quitting',
      'REPLY',
      { type: 'REPLY', code: 226, text: 'Transfer complete.' },
    );
    expect(done.map((t) => t.id)).toEqual([
      'transferring.control.awaitingCompletionReply->transferring.control.complete',
      'transferring->nextStep',
      'nextStep->quitting',
    ]);
  });

  it('without the event, takes the shortest explanation; the guards rule out the wrong one', () => {
    const chart = statechartOf('ftp-client');
    const from = 'transferring.control.awaitingCompletionReply | data.closed';
    expect(transitionPath(chart, from, 'quitting', 'REPLY')[0]!.id).toBe('transferring->failed');
    const refused = { type: 'REPLY', code: 451, text: 'Local error.' };
    expect(transitionPath(chart, from, 'quitting', 'REPLY', refused)[0]!.id).toBe(
      'transferring->failed',
    );
  });

  it('judges guards that read only the event, and leaves the others open', () => {
    const reply = (code: number) => ({ type: 'REPLY', code, text: '' });
    expect(guardVerdict('ftp-client', { type: 'isReply', params: { code: 220 } }, reply(220))).toBe(
      true,
    );
    expect(guardVerdict('ftp-client', 'isNegativeReply', reply(226))).toBe(false);
    // hasMoreSteps reads the context.
    expect(guardVerdict('ftp-client', 'hasMoreSteps', reply(226))).toBeNull();
  });

  it('takes a timer for "timeout"', () => {
    const path = transitionPath(statechartOf('tcp'), 'TIME_WAIT', 'CLOSED', 'timeout');
    expect(path.map((t) => t.id)).toEqual(['TIME_WAIT->CLOSED']);
  });
});

describe('lastChangeAt', () => {
  const index = indexTrace(simulate({ ...defaultScenario(), mode: 'passive' }));

  it('names the packet that took the client socket to ESTABLISHED', () => {
    const socket = index.actors.find((a) => a.info.node === 'client' && a.info.machine === 'tcp')!;
    const established = socket.stateTimes[socket.states.indexOf('ESTABLISHED')]!;
    const change = lastChangeAt(index, socket.info.actor, established);
    expect(change).toMatchObject({
      from: 'SYN_SENT',
      to: 'ESTABLISHED',
      event: 'SEGMENT',
      cause: 'SYN-ACK',
    });
    expect(lastChangeAt(index, socket.info.actor, -1)).toBeNull();
  });

  it('quotes the whole reply line that moved the FTP client', () => {
    const client = index.actors.find((a) => a.info.machine === 'ftp-client')!;
    const t = client.stateTimes[client.states.indexOf('connectingData')]!;
    const change = lastChangeAt(index, client.info.actor, t)!;
    expect(change.cause).toMatch(/^"227 Entering Passive Mode \(\d+,\d+,\d+,\d+,\d+,\d+\)\."$/);
  });
});

describe('handshakeRetriesAt', () => {
  it('counts the SYNs the server sends again while a firewall drops them', () => {
    const index = indexTrace(simulate(networkPreset('client-stateful')!.apply(defaultScenario())));
    const socket = index.actors.find((a) => a.info.label === 'FTP server active data connection')!;
    const since = socket.stateTimes[socket.states.indexOf('SYN_SENT')]!;
    // Linux: retransmissions at 1.017, 2.041, 3.065, 4.089, 5.113, 7.129 ... s.
    expect(handshakeRetriesAt(index, socket.info.actor, since + 1e-9, since + 0.5)).toBe(0);
    expect(handshakeRetriesAt(index, socket.info.actor, since + 1e-9, since + 1020)).toBe(1);
    expect(handshakeRetriesAt(index, socket.info.actor, since + 1e-9, since + 3070)).toBe(3);
    expect(handshakeRetriesAt(index, socket.info.actor, since + 1e-9, since + 7000)).toBe(5);
  });
});
