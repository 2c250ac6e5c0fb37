import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLessonDir } from '../../src/cli/lessons';
import { answeredByPage, visibleOutcome } from '../../src/lessons/check';
import {
  givesAway,
  heldNote,
  heldOutcome,
  mentionsValue,
  sentences,
} from '../../src/lessons/held-outcome';
import { simulate } from '../../src/scenario/simulate';

// The outcome box on a lesson step (the simulation's paragraph under "Why?") does not answer a
// question further on in the same lesson until the learner has answered that one.
describe('the outcome box held back for later questions', () => {
  const { lessons } = checkLessonDir('lessons');
  const byId = (id: string) => lessons.find((l) => l.id === id)!;

  it('splits sentences without cutting an address or a port in two', () => {
    expect(sentences('From 198.51.100.20:20 to 192.0.2.10. It failed. "425 No." Done!')).toEqual([
      'From 198.51.100.20:20 to 192.0.2.10.',
      'It failed.',
      '"425 No."',
      'Done!',
    ]);
  });

  it('finds a port, a count, an address or a protocol word written out, and nothing inside another', () => {
    expect(mentionsValue('the server connected from 198.51.100.20:20 to ...', 20)).toBe(true);
    expect(mentionsValue('the server at 198.51.100.20 answered', 20)).toBe(false);
    expect(mentionsValue('sent the SYN 10 times', 10)).toBe(true);
    expect(mentionsValue('no route to 10.0.0.20', 10)).toBe(false);
    expect(mentionsValue('rewrote it to 203.0.113.10.', '203.0.113.10')).toBe(true);
    expect(mentionsValue('conntrack state NEW: nothing', 'NEW')).toBe(true);
    expect(mentionsValue('a new connection', 'NEW')).toBe(false);
    expect(mentionsValue('it worked', 'success')).toBe(false);
    expect(mentionsValue('dropped by rule 2', 2)).toBe(false);
  });

  it('holds back the ten SYNs on 5/1 until 5/3 is answered, and says so', () => {
    const lesson = byId('client-firewall');
    const step = lesson.steps[0]!;
    const { explanation } = simulate(step.scenario).outcome;
    expect(explanation).toMatch(/10 times/);
    const before = heldOutcome(lesson, 0, explanation);
    expect(before.text).not.toMatch(/10 times|NEW/);
    expect(before.heldFor).toEqual([1, 2, 3, 5]);
    expect(heldNote(lesson, before.heldFor)).toMatch(
      /step 2 \(".+"\), step 3 \(".+"\), step 4 \(".+"\) and step 6 \(".+"\)/,
    );
    // Step 2 answered: its state (NEW) may be read, the count still not.
    const some = heldOutcome(lesson, 0, explanation, (i) => i === 1);
    expect(some.text).toMatch(/NEW/);
    expect(some.text).not.toMatch(/10 times/);
    expect(some.heldFor).toEqual([2, 3, 5]);
    // Every later question answered: the whole paragraph, no note.
    const all = heldOutcome(lesson, 0, explanation, () => true);
    expect(all).toEqual({ text: sentences(explanation).join(' '), heldFor: [] });
    expect(heldNote(lesson, [])).toBe('');
    expect(heldNote(lesson, [2], true)).toMatch(
      /^The explanation of this run answers a question still ahead, in step 3 \(".+"\); it is shown here once you have answered that question\.$/,
    );
  });

  it('holds back "so does active mode" before a later question asks whether active mode works', () => {
    const lesson = byId('server-firewall');
    const later = lesson.steps.findIndex(
      (s) => s.predict?.fact === 'outcome' && s.scenario.mode === 'active',
    );
    const { explanation } = simulate(lesson.steps[0]!.scenario).outcome;
    expect(explanation).toMatch(/so does active mode/);
    const held = heldOutcome(lesson, 0, explanation);
    expect(held.text).not.toMatch(/active mode/);
    expect(held.heldFor).toContain(later);
    expect(heldOutcome(lesson, 0, explanation, () => true).text).toMatch(/so does active mode/);
  });

  it('shows no outcome box that answers a later question of its lesson, on any step', () => {
    for (const lesson of lessons)
      for (const step of lesson.steps) {
        const shown = visibleOutcome(lesson, step, simulate(step.scenario));
        for (const later of lesson.steps.slice(step.index + 1))
          expect(
            givesAway(later, shown),
            `${lesson.file} step ${step.index + 1} → ${later.index + 1}`,
          ).toBe(false);
      }
    expect(answeredByPage(lessons).answered).toBe(0);
  });

  it('keeps the sentences it shows, in order, and holds back every one naming a later answer', () => {
    const lesson = byId('active-mode');
    const later = lesson.steps.find((s) => s.predict?.answer === 20)!;
    const sentence = fc.constantFrom<string>(
      'The server connected from 198.51.100.20:20 to the client.',
      'Port 21 carried the commands.',
      'It worked.',
      'The address was 192.0.2.10.',
      'Active mode (PORT) worked.',
    );
    fc.assert(
      fc.property(fc.array(sentence, { maxLength: 6 }), (parts) => {
        const { text } = heldOutcome(lesson, 0, parts.join(' '));
        const kept = sentences(text);
        let at = 0;
        for (const s of kept) {
          at = parts.indexOf(s, at);
          expect(at).toBeGreaterThanOrEqual(0);
          at++;
        }
        expect(givesAway(later, text)).toBe(false);
      }),
    );
  });
});
