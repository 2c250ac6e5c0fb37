import type { LabSummary } from '../../src/lab/lab';
import type { SimulationResult } from '../../src/scenario/simulate';

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
}

function lastFailureCode(codes: readonly number[]): number | null {
  const failures = codes.filter((c) => c >= 400);
  return failures.length > 0 ? failures[failures.length - 1]! : null;
}

/** The simulation's view, with the client's error kind named as a real client reports it. */
export function fromSimulation(result: SimulationResult): Comparable {
  const { outcome } = result;
  const last = outcome.dataConnections[outcome.dataConnections.length - 1];
  let clientError: string | null = null;
  if (outcome.failureKind === 'data-connect' && last?.opener === 'client') {
    const verdict = last.decidedBy?.verdict;
    clientError =
      last.result === 'dropped' || last.result === 'timed out'
        ? 'timeout'
        : last.result === 'refused'
          ? 'refused'
          : last.result === 'unreachable'
            ? 'unreachable'
            : verdict?.action === 'REJECT'
              ? rejectError(result, last.decidedBy!.node, verdict.ruleNumber)
              : null;
  }
  return {
    outcome: outcome.result,
    failedAt: outcome.failedAt,
    failureKind: outcome.failureKind,
    failureReply: outcome.result === 'failure' ? lastFailureCode(outcome.replyCodes) : null,
    clientError,
    connections: outcome.dataConnections.map((c) => ({
      opener: c.opener,
      result: c.result,
      decidedBy: c.result === 'established' ? null : (c.decidedBy?.node ?? null),
      sourcePort: c.opener === 'server' ? Number(c.from.split(':')[1]) : null,
      synCount: c.synCount,
    })),
  };
}

/** What a REJECT rule's answer looks like to the client: RST and port-unreachable are "refused". */
function rejectError(
  result: SimulationResult,
  node: string,
  ruleNumber: number | undefined,
): string {
  const side = node === 'client-router' ? result.scenario.clientSide : result.scenario.serverSide;
  const rule = ruleNumber ? side.firewall?.rules[ruleNumber - 1] : undefined;
  return rule?.rejectWith === 'icmp-admin-prohibited' ? 'no-route' : 'refused';
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
  };
}
