import type {
  AnyActorScope,
  AnyStateMachine,
  AnyStateNode,
  EmittedFrom,
  EventFromLogic,
  ExecutableActionObject,
  InputFrom,
  SnapshotFrom,
  StateValue,
} from 'xstate';
import type { MachineStepper, StepEffects } from './machine-stepper';
import { stepperFor } from './machine-stepper';

type EmittedHandler<TMachine extends AnyStateMachine, TType extends string> = (
  event: TType extends '*'
    ? EmittedFrom<TMachine>
    : Extract<EmittedFrom<TMachine>, { type: TType }>,
) => void;

/** Kinds of deferred effect (see `SimActor.deferred`). */
const RUN = 0;
const EMIT = 1;
const SCHEDULE = 2;
const CANCEL = 3;

/**
 * Set only by tests, to run whole simulations on XState's own step and compare them with the
 * machine stepper's (see `withXStateSteps`).
 */
let useXStateSteps = false;

/** Runs `work` with every SimActor created meanwhile stepping through `machine.transition`. */
export function withXStateSteps<T>(work: () => T): T {
  const previous = useXStateSteps;
  useXStateSteps = true;
  try {
    return work();
  } finally {
    useXStateSteps = previous;
  }
}

/**
 * Per machine, the state value its first step rests in when that step does nothing but enter it
 * and set the context (no actions, timers, eventless transitions or children); null when it does
 * more. Learned from the machine's first actor.
 */
const quietStarts = new WeakMap<AnyStateMachine, StateValue | null>();

/**
 * Per machine with a quiet start, the snapshot `resolveState` built for its first such actor.
 * Everything in it but the context follows from the state value alone (the active state nodes,
 * tags, status, XState's methods), and nothing changes a snapshot once made: a later actor gets a
 * copy with its own context. Children and history stay empty: machines the stepper runs spawn
 * nothing and have no history states.
 */
const quietSnapshots = new WeakMap<AnyStateMachine, object>();

/**
 * Whether entering `node` the way a machine starts (each compound state's initial child, every
 * region of a parallel state) reaches a state with eventless transitions, which could move the
 * first step on to a state that depends on the input.
 */
function startsWithEventless(node: AnyStateNode): boolean {
  if (node.always && node.always.length > 0) return true;
  if (node.type === 'compound') return node.initial.target.some(startsWithEventless);
  if (node.type === 'parallel') return Object.values(node.states).some(startsWithEventless);
  return false;
}

/** The simulation's clock as an actor needs it: the event queue satisfies this. */
export interface SimClock {
  readonly now: number;
  /** Runs `run` at virtual time `at`; the handle cancels it. */
  schedule(at: number, run: () => void): object;
  cancel(handle: object): void;
}

/**
 * Runs one XState machine inside the simulation. XState computes the first snapshot; each later
 * step is computed by the machine's `MachineStepper` (the same step as XState's `transition`,
 * cheaper; see machine-stepper.ts), or by `machine.transition` itself for a machine
 * the stepper does not support. This class supplies what an actor adds around the steps, exactly
 * as XState's `Actor` orders it: a mailbox (an event sent while the machine is busy waits its
 * turn), effects run after each step (emitted events, timers), then snapshot observers, and
 * delayed events (`after`) scheduled on the simulation's own clock.
 *
 * Why not `createActor`: every XState actor builds its own actor system, mailbox and inspection
 * plumbing, and a session creates eleven of them; that was a tenth of the what-if matrix's time,
 * for nothing the simulation uses. The model-based tests (test/machines/model.ts) check that both
 * runtimes give the same snapshots, emitted events and timers along every model path of every
 * machine.
 *
 * Unlike an XState actor, an exception in a machine or a handler is not swallowed and reported
 * later: it propagates, so a broken simulation fails where it broke.
 */
export class SimActor<TMachine extends AnyStateMachine> implements StepEffects {
  private snapshot: SnapshotFrom<TMachine>;
  private running = false;
  private stopped = false;
  private readonly mailbox: EventFromLogic<TMachine>[] = [];
  private processing = false;
  /**
   * Effects waiting for the end of the step, in order, four slots each: what kind, then its
   * arguments. Flat rather than a closure per effect: a session defers thousands of them.
   */
  private readonly deferred: unknown[] = [];
  private readonly observers: ((snapshot: SnapshotFrom<TMachine>) => void)[] = [];
  private readonly listeners = new Map<string, ((event: EmittedFrom<TMachine>) => void)[]>();
  /** Pending delayed events by XState's id for them (one per `after` transition). */
  private readonly timers = new Map<unknown, object>();
  private readonly scope: AnyActorScope;
  private readonly scheduler: {
    schedule(
      source: unknown,
      target: unknown,
      event: EventFromLogic<TMachine>,
      delay: number,
      timerId: string | undefined,
    ): void;
    cancel(source: unknown, timerId: unknown): void;
  };
  /** Computes each step when the machine is one it supports; XState's own step otherwise. */
  private readonly stepper: MachineStepper | null;

  constructor(
    readonly machine: TMachine,
    readonly id: string,
    clock: SimClock,
    input: InputFrom<TMachine>,
  ) {
    const scheduler = {
      schedule: (
        _source: unknown,
        _target: unknown,
        event: EventFromLogic<TMachine>,
        delay: number,
        timerId: string | undefined,
      ) => {
        this.timers.set(
          timerId,
          clock.schedule(clock.now + delay, () => {
            this.timers.delete(timerId);
            this.receive(event);
          }),
        );
      },
      cancel: (_source: unknown, timerId: unknown) => {
        const handle = this.timers.get(timerId);
        if (handle === undefined) return;
        this.timers.delete(timerId);
        clock.cancel(handle);
      },
    };
    // The members of an actor system that machine logic calls: the scheduler for delayed events,
    // and the inspection hook, which nothing here observes.
    this.scheduler = scheduler;
    const system = { scheduler, _sendInspectionEvent: () => {} };
    this.scope = {
      self: this as unknown as AnyActorScope['self'],
      id,
      sessionId: id,
      logger: () => {},
      defer: (fn) => this.deferred.push(RUN, fn, undefined, undefined),
      emit: (event) => this.emit(event as EmittedFrom<TMachine>),
      system: system as unknown as AnyActorScope['system'],
      stopChild: () => {},
      // Actions run as the step computes them once the actor has started; the initial step's wait
      // for start(), as XState's do.
      actionExecutor: (action: ExecutableActionObject) => {
        const exec = action.exec;
        if (!exec) return;
        if (this.running) exec(action.info, action.params);
        else this.deferred.push(RUN, () => exec(action.info, action.params), undefined, undefined);
      },
    };
    this.snapshot = this.initialSnapshot(input);
    this.stepper = useXStateSteps ? null : stepperFor(machine);
  }

  /**
   * The machine's first snapshot. When that step is known to be quiet, it is rebuilt from the
   * state value and a fresh context (XState's `resolveState`, as when restoring a persisted
   * snapshot): the same snapshot for a seventh of the cost, and a session starts eleven actors.
   */
  private initialSnapshot(input: InputFrom<TMachine>): SnapshotFrom<TMachine> {
    const { machine } = this;
    const quiet = quietStarts.get(machine);
    const factory: unknown = machine.config.context;
    if (quiet && typeof factory === 'function') {
      const context = factory({
        input,
        self: this.scope.self,
        spawn: () => {
          throw new Error(`${this.id}: spawning in the context factory needs the full first step`);
        },
      });
      const made = quietSnapshots.get(machine);
      if (made && !useXStateSteps) return { ...made, context } as SnapshotFrom<TMachine>;
      const snapshot = machine.resolveState({ value: quiet, context }) as SnapshotFrom<TMachine>;
      quietSnapshots.set(machine, snapshot);
      return snapshot;
    }
    const snapshot = machine.getInitialSnapshot(this.scope, input) as SnapshotFrom<TMachine>;
    if (quiet === undefined) {
      const { value, children } = snapshot as { value: StateValue; children: object };
      // Before start() every effect of the step waits in `deferred`.
      const isQuiet =
        this.deferred.length === 0 &&
        Object.keys(children).length === 0 &&
        !startsWithEventless(machine.root);
      quietStarts.set(machine, isQuiet ? value : null);
    }
    return snapshot;
  }

  getSnapshot(): SnapshotFrom<TMachine> {
    return this.snapshot;
  }

  /** Calls `observer` with every snapshot from start() on, the initial one included. */
  subscribe(observer: (snapshot: SnapshotFrom<TMachine>) => void): void {
    this.observers.push(observer);
  }

  /** Calls `handler` for every event of this type the machine emits (`'*'`: every event). */
  on<TType extends EmittedFrom<TMachine>['type'] | '*'>(
    type: TType,
    handler: EmittedHandler<TMachine, TType>,
  ): void {
    const list = this.listeners.get(type) ?? [];
    list.push(handler as (event: EmittedFrom<TMachine>) => void);
    this.listeners.set(type, list);
  }

  start(): this {
    if (this.running || this.stopped) return this;
    this.running = true;
    // What the initial step's effects send this actor waits until observers have seen that step.
    this.processing = true;
    try {
      this.settle(this.snapshot);
    } finally {
      this.processing = false;
    }
    this.drain();
    return this;
  }

  send(event: EventFromLogic<TMachine>): void {
    this.receive(event);
  }

  private receive(event: EventFromLogic<TMachine>): void {
    if (this.stopped) return;
    this.mailbox.push(event);
    if (this.running) this.drain();
  }

  private drain(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      // Index rather than shift: a handler may add to the mailbox while we work through it.
      for (let i = 0; i < this.mailbox.length && !this.stopped; i++) {
        const event = this.mailbox[i]!;
        this.settle(
          (this.stepper
            ? this.stepper.transition(this.snapshot, event as { type: string }, this.scope, this)
            : this.machine.transition(this.snapshot, event, this.scope)) as SnapshotFrom<TMachine>,
        );
      }
    } finally {
      this.mailbox.length = 0;
      this.processing = false;
    }
  }

  /** Adopts a new snapshot: effects first, then observers, then stop if the machine is done. */
  private settle(snapshot: SnapshotFrom<TMachine>): void {
    this.snapshot = snapshot;
    const deferred = this.deferred;
    for (let i = 0; i < deferred.length; i += 4) {
      const kind = deferred[i];
      if (kind === EMIT) this.emit(deferred[i + 1] as EmittedFrom<TMachine>);
      else if (kind === SCHEDULE) {
        const event = deferred[i + 1] as EventFromLogic<TMachine>;
        this.scheduler.schedule(
          this,
          this,
          event,
          deferred[i + 2] as number,
          deferred[i + 3] as string | undefined,
        );
      } else if (kind === CANCEL) this.scheduler.cancel(this, deferred[i + 1]);
      else (deferred[i + 1] as () => void)();
    }
    deferred.length = 0;
    const status = (snapshot as { status: string }).status;
    if (status === 'error') throw (snapshot as { error: unknown }).error;
    for (const observer of this.observers) observer(snapshot);
    // A final state has already run every exit action, its timers' cancellations included.
    if (status === 'done') this.stopped = true;
  }

  emitLater(event: { type: string }): void {
    this.deferred.push(EMIT, event, undefined, undefined);
  }

  scheduleLater(event: { type: string }, delay: number, id: string | undefined): void {
    this.deferred.push(SCHEDULE, event, delay, id);
  }

  cancelLater(id: unknown): void {
    this.deferred.push(CANCEL, id, undefined, undefined);
  }

  execute(action: ExecutableActionObject): void {
    this.scope.actionExecutor(action);
  }

  private emit(event: EmittedFrom<TMachine>): void {
    const list = this.listeners.get(event.type);
    if (list) for (const handler of list) handler(event);
    const every = this.listeners.get('*');
    if (every) for (const handler of every) handler(event);
  }
}
