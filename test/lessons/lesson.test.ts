import { describe, expect, it } from 'vitest';
import { checkLessonClaims, checkLessonFile, checkTask } from '../../src/lessons/check';
import { lessonIdFromFile, parseLesson } from '../../src/lessons/lesson';
import { simulate } from '../../src/scenario/simulate';

const FRONT = ['---', 'title: Test', 'order: 1', 'minutes: 5', 'objectives:', '  - learn', '---'];

function lesson(...body: string[]): string {
  return [...FRONT, ...body].join('\n');
}

const ACTIVE_BEHIND_FIREWALL = [
  '## Active behind a firewall',
  'Some *prose*.',
  '```scenario',
  'preset: client-stateful',
  'mode: active',
  'expect:',
  '  outcome: failure',
  '  decidedAt: client-router',
  '```',
];

function problems(text: string): string[] {
  return checkLessonFile('lessons/99-test.md', text).problems.map((p) => `${p.line}: ${p.message}`);
}

describe('lesson files', () => {
  it('parse into steps with their scenario, prose and blocks', () => {
    const text = lesson(
      'Intro text.',
      ...ACTIVE_BEHIND_FIREWALL,
      '```notes',
      'Ask the room.',
      '```',
      '```text',
      '## not a step, inside code',
      '```',
      '## Passive instead',
      '```scenario',
      'mode: passive',
      '```',
      '```predict',
      'question: Who opens the data connection?',
      'fact: dataOpener',
      'choices:',
      '  client: The client',
      '  server: The server',
      'answer: client',
      'explanation: The client connects to the port in 227.',
      '```',
    );
    const { lesson: parsed, problems: found } = parseLesson('lessons/07-modes.md', text);
    expect(found).toEqual([]);
    expect(parsed!.id).toBe('modes');
    expect(parsed!.intro).toBe('Intro text.');
    expect(parsed!.steps.map((s) => s.title)).toEqual([
      'Active behind a firewall',
      'Passive instead',
    ]);
    const [first, second] = parsed!.steps;
    expect(first!.prose).toBe('Some *prose*.\n```text\n## not a step, inside code\n```');
    expect(first!.notes).toBe('Ask the room.');
    expect(first!.scenario.clientSide.firewall).not.toBeNull();
    // A later step changes only what it names: same firewall, other mode.
    expect(second!.scenario.clientSide).toEqual(first!.scenario.clientSide);
    expect(second!.scenario.mode).toBe('passive');
    expect(second!.predict!.choices.map((c) => c.value)).toEqual(['client', 'server']);
    expect(checkLessonClaims(parsed!)).toEqual([]);
  });

  it('derive ids from file names', () => {
    expect(lessonIdFromFile('lessons/03-active-mode.md')).toBe('active-mode');
    expect(lessonIdFromFile('extra.md')).toBe('extra');
  });

  it('report malformed files with the line and what was expected', () => {
    expect(problems('title: x')).toEqual([
      '1: a lesson starts with front matter: a line "---", title, order, minutes, objectives, and "---"',
    ]);
    expect(problems(['---', 'title: x'].join('\n'))).toEqual([
      '1: the front matter has no closing "---" line',
    ]);
    expect(
      problems(
        [
          '---',
          'title: T',
          'order: first',
          'minutes: 5',
          'objectives: [a]',
          '---',
          ...ACTIVE_BEHIND_FIREWALL,
        ].join('\n'),
      ),
    ).toEqual(["3: order must be a whole number from 1 (the lesson's place in the course)"]);
    expect(problems(lesson('Only an intro.'))).toEqual([
      '1: a lesson needs at least one step: a "## " heading',
    ]);
    expect(problems(lesson('## Step', 'No scenario.'))).toEqual([
      '8: the first step needs a ```scenario block (later steps reuse the one before)',
    ]);
    expect(
      problems(lesson('## Step', '```scenario', 'preset: client-statefull', '```'))[0],
    ).toMatch(/^10: no network preset "client-statefull"; presets: no-firewall, /);
    expect(problems(lesson('## Step', '```scenario', 'mode: activ', '```'))).toEqual([
      '10: mode must be one of "active", "passive", "eprt", "epsv", not "activ"',
    ]);
    expect(problems(lesson('## Step', '```scenario', 'modes: active', '```'))[0]).toMatch(
      /^10: unknown scenario setting "modes"; settings: preset, /,
    );
    expect(problems(lesson('## Step', '```scenario', 'passivePorts: 5000-20', '```'))[0]).toMatch(
      /^10: passivePorts must be a range like 40000-40099/,
    );
    expect(
      problems(
        lesson('## Step', '```scenario', 'mode: active', 'expect:', '  outcome: works', '```'),
      ),
    ).toEqual(['12: "outcome" is one of "success", "failure", not "works"']);
    expect(problems(lesson('## Step', '```scenario', 'mode: active'))).toEqual([
      '9: this fenced block is never closed',
    ]);
    expect(problems(lesson('# Title', ...ACTIVE_BEHIND_FIREWALL))).toEqual([
      '8: use "## " for a step and "### " inside one; the title comes from the front matter',
    ]);
  });

  it('report predict questions that cannot be answered', () => {
    const predict = (...lines: string[]) =>
      problems(lesson(...ACTIVE_BEHIND_FIREWALL, '```predict', ...lines, '```'));
    expect(
      predict(
        'question: Q?',
        'fact: dataOpener',
        'choices:',
        '  client: C',
        '  server: S',
        'answer: nobody',
        'explanation: E',
      ),
    ).toEqual(['23: "dataOpener" is one of "client", "server", "none", not "nobody"']);
    expect(
      predict(
        'question: Q?',
        'fact: dataOpener',
        'choices:',
        '  client: C',
        '  none: N',
        'answer: client',
        'explanation: E',
      ),
    ).toEqual([
      '18: the answer to "Q?" is given as "client", but the simulation gives "server", which is not among the choices',
    ]);
    expect(
      predict(
        'question: Q?',
        'fact: colour',
        'choices:',
        '  a: A',
        '  b: B',
        'answer: a',
        'explanation: E',
      )[0],
    ).toMatch(/^19: unknown fact "colour"/);
    expect(
      predict(
        'question: Q?',
        'fact: synCount',
        'choices:',
        '  1: A',
        '  many: B',
        'answer: 1',
        'explanation: E',
      ),
    ).toEqual(['22: "synCount" is a number; "many" is not']);
  });

  it('fail a lesson whose claims disagree with the simulation', () => {
    const wrong = lesson(
      '## Step',
      '```scenario',
      'preset: client-stateful',
      'mode: passive',
      'expect:',
      '  outcome: failure',
      '  synCount: > 1',
      '```',
      '```predict',
      'question: Who connects?',
      'fact: dataOpener',
      'choices:',
      '  client: The client',
      '  server: The server',
      'answer: server',
      'explanation: wrong on purpose',
      '```',
    );
    expect(problems(wrong)).toEqual([
      '13: step "Step" claims outcome is failure, but the simulation gives "success"',
      '14: step "Step" claims synCount > 1, but the simulation gives 1',
      '17: the answer to "Who connects?" is given as "server", but the simulation gives "client"',
    ]);
  });

  it('check tasks: the solution must work and the start must not', () => {
    const task = (...solution: string[]) =>
      problems(
        lesson(
          ...ACTIVE_BEHIND_FIREWALL,
          '```task',
          'goal: Make active mode work.',
          'expect:',
          '  outcome: success',
          '  mode: active',
          'constraints:',
          '  change: [clientSide]',
          'solution:',
          ...solution,
          '```',
        ),
      );
    expect(task('  clientHelper: true')).toEqual([]);
    expect(task('  reject: true')).toEqual([
      '20: the task\'s solution does not meet "outcome is success": the simulation gives "failure"',
    ]);
    const parsed = parseLesson(
      'x.md',
      lesson(
        ...ACTIVE_BEHIND_FIREWALL,
        '```task',
        'goal: G',
        'expect:',
        '  outcome: success',
        '  mode: active',
        'constraints:',
        '  change: [clientSide]',
        'solution:',
        '  clientHelper: true',
        '```',
      ),
    ).lesson!;
    const step = parsed.steps[0]!;
    const before = checkTask(step.task!, simulate(step.scenario));
    expect(before.done).toBe(false);
    expect(before.missing).toEqual([
      "Your network still fails: the client firewall's rule 3 dropped the server's data connection (active mode, LIST).",
    ]);
    expect(checkTask(step.task!, simulate({ ...step.scenario, mode: 'passive' })).missing).toEqual([
      'The task asks for active mode (PORT); your network uses passive mode (PASV). Switch the mode back.',
      'You changed the data connection mode; this task lets you change only the client\'s router. Press "Start over" and leave the rest as it was.',
    ]);
    expect(checkTask(step.task!, simulate(step.task!.solution)).done).toBe(true);
  });

  it('report a task the step has already solved', () => {
    const text = lesson(
      ...ACTIVE_BEHIND_FIREWALL,
      '```task',
      'goal: Make it fail.',
      'expect:',
      '  outcome: failure',
      'constraints:',
      '  change: [mode]',
      'solution:',
      '  mode: active',
      '```',
    );
    expect(problems(text)).toEqual([
      '18: the task "Make it fail." is already done by the step\'s own scenario; nothing is left for the learner',
    ]);
  });
});
