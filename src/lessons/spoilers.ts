import type { LessonStep, Predict } from './lesson';

/**
 * Does the page answer a question before the learner does? A prediction teaches only if what
 * the learner has read so far (the step's title and the prose above the question) does not
 * already say the answer. The test here is a reader's shortcut: the words that set the right
 * choice apart from every wrong one (its "distinctive words": "20" in "From port 20", "RELATED",
 * "425") must not all be there to copy, and none of them may be in the title.
 */

const STOP = new Set(
  (
    'a an and are as at be because been before but by can does each for from had has have how ' +
    'in into is it its no not of on once one only or so than that the their them then there ' +
    'these they this to too two was way were what when where which while who why will with yes ' +
    'you your both same just also every all any more most'
  ).split(' '),
);

/** Words and numbers, possessives and markup removed; short words and stop words out. */
export function words(text: string): Set<string> {
  const out = new Set<string>();
  const cleaned = text
    .replace(/`/g, '')
    .replace(/['’]s\b/g, '')
    .replace(/[*_]/g, ' ');
  for (const match of cleaned.matchAll(/[A-Za-z][A-Za-z-]*[A-Za-z]|\d+/g)) {
    // A protocol's own word (NEW, PASV, RELATED) is matched as written: "a new connection" in
    // the prose does not say "NEW".
    const word = /^[A-Z]{2,}$/.test(match[0]) ? match[0] : match[0].toLowerCase();
    if (/^\d+$/.test(word) || (word.length >= 3 && !STOP.has(word.toLowerCase()))) out.add(word);
  }
  return out;
}

/** The words of a choice that no other choice and not the question itself contain. */
function distinctive(predict: Predict, value: Predict['answer']): string[] {
  const choice = predict.choices.find((c) => c.value === value);
  if (!choice) return [];
  const others = new Set<string>(words(predict.question));
  for (const c of predict.choices)
    if (c.value !== value) for (const w of words(c.text)) others.add(w);
  return [...words(choice.text)].filter((w) => !others.has(w));
}

export interface SpoilerReport {
  /** Distinctive words of the right answer that the title contains. */
  inTitle: string[];
  /** The title holds at least half the right answer's distinctive words and none of a wrong one's. */
  titleGivesAway: boolean;
  /**
   * True when the title and the prose above the question hold every distinctive word (or every
   * distinctive number) of the right answer, and of no wrong one.
   */
  answeredByPage: boolean;
  distinctive: string[];
  /**
   * The right choice is a bare word or number while every wrong one argues for itself ("No"
   * against "Yes; the client started the session, so..."): guessable from the form alone.
   */
  bareRight: boolean;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function isBareRight(predict: Predict): boolean {
  const right = wordCount(predict.choices.find((c) => c.value === predict.answer)!.text);
  return (
    right <= 2 &&
    predict.choices.every((c) => c.value === predict.answer || wordCount(c.text) > right + 2)
  );
}

export function spoilers(
  step: Pick<LessonStep, 'title' | 'prose' | 'predict'>,
): SpoilerReport | null {
  const predict = step.predict;
  if (!predict) return null;
  const right = distinctive(predict, predict.answer);
  const title = words(step.title);
  const page = new Set([...title, ...words(step.prose)]);
  // Every distinctive word there, or every distinctive number (an address, a port): either can
  // be copied without thinking.
  const holds = (list: string[]) => {
    const numbers = list.filter((w) => /^\d{2,}$/.test(w));
    const all = (l: string[]) => l.length > 0 && l.every((w) => page.has(w));
    // One ordinary word ("firewall") is in any description of the network; it proves nothing.
    const telling = list.length >= 2 || list.some((w) => /^(\d{2,}|[A-Z]{2,})$/.test(w));
    return (telling && all(list)) || all(numbers);
  };
  const wrongHeld = predict.choices.some(
    (c) => c.value !== predict.answer && holds(distinctive(predict, c.value)),
  );
  const inTitle = right.filter((w) => title.has(w));
  const wrongInTitle = predict.choices.some(
    (c) => c.value !== predict.answer && distinctive(predict, c.value).some((w) => title.has(w)),
  );
  return {
    inTitle,
    titleGivesAway: inTitle.length > 0 && inTitle.length * 2 >= right.length && !wrongInTitle,
    answeredByPage: holds(right) && !wrongHeld,
    bareRight: isBareRight(predict),
    distinctive: right,
  };
}
