import { ruleLabel, ruleMatches, type Direction, type FirewallConfig } from '../network/firewall';
import type { NodeId, TraceEvent } from '../network/trace';
import type { DataConnectionSummary } from './outcome';
import type { Scenario, SideConfig } from './types';

/**
 * What is wrong with the learner's network, said in their words: not "admittedAs should be
 * RELATED" but "your rule 5 comes after rule 4 (DROP), so it is never reached". Each diagnosis
 * reads the run (which firewall stopped the data connection's SYN, with which rule) and the
 * scenario (where the helper is, which ports are open). The outcome box and a lesson task's
 * feedback both use these sentences, so the two never disagree.
 */

type Side = 'client' | 'server';

const OTHER: Record<Side, Side> = { client: 'server', server: 'client' };

function sideOf(node: NodeId): Side | null {
  return node === 'client-router' ? 'client' : node === 'server-router' ? 'server' : null;
}

function config(scenario: Scenario, side: Side): SideConfig {
  return side === 'client' ? scenario.clientSide : scenario.serverSide;
}

function portOf(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1)) || 0;
}

/** "passive mode", "active mode (EPRT)": how the mode is named in a diagnosis. */
function modeWords(scenario: Scenario): string {
  return {
    active: 'active mode',
    passive: 'passive mode',
    eprt: 'extended active mode (EPRT)',
    epsv: 'extended passive mode (EPSV)',
  }[scenario.mode];
}

/** The SYN the deciding firewall stopped, as it saw it (after any NAT on the way in). */
function stoppedSyn(trace: readonly TraceEvent[], node: NodeId) {
  for (const event of trace) {
    if ((event.type === 'drop' || event.type === 'reject') && event.node === node) {
      const tcp = event.packet.tcp;
      if (tcp?.flags.syn && !tcp.flags.ack && event.packet.channel === 'data') return event;
    }
  }
  return undefined;
}

function shadowed(
  firewall: FirewallConfig,
  trace: readonly TraceEvent[],
  node: NodeId,
  direction: Direction,
): string | null {
  const stopped = stoppedSyn(trace, node);
  const verdict = stopped?.verdict;
  if (!stopped || verdict?.by !== 'rule' || verdict.ruleNumber === undefined) return null;
  const state = firewall.stateful ? (verdict.state ?? 'NEW') : undefined;
  const later = firewall.rules.findIndex(
    (rule, i) =>
      i >= verdict.ruleNumber! &&
      rule.action === 'ACCEPT' &&
      ruleMatches(rule, stopped.packet, direction, state),
  );
  if (later < 0) return null;
  const action = firewall.rules[verdict.ruleNumber - 1]!.action;
  const allowing = { number: later + 1, name: firewall.rules[later]!.name };
  const stopping = ruleLabel(verdict, 'number');
  return `Your ${ruleLabel(allowing)}, would let this connection in, but it comes after ${stopping} (${action}), and the first matching rule wins, so ${ruleLabel(allowing, 'number')} is never reached. Move it above ${stopping}.`;
}

/** The deciding firewall opens a port range that misses the port the server announced. */
function rangeMismatch(
  scenario: Scenario,
  firewall: FirewallConfig,
  conn: DataConnectionSummary,
): string | null {
  const target = portOf(conn.to);
  const { from, to } = scenario.server.passivePorts;
  const open = firewall.rules.find(
    (r) =>
      r.action === 'ACCEPT' &&
      r.direction !== 'outbound' &&
      r.dstPort &&
      r.dstPort.from !== 21 &&
      (target < r.dstPort.from || target > r.dstPort.to),
  );
  if (!open?.dstPort || target < from || target > to) return null;
  return `The server's firewall opens ports ${open.dstPort.from}-${open.dstPort.to}, but the server announced port ${target} from its own range, ${from}-${to}: the two ranges must agree. Change one to match the other.`;
}

/**
 * A diagnosis of why the data connection failed, when the network shows a mistake a learner
 * makes: the FTP helper on the wrong side, a helper where there is no firewall, a helper behind
 * a stateless firewall, an ACCEPT rule placed after the DROP, a port range that misses the
 * server's. Null when none applies (the plain explanation says enough).
 */
export function diagnoseDataConnection(
  scenario: Scenario,
  conn: DataConnectionSummary,
  trace: readonly TraceEvent[],
): string | null {
  const node = conn.decidedBy?.node;
  const side = node ? sideOf(node) : null;
  if (!node || !side || (conn.result !== 'dropped' && conn.result !== 'rejected')) return null;
  const here = config(scenario, side);
  const there = config(scenario, OTHER[side]);
  const firewall = here.firewall;
  if (!firewall) return null;
  const direction: Direction = conn.opener === side ? 'outbound' : 'inbound';
  const rules = shadowed(firewall, trace, node, direction);
  if (rules) return rules;
  if (direction === 'inbound' && here.ftpHelper && !firewall.stateful)
    return `The FTP helper on the ${side}'s router expects this connection, but the ${side}'s firewall is stateless: its rules never look at conntrack states, so being RELATED does not let the connection in. Use a stateful firewall with the helper.`;
  if (direction === 'inbound' && !here.ftpHelper && !there.ftpHelper && !firewall.stateful)
    return `The ${side}'s firewall is stateless: it judges each packet alone and never looks at conntrack states, so even the FTP helper would not get this connection in. ${conn.opener === 'server' ? 'Passive mode, where the client opens the data connection, gets through' : 'Active mode, where the server opens the data connection, gets through'}; so does a stateful firewall with the helper.`;
  if (direction === 'inbound' && !here.ftpHelper && there.ftpHelper) {
    const opener = conn.opener;
    const nothingThere = there.firewall
      ? ''
      : ` The ${OTHER[side]} has no firewall, so a helper there changes nothing.`;
    return `The FTP helper is on the ${OTHER[side]}'s router, but in ${modeWords(scenario)} the ${opener} opens the data connection, so its SYN arrives at the ${side}'s firewall as a new connection, and that firewall decides.${nothingThere} Switch the helper on at the ${side}'s router.`;
  }
  if (side === 'server' && conn.opener === 'client') {
    const mismatch = rangeMismatch(scenario, firewall, conn);
    if (mismatch) return mismatch;
  }
  return null;
}

/**
 * A helper switched on where there is nothing for it to do: no firewall and no NAT on that
 * side. Worth saying even when the session works, because the learner thinks it helped.
 */
export function idleHelpers(scenario: Scenario): string[] {
  return (['client', 'server'] as const)
    .filter((side) => {
      const c = config(scenario, side);
      return c.ftpHelper && !c.firewall && !c.nat;
    })
    .map(
      (side) =>
        `The ${side} has no firewall and no NAT, so the FTP helper on the ${side}'s router changes nothing.`,
    );
}
