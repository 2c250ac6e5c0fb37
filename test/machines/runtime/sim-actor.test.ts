import { describe, expect, it } from 'vitest';
import { assign, createActor, emit, setup } from 'xstate';
import { EventQueue } from '../../../src/network/event-queue';
import { SimActor } from '../../../src/machines/runtime/sim-actor';

// Every model path of the three protocol machines also runs on SimActor and is compared with
// XState's Actor step by step (test/machines/model.ts). These cases cover what those machines do
// not exercise.

const pingPong = setup({
  types: {
    context: {} as { pings: number },
    events: {} as { type: 'PING' } | { type: 'PONG' } | { type: 'BREAK' },
    emitted: {} as { type: 'pinged'; n: number },
  },
  actions: {
    count: assign(({ context }) => ({ pings: context.pings + 1 })),
    announce: emit(({ context }) => ({ type: 'pinged' as const, n: context.pings })),
    explode: () => {
      throw new Error('action failed');
    },
  },
}).createMachine({
  context: { pings: 0 },
  initial: 'idle',
  states: {
    idle: {
      on: {
        PING: { target: 'pinged', actions: ['count', 'announce'] },
        BREAK: { actions: 'explode' },
      },
    },
    pinged: { on: { PONG: 'idle', PING: { actions: ['count', 'announce'] } } },
    done: { type: 'final' },
  },
  on: { BREAK: '.done' },
});

/** Runs the same script on both runtimes, recording the order of observer calls and emits. */
function both(script: (send: (e: { type: 'PING' | 'PONG' }) => void) => void) {
  const logs: string[][] = [];
  for (const runtime of ['xstate', 'sim'] as const) {
    const log: string[] = [];
    const actor =
      runtime === 'xstate'
        ? createActor(pingPong)
        : new SimActor(pingPong, 'test', new EventQueue(), undefined);
    actor.subscribe((s) => log.push(`state ${String(s.value)} ${s.context.pings}`));
    // An emit handler that sends to the same actor: the event must wait for the current step.
    actor.on('pinged', (e) => {
      log.push(`pinged ${e.n}`);
      if (e.n === 1) actor.send({ type: 'PING' });
    });
    actor.start();
    script((e) => actor.send(e));
    logs.push(log);
  }
  return logs;
}

describe('SimActor', () => {
  it('orders effects, observers and events sent from a handler as XState does', () => {
    const [xstate, sim] = both((send) => {
      send({ type: 'PING' });
      send({ type: 'PONG' });
    });
    expect(sim).toEqual(xstate);
    expect(sim).toEqual([
      'state idle 0',
      'pinged 1',
      'state pinged 1',
      'pinged 2',
      'state pinged 2',
      'state idle 2',
    ]);
  });

  it('lets an exception in an action propagate instead of reporting it later', () => {
    const actor = new SimActor(pingPong, 'test', new EventQueue(), undefined).start();
    expect(() => actor.send({ type: 'BREAK' })).toThrow('action failed');
  });

  it('ignores events once the machine has reached a final state', () => {
    const machine = setup({
      types: { events: {} as { type: 'END' } | { type: 'AGAIN' } },
    }).createMachine({
      initial: 'a',
      states: { a: { on: { END: 'z' } }, z: { type: 'final' } },
    });
    const seen: string[] = [];
    const actor = new SimActor(machine, 'test', new EventQueue(), undefined);
    actor.subscribe((s) => seen.push(`${String(s.value)}/${s.status}`));
    actor.start();
    actor.send({ type: 'END' });
    actor.send({ type: 'AGAIN' });
    expect(seen).toEqual(['a/active', 'z/done']);
  });

  it('runs delayed transitions on the event queue and cancels them when the state is left', () => {
    const machine = setup({ types: { events: {} as { type: 'GO' } } }).createMachine({
      initial: 'waiting',
      states: {
        waiting: { after: { 1000: 'late' }, on: { GO: 'going' } },
        going: { after: { 500: 'waiting' } },
        late: {},
      },
    });
    const queue = new EventQueue();
    const actor = new SimActor(machine, 'test', queue, undefined).start();
    expect(queue.peekTime()).toBe(1000);
    actor.send({ type: 'GO' });
    // The 1000 ms timer was cancelled on leaving "waiting"; the 500 ms one is pending.
    expect(queue.peekTime()).toBe(500);
    queue.step();
    expect(actor.getSnapshot().value).toBe('waiting');
    expect(queue.peekTime()).toBe(1500);
    queue.step();
    expect(actor.getSnapshot().value).toBe('late');
    expect(queue.peekTime()).toBeUndefined();
  });

  it('starts a quiet machine from its state value and context, and runs a busy first step in full', () => {
    // Three machines that differ only in how their first step goes.
    const counted = setup({
      types: {
        input: {} as { n: number },
        context: {} as { n: number },
        emitted: {} as { type: 'hello'; n: number },
      },
    });
    const quiet = counted.createMachine({
      context: ({ input }) => ({ n: input.n }),
      initial: 'a',
      states: { a: {} },
    });
    const busy = counted.createMachine({
      context: ({ input }) => ({ n: input.n }),
      initial: 'check',
      states: {
        check: {
          always: [{ guard: ({ context }) => context.n > 1, target: 'big' }, { target: 'small' }],
        },
        big: { entry: emit(({ context }) => ({ type: 'hello' as const, n: context.n })) },
        small: {},
      },
    });
    const greeter = counted.createMachine({
      context: ({ input }) => ({ n: input.n }),
      initial: 'greeting',
      states: {
        greeting: { entry: emit(({ context }) => ({ type: 'hello' as const, n: context.n })) },
      },
    });
    const greeted: number[] = [];
    for (const n of [1, 2]) {
      const actor = new SimActor(greeter, 'g', new EventQueue(), { n });
      actor.on('hello', (e) => greeted.push(e.n));
      actor.start();
    }
    expect(greeted).toEqual([1, 2]);
    for (const n of [1, 2, 3]) {
      const fromQuiet = new SimActor(quiet, 'q', new EventQueue(), { n }).start().getSnapshot();
      expect([fromQuiet.value, fromQuiet.context, fromQuiet.status]).toEqual([
        'a',
        { n },
        'active',
      ]);
      const hellos: number[] = [];
      const actor = new SimActor(busy, 'b', new EventQueue(), { n });
      actor.on('hello', (e) => hellos.push(e.n));
      actor.start();
      const reference = createActor(busy, { input: { n } }).start().getSnapshot();
      expect(actor.getSnapshot().value).toBe(reference.value);
      expect(hellos).toEqual(n > 1 ? [n] : []);
    }
  });
});
