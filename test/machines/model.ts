/**
 * Model-based testing helpers for the XState machines (DESIGN.md, "XState in the simulation").
 *
 * `createTestModel` refuses machines with `after` transitions, so the tests generate paths with
 * `getShortestPaths` from `xstate/graph` and replay each path on a real actor whose clock is a
 * `SimulatedClock`: an `xstate.after...` step advances the clock to the moment the timer is due.
 *
 * Graph vertices are "state value + what the test cares about in the context + the transitions
 * that led here", so the shortest paths take every transition the sample events can enable, not
 * only reach every state (the same idea as `serializeMachineTransition` in createTestModel).
 */
import { expect } from 'vitest';
import {
  createActor,
  SimulatedClock,
  type AnyEventObject,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyTransitionDefinition,
  type EmittedFrom,
  type EventFromLogic,
  type InputFrom,
  type SnapshotFrom,
  type StateValue,
} from 'xstate';
import { getShortestPaths, getStateNodes, type StatePath } from 'xstate/graph';
import { EventQueue } from '../../src/network/event-queue';
import { SimActor } from '../../src/machines/runtime/sim-actor';

/** A SimulatedClock that also knows when its pending timers are due. */
export class TestClock extends SimulatedClock {
  private due = new Map<number, number>();

  override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id: number = super.setTimeout(() => {
      this.due.delete(id);
      fn();
    }, timeout);
    this.due.set(id, this.now() + timeout);
    return id;
  }

  override clearTimeout(id: number): void {
    this.due.delete(id);
    super.clearTimeout(id);
  }

  /** Virtual times at which pending timers fire, earliest first. */
  pending(): number[] {
    return [...this.due.values()].sort((a, b) => a - b);
  }

  /** Moves the clock to an absolute time, firing what is due on the way (one timer at a time). */
  advanceTo(time: number): void {
    if (time < this.now()) throw new Error(`cannot go back from ${this.now()} to ${time}`);
    this.increment(time - this.now());
  }
}

/** Stable, readable name of a transition: source, event, index among that event's candidates, target. */
export function transitionName(t: AnyTransitionDefinition): string {
  const candidates =
    t.eventType === '' ? (t.source.always ?? []) : (t.source.transitions.get(t.eventType) ?? []);
  const target = t.target ? t.target.map((node) => node.id).join(',') : '(no target)';
  const guard =
    typeof t.guard === 'string'
      ? ` if ${t.guard}`
      : t.guard && typeof t.guard === 'object' && 'type' in t.guard
        ? ` if ${String(t.guard.type)}`
        : t.guard
          ? ' if (combined guard)'
          : '';
  return `${t.source.id}: ${t.eventType || '(always)'}[${candidates.indexOf(t)}]${guard} → ${target}`;
}

/** Every transition the machine defines: event, delayed (`after`), done and eventless (`always`). */
export function allTransitionNames(machine: AnyStateMachine): string[] {
  const nodes = [machine.root, ...getStateNodes(machine.root)];
  return nodes
    .flatMap((node) => [...[...node.transitions.values()].flat(), ...(node.always ?? [])])
    .map(transitionName);
}

/** Every state node of the machine as a dotted path ("loggedIn.idle"). */
export function allStatePaths(machine: AnyStateMachine): string[] {
  return getStateNodes(machine.root).map((node) => node.path.join('.'));
}

/** Every state path active in a state value: "CLOSED"; { loggedIn: 'idle' } → loggedIn, loggedIn.idle. */
export function statePathsOf(value: StateValue): string[] {
  if (typeof value === 'string') return [value];
  return Object.entries(value).flatMap(([key, inner]) => [
    key,
    ...(inner === undefined ? [] : statePathsOf(inner).map((p) => `${key}.${p}`)),
  ]);
}

/** The `xstate.after...` events the snapshot's active states are waiting for. */
export function delayedEvents(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  return snapshot._nodes.flatMap((node) => node.after.map((t) => ({ type: t.eventType })));
}

/** The machine-snapshot fields of a snapshot whose machine type is generic here. */
function stateId(node: { id: string }): string {
  return node.id;
}

function fields(snapshot: unknown): AnyMachineSnapshot {
  return snapshot as AnyMachineSnapshot;
}

export interface ModelOptions<M extends AnyStateMachine> {
  input: InputFrom<M>;
  /** Sample events to try in a state; may be built from the snapshot (e.g. sequence numbers). */
  events: (snapshot: SnapshotFrom<M>) => EventFromLogic<M>[];
  /** The part of the context that tells vertices apart (kept small so the graph stays finite). */
  abstractContext?: (snapshot: SnapshotFrom<M>) => unknown;
  /** Most vertex visits before the traversal gives up (the graph must be finite). */
  limit?: number;
}

export type ModelPath<M extends AnyStateMachine> = StatePath<SnapshotFrom<M>, EventFromLogic<M>>;

/**
 * Shortest paths to every vertex "(state value, abstract context, transitions just taken)". Only
 * events that enable a transition are followed, so no vertex stands for "nothing happened".
 */
export function modelPaths<M extends AnyStateMachine>(
  machine: M,
  options: ModelOptions<M>,
): ModelPath<M>[] {
  // The graph utilities serialize a snapshot more than once and do not always pass its true
  // predecessor, so each (snapshot, event) key is kept from its first, correct computation. The
  // event is part of the cache key because a transition that changes nothing (an RST that is only
  // answered, say) gives back the very same snapshot object as its source.
  const keys = new WeakMap<object, Map<string, string>>();
  const serializeState = (
    snapshot: AnyMachineSnapshot,
    event: AnyEventObject | undefined,
    previous?: AnyMachineSnapshot,
  ): string => {
    const eventKey = event ? JSON.stringify(event) : '';
    const cached = keys.get(snapshot) ?? new Map<string, string>();
    keys.set(snapshot, cached);
    const known = cached.get(eventKey);
    if (known !== undefined) return known;
    const taken =
      event && previous
        ? machine.getTransitionData(previous, event).map(transitionName).join(' & ')
        : '(initial)';
    const key = JSON.stringify([
      snapshot.value,
      snapshot.status,
      options.abstractContext?.(snapshot as SnapshotFrom<M>) ?? null,
      taken,
    ]);
    cached.set(eventKey, key);
    return key;
  };
  const logic: AnyStateMachine = machine;
  return getShortestPaths(logic, {
    input: options.input,
    events: (snapshot: AnyMachineSnapshot) => [
      ...options.events(snapshot as SnapshotFrom<M>),
      ...delayedEvents(snapshot),
    ],
    filterEvents: (snapshot: AnyMachineSnapshot, event: AnyEventObject) =>
      snapshot.status === 'active' && machine.getTransitionData(snapshot, event).length > 0,
    serializeState,
    // A safety net: a vertex key that forgets to bound some counter would otherwise never end.
    limit: options.limit ?? 50_000,
  }) as unknown as ModelPath<M>[];
}

export interface Replay<M extends AnyStateMachine> {
  snapshot: SnapshotFrom<M>;
  /** Names of the transitions the real actor took, eventless ones included. */
  taken: Set<string>;
  /** Everything the actor emitted, with the virtual time. */
  emitted: { at: number; event: EmittedFrom<M> }[];
  /** Virtual time at the end of the path. */
  time: number;
}

/**
 * Replays a path on a real actor. Ordinary events are sent; a delayed event is produced by
 * advancing the clock to its timer, checking that nothing happens 1 ms before. After every step
 * the actor must be in the state the graph predicted; `check` may assert more.
 *
 * The same path also runs on the simulation's runtime (`SimActor` and its machine stepper, on an
 * `EventQueue`), which must agree with XState's `Actor` after every step: state value, active
 * states in order, tags, status, context, the snapshots its observers saw, what it emitted and
 * when, and when its timers are due.
 */
export function replay<M extends AnyStateMachine>(
  machine: M,
  input: InputFrom<M>,
  path: ModelPath<M>,
  check?: (snapshot: SnapshotFrom<M>, emitted: Replay<M>['emitted']) => void,
): Replay<M> {
  const clock = new TestClock();
  const taken = new Set<string>();
  const received: string[] = [];
  const emitted: Replay<M>['emitted'] = [];
  const actor = createActor(machine, {
    input,
    clock,
    inspect: (inspection) => {
      if (inspection.type === '@xstate.microstep') {
        for (const t of inspection._transitions) taken.add(transitionName(t));
      }
      if (inspection.type === '@xstate.event' && inspection.actorRef === actor) {
        received.push(inspection.event.type);
      }
    },
  });
  actor.on('*', (event) => emitted.push({ at: clock.now(), event: event as EmittedFrom<M> }));
  const observed: unknown[] = [];
  actor.subscribe((snapshot) => observed.push(fields(snapshot).value));
  actor.start();
  const sim = simulationTwin(machine, input);
  const initial = sim.actor.getSnapshot() as AnyMachineSnapshot;
  expect([initial.value, initial.status, initial.context], 'SimActor first snapshot').toEqual([
    fields(actor.getSnapshot()).value,
    fields(actor.getSnapshot()).status,
    fields(actor.getSnapshot()).context,
  ]);
  const [first, ...rest] = path.steps;
  expect(fields(actor.getSnapshot()).value).toEqual(fields(first.state).value);
  for (const step of rest) {
    const event = step.event as { type: string };
    if (event.type.startsWith('xstate.after.')) {
      const due = clock.pending();
      expect(due, `a timer must be pending for ${event.type}`).toHaveLength(1);
      const before = actor.getSnapshot();
      clock.advanceTo(due[0] - 1);
      expect(actor.getSnapshot(), `${event.type} fired early`).toBe(before);
      const count = received.length;
      clock.advanceTo(due[0]);
      expect(received.slice(count)).toEqual([event.type]);
      expect(sim.queue.peekTime(), 'SimActor timer due at the same time').toBe(due[0]);
      sim.queue.step();
    } else {
      actor.send(step.event);
      sim.actor.send(step.event);
    }
    const snapshot = actor.getSnapshot() as SnapshotFrom<M>;
    const twin = sim.actor.getSnapshot() as AnyMachineSnapshot;
    expect(twin.value, 'SimActor state').toEqual(fields(snapshot).value);
    expect(twin.status, 'SimActor status').toBe(fields(snapshot).status);
    expect(twin.context, 'SimActor context').toEqual(fields(snapshot).context);
    expect(twin._nodes.map(stateId), 'SimActor active states, in order').toEqual(
      fields(snapshot)._nodes.map(stateId),
    );
    expect([...twin.tags], 'SimActor tags').toEqual([...fields(snapshot).tags]);
    expect(twin.output, 'SimActor output').toEqual(fields(snapshot).output);
    expect(sim.observed, 'SimActor observers').toEqual(observed);
    expect(sim.emitted, 'SimActor emitted events').toEqual(emitted);
    expect(sim.queue.peekTime(), 'SimActor next timer').toBe(clock.pending()[0]);
    expect(fields(snapshot).value, `after ${describeEvent(step.event)}`).toEqual(
      fields(step.state).value,
    );
    check?.(snapshot, emitted);
  }
  const snapshot = actor.getSnapshot() as SnapshotFrom<M>;
  actor.stop();
  return { snapshot, taken, emitted, time: clock.now() };
}

/** The path's second runtime: a SimActor on an EventQueue, recording what `replay` compares. */
function simulationTwin<M extends AnyStateMachine>(machine: M, input: InputFrom<M>) {
  const queue = new EventQueue();
  const actor = new SimActor(machine, 'twin', queue, input);
  const emitted: { at: number; event: EmittedFrom<M> }[] = [];
  const observed: unknown[] = [];
  actor.on('*', (event) => emitted.push({ at: queue.now, event }));
  actor.subscribe((snapshot) => observed.push(fields(snapshot).value));
  actor.start();
  return { queue, actor, emitted, observed };
}

/**
 * `replay` with a cache, so a per-path test and a coverage test over all paths share one run of
 * each path (and either still works alone, e.g. under `vitest -t`).
 */
export function cachedReplay<M extends AnyStateMachine>(
  machine: M,
  input: InputFrom<M>,
  check?: (snapshot: SnapshotFrom<M>, emitted: Replay<M>['emitted']) => void,
): (path: ModelPath<M>) => Replay<M> {
  const done = new WeakMap<ModelPath<M>, Replay<M>>();
  return (path) => {
    const known = done.get(path);
    if (known) return known;
    const result = replay(machine, input, path, check);
    done.set(path, result);
    return result;
  };
}

function describeEvent(event: {
  type: string;
  kind?: string;
  code?: number;
  verb?: string;
  arg?: string | null;
}): string {
  if (event.kind) return event.kind;
  if (event.verb) return event.arg ? `${event.verb} ${event.arg}` : event.verb;
  if (event.code !== undefined) return `${event.type} ${event.code}`;
  return event.type.replace(/^xstate\.after\.([^.]+)\..*$/, 'after $1');
}

/** A path as a readable one-liner for test names. */
export function describePath<M extends AnyStateMachine>(path: ModelPath<M>): string {
  const events = path.steps.slice(1).map((s) => describeEvent(s.event));
  return `${JSON.stringify(fields(path.state).value)} via ${events.join(' → ') || '(start)'}`;
}
