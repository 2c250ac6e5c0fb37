/** One change of an actor's state, as the trace records it. */
export interface TransitionEntry<TNode extends string, TMachine extends string> {
  type: 'transition';
  actor: string;
  node: TNode;
  machine: TMachine;
  from: string | null;
  to: string;
  event: string;
}

/** Where transitions are written: the simulation's trace log satisfies this. */
export interface TransitionLog<TNode extends string, TMachine extends string> {
  add(entry: TransitionEntry<TNode, TMachine>): void;
}

/** Flattens a state value to a dotted path: { loggedIn: 'idle' } → "loggedIn.idle". */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => {
        const inner = stateName(v);
        return inner ? `${k}.${inner}` : k;
      })
      .join(' | ');
  }
  return '';
}

/**
 * Writes every change of an actor's state into the trace, with the event that caused it.
 * Events the host sends go through `send` so their names are known; a change with no such event
 * pending came from the actor's own timer (an XState `after` delay on the simulation clock).
 *
 * This replaces XState's `inspect` observer, which builds an inspection record for every action
 * and microstep: on a full session that was an eighth of the simulation time.
 */
export class TransitionRecorder<
  TEvent extends { type: string },
  TNode extends string = string,
  TMachine extends string = string,
> {
  private pending: string[] = [];
  private previous: string | null = null;
  /** The state value `previous` was named from: a step that leaves the state keeps that object. */
  private previousValue: unknown = undefined;

  constructor(
    private readonly trace: TransitionLog<TNode, TMachine>,
    private readonly actorId: string,
    private readonly node: TNode,
    private readonly machine: TMachine,
  ) {}

  /** Subscribes to the actor; call before `start()` so the initial state is recorded. */
  watch(actor: { subscribe(observer: (snapshot: { value?: unknown }) => void): void }): void {
    actor.subscribe((snapshot: { value?: unknown }) => this.record(snapshot.value));
  }

  /** Sends an event to the actor, remembering its name for the transition it causes. */
  send(actor: { send(event: TEvent): void }, event: TEvent): void {
    this.pending.push(event.type);
    actor.send(event);
  }

  private record(value: unknown): void {
    const cause = this.pending.shift() ?? (this.previous === null ? 'xstate.init' : 'timeout');
    if (value === this.previousValue && typeof value === 'object') return;
    this.previousValue = value;
    const to = stateName(value);
    if (to === this.previous) return;
    this.trace.add({
      type: 'transition',
      actor: this.actorId,
      node: this.node,
      machine: this.machine,
      from: this.previous,
      to,
      event: cause,
    });
    this.previous = to;
  }
}
