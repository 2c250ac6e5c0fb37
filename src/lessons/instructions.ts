import type { LineError } from './block-data';
import type { LessonStep } from './lesson';

/**
 * Every instruction matches the page: text that tells the learner to press Play, switch the mode
 * or the helper, or open a table must be on a step that shows that control when the text is
 * read. What a lesson step shows (LessonPage): before a prediction is locked in, only a drawing
 * of the network; after it, the player, which starts by itself. A task step shows the
 * switchboard. A step whose predict block names `tryIt:` shows that one switch after the answer.
 */

interface Instruction {
  pattern: RegExp;
  /** Whether the text, where it is read, has its control; a message saying why not otherwise. */
  check(step: LessonStep, where: 'before' | 'after'): string | null;
}

const SWITCHBOARD = 'the switchboard is only on a task step';

const INSTRUCTIONS: Instruction[] = [
  {
    pattern:
      /\b(?:press(?:ing)?\s+\**play|play\s+(?:the\s+session|to\s+the\s+end|it)|replay|step\s+(?:to|through|forward|back)|scrub\s+to|pause\s+(?:on|at))\b/i,
    check: (step, where) =>
      step.predict && where === 'before'
        ? 'tells the learner to work the player above a question: the player appears only once the answer is locked in, and then it plays by itself; say it below the question, or word it as what to watch for'
        : null,
  },
  {
    pattern: /\bswitch\s+(?:the\s+mode\b|to\s+(?:active|passive)\b)/i,
    check: (step, where) =>
      step.task || (where === 'after' && step.predict?.tryIt === 'mode')
        ? null
        : `says to switch the mode, but the step shows no mode switch (${SWITCHBOARD}; a predict block can offer one after the answer with "tryIt: mode")`,
  },
  {
    pattern: /\b(?:switch|turn)\s+(?:on\s+)?the\s+(?:ftp\s+)?helper\b/i,
    check: (step, where) =>
      step.task ||
      (where === 'after' &&
        (step.predict?.tryIt === 'clientHelper' || step.predict?.tryIt === 'serverHelper'))
        ? null
        : `says to switch the helper, but the step shows no helper switch (${SWITCHBOARD}; a predict block can offer one after the answer with "tryIt: clientHelper" or "tryIt: serverHelper")`,
  },
  {
    pattern: /\btables?\s+(?:under|below)\s+the\s+(?:ladder|views)\b/i,
    check: () =>
      'names a table "under the ladder": the connection-tracking tables are in the player\'s "State machines and tables" tab',
  },
];

/** Instructions in a step that name a control the step does not show where they are read. */
export function checkInstructions(step: LessonStep): LineError[] {
  const texts: { text: string; where: 'before' | 'after' }[] = [
    { text: step.prose, where: 'before' },
    { text: step.afterAnswer, where: 'after' },
    { text: step.predict?.explanation ?? '', where: 'after' },
    { text: step.task?.goal ?? '', where: 'before' },
    { text: step.task?.hint ?? '', where: 'before' },
  ];
  const problems: LineError[] = [];
  for (const { text, where } of texts) {
    for (const instruction of INSTRUCTIONS) {
      const found = instruction.pattern.exec(text);
      if (!found) continue;
      const problem = instruction.check(step, where);
      if (problem)
        problems.push({
          line: step.line,
          message: `step "${step.title}" ${problem}: "${found[0]}"`,
        });
    }
  }
  return problems;
}
