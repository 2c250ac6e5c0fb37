import type { AnyActorScope, AnyMachineSnapshot, AnyStateMachine, AnyStateNode } from 'xstate';
import { and, cancel, not, or, raise } from 'xstate';

/**
 * A second implementation of XState v5's step (`machine.transition`: one event, then eventless
 * transitions and raised events until the machine rests) for the subset of statecharts the
 * simulation's machines use, computing the same snapshots and the same effects in the same order.
 *
 * Why: XState rebuilds a whole snapshot (state value, tag set, spawner) for every `assign` and
 * recomputes exit and entry sets from scratch: 12–15 µs for a TCP segment, 25–40 for an FTP
 * reply, and the what-if matrix takes some eight thousand such steps. Here a step keeps one working
 * context, builds one snapshot at the end, and remembers each configuration's state value.
 *
 * The machines stay XState machines: XState parses them, computes their first snapshot, runs them
 * over real sockets (`src/node/`) and in every test, and remains the reference this file must
 * match. `test/machines/model.ts` replays every model path of every machine on both and compares
 * them after every step; `test/machines/runtime/machine-stepper.test.ts` compares whole simulations.
 *
 * Supported: atomic, compound, parallel and final states; guards (named, with params, inline,
 * `and`/`or`/`not`); entry, exit and transition actions; `assign`, `emit`, `raise` (delayed or
 * not), `cancel`, `enqueueActions` and custom actions; `after`, `always`, `onDone` and `reenter`.
 * A machine using anything else (history states, invoked or spawned actors, wildcard events,
 * output) gets no stepper, and its actors use `machine.transition` itself.
 */

/** What the step hands to the actor: effects run after the step, as XState's actors run them. */
export interface StepEffects {
  /** An emitted event, delivered after the step (XState's `emit` defers it the same way). */
  emitLater(event: { type: string }): void;
  /** A delayed event (`after`, or `raise` with a delay), scheduled after the step. */
  scheduleLater(event: { type: string }, delay: number, id: string | undefined): void;
  cancelLater(id: unknown): void;
  /** A custom action: executed now, as XState's action executor does. */
  execute(action: {
    type: string;
    info: ActionArgs;
    params: unknown;
    exec: ((info: ActionArgs, params: unknown) => void) | undefined;
  }): void;
}

type AnyEvent = { type: string } & Record<string, unknown>;
type Context = Record<string, unknown>;
type StateValue = string | { [key: string]: StateValue };

interface ActionArgs {
  context: Context;
  event: AnyEvent;
  self: AnyActorScope['self'];
  system: AnyActorScope['system'];
}

/** XState's transition definition, as `StateNode.transitions` and `.always` hold it. */
interface Transition {
  readonly source: AnyStateNode;
  readonly target: readonly AnyStateNode[] | undefined;
  readonly actions: readonly unknown[];
  readonly reenter: boolean;
  readonly guard: unknown;
  readonly eventType: string;
}

/** The fields of XState's built-in action objects that their `resolve` functions read. */
interface BuiltinAction {
  type: string;
  resolve: unknown;
  assignment?: unknown;
  event?: unknown;
  delay?: unknown;
  id?: string;
  sendId?: unknown;
  collect?: (args: unknown, params: unknown) => void;
}

interface BuiltinGuard {
  check: (
    snapshot: unknown,
    args: { context: Context; event: AnyEvent },
    guard: unknown,
  ) => boolean;
  guards?: unknown[];
}

type Implementation = ((...args: never[]) => unknown) & Partial<BuiltinAction & BuiltinGuard>;

/** What a configuration (active state nodes, in order) always has: its value, tags and plans. */
interface Configuration {
  readonly value: StateValue;
  readonly tags: Set<string>;
  /** How each transition taken from here moves the configuration. */
  readonly plans: Map<Transition, Plan>;
}

/** A state a transition enters, with what entering it does besides its entry actions. */
interface PlannedEntry {
  readonly node: AnyStateNode;
  /** The initial transition's actions, when the state is entered by default. */
  readonly initialActions: readonly unknown[] | null;
  /** Ids of the states whose `xstate.done.state` events entering this final state raises. */
  readonly done: string[];
  /** Entering it finishes the machine (a top-level final state). */
  finishes: boolean;
}

/** The structural part of a microstep: what it exits and enters, and the configuration after. */
interface Plan {
  /** In reverse document order. */
  readonly exits: readonly AnyStateNode[];
  /** In document order. */
  readonly entries: readonly PlannedEntry[];
  readonly nodes: AnyStateNode[];
  readonly changed: boolean;
  readonly configuration: Configuration | null;
}

const SUPPORTED_ACTIONS = new Set([
  'xstate.assign',
  'xstate.emit',
  'xstate.raise',
  'xstate.cancel',
  'xstate.enqueueActions',
]);

/** An action queued by `enqueue.assign(…)` / `enqueue.emit(…)`: the argument, without XState's wrapper. */
class Queued {
  constructor(
    readonly kind: 'assign' | 'emit',
    readonly value: unknown,
  ) {}
}

class UnsupportedMachine extends Error {}

const NONE: readonly Transition[] = [];

/**
 * XState's own checks behind `and`, `or` and `not`, taken from guards it builds, so the stepper
 * knows them by identity (their names do not survive a minifier).
 */
const CHECK_AND = (and([]) as unknown as BuiltinGuard).check;
const CHECK_OR = (or([]) as unknown as BuiltinGuard).check;
const CHECK_NOT = (not(() => true) as unknown as BuiltinGuard).check;

const steppers = new WeakMap<AnyStateMachine, MachineStepper | null>();

/** The stepper for `machine`, or null when the machine uses something this runtime does not do. */
export function stepperFor(machine: AnyStateMachine): MachineStepper | null {
  let stepper = steppers.get(machine);
  if (stepper === undefined) {
    try {
      stepper = new MachineStepper(machine);
    } catch (error) {
      if (!(error instanceof UnsupportedMachine)) throw error;
      stepper = null;
    }
    steppers.set(machine, stepper);
  }
  return stepper;
}

function isDescendant(node: AnyStateNode, ancestor: AnyStateNode | undefined): boolean {
  let marker = node;
  while (marker.parent && marker.parent !== ancestor) marker = marker.parent;
  return marker.parent === ancestor;
}

function properAncestors(node: AnyStateNode, upTo: AnyStateNode | undefined): AnyStateNode[] {
  const ancestors: AnyStateNode[] = [];
  if (upTo === node) return ancestors;
  for (let m = node.parent; m && m !== upTo; m = m.parent) ancestors.push(m);
  return ancestors;
}

function isAtomic(node: AnyStateNode): boolean {
  return node.type === 'atomic' || node.type === 'final';
}

function hasTarget(t: Transition): boolean {
  return t.target !== undefined && t.target.length > 0;
}

function byDocumentOrder(a: AnyStateNode, b: AnyStateNode): number {
  return a.order - b.order;
}

function byReverseDocumentOrder(a: AnyStateNode, b: AnyStateNode): number {
  return b.order - a.order;
}

/** The mutable state of one step; becomes a snapshot at the end. */
class Step {
  context: Context;
  /** Active state nodes in XState's order (a Set's insertion order); replaced, never mutated. */
  nodes: AnyStateNode[];
  value: StateValue;
  /** The remembered configuration of `nodes`, once looked up. */
  configuration: Configuration | null = null;
  status: string;
  /**
   * Whether `context` is this step's own copy. The step's first assign copies the snapshot's
   * context; later ones in the same step write into that copy, which nothing outside the step has
   * seen (emitted and raised events are values computed from it when the action runs). Each
   * snapshot still gets a context object of its own, as with XState, for one copy per step.
   */
  ownsContext = false;
  readonly internalQueue: AnyEvent[] = [];
  /** Counts what makes XState produce a new snapshot object: assign, a new configuration, done. */
  version = 0;

  constructor(base: AnyMachineSnapshot) {
    this.context = base.context as Context;
    this.nodes = base._nodes;
    this.value = base.value as StateValue;
    this.status = base.status;
  }
}

export class MachineStepper {
  private readonly root: AnyStateNode;
  private readonly children = new Map<AnyStateNode, AnyStateNode[]>();
  private readonly initials = new Map<
    AnyStateNode,
    { readonly target: readonly AnyStateNode[]; readonly actions: readonly unknown[] }
  >();
  /** Whether a node or one of its ancestors has eventless transitions. */
  private readonly alwaysOnPath = new Map<AnyStateNode, boolean>();
  private readonly configurations = new Map<string, Configuration>();
  private readonly configurationsByNodes = new WeakMap<readonly AnyStateNode[], Configuration>();
  private readonly maxIterations: number;
  /** What XState's and / or / not guards read from a snapshot: only its machine. */
  private readonly machineOnly: { machine: AnyStateMachine };
  /** Where `enqueue` puts actions while an `enqueueActions` collects them. */
  private collecting: unknown[] = [];
  /** What `check` (given to `enqueueActions`) evaluates guards against while it collects. */
  private checkContext: Context = {};
  private checkEvent: AnyEvent = { type: '' };
  private readonly check = (guard: unknown): boolean =>
    this.evaluateGuard(guard, this.checkContext, this.checkEvent);
  private readonly enqueue: (action: unknown) => void;
  private readonly guardArgs: { context: Context; event: AnyEvent } = {
    context: {},
    event: { type: '' },
  };

  constructor(readonly machine: AnyStateMachine) {
    this.root = machine.root;
    this.machineOnly = { machine };
    const options = (machine as { options?: { maxIterations?: number } }).options;
    this.maxIterations = options?.maxIterations ?? Infinity;
    if (this.root.output !== undefined) throw new UnsupportedMachine('machine output');
    this.index(this.root, false);
    const enqueue = (action: unknown) => {
      this.collecting.push(action);
    };
    const unsupported = (name: string) => () => {
      throw new Error(
        `${machine.id}: enqueue.${name} is not supported by the simulation's runtime`,
      );
    };
    this.enqueue = Object.assign(enqueue, {
      assign: (assignment: unknown) => enqueue(new Queued('assign', assignment)),
      emit: (event: unknown) => enqueue(new Queued('emit', event)),
      raise: (event: never, options?: never) => enqueue(raise(event, options)),
      cancel: (sendId: string) => enqueue(cancel(sendId)),
      sendTo: unsupported('sendTo'),
      sendParent: unsupported('sendParent'),
      spawnChild: unsupported('spawnChild'),
      stopChild: unsupported('stopChild'),
    });
  }

  /** Records the structure once and refuses what this runtime does not implement. */
  private index(node: AnyStateNode, ancestorHasAlways: boolean): void {
    if (node.type === 'history') throw new UnsupportedMachine('history state');
    if (node.invoke.length > 0) throw new UnsupportedMachine('invoked actor');
    if (node.output !== undefined) throw new UnsupportedMachine('state output');
    const always = (node.always as Transition[] | undefined) ?? [];
    const transitions = [...(node.transitions as ReadonlyMap<string, readonly Transition[]>)];
    for (const [descriptor] of transitions) {
      if (descriptor === '*' || descriptor.endsWith('.*')) {
        throw new UnsupportedMachine('wildcard event');
      }
    }
    for (const t of [...always, ...transitions.flatMap(([, list]) => list)]) {
      this.checkGuard(t.guard);
      this.checkActions(t.actions);
    }
    this.checkActions(node.entry);
    this.checkActions(node.exit);
    const hasAlways = ancestorHasAlways || always.length > 0;
    this.alwaysOnPath.set(node, hasAlways);
    const children = Object.values(node.states);
    this.children.set(node, children);
    if (node.type === 'compound') {
      const initial = node.initial;
      this.checkActions(initial.actions);
      this.initials.set(node, initial);
    }
    for (const child of children) this.index(child, hasAlways);
  }

  private implementation(kind: 'actions' | 'guards', ref: unknown): Implementation | undefined {
    if (typeof ref === 'function') return ref as Implementation;
    const name = typeof ref === 'string' ? ref : (ref as { type: string }).type;
    const table = this.machine.implementations[kind] as Record<string, unknown>;
    return table[name] as Implementation | undefined;
  }

  private checkGuard(guard: unknown): void {
    if (guard === undefined) return;
    const resolved = this.implementation('guards', guard);
    if (resolved === undefined) return; // XState reports it when the guard is evaluated
    if (typeof resolved !== 'function') return this.checkGuard(resolved);
    if (!('check' in resolved)) return;
    // and / or / not: their inner guards only need the machine; `stateIn` would need more.
    if (!Array.isArray(resolved.guards)) throw new UnsupportedMachine('state-reading guard');
    for (const inner of resolved.guards) this.checkGuard(inner);
  }

  private checkActions(actions: readonly unknown[]): void {
    for (const action of actions) {
      const resolved = this.implementation('actions', action);
      if (resolved && 'resolve' in resolved && !SUPPORTED_ACTIONS.has(resolved.type ?? '')) {
        throw new UnsupportedMachine(`action ${resolved.type}`);
      }
    }
  }

  /** XState's `machine.transition(snapshot, event, scope)`, for a machine this runtime supports. */
  transition(
    snapshot: AnyMachineSnapshot,
    event: AnyEvent,
    scope: AnyActorScope,
    effects: StepEffects,
  ): AnyMachineSnapshot {
    if (event.type === 'xstate.stop' || event.type.startsWith('xstate.error.actor')) {
      // Stopping and unhandled child errors never happen inside the simulation; XState knows how.
      return this.machine.transition(snapshot, event, scope) as AnyMachineSnapshot;
    }
    const step = new Step(snapshot);
    let current: AnyEvent = event;
    if (event.type !== 'xstate.init') {
      this.microstep(step, this.select(step, event), event, scope, effects);
    }
    let selectEventless = true;
    let iterations = 0;
    while (step.status === 'active') {
      if (++iterations > this.maxIterations) {
        throw new Error(
          `${this.machine.id}: more than ${this.maxIterations} microsteps in one step`,
        );
      }
      let enabled = selectEventless ? this.selectEventless(step, current) : NONE;
      const versionBefore: number = enabled.length > 0 ? step.version : -1;
      if (enabled.length === 0) {
        const next = step.internalQueue.shift();
        if (next === undefined) break;
        current = next;
        enabled = this.select(step, current);
      }
      this.microstep(step, enabled, current, scope, effects);
      // XState stops looking for eventless transitions once taking them changes nothing.
      selectEventless = step.version !== versionBefore;
    }
    if (step.version === 0) return snapshot;
    return {
      status: step.status,
      output: snapshot.output,
      error: snapshot.error,
      machine: snapshot.machine,
      context: step.context,
      _nodes: step.nodes,
      value: step.value,
      tags: step.configuration ? step.configuration.tags : snapshot.tags,
      children: snapshot.children,
      historyValue: snapshot.historyValue,
      matches: snapshot.matches,
      hasTag: snapshot.hasTag,
      can: snapshot.can,
      getMeta: snapshot.getMeta,
      toJSON: snapshot.toJSON,
    } as AnyMachineSnapshot;
  }

  /** The transitions an event enables, walking the state value as XState does (deepest first). */
  private select(step: Step, event: AnyEvent): Transition[] {
    const found: Transition[] = [];
    this.transitionsFrom(this.root, step.value, step, event, found);
    return found;
  }

  /** Appends what `value` (the state value below `node`) enables; false when nothing. */
  private transitionsFrom(
    node: AnyStateNode,
    value: StateValue,
    step: Step,
    event: AnyEvent,
    found: Transition[],
  ): boolean {
    if (typeof value === 'string') {
      const t =
        this.firstEnabled(node.states[value]!, step, event) ?? this.firstEnabled(node, step, event);
      if (t) found.push(t);
      return t !== undefined;
    }
    // for…in rather than Object.keys: no array for each step's walk down the state value.
    let only: string | null = null;
    let regions = 0;
    for (const key in value) {
      only = key;
      if (++regions > 1) break;
    }
    if (regions === 1) {
      if (this.transitionsFrom(node.states[only!]!, value[only!]!, step, event, found)) return true;
    } else {
      const before = found.length;
      for (const key in value) {
        const inner = value[key];
        if (inner) this.transitionsFrom(node.states[key]!, inner, step, event, found);
      }
      if (found.length > before) return true;
    }
    const t = this.firstEnabled(node, step, event);
    if (t) found.push(t);
    return t !== undefined;
  }

  private firstEnabled(node: AnyStateNode, step: Step, event: AnyEvent): Transition | undefined {
    const candidates = (node.transitions as ReadonlyMap<string, readonly Transition[]>).get(
      event.type,
    );
    if (candidates === undefined) return undefined;
    for (const candidate of candidates) {
      const { guard } = candidate;
      let passed: boolean;
      try {
        passed = guard === undefined || this.evaluateGuard(guard, step.context, event);
      } catch (error) {
        const name =
          typeof guard === 'string'
            ? `'${guard}' `
            : typeof guard === 'object' && guard
              ? `'${(guard as { type: string }).type}' `
              : '';
        throw new Error(
          `Unable to evaluate guard ${name}in transition for event '${event.type}' in state node '${node.id}':\n${(error as Error).message}`,
        );
      }
      if (passed) return candidate;
    }
    return undefined;
  }

  private evaluateGuard(guard: unknown, context: Context, event: AnyEvent): boolean {
    const resolved = this.implementation('guards', guard);
    if (resolved === undefined) {
      const name = typeof guard === 'string' ? guard : (guard as { type: string }).type;
      throw new Error(`Guard '${name}' is not implemented.'.`);
    }
    if (typeof resolved !== 'function') return this.evaluateGuard(resolved, context, event);
    // One argument object for every guard: a guard reads it and returns, and none keeps it.
    const args = this.guardArgs;
    args.context = context;
    args.event = event;
    if ('check' in resolved) {
      // and / or / not, as XState's checks evaluate them (every, some, the negation of the one),
      // each inner guard evaluated here; any other higher-order guard by XState's own code.
      const { check, guards } = resolved as BuiltinGuard;
      if (check === CHECK_AND) return guards!.every((g) => this.evaluateGuard(g, context, event));
      if (check === CHECK_OR) return guards!.some((g) => this.evaluateGuard(g, context, event));
      if (check === CHECK_NOT) return !this.evaluateGuard(guards![0], context, event);
      return check(this.machineOnly, { context, event }, resolved);
    }
    return (resolved as (a: unknown, p: unknown) => boolean)(args, paramsOf(guard, context, event));
  }

  private selectEventless(step: Step, event: AnyEvent): readonly Transition[] {
    let enabled: Transition[] | undefined;
    for (const atomic of step.nodes) {
      if (!isAtomic(atomic) || !this.alwaysOnPath.get(atomic)) continue;
      search: for (let s: AnyStateNode | undefined = atomic; s; s = s.parent) {
        const always = s.always as Transition[] | undefined;
        if (!always) continue;
        for (const t of always) {
          if (t.guard === undefined || this.evaluateGuard(t.guard, step.context, event)) {
            enabled ??= [];
            if (!enabled.includes(t)) enabled.push(t);
            break search;
          }
        }
      }
    }
    // Conflicts among them are resolved where every microstep resolves them.
    return enabled ?? NONE;
  }

  /** Among enabled transitions that would exit the same states, the one from the deeper source wins. */
  private removeConflicts(
    enabled: readonly Transition[],
    nodes: readonly AnyStateNode[],
  ): Transition[] {
    const kept = new Set<Transition>();
    for (const t1 of enabled) {
      let preempted = false;
      const beaten = new Set<Transition>();
      const exits1 = this.exitSet([t1], nodes);
      for (const t2 of kept) {
        const exits2 = this.exitSet([t2], nodes);
        if (exits1.some((s) => exits2.includes(s))) {
          if (isDescendant(t1.source, t2.source)) beaten.add(t2);
          else {
            preempted = true;
            break;
          }
        }
      }
      if (!preempted) {
        for (const t of beaten) kept.delete(t);
        kept.add(t1);
      }
    }
    return [...kept];
  }

  private domain(t: Transition): AnyStateNode | undefined {
    const targets = t.target ?? [];
    if (!t.reenter && targets.every((s) => s === t.source || isDescendant(s, t.source))) {
      return t.source;
    }
    const [head, ...tail] = [...targets, t.source];
    for (const ancestor of properAncestors(head!, undefined)) {
      if (tail.every((s) => isDescendant(s, ancestor))) return ancestor;
    }
    return t.reenter ? undefined : this.root;
  }

  private exitSet(
    transitions: readonly Transition[],
    nodes: readonly AnyStateNode[],
  ): AnyStateNode[] {
    const exits = new Set<AnyStateNode>();
    for (const t of transitions) {
      if (!t.target?.length) continue;
      const domain = this.domain(t);
      if (t.reenter && t.source === domain) exits.add(domain);
      for (const s of nodes) if (isDescendant(s, domain)) exits.add(s);
    }
    return [...exits];
  }

  /** One SCXML microstep: exit, transition actions, enter (https://www.w3.org/TR/scxml/#microstepProcedure). */
  private microstep(
    step: Step,
    transitions: readonly Transition[],
    event: AnyEvent,
    scope: AnyActorScope,
    effects: StepEffects,
  ): void {
    if (transitions.length === 0) return;
    let chosen = transitions;
    let plan: Plan | null;
    if (transitions.length === 1) {
      plan = transitions[0]!.target?.length ? this.planFor(step, transitions[0]!) : null;
    } else {
      chosen = this.removeConflicts(transitions, step.nodes);
      plan = chosen.some(hasTarget) ? this.makePlan(step.nodes, chosen) : null;
    }
    if (plan === null) {
      for (const t of chosen) this.run(step, t.actions, event, scope, effects);
      return;
    }
    for (const s of plan.exits) this.run(step, s.exit, event, scope, effects);
    for (const t of chosen) this.run(step, t.actions, event, scope, effects);
    for (const entry of plan.entries) {
      this.run(step, entry.node.entry, event, scope, effects);
      if (entry.initialActions) this.run(step, entry.initialActions, event, scope, effects);
      for (const id of entry.done) {
        step.internalQueue.push({ type: `xstate.done.state.${id}`, output: undefined });
      }
      if (entry.finishes) {
        step.status = 'done';
        step.version++;
      }
    }
    let { nodes, configuration } = plan;
    if (step.status === 'done') {
      // A machine that finishes runs the exit actions of every state it is still in.
      nodes = [...nodes].sort(byReverseDocumentOrder);
      for (const s of nodes) this.run(step, s.exit, event, scope, effects);
      configuration = plan.changed ? this.configurationOf(nodes) : null;
    }
    if (!plan.changed) return;
    step.nodes = nodes;
    step.configuration = configuration;
    step.value = configuration!.value;
    step.version++;
  }

  /** The plan for one transition from the step's configuration, made once and remembered. */
  private planFor(step: Step, t: Transition): Plan {
    step.configuration ??= this.configurationOf(step.nodes);
    let plan = step.configuration.plans.get(t);
    if (!plan) {
      plan = this.makePlan(step.nodes, [t]);
      step.configuration.plans.set(t, plan);
    }
    return plan;
  }

  /**
   * What taking `transitions` from the configuration `before` exits and enters, and what
   * configuration results. It depends on nothing else: no machine here has history states, and
   * actions cannot change the configuration.
   */
  private makePlan(before: readonly AnyStateNode[], transitions: readonly Transition[]): Plan {
    const active = new Set(before);
    const exits = this.exitSet(transitions, before).sort(byReverseDocumentOrder);
    for (const s of exits) active.delete(s);
    const toEnter = new Set<AnyStateNode>();
    const defaultEntry = new Set<AnyStateNode>();
    for (const t of transitions) this.addEntrySet(t, toEnter, defaultEntry);
    const completed = new Set<AnyStateNode>();
    const entries: PlannedEntry[] = [];
    for (const node of [...toEnter].sort(byDocumentOrder)) {
      active.add(node);
      const entry: PlannedEntry = {
        node,
        initialActions:
          defaultEntry.has(node) && node.type === 'compound'
            ? this.initials.get(node)!.actions
            : null,
        done: [],
        finishes: false,
      };
      entries.push(entry);
      if (node.type !== 'final') continue;
      const parent = node.parent;
      let marker = parent?.type === 'parallel' ? parent : parent?.parent;
      if (parent?.type === 'compound') entry.done.push(parent.id);
      while (
        marker?.type === 'parallel' &&
        !completed.has(marker) &&
        this.isInFinalState(active, marker)
      ) {
        completed.add(marker);
        entry.done.push(marker.id);
        marker = marker.parent;
      }
      if (!marker) entry.finishes = true;
    }
    const nodes = [...active];
    const changed = nodes.length !== before.length || before.some((s) => !active.has(s));
    return {
      exits,
      entries,
      nodes,
      changed,
      configuration: changed ? this.configurationOf(nodes) : null,
    };
  }

  private configurationOf(nodes: readonly AnyStateNode[]): Configuration {
    // A snapshot this stepper made holds the node list of a remembered plan: known by identity.
    const same = this.configurationsByNodes.get(nodes);
    if (same) return same;
    let key = '';
    for (const node of nodes) key += node.id + '\n';
    let known = this.configurations.get(key);
    if (!known) {
      known = {
        value: this.valueOf(nodes),
        tags: new Set(nodes.flatMap((n) => n.tags)),
        plans: new Map(),
      };
      this.configurations.set(key, known);
    }
    this.configurationsByNodes.set(nodes, known);
    return known;
  }

  /** The state value of a configuration: a string for an atomic child, an object otherwise. */
  private valueOf(nodes: readonly AnyStateNode[]): StateValue {
    const childrenOf = new Map<AnyStateNode, AnyStateNode[]>();
    for (const node of nodes) {
      if (!childrenOf.has(node)) childrenOf.set(node, []);
      if (node.parent) {
        let siblings = childrenOf.get(node.parent);
        if (!siblings) childrenOf.set(node.parent, (siblings = []));
        siblings.push(node);
      }
    }
    const valueAt = (node: AnyStateNode): StateValue => {
      const active = childrenOf.get(node);
      if (!active) return {};
      if (node.type === 'compound') {
        const child = active[0];
        if (!child) return {};
        if (isAtomic(child)) return child.key;
      }
      const value: { [key: string]: StateValue } = {};
      for (const child of active) value[child.key] = valueAt(child);
      return value;
    };
    return valueAt(this.root);
  }

  private isInFinalState(active: Set<AnyStateNode>, node: AnyStateNode): boolean {
    const children = this.children.get(node)!;
    if (node.type === 'compound') return children.some((s) => s.type === 'final' && active.has(s));
    if (node.type === 'parallel') return children.every((s) => this.isInFinalState(active, s));
    return node.type === 'final';
  }

  private addEntrySet(
    t: Transition,
    toEnter: Set<AnyStateNode>,
    defaultEntry: Set<AnyStateNode>,
  ): void {
    const domain = this.domain(t);
    const targets = t.target ?? [];
    for (const s of targets) {
      // A target is entered unless it is the source of a transition that stays inside it.
      if (t.source !== s || t.source !== domain || t.reenter) {
        toEnter.add(s);
        defaultEntry.add(s);
      }
      this.addDescendants(s, toEnter, defaultEntry);
    }
    for (const s of targets) {
      const ancestors = properAncestors(s, domain);
      if (domain?.type === 'parallel') ancestors.push(domain);
      this.addAncestors(
        ancestors,
        !t.source.parent && t.reenter ? undefined : domain,
        toEnter,
        defaultEntry,
      );
    }
  }

  private addDescendants(
    node: AnyStateNode,
    toEnter: Set<AnyStateNode>,
    defaultEntry: Set<AnyStateNode>,
  ): void {
    if (node.type === 'compound') {
      const initial = this.initials.get(node)!.target[0]!;
      toEnter.add(initial);
      defaultEntry.add(initial);
      // An initial state is a direct child, so there are no ancestors between it and `node`.
      this.addDescendants(initial, toEnter, defaultEntry);
    } else if (node.type === 'parallel') {
      for (const region of this.children.get(node)!) {
        if (![...toEnter].some((s) => isDescendant(s, region))) {
          toEnter.add(region);
          defaultEntry.add(region);
          this.addDescendants(region, toEnter, defaultEntry);
        }
      }
    }
  }

  private addAncestors(
    ancestors: readonly AnyStateNode[],
    reentrancyDomain: AnyStateNode | undefined,
    toEnter: Set<AnyStateNode>,
    defaultEntry: Set<AnyStateNode>,
  ): void {
    for (const ancestor of ancestors) {
      if (!reentrancyDomain || isDescendant(ancestor, reentrancyDomain)) toEnter.add(ancestor);
      if (ancestor.type !== 'parallel') continue;
      for (const region of this.children.get(ancestor)!) {
        if (![...toEnter].some((s) => isDescendant(s, region))) {
          toEnter.add(region);
          this.addDescendants(region, toEnter, defaultEntry);
        }
      }
    }
  }

  /** Resolves and runs actions in order; each sees the context the previous ones left. */
  private run(
    step: Step,
    actions: readonly unknown[],
    event: AnyEvent,
    scope: AnyActorScope,
    effects: StepEffects,
  ): void {
    for (const action of actions) {
      if (action instanceof Queued) {
        if (action.kind === 'assign') this.assign(step, action.value, event, scope, undefined);
        else effects.emitLater(action.value as AnyEvent);
        continue;
      }
      const resolved = this.implementation('actions', action);
      const params = paramsOf(action, step.context, event);
      if (!resolved || !('resolve' in resolved)) {
        effects.execute({
          type:
            typeof action === 'string'
              ? action
              : typeof action === 'object'
                ? (action as { type: string }).type
                : (action as { name?: string }).name || '(anonymous)',
          info: actionArgs(step, event, scope),
          params,
          exec: resolved as ((info: ActionArgs, params: unknown) => void) | undefined,
        });
        continue;
      }
      switch (resolved.type) {
        case 'xstate.assign':
          this.assign(step, resolved.assignment, event, scope, params);
          break;
        case 'xstate.emit':
          effects.emitLater(evaluate(resolved.event, step, event, scope, params) as AnyEvent);
          break;
        case 'xstate.raise':
          this.raise(step, resolved, event, scope, params, effects);
          break;
        case 'xstate.cancel':
          effects.cancelLater(evaluate(resolved.sendId, step, event, scope, params));
          break;
        case 'xstate.enqueueActions':
          this.run(step, this.collect(step, resolved, event, scope, params), event, scope, effects);
          break;
        default:
          throw new Error(
            `${this.machine.id}: the simulation's runtime cannot run ${resolved.type}`,
          );
      }
    }
  }

  private assign(
    step: Step,
    assignment: unknown,
    event: AnyEvent,
    scope: AnyActorScope,
    params: unknown,
  ): void {
    const args = {
      context: step.context,
      event,
      spawn: refuseToSpawn,
      self: scope.self,
      system: scope.system,
    };
    const before = step.context;
    if (typeof assignment === 'function') {
      const update = assignment(args, params) as Context;
      if (step.ownsContext) Object.assign(before, update);
      else step.context = { ...before, ...update };
    } else {
      // Every property's assigner reads the context as it was before this assign: the step's own
      // copy takes the values once they are all computed; a first assign writes them into a new
      // copy (a spread copies the layout in one go, three times faster than Object.assign({}, …)).
      const into: Context = step.ownsContext ? {} : { ...before };
      for (const key in assignment as object) {
        const part = (assignment as Record<string, unknown>)[key];
        into[key] = typeof part === 'function' ? part(args, params) : part;
      }
      if (step.ownsContext) Object.assign(before, into);
      else step.context = into;
    }
    step.ownsContext = true;
    step.version++;
  }

  private raise(
    step: Step,
    action: Implementation,
    event: AnyEvent,
    scope: AnyActorScope,
    params: unknown,
    effects: StepEffects,
  ): void {
    if (typeof action.event === 'string') {
      throw new Error(
        `Only event objects may be used with raise; use raise({ type: "${action.event}" }) instead`,
      );
    }
    const raised = evaluate(action.event, step, event, scope, params) as AnyEvent;
    let delay: unknown;
    if (typeof action.delay === 'string') {
      const delays = this.machine.implementations.delays as Record<string, unknown>;
      delay = evaluate(delays[action.delay], step, event, scope, params);
    } else {
      delay = evaluate(action.delay, step, event, scope, params);
    }
    if (typeof delay === 'number') effects.scheduleLater(raised, delay, action.id);
    else step.internalQueue.push(raised);
  }

  /** Runs an `enqueueActions` body and returns what it queued. */
  private collect(
    step: Step,
    action: Implementation,
    event: AnyEvent,
    scope: AnyActorScope,
    params: unknown,
  ): unknown[] {
    const outer = { queued: this.collecting, context: this.checkContext, event: this.checkEvent };
    const queued: unknown[] = [];
    const context = step.context;
    this.collecting = queued;
    this.checkContext = context;
    this.checkEvent = event;
    try {
      action.collect!(
        {
          context,
          event,
          enqueue: this.enqueue,
          check: this.check,
          self: scope.self,
          system: scope.system,
        },
        params,
      );
    } finally {
      this.collecting = outer.queued;
      this.checkContext = outer.context;
      this.checkEvent = outer.event;
    }
    return queued;
  }
}

/**
 * The params of a guard or action reference (`{ type, params }`), evaluated when they are an
 * expression; inline functions and plain names have none.
 */
function paramsOf(ref: unknown, context: Context, event: AnyEvent): unknown {
  if (typeof ref !== 'object' || ref === null || !('params' in ref)) return undefined;
  const given = (ref as { params: unknown }).params;
  return typeof given === 'function'
    ? (given as (a: { context: Context; event: AnyEvent }) => unknown)({ context, event })
    : given;
}

function refuseToSpawn(): never {
  throw new Error("spawning actors is not supported by the simulation's runtime");
}

/** What XState hands an action's functions: the context as the step has it now. */
function actionArgs(step: Step, event: AnyEvent, scope: AnyActorScope): ActionArgs {
  return { context: step.context, event, self: scope.self, system: scope.system };
}

/** A value, or the result of the expression that computes it (XState's event and delay expressions). */
function evaluate(
  valueOrExpression: unknown,
  step: Step,
  event: AnyEvent,
  scope: AnyActorScope,
  params: unknown,
): unknown {
  return typeof valueOrExpression === 'function'
    ? (valueOrExpression as (a: ActionArgs, p: unknown) => unknown)(
        actionArgs(step, event, scope),
        params,
      )
    : valueOrExpression;
}
