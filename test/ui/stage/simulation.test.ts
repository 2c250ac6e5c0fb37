import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLesson } from '../../../src/lessons/lesson';
import { defaultScenario } from '../../../src/scenario/presets';
import { simulate, type SimulationResult } from '../../../src/scenario/simulate';
import type { Scenario } from '../../../src/scenario/types';
import { KEPT_RESULTS, LatestSimulation } from '../../../src/ui/stage/simulation';

const base = defaultScenario();
const active: Scenario = { ...base, mode: 'active' };
const passive: Scenario = { ...base, mode: 'passive' };
/** Stands for a worker's answer: the bookkeeping never looks inside it. */
const resultOf = (scenario: Scenario) => ({ scenario }) as unknown as SimulationResult;

function request(latest: LatestSimulation, scenario: Scenario): number {
  const asked = latest.ask(scenario);
  if (asked.kind !== 'ask') throw new Error('expected a request');
  return asked.request.id;
}

describe('the latest simulation', () => {
  it('asks the worker for a scenario it has not seen, and shows its answer', () => {
    const latest = new LatestSimulation();
    const asked = latest.ask(active);
    expect(asked).toMatchObject({ kind: 'ask', request: { scenario: active } });
    const id = asked.kind === 'ask' ? asked.request.id : -1;
    expect(latest.awaits(id)).toBe(true);
    const result = resultOf(active);
    expect(latest.receive(id, result)).toBe(result);
    expect(latest.awaits(id)).toBe(false);
  });

  it('drops an answer to a scenario the learner has already left, and keeps it for a flip back', () => {
    const latest = new LatestSimulation();
    const first = request(latest, active);
    const second = request(latest, passive);
    const stale = resultOf(active);
    expect(latest.receive(first, stale)).toBeNull();
    const current = resultOf(passive);
    expect(latest.receive(second, current)).toBe(current);
    // Back to active: answered at once with the answer that came in late.
    expect(latest.ask({ ...base, mode: 'active' })).toEqual({ kind: 'known', result: stale });
  });

  it('asks once for a scenario left and come back to before its answer, and shows that answer', () => {
    const latest = new LatestSimulation();
    const first = request(latest, active);
    request(latest, passive);
    expect(latest.ask(active)).toEqual({ kind: 'asked' });
    const result = resultOf(active);
    expect(latest.receive(first, result)).toBe(result);
  });

  it('knows a scenario by its text, not by the object', () => {
    const latest = new LatestSimulation();
    const result = resultOf(active);
    latest.receive(request(latest, active), result);
    expect(latest.ask(structuredClone(active))).toEqual({ kind: 'known', result });
  });

  it('ignores answers to no request of its own, and a second answer to the same request', () => {
    const mine = new LatestSimulation();
    const other = new LatestSimulation();
    const theirs = request(other, active);
    request(mine, active);
    expect(mine.receive(theirs, resultOf(active))).toBeNull();
    const id = request(mine, passive);
    expect(mine.receive(id, resultOf(passive))).not.toBeNull();
    expect(mine.receive(id, resultOf(passive))).toBeNull();
  });

  it(`keeps the ${KEPT_RESULTS} most recently used results`, () => {
    const latest = new LatestSimulation();
    const scenarios = Array.from({ length: KEPT_RESULTS + 1 }, (_, i) => ({
      ...base,
      commands: [`RETR file-${i}.txt`],
    }));
    for (const scenario of scenarios.slice(0, KEPT_RESULTS))
      latest.receive(request(latest, scenario), resultOf(scenario));
    // Using the oldest makes it the newest: the second oldest goes when one more comes in.
    expect(latest.ask(scenarios[0]!).kind).toBe('known');
    const last = scenarios[KEPT_RESULTS]!;
    latest.receive(request(latest, last), resultOf(last));
    expect(latest.ask(scenarios[0]!).kind).toBe('known');
    expect(latest.ask(scenarios[1]!).kind).toBe('ask');
    expect(latest.ask(last).kind).toBe('known');
  });
});

/**
 * Where `value` holds something the structured clone would not give back as it is (a class
 * instance, whose methods and prototype are lost; a function, which throws), or null.
 */
function notPlainData(value: unknown, path = 'result'): string | null {
  if (typeof value === 'function') return path;
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return null;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== Array.prototype) return path;
  for (const [key, inner] of Object.entries(value)) {
    const found = notPlainData(inner, `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

describe("a worker's answer, as the page receives it", () => {
  // Each different network of the lessons once: many steps repeat the step before.
  const lessonScenarios = [
    ...new Map(
      readdirSync('lessons')
        .filter((file) => file.endsWith('.md'))
        .flatMap((file) => {
          const { lesson } = parseLesson(file, readFileSync(`lessons/${file}`, 'utf8'));
          return (lesson?.steps ?? []).map((step) => [
            JSON.stringify(step.scenario),
            step.scenario,
          ]);
        }),
    ).values(),
  ];

  it('is plain data (objects, arrays, bytes) for every network of the lessons', () => {
    expect(lessonScenarios.length).toBeGreaterThan(10);
    for (const scenario of lessonScenarios) expect(notPlainData(simulate(scenario))).toBeNull();
  });

  it('comes through the structured clone whole, payload bytes included', () => {
    const result = simulate(passive);
    const cloned = structuredClone(result);
    expect(cloned).toStrictEqual(result);
    const carrying = cloned.trace.find(
      (event) => 'packet' in event && (event.packet.tcp?.payload.length ?? 0) > 0,
    );
    expect(carrying && 'packet' in carrying && carrying.packet.tcp?.payload).toBeInstanceOf(
      Uint8Array,
    );
  });
});
