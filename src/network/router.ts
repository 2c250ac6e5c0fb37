import type { Packet, TcpSegment } from '../protocol/tcp';
import { ICMP_CODES } from '../protocol/tcp';
import { inCidr } from '../protocol/ipv4';
import { resetFor } from '../machines/tcp-wire';
import {
  Conntrack,
  invert,
  type ExpectationClock,
  packetTuple,
  viewOf,
  type Classification,
  type CtEntry,
  type Dir,
} from './conntrack';
import {
  evaluate,
  ruleLabel,
  type Direction,
  type FirewallConfig,
  type PortRange,
} from './firewall';
import { replacementText, scanControlPayload, splice } from './ftp-helper';
import type { NodeId, TraceLog, Tuple, Verdict } from './trace';

export interface PortForward {
  /** Destination ports on the router's public address that go to `to` (same port). */
  ports: PortRange;
  to: string;
}

export interface NatConfig {
  /** Source NAT of everything leaving the LAN to the router's public address (MASQUERADE). */
  masquerade: boolean;
  /** Destination NAT of arriving connections (port forwarding). */
  forwards: PortForward[];
}

export interface RouterConfig {
  id: NodeId;
  name: string;
  lanAddress: string;
  lanSubnet: string;
  wanAddress: string;
  firewall: FirewallConfig | null;
  nat: NatConfig | null;
  /** netfilter's FTP helper, assigned to port 21 (`-j CT --helper ftp`). */
  ftpHelper: boolean;
}

export interface RouterEnvironment {
  trace: TraceLog;
  /** The simulation's clock, for the FTP helper's expectation timeouts. */
  clock: ExpectationClock;
  /** Sends a packet on towards its destination from this router. */
  forward(from: NodeId, packet: Packet): void;
  /**
   * Sends a packet this router generates itself (a REJECT's answer); `announce` sees the stamped
   * packet before it leaves, so the trace can say why it exists before it travels.
   */
  originate(
    from: NodeId,
    packet: Omit<Packet, 'id' | 'ttl' | 'ipId'>,
    announce?: (packet: Packet) => void,
  ): void;
}

/** The standard FTP control port the helper watches (nf_conntrack_ftp ports=21). */
const FTP_CONTROL_PORT = 21;

/**
 * A Linux router on the forward path: conntrack, DNAT in PREROUTING, the filter's FORWARD chain,
 * the FTP helper, SNAT in POSTROUTING. The order matters and is netfilter's: rules see the
 * destination after DNAT and the source before SNAT.
 */
export class Router {
  readonly conntrack: Conntrack | null;

  constructor(
    readonly config: RouterConfig,
    private readonly env: RouterEnvironment,
  ) {
    const tracks = Boolean(config.firewall?.stateful || config.nat || config.ftpHelper);
    this.conntrack = tracks
      ? new Conntrack(env.clock, (expectation) =>
          env.trace.add({ type: 'expect', node: config.id, op: 'expire', expectation }),
        )
      : null;
  }

  get id(): NodeId {
    return this.config.id;
  }

  ownsAddress(address: string): boolean {
    return address === this.config.wanAddress || address === this.config.lanAddress;
  }

  receive(arrived: Packet, from: NodeId): void {
    const { trace } = this.env;
    const direction: Direction = from === 'internet' ? 'inbound' : 'outbound';
    const ct = this.conntrack;
    const cls: Classification | null = ct ? ct.classify(arrived) : null;

    // Conntrack, first in PREROUTING: the first packet an expectation matches creates its
    // connection and uses the expectation up there, before NAT and the filter (init_conntrack
    // unlinks it), so if the filter then drops that SYN the retransmission is NEW, not RELATED.
    if (ct && cls?.expectation) {
      ct.consumeExpectation(cls.expectation);
      trace.add({ type: 'expect', node: this.id, op: 'match', expectation: cls.expectation });
    }

    // PREROUTING: destination NAT (port forwarding, expected connections, replies to masquerade).
    let packet = arrived;
    if (cls) packet = this.translateDestination(packet, cls, direction);
    if (packet !== arrived) {
      trace.add({
        type: 'nat',
        node: this.id,
        kind: 'dnat',
        before: arrived,
        after: packet,
        detail: this.natDetail(arrived, packet),
      });
    }

    if (this.ownsAddress(packet.dst)) {
      const port = packet.tcp ? ` port ${packet.tcp.dstPort}` : '';
      trace.add({
        type: 'drop',
        node: this.id,
        packet,
        reason: `addressed to ${this.config.name} itself (${packet.dst}${port}), with no port forward for it; the router's own input policy drops it`,
      });
      return;
    }

    // FORWARD: the filter.
    const verdict: Verdict = this.config.firewall
      ? evaluate(this.config.firewall, packet, direction, cls?.state)
      : { action: 'ACCEPT', by: 'no-firewall', ...(cls ? { state: cls.state } : {}) };
    if (verdict.action !== 'ACCEPT') {
      this.refuse(arrived, packet, verdict, direction);
      return;
    }

    // Conntrack confirms the connection only for packets that got through (its expectation,
    // though, is already used up).
    let entry = cls?.entry ?? null;
    let dir: Dir = cls?.dir ?? 'orig';
    if (ct && cls && !entry && cls.state !== 'INVALID' && !packet.icmp) {
      entry = this.confirm(arrived, packet, cls, direction);
      dir = 'orig';
    } else if (ct && entry && !packet.icmp) {
      if (ct.updateTcpState(entry, dir, packet)) {
        trace.add({ type: 'conntrack', node: this.id, op: 'update', entry: viewOf(entry) });
      }
    }

    if (entry?.helper === 'ftp' && packet.tcp && packet.tcp.payload.length > 0) {
      packet = this.runFtpHelper(entry, dir, packet);
    }
    if (entry && ct) packet = ct.adjustSequence(entry, dir, packet);

    // POSTROUTING: source NAT.
    const beforeSnat = packet;
    if (entry) packet = this.translateSource(packet, entry, dir);
    if (packet !== beforeSnat) {
      trace.add({
        type: 'nat',
        node: this.id,
        kind: 'snat',
        before: beforeSnat,
        after: packet,
        detail: this.natDetail(beforeSnat, packet),
      });
    }

    trace.add({ type: 'forward', node: this.id, packet, verdict });
    this.env.forward(this.id, packet);
  }

  private natDetail(before: Packet, after: Packet): string {
    const endpoint = (address: string, port: number | undefined) =>
      port === undefined ? address : `${address}:${port}`;
    const parts: string[] = [];
    if (before.src !== after.src || before.tcp?.srcPort !== after.tcp?.srcPort) {
      parts.push(
        `source ${endpoint(before.src, before.tcp?.srcPort)} → ${endpoint(after.src, after.tcp?.srcPort)}`,
      );
    }
    if (before.dst !== after.dst || before.tcp?.dstPort !== after.tcp?.dstPort) {
      parts.push(
        `destination ${endpoint(before.dst, before.tcp?.dstPort)} → ${endpoint(after.dst, after.tcp?.dstPort)}`,
      );
    }
    return parts.join(', ');
  }

  private translateDestination(packet: Packet, cls: Classification, direction: Direction): Packet {
    if (packet.icmp) return cls.entry ? this.translateIcmpDestination(packet, cls) : packet;
    const tcp = packet.tcp;
    if (!tcp) return packet;
    if (cls.entry) {
      // The packet leaves with the inverse of the other direction's tuple.
      const other = cls.dir === 'orig' ? cls.entry.reply : cls.entry.orig;
      if (packet.dst === other.src && tcp.dstPort === other.srcPort) return packet;
      return { ...packet, dst: other.src, tcp: { ...tcp, dstPort: other.srcPort } };
    }
    if (cls.expectation?.natTo) {
      const to = cls.expectation.natTo;
      return { ...packet, dst: to.address, tcp: { ...tcp, dstPort: to.port } };
    }
    const nat = this.config.nat;
    if (nat && direction === 'inbound' && packet.dst === this.config.wanAddress) {
      const forward = nat.forwards.find(
        (f) => tcp.dstPort >= f.ports.from && tcp.dstPort <= f.ports.to,
      );
      if (forward) return { ...packet, dst: forward.to };
    }
    return packet;
  }

  private translateSource(packet: Packet, entry: CtEntry, dir: Dir): Packet {
    const tcp = packet.tcp;
    if (!tcp) return packet;
    const other = dir === 'orig' ? entry.reply : entry.orig;
    if (packet.src === other.dst && tcp.srcPort === other.dstPort) return packet;
    return { ...packet, src: other.dst, tcp: { ...tcp, srcPort: other.dstPort } };
  }

  /** ICMP errors about a NATed connection are translated too, quoted header included. */
  private translateIcmpDestination(packet: Packet, cls: Classification): Packet {
    const icmp = packet.icmp;
    const entry = cls.entry;
    if (!icmp || !entry) return packet;
    const q = icmp.original;
    // The quoted packet was sent by the side whose tuple matches it; that side gets the error.
    const quotedTuple: Tuple = {
      proto: 'tcp',
      src: q.src,
      srcPort: q.srcPort,
      dst: q.dst,
      dstPort: q.dstPort,
    };
    const sender = this.senderOf(entry, quotedTuple);
    if (!sender) return packet;
    if (packet.dst === sender.src && q.src === sender.src && q.srcPort === sender.srcPort)
      return packet;
    return {
      ...packet,
      dst: sender.src,
      icmp: { ...icmp, original: { ...q, src: sender.src, srcPort: sender.srcPort } },
    };
  }

  /** Which original tuple (pre-NAT, as its sender wrote it) the quoted packet belongs to. */
  private senderOf(entry: CtEntry, quoted: Tuple): Tuple | null {
    const sameEnds = (a: Tuple, b: Tuple) => a.dst === b.dst && a.dstPort === b.dstPort;
    // A packet of the original direction, as it looked after this router translated it, has the
    // reply tuple's inverse; of the reply direction, the original tuple's inverse.
    if (sameEnds(quoted, invert(entry.reply)) || sameEnds(quoted, entry.orig)) return entry.orig;
    if (sameEnds(quoted, invert(entry.orig)) || sameEnds(quoted, entry.reply)) return entry.reply;
    return null;
  }

  private confirm(
    arrived: Packet,
    translated: Packet,
    cls: Classification,
    direction: Direction,
  ): CtEntry {
    const ct = this.conntrack!;
    const orig = packetTuple(arrived);
    let replyDst = orig.src;
    let replyDstPort = orig.srcPort;
    const nat = this.config.nat;
    if (nat?.masquerade && direction === 'outbound' && arrived.src !== this.config.wanAddress) {
      replyDst = this.config.wanAddress;
      replyDstPort = orig.srcPort;
      // Linux keeps the source port unless another connection already uses it (nf_nat_used_tuple).
      while (
        ct.replyTupleTaken({
          proto: orig.proto,
          src: translated.dst,
          srcPort: translated.tcp?.dstPort ?? 0,
          dst: replyDst,
          dstPort: replyDstPort,
        })
      ) {
        replyDstPort = replyDstPort >= 65535 ? 1024 : replyDstPort + 1;
      }
    }
    const reply: Tuple = {
      proto: orig.proto,
      src: translated.dst,
      srcPort: translated.tcp?.dstPort ?? 0,
      dst: replyDst,
      dstPort: replyDstPort,
    };
    const helper = this.config.ftpHelper && orig.dstPort === FTP_CONTROL_PORT ? 'ftp' : null;
    const entry = ct.create(orig, reply, { helper, master: cls.expectation });
    ct.updateTcpState(entry, 'orig', arrived);
    this.env.trace.add({ type: 'conntrack', node: this.id, op: 'new', entry: viewOf(entry) });
    return entry;
  }

  /**
   * nf_conntrack_ftp: a PORT/EPRT from the client or a 227/229 from the server announces a data
   * connection; register it as expected, so its first packet is RELATED. With NAT, nf_nat_ftp also
   * rewrites the announced address to the public one. Like the helper's default (loose=0), an
   * address that is not the sender's own is ignored: nothing is expected and nothing rewritten.
   */
  private runFtpHelper(entry: CtEntry, dir: Dir, packet: Packet): Packet {
    const tcp = packet.tcp!;
    const finding = scanControlPayload(tcp.payload, dir);
    if (!finding) return packet;
    const ct = this.conntrack!;
    const trace = this.env.trace;
    // Who sends this line (pre-NAT) and who will open the data connection, as seen arriving here.
    const sender = dir === 'orig' ? entry.orig.src : entry.reply.src;
    const peer = dir === 'orig' ? entry.reply.src : entry.orig.src;
    // The sender's address as the far side sees it (after this router's NAT).
    const publicAddress = dir === 'orig' ? entry.reply.dst : entry.orig.dst;
    const announced = finding.address ?? sender;
    if (announced !== sender) {
      trace.add({
        type: 'note',
        node: this.id,
        text: `FTP helper ignored "${finding.line}": it names ${announced}, not the sender's own address ${sender}, so nothing is expected or rewritten`,
      });
      return packet;
    }
    const rewrites = publicAddress !== sender;
    const expectation = ct.addExpectation({
      masterId: entry.id,
      src: peer,
      dst: rewrites ? publicAddress : announced,
      dstPort: finding.port,
      natTo: rewrites ? { address: announced, port: finding.port } : null,
      cause: finding.line,
    });
    trace.add({ type: 'expect', node: this.id, op: 'add', expectation });
    if (!rewrites || finding.kind === '229') return packet;
    const text = replacementText(finding, publicAddress, finding.port);
    const payload = splice(tcp.payload, finding.start, finding.end, text);
    const delta = payload.length - tcp.payload.length;
    if (delta !== 0) ct.addSeqOffset(entry, dir, tcp.seq, delta);
    const after: Packet = { ...packet, tcp: { ...tcp, payload } };
    trace.add({
      type: 'nat',
      node: this.id,
      kind: 'alg',
      before: packet,
      after,
      detail: `FTP helper rewrote ${finding.kind} address ${announced} → ${publicAddress}${delta !== 0 ? ` (payload ${delta > 0 ? '+' : ''}${delta} bytes; later sequence numbers shifted to match)` : ''}`,
    });
    return after;
  }

  /** DROP stays silent; REJECT answers the sender at once (ipt_REJECT). */
  private refuse(arrived: Packet, seen: Packet, verdict: Verdict, direction: Direction): void {
    const { trace } = this.env;
    const who =
      verdict.by === 'rule' ? ruleLabel(verdict) : `the default policy (${verdict.action})`;
    const reason = `${verdict.action === 'DROP' ? 'dropped' : 'rejected'} by ${this.config.name}'s ${who}${verdict.state ? `; conntrack state ${verdict.state}` : ''}`;
    if (verdict.action === 'DROP') {
      trace.add({ type: 'drop', node: this.id, packet: seen, reason, verdict });
      return;
    }
    const rule =
      verdict.by === 'rule' ? this.config.firewall?.rules[verdict.ruleNumber! - 1] : undefined;
    const rejectWith = rule?.rejectWith ?? 'icmp-port-unreachable';
    // A RST is only sent for TCP (and never for a RST); otherwise the ICMP answer.
    const useReset = rejectWith === 'tcp-reset' && arrived.tcp && !arrived.tcp.flags.rst;
    const response: Omit<Packet, 'id' | 'ttl' | 'ipId'> = useReset
      ? {
          src: arrived.dst,
          dst: arrived.src,
          tcp: resetFor(arrived.tcp as TcpSegment),
          channel: arrived.channel,
        }
      : {
          src: direction === 'inbound' ? this.config.wanAddress : this.config.lanAddress,
          dst: arrived.src,
          icmp: {
            type: 3,
            code:
              rejectWith === 'icmp-admin-prohibited'
                ? ICMP_CODES.adminProhibited
                : ICMP_CODES.portUnreachable,
            original: {
              src: arrived.src,
              dst: arrived.dst,
              srcPort: arrived.tcp?.srcPort ?? 0,
              dstPort: arrived.tcp?.dstPort ?? 0,
              seq: arrived.tcp?.seq ?? 0,
            },
          },
          channel: arrived.channel,
        };
    this.env.originate(this.id, response, (stamped) =>
      trace.add({
        type: 'reject',
        node: this.id,
        packet: seen,
        reason,
        verdict,
        response: stamped,
      }),
    );
  }

  /** Next hop for a destination: the LAN host, or the Internet. */
  routeFor(dst: string, lanHost: NodeId): NodeId {
    return inCidr(dst, this.config.lanSubnet) ? lanHost : 'internet';
  }
}
