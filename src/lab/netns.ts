import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { addressingFor, routerConfigs } from '../scenario/addresses';
import type { Scenario } from '../scenario/types';
import { LAN_IF, routerRuleset, WAN_IF } from './nft';

/**
 * The scenario's network built from Linux network namespaces: client — client router — server
 * router — server, joined by three veth pairs, with the scenario's addresses (TEST-NET and RFC
 * 1918 only, all inside these namespaces), routes, forwarding and each router's nftables
 * ruleset. Nothing is done in the host's own namespace except creating and deleting these.
 */

export type LabNode = 'client' | 'clientRouter' | 'serverRouter' | 'server';
export const LAB_NODES: readonly LabNode[] = ['client', 'clientRouter', 'serverRouter', 'server'];

/** Every namespace the lab makes starts with this, so a crashed run's leftovers can be found. */
export const NETNS_PREFIX = 'ftplab-';

export interface LabNetwork {
  tag: string;
  ns: Record<LabNode, string>;
  /** The interface a capture of each link listens on: [namespace, interface]. */
  links: { name: 'client-lan' | 'internet' | 'server-lan'; ns: string; dev: string }[];
  addressing: ReturnType<typeof addressingFor>;
}

export class LabError extends Error {}

/** RFC 1918's private address ranges. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

/** Runs a program to its end without a shell; throws LabError naming the command on failure. */
export function run(program: string, args: string[], input?: string, timeoutMs = 10_000): string {
  const result = spawnSync(program, args, {
    input,
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (result.error) throw new LabError(`${program} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    const why = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
    throw new LabError(`${program} ${args.join(' ')} failed (exit ${result.status}): ${why}`);
  }
  return result.stdout;
}

/**
 * `program args` run inside namespace `ns`, as a command line for spawn. `nsenter --net` enters
 * only the network namespace; `ip netns exec` and `ip -n` also make a mount namespace and remount /sys,
 * which fails inside a chroot (`mount --make-rslave /`: Invalid argument), as on a fresh machine
 * built with debootstrap. Nothing the lab runs needs the namespace's /sys: sysctl and ss read
 * /proc and netlink, which follow the network namespace.
 */
export function inNamespace(ns: string, program: string, args: string[]): [string, string[]] {
  return ['nsenter', [`--net=/run/netns/${ns}`, '--', program, ...args]];
}

/** `ip -n NS -batch -`: one process per namespace instead of one per command. */
function ipBatch(ns: string, commands: string[]): void {
  run(...inNamespace(ns, 'ip', ['-batch', '-']), `${commands.join('\n')}\n`);
}

function sysctl(ns: string, settings: string[]): void {
  run(...inNamespace(ns, 'sysctl', ['-q', '-w', ...settings]));
}

function prefixLength(subnet: string): string {
  return subnet.split('/')[1] ?? '24';
}

/** A veth pair from `name` in `ns` to `peerName` in `peerNs`, made directly in both namespaces. */
function vethPair(ns: string, name: string, peerNs: string, peerName: string): void {
  run(
    ...inNamespace(ns, 'ip', [
      'link',
      'add',
      name,
      'type',
      'veth',
      'peer',
      'name',
      peerName,
      'netns',
      peerNs,
    ]),
  );
}

/** The namespaces a run with this tag makes. */
export function namespacesFor(tag: string): Record<LabNode, string> {
  return {
    client: `${NETNS_PREFIX}${tag}-c`,
    clientRouter: `${NETNS_PREFIX}${tag}-cr`,
    serverRouter: `${NETNS_PREFIX}${tag}-sr`,
    server: `${NETNS_PREFIX}${tag}-s`,
  };
}

/** Builds the network; on any failure removes what it made and rethrows. */
export function buildNetwork(scenario: Scenario, tag: string): LabNetwork {
  const ns = namespacesFor(tag);
  const a = addressingFor(scenario);
  const routers = routerConfigs(scenario);
  const network: LabNetwork = {
    tag,
    ns,
    links: [
      { name: 'client-lan', ns: ns.client, dev: 'eth0' },
      { name: 'internet', ns: ns.clientRouter, dev: WAN_IF },
      { name: 'server-lan', ns: ns.server, dev: 'eth0' },
    ],
    addressing: a,
  };
  try {
    for (const node of LAB_NODES) run('ip', ['netns', 'add', ns[node]]);
    // The pairs are made inside the namespaces, so no interface ever appears in the host's.
    vethPair(ns.client, 'eth0', ns.clientRouter, LAN_IF);
    vethPair(ns.clientRouter, WAN_IF, ns.serverRouter, WAN_IF);
    vethPair(ns.server, 'eth0', ns.serverRouter, LAN_IF);
    for (const node of LAB_NODES) {
      // IPv6 off: its neighbour discovery and router solicitations would only add noise to captures.
      sysctl(ns[node], [
        'net.ipv6.conf.all.disable_ipv6=1',
        'net.ipv6.conf.default.disable_ipv6=1',
      ]);
    }
    const cr = routers.client;
    const sr = routers.server;
    ipBatch(ns.client, [
      'link set lo up',
      'link set eth0 up',
      `addr add ${a.client}/${prefixLength(cr.lanSubnet)} dev eth0`,
      `route add default via ${cr.lanAddress}`,
    ]);
    ipBatch(ns.server, [
      'link set lo up',
      'link set eth0 up',
      `addr add ${a.server}/${prefixLength(sr.lanSubnet)} dev eth0`,
      `route add default via ${sr.lanAddress}`,
    ]);
    // The routers' WAN addresses need not share a subnet (the simulation's links are point to
    // point): each reaches the other's as a host route on the link, and routes everything else there.
    for (const [router, peer, name] of [
      [cr, sr, ns.clientRouter],
      [sr, cr, ns.serverRouter],
    ] as const) {
      ipBatch(name, [
        'link set lo up',
        `link set ${LAN_IF} up`,
        `link set ${WAN_IF} up`,
        `addr add ${router.lanAddress}/${prefixLength(router.lanSubnet)} dev ${LAN_IF}`,
        `addr add ${router.wanAddress}/32 dev ${WAN_IF}`,
        `route add ${peer.wanAddress}/32 dev ${WAN_IF}`,
        `route add default via ${peer.wanAddress} dev ${WAN_IF}`,
        // The Internet does not route private addresses (RFC 1918): beyond its own LAN (a more
        // specific, connected route) a router drops them silently, as the simulation's Internet does.
        ...PRIVATE_RANGES.map((range) => `route add blackhole ${range}`),
      ]);
      sysctl(name, [
        'net.ipv4.ip_forward=1',
        // The simulation's routers send no redirects and accept asymmetric paths.
        'net.ipv4.conf.all.send_redirects=0',
        'net.ipv4.conf.all.rp_filter=0',
        'net.ipv4.conf.default.rp_filter=0',
      ]);
      run(...inNamespace(name, 'nft', ['-f', '-']), routerRuleset(router));
    }
    return network;
  } catch (error) {
    removeNetwork(network);
    throw error;
  }
}

/** Deletes the network's namespaces (their interfaces go with them); never throws. */
export function removeNetwork(network: Pick<LabNetwork, 'ns'>): void {
  for (const name of Object.values(network.ns)) {
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 10_000 });
  }
}

/** Namespaces left by a run that was killed before it could clean up. */
export function leftoverNamespaces(): string[] {
  try {
    return readdirSync('/run/netns').filter((name) => name.startsWith(NETNS_PREFIX));
  } catch {
    return [];
  }
}

/**
 * Why the lab cannot run here, or null: tried for real (a namespace made, nftables loaded in it,
 * and removed), since a container may list namespaces and still refuse to make one.
 */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  for (const program of ['ip', 'nft', 'tcpdump', 'ss']) {
    if (spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status !== 0)
      return `${program} is missing (apt-get install -y iproute2 nftables tcpdump)`;
  }
  const probe = `${NETNS_PREFIX}probe${process.pid.toString(36)}`;
  const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: 10_000 });
  if (made.status !== 0)
    return `cannot make a network namespace: ${made.stderr.trim().split('\n')[0]}`;
  try {
    const nft = spawnSync(...inNamespace(probe, 'nft', ['add', 'table', 'ip', 'probe']), {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (nft.status !== 0) return `nftables does not work here: ${nft.stderr.trim().split('\n')[0]}`;
  } finally {
    spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore', timeout: 10_000 });
  }
  return null;
}
