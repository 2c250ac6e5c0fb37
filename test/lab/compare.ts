import { buildScenario, parseArgs } from '../../src/cli/args';
import type { LabSummary } from '../../src/lab/lab';
import { defaultScenario } from '../../src/scenario/presets';
import type { SimulationResult } from '../../src/scenario/simulate';
import { programsOf, type Scenario } from '../../src/scenario/types';
import { isNegative } from '../../src/protocol/ftp-reply';

/**
 * What the lab suite compares between the simulation and the real kernel, as plain values, so a
 * disagreement prints as one readable diff.
 */
export interface Comparable {
  outcome: string;
  failedAt: string | null;
  failureKind: string | null;
  failureReply: number | null;
  clientError: string | null;
  connections: {
    opener: string;
    result: string;
    decidedBy: string | null;
    sourcePort: number | null;
    synCount: number;
  }[];
  /** The client's commands in every control session, in order (commandsOf). */
  commands: string[];
}

const TRANSFER_COMMANDS = /^(LIST|NLST|MLSD|RETR|STOR|APPE)$/;

/**
 * A command as the two sides can agree on it: the verb, and the argument unless it is the user
 * (the lab logs in as "anonymous", the simulation as "student"), the password, or an address and
 * port (PORT, EPRT), which are the two networks' own.
 */
function commandShape(text: string): string {
  const [verb = '', ...rest] = text.split(' ');
  const upper = verb.toUpperCase();
  if (['USER', 'PASS', 'PORT', 'EPRT'].includes(upper) || rest.length === 0) return upper;
  return `${upper} ${rest.join(' ')}`;
}

/** Where a new control connection begins in commandsOf's list (its 220 greeting). */
export const NEW_CONNECTION = '(new control connection)';

/**
 * The client's commands in a control dialogue ("C: ..." and "S: ..." lines), every control session
 * in order, each after the first marked by NEW_CONNECTION; the same for the lab's dialogue and the
 * simulation's:
 * - lftp's debug log prints a command when it is queued: a transfer command followed by an ABOR
 *   that got no answer was never sent, nor was that ABOR (the pcaps show Telnet IP and Synch, then
 *   the close; as test/capture/lab-programs.test.ts).
 * - curl's --verbose log has no QUIT, which curl does send (pyftpdlib's own log shows QUIT and 221
 *   after curl's last URL): a QUIT is left out for curl on both sides.
 */
export function commandsOf(dialogue: readonly string[], client: string): string[] {
  let lines = [...dialogue];
  if (client === 'lftp') {
    const unanswered = (i: number) => {
      const next = lines[i + 1];
      return next === undefined || next.startsWith('C: ') || /^S: 220\b/.test(next);
    };
    lines = lines.filter((l, i) => {
      if (l === 'C: ABOR') return !unanswered(i);
      const verb = l.startsWith('C: ') ? l.slice(3).split(' ')[0]! : '';
      return !(TRANSFER_COMMANDS.test(verb) && lines[i + 1] === 'C: ABOR' && unanswered(i + 1));
    });
  }
  const commands: string[] = [];
  let greeted = false;
  for (const l of lines) {
    if (/^S: 220\b/.test(l)) {
      if (greeted) commands.push(NEW_CONNECTION);
      greeted = true;
    } else if (l.startsWith('C: ')) {
      const text = l.slice(3);
      if (!(client === 'curl' && text.toUpperCase() === 'QUIT')) commands.push(commandShape(text));
    }
  }
  return commands;
}

/** The simulation's control dialogue in the lab's form: "C: " and "S: " lines. */
export function simulatedDialogue(result: SimulationResult): string[] {
  return result.trace.flatMap((e) => {
    if (e.type !== 'control') return [];
    if (e.from === 'client') return [`C: ${e.text}`];
    return e.text.split('\r\n').map((l) => `S: ${l}`);
  });
}

function lastFailureCode(codes: readonly number[]): number | null {
  const failures = codes.filter(isNegative);
  return failures.length > 0 ? failures[failures.length - 1]! : null;
}

/** The simulation's view: its outcome, with the client's error kind as the CLI's --json reports it. */
export function fromSimulation(result: SimulationResult): Comparable {
  const { outcome } = result;
  return {
    outcome: outcome.result,
    failedAt: outcome.failedAt,
    failureKind: outcome.failureKind,
    failureReply: outcome.result === 'failure' ? lastFailureCode(outcome.replyCodes) : null,
    clientError: outcome.clientError,
    connections: outcome.dataConnections.map((c) => ({
      opener: c.opener,
      result: c.result,
      decidedBy: c.result === 'established' ? null : (c.decidedBy?.node ?? null),
      sourcePort: c.opener === 'server' ? Number(c.from.split(':')[1]) : null,
      synCount: c.synCount,
    })),
    commands: commandsOf(simulatedDialogue(result), programsOf(result.scenario).client),
  };
}

export function fromLab(summary: LabSummary): Comparable {
  return {
    outcome: summary.outcome,
    failedAt: summary.failedAt,
    failureKind: summary.failureKind,
    failureReply: summary.outcome === 'failure' ? summary.failureReply : null,
    clientError: summary.clientError,
    connections: summary.dataConnections.map((c) => ({
      opener: c.opener,
      result: c.result,
      decidedBy: c.decidedBy,
      sourcePort: c.opener === 'server' ? Number(c.from.split(':')[1]) : null,
      synCount: c.synCount,
    })),
    commands: commandsOf(summary.dialogue, summary.programs.client),
  };
}

/** The flags as `npm run lab` reads them: its own (programs, timeouts) and then the sim's. */
export function scenarioOf(flags: string): Scenario {
  const words = flags.split(' ');
  const lab: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (['--server', '--client', '--syn-retries', '--reply-timeout'].includes(words[i]!)) {
      lab[words[i]!] = words[++i]!;
    } else rest.push(words[i]!);
  }
  const parsed = parseArgs(rest);
  if (!parsed.ok) throw new Error(parsed.error);
  const built = buildScenario(parsed.options, defaultScenario());
  if (!built.ok) throw new Error(built.error);
  const scenario = built.value;
  return {
    ...scenario,
    client: { ...scenario.client, program: lab['--client'] as never },
    server: { ...scenario.server, program: lab['--server'] as never },
  };
}
