import type { AnyStateMachine } from 'xstate';
import { ftpClientMachine } from '../machines/ftp-client';
import { ftpServerMachine } from '../machines/ftp-server';
import { tcpSocketMachine } from '../machines/tcp-socket';
import { parseCommandLine } from '../protocol/ftp-command';
import { decodeControlText } from '../protocol/control-text';
import { countAtOrBefore, packetLabel, type TraceIndex } from './timeline';
import type { ActorInfo, TraceEvent } from './trace';

export type ActorMachine = ActorInfo['machine'];

/**
 * The statecharts of the simulation's own machines, read from their XState definitions (the
 * state nodes and their transitions), as plain data a view can lay out and draw; and, for an
 * actor at time t, which states it is in and which transitions took it there.
 */

/** A state's id is its path, dotted, as the trace names states: "loggedIn.idle". */
export interface ChartState {
  readonly id: string;
  readonly key: string;
  /** The enclosing state's id; "" for a top-level state. */
  readonly parent: string;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The state its parent enters first. */
  readonly initial: boolean;
  /** Events the state handles without leaving it (answering, acknowledging, queueing data). */
  readonly inPlace: readonly string[];
}

export type TriggerKind = 'event' | 'after' | 'always' | 'done';

/** One way a transition can be taken: the event, the guard that must hold, what it does. */
export interface ChartTrigger {
  readonly kind: TriggerKind;
  /** The event type; for `after`, the delay's name; for `done`, the state that completed. */
  readonly event: string;
  /** The guard as the machine names it: "isSynAck", "isReply(220)", "hasMoreSteps and nextIsTransfer". */
  readonly guard: string | null;
  readonly actions: readonly string[];
}

/** Every transition from one state to another, its triggers merged. */
export interface ChartTransition {
  /** `${source}->${target}`. */
  readonly id: string;
  /** The state that declares it; "" for a transition the machine takes from any state. */
  readonly source: string;
  readonly target: string;
  readonly triggers: readonly ChartTrigger[];
}

export interface Statechart {
  readonly machine: ActorMachine;
  /** In document order, parents before children. */
  readonly states: readonly ChartState[];
  readonly transitions: readonly ChartTransition[];
}

const MACHINES: Record<ActorMachine, AnyStateMachine> = {
  tcp: tcpSocketMachine,
  'ftp-client': ftpClientMachine,
  'ftp-server': ftpServerMachine,
};

type StateNode = AnyStateMachine['root'];
type TransitionDefinition = NonNullable<StateNode['always']>[number];

function paramsText(params: unknown): string {
  if (params === null || typeof params !== 'object') return String(params);
  return Object.values(params as Record<string, unknown>)
    .flat()
    .join(', ');
}

/** A guard as written in the machine: its name, its parameters, and and/or/not combinations. */
export function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    // and([...]) / or([...]) / not(...) are functions carrying their parts.
    const parts = (guard as { guards?: unknown[] }).guards;
    const check = (guard as { check?: { name?: string } }).check?.name ?? '';
    if (Array.isArray(parts)) {
      const names = parts.map((part) => guardName(part) ?? '?');
      if (/Not/.test(check)) return `not ${names.join('')}`;
      return names.join(/Or/.test(check) ? ' or ' : ' and ');
    }
    return guard.name || 'guard';
  }
  if (typeof guard === 'object' && 'type' in guard) {
    const { type, params } = guard as { type: string; params?: unknown };
    return params === undefined ? type : `${type}(${paramsText(params)})`;
  }
  return 'guard';
}

function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (action && typeof action === 'object' && 'type' in action)
    return String((action as { type: unknown }).type);
  return 'action';
}

const idOf = (node: StateNode) => node.path.join('.');

function triggerOf(definition: TransitionDefinition, always: boolean): ChartTrigger {
  const type = String(definition.eventType);
  let kind: TriggerKind = 'event';
  let event = type;
  if (always) {
    kind = 'always';
    event = '';
  } else if (type.startsWith('xstate.after.')) {
    kind = 'after';
    // "xstate.after.<delay>.<state id>": the delay's name.
    event = type.slice('xstate.after.'.length).split('.')[0] ?? type;
  } else if (type.startsWith('xstate.done.state.')) {
    kind = 'done';
    event = definition.source.key;
  }
  return {
    kind,
    event,
    guard: guardName(definition.guard),
    actions: definition.actions.map(actionName),
  };
}

function readMachine(machine: ActorMachine): Statechart {
  const guards = new Map<string, unknown[]>();
  guardObjects.set(machine, guards);
  const states: ChartState[] = [];
  const byId = new Map<string, { source: string; target: string; triggers: ChartTrigger[] }>();
  const visit = (node: StateNode) => {
    const inPlace: string[] = [];
    const definitions: [TransitionDefinition, boolean][] = [];
    for (const list of node.transitions.values())
      for (const definition of list) definitions.push([definition, false]);
    for (const definition of node.always ?? []) definitions.push([definition, true]);
    for (const [definition, always] of definitions) {
      const target = definition.target?.[0];
      const trigger = triggerOf(definition, always);
      // Only a change of state is drawn; a re-entering self-transition (a retransmission) too.
      if (!target || (target === node && !definition.reenter)) {
        if (!inPlace.includes(trigger.event)) inPlace.push(trigger.event);
        continue;
      }
      const source = idOf(node);
      const id = `${source}->${idOf(target)}`;
      const entry = byId.get(id) ?? { source, target: idOf(target), triggers: [] };
      entry.triggers.push(trigger);
      byId.set(id, entry);
      guards.set(id, [...(guards.get(id) ?? []), definition.guard]);
    }
    if (node.parent) {
      const parent = node.parent;
      states.push({
        id: idOf(node),
        key: node.key,
        parent: idOf(parent),
        type: node.type,
        initial: parent.type === 'compound' && parent.initial.target[0] === node,
        inPlace,
      });
    }
    for (const child of Object.values(node.states)) visit(child as StateNode);
  };
  visit(MACHINES[machine].root);
  const transitions = [...byId].map(([id, t]) => ({ id, ...t }));
  return { machine, states, transitions };
}

const charts = new Map<ActorMachine, Statechart>();
/** The guards as the machine holds them, by transition id, in the order of its triggers. */
const guardObjects = new Map<ActorMachine, Map<string, unknown[]>>();

function rawGuards(machine: ActorMachine): Map<string, unknown[]> {
  statechartOf(machine);
  return guardObjects.get(machine)!;
}

/** The statechart of one of the simulation's machines (read once, then shared). */
export function statechartOf(machine: ActorMachine): Statechart {
  let chart = charts.get(machine);
  if (!chart) {
    chart = readMachine(machine);
    charts.set(machine, chart);
  }
  return chart;
}

/** `id` and every state that encloses it, innermost first ("" for the machine itself last). */
export function ancestorsOf(chart: Statechart, id: string): string[] {
  const parentOf = new Map(chart.states.map((s) => [s.id, s.parent]));
  const chain: string[] = [];
  let current: string | undefined = id;
  while (current !== undefined) {
    chain.push(current);
    current = current === '' ? undefined : parentOf.get(current);
  }
  return chain;
}

/**
 * The atomic states a trace's state name stands for. The trace flattens a parallel state's
 * regions as "transferring.control.awaitingCompletionReply | data.open": the parts after the
 * first are paths inside the same parallel state.
 */
export function activeStates(chart: Statechart, name: string | null): string[] {
  if (!name) return [];
  const ids = new Set(chart.states.map((s) => s.id));
  const [first, ...rest] = name.split(' | ');
  if (!first || !ids.has(first)) return [];
  const active = [first];
  for (const part of rest) {
    // The region's path is relative to the nearest enclosing state of the first part that has it.
    const base = ancestorsOf(chart, first).find((a) => ids.has(a ? `${a}.${part}` : part));
    if (base !== undefined) active.push(base ? `${base}.${part}` : part);
  }
  return active;
}

/** The trigger answers this recorded event ("timeout" stands for any timer). */
export function triggerMatches(trigger: ChartTrigger, event: string): boolean {
  if (event === 'timeout') return trigger.kind === 'after';
  return trigger.kind === 'event' && trigger.event === event;
}

/** An event as the machine received it, rebuilt from the trace where the trace holds it. */
export interface MachineEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Thrown by the stand-in context: a guard that reads the context cannot be judged from the event. */
class NeedsContext extends Error {}
const opaqueContext = new Proxy(
  {},
  {
    get() {
      throw new NeedsContext();
    },
  },
);

type Verdict = boolean | null;

/**
 * The machine's own guard, judged on the event alone: true or false when it reads only the event
 * (a reply's code, a segment's flags), null when it needs the actor's context (sequence numbers).
 */
export function guardVerdict(machine: ActorMachine, guard: unknown, event: MachineEvent): Verdict {
  const implementations = MACHINES[machine].implementations.guards as Record<string, unknown>;
  const run = (fn: unknown, params: unknown): Verdict => {
    if (typeof fn !== 'function') return null;
    try {
      return Boolean(fn({ context: opaqueContext, event }, params));
    } catch {
      return null;
    }
  };
  const judge = (g: unknown): Verdict => {
    if (g === undefined || g === null) return true;
    if (typeof g === 'string') return run(implementations[g], undefined);
    if (typeof g === 'object' && 'type' in g) {
      const { type, params } = g as { type: string; params?: unknown };
      return run(implementations[type], params);
    }
    if (typeof g === 'function') {
      const parts = (g as { guards?: unknown[] }).guards;
      const check = (g as { check?: { name?: string } }).check?.name ?? '';
      if (!Array.isArray(parts)) return run(g, undefined);
      const verdicts = parts.map(judge);
      if (/Not/.test(check)) return verdicts[0] === null ? null : !verdicts[0];
      if (/Or/.test(check))
        return verdicts.includes(true) ? true : verdicts.includes(null) ? null : false;
      return verdicts.includes(false) ? false : verdicts.includes(null) ? null : true;
    }
    return null;
  };
  return judge(guard);
}

/**
 * The transitions one recorded change of state went through. The trace records the state after
 * each event, so a change may be several steps: the event's transition, then eventless ones
 * (`always`) and the completion of a parallel state (`done`). Breadth first, so the shortest
 * explanation wins; given the event itself, a first step whose guards reject it is left out
 * (a 226 reply does not take the negative-reply transition). Empty when the definitions cannot
 * explain the change.
 */
export function transitionPath(
  chart: Statechart,
  from: string | null,
  to: string,
  event: string,
  detail: MachineEvent | null = null,
): ChartTransition[] {
  const start = activeStates(chart, from);
  const goal = new Set(activeStates(chart, to));
  if (start.length === 0 || goal.size === 0) return [];
  // A target enclosing a goal state counts: entering it enters its initial states.
  const reaches = (id: string) =>
    goal.has(id) || [...goal].some((g) => ancestorsOf(chart, g).includes(id));
  const outgoing = new Map<string, ChartTransition[]>();
  for (const t of chart.transitions) {
    const list = outgoing.get(t.source);
    if (list) list.push(t);
    else outgoing.set(t.source, [t]);
  }
  const leaving = (id: string) => ancestorsOf(chart, id).flatMap((a) => outgoing.get(a) ?? []);
  const guards = rawGuards(chart.machine);
  const possible = (t: ChartTransition) =>
    t.triggers.some((trigger, k) => {
      if (!triggerMatches(trigger, event)) return false;
      if (!detail || detail.type !== event) return true;
      return guardVerdict(chart.machine, guards.get(t.id)?.[k], detail) !== false;
    });

  const search = (judged: boolean): ChartTransition[] => {
    interface Step {
      state: string;
      path: ChartTransition[];
    }
    let frontier: Step[] = [];
    for (const state of start) {
      for (const t of leaving(state)) {
        const matches = judged
          ? possible(t)
          : t.triggers.some((trigger) => triggerMatches(trigger, event));
        if (matches) frontier.push({ state: t.target, path: [t] });
      }
    }
    const seen = new Set<string>();
    while (frontier.length > 0) {
      const next: Step[] = [];
      for (const step of frontier) {
        if (reaches(step.state)) return step.path;
        if (seen.has(step.state)) continue;
        seen.add(step.state);
        // From a final state, the enclosing parallel state may complete (`done`).
        for (const t of leaving(step.state)) {
          if (t.triggers.some((trigger) => trigger.kind === 'always' || trigger.kind === 'done'))
            next.push({ state: t.target, path: [...step.path, t] });
        }
      }
      frontier = next;
    }
    return [];
  };
  // Should the event be rebuilt wrongly, an explanation that ignores the guards beats none.
  const judged = detail ? search(true) : [];
  return judged.length > 0 ? judged : search(false);
}

export interface LastChange {
  /** Index of the `transition` event in the trace. */
  readonly eventIndex: number;
  readonly t: number;
  readonly from: string | null;
  readonly to: string;
  /** The machine event's type, "timeout" for a timer, "xstate.init" for the start. */
  readonly event: string;
  /** The machine event rebuilt from the trace (a reply's code, a segment), where it can be. */
  readonly machineEvent: MachineEvent | null;
  /**
   * What set it off: the packet ("SYN-ACK"), the FTP line ("\"227 Entering Passive Mode (…)\""),
   * "a timer", or else the machine event's own name.
   */
  readonly cause: string;
}

interface ActorTransitions {
  readonly indices: number[];
  readonly times: number[];
}

const transitionsByActor = new WeakMap<TraceIndex, Map<string, ActorTransitions>>();

function transitionsOf(index: TraceIndex, actor: string): ActorTransitions {
  let byActor = transitionsByActor.get(index);
  if (!byActor) {
    const map = new Map<string, ActorTransitions>();
    index.events.forEach((event, i) => {
      if (event.type !== 'transition') return;
      let list = map.get(event.actor);
      if (!list) map.set(event.actor, (list = { indices: [], times: [] }));
      list.indices.push(i);
      list.times.push(event.t);
    });
    transitionsByActor.set(index, map);
    byActor = map;
  }
  return byActor.get(actor) ?? { indices: [], times: [] };
}

interface Cause {
  readonly words: string;
  readonly event: MachineEvent | null;
}

/**
 * What delivered the event: the packet handed to the actor's node at that same instant. For a
 * reply or a command, the line itself: when one segment carried several lines, the k-th change
 * of this actor on this event at this instant is taken to be the k-th line.
 */
function causeOf(index: TraceIndex, eventIndex: number): Cause {
  const transition = index.events[eventIndex] as Extract<TraceEvent, { type: 'transition' }>;
  const { event, t, node, actor } = transition;
  if (event === 'xstate.init') return { words: 'its start', event: null };
  if (event === 'timeout') return { words: 'a timer', event: null };
  if (event !== 'SEGMENT' && event !== 'REPLY' && event !== 'COMMAND')
    return { words: event, event: { type: event } };
  const delivered: Extract<TraceEvent, { type: 'deliver' }>[] = [];
  let earlierChanges = 0;
  for (let i = eventIndex - 1; i >= 0; i--) {
    const earlier = index.events[i]!;
    if (earlier.t < t) break;
    if (earlier.type === 'deliver' && earlier.node === node) delivered.unshift(earlier);
    if (earlier.type === 'transition' && earlier.actor === actor && earlier.event === event)
      earlierChanges++;
  }
  if (event === 'SEGMENT') {
    const own = delivered.filter((d) => d.actor === actor);
    const packet = (own.length > 0 ? own : delivered).at(-1)?.packet;
    return packet?.tcp
      ? { words: packetLabel(packet), event: { type: 'SEGMENT', segment: packet.tcp } }
      : { words: event, event: null };
  }
  const lines = delivered
    .filter((d) => d.packet.channel === 'control' && (d.packet.tcp?.payload.length ?? 0) > 0)
    .flatMap((d) => decodeControlText(d.packet.tcp!.payload).split('\r\n').filter(Boolean));
  const line = lines[Math.min(earlierChanges, lines.length - 1)];
  if (!line) return { words: event, event: null };
  if (event === 'REPLY') {
    const code = Number(line.slice(0, 3));
    return { words: `"${line}"`, event: { type: 'REPLY', code, text: line.slice(4) } };
  }
  const command = parseCommandLine(line);
  return {
    words: `"${line}"`,
    event: command.ok ? { type: 'COMMAND', ...command.value } : null,
  };
}

/** The actor's latest change of state at or before t; null before its first. */
export function lastChangeAt(index: TraceIndex, actor: string, t: number): LastChange | null {
  const { indices, times } = transitionsOf(index, actor);
  const k = countAtOrBefore(times, t);
  if (k === 0) return null;
  const eventIndex = indices[k - 1]!;
  const event = index.events[eventIndex] as Extract<TraceEvent, { type: 'transition' }>;
  const cause = causeOf(index, eventIndex);
  return {
    eventIndex,
    t: event.t,
    from: event.from,
    to: event.to,
    event: event.event,
    cause: cause.words,
    machineEvent: cause.event,
  };
}

/**
 * How many times a socket sent its SYN (or SYN-ACK) again after `since`, up to t: the
 * retransmissions of RFC 6298 that a dropped handshake causes. The machine re-enters SYN_SENT
 * (or SYN_RECEIVED) for each, which the trace does not record as a change of state.
 */
export function handshakeRetriesAt(
  index: TraceIndex,
  actor: string,
  since: number,
  t: number,
): number {
  const info = index.actorById.get(actor)?.info;
  if (!info || info.machine !== 'tcp' || !info.local) return 0;
  const colon = info.local.lastIndexOf(':');
  const address = info.local.slice(0, colon);
  const port = Number(info.local.slice(colon + 1));
  let retries = 0;
  for (let i = countAtOrBefore(index.eventTimes, since); i < index.events.length; i++) {
    const event = index.events[i]!;
    if (event.t > t) break;
    if (event.type !== 'send' || event.node !== info.node) continue;
    const { packet } = event;
    if (packet.src === address && packet.tcp?.srcPort === port && packet.tcp.flags.syn) retries++;
  }
  return retries;
}
