import { diagnoseDataConnection, idleHelpers } from '../scenario/advice';
import { verdictLine } from '../scenario/outcome';
import type { SimulationResult } from '../scenario/simulate';
import { ruleLabel } from '../scenario/trace';
import { formatTime } from '../scenario/vocabulary';
import type { Scenario } from '../scenario/types';
import type { Expectation, FactValue } from './facts';

/**
 * A task's unmet goal said as a diagnosis of the learner's network ("the helper is on the
 * client's router, but in passive mode the server's firewall decides") rather than as the fact
 * that differs ("admittedAs should be RELATED; it is NEW"). The words come from the run, through
 * the same diagnosis the outcome box uses.
 */

const MODE: Record<Scenario['mode'], string> = {
  active: 'active mode (PORT)',
  passive: 'passive mode (PASV)',
  eprt: 'extended active mode (EPRT)',
  epsv: 'extended passive mode (EPSV)',
};

function blocked(result: SimulationResult) {
  return result.outcome.dataConnections.find((c) => c.result !== 'established');
}

/** Why the session still fails: the diagnosis when the network shows a known mistake. */
function whyItFails(result: SimulationResult): string {
  const line = verdictLine(result.outcome, result.scenario).replace(/^Fails: /, '');
  const conn = blocked(result);
  const diagnosis = conn ? diagnoseDataConnection(result.scenario, conn, result.trace) : null;
  const more = diagnosis ?? idleHelpers(result.scenario).join(' ');
  return [`Your network still fails: ${line}.`, more].filter(Boolean).join(' ');
}

/** How the data connection got in, for a task that wants RELATED. */
function howItGotIn(result: SimulationResult, actual: FactValue): string {
  const conn =
    result.outcome.dataConnections.find((c) => c.decidedBy?.verdict) ??
    result.outcome.dataConnections[0];
  const verdict = conn?.decidedBy?.verdict;
  const side = conn?.decidedBy?.node === 'client-router' ? 'client' : 'server';
  if (actual === 'NEW' && verdict?.by === 'rule')
    return `The data connection got in as NEW, through the ${side} firewall's ${ruleLabel(verdict)}: a rule opened the port for anyone. The task asks for it to arrive as RELATED, which only the FTP helper gives, by reading the announcement on the control connection and expecting exactly that connection.`;
  if (actual === 'none') {
    const firewall =
      side === 'client' ? result.scenario.clientSide.firewall : result.scenario.serverSide.firewall;
    const why =
      firewall && !firewall.stateful
        ? `the ${side}'s firewall is stateless, so it knows no connection states at all`
        : 'no stateful firewall decided on it';
    return `The data connection was not let in as RELATED: ${why}. The task asks for a stateful firewall that lets it in as RELATED, with the FTP helper.`;
  }
  return `The data connection was let in as ${String(actual)}; the task asks for RELATED.`;
}

/**
 * One sentence for the learner about a goal the network does not meet; empty when another
 * sentence already covers it, null when there is nothing better than the fact's own words.
 */
export function describeUnmet(
  expectation: Expectation,
  actual: FactValue,
  result: SimulationResult,
): string | null {
  const wanted = expectation.value;
  const negated = expectation.op === '!=';
  switch (expectation.fact) {
    case 'outcome':
      if (wanted === 'success' && !negated) return whyItFails(result);
      return `Your network lets the session work: ${verdictLine(result.outcome, result.scenario).replace(/^Works: /, '')}; the task wants it to fail.`;
    case 'mode':
      if (negated)
        return `The task asks for a mode other than ${MODE[actual as Scenario['mode']]}.`;
      return `The task asks for ${MODE[wanted as Scenario['mode']]}; your network uses ${MODE[actual as Scenario['mode']]}. Switch the mode back.`;
    case 'type':
      return `The task asks for the ${wanted === 'binary' ? 'binary (TYPE I)' : 'ASCII (TYPE A)'} transfer type; yours is ${actual === 'binary' ? 'binary' : 'ASCII'}.`;
    case 'clientFirewall':
    case 'serverFirewall': {
      const side = expectation.fact === 'clientFirewall' ? 'client' : 'server';
      return wanted === 'on'
        ? `The task asks you to keep the ${side}'s firewall; you switched it off. A network without a firewall works, but it is not the network the task is about.`
        : `The task asks for no firewall on the ${side}'s side.`;
    }
    case 'clientNat':
    case 'serverNat': {
      const side = expectation.fact === 'clientNat' ? 'client' : 'server';
      return wanted === true
        ? `The task keeps the ${side} behind NAT; you switched NAT off on the ${side}'s router.`
        : `The task asks for no NAT on the ${side}'s router.`;
    }
    case 'admittedAs':
      // A connection that did not get in is already explained by the outcome's sentence.
      if (blocked(result)) return '';
      if (wanted === 'RELATED') return howItGotIn(result, actual);
      return null;
    case 'dataResult':
      if (wanted === 'rejected' && actual === 'dropped')
        return "The firewall still drops the server's SYN in silence, so the server waits for its timeout. The task wants the SYN refused out loud (rejected), which answers at once.";
      if (wanted === 'rejected' && actual === 'none') {
        // Client behind NAT in active mode (lesson 9's notes): a fast failure, before any SYN.
        const line = verdictLine(result.outcome, result.scenario);
        const before = line.startsWith('Fails: ')
          ? `: the session stopped before it, as ${line.slice('Fails: '.length)}. That fails fast, but not at the firewall`
          : '';
        return `No data connection was tried${before}; the task wants the data connection tried and refused by the firewall (rejected).`;
      }
      if (wanted === 'rejected' && actual === 'established')
        return 'The data connection now gets through; the task wants it still blocked, but rejected rather than dropped.';
      return null;
    case 'elapsedMs':
      if (expectation.op === '<' || expectation.op === '<=')
        return `The session takes ${formatTime(actual as number, 'duration')}; the task wants it over within ${formatTime(wanted as number, 'duration')}.`;
      return null;
    case 'fileIntact':
      if (wanted !== true) return null;
      return result.scenario.type === 'ascii'
        ? "At least one downloaded file differs from the server's copy: in ASCII mode (TYPE A) line ends are converted on the way, and a file that is not text is changed by that."
        : "At least one downloaded file differs from the server's copy.";
  }
  return null;
}
