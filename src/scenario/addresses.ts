import type { RouterConfig } from '../network/router';
import type { Scenario } from './types';

/**
 * Fixed addressing plan, from the documentation ranges (RFC 5737) for public addresses and RFC 1918
 * for private ones, so every picture and lesson can name the same numbers.
 */
export const ADDRESSES = {
  client: { routed: '192.0.2.10', natted: '192.168.1.10' },
  clientRouter: {
    routed: { lan: '192.0.2.1', subnet: '192.0.2.0/24', wan: '203.0.113.1' },
    natted: { lan: '192.168.1.1', subnet: '192.168.1.0/24', wan: '203.0.113.10' },
  },
  server: { routed: '198.51.100.20', natted: '10.0.0.20' },
  serverRouter: {
    routed: { lan: '198.51.100.1', subnet: '198.51.100.0/24', wan: '203.0.113.2' },
    natted: { lan: '10.0.0.1', subnet: '10.0.0.0/24', wan: '198.51.100.20' },
  },
} as const;

export interface Addressing {
  client: string;
  server: string;
  /** What the client dials: the server itself, or the server router's public address. */
  serverPublic: string;
  clientRouter: { lan: string; subnet: string; wan: string };
  serverRouter: { lan: string; subnet: string; wan: string };
}

export function addressingFor(scenario: Pick<Scenario, 'clientSide' | 'serverSide'>): Addressing {
  const clientNat = scenario.clientSide.nat;
  const serverNat = scenario.serverSide.nat;
  return {
    client: clientNat ? ADDRESSES.client.natted : ADDRESSES.client.routed,
    server: serverNat ? ADDRESSES.server.natted : ADDRESSES.server.routed,
    serverPublic: serverNat ? ADDRESSES.serverRouter.natted.wan : ADDRESSES.server.routed,
    clientRouter: clientNat ? ADDRESSES.clientRouter.natted : ADDRESSES.clientRouter.routed,
    serverRouter: serverNat ? ADDRESSES.serverRouter.natted : ADDRESSES.serverRouter.routed,
  };
}

/** "the client firewall" or "the client router": what the learner should call that box. */
export function routerName(
  scenario: Pick<Scenario, 'clientSide' | 'serverSide'>,
  side: 'client' | 'server',
): string {
  const config = side === 'client' ? scenario.clientSide : scenario.serverSide;
  return `the ${side} ${config.firewall ? 'firewall' : 'router'}`;
}

export function routerConfigs(scenario: Scenario): { client: RouterConfig; server: RouterConfig } {
  const a = addressingFor(scenario);
  const { clientSide, serverSide } = scenario;
  return {
    client: {
      id: 'client-router',
      name: routerName(scenario, 'client'),
      lanAddress: a.clientRouter.lan,
      lanSubnet: a.clientRouter.subnet,
      wanAddress: a.clientRouter.wan,
      firewall: clientSide.firewall,
      nat: clientSide.nat ? { masquerade: true, forwards: [] } : null,
      ftpHelper: clientSide.ftpHelper,
    },
    server: {
      id: 'server-router',
      name: routerName(scenario, 'server'),
      lanAddress: a.serverRouter.lan,
      lanSubnet: a.serverRouter.subnet,
      wanAddress: a.serverRouter.wan,
      firewall: serverSide.firewall,
      nat: serverSide.nat
        ? {
            masquerade: true,
            forwards: [
              { ports: { from: 21, to: 21 }, to: a.server },
              ...(serverSide.natForward === '21'
                ? []
                : [{ ports: scenario.server.passivePorts, to: a.server }]),
            ],
          }
        : null,
      ftpHelper: serverSide.ftpHelper,
    },
  };
}
