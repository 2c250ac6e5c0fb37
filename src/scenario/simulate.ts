import { parseCommandLine } from '../protocol/ftp-command';
import { asciiEncode } from '../protocol/net-ascii';
import { DEFAULT_MSS } from '../protocol/tcp';
import { defaultFileStore } from '../machines/file-store';
import type { ClientStep, FtpClientContext } from '../machines/ftp-client';
import {
  synSchedule,
  tcpProfile,
  type TcpProfile,
  type TcpStackName,
} from '../machines/tcp-profile';
import {
  CLIENT_PROFILES,
  type ClientProfile,
  type ClientProgramName,
  type ReconnectPolicy,
} from '../machines/client-profiles';
import { startFtpClient, startFtpServer } from '../network/ftp-apps';
import { fnv1a } from '../network/hash';
import type { ActorInfo, TraceEvent } from '../network/trace';
import { World } from '../network/world';
import { addressingFor, routerConfigs, type Addressing } from './addresses';
import { seedText } from './canonical';
import { explainOutcome, type Outcome } from './outcome';
import { serverProfileOf, serverTimeoutsMs } from './server-program';
import { programsOf, type Scenario } from './types';

export interface SimulationResult {
  scenario: Scenario;
  addressing: Addressing;
  /** Every event, in time order (stable for equal times). */
  trace: TraceEvent[];
  actors: ActorInfo[];
  outcome: Outcome;
  /** What the client ended with, for the inspector and the lessons. */
  client: Pick<FtpClientContext, 'replies' | 'failure' | 'transfers'>;
}

/** A hard stop for scenarios that would otherwise run for a very long time. */
const LIMITS = { virtualMs: 15 * 60_000, events: 400_000 };

const UPLOAD_TEXT = 'Uploaded by the FTP Lab client.\nLine two.\n';

export function scriptSteps(commands: string[]): ClientStep[] {
  return commands.map((text) => {
    const parsed = parseCommandLine(text.trim());
    const step: ClientStep = parsed.ok
      ? parsed.value
      : { verb: text.trim().toUpperCase(), arg: null };
    if (step.verb === 'STOR') {
      const source = step.arg ? defaultFileStore()[`/${step.arg.replace(/^\//, '')}`] : undefined;
      return { ...step, upload: source ? source.bytes : asciiEncode(UPLOAD_TEXT) };
    }
    return step;
  });
}

/** Overrides of what the scenario names. */
export interface SimulateOptions {
  /** The hosts' TCP stack (tcp-profile.ts), instead of the scenario's `tcp`. */
  tcp?: TcpStackName;
  /** A stack with settings other than the default ones (the lab runs tcp_syn_retries=2). */
  tcpProfile?: TcpProfile;
  /**
   * Retry settings other than the client program's defaults, for a program that retries (lftp:
   * the lab runs it with net:max-retries 2 and net:reconnect-interval-base 1).
   */
  reconnect?: Partial<Pick<ReconnectPolicy, 'maxTries' | 'intervalS'>>;
}

function clientProfile(name: ClientProgramName, options: SimulateOptions): ClientProfile {
  const profile = CLIENT_PROFILES[name];
  if (!options.reconnect || !profile.reconnect) return profile;
  return { ...profile, reconnect: { ...profile.reconnect, ...options.reconnect } };
}

/** Runs one FTP session through the scenario's network on a virtual clock. Pure and deterministic. */
export function simulate(scenario: Scenario, options: SimulateOptions = {}): SimulationResult {
  const programs = programsOf(scenario);
  const stack = options.tcp ?? programs.tcp;
  const profile = options.tcpProfile ?? tcpProfile(stack);
  const server = serverProfileOf(scenario);
  const waits = serverTimeoutsMs(server);
  const addressing = addressingFor(scenario);
  const routers = routerConfigs(scenario);
  const world = new World({
    clientAddress: addressing.client,
    serverAddress: addressing.server,
    clientRouter: routers.client,
    serverRouter: routers.server,
    links: {
      clientLan: { latencyMs: 1, bandwidthMbps: 100 },
      clientWan: { latencyMs: 10, bandwidthMbps: 20 },
      serverWan: { latencyMs: 10, bandwidthMbps: 100 },
      serverLan: { latencyMs: 1, bandwidthMbps: 1000 },
    },
    tcp: {
      synRetries: 6,
      synAckRetries: 5,
      initialRtoMs: 1000,
      timeWaitMs: 60_000,
      mss: DEFAULT_MSS,
      ...(profile.kind === 'rfc6298' && profile.synRetries === undefined
        ? {}
        : { synSchedule: synSchedule(profile) }),
    },
  });
  // The canonical form, not the object as built: a click, a link and a file that describe the
  // same scenario must get the same ports and sequence numbers (issue 11 item 12).
  const seed = fnv1a(seedText(scenario));
  startFtpServer(
    world,
    {
      users: [{ user: 'student', password: 'secret' }],
      allowAnonymous: true,
      greeting: 'FTP Lab server ready.',
      passivePorts: scenario.server.passivePorts,
      passiveAddress: scenario.server.advertise === 'public' ? addressing.serverPublic : null,
      activeSourcePort: scenario.server.activeSourcePort,
      acceptTimeoutMs: waits.acceptMs,
      connectTimeoutMs: waits.connectMs,
      files: defaultFileStore(),
      profile: server,
    },
    seed,
  );
  const { actor: client, begin } = startFtpClient(
    world,
    {
      user: scenario.client.user,
      password: scenario.client.password,
      mode: scenario.mode,
      type: scenario.type,
      steps: scriptSteps(scenario.commands),
      pasvAddress: scenario.pasvAddress,
      replyTimeoutMs: 120_000,
      profile: clientProfile(programs.client, options),
    },
    addressing.serverPublic,
  );

  let clientDoneAt: number | null = null;
  client.subscribe((snapshot) => {
    if (snapshot.status === 'done' && clientDoneAt === null) clientDoneAt = world.queue.now;
  });
  begin();

  let steps = 0;
  let stopped: 'limit' | null = null;
  while (!(clientDoneAt !== null && world.inFlight === 0)) {
    const next = world.queue.peekTime();
    if (next === undefined) break;
    if (next > LIMITS.virtualMs || ++steps > LIMITS.events) {
      stopped = 'limit';
      break;
    }
    world.queue.step();
  }

  const trace = world.trace.finish();
  const actors = world.trace.actors;
  const finalClient = client.getSnapshot().context;
  const outcome = explainOutcome({
    scenario,
    addressing,
    trace,
    actors,
    client: finalClient,
    clientDone: clientDoneAt !== null,
    elapsedMs: clientDoneAt ?? world.queue.now,
    stoppedByLimit: stopped === 'limit',
  });
  return {
    scenario,
    addressing,
    trace,
    actors,
    outcome,
    client: {
      replies: finalClient.replies,
      failure: finalClient.failure,
      transfers: finalClient.transfers,
    },
  };
}
