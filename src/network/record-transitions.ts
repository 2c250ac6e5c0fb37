import type { InspectionEvent } from 'xstate';
import type { ActorMachine, NodeId, TraceLog } from './trace';

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

/** An XState inspect observer that writes every change of state into the trace. */
export function recordTransitions(
  trace: TraceLog,
  actor: string,
  node: NodeId,
  machine: ActorMachine,
): (event: InspectionEvent) => void {
  let previous: string | null = null;
  return (inspection) => {
    if (inspection.type !== '@xstate.snapshot') return;
    if ((inspection.actorRef as { id?: string }).id !== actor) return;
    const snapshot = inspection.snapshot as { value?: unknown };
    const to = stateName(snapshot.value);
    if (to === previous) return;
    trace.add({
      type: 'transition',
      actor,
      node,
      machine,
      from: previous,
      to,
      event: inspection.event.type,
    });
    previous = to;
  };
}
