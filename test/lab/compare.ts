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
  };
}
