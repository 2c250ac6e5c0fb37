import * as v from 'valibot';
import type { FactValue } from '../../lessons/facts';
import { objectOf } from '../../scenario/schema-messages';

/**
 * A learner's progress through the course, kept in the browser's local storage: which steps are
 * done and what they answered. Anything stored that does not have this exact shape (an older
 * version, a hand edit, another site's key) is discarded with a notice rather than trusted.
 */
export interface LessonProgress {
  /** 0-based indexes of completed steps. */
  completed: number[];
  /** The learner's prediction per step index. */
  answers: Record<string, FactValue>;
}

export interface Progress {
  version: 1;
  lessons: Record<string, LessonProgress>;
}

export const PROGRESS_KEY = 'ftp-lab.progress';

export function emptyProgress(): Progress {
  return { version: 1, lessons: {} };
}

/** The part of the Storage API progress needs: local storage, or a Map in tests. */
export interface ProgressStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const factValue = v.union([v.string(), v.number(), v.boolean()]);

const lessonProgressSchema = v.object({
  completed: v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(999))),
  answers: objectOf(v.record(v.string(), factValue)),
});

/**
 * Stored progress. Fields it does not name are left out, and so are keys that would reach an
 * object's prototype (`__proto__`, `constructor`, `prototype`), which valibot's v.record skips.
 */
const progressSchema = v.object({
  version: v.literal(1),
  lessons: objectOf(v.record(v.string(), lessonProgressSchema)),
});

/** True when A and B are the same type; a mismatch fails to compile below. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The schema gives the types above, asserted both ways.
const typesAgree: [
  Same<v.InferOutput<typeof progressSchema>, Progress>,
  Same<v.InferOutput<typeof lessonProgressSchema>, LessonProgress>,
] = [true, true];
void typesAgree;

/** Each completed step once, in order: stored progress may repeat one (issue 11 item 13). */
function tidyLesson(lesson: LessonProgress): LessonProgress {
  return { ...lesson, completed: [...new Set(lesson.completed)].sort((a, b) => a - b) };
}

export function parseProgress(text: string): Progress | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const checked = v.safeParse(progressSchema, data, { abortEarly: true });
  if (!checked.success) return null;
  const tidy: Record<string, LessonProgress> = {};
  for (const [id, lesson] of Object.entries(checked.output.lessons)) tidy[id] = tidyLesson(lesson);
  return { version: 1, lessons: tidy };
}

/**
 * Progress for the course as it is now: a lesson that no longer exists is left out, and so are
 * steps and answers beyond a lesson's last step (a lesson may have lost steps since).
 */
export function fitProgress(
  progress: Progress,
  lessons: readonly { id: string; steps: readonly unknown[] }[],
): Progress {
  const fitted: Record<string, LessonProgress> = {};
  for (const { id, steps } of lessons) {
    if (!Object.hasOwn(progress.lessons, id)) continue;
    const lesson = progress.lessons[id]!;
    const inRange = (i: number) => Number.isInteger(i) && i >= 0 && i < steps.length;
    fitted[id] = tidyLesson({
      completed: lesson.completed.filter(inRange),
      answers: Object.fromEntries(
        Object.entries(lesson.answers).filter(([key]) => /^\d+$/.test(key) && inRange(Number(key))),
      ),
    });
  }
  return { version: 1, lessons: fitted };
}

/** Reads stored progress; `discarded` says that something unreadable was thrown away. */
export function loadProgress(store: ProgressStore | null): {
  progress: Progress;
  discarded: boolean;
} {
  let text: string | null = null;
  try {
    text = store?.getItem(PROGRESS_KEY) ?? null;
  } catch {
    // Storage can be disabled (private windows, policies): progress then lasts for the visit.
  }
  if (text === null) return { progress: emptyProgress(), discarded: false };
  const progress = parseProgress(text);
  if (progress) return { progress, discarded: false };
  try {
    store?.removeItem(PROGRESS_KEY);
  } catch {
    /* nothing more to do */
  }
  return { progress: emptyProgress(), discarded: true };
}

/** False when the progress could not be stored (no storage, or a full or disabled one). */
export function saveProgress(store: ProgressStore | null, progress: Progress): boolean {
  if (!store) return false;
  try {
    store.setItem(PROGRESS_KEY, JSON.stringify(progress));
    return true;
  } catch {
    // A full or disabled storage loses progress after the visit, not the learner's page.
    return false;
  }
}

function lessonOf(progress: Progress, lessonId: string): LessonProgress {
  return progress.lessons[lessonId] ?? { completed: [], answers: {} };
}

export function completeStep(progress: Progress, lessonId: string, step: number): Progress {
  const lesson = lessonOf(progress, lessonId);
  if (lesson.completed.includes(step)) return progress;
  return {
    ...progress,
    lessons: {
      ...progress.lessons,
      [lessonId]: { ...lesson, completed: [...lesson.completed, step].sort((a, b) => a - b) },
    },
  };
}

export function recordAnswer(
  progress: Progress,
  lessonId: string,
  step: number,
  answer: FactValue,
): Progress {
  const lesson = lessonOf(progress, lessonId);
  return {
    ...progress,
    lessons: {
      ...progress.lessons,
      [lessonId]: { ...lesson, answers: { ...lesson.answers, [String(step)]: answer } },
    },
  };
}

export function answerFor(
  progress: Progress,
  lessonId: string,
  step: number,
): FactValue | undefined {
  return progress.lessons[lessonId]?.answers[String(step)];
}

export function isCompleted(progress: Progress, lessonId: string, step: number): boolean {
  return progress.lessons[lessonId]?.completed.includes(step) ?? false;
}

/** Completed steps that still exist in the lesson (a lesson may have lost steps since). */
export function completedCount(progress: Progress, lessonId: string, steps: number): number {
  const completed = progress.lessons[lessonId]?.completed ?? [];
  return new Set(completed.filter((i) => i >= 0 && i < steps)).size;
}
