import type { Packet } from '../protocol/tcp';
import { packetLength } from '../protocol/tcp';
import { inCidr, isRoutableOnInternet } from '../protocol/ipv4';
import { EventQueue } from './event-queue';
import { Host, type TcpSettings } from './host';
import { Router, type RouterConfig } from './router';
import { TraceLog, type NodeId } from './trace';

export interface LinkConfig {
  /** One-way propagation delay. */
  latencyMs: number;
  /** Serialisation rate: a 1500-byte packet takes 1.2 ms at 10 Mbit/s. */
  bandwidthMbps: number;
}

export interface WorldConfig {
  clientAddress: string;
  serverAddress: string;
  clientRouter: RouterConfig;
  serverRouter: RouterConfig;
  links: {
    clientLan: LinkConfig;
    clientWan: LinkConfig;
    serverWan: LinkConfig;
    serverLan: LinkConfig;
  };
  tcp: TcpSettings;
}

interface LinkState extends LinkConfig {
  busyUntil: number;
}

const NEIGHBOURS: Record<NodeId, NodeId[]> = {
  client: ['client-router'],
  'client-router': ['client', 'internet'],
  internet: ['client-router', 'server-router'],
  'server-router': ['internet', 'server'],
  server: ['server-router'],
};

/**
 * The simulated network: client — client router — Internet — server router — server, joined by
 * links with latency and bandwidth, driven by one event queue.
 */
export class World {
  readonly queue = new EventQueue();
  readonly trace = new TraceLog(this.queue);
  readonly client: Host;
  readonly server: Host;
  readonly clientRouter: Router;
  readonly serverRouter: Router;
  /** Packets on a link right now; the run is over when none are and the client is done. */
  inFlight = 0;
  private nextPacketId = 1;
  private nextIpId: Partial<Record<NodeId, number>> = {};
  private links: Partial<Record<NodeId, Partial<Record<NodeId, LinkState>>>> = {};
  /** The Internet's routing decision per destination; addresses never change during a run. */
  private internetRoutes = new Map<string, NodeId | null>();

  constructor(readonly config: WorldConfig) {
    const hostEnv = {
      queue: this.queue,
      trace: this.trace,
      tcp: config.tcp,
      transmit: (from: NodeId, packet: Omit<Packet, 'id' | 'ttl' | 'ipId'>) =>
        this.originate(from, packet),
    };
    this.client = new Host('client', config.clientAddress, hostEnv);
    this.server = new Host('server', config.serverAddress, hostEnv);
    const routerEnv = {
      trace: this.trace,
      clock: this.queue,
      forward: (from: NodeId, packet: Packet) => this.forward(from, packet),
      originate: (
        from: NodeId,
        packet: Omit<Packet, 'id' | 'ttl' | 'ipId'>,
        announce?: (p: Packet) => void,
      ) => this.originate(from, packet, announce),
    };
    this.clientRouter = new Router(config.clientRouter, routerEnv);
    this.serverRouter = new Router(config.serverRouter, routerEnv);
    const { clientLan, clientWan, serverWan, serverLan } = config.links;
    this.addLink('client', 'client-router', clientLan);
    this.addLink('client-router', 'internet', clientWan);
    this.addLink('internet', 'server-router', serverWan);
    this.addLink('server-router', 'server', serverLan);
  }

  private addLink(a: NodeId, b: NodeId, config: LinkConfig): void {
    (this.links[a] ??= {})[b] = { ...config, busyUntil: 0 };
    (this.links[b] ??= {})[a] = { ...config, busyUntil: 0 };
  }

  /** Stamps a new packet (id, TTL 64, IP id) and sends it from the node that made it. */
  originate(
    from: NodeId,
    partial: Omit<Packet, 'id' | 'ttl' | 'ipId'>,
    announce?: (p: Packet) => void,
  ): Packet {
    const ipId = this.nextIpId[from] ?? 1;
    this.nextIpId[from] = (ipId + 1) & 0xffff;
    // One property order for every packet keeps them one object shape for the JIT.
    const packet: Packet = {
      id: this.nextPacketId++,
      src: partial.src,
      dst: partial.dst,
      ttl: 64,
      ipId,
      tcp: partial.tcp,
      icmp: partial.icmp,
      channel: partial.channel,
    };
    announce?.(packet);
    this.trace.add({ type: 'send', node: from, packet });
    this.forward(from, packet);
    return packet;
  }

  /** Puts a packet on the link to its next hop, behind whatever that link is still sending. */
  forward(from: NodeId, packet: Packet): void {
    const to = this.nextHop(from, packet.dst);
    if (!to) {
      const reason = isRoutableOnInternet(packet.dst)
        ? `no route to ${packet.dst}: no network on the Internet has that address`
        : `no route to ${packet.dst}: it is a private address (RFC 1918), which the Internet does not route`;
      this.trace.add({ type: 'drop', node: from, packet, reason });
      return;
    }
    const outgoing =
      from === 'client' || from === 'server' ? packet : { ...packet, ttl: packet.ttl - 1 };
    const link = this.links[from]![to]!;
    const now = this.queue.now;
    const departAt = Math.max(now, link.busyUntil);
    const serialisation = (packetLength(outgoing) * 8) / (link.bandwidthMbps * 1000);
    link.busyUntil = departAt + serialisation;
    const arriveAt = departAt + serialisation + link.latencyMs;
    this.trace.addAt({ t: departAt, type: 'hop', from, to, packet: outgoing, arriveAt });
    this.inFlight++;
    this.queue.schedule(arriveAt, () => {
      this.inFlight--;
      this.arrive(to, from, outgoing);
    });
  }

  private arrive(at: NodeId, from: NodeId, packet: Packet): void {
    switch (at) {
      case 'client':
      case 'server': {
        const host = at === 'client' ? this.client : this.server;
        // A host only accepts what is addressed to it; anything else is silently discarded.
        if (packet.dst !== host.address) {
          this.trace.add({
            type: 'drop',
            node: at,
            packet,
            reason: `${packet.dst} is not this host's address`,
          });
          return;
        }
        const delivered = {
          t: this.queue.now,
          type: 'deliver' as const,
          node: at,
          packet,
          actor: null as string | null,
        };
        this.trace.addAt(delivered);
        delivered.actor = host.receive(packet);
        return;
      }
      case 'client-router':
        return this.clientRouter.receive(packet, from);
      case 'server-router':
        return this.serverRouter.receive(packet, from);
      case 'internet':
        // The Internet only routes: its hop onwards (or a drop for no route) is the whole record.
        return this.forward('internet', packet);
    }
  }

  private nextHop(from: NodeId, dst: string): NodeId | null {
    switch (from) {
      case 'client':
        return 'client-router';
      case 'server':
        return 'server-router';
      case 'client-router':
        return this.clientRouter.routeFor(dst, 'client');
      case 'server-router':
        return this.serverRouter.routeFor(dst, 'server');
      case 'internet': {
        let route = this.internetRoutes.get(dst);
        if (route === undefined) {
          route = this.isBehind(this.config.clientRouter, dst)
            ? 'client-router'
            : this.isBehind(this.config.serverRouter, dst)
              ? 'server-router'
              : null;
          this.internetRoutes.set(dst, route);
        }
        return route;
      }
    }
  }

  /** Which addresses the Internet routes to a router: its own, and its LAN unless that is NATed. */
  private isBehind(router: RouterConfig, dst: string): boolean {
    if (dst === router.wanAddress) return true;
    return !router.nat && isRoutableOnInternet(dst) && inCidr(dst, router.lanSubnet);
  }

  get neighbours(): Record<NodeId, NodeId[]> {
    return NEIGHBOURS;
  }
}
