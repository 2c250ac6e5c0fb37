import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  courseSlides,
  deckMinutes,
  formatDeck,
  MAX_DECK_STEPS,
  parseDeck,
  resolveDeck,
} from '../../../src/ui/course/deck';
import type { Course } from '../../../src/ui/course/course';
import type { Lesson } from '../../../src/lessons/lesson';

function lesson(id: string, steps: number, minutes = 20): Lesson {
  return {
    id,
    title: id,
    minutes,
    steps: Array.from({ length: steps }, (_, index) => ({ index, title: `${id} ${index + 1}` })),
  } as unknown as Lesson;
}

const course: Course = {
  lessons: [lesson('two-connections', 4), lesson('nat', 6, 30)],
  broken: [],
};

describe('a deck in a link', () => {
  it('reads lesson:step pieces joined by commas, steps counted from 1', () => {
    expect(parseDeck('nat:2,two-connections:1')).toEqual({
      entries: [
        { lessonId: 'nat', step: 1 },
        { lessonId: 'two-connections', step: 0 },
      ],
    });
    expect(parseDeck('')).toEqual({ entries: [] });
  });

  it('names the first bad piece and says what a piece looks like', () => {
    for (const bad of ['nat', 'nat:0', 'nat:x', ':3', 'nat:2:1', 'nat:1,two'])
      expect(parseDeck(bad)).toEqual({ error: expect.stringMatching(/such as active-mode:3/) });
    expect(parseDeck('nat:1,two')).toEqual({ error: expect.stringContaining('"two"') });
    const long = Array.from({ length: MAX_DECK_STEPS + 1 }, () => 'nat:1').join(',');
    expect(parseDeck(long)).toEqual({
      error: expect.stringContaining(`at most ${MAX_DECK_STEPS}`),
    });
  });

  it('round-trips through its link', () => {
    const entry = fc.record({
      lessonId: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
      step: fc.integer({ min: 0, max: 998 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: MAX_DECK_STEPS }), (entries) => {
        expect(parseDeck(formatDeck(entries))).toEqual({ entries });
      }),
    );
  });

  it('resolves against the course, or says which lesson or step it lacks', () => {
    const ok = resolveDeck(course, [{ lessonId: 'nat', step: 5 }]);
    expect('slides' in ok && ok.slides[0]!.stepIndex).toBe(5);
    expect(resolveDeck(course, [{ lessonId: 'ipv9', step: 0 }])).toEqual({
      error: expect.stringContaining('"ipv9"'),
    });
    expect(resolveDeck(course, [{ lessonId: 'nat', step: 6 }])).toEqual({
      error: 'This deck asks for step 7 of "nat", which has 6 steps.',
    });
  });

  it('plans each step at its share of its lesson', () => {
    const slides = courseSlides(course);
    expect(slides).toHaveLength(10);
    expect(deckMinutes(slides)).toBe(50);
    expect(deckMinutes(slides.slice(0, 2))).toBe(10);
  });
});

describe("a deck's addresses", () => {
  it('read back what deckHref writes', async () => {
    const { deckHref, parseRoute } = await import('../../../src/ui/app/route');
    const list = formatDeck([
      { lessonId: 'nat', step: 1 },
      { lessonId: 'active-mode', step: 2 },
    ]);
    expect(parseRoute(deckHref('deck', list))).toEqual({
      page: 'deck',
      deck: 'nat:2,active-mode:3',
    });
    expect(parseRoute(deckHref('deck', ''))).toEqual({ page: 'deck', deck: '' });
    expect(parseRoute(deckHref('present-deck', list, 1))).toEqual({
      page: 'present-deck',
      deck: list,
      step: 1,
    });
    expect(parseRoute(`#/notes-deck/${list}`)).toEqual({ page: 'notes-deck', deck: list, step: 0 });
    expect(parseRoute(`#/present-deck/${list}/0`).page).toBe('unknown');
  });
});
