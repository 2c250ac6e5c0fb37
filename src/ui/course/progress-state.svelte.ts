import {
  completeStep,
  emptyProgress,
  fitProgress,
  loadProgress,
  recordAnswer,
  saveProgress,
  type Progress,
  type ProgressStore,
} from './progress';
import { localStore } from '../app/storage';
import type { FactValue } from '../../lessons/facts';

/** The learner's progress as reactive state, written through to local storage on every change. */
class ProgressState {
  value = $state<Progress>(emptyProgress());
  /** Set when stored progress could not be read and was discarded. */
  discarded = $state(false);
  /** Set when this visit cannot store progress (site data blocked, storage full): it lasts only until the page closes. */
  unsaved = $state(false);
  #store: ProgressStore | null = null;
  #loaded = false;

  load(): void {
    if (this.#loaded) return;
    this.#loaded = true;
    this.#store = localStore();
    this.unsaved = this.#store === null;
    const loaded = loadProgress(this.#store);
    this.value = loaded.progress;
    this.discarded = loaded.discarded;
  }

  /** Leaves out what the course no longer has; kept in memory, stored with the next change. */
  fitTo(lessons: readonly { id: string; steps: readonly unknown[] }[]): void {
    this.value = fitProgress(this.value, lessons);
  }

  #set(next: Progress): void {
    this.value = next;
    // The first failed write ends storing for the visit, so the notice shows once, not per step.
    if (this.#store && !saveProgress(this.#store, next)) {
      this.#store = null;
      this.unsaved = true;
    }
  }

  complete(lessonId: string, step: number): void {
    this.#set(completeStep(this.value, lessonId, step));
  }

  answer(lessonId: string, step: number, answer: FactValue): void {
    this.#set(recordAnswer(this.value, lessonId, step, answer));
  }

  reset(): void {
    this.#set(emptyProgress());
  }
}

export const progress = new ProgressState();
