import {
  completeStep,
  emptyProgress,
  loadProgress,
  recordAnswer,
  saveProgress,
  type Progress,
  type ProgressStore,
} from './progress';
import type { FactValue } from '../../lessons/facts';

/** The learner's progress as reactive state, written through to local storage on every change. */
class ProgressState {
  value = $state<Progress>(emptyProgress());
  /** Set when stored progress could not be read and was discarded. */
  discarded = $state(false);
  #store: ProgressStore | null = null;
  #loaded = false;

  load(): void {
    if (this.#loaded) return;
    this.#loaded = true;
    this.#store = typeof localStorage === 'undefined' ? null : localStorage;
    const loaded = loadProgress(this.#store);
    this.value = loaded.progress;
    this.discarded = loaded.discarded;
  }

  #set(next: Progress): void {
    this.value = next;
    saveProgress(this.#store, next);
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
