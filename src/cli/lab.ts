import { pathToFileURL } from 'node:url';
import { activeCleanups, runLab, type LabOptions, type LabSummary } from '../lab/lab';
import { LabError, leftoverNamespaces, removeNetwork } from '../lab/netns';
import { LAB_CLIENTS, LAB_SERVERS, type LabClient, type LabServer } from '../lab/programs';
import { defaultScenario } from '../scenario/presets';
import type { TcpStackName } from '../machines/tcp-profile';
import type { Scenario } from '../scenario/types';
import { validateScenario } from '../scenario/validate';
import { formatTime } from '../scenario/vocabulary';
import { buildScenario, parseArgs } from './args';
import { EXIT, readScenarioFile } from './sim';

/**
 * `npm run lab -- <sim flags> [--server vsftpd|pyftpdlib] [--client curl|ftplib|lftp|rfc959] [--pcap-dir DIR] [--json]`:
 * the scenario `sim` would simulate, run on the real kernel with the real programs.
 */

export const LAB_HELP = `Usage: npm run lab -- [the flags of npm run sim] [lab flags]

Builds the scenario's network from Linux network namespaces (client, client router, server
router, server), loads each firewall as nftables rules, starts the real server, runs the real
client, captures every link with tcpdump, and prints what happened, as sim does. Needs root.

Lab flags:
  --server vsftpd|pyftpdlib the server program (${LAB_SERVERS.join(', ')}; default: the --scenario
                            file's server.program, else vsftpd)
  --client curl|ftplib|lftp|rfc959  the client program (default: the --scenario file's
                            client.program, else curl): Python's ftplib, lftp, or rfc959, the
                            project's client over real sockets (the textbook client the
                            simulation plays)
  --pcap-dir DIR            keep the captures: DIR/client-lan.pcap, internet.pcap, server-lan.pcap
  --syn-retries N           net.ipv4.tcp_syn_retries in every namespace (default 6, Linux's)
  --reply-timeout S         vsftpd's connect and accept timeouts, seconds (default 10)
  --json                    the summary as JSON

Of sim's flags, --tcp takes linux alone: the lab's TCP is the real kernel's (rfc6298 is the
simulation's only).

FTPLAB_TAG=name names the run's namespaces ftplab-name-c, -cr, -sr, -s (default: from the pid).

Exit codes: 0 every command succeeded, 1 an FTP step failed, 2 bad input, 3 the lab could not
run (not root, a program missing).
`;

interface LabFlags {
  /** Absent: the --scenario file's program, else vsftpd and curl (programsRun). */
  server?: LabServer;
  client?: LabClient;
  pcapDir?: string;
  synRetries?: number;
  replyTimeout?: number;
  rest: string[];
}

function takeLabFlags(
  argv: readonly string[],
): { ok: true; flags: LabFlags } | { ok: false; error: string } {
  const flags: LabFlags = { rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const known = ['--server', '--client', '--pcap-dir', '--syn-retries', '--reply-timeout'];
    if (!known.includes(name)) {
      flags.rest.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) return { ok: false, error: `${name} needs a value` };
    if (name === '--server') {
      if (!(LAB_SERVERS as readonly string[]).includes(value))
        return { ok: false, error: `--server ${value}: allowed: ${LAB_SERVERS.join(', ')}` };
      flags.server = value as LabServer;
    } else if (name === '--client') {
      if (!(LAB_CLIENTS as readonly string[]).includes(value))
        return { ok: false, error: `--client ${value}: allowed: ${LAB_CLIENTS.join(', ')}` };
      flags.client = value as LabClient;
    } else if (name === '--pcap-dir') {
      flags.pcapDir = value;
    } else {
      const n = Number(value);
      const max = name === '--syn-retries' ? 10 : 120;
      if (!Number.isInteger(n) || n < 1 || n > max)
        return { ok: false, error: `${name} ${value}: a whole number from 1 to ${max}` };
      if (name === '--syn-retries') flags.synRetries = n;
      else flags.replyTimeout = n;
    }
  }
  return { ok: true, flags };
}

/**
 * The programs the lab runs: its own flags first, then the scenario's programs (a --scenario file
 * names them), then vsftpd and curl. curl rather than the simulation's textbook client: a real
 * program is what the lab is for.
 */
export function programsRun(
  flags: Pick<LabFlags, 'server' | 'client'>,
  scenario: Pick<Scenario, 'server' | 'client'>,
): { server: LabServer; client: LabClient } {
  return {
    server: flags.server ?? scenario.server.program ?? 'vsftpd',
    client: flags.client ?? scenario.client.program ?? 'curl',
  };
}

/** The TCP stacks a real kernel can play: Linux's own; rfc6298's timers exist only in the simulation. */
const LAB_TCP_STACKS: readonly TcpStackName[] = ['linux'];

/** Why the lab cannot run this scenario's TCP stack, or null when it can. */
export function tcpRefusal(scenario: Pick<Scenario, 'tcp'>): string | null {
  const tcp = scenario.tcp ?? 'linux';
  if (LAB_TCP_STACKS.includes(tcp)) return null;
  return `--tcp ${tcp}: the lab runs the real Linux kernel, whose TCP is Linux's; allowed: ${LAB_TCP_STACKS.join(', ')} (use npm run sim for ${tcp})`;
}

export function formatLabSummary(summary: LabSummary): string {
  const lines = [
    `Lab: ${summary.programs.client} against ${summary.programs.server} on Linux ${summary.programs.kernel}`,
    ...summary.dialogue.map((line) => `  ${line}`),
    '',
  ];
  for (const c of summary.dataConnections) {
    const by = c.decidedBy && c.result !== 'established' ? ` (${c.result} at ${c.decidedBy})` : '';
    lines.push(
      `Data connection${c.command ? ` for ${c.command}` : ''}: ${c.opener} ${c.from} → ${c.to}: ${c.result}, ${c.synCount} SYN${c.synCount === 1 ? '' : 's'}${by}`,
    );
  }
  if (summary.fallbacks.length > 0) lines.push(`Fallbacks: ${summary.fallbacks.join(', ')}`);
  const elapsed = formatTime(summary.elapsedMs, 'duration');
  lines.push(
    summary.outcome === 'success'
      ? `Outcome: success in ${elapsed}`
      : `Outcome: failed at ${summary.failedAt} (${summary.failureKind}${summary.failureReply ? `, reply ${summary.failureReply}` : ''}${summary.clientError ? `, ${summary.clientError}` : ''}) after ${elapsed}${summary.clientMessage ? `: ${summary.clientMessage}` : ''}`,
  );
  if (summary.captures) lines.push(`Captures: ${Object.values(summary.captures).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const taken = takeLabFlags(argv);
  if (!taken.ok) {
    process.stderr.write(`error: ${taken.error}\n`);
    return EXIT.badInput;
  }
  const { flags } = taken;
  const parsed = parseArgs(flags.rest);
  if (!parsed.ok) {
    process.stderr.write(`error: ${parsed.error}\n`);
    return EXIT.badInput;
  }
  const { options } = parsed;
  if (options.help) {
    process.stdout.write(LAB_HELP);
    return EXIT.success;
  }
  let base: Scenario = defaultScenario();
  if (options.scenarioFile) {
    let data: unknown;
    try {
      data = JSON.parse(readScenarioFile(options.scenarioFile));
    } catch (error) {
      process.stderr.write(
        `error: --scenario ${options.scenarioFile}: ${(error as Error).message}\n`,
      );
      return EXIT.badInput;
    }
    const checked = validateScenario(data);
    if (!checked.ok) {
      process.stderr.write(`error: --scenario ${options.scenarioFile}: ${checked.error}\n`);
      return EXIT.badInput;
    }
    base = checked.value;
  }
  const scenario = buildScenario(options, base);
  if (!scenario.ok) {
    process.stderr.write(`error: ${scenario.error}\n`);
    return EXIT.badInput;
  }
  const refusal = tcpRefusal(scenario.value);
  if (refusal) {
    process.stderr.write(`error: ${refusal}\n`);
    return EXIT.badInput;
  }
  const programs = programsRun(flags, scenario.value);
  const tag = process.env.FTPLAB_TAG;
  if (tag !== undefined && !/^[a-z0-9]{1,12}$/.test(tag)) {
    process.stderr.write('error: FTPLAB_TAG: 1 to 12 lower-case letters and digits\n');
    return EXIT.badInput;
  }
  const labOptions: LabOptions = {
    ...(tag ? { tag } : {}),
    server: programs.server,
    client: programs.client,
    ...(flags.pcapDir ? { pcapDir: flags.pcapDir } : {}),
    ...(flags.synRetries ? { synRetries: flags.synRetries } : {}),
    ...(flags.replyTimeout
      ? {
          timeouts: {
            replySeconds: flags.replyTimeout,
            clientSeconds: flags.replyTimeout * 4 + 20,
          },
        }
      : {}),
  };
  try {
    const summary = await runLab(scenario.value, labOptions);
    process.stdout.write(
      options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatLabSummary(summary),
    );
    return summary.outcome === 'success' ? EXIT.success : EXIT.ftpFailure;
  } catch (error) {
    if (!(error instanceof LabError)) throw error;
    process.stderr.write(`lab: ${error.message}\n`);
    return EXIT.internal;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Ctrl-C or a kill: undo every namespace and process before exiting. `on`, not `once`: a second
  // signal (a terminal sends Ctrl-C to the whole group, a wrapper may relay it again, a user presses
  // it twice) must not kill the process half-way through its clean-up. That is also why
  // `npm run lab` runs `node --import tsx` rather than the tsx wrapper, which SIGKILLs its child
  // when the child does not acknowledge a signal within 30 ms, as happens on a loaded machine.
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write('lab: interrupted; removing its namespaces and programs\n');
      void Promise.all([...activeCleanups].map((clean) => clean())).finally(() => {
        for (const name of leftoverNamespaces()) {
          if (name.includes(`-${process.pid.toString(36)}`))
            removeNetwork({
              ns: { client: name, clientRouter: name, serverRouter: name, server: name },
            });
        }
        process.exit(130);
      });
    });
  }
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`lab: internal error: ${(error as Error).message}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
