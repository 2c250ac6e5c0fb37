import * as v from 'valibot';
import { parseCidr } from '../protocol/ipv4';
import {
  REJECT_KINDS,
  type FirewallConfig,
  type FirewallRule,
  type PortRange,
} from '../network/firewall';
import type { CtState } from '../network/trace';
import { MAX_COMMANDS } from './limits';
import { defaultScenario } from './presets';
import { previewValue } from './preview';
import { closedRecord, expected, oneOf } from './schema-messages';
import {
  CLIENT_PROGRAMS,
  DATA_MODES,
  SERVER_PROGRAMS,
  TCP_STACKS,
  type Scenario,
  type SideConfig,
} from './types';

/**
 * The scenario as a file, a link or the UI may write it, as valibot schemas: each gives the check
 * and, through `v.InferOutput`, the type (asserted equal to types.ts's at the end). Missing fields
 * take the default scenario's values; anything present must be right. A file may use shorthand
 * (port ranges as text, rules without names), which the schemas turn into the full form.
 */

/** The defaults. Objects taken from here are shared: validateScenario returns copies of them. */
const base = defaultScenario();

/** A line of text a learner typed: no line break, no lone surrogate (it has no UTF-8 form). */
function singleLine(max: number) {
  const words = expected(`a single line of text (at most ${max} characters)`);
  return v.pipe(v.string(words), v.maxLength(max, words), v.regex(/^[^\r\n\p{Cs}]*$/u, words));
}

const portNumber = (() => {
  const words = expected('a port number 1-65535');
  return v.pipe(v.number(words), v.integer(words), v.minValue(1, words), v.maxValue(65535, words));
})();

/** A server's data-connection timeout: whole seconds, up to an hour. */
const timeoutSeconds = (() => {
  const words = expected('whole seconds 1-3600');
  return v.pipe(v.number(words), v.integer(words), v.minValue(1, words), v.maxValue(3600, words));
})();

/** An active-mode source port: a port, or 0 for one the kernel chooses (vsftpd connect_from_port_20=NO). */
const sourcePort = (() => {
  const words = expected('a port number 1-65535, or 0 for an ephemeral port');
  return v.pipe(
    v.number(words),
    v.integer(words),
    v.minValue(0, words),
    v.maxValue(65535, words),
    // -0 is 0: a link writes it as 0, and the scenario read back from it must be the same.
    v.transform((port) => (port === 0 ? 0 : port)),
  );
})();

const RANGE_TEXT = /^\s*(\d{1,5})\s*(?:[-:]\s*(\d{1,5})\s*)?$/;

/** "1024-65535", "1024:65535" or "21" as a range; only called on text RANGE_TEXT matched. */
function rangeOfText(text: string): PortRange {
  const [, from, to = from] = RANGE_TEXT.exec(text)!;
  return { from: Number(from), to: Number(to) };
}

const isPort = (p: number) => p >= 1 && p <= 65535;
const inOrder = (r: PortRange) => r.from <= r.to;
const ORDER = expected('a range whose first port is not above its last');

/**
 * A port range as a number (21), text ("1024-65535" or iptables' "1024:65535") or {from, to};
 * `excluding` is a port the range must leave out. Which form it is decides which checks apply, so
 * the message speaks of the form the file used; the value quoted is the one the file wrote.
 */
function portRange(excluding?: number) {
  const outside = (r: PortRange) =>
    excluding === undefined || r.to < excluding || r.from > excluding;
  const apart = expected(`a range that does not include port ${excluding}`);
  const single = v.pipe(
    portNumber,
    v.check((p) => outside({ from: p, to: p }), apart),
    v.transform((p): PortRange => ({ from: p, to: p })),
  );
  const written = v.pipe(
    v.string(),
    v.regex(RANGE_TEXT, expected('a port like 21 or a range like "1024-65535"')),
    v.check(
      (s) => isPort(rangeOfText(s).from) && isPort(rangeOfText(s).to),
      expected('ports between 1 and 65535'),
    ),
    v.check((s) => inOrder(rangeOfText(s)), ORDER),
    v.check((s) => outside(rangeOfText(s)), apart),
    v.transform(rangeOfText),
  );
  const spelled = v.pipe(
    closedRecord({ from: portNumber, to: portNumber }),
    v.check(inOrder, ORDER),
    v.check(outside, apart),
  );
  return v.lazy((input) =>
    typeof input === 'number' ? single : typeof input === 'string' ? written : spelled,
  );
}

const address = v.custom<string>(
  (value) => typeof value === 'string' && parseCidr(value).ok,
  expected(
    'an IPv4 address or network like "192.0.2.0/24" (four numbers 0-255, optionally "/" and a prefix length 0-32)',
  ),
);

const STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID'] as const satisfies readonly CtState[];

function ctStates(stateful: boolean) {
  const list = expected(`a list of conntrack states (${STATES.join(', ')})`);
  const states = v.pipe(v.array(v.unknown(), list), v.minLength(1, list), v.array(oneOf(STATES)));
  if (stateful) return states;
  const stateless = expected('no conntrack states in a stateless firewall (set "stateful": true)');
  return v.pipe(
    states,
    v.check(() => false, stateless),
  );
}

type RuleDraft = Omit<FirewallRule, 'name'> & { name?: string };

/** A rule between two fields, reported at `key` with that field's value quoted. */
function between(key: keyof RuleDraft, holds: (rule: RuleDraft) => boolean, what: string) {
  const words = (issue: v.CheckIssue<RuleDraft>) =>
    `expected ${what}, got ${previewValue(issue.input[key])}`;
  return v.forward<RuleDraft, v.CheckIssue<RuleDraft>, [keyof RuleDraft]>(v.check(holds, words), [
    key,
  ]);
}

/** A rule's fields as iptables writes them, the match before the target; the action is checked first. */
export const RULE_FIELDS = [
  'name',
  'direction',
  'protocol',
  'src',
  'dst',
  'srcPort',
  'dstPort',
  'tcpFlags',
  'state',
  'action',
  'rejectWith',
] as const;

/** One firewall rule; a stateless firewall's rules may not name conntrack states. */
function rule(stateful: boolean) {
  return v.pipe(
    closedRecord(
      {
        name: v.optional(singleLine(80)),
        action: oneOf(['ACCEPT', 'DROP', 'REJECT']),
        direction: v.optional(oneOf(['inbound', 'outbound'])),
        protocol: v.optional(oneOf(['tcp', 'icmp'])),
        src: v.optional(address),
        dst: v.optional(address),
        srcPort: v.optional(portRange()),
        dstPort: v.optional(portRange()),
        tcpFlags: v.optional(oneOf(['syn', 'not-syn'])),
        state: v.optional(ctStates(stateful)),
        rejectWith: v.optional(oneOf(REJECT_KINDS)),
      },
      RULE_FIELDS,
    ),
    between(
      'protocol',
      (r) => !(r.protocol === 'icmp' && (r.srcPort || r.dstPort)),
      '"tcp" when ports are given',
    ),
    between(
      'rejectWith',
      (r) => r.rejectWith === undefined || r.action === 'REJECT',
      'nothing unless the action is "REJECT"',
    ),
  );
}

const MAX_RULES = 100;

function firewallOf(stateful: boolean) {
  return closedRecord({
    stateful: v.optional(v.boolean(expected('true or false')), true),
    policy: v.optional(oneOf(['ACCEPT', 'DROP']), 'DROP'),
    rules: v.optional(
      v.pipe(
        v.array(rule(stateful), expected('a list of rules')),
        v.maxLength(
          MAX_RULES,
          (issue) =>
            `expected at most ${MAX_RULES} rules, got ${previewValue(`${(issue.input as unknown[]).length} rules`)}`,
        ),
        // A rule without a name is called by its place in the list, as the learner sees it listed
        // and as ruleLabel numbers it: the first is rule 1.
        v.transform((rules): FirewallRule[] =>
          rules.map((r, i) => ({ ...r, name: r.name || `rule ${i + 1}` })),
        ),
      ),
      () => [],
    ),
  });
}

const statefulFirewall = firewallOf(true);
const statelessFirewall = firewallOf(false);

/** One side's firewall, or null for none. Whether it is stateful decides how its rules read. */
export const firewallSchema = v.nullable(
  v.lazy((input) =>
    typeof input === 'object' &&
    input !== null &&
    (input as { stateful?: unknown }).stateful === false
      ? statelessFirewall
      : statefulFirewall,
  ),
);

function side(defaults: SideConfig) {
  return v.optional(
    closedRecord({
      firewall: v.optional(firewallSchema, defaults.firewall),
      nat: v.optional(v.boolean(expected('true or false')), defaults.nat),
      ftpHelper: v.optional(v.boolean(expected('true or false')), defaults.ftpHelper),
      natForward: v.optional(oneOf(['21', '21+passive']), defaults.natForward),
    }),
    () => ({ ...defaults }),
  );
}

/** Commands a scenario may script; RETR, STOR and CWD need an argument. */
const COMMAND =
  /^(?:(?:LIST|NLST)(?: [^\r\n]{1,200})?|(?:RETR|STOR|CWD) [^\r\n]{1,200}|CDUP|PWD|SYST|NOOP|FEAT)$/i;
/**
 * A name may be any Unicode text (it goes out as UTF-8, RFC 2640) except a control character (C0,
 * DEL, C1) or a lone surrogate, which has no UTF-8 form (see protocol/control-text.ts).
 */
const NOT_IN_A_COMMAND = /[\p{Cc}\p{Cs}]/u;

const command = (() => {
  const words = expected(
    'LIST, NLST, RETR <file>, STOR <file>, CWD <dir>, CDUP, PWD, SYST, NOOP or FEAT',
  );
  return v.pipe(
    v.string(words),
    v.check((c) => COMMAND.test(c.trim()) && !NOT_IN_A_COMMAND.test(c.trim()), words),
    v.transform((c) => {
      const [verb, ...rest] = c.trim().split(' ');
      return [verb!.toUpperCase(), ...rest].join(' ');
    }),
  );
})();

const commands = (() => {
  const words = expected(
    `a list of 1 to ${MAX_COMMANDS} FTP commands such as "LIST" or "RETR notes.txt"`,
  );
  // The length is checked before the commands: a list of 20,000 says so without reading them all.
  return v.pipe(
    v.array(v.unknown(), words),
    v.minLength(1, words),
    v.maxLength(MAX_COMMANDS, words),
    v.array(command),
  );
})();

export const scenarioSchema = closedRecord(
  {
    tcp: v.optional(oneOf(TCP_STACKS)),
    mode: v.optional(oneOf(DATA_MODES), base.mode),
    type: v.optional(oneOf(['ascii', 'binary']), base.type),
    pasvAddress: v.optional(oneOf(['trust', 'ignore']), base.pasvAddress),
    commands: v.optional(commands, () => [...base.commands]),
    client: v.optional(
      closedRecord({
        user: v.optional(singleLine(64), base.client.user),
        password: v.optional(singleLine(64), base.client.password),
        program: v.optional(oneOf(CLIENT_PROGRAMS)),
      }),
      () => ({ ...base.client }),
    ),
    server: v.optional(
      closedRecord({
        passivePorts: v.optional(portRange(21), () => ({ ...base.server.passivePorts })),
        advertise: v.optional(oneOf(['private', 'public']), base.server.advertise),
        activeSourcePort: v.optional(sourcePort, base.server.activeSourcePort),
        program: v.optional(oneOf(SERVER_PROGRAMS)),
        timeouts: v.optional(closedRecord({ connectS: timeoutSeconds, acceptS: timeoutSeconds })),
      }),
      () => ({ ...base.server, passivePorts: { ...base.server.passivePorts } }),
    ),
    clientSide: side(base.clientSide),
    serverSide: side(base.serverSide),
  },
  // Checked in the order above, listed in the order a scenario file is written.
  [
    'mode',
    'type',
    'commands',
    'pasvAddress',
    'client',
    'server',
    'clientSide',
    'serverSide',
    'tcp',
  ],
);

export const portRangeSchema = portRange();
export const addressSchema = address;

/** True when A and B are the same type; a mismatch fails to compile below. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// One schema gives the type and the check: the types in types.ts and network/firewall.ts (a layer
// below, which cannot import this) are asserted to be what the schemas give, both ways.
const typesAgree: [
  Same<v.InferOutput<typeof scenarioSchema>, Scenario>,
  Same<NonNullable<v.InferOutput<typeof firewallSchema>>, FirewallConfig>,
  Same<v.InferOutput<typeof portRangeSchema>, PortRange>,
] = [true, true, true];
void typesAgree;
