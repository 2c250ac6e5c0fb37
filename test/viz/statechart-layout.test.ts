import { describe, expect, it } from 'vitest';
import { statechartOf, type ActorMachine } from '../../src/scenario/statecharts';
import { labelBounds, statechartLayout, type StateBox } from '../../src/viz/statechart-layout';
import { transitionWords, triggerDefinition, triggerWords } from '../../src/viz/statechart-labels';

const MACHINES: ActorMachine[] = ['tcp', 'ftp-client', 'ftp-server'];
const layoutOf = (machine: ActorMachine) => statechartLayout(statechartOf(machine));

const inside = (inner: StateBox, outer: StateBox) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

const overlap = (
  a: { left: number; right: number; top: number; bottom: number },
  b: { left: number; right: number; top: number; bottom: number },
) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

const rect = (b: StateBox) => ({
  left: b.x,
  right: b.x + b.width,
  top: b.y,
  bottom: b.y + b.height,
});

describe.each(MACHINES)('statechartLayout(%s)', (machine) => {
  const layout = layoutOf(machine);
  const chart = statechartOf(machine);

  it('draws every state of the machine', () => {
    const drawn = new Set(layout.boxes.map((b) => b.state));
    for (const state of chart.states) expect(drawn.has(state.id), state.id).toBe(true);
  });

  it('keeps every box, arrow and label inside the drawing', () => {
    for (const b of layout.boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(layout.width);
      expect(b.y + b.height).toBeLessThanOrEqual(layout.height);
    }
    for (const e of layout.edges.filter((e) => !e.minor)) {
      for (const p of e.points) {
        expect(p.x, e.key).toBeGreaterThanOrEqual(0);
        expect(p.x, e.key).toBeLessThanOrEqual(layout.width);
        expect(p.y, e.key).toBeGreaterThanOrEqual(0);
        expect(p.y, e.key).toBeLessThanOrEqual(layout.height);
      }
      if (!e.label) continue;
      const l = labelBounds(e.label);
      expect(l.left, e.key).toBeGreaterThanOrEqual(0);
      expect(l.right, e.key).toBeLessThanOrEqual(layout.width);
    }
  });

  it('never lets two states overlap, and puts children inside their parents', () => {
    const states = layout.boxes.filter((b) => b.kind === 'state' || b.kind === 'final');
    for (let i = 0; i < states.length; i++)
      for (let j = i + 1; j < states.length; j++)
        expect(
          overlap(rect(states[i]!), rect(states[j]!)),
          `${states[i]!.key} / ${states[j]!.key}`,
        ).toBe(false);
    const byState = new Map(layout.boxes.map((b) => [b.key, b]));
    for (const state of chart.states) {
      if (state.parent === '') continue;
      expect(inside(byState.get(state.id)!, byState.get(state.parent)!), state.id).toBe(true);
    }
  });

  it('draws an arrow for every transition between two states, or names it on its target', () => {
    const drawn = new Set(layout.edges.map((e) => e.transition));
    const named = new Set(layout.boxes.flatMap((b) => b.entry?.transitions ?? []));
    for (const t of chart.transitions) expect(drawn.has(t.id) || named.has(t.id), t.id).toBe(true);
  });
});

describe('the TCP figure', () => {
  const layout = layoutOf('tcp');
  const centre = (key: string) => {
    const b = layout.boxes.find((x) => x.key === key)!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };

  it('has the shape of RFC 9293 figure 5', () => {
    expect(centre('CLOSED').y).toBeLessThan(centre('LISTEN').y);
    expect(centre('LISTEN').y).toBeLessThan(centre('ESTABLISHED').y);
    expect(centre('SYN_RECEIVED').x).toBeLessThan(centre('SYN_SENT').x);
    expect(centre('SYN_RECEIVED').y).toBe(centre('SYN_SENT').y);
    expect(centre('FIN_WAIT_1').x).toBeLessThan(centre('CLOSE_WAIT').x);
    expect(centre('TIME_WAIT').y).toBeGreaterThan(centre('CLOSING').y);
    // CLOSED again at the bottom right, where LAST_ACK and TIME_WAIT end.
    expect(centre('CLOSED#2').y).toBe(centre('TIME_WAIT').y);
    expect(layout.boxes.find((b) => b.key === 'CLOSED#2')!.state).toBe('CLOSED');
  });

  it('leaves RST and abort arrows out until one is taken, and says so', () => {
    const minor = layout.edges.filter((e) => e.minor).map((e) => e.transition);
    expect(minor).toContain('ESTABLISHED->CLOSED');
    expect(minor).not.toContain('SYN_SENT->CLOSED');
    expect(layout.notes.join(' ')).toMatch(/RFC 9293/);
  });

  it('keeps its drawn labels apart', () => {
    const labels = layout.edges
      .filter((e) => !e.minor && e.label)
      .map((e) => ({ key: e.key, box: labelBounds(e.label!) }));
    for (let i = 0; i < labels.length; i++)
      for (let j = i + 1; j < labels.length; j++)
        expect(
          overlap(labels[i]!.box, labels[j]!.box),
          `${labels[i]!.key} / ${labels[j]!.key}`,
        ).toBe(false);
  });
});

describe('statechart labels', () => {
  const client = statechartOf('ftp-client');
  const tcp = statechartOf('tcp');
  const find = (id: string, chart = client) => chart.transitions.find((t) => t.id === id)!;

  it('says what a trigger tests in a few words', () => {
    expect(transitionWords(find('awaitingGreeting->awaitingUserReply'))).toBe('220');
    expect(transitionWords(find('SYN_SENT->ESTABLISHED', tcp))).toBe('SYN-ACK');
    // Timers first: on this arrow the timeout is the news.
    expect(transitionWords(find('SYN_SENT->CLOSED', tcp))).toMatch(/^timeout · RST/);
    expect(triggerWords({ kind: 'event', event: 'SOMETHING_NEW', guard: null, actions: [] })).toBe(
      'SOMETHING_NEW',
    );
  });

  it('gives the machine’s own definition for the tooltip', () => {
    expect(triggerDefinition(find('SYN_SENT->ESTABLISHED', tcp).triggers[0]!)).toBe(
      'SEGMENT [isSynAck] / completeActiveOpen',
    );
    expect(triggerDefinition(find('nextStep->quitting').triggers[0]!)).toBe('always');
  });
});
