import {
  formatPortRange,
  type FirewallConfig,
  type FirewallRule,
  type RejectWith,
} from '../../network/firewall';
import type { CtState } from '../../network/trace';
import { checkAddress, checkFirewall, checkPortRange } from '../../scenario/validate';

/**
 * The rule editor edits a draft: the fields exactly as the learner typed them. A draft that checks
 * out becomes the firewall the simulation runs; one that does not keeps its text (nothing the
 * learner typed is lost) while the simulation keeps the last valid rules.
 */

export interface RuleDraft {
  /** Stable across moves, so a rule keeps its DOM nodes, focus and messages when reordered. */
  id: number;
  name: string;
  direction: '' | 'inbound' | 'outbound';
  protocol: '' | 'tcp' | 'icmp';
  src: string;
  dst: string;
  srcPort: string;
  dstPort: string;
  tcpFlags: '' | 'syn' | 'not-syn';
  state: CtState[];
  action: FirewallRule['action'];
  /** Empty: iptables' default answer (ICMP port unreachable). */
  rejectWith: '' | RejectWith;
}

export interface FirewallDraft {
  stateful: boolean;
  policy: FirewallConfig['policy'];
  rules: RuleDraft[];
}

export type TextField = 'src' | 'dst' | 'srcPort' | 'dstPort';

/** Where a message belongs: the firewall's own switches, one rule field, or the whole list. */
export type FieldKey = 'stateful' | 'list' | `rule-${number}-${TextField | 'state'}`;

export interface DraftCheck {
  /** The firewall to simulate, or null while any field is invalid. */
  firewall: FirewallConfig | null;
  errors: Partial<Record<FieldKey, string>>;
}

export const CT_STATES: readonly CtState[] = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID'];
export const MAX_RULES = 100;

const ADDRESS_HINT = 'Leave it empty to match any address.';
const PORT_HINT =
  'Use a port 1-65535 or a range like 40000-40099 with from ≤ to; empty means any port.';

export const FIELD_HINTS: Record<TextField, string> = {
  src: ADDRESS_HINT,
  dst: ADDRESS_HINT,
  srcPort: PORT_HINT,
  dstPort: PORT_HINT,
};

export function ruleKey(id: number, field: TextField | 'state'): FieldKey {
  return `rule-${id}-${field}`;
}

export function draftOfRule(rule: FirewallRule, id: number): RuleDraft {
  return {
    id,
    name: rule.name,
    direction: rule.direction ?? '',
    protocol: rule.protocol ?? '',
    src: rule.src ?? '',
    dst: rule.dst ?? '',
    srcPort: rule.srcPort ? formatPortRange(rule.srcPort) : '',
    dstPort: rule.dstPort ? formatPortRange(rule.dstPort) : '',
    tcpFlags: rule.tcpFlags ?? '',
    state: rule.state ? [...rule.state] : [],
    action: rule.action,
    rejectWith: rule.rejectWith ?? '',
  };
}

export function draftOf(firewall: FirewallConfig): FirewallDraft {
  return {
    stateful: firewall.stateful,
    policy: firewall.policy,
    rules: firewall.rules.map((rule, i) => draftOfRule(rule, i + 1)),
  };
}

/** A new rule, appended as `iptables -A` does: it decides nothing until it is moved up. */
export function newRule(existing: readonly RuleDraft[]): RuleDraft {
  const id = Math.max(0, ...existing.map((r) => r.id)) + 1;
  return draftOfRule(
    { name: 'new rule', direction: 'inbound', protocol: 'tcp', action: 'ACCEPT' },
    id,
  );
}

/** The list with the item at `index` moved by `by` places; unchanged if it would leave the list. */
export function moveItem<T>(list: readonly T[], index: number, by: number): T[] {
  const target = index + by;
  if (index < 0 || index >= list.length || target < 0 || target >= list.length) return [...list];
  const moved = [...list];
  const [item] = moved.splice(index, 1);
  moved.splice(target, 0, item!);
  return moved;
}

function capitalised(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/**
 * The rule as far as its fields are valid (invalid ones are left out), with a message for each
 * invalid one. Used both to build the firewall and to summarise a rule that is being edited.
 */
export function ruleOfDraft(
  draft: RuleDraft,
  index: number,
  stateful: boolean,
): { rule: FirewallRule; errors: Partial<Record<FieldKey, string>> } {
  const errors: Partial<Record<FieldKey, string>> = {};
  const rule: FirewallRule = {
    name: draft.name.trim() || `rule ${index + 1}`,
    action: draft.action,
  };
  if (draft.direction) rule.direction = draft.direction;
  if (draft.protocol) rule.protocol = draft.protocol;
  for (const field of ['src', 'dst'] as const) {
    const text = draft[field].trim();
    if (!text) continue;
    const checked = checkAddress(text);
    if (checked.ok) rule[field] = checked.value;
    else errors[ruleKey(draft.id, field)] = `${capitalised(checked.error)}. ${FIELD_HINTS[field]}`;
  }
  for (const field of ['srcPort', 'dstPort'] as const) {
    const text = draft[field].trim();
    if (!text) continue;
    const checked = checkPortRange(text);
    if (!checked.ok) {
      errors[ruleKey(draft.id, field)] = `${capitalised(checked.error)}. ${FIELD_HINTS[field]}`;
    } else if (draft.protocol === 'icmp') {
      errors[ruleKey(draft.id, field)] =
        'ICMP has no ports: clear this field, or set the protocol to TCP.';
    } else {
      rule[field] = checked.value;
    }
  }
  if (draft.tcpFlags) rule.tcpFlags = draft.tcpFlags;
  if (draft.state.length > 0) {
    if (stateful) rule.state = CT_STATES.filter((s) => draft.state.includes(s));
    else
      errors[ruleKey(draft.id, 'state')] =
        'A stateless firewall tracks no connections, so it cannot match states: clear them, or switch connection tracking on.';
  }
  if (draft.action === 'REJECT' && draft.rejectWith) rule.rejectWith = draft.rejectWith;
  return { rule, errors };
}

/** Checks every field, then the whole firewall as a scenario file's would be checked. */
export function checkDraft(draft: FirewallDraft): DraftCheck {
  const errors: Partial<Record<FieldKey, string>> = {};
  const rules = draft.rules.map((ruleDraft, i) => {
    const built = ruleOfDraft(ruleDraft, i, draft.stateful);
    Object.assign(errors, built.errors);
    return built.rule;
  });
  const withStates = draft.rules.flatMap((r, i) => (r.state.length > 0 ? [i + 1] : []));
  if (!draft.stateful && withStates.length > 0) {
    errors.stateful = `${withStates.length === 1 ? 'Rule' : 'Rules'} ${withStates.join(', ')} ${withStates.length === 1 ? 'matches' : 'match'} conntrack states, which only a stateful firewall can see: clear those states first, or keep connection tracking on.`;
  }
  if (draft.rules.length > MAX_RULES) errors.list = `A firewall holds at most ${MAX_RULES} rules.`;
  if (Object.keys(errors).length > 0) return { firewall: null, errors };
  const checked = checkFirewall({ stateful: draft.stateful, policy: draft.policy, rules });
  if (!checked.ok || !checked.value) {
    return { firewall: null, errors: { list: checked.ok ? 'No firewall.' : checked.error } };
  }
  return { firewall: checked.value, errors };
}

const DIRECTION_WORDS = { inbound: 'Inbound', outbound: 'Outbound' } as const;

function endpoint(address: string | undefined, port: string | undefined): string {
  if (!address && !port) return '';
  const ports = port ? (port.includes('-') ? `ports ${port}` : `port ${port}`) : '';
  return [address, ports].filter(Boolean).join(' ');
}

/** A rule read aloud: "Inbound TCP from port 20 to ports 1024-65535". */
export function describeRule(rule: FirewallRule): string {
  const protocol = rule.protocol ? rule.protocol.toUpperCase() : '';
  let head: string;
  if (rule.direction) head = `${DIRECTION_WORDS[rule.direction]} ${protocol || 'packets'}`;
  else head = protocol ? `${protocol} in either direction` : 'Every packet';
  const from = endpoint(rule.src, rule.srcPort && formatPortRange(rule.srcPort));
  const to = endpoint(rule.dst, rule.dstPort && formatPortRange(rule.dstPort));
  const parts = [head, from && `from ${from}`, to && `to ${to}`].filter(Boolean).join(' ');
  const extras: string[] = [];
  if (rule.tcpFlags === 'syn') extras.push('SYN only (opening a connection)');
  if (rule.tcpFlags === 'not-syn') extras.push('not SYN (inside a connection)');
  if (rule.state) extras.push(`in state ${rule.state.join(' or ')}`);
  return [parts, ...extras].join(', ');
}
