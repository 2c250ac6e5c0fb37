import type { Lesson, LessonStep, Predict } from './lesson';
import { spoilers, words } from './spoilers';

/**
 * The outcome box on a lesson step does not answer a later question of the same lesson. The
 * simulation's own paragraph (outcome.ts) explains everything the run did: on 5/1 it already
 * counts the ten SYNs that 5/3 asks about. Until that later question is answered, the lesson
 * page shows the paragraph without the sentences that give its answer, and says so. What counts
 * as giving it is the spoiler rule's (spoilers.ts): the text, read with the later step's title
 * and prose, holds every distinctive word of the right choice and of no wrong one.
 */

export interface HeldOutcome {
  /** The paragraph as the learner may read it now. */
  text: string;
  /** The later steps (0-based) whose answers the held-back sentences would give. */
  heldFor: number[];
}

/** Sentences: a full stop, "?" or "!" (and a closing quote) then a space and a capital, a digit or a quote. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?]["”)]?)\s+(?=[A-Z0-9"“`(])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The answer itself written out: a port or count of two digits or more ("10 times", ":20", with "20" inside an
 * address not counting), an address, or a protocol word (NEW). A word any run mentions
 * ("success", "internet") is no answer by itself; the spoiler rule covers those.
 */
export function mentionsValue(text: string, value: Predict['answer']): boolean {
  const v = String(value);
  // One digit is too common to tell ("rule 2"); two or more, as the spoiler rule's numbers.
  if (!/^(\d{2,}|\d+(\.\d+){3}|[A-Z]{2,})$/.test(v)) return false;
  const escaped = v.replace(/\./g, '\\.');
  return new RegExp(`(?<![\\w.])${escaped}(?![\\w]|\\.\\d)`).test(text);
}

/** The distinctive words of each choice of a question (spoilers.ts), the right one first. */
function choiceWords(predict: Predict): { right: string[]; wrong: string[][] } {
  const of = (value: Predict['answer']) =>
    spoilers({ title: '', prose: '', predict: { ...predict, answer: value } })!.distinctive;
  return {
    right: of(predict.answer),
    wrong: predict.choices.filter((c) => c.value !== predict.answer).map((c) => of(c.value)),
  };
}

/**
 * One sentence that argues the right choice: at least two of its distinctive words and half of
 * them, a larger share than of any wrong choice's ("Passive mode, where the client opens the data
 * connection, gets through" before "Does the listing arrive in passive mode?").
 */
function argues(predict: Predict, sentence: string): boolean {
  const { right, wrong } = choiceWords(predict);
  const inSentence = words(sentence);
  const share = (list: string[]) =>
    list.length === 0 ? 0 : list.filter((w) => inSentence.has(w)).length / list.length;
  const hits = right.filter((w) => inSentence.has(w)).length;
  return hits >= 2 && share(right) >= 0.5 && wrong.every((list) => share(list) < share(right));
}

const MODE_NAMES: Record<string, RegExp> = {
  active: /\bactive mode\b|\bPORT\b/i,
  passive: /\bpassive mode\b|\bPASV\b/i,
  eprt: /\bEPRT\b/,
  epsv: /\bEPSV\b/,
};

/**
 * A sentence of the paragraph saying what else would work ("so does active mode", "Passive mode
 * ... gets through") answers a later "does it work?" question about that other mode.
 */
function namesOtherModeWorking(
  step: Pick<LessonStep, 'scenario'> | undefined,
  later: LessonStep,
  sentence: string,
): boolean {
  if (!step || later.predict?.fact !== 'outcome' || later.scenario.mode === step.scenario.mode)
    return false;
  const mode = MODE_NAMES[later.scenario.mode];
  return (
    mode !== undefined &&
    mode.test(sentence) &&
    /\b(fixes|gets through|so does|works|worked|avoids)\b/i.test(sentence)
  );
}

/** Whether `text`, read before `later`'s question, gives that question's answer. */
export function givesAway(
  later: LessonStep,
  text: string,
  step?: Pick<LessonStep, 'scenario'>,
): boolean {
  if (!later.predict) return false;
  // A value the step itself names before its question (an address in its prose) is no news.
  const named = mentionsValue(
    `${later.title}\n${later.prose}\n${later.predict.question}`,
    later.predict.answer,
  );
  return (
    (!named && mentionsValue(text, later.predict.answer)) ||
    sentences(text).some(
      (sentence) =>
        argues(later.predict!, sentence) || namesOtherModeWorking(step, later, sentence),
    ) ||
    spoilers({ title: later.title, prose: `${later.prose}\n\n${text}`, predict: later.predict })
      ?.answeredByPage === true
  );
}

/**
 * The explanation of step `stepIndex`'s run with what would answer a later, still unanswered,
 * question of the lesson taken out: sentence by sentence, the one holding most of that answer's
 * distinctive words first, until the rest no longer gives it.
 */
export function heldOutcome(
  lesson: Pick<Lesson, 'steps'>,
  stepIndex: number,
  explanation: string,
  answered: (index: number) => boolean = () => false,
): HeldOutcome {
  const step = lesson.steps[stepIndex];
  const all = sentences(explanation);
  let kept = all;
  const ahead = lesson.steps
    .slice(stepIndex + 1)
    .filter((later) => later.predict && !answered(later.index));
  for (const later of ahead) {
    const { distinctive } = spoilers({ title: '', prose: '', predict: later.predict })!;
    while (givesAway(later, kept.join(' '), step)) {
      const scored = kept.map((s) => {
        const inSentence = words(s);
        const telling =
          mentionsValue(s, later.predict!.answer) ||
          argues(later.predict!, s) ||
          namesOtherModeWorking(step, later, s);
        return (
          (telling ? distinctive.length + 1 : 0) +
          distinctive.filter((w) => inSentence.has(w)).length
        );
      });
      const best = Math.max(...scored);
      if (best <= 0) break;
      kept = kept.filter((_, i) => i !== scored.indexOf(best));
    }
  }
  const full = all.join(' ');
  const shown = kept.join(' ');
  const heldFor = ahead
    .filter((later) => givesAway(later, full, step) && !givesAway(later, shown, step))
    .map((later) => later.index);
  return { text: shown, heldFor };
}

/** The sentence the page adds where it held something back (`whole`: nothing is left). */
export function heldNote(
  lesson: Pick<Lesson, 'steps'>,
  heldFor: readonly number[],
  whole = false,
): string {
  if (heldFor.length === 0) return '';
  const names = heldFor.map((i) => `step ${i + 1} ("${lesson.steps[i]!.title}")`);
  const one = names.length === 1;
  const list = one ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  const what = whole ? 'The explanation of this run' : 'Part of this explanation';
  const questions = one ? 'a question still ahead' : 'questions still ahead';
  const them = one ? 'that question' : 'those questions';
  return `${what} answers ${questions}, in ${list}; it is shown here once you have answered ${them}.`;
}
