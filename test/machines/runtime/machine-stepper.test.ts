import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  and,
  assign,
  cancel,
  createMachine,
  emit,
  enqueueActions,
  not,
  or,
  raise,
  setup,
  stateIn,
} from 'xstate';
import { ftpClientMachine } from '../../../src/machines/ftp-client';
import { ftpServerMachine } from '../../../src/machines/ftp-server';
import { tcpSocketMachine } from '../../../src/machines/tcp-socket';
import { stepperFor } from '../../../src/machines/runtime/machine-stepper';
import { EventQueue } from '../../../src/network/event-queue';
import { SimActor, withXStateSteps } from '../../../src/machines/runtime/sim-actor';
import { matrixScenarios } from '../../../src/cli/matrix';
import { NETWORK_PRESETS, defaultScenario, withReject } from '../../../src/scenario/presets';
import { simulate } from '../../../src/scenario/simulate';
import { DATA_MODES, type Scenario } from '../../../src/scenario/types';
import { allTransitionNames, modelPaths, replay } from '../model';

// The machine stepper must compute exactly what XState's own step computes. The protocol machines
// are compared path by path in test/machines (every model path runs on both runtimes); here, whole
// simulations are compared, and a machine built to use the statechart features the protocol
// machines do not (nested exits, initial actions, re-entry, parallel regions that conflict,
// raised and cancelled events, eventless loops, combined guards) is walked the same way.

describe('the protocol machines run on the stepper', () => {
  it.each([
    ['TCP', tcpSocketMachine],
    ['FTP client', ftpClientMachine],
    ['FTP server', ftpServerMachine],
  ])('%s', (_name, machine) => {
    expect(stepperFor(machine)).not.toBeNull();
  });
});

/** A simulation's trace and outcome, as JSON text, on one runtime or the other. */
function run(scenario: Scenario, runtime: 'stepper' | 'xstate'): string {
  const result =
    runtime === 'xstate' ? withXStateSteps(() => simulate(scenario)) : simulate(scenario);
  return JSON.stringify([result.trace, result.outcome, result.client], (_key, value: unknown) =>
    value instanceof Uint8Array ? Array.from(value) : value,
  );
}

describe('whole simulations are identical on both runtimes', () => {
  it('every mode under every preset (the what-if matrix)', () => {
    for (const scenario of matrixScenarios()) {
      expect(run(scenario, 'stepper')).toBe(run(scenario, 'xstate'));
    }
    // About a second alone; CI runs it beside the lab suite and the browser build on two cores.
  }, 60_000);

  const COMMANDS = [
    'LIST',
    'NLST',
    'RETR notes.txt',
    'RETR archive.bin',
    'RETR missing.txt',
    'STOR upload.txt',
    'CWD pub',
    'CWD nowhere',
    'PWD',
    'SYST',
    'NOOP',
    'TYPE X',
    'XYZ',
  ];
  const scenarios = fc
    .record({
      preset: fc.constantFrom(...NETWORK_PRESETS),
      mode: fc.constantFrom(...DATA_MODES),
      type: fc.constantFrom('ascii' as const, 'binary' as const),
      pasvAddress: fc.constantFrom('trust' as const, 'ignore' as const),
      advertise: fc.constantFrom('private' as const, 'public' as const),
      reject: fc.boolean(),
      wrongPassword: fc.boolean(),
      commands: fc.array(fc.constantFrom(...COMMANDS), { maxLength: 4 }),
    })
    .map(({ preset, mode, type, pasvAddress, advertise, reject, wrongPassword, commands }) => {
      const base = preset.apply({ ...defaultScenario(), mode });
      const scenario: Scenario = {
        ...base,
        type,
        pasvAddress,
        commands,
        client: { ...base.client, password: wrongPassword ? 'guess' : base.client.password },
        server: { ...base.server, advertise },
      };
      return reject
        ? {
            ...scenario,
            clientSide: withReject(scenario.clientSide),
            serverSide: withReject(scenario.serverSide),
          }
        : scenario;
    });

  it('random scenarios: presets, modes, types, commands, bad logins, REJECT', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        expect(run(scenario, 'stepper')).toBe(run(scenario, 'xstate'));
      }),
      { numRuns: 60 },
    );
  });
});

interface ZooContext {
  count: number;
  log: string[];
  flag: boolean;
}

type ZooEvent =
  | { type: 'GO' }
  | { type: 'BACK' }
  | { type: 'AGAIN' }
  | { type: 'TICK'; by: number }
  | { type: 'SPLIT' }
  | { type: 'LEFT' }
  | { type: 'RIGHT' }
  | { type: 'BOTH' }
  | { type: 'FLIP' }
  | { type: 'ARM' }
  | { type: 'DISARM' }
  | { type: 'FINISH' }
  | { type: 'PING' };

/** Every feature the stepper implements, in one machine small enough to walk completely. */
const zoo = setup({
  types: {
    context: {} as ZooContext,
    events: {} as ZooEvent,
    emitted: {} as { type: 'note'; text: string },
  },
  delays: {
    soon: ({ context }) => 100 + context.count,
  },
  guards: {
    flagged: ({ context }) => context.flag,
    atLeast: ({ context }, params: { n: number }) => context.count >= params.n,
    below: ({ context }, params: { n: number }) => context.count < params.n,
  },
  actions: {
    note: emit((_, params: { text: string }) => ({ type: 'note' as const, text: params.text })),
    log: assign(({ context }, params: { text: string }) => ({
      log: [...context.log, params.text],
    })),
    bump: assign({
      count: ({ context, event }) => context.count + (event.type === 'TICK' ? event.by : 1),
    }),
    toggle: assign({ flag: ({ context }) => !context.flag }),
    several: enqueueActions(({ context, enqueue, check }) => {
      enqueue.assign({ count: context.count + 1 });
      enqueue(emit({ type: 'note', text: 'queued' }));
      if (check(({ context: now }) => now.flag)) enqueue.raise({ type: 'PING' });
      enqueue.emit({ type: 'note', text: `enqueued at ${context.count}` });
    }),
    armTimer: enqueueActions(({ enqueue }) => {
      enqueue.raise({ type: 'FINISH' }, { id: 'finish', delay: 'soon' });
    }),
    disarmTimer: enqueueActions(({ enqueue }) => {
      enqueue.cancel('finish');
    }),
  },
}).createMachine({
  id: 'zoo',
  context: { count: 0, log: [], flag: false },
  initial: 'outer',
  entry: { type: 'note', params: { text: 'root entry' } },
  states: {
    outer: {
      entry: { type: 'log', params: { text: 'enter outer' } },
      exit: [
        { type: 'note', params: { text: 'exit outer' } },
        { type: 'log', params: { text: 'exit outer' } },
      ],
      initial: { target: 'inner', actions: { type: 'note', params: { text: 'outer initial' } } },
      on: {
        AGAIN: { target: 'outer', reenter: true, actions: 'bump' },
        FLIP: { actions: 'toggle' },
        SPLIT: 'split',
        ARM: { actions: 'armTimer' },
        DISARM: { actions: 'disarmTimer' },
      },
      states: {
        inner: {
          tags: ['waiting'],
          entry: { type: 'note', params: { text: 'enter inner' } },
          exit: { type: 'note', params: { text: 'exit inner' } },
          on: {
            GO: { target: 'deeper', actions: 'several' },
            TICK: [
              {
                guard: and(['flagged', { type: 'atLeast', params: { n: 2 } }]),
                target: 'counting',
              },
              { guard: or([not('flagged'), { type: 'below', params: { n: 1 } }]), actions: 'bump' },
              { actions: { type: 'note', params: { text: 'tick ignored' } } },
            ],
            PING: { actions: { type: 'note', params: { text: 'pinged' } } },
          },
        },
        deeper: {
          initial: 'bottom',
          exit: { type: 'note', params: { text: 'exit deeper' } },
          states: {
            bottom: {
              tags: ['deep'],
              exit: { type: 'note', params: { text: 'exit bottom' } },
              on: { BACK: '#zoo.outer.inner' },
            },
          },
          on: { PING: { actions: { type: 'note', params: { text: 'deep ping' } } } },
        },
        counting: {
          // An eventless loop: runs until the guard fails, each pass assigning.
          always: [
            { guard: { type: 'below', params: { n: 5 } }, actions: 'bump' },
            { target: 'inner' },
          ],
        },
      },
      after: { soon: { target: '.deeper', actions: { type: 'note', params: { text: 'timed' } } } },
    },
    split: {
      type: 'parallel',
      onDone: { target: 'finished', actions: { type: 'note', params: { text: 'split done' } } },
      entry: raise({ type: 'PING' }),
      // A targetless eventless transition that changes nothing: taken once per step, although both
      // regions' states reach it.
      always: { guard: 'flagged', actions: { type: 'note', params: { text: 'split idle' } } },
      states: {
        left: {
          initial: 'working',
          states: {
            working: {
              on: {
                LEFT: 'done',
                PING: { actions: { type: 'note', params: { text: 'left ping' } } },
                // Both regions leave the parallel state: only the first, in document order, is taken.
                BOTH: {
                  target: '#zoo.outer',
                  actions: { type: 'note', params: { text: 'left wins' } },
                },
              },
            },
            done: { type: 'final' },
          },
        },
        right: {
          initial: 'working',
          states: {
            working: {
              on: {
                RIGHT: 'done',
                PING: { actions: { type: 'note', params: { text: 'right ping' } } },
                FLIP: { actions: 'toggle' },
                BOTH: {
                  target: 'finished',
                  actions: { type: 'note', params: { text: 'right wins' } },
                },
              },
            },
            done: { type: 'final' },
            finished: { type: 'final' },
          },
        },
      },
    },
    finished: {
      on: { FINISH: 'over', AGAIN: { target: 'outer' } },
      exit: cancel('nothing-pending'),
    },
    over: {
      type: 'final',
      entry: { type: 'note', params: { text: 'over' } },
    },
  },
  exit: { type: 'note', params: { text: 'root exit' } },
});

describe('a machine with every supported feature', () => {
  const paths = modelPaths(zoo, {
    input: undefined,
    events: (): ZooEvent[] => [
      { type: 'GO' },
      { type: 'BACK' },
      { type: 'AGAIN' },
      { type: 'TICK', by: 1 },
      { type: 'TICK', by: 2 },
      { type: 'SPLIT' },
      { type: 'LEFT' },
      { type: 'RIGHT' },
      { type: 'BOTH' },
      { type: 'FLIP' },
      { type: 'ARM' },
      { type: 'DISARM' },
      { type: 'FINISH' },
      { type: 'PING' },
    ],
    abstractContext: (snapshot) => [Math.min(snapshot.context.count, 6), snapshot.context.flag],
  });

  it('has a stepper', () => {
    expect(stepperFor(zoo)).not.toBeNull();
  });

  it('takes every transition on some path, each step identical on both runtimes', () => {
    const taken = new Set<string>();
    for (const path of paths)
      for (const name of replay(zoo, undefined, path).taken) taken.add(name);
    expect([...taken].sort()).toEqual([...new Set(allTransitionNames(zoo))].sort());
  });
});

describe('machines the stepper does not support still run, on XState’s own step', () => {
  const history = setup({}).createMachine({
    initial: 'a',
    states: {
      a: {
        initial: 'one',
        states: { one: { on: { NEXT: 'two' } }, two: {}, back: { type: 'history' } },
        on: { OUT: 'b' },
      },
      b: { on: { IN: 'a.back' } },
    },
  });
  const readsState = createMachine({
    type: 'parallel',
    states: {
      x: { initial: 'off', states: { off: { on: { ON: 'on' } }, on: {} } },
      y: {
        initial: 'idle',
        states: {
          idle: { on: { CHECK: { guard: stateIn({ x: 'on' }), target: 'seen' } } },
          seen: {},
        },
      },
    },
  });
  const wildcard = setup({}).createMachine({
    initial: 'a',
    states: { a: { on: { '*': 'b' } }, b: {} },
  });

  it.each([
    ['a history state', history, ['NEXT', 'OUT', 'IN'], { a: 'two' }],
    ['a guard that reads the state', readsState, ['CHECK', 'ON', 'CHECK'], { x: 'on', y: 'seen' }],
    ['a wildcard event', wildcard, ['ANY'], 'b'],
  ] as const)('%s', (_name, machine, events, expected) => {
    expect(stepperFor(machine)).toBeNull();
    const actor = new SimActor(machine, 'test', new EventQueue(), undefined).start();
    for (const type of events) actor.send({ type });
    expect(actor.getSnapshot().value).toEqual(expected);
  });
});
