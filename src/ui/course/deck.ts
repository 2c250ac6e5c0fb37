import type { Lesson } from '../../lessons/lesson';
import type { Course } from './course';
import { previewValue } from '../../scenario/preview';

/**
 * What presenter mode shows, one slide at a time: a lesson's steps in course order, or a deck, the
 * steps a teacher picked from any lessons for one class. A deck lives in its link:
 * `#/deck/two-connections:1,active-mode:3` lists its steps (steps count from 1, as in every link).
 */
export interface Slide {
  lesson: Lesson;
  stepIndex: number;
}

export interface DeckEntry {
  lessonId: string;
  /** 0-based. */
  step: number;
}

/** More steps than a long class could show: a link past it is refused, not cut. */
export const MAX_DECK_STEPS = 60;

const ENTRY = /^([^:,]+):(\d{1,3})$/;

/** Reads a deck's list; one error naming the first bad piece and what a piece looks like. */
export function parseDeck(text: string): { entries: DeckEntry[] } | { error: string } {
  const pieces = text.split(',').filter((piece) => piece !== '');
  if (pieces.length === 0) return { entries: [] };
  if (pieces.length > MAX_DECK_STEPS)
    return {
      error: `This deck has ${pieces.length} steps; a deck holds at most ${MAX_DECK_STEPS}.`,
    };
  const entries: DeckEntry[] = [];
  for (const piece of pieces) {
    const match = ENTRY.exec(piece);
    const step = match ? Number(match[2]) : 0;
    if (!match || step < 1)
      return {
        error: `This deck's link has ${previewValue(piece)} where a step should be: each step is a lesson and a step number from 1, such as active-mode:3, and steps are joined by commas.`,
      };
    entries.push({ lessonId: match[1]!, step: step - 1 });
  }
  return { entries };
}

/** The deck's list for its link. */
export function formatDeck(entries: readonly DeckEntry[]): string {
  return entries.map((e) => `${encodeURIComponent(e.lessonId)}:${e.step + 1}`).join(',');
}

/** The deck's slides, or the first entry the course does not have. */
export function resolveDeck(
  course: Course,
  entries: readonly DeckEntry[],
): { slides: Slide[] } | { error: string } {
  const slides: Slide[] = [];
  for (const entry of entries) {
    const lesson = course.lessons.find((l) => l.id === entry.lessonId);
    if (!lesson)
      return {
        error: `This deck names a lesson called ${previewValue(entry.lessonId)}, which the course does not have.`,
      };
    if (entry.step >= lesson.steps.length)
      return {
        error: `This deck asks for step ${entry.step + 1} of "${lesson.title}", which has ${lesson.steps.length} steps.`,
      };
    slides.push({ lesson, stepIndex: entry.step });
  }
  return { slides };
}

/** Every step of the course in order: presenting a lesson walks on into the next one. */
export function courseSlides(course: Course): Slide[] {
  return course.lessons.flatMap((lesson) =>
    lesson.steps.map((_, stepIndex) => ({ lesson, stepIndex })),
  );
}

/** The minutes a deck is planned for: each step its share of its lesson's minutes. */
export function deckMinutes(slides: readonly Slide[]): number {
  const total = slides.reduce((sum, s) => sum + s.lesson.minutes / s.lesson.steps.length, 0);
  return Math.max(1, Math.round(total));
}
