import type { Packet } from '../protocol/tcp';
import { inCidr } from '../protocol/ipv4';
import type { CtState, Verdict } from './trace';

export type Direction = 'inbound' | 'outbound';
/** What a REJECT answers with, as nftables' `reject with` names it, in the CLI's order. */
export const REJECT_KINDS = [
  'tcp-reset',
  'icmp-port-unreachable',
  'icmp-admin-prohibited',
] as const;
export type RejectWith = (typeof REJECT_KINDS)[number];
/** The answer of a REJECT rule that names none: iptables' own default. */
export const DEFAULT_REJECT_KIND: RejectWith = 'icmp-port-unreachable';

export interface PortRange {
  from: number;
  to: number;
}

/** One filter rule, read like an iptables FORWARD rule: every field given must match. */
export interface FirewallRule {
  /** What a learner sees: "inbound: only established/related". */
  name: string;
  /** inbound = arriving from the Internet side (-i wan), outbound = from the LAN (-i lan). */
  direction?: Direction;
  protocol?: 'tcp' | 'icmp';
  /** CIDR or a single address. */
  src?: string;
  dst?: string;
  srcPort?: PortRange;
  dstPort?: PortRange;
  /** iptables --syn (SYN set, ACK/RST/FIN clear) or ! --syn. */
  tcpFlags?: 'syn' | 'not-syn';
  /** -m conntrack --ctstate ...; needs a stateful firewall. */
  state?: CtState[];
  action: 'ACCEPT' | 'DROP' | 'REJECT';
  /** REJECT's answer; iptables' default is icmp-port-unreachable. */
  rejectWith?: RejectWith;
}

export interface FirewallConfig {
  /** Whether the firewall consults connection tracking (conntrack states in rules). */
  stateful: boolean;
  /** The FORWARD chain's default policy, applied when no rule matches. */
  policy: 'ACCEPT' | 'DROP';
  rules: FirewallRule[];
}

function inRange(port: number, range: PortRange): boolean {
  return port >= range.from && port <= range.to;
}

export function ruleMatches(
  rule: FirewallRule,
  packet: Packet,
  direction: Direction,
  state: CtState | undefined,
): boolean {
  if (rule.direction && rule.direction !== direction) return false;
  const protocol = packet.icmp ? 'icmp' : 'tcp';
  if (rule.protocol && rule.protocol !== protocol) return false;
  if (rule.src && !inCidr(packet.src, rule.src)) return false;
  if (rule.dst && !inCidr(packet.dst, rule.dst)) return false;
  if (rule.srcPort || rule.dstPort || rule.tcpFlags) {
    const tcp = packet.tcp;
    if (!tcp) return false;
    if (rule.srcPort && !inRange(tcp.srcPort, rule.srcPort)) return false;
    if (rule.dstPort && !inRange(tcp.dstPort, rule.dstPort)) return false;
    if (rule.tcpFlags) {
      const isSyn = tcp.flags.syn && !tcp.flags.ack && !tcp.flags.rst && !tcp.flags.fin;
      if ((rule.tcpFlags === 'syn') !== isSyn) return false;
    }
  }
  if (rule.state && (!state || !rule.state.includes(state))) return false;
  return true;
}

/** First matching rule wins; otherwise the chain's policy (netfilter semantics). */
export function evaluate(
  firewall: FirewallConfig,
  packet: Packet,
  direction: Direction,
  state: CtState | undefined,
): Verdict {
  const trackedState = firewall.stateful ? state : undefined;
  for (let i = 0; i < firewall.rules.length; i++) {
    const rule = firewall.rules[i]!;
    if (ruleMatches(rule, packet, direction, trackedState)) {
      return {
        action: rule.action,
        by: 'rule',
        ruleNumber: i + 1,
        ruleName: rule.name,
        ...(trackedState ? { state: trackedState } : {}),
      };
    }
  }
  return {
    action: firewall.policy,
    by: 'policy',
    ...(trackedState ? { state: trackedState } : {}),
  };
}

export function formatPortRange(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

/** A rule by its place in the list (1-based, as `iptables -L --line-numbers`) and its name. */
export interface RuleRef {
  number: number;
  name: string;
}

/**
 * How every text the learner reads names a firewall rule (outcome, transcript, ladder, network
 * view, inspector, advice, lesson feedback), so that one rule is never worded two ways:
 * - `'named'` (the default): `rule 3, "inbound: drop everything else"`; the name is quoted because
 *   rule names hold colons and commas of their own. A name that only repeats the number
 *   (validation names an unnamed rule "rule 3") is left out.
 * - `'number'`: `rule 3`, where the name is shown beside it or there is no room for it.
 * Mid-sentence, close the quoted name with a comma: `Your rule 5, "...", would let it in`.
 */
export function ruleLabel(rule: RuleRef | Verdict, form: 'named' | 'number' = 'named'): string {
  const { number, name } =
    'by' in rule ? { number: rule.ruleNumber ?? 0, name: rule.ruleName ?? '' } : rule;
  const short = `rule ${number}`;
  return form === 'number' || !name || name === short ? short : `${short}, "${name}"`;
}

/** The rule in iptables syntax, so a learner can compare with a real ruleset. */
export function ruleToIptables(
  rule: FirewallRule,
  interfaces = { lan: 'lan0', wan: 'wan0' },
): string {
  const parts = ['-A FORWARD'];
  if (rule.direction === 'inbound') parts.push(`-i ${interfaces.wan} -o ${interfaces.lan}`);
  if (rule.direction === 'outbound') parts.push(`-i ${interfaces.lan} -o ${interfaces.wan}`);
  if (rule.protocol) parts.push(`-p ${rule.protocol}`);
  else if (rule.srcPort || rule.dstPort || rule.tcpFlags) parts.push('-p tcp');
  if (rule.src) parts.push(`-s ${rule.src}`);
  if (rule.dst) parts.push(`-d ${rule.dst}`);
  if (rule.srcPort) parts.push(`--sport ${formatPortRange(rule.srcPort).replace('-', ':')}`);
  if (rule.dstPort) parts.push(`--dport ${formatPortRange(rule.dstPort).replace('-', ':')}`);
  if (rule.tcpFlags === 'syn') parts.push('--syn');
  if (rule.tcpFlags === 'not-syn') parts.push('! --syn');
  if (rule.state) parts.push(`-m conntrack --ctstate ${rule.state.join(',')}`);
  parts.push(`-j ${rule.action}`);
  if (rule.action === 'REJECT' && rule.rejectWith) parts.push(`--reject-with ${rule.rejectWith}`);
  return parts.join(' ');
}
