import { SERVER_PROFILES, type ServerProfile } from '../machines/server-profiles';
import { programsOf, type Scenario } from './types';

/** vsftpd's connect_timeout and accept_timeout as shipped: the server machine's own default. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The server program a scenario plays, with the scenario's timeouts if it sets any: both its
 * connect and accept waits, and for a program that connects on PORT (pyftpdlib) the wait before
 * its 421 as well. The simulation runs it, and the outcome tells what it waited from it.
 */
export function serverProfileOf(scenario: Scenario): ServerProfile {
  const profile = SERVER_PROFILES[programsOf(scenario).server];
  const set = scenario.server.timeouts;
  if (!set) return profile;
  const connectMs = set.connectS * 1000;
  return {
    ...profile,
    timeouts: { connectMs, acceptMs: set.acceptS * 1000 },
    portConnectTimeoutMs: profile.portConnectTimeoutMs > 0 ? connectMs : 0,
  };
}

/** How long the program waits to connect (active) and to be connected to (passive), in ms. */
export function serverTimeoutsMs(profile: ServerProfile): { connectMs: number; acceptMs: number } {
  return profile.timeouts ?? { connectMs: DEFAULT_TIMEOUT_MS, acceptMs: DEFAULT_TIMEOUT_MS };
}
