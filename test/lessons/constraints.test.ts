import { describe, expect, it } from 'vitest';
import { checkLessonFile, checkTask } from '../../src/lessons/check';
import { parseLesson } from '../../src/lessons/lesson';
import { simulate } from '../../src/scenario/simulate';

const FRONT = ['---', 'title: Test', 'order: 1', 'minutes: 5', 'objectives:', '  - learn', '---'];

/** A lesson with one task step on `scenario`, the task block's own lines after "goal:". */
function taskLesson(scenario: string[], task: string[]): string {
  return [
    ...FRONT,
    '## Step',
    '```scenario',
    ...scenario,
    '```',
    '```task',
    'goal: G',
    ...task,
    '```',
  ].join('\n');
}

function problems(text: string): string[] {
  return checkLessonFile('lessons/99-test.md', text).problems.map((p) => `${p.line}: ${p.message}`);
}

const SERVER_ONLY_21 = ['preset: server-only-21', 'mode: passive', 'commands: [LIST]'];
const PASSIVE_WORKS = ['expect:', '  outcome: success', '  mode: passive'];

describe('task constraints', () => {
  it('a task without constraints is reported', () => {
    const text = taskLesson(SERVER_ONLY_21, [
      ...PASSIVE_WORKS,
      'solution:',
      '  serverFirewall: only-21-passive-range',
    ]);
    expect(problems(text)).toEqual([
      '15: the task "G" states no constraints; add "constraints:" with at least one of change, openPorts, mustNotAdd, warnIfAdded (lessons/README.md)',
    ]);
  });

  it('unknown settings and constraints name what is allowed', () => {
    const bad = (line: string) =>
      problems(
        taskLesson(SERVER_ONLY_21, [
          ...PASSIVE_WORKS,
          'constraints:',
          line,
          'solution:',
          '  serverHelper: true',
        ]),
      );
    expect(bad('  change: [router]')[0]).toMatch(
      /^20: change: no setting "router"; settings: clientSide, serverSide/,
    );
    expect(bad('  openPorts: all')[0]).toMatch(/^20: openPorts must be "passive-range"/);
    expect(bad('  mustNotAdd: [telnet]')[0]).toMatch(
      /^20: mustNotAdd: no rule kind "telnet"; kinds: source-port/,
    );
    expect(bad('  ports: 21')[0]).toMatch(
      /^20: unknown constraint "ports"; constraints: change, openPorts/,
    );
  });

  it('a wrong solution the constraints do not refuse is reported', () => {
    const text = (constraint: string) =>
      taskLesson(SERVER_ONLY_21, [
        ...PASSIVE_WORKS,
        'constraints:',
        constraint,
        '  wrong:',
        '    opens every high port:',
        '      serverOpenPorts: 1024-65535',
        'solution:',
        '  serverFirewall: only-21-passive-range',
      ]);
    expect(problems(text('  change: [serverSide]'))).toEqual([
      '22: the wrong solution "opens every high port" is accepted without a warning; add a constraint that refuses it',
    ]);
    expect(problems(text('  openPorts: passive-range'))).toEqual([]);
  });

  it('the solution must keep to the constraints', () => {
    const text = taskLesson(SERVER_ONLY_21, [
      ...PASSIVE_WORKS,
      'constraints:',
      '  change: [serverSide]',
      'solution:',
      '  pasvAddress: ignore',
      '  serverFirewall: only-21-passive-range',
    ]);
    expect(problems(text)).toEqual([
      '20: the task\'s solution breaks its own constraints: You changed where the client connects after a 227 reply; this task lets you change only the server\'s router. Press "Start over" and leave the rest as it was.',
    ]);
  });

  it('the learner hears which rule opens too much, and a hole is accepted with a warning', () => {
    const lesson = parseLesson(
      'x.md',
      taskLesson(
        ['preset: client-stateful', 'mode: active', 'commands: [LIST]'],
        [
          'expect:',
          '  outcome: success',
          '  mode: active',
          'constraints:',
          '  change: [clientSide]',
          '  warnIfAdded: [source-port]',
          'solution:',
          '  clientHelper: true',
        ],
      ),
    ).lesson!;
    const task = lesson.steps[0]!.task!;
    const hole = { ...task.start, clientSide: { ...task.start.clientSide } };
    const port20 = parseLesson(
      'y.md',
      taskLesson(
        ['preset: client-stateless-port-20', 'mode: active', 'commands: [LIST]'],
        [
          'expect:',
          '  outcome: success',
          'constraints:',
          '  change: [mode]',
          'solution:',
          '  mode: active',
        ],
      ),
    ).lesson!.steps[0]!.scenario;
    hole.clientSide = port20.clientSide;
    const verdict = checkTask(task, simulate(hole));
    expect(verdict.done).toBe(true);
    expect(verdict.warnings).toEqual([
      'Works, but opens a hole: on the client\'s firewall, rule 3, "inbound: FTP data from source port 20", lets in new connections because they come from port 20, and anyone on the Internet can send from that port (see lesson 12).',
    ]);
    expect(checkTask(task, simulate(task.solution))).toEqual({
      done: true,
      missing: [],
      warnings: [],
    });
  });

  it("the server router's forwarded ports are the server side's; the TCP stack is no one side's", () => {
    const lesson = parseLesson(
      'z.md',
      taskLesson(
        ['preset: server-nat-public', 'serverNatForward: 21', 'mode: passive', 'commands: [LIST]'],
        [
          'expect:',
          '  outcome: success',
          '  mode: passive',
          'constraints:',
          '  change: [serverSide]',
          'solution:',
          '  serverNatForward: 21+passive',
        ],
      ),
    );
    expect(lesson.problems).toEqual([]);
    const task = lesson.lesson!.steps[0]!.task!;
    expect(simulate(task.start).outcome.result).toBe('failure');
    expect(checkTask(task, simulate(task.solution)).done).toBe(true);
    const withTcp = checkTask(task, simulate({ ...task.solution, tcp: 'rfc6298' }));
    expect(withTcp.done).toBe(false);
    expect(withTcp.missing.join(' ')).toContain("the hosts' TCP stack");
  });
});
