/**
 * Fuzz: share links (issue 11, "A standing fuzz suite"). decodeState reads the sandbox's
 * `#s=<base64url JSON>&t=<ms>`; parseRoute reads every other `#/...` address. Both get whatever a
 * learner pastes, a chat program mangles or a hostile page links to.
 *
 * Cases per run (numRuns): links of mutated scenarios 600; damaged links 800; random
 * fragments 800; link round trip 150; random routes 1,500; route round trip 500; compressed
 * links (issue 12): mutated 150, damaged 400, random bytes 300, hostile packings 300, round
 * trip 150, bombs 3. Total 5,653.
 *
 * Each case: decodeState (and decodeShareLink, for both forms) returns ok with a scenario that
 * validates, or an err whose message is one short line; parseRoute returns a route (malformed
 * %-escapes are "unknown", issue 11 item 10); none of them throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultScenario, NETWORK_PRESETS } from '../../src/scenario/presets';
import { DATA_MODES, type Scenario } from '../../src/scenario/types';
import { validateScenario } from '../../src/scenario/validate';
import { lessonHref, parseRoute } from '../../src/ui/app/route';
import { deflate, MAX_INFLATED_BYTES, packScenario } from '../../src/ui/app/share-codec';
import {
  decodeShareLink,
  decodeState,
  encodeShareLink,
  encodeState,
} from '../../src/ui/app/url-state';
import {
  assertRuns,
  assertRunsAsync,
  damagedText,
  deepNestText,
  expectClearMessage,
  UNFIXED,
  FUZZ_TIMEOUT_MS,
  hostileString,
  mutated,
  stillValid,
} from './arbitraries';

/** A scenario error (at most 500, see scenario.test.ts) behind the link's own words. */
const MAX_MESSAGE = 600;

const RUNS = {
  mutatedLinks: 600,
  damagedLinks: 800,
  randomFragments: 800,
  linkRoundTrip: 150,
  randomRoutes: 1500,
  routeRoundTrip: 500,
  compressedMutated: 150,
  compressedDamaged: 400,
  compressedBytes: 300,
  hostilePackings: 300,
  compressedRoundTrip: 150,
};

const presetScenarios: Scenario[] = NETWORK_PRESETS.flatMap((preset) =>
  DATA_MODES.map((mode) => ({ ...preset.apply(defaultScenario()), mode })),
);

/** A scenario that validates and a moment of its run: what a link's round trip must give back. */
const validState = fc.tuple(
  stillValid(presetScenarios),
  fc.double({ min: 0, max: 900_000, noNaN: true }),
);

/** JSON text of a value, or of one 5,000 levels deep when the value is too deep to stringify. */
function stringifyOrDeep(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return `{"mode":${deepNestText(5000, 'array')}}`;
  }
}

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes in as it is. */
function escapeForLink(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

const timeText = fc.oneof(
  fc.nat({ max: 900_000 }).map(String),
  fc.constantFrom('', '-1', '1e3', 'NaN', 'Infinity', '0x10', '1.', '.5', '1.5', '9'.repeat(400)),
  hostileString,
);

/** Reads a link the way the sandbox does: a scenario that validates, or one clear line. */
function checkDecode(fragment: string): void {
  let result: ReturnType<typeof decodeState>;
  try {
    result = decodeState(fragment);
  } catch (error) {
    throw new Error(`decodeState threw ${String(error).slice(0, 200)}`);
  }
  if (!result.ok) {
    // The scenario's own error comes from validate.ts (see UNFIXED.item14).
    expectClearMessage(result.error, MAX_MESSAGE, { long: UNFIXED.item14 });
    return;
  }
  if (result.value === null) {
    expect(fragment.replace(/^#/, '')).toBe('');
    return;
  }
  expect(Number.isFinite(result.value.t) && result.value.t >= 0).toBe(true);
  expect(validateScenario(result.value.scenario).ok).toBe(true);
}

/** The same for either form, read as the sandbox reads it: decodeShareLink never rejects. */
async function checkShareLink(fragment: string): Promise<void> {
  let result: Awaited<ReturnType<typeof decodeShareLink>>;
  try {
    result = await decodeShareLink(fragment);
  } catch (error) {
    throw new Error(`decodeShareLink threw ${String(error).slice(0, 200)}`);
  }
  if (!result.ok) {
    expectClearMessage(result.error, MAX_MESSAGE, { long: UNFIXED.item14 });
    return;
  }
  if (result.value === null) return;
  expect(Number.isFinite(result.value.t) && result.value.t >= 0).toBe(true);
  expect(validateScenario(result.value.scenario).ok).toBe(true);
}

async function compressedLink(json: string, t = '0'): Promise<string> {
  const bytes = await deflate(new TextEncoder().encode(json));
  return `#z=${Buffer.from(bytes).toString('base64url')}&t=${t}`;
}

function checkRoute(hash: string): void {
  let route: ReturnType<typeof parseRoute>;
  try {
    route = parseRoute(hash);
  } catch (error) {
    throw new Error(`parseRoute threw ${String(error).slice(0, 200)}`);
  }
  expect(['sandbox', 'course', 'recording', 'lesson', 'present', 'notes', 'unknown']).toContain(
    route.page,
  );
  if (route.page === 'lesson' || route.page === 'present' || route.page === 'notes') {
    expect(route.lessonId.length).toBeGreaterThan(0);
    expect(Number.isSafeInteger(route.step) && route.step >= 0).toBe(true);
  }
}

describe('decodeState on fuzzed share links', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it(`reads or clearly refuses links to mutated scenarios (${RUNS.mutatedLinks} cases)`, () => {
    const link = fc
      .tuple(fc.constantFrom(...presetScenarios).chain(mutated), timeText)
      .map(([scenario, t]) => {
        const json = stringifyOrDeep(scenario);
        return `#s=${base64Url(json)}&t=${escapeForLink(t)}`;
      });
    assertRuns(RUNS.mutatedLinks, link, checkDecode);
  });

  it(`reads or clearly refuses damaged links (${RUNS.damagedLinks} cases)`, () => {
    const links = presetScenarios.map((scenario) => `#${encodeState({ scenario, t: 1234.5 })}`);
    assertRuns(RUNS.damagedLinks, fc.constantFrom(...links).chain(damagedText), checkDecode);
  });

  it(`reads or clearly refuses any fragment (${RUNS.randomFragments} cases)`, () => {
    const fragment = fc.oneof(
      hostileString,
      fc.string({ unit: 'binary' }).map((s) => `s=${s}`),
      fc.uint8Array({ maxLength: 300 }).map((b) => `#s=${Buffer.from(b).toString('base64url')}`),
      fc.tuple(fc.string(), timeText).map(([s, t]) => `s=${base64Url(s)}&t=${t}&s=${s}`),
      fc.jsonValue().map((v) => `#s=${base64Url(JSON.stringify(v) ?? '')}`),
    );
    assertRuns(RUNS.randomFragments, fragment, checkDecode);
  });

  it(`gives back what it was given (${RUNS.linkRoundTrip} cases)`, () => {
    assertRuns(RUNS.linkRoundTrip, validState, ([scenario, t]) => {
      const decoded = decodeState(`#${encodeState({ scenario, t })}`);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok || decoded.value === null) return;
      expect(decoded.value.scenario).toEqual(scenario);
      expect(decoded.value.t).toBeCloseTo(t, 2);
    });
  });
});

describe(
  'decodeShareLink on fuzzed compressed links (issue 12)',
  { timeout: FUZZ_TIMEOUT_MS },
  () => {
    it(`reads or clearly refuses compressed mutated scenarios (${RUNS.compressedMutated} cases)`, async () => {
      const link = fc
        .tuple(fc.constantFrom(...presetScenarios).chain(mutated), timeText)
        .map(([scenario, t]) => {
          let packed: string;
          try {
            packed = JSON.stringify(packScenario(scenario));
          } catch {
            packed = stringifyOrDeep(scenario);
          }
          return [packed, escapeForLink(t)] as const;
        });
      await assertRunsAsync(RUNS.compressedMutated, link, async ([json, t]) =>
        checkShareLink(await compressedLink(json, t)),
      );
    });

    it(`reads or clearly refuses damaged compressed links (${RUNS.compressedDamaged} cases)`, async () => {
      const links = await Promise.all(
        presetScenarios.map(
          async (scenario) => `#${await encodeShareLink({ scenario, t: 1234.5 })}`,
        ),
      );
      // Also the old form, read through the same door.
      const old = presetScenarios.map((scenario) => `#${encodeState({ scenario, t: 1234.5 })}`);
      await assertRunsAsync(
        RUNS.compressedDamaged,
        fc.constantFrom(...links, ...old.slice(0, 8)).chain(damagedText),
        checkShareLink,
      );
    });

    it(`reads or clearly refuses random bytes as a compressed link (${RUNS.compressedBytes} cases)`, async () => {
      const fragment = fc.oneof(
        fc.uint8Array({ maxLength: 400 }).map((b) => `#z=${Buffer.from(b).toString('base64url')}`),
        fc.string({ unit: 'binary', maxLength: 200 }).map((s) => `z=${s}&t=1`),
        hostileString.map((s) => `#z=${s}`),
      );
      await assertRunsAsync(RUNS.compressedBytes, fragment, checkShareLink);
    });

    it(`reads or clearly refuses hostile packings (${RUNS.hostilePackings} cases)`, async () => {
      // Dictionary references out of range or of the wrong type, "absent" markers anywhere, deep
      // nesting, prototype keys: the packing's own syntax, misused.
      const marker = fc.oneof(
        fc.record({ '#r': fc.oneof(fc.integer({ min: -3, max: 40 }), fc.jsonValue()) }),
        fc.record({ '#f': fc.oneof(fc.integer({ min: -3, max: 40 }), fc.jsonValue()) }),
        fc.record({ '#x': fc.jsonValue() }),
        fc
          .constantFrom('{"__proto__":{"mode":"epsv"}}', '{"constructor":{"prototype":1}}')
          .map((text) => JSON.parse(text) as unknown),
      );
      const path = fc.constantFrom(
        [],
        ['clientSide'],
        ['clientSide', 'firewall'],
        ['serverSide', 'firewall', 'rules'],
        ['server', 'passivePorts'],
        ['client'],
        ['commands'],
      );
      const packing = fc
        .tuple(path, fc.oneof(marker, fc.array(marker, { maxLength: 4 })))
        .map(([keys, value]) => {
          let json: unknown = value;
          for (const key of [...keys].reverse()) json = { [key]: json };
          return JSON.stringify(json);
        });
      const deep = fc
        .integer({ min: 1, max: 5000 })
        .map((n) => `{"client":${deepNestText(n, 'object')}}`);
      await assertRunsAsync(RUNS.hostilePackings, fc.oneof(packing, deep), async (json) =>
        checkShareLink(await compressedLink(json)),
      );
    });

    it(`gives back what it was given, compressed (${RUNS.compressedRoundTrip} cases)`, async () => {
      await assertRunsAsync(RUNS.compressedRoundTrip, validState, async ([scenario, t]) => {
        const decoded = await decodeShareLink(`#${await encodeShareLink({ scenario, t })}`);
        expect(decoded.ok).toBe(true);
        if (!decoded.ok || decoded.value === null) return;
        expect(decoded.value.scenario).toEqual(scenario);
        expect(decoded.value.t).toBeCloseTo(t, 2);
      });
    });

    it('refuses deflate bombs without unpacking them whole', async () => {
      // Zeros, a repeated scenario, and text just past the limit.
      const oneScenario = JSON.stringify(presetScenarios[0]);
      const bombs = [
        new Uint8Array(64 * 1024 * 1024),
        new TextEncoder().encode(`[${Array(20_000).fill(oneScenario).join(',')}]`),
        new TextEncoder().encode(' '.repeat(MAX_INFLATED_BYTES + 1)),
      ];
      for (const bomb of bombs) {
        const bytes = await deflate(bomb);
        const result = await decodeShareLink(`#z=${Buffer.from(bytes).toString('base64url')}&t=0`);
        expect(result.ok ? 'ok' : result.error).toMatch(/unpacks to more than 256 KB/);
      }
    });
  },
);

describe('parseRoute on fuzzed addresses', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const segment = fc.oneof(
    fc.constantFrom('lesson', 'present', 'notes', 'lessons', 'sandbox', 'recording', 'active-mode'),
    fc.constantFrom(
      '%',
      '%C3',
      '%E0%A4%A',
      '%ZZ',
      '%00',
      '%2F',
      '%25',
      '0',
      '1',
      '-1',
      '1e3',
      '01',
    ),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.nat().map(String),
  );

  it(`finds a page for any address (${RUNS.randomRoutes} cases)`, () => {
    const hash = fc.oneof(
      fc.array(segment, { maxLength: 5 }).map((parts) => `#/${parts.join('/')}`),
      fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}/`),
      hostileString,
      hostileString.map((s) => `#/${s}`),
    );
    assertRuns(RUNS.randomRoutes, hash, checkRoute);
  });

  it(`reads back every lesson link (${RUNS.routeRoundTrip} cases)`, () => {
    const link = fc.tuple(
      fc.constantFrom<'lesson' | 'present' | 'notes'>('lesson', 'present', 'notes'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      fc.nat({ max: 1000 }),
    );
    assertRuns(RUNS.routeRoundTrip, link, ([page, lessonId, step]) => {
      expect(parseRoute(lessonHref(page, lessonId, step))).toEqual({ page, lessonId, step });
    });
  });
});
