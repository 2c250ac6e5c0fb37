import { ruleLabel, type FirewallRule, type PortRange } from '../network/firewall';
import type { RouterConfig } from '../network/router';

/**
 * A simulated router as an nftables ruleset, so the lab's kernel filters, tracks and translates
 * exactly what the simulation's Router does. Pure: the text is checked by unit tests, and loaded
 * with `nft -f` inside the router's network namespace.
 *
 * - The filter is the FORWARD chain (the simulation filters only what a router forwards), first
 *   match wins, then the chain's policy. `inbound` is `iifname "wan"`, `outbound` `iifname "lan"`.
 * - A stateless firewall consults no conntrack state: a rule naming states never matches there,
 *   as in the simulation (`evaluate` passes no state), so it is left out of the ruleset.
 * - The FTP helper is assigned to port 21 (`ct helper set`), as kernels since 4.7 need it to be
 *   (automatic helper assignment is gone); NAT is masquerade on the WAN and DNAT of port 21 and
 *   the passive range to the server, and with NAT the helper's nf_nat_ftp rewrites the addresses.
 */

/** The interface names the lab gives every router. */
export const LAN_IF = 'lan';
export const WAN_IF = 'wan';

function ports(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

const REJECT: Record<NonNullable<FirewallRule['rejectWith']>, string> = {
  'tcp-reset': 'reject with tcp reset',
  'icmp-port-unreachable': 'reject with icmp type port-unreachable',
  'icmp-admin-prohibited': 'reject with icmp type admin-prohibited',
};

/** One rule as an nft statement, or null when it can never match (states on a stateless firewall). */
export function ruleToNft(rule: FirewallRule, stateful: boolean): string | null {
  if (rule.state && !stateful) return null;
  const parts: string[] = [];
  if (rule.direction === 'inbound') parts.push(`iifname "${WAN_IF}"`);
  if (rule.direction === 'outbound') parts.push(`iifname "${LAN_IF}"`);
  if (rule.src) parts.push(`ip saddr ${rule.src}`);
  if (rule.dst) parts.push(`ip daddr ${rule.dst}`);
  const tcpOnly = Boolean(rule.srcPort || rule.dstPort || rule.tcpFlags);
  const rejectsWithReset = rule.action === 'REJECT' && rule.rejectWith === 'tcp-reset';
  if (rule.protocol === 'icmp') parts.push('meta l4proto icmp');
  else if (rule.protocol === 'tcp' || tcpOnly || rejectsWithReset) parts.push('meta l4proto tcp');
  if (rule.protocol === 'icmp' && (tcpOnly || rejectsWithReset)) return null;
  if (rule.srcPort) parts.push(`tcp sport ${ports(rule.srcPort)}`);
  if (rule.dstPort) parts.push(`tcp dport ${ports(rule.dstPort)}`);
  if (rule.tcpFlags) {
    const op = rule.tcpFlags === 'syn' ? '==' : '!=';
    parts.push(`tcp flags & (syn | ack | rst | fin) ${op} syn`);
  }
  if (rule.state) parts.push(`ct state { ${rule.state.map((s) => s.toLowerCase()).join(', ')} }`);
  if (rule.action === 'ACCEPT') parts.push('accept');
  else if (rule.action === 'DROP') parts.push('drop');
  else parts.push(REJECT[rule.rejectWith ?? 'icmp-port-unreachable']);
  return parts.join(' ');
}

/** The whole ruleset for one router: load it with `nft -f -` after `flush ruleset`. */
export function routerRuleset(router: RouterConfig): string {
  const lines: string[] = ['flush ruleset', 'table ip ftplab {'];
  if (router.ftpHelper) {
    lines.push('  ct helper ftp21 { type "ftp" protocol tcp; l3proto ip; }');
    lines.push('  chain helpers {');
    lines.push('    type filter hook prerouting priority filter; policy accept;');
    lines.push('    tcp dport 21 ct helper set "ftp21"');
    lines.push('  }');
  }
  const firewall = router.firewall;
  lines.push('  chain forward {');
  lines.push(
    `    type filter hook forward priority filter; policy ${firewall?.policy === 'DROP' ? 'drop' : 'accept'};`,
  );
  for (const [index, rule] of (firewall?.rules ?? []).entries()) {
    const statement = ruleToNft(rule, firewall!.stateful);
    lines.push(
      statement === null
        ? `    # ${ruleLabel({ number: index + 1, name: rule.name })} can never match here`
        : `    ${statement} comment "${ruleLabel({ number: index + 1, name: rule.name }, 'number')}"`,
    );
  }
  lines.push('  }');
  if (router.nat) {
    lines.push('  chain prerouting {');
    lines.push('    type nat hook prerouting priority dstnat; policy accept;');
    for (const forward of router.nat.forwards) {
      lines.push(
        `    iifname "${WAN_IF}" ip daddr ${router.wanAddress} tcp dport ${ports(forward.ports)} dnat to ${forward.to}`,
      );
    }
    lines.push('  }');
    lines.push('  chain postrouting {');
    lines.push('    type nat hook postrouting priority srcnat; policy accept;');
    if (router.nat.masquerade) {
      lines.push(`    oifname "${WAN_IF}" ip saddr ${router.lanSubnet} masquerade`);
    }
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
