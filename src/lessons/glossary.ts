/**
 * Words a student can look up: the course's vocabulary, each with a short definition in plain
 * language. Lesson prose links the first use of a term in each block to its entry (see
 * markdown.ts); tables and the stage use the same entries by id. Definitions are plain text, a
 * sentence or three, and say where a word means one thing to netfilter and another to TCP.
 */
export interface GlossaryEntry {
  id: string;
  /** The heading of the entry. */
  term: string;
  definition: string;
  /** How the term is written in prose. All-capital words match only in capitals ("NEW"). */
  matches: RegExp;
  /** Other entries worth reading next. */
  seeAlso?: string[];
}

export const GLOSSARY: readonly GlossaryEntry[] = [
  {
    id: 'new',
    term: 'NEW (netfilter)',
    definition:
      "netfilter's state for a packet that starts a connection the firewall has not seen before, usually a first SYN. It is the firewall's word, not TCP's: a TCP socket is never in a state called NEW.",
    matches: /\bNEW\b/,
    seeAlso: ['established', 'related', 'conntrack'],
  },
  {
    id: 'established',
    term: 'ESTABLISHED (netfilter and TCP)',
    definition:
      "Two different things with one name. In a firewall rule it is netfilter's state for a packet of a connection it has already seen packets of in both directions: the server's SYN-ACK is already ESTABLISHED to the firewall. In TCP it is a socket's state once its three-way handshake is done.",
    matches: /\bESTABLISHED\b/,
    seeAlso: ['new', 'related', 'tcp-state'],
  },
  {
    id: 'related',
    term: 'RELATED (netfilter)',
    definition:
      "netfilter's state for a packet that starts a new connection the firewall was expecting because of another one: an FTP data connection announced on the control connection and read by the FTP helper, or an ICMP error about an existing connection. A rule that accepts RELATED lets that one connection in without opening a range of ports.",
    matches: /\bRELATED\b/,
    seeAlso: ['expectation', 'ftp-helper'],
  },
  {
    id: 'tcp-state',
    term: "TCP's states",
    definition:
      "The states of one end of a TCP connection, as RFC 9293 names them: LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1 and the other closing states, TIME_WAIT, CLOSED. Each socket has its own. A firewall's connection tracking follows the same connection with states of its own (NEW, ESTABLISHED, RELATED) that its rules test.",
    matches: /\b(SYN_SENT|SYN_RECEIVED|TIME_WAIT|FIN_WAIT_[12]|CLOSE_WAIT|LAST_ACK)\b/,
    seeAlso: ['established', 'conntrack'],
  },
  {
    id: 'conntrack',
    term: 'Connection tracking (conntrack)',
    definition:
      "A firewall's table of the connections it has seen (nf_conntrack in Linux): for each, the addresses and ports both ways, the TCP state as the firewall follows it, and flags such as UNREPLIED. A stateful firewall's rules ask this table whether a packet is NEW, ESTABLISHED or RELATED.",
    matches: /\bconntrack\b|\bconnection[- ]tracking\b/i,
    seeAlso: ['stateful', 'expectation'],
  },
  {
    id: 'expectation',
    term: 'Expectation',
    definition:
      'An entry the FTP helper adds to connection tracking when it reads a PORT, EPRT, 227 or 229 line: "a connection from this address to that address and port is coming". The connection that matches it is RELATED. An expectation is used once, and expires if nothing comes.',
    matches: /\bexpectations?\b/i,
    seeAlso: ['ftp-helper', 'related'],
  },
  {
    id: 'ftp-helper',
    term: 'FTP helper',
    definition:
      'A part of the firewall (nf_conntrack_ftp in Linux) that reads the FTP control connection on port 21, finds the address and port of each data connection announced there, and adds an expectation for it. With NAT it also rewrites the addresses in those lines. It can only read what it can see: not an encrypted control connection, and not one on a port it does not watch.',
    matches: /\bFTP helpers?\b|\bconntrack helpers?\b/i,
    seeAlso: ['expectation', 'alg'],
  },
  {
    id: 'alg',
    term: 'ALG (application-level gateway)',
    definition:
      "A router feature that reads an application's messages as they pass and changes them, here the FTP lines that carry an address. Linux's FTP helper together with NAT is one; many home routers have one switched on.",
    matches: /\bALGs?\b|\bapplication[- ]level gateways?\b/,
    seeAlso: ['ftp-helper', 'nat'],
  },
  {
    id: 'nat',
    term: 'NAT (network address translation)',
    definition:
      'A router rewrites the addresses, and often the ports, of packets as they pass, and remembers each mapping in connection tracking so that the replies can be rewritten back. It rewrites headers only: an address written inside an FTP line is left as it is unless an ALG changes it.',
    matches: /\bNAT\b/,
    seeAlso: ['snat', 'dnat', 'masquerade', 'alg'],
  },
  {
    id: 'snat',
    term: 'SNAT (source NAT)',
    definition:
      'The router rewrites the source address of packets that leave through it, usually a private address into its own public one, and the destination of the replies back again.',
    matches: /\bSNAT\b/,
    seeAlso: ['masquerade', 'dnat'],
  },
  {
    id: 'dnat',
    term: 'DNAT (destination NAT)',
    definition:
      'The router rewrites the destination address (and port) of packets that arrive, for example to send what reaches port 21 of its public address on to a server behind it: "port forwarding".',
    matches: /\bDNAT\b|\bport forwarding\b/,
    seeAlso: ['snat', 'nat'],
  },
  {
    id: 'masquerade',
    term: 'Masquerade',
    definition:
      "Source NAT to whatever address the router's outgoing interface has at the moment: what a home router does for every device behind it.",
    matches: /\bmasquerad(e|es|ed|ing)\b/i,
    seeAlso: ['snat', 'nat'],
  },
  {
    id: 'passive-range',
    term: 'Passive port range',
    definition:
      'The ports an FTP server picks from for passive-mode data connections (pasv_min_port to pasv_max_port in vsftpd). A firewall in front of the server must let connections into that range, or read the 227 replies with an FTP helper.',
    matches: /\bpassive (port )?range\b|\bpassive ports\b/i,
    seeAlso: ['ephemeral-port', 'ftp-helper'],
  },
  {
    id: 'ephemeral-port',
    term: 'Ephemeral port',
    definition:
      "A port the operating system picks for its end of a connection when the program does not ask for one (32768 to 60999 on Linux by default). The client's end of every connection it opens, and its listening port in active mode, come from this range.",
    matches: /\bephemeral (port|range)s?\b/i,
    seeAlso: ['passive-range'],
  },
  {
    id: 'stateful',
    term: 'Stateful firewall',
    definition:
      'A firewall that keeps connection tracking, so a rule can ask whether a packet belongs to a connection already seen (ESTABLISHED), is expected (RELATED) or starts something new (NEW). It is what lets replies in without opening ports for them.',
    matches: /\bstateful\b/i,
    seeAlso: ['stateless', 'conntrack'],
  },
  {
    id: 'stateless',
    term: 'Stateless firewall',
    definition:
      'A firewall that judges each packet by its own headers only (addresses, ports, flags), with no memory of earlier packets. To let replies in it must open ports by number, which is how the insecure "source port 20" rule comes about.',
    matches: /\bstateless\b/i,
    seeAlso: ['stateful'],
  },
  {
    id: 'drop',
    term: 'DROP',
    definition:
      'A firewall action: the packet is thrown away and nobody is told. The sender hears nothing and sends its SYN again, waiting longer each time, until it gives up: a failure that takes a long time to show.',
    matches: /\bDROP\b/,
    seeAlso: ['reject'],
  },
  {
    id: 'reject',
    term: 'REJECT',
    definition:
      'A firewall action: the packet is thrown away and the sender is told at once, with a TCP RST or an ICMP "unreachable" message, so the failure shows in milliseconds.',
    matches: /\bREJECT\b/,
    seeAlso: ['drop'],
  },
];

const BY_ID = new Map(GLOSSARY.map((entry) => [entry.id, entry]));

export function glossaryEntry(id: string): GlossaryEntry | undefined {
  return BY_ID.get(id);
}

export interface TermMatch {
  entry: GlossaryEntry;
  start: number;
  end: number;
}

/** The first use of each term in some text, in order, not overlapping; `skip` lists ids already linked. */
export function findTerms(text: string, skip: ReadonlySet<string> = new Set()): TermMatch[] {
  const found: TermMatch[] = [];
  for (const entry of GLOSSARY) {
    if (skip.has(entry.id)) continue;
    const match = entry.matches.exec(text);
    if (match) found.push({ entry, start: match.index, end: match.index + match[0].length });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: TermMatch[] = [];
  for (const match of found) if (!kept.some((k) => match.start < k.end)) kept.push(match);
  return kept;
}
