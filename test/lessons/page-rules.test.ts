import { describe, expect, it } from 'vitest';
import { answeredByPage, checkLessonFile } from '../../src/lessons/check';
import { parseLesson } from '../../src/lessons/lesson';
import { spoilers, words } from '../../src/lessons/spoilers';

const FRONT = ['---', 'title: Test', 'order: 1', 'minutes: 5', 'objectives:', '  - learn', '---'];

function lesson(...body: string[]): string {
  return [...FRONT, ...body].join('\n');
}

function problems(text: string): string[] {
  return checkLessonFile('lessons/99-test.md', text).problems.map((p) => `${p.line}: ${p.message}`);
}

const ACTIVE = ['```scenario', 'preset: no-firewall', 'mode: active', 'commands: [LIST]', '```'];

function portQuestion(title: string, ...prose: string[]): string {
  return lesson(
    `## ${title}`,
    ...prose,
    ...ACTIVE,
    '```predict',
    'question: From which port does the server connect?',
    'fact: dataSourcePort',
    'choices:',
    '  21: 21',
    '  20: 20',
    'answer: 20',
    'explanation: It connects from port 20.',
    '```',
    'Port 20 is called ftp-data.',
  );
}

describe('questions the page does not answer first', () => {
  it('a title that holds the answer is reported', () => {
    expect(problems(portQuestion('From port 20'))).toEqual([
      '8: the title of step "From port 20" gives away the answer to "From which port does the server connect?": it contains "20", which only the right choice has',
    ]);
    expect(problems(portQuestion('The server connects'))).toEqual([]);
  });

  it('prose above the question that says the answer is reported; prose below it is shown after', () => {
    expect(problems(portQuestion('The server connects', 'It uses port 20 for data.'))).toEqual([
      '16: the prose above "From which port does the server connect?" already says its answer: it contains "20", the words that set the right choice apart; reword it, or move it below the question (shown after the answer)',
    ]);
    const step = parseLesson('x.md', portQuestion('The server connects')).lesson!.steps[0]!;
    expect(step.afterAnswer).toBe('Port 20 is called ftp-data.');
    expect(spoilers(step)!.answeredByPage).toBe(false);
  });

  it('a prose that names both choices gives nothing away', () => {
    const step = parseLesson('x.md', portQuestion('Ports', 'Port 20 or port 21?')).lesson!
      .steps[0]!;
    expect(
      answeredByPage([parseLesson('x.md', portQuestion('Ports', 'Port 20 or port 21?')).lesson!]),
    ).toEqual({
      answered: 0,
      of: 1,
    });
    expect(spoilers(step)!.answeredByPage).toBe(false);
  });

  it('a bare right answer among reasoned wrong ones is reported', () => {
    const text = lesson(
      '## Step',
      ...ACTIVE,
      '```predict',
      'question: Does it work?',
      'fact: outcome',
      'choices:',
      '  success: Yes',
      '  failure: No; the firewall is in the way of the data',
      'answer: success',
      'explanation: E',
      '```',
    );
    expect(problems(text)).toEqual([
      '15: the right answer to "Does it work?" is the only choice without a reason, which gives it away; give it a reason too, or the wrong ones none',
    ]);
  });

  it('reads protocol words as written and ordinary words without case', () => {
    expect([...words("a NEW connection, the server's Firewall and `PASV`")]).toEqual([
      'NEW',
      'connection',
      'server',
      'firewall',
      'PASV',
    ]);
  });
});

describe('every instruction matches the page', () => {
  it('flags Play above a question, a mode switch with no control, and a table under the ladder', () => {
    const text = lesson(
      '## Step',
      'Press **Play** and open the table under the ladder.',
      ...ACTIVE,
      '```predict',
      'question: Who connects?',
      'fact: dataOpener',
      'choices:',
      '  client: The client',
      '  server: The server',
      'answer: server',
      'explanation: Now switch the mode to passive and see.',
      '```',
    );
    expect(problems(text).map((p) => p.replace(/ \(.*$/, ''))).toEqual([
      '8: step "Step" tells the learner to work the player above a question: the player appears only once the answer is locked in, and then it plays by itself; say it below the question, or word it as what to watch for: "Press **Play"',
      '8: step "Step" names a table "under the ladder": the connection-tracking tables are in the player\'s "State machines and tables" tab: "table under the ladder"',
      '8: step "Step" says to switch the mode, but the step shows no mode switch',
    ]);
    expect(
      problems(text.replace('fact: dataOpener', 'fact: dataOpener\ntryIt: mode')),
    ).toHaveLength(2);
  });

  it('flags stepping and playing above a question, not below it nor on a step without one', () => {
    const withQuestion = (prose: string, explanation = 'It is the server.') =>
      lesson(
        '## Step',
        prose,
        ...ACTIVE,
        '```predict',
        'question: Who connects?',
        'fact: dataOpener',
        'choices:',
        '  client: The client, which asked for the listing',
        '  server: The server, from its port 20',
        'answer: server',
        `explanation: ${explanation}`,
        '```',
      );
    for (const said of [
      'Step to the `PORT` line.',
      'Step through the session with the → key.',
      'Play the session and watch.',
      'Play to the end and watch the time column.',
      'Scrub to the second SYN.',
      'Pause on the SYN.',
    ])
      expect(problems(withQuestion(said)).join('\n'), said).toMatch(
        /work the player above a question/,
      );
    expect(problems(withQuestion('When the session plays, watch the `PORT` line.'))).toEqual([]);
    expect(problems(withQuestion('Watch the ladder.', 'Step to the `PORT` line again.'))).toEqual(
      [],
    );
    expect(problems(lesson('## Step', 'Play the session and watch.', ...ACTIVE))).toEqual([]);
  });

  it('an unknown tryIt names the switches there are', () => {
    const text = lesson(
      '## Step',
      ...ACTIVE,
      '```predict',
      'question: Q?',
      'fact: outcome',
      'tryIt: firewall',
      'choices:',
      '  success: Yes',
      '  failure: No',
      'answer: success',
      'explanation: E',
      '```',
    );
    expect(problems(text)).toEqual([
      '17: tryIt must be one of "mode", "clientHelper", "serverHelper", the switch shown after the answer',
    ]);
  });
});

describe('a scenario names the programs it plays', () => {
  it('reads clientProgram and serverProgram, and names the programs there are', () => {
    const text = (program: string) =>
      lesson(
        '## Step',
        '```scenario',
        'preset: server-nat-private',
        `clientProgram: ${program}`,
        '```',
      );
    const parsed = parseLesson('x.md', text('curl')).lesson!;
    expect(parsed.steps[0]!.scenario.client.program).toBe('curl');
    expect(problems(text('wget'))[0]).toMatch(
      /^11: clientProgram must be one of "rfc959", "curl", "ftplib", "lftp", not "wget"/,
    );
  });
});
