import { describe, expect, it } from 'vitest';
import { defaultScenario, networkPreset } from '../../../src/scenario/presets';
import { indexTrace, nextEventTime } from '../../../src/scenario/queries';
import { simulate } from '../../../src/scenario/simulate';
import { Transport } from '../../../src/ui/stage/transport.svelte';

const index = indexTrace(simulate(networkPreset('client-stateful')!.apply(defaultScenario())));

const key = (k: string) =>
  ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    defaultPrevented: false,
    target: null,
    preventDefault() {},
  }) as unknown as KeyboardEvent;

describe('the one transport', () => {
  it('seeks within the session, steps event by event and restarts a finished session', () => {
    let ended = 0;
    const transport = new Transport(
      () => index,
      () => false,
      () => ended++,
    );
    transport.seek(-5);
    expect(transport.t).toBe(0);
    transport.seek(1e12);
    expect(transport.t).toBe(index.end);
    transport.toggle();
    expect(transport).toMatchObject({ t: 0, playing: true });
    transport.stepBy(1);
    expect(transport).toMatchObject({ t: nextEventTime(index, 0), playing: false });
    transport.seek(index.end);
    transport.stepBy(1);
    expect(ended).toBe(1);
  });

  it('plays by the keymap: K, the arrows, Home and End', () => {
    const transport = new Transport(
      () => index,
      () => false,
    );
    transport.onKey(key('End'));
    expect(transport.t).toBe(index.end);
    transport.onKey(key('Home'));
    transport.onKey(key('ArrowRight'));
    const first = transport.t;
    expect(first).toBeGreaterThan(0);
    transport.onKey(key('ArrowRight'));
    transport.onKey(key('ArrowLeft'));
    expect(transport.t).toBe(first);
    transport.onKey(key('k'));
    expect(transport.playing).toBe(true);
    transport.onKey(key('x'));
    expect(transport.playing).toBe(true);
  });

  it("keeps t and playing in a component's own state when given one, and resets to a link's moment", () => {
    const props = { t: 0, playing: false };
    const transport = new Transport(
      () => index,
      () => false,
      undefined,
      props,
    );
    transport.seek(100);
    expect(props.t).toBe(100);
    transport.toggle();
    expect(props.playing).toBe(true);
    transport.skipped = 'waiting… 1 s skipped';
    transport.reset(42);
    expect(props).toEqual({ t: 42, playing: false });
    expect(transport.skipped).toBeNull();
  });
});
