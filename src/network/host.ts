import type { Channel, Packet, TcpSegment } from '../protocol/tcp';
import { formatEndpoint, type Endpoint } from '../protocol/endpoint';
import { tcpSocketMachine, type CloseReason, type TcpEvent } from '../machines/tcp-socket';
import { resetFor } from '../machines/tcp-wire';
import type { SynSchedule } from '../machines/tcp-profile';
import type { EventQueue } from './event-queue';
import { fnv1a } from './hash';
import type { ActorMachine, NodeId, TraceLog } from './trace';
import { TransitionRecorder } from '../machines/runtime/record-transitions';
import { SimActor } from '../machines/runtime/sim-actor';

export interface TcpSettings {
  synRetries: number;
  /** The active open's SYN schedule (tcp-profile.ts); without it, RFC 6298 from synRetries. */
  synSchedule?: SynSchedule;
  synAckRetries: number;
  initialRtoMs: number;
  timeWaitMs: number;
  mss: number;
}

export interface SocketHandlers {
  connected?: () => void;
  data?: (data: Uint8Array) => void;
  peerClosed?: () => void;
  closed?: (reason: CloseReason, detail: string | null) => void;
}

/** What a host needs from the world around it. */
export interface HostEnvironment {
  queue: EventQueue;
  trace: TraceLog;
  tcp: TcpSettings;
  /** Puts a packet the host originates onto its link. */
  transmit(from: NodeId, packet: Omit<Packet, 'id' | 'ttl' | 'ipId'>): void;
}

/** A tcp-socket actor and the one way events reach it, so each transition is recorded with its cause. */
interface TcpActor {
  id: string;
  actor: SimActor<typeof tcpSocketMachine>;
  send(event: TcpEvent): void;
}

/** A connected (or connecting) TCP socket: one tcp-socket actor plus the application's handlers. */
export class Socket {
  handlers: SocketHandlers = {};
  constructor(
    readonly id: string,
    readonly actor: TcpActor,
    readonly local: Endpoint,
    readonly remote: Endpoint,
    readonly channel: Channel,
  ) {}

  send(data: Uint8Array): void {
    this.actor.send({ type: 'SEND', data });
  }

  close(): void {
    this.actor.send({ type: 'CLOSE' });
  }

  abort(): void {
    this.actor.send({ type: 'ABORT' });
  }

  get state(): string {
    return String(this.actor.actor.getSnapshot().value);
  }
}

export interface Listener {
  id: string;
  port: number;
  close(): void;
}

/**
 * The events each tcp-socket state has a transition for, read from the machine itself. An event
 * its state does not handle changes neither state nor context, so it is not sent at all: the
 * result, and the trace, are the same without the machine step (an application closing a socket
 * that is already closing, say).
 */
const HANDLED_EVENTS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(tcpSocketMachine.states).map(([state, node]) => [
    state,
    new Set(Object.keys(node.on)),
  ]),
);

/**
 * Sockets by their 4-tuple (the local address is the host's own). The ports make a number key,
 * so a segment's lookup builds no string; the few sockets sharing both ports are told apart by
 * the remote address.
 */
class SocketTable {
  private readonly byPorts = new Map<number, Socket[]>();

  private static ports(localPort: number, remotePort: number): number {
    return localPort * 65536 + remotePort;
  }

  get(localPort: number, remoteAddress: string, remotePort: number): Socket | undefined {
    const list = this.byPorts.get(SocketTable.ports(localPort, remotePort));
    if (list === undefined) return undefined;
    for (const socket of list) if (socket.remote.address === remoteAddress) return socket;
    return undefined;
  }

  /** Adds the socket, replacing one with the same 4-tuple. */
  set(socket: Socket): void {
    const ports = SocketTable.ports(socket.local.port, socket.remote.port);
    const list = (this.byPorts.get(ports) ?? []).filter(
      (s) => s.remote.address !== socket.remote.address,
    );
    list.push(socket);
    this.byPorts.set(ports, list);
  }

  /** Removes the socket if it is still the one with its 4-tuple. */
  delete(socket: Socket): void {
    const ports = SocketTable.ports(socket.local.port, socket.remote.port);
    const list = this.byPorts.get(ports);
    if (!list?.includes(socket)) return;
    if (list.length === 1) this.byPorts.delete(ports);
    else list.splice(list.indexOf(socket), 1);
  }

  hasLocalPort(port: number): boolean {
    for (const list of this.byPorts.values()) if (list[0]!.local.port === port) return true;
    return false;
  }
}

/**
 * An end host's TCP stack: demultiplexes arriving segments to sockets by their 4-tuple, forks a
 * new socket from a listener on SYN, and answers segments for unknown ports with RST
 * (RFC 9293 §3.10.7.1).
 */
export class Host {
  private sockets = new SocketTable();
  private listeners = new Map<
    number,
    {
      id: string;
      actor: TcpActor;
      label: string;
      channel: Channel;
      onAccept: (s: Socket) => void;
    }
  >();
  private usedPorts = new Set<number>();
  private actorCount = 0;
  private portCursor: number;

  constructor(
    readonly id: NodeId,
    readonly address: string,
    private readonly env: HostEnvironment,
    /** Linux's default ephemeral range, net.ipv4.ip_local_port_range. */
    private readonly ephemeral = { from: 32768, to: 60999 },
  ) {
    this.portCursor = fnv1a(`${id}:${address}`) % (ephemeral.to - ephemeral.from + 1);
  }

  /** A free port from the ephemeral range; deterministic per host. */
  ephemeralPort(): number {
    const span = this.ephemeral.to - this.ephemeral.from + 1;
    for (let i = 0; i < span; i++) {
      const port = this.ephemeral.from + ((this.portCursor + i * 7) % span);
      if (!this.usedPorts.has(port)) {
        this.portCursor = (this.portCursor + (i + 1) * 7) % span;
        return port;
      }
    }
    throw new Error(`${this.id} has no free ephemeral port`);
  }

  isPortInUse(port: number): boolean {
    return this.usedPorts.has(port) || this.listeners.has(port);
  }

  listen(
    port: number,
    channel: Channel,
    label: string,
    onAccept: (socket: Socket) => void,
  ): Listener {
    if (this.listeners.has(port)) throw new Error(`${this.id} already listens on ${port}`);
    const actor = this.createTcpActor(
      label,
      channel,
      { address: this.address, port },
      { address: '0.0.0.0', port: 0 },
    );
    actor.actor.start();
    actor.send({ type: 'OPEN_PASSIVE' });
    const id = actor.id;
    this.listeners.set(port, { id, actor, label, channel, onAccept });
    return {
      id,
      port,
      close: () => {
        if (this.listeners.get(port)?.id === id) this.listeners.delete(port);
        actor.send({ type: 'CLOSE' });
      },
    };
  }

  connect(options: {
    remote: Endpoint;
    localPort?: number;
    channel: Channel;
    label: string;
  }): Socket {
    const localPort = options.localPort ?? this.ephemeralPort();
    const local = { address: this.address, port: localPort };
    const socket = this.openSocket(options.label, options.channel, local, options.remote);
    socket.actor.send({ type: 'OPEN_ACTIVE' });
    return socket;
  }

  /** A packet for this host has arrived from the link. Returns the id of the actor it went to. */
  receive(packet: Packet): string | null {
    if (packet.icmp) {
      // RFC 1122 §4.2.3.9: pass ICMP errors to the connection named by the quoted header.
      const quoted = packet.icmp.original;
      const socket = this.sockets.get(quoted.srcPort, quoted.dst, quoted.dstPort);
      if (!socket) return null;
      socket.actor.send({ type: 'ICMP_UNREACHABLE', code: packet.icmp.code });
      return socket.id;
    }
    const segment = packet.tcp;
    if (!segment) return null;
    const socket = this.sockets.get(segment.dstPort, packet.src, segment.srcPort);
    if (socket) {
      socket.actor.send({ type: 'SEGMENT', segment });
      return socket.id;
    }
    const listener = this.listeners.get(segment.dstPort);
    const remote = { address: packet.src, port: segment.srcPort };
    if (listener && segment.flags.syn && !segment.flags.ack && !segment.flags.rst) {
      const local = { address: this.address, port: segment.dstPort };
      const forked = this.openSocket(
        `connection accepted by the ${listener.label}`,
        listener.channel,
        local,
        remote,
      );
      forked.handlers.connected = () => listener.onAccept(forked);
      forked.actor.send({ type: 'OPEN_PASSIVE' });
      forked.actor.send({ type: 'SEGMENT', segment });
      return forked.id;
    }
    if (listener) {
      listener.actor.send({ type: 'SEGMENT', segment });
      return listener.id;
    }
    if (!segment.flags.rst) this.sendSegment(packet.channel, remote, resetFor(segment));
    return null;
  }

  private openSocket(label: string, channel: Channel, local: Endpoint, remote: Endpoint): Socket {
    const actor = this.createTcpActor(label, channel, local, remote);
    const socket = new Socket(actor.id, actor, local, remote, channel);
    this.sockets.set(socket);
    this.usedPorts.add(local.port);
    // The application is woken once the stack has finished with the segment, as a process is
    // woken after the kernel: what it then sends on any socket goes out in the order it wrote it.
    const wake = (notify: () => void) => this.env.queue.schedule(this.env.queue.now, notify);
    actor.actor.on('connected', () => wake(() => socket.handlers.connected?.()));
    actor.actor.on('data', (e) => wake(() => socket.handlers.data?.(e.data)));
    actor.actor.on('peer-closed', () => wake(() => socket.handlers.peerClosed?.()));
    actor.actor.on('closed', (e) => {
      this.sockets.delete(socket);
      if (!this.sockets.hasLocalPort(local.port)) this.usedPorts.delete(local.port);
      wake(() => socket.handlers.closed?.(e.reason, e.detail));
    });
    actor.actor.start();
    return socket;
  }

  private createTcpActor(
    label: string,
    channel: Channel,
    local: Endpoint,
    remote: Endpoint,
  ): TcpActor {
    const id = `${this.id}/tcp-${++this.actorCount}`;
    const { tcp, queue, trace } = this.env;
    const actor = new SimActor(tcpSocketMachine, id, queue, {
      local,
      remote,
      iss: fnv1a(
        `iss:${local.address}:${local.port}>${remote.address}:${remote.port}#${this.actorCount}`,
      ),
      synRetries: tcp.synRetries,
      ...(tcp.synSchedule ? { synSchedule: tcp.synSchedule } : {}),
      synAckRetries: tcp.synAckRetries,
      initialRtoMs: tcp.initialRtoMs,
      timeWaitMs: tcp.timeWaitMs,
      mss: tcp.mss,
    });
    const recorder = new TransitionRecorder<TcpEvent, NodeId, ActorMachine>(
      trace,
      id,
      this.id,
      'tcp',
    );
    recorder.watch(actor);
    trace.add({
      type: 'actor',
      info: {
        actor: id,
        node: this.id,
        machine: 'tcp',
        label,
        channel,
        local: formatEndpoint(local),
        ...(remote.port ? { remote: formatEndpoint(remote) } : {}),
      },
    });
    actor.on('transmit', (e) => this.sendSegment(channel, remote, e.segment));
    const send = (event: TcpEvent) => {
      const state = actor.getSnapshot().value;
      if (HANDLED_EVENTS.get(state)?.has(event.type) === false) return;
      recorder.send(actor, event);
    };
    return { id, actor, send };
  }

  private sendSegment(channel: Channel, remote: Endpoint, segment: TcpSegment): void {
    this.env.transmit(this.id, { src: this.address, dst: remote.address, tcp: segment, channel });
  }
}
