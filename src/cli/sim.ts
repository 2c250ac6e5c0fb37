import { closeSync, constants, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { simulationDiagram } from '../export/diagram';
import { toMermaid, toPlantUml } from '../export/diagram-text';
import { toJsonSummary } from '../export/json';
import { capturedHops, capturePoint, writePcap, type CapturePoint } from '../export/pcap';
import { formatTranscript } from '../export/transcript';
import { defaultScenario, FIREWALL_PRESETS, NETWORK_PRESETS } from '../scenario/presets';
import { simulate, type SimulationResult } from '../scenario/simulate';
import { PROGRAM_LABELS, programsOf, type Scenario } from '../scenario/types';
import { validateScenario } from '../scenario/validate';
import {
  buildScenario,
  DEFAULT_CAPTURE,
  helpText,
  parseArgs,
  SCENARIO_FILE_LIMIT,
  type CliOptions,
} from './args';

/** `npm run sim -- ...`: one scenario, simulated headless; see helpText() for flags and exit codes. */

export const EXIT = { success: 0, ftpFailure: 1, badInput: 2, internal: 3 } as const;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): string;
  /** Where --pcap writes; the file system when absent. */
  writeFile?(path: string, data: Uint8Array): void;
}

class BadInput extends Error {}

/**
 * Reads a --scenario file of at most SCENARIO_FILE_LIMIT bytes. Opened without blocking and
 * checked with fstat on the open descriptor (so nothing can be swapped in between): a device
 * (`/dev/zero` never ends), a FIFO (waits for a writer forever) or a directory is refused before
 * a byte is read, and a file that grows while being read stops at the limit.
 */
export function readScenarioFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new Error('is a directory');
    if (!stats.isFile()) throw new Error('not a regular file (a device, FIFO or socket)');
    const tooLarge = new Error(
      `larger than ${SCENARIO_FILE_LIMIT / 1024 / 1024} MiB (a scenario is a few KB)`,
    );
    if (stats.size > SCENARIO_FILE_LIMIT) throw tooLarge;
    const buffer = Buffer.alloc(SCENARIO_FILE_LIMIT + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > SCENARIO_FILE_LIMIT) throw tooLarge;
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

function loadScenarioFile(io: CliIo, path: string): Scenario {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : null;
    throw new BadInput(
      `--scenario ${path}: cannot read the file: ${why ?? (error as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BadInput(`--scenario ${path}: not valid JSON: ${(error as Error).message}`);
  }
  const checked = validateScenario(data);
  if (!checked.ok) throw new BadInput(`--scenario ${path}: ${checked.error}`);
  return checked.value;
}

/** Writes the --pcap file and says so on stderr; returns what went wrong instead, if anything. */
function writeCapture(
  io: CliIo,
  path: string,
  capture: CapturePoint,
  result: SimulationResult,
): string | null {
  try {
    (io.writeFile ?? writeFileSync)(path, writePcap(result.trace, { capture }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such directory'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : null;
    return `--pcap ${path}: cannot write the file: ${why ?? (error as Error).message}`;
  }
  const packets = capturedHops(result.trace, capture).length;
  const where = `${capture}, ${capturePoint(capture)!.title}`;
  io.stderr(`pcap: wrote ${packets} packets to ${path} (capture at ${where})\n`);
  return null;
}

function listPresets(options: CliOptions): string {
  const sides = (['client', 'server'] as const).map((side) => ({
    side,
    presets: FIREWALL_PRESETS.filter((p) => p.side === side).map(({ id, title }) => ({
      id,
      title,
    })),
  }));
  const network = NETWORK_PRESETS.map(({ id, title }) => ({ id, title }));
  if (options.json) {
    return `${JSON.stringify(
      { clientFirewall: sides[0]!.presets, serverFirewall: sides[1]!.presets, network },
      null,
      2,
    )}\n`;
  }
  const width = Math.max(
    ...[...FIREWALL_PRESETS, ...NETWORK_PRESETS].map((preset) => preset.id.length),
  );
  const rows = (list: { id: string; title: string }[]) =>
    list.map(({ id, title }) => `  ${id.padEnd(width)}  ${title}`);
  return [
    ...sides.flatMap(({ side, presets }) => [
      `${side === 'client' ? 'Client' : 'Server'} firewall presets (--${side}-fw):`,
      ...rows(presets),
      '',
    ]),
    'Network presets (--preset):',
    ...rows(network),
    '',
  ].join('\n');
}

/** Which programs the transcript plays (issue 13): the outcome depends on them. */
function programsLine(scenario: Scenario): string {
  const { client, server, tcp } = programsOf(scenario);
  const stack = tcp === 'linux' ? 'Linux TCP (6.5+ SYN schedule)' : 'RFC 6298 TCP';
  return `Programs: ${PROGRAM_LABELS[client]} (client), ${PROGRAM_LABELS[server]} (server), ${stack}\n`;
}

export function run(argv: readonly string[], io: CliIo): number {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.stderr(`error: ${parsed.error}\n`);
    return EXIT.badInput;
  }
  const { options } = parsed;
  if (options.help) {
    io.stdout(helpText());
    return EXIT.success;
  }
  if (options.listPresets) {
    io.stdout(listPresets(options));
    return EXIT.success;
  }
  let base: Scenario;
  try {
    base = options.scenarioFile ? loadScenarioFile(io, options.scenarioFile) : defaultScenario();
  } catch (error) {
    if (!(error instanceof BadInput)) throw error;
    io.stderr(`error: ${error.message}\n`);
    return EXIT.badInput;
  }
  const scenario = buildScenario(options, base);
  if (!scenario.ok) {
    io.stderr(`error: ${scenario.error}\n`);
    return EXIT.badInput;
  }
  const result = simulate(scenario.value);
  if (options.pcapFile) {
    const problem = writeCapture(io, options.pcapFile, options.capture ?? DEFAULT_CAPTURE, result);
    if (problem) {
      io.stderr(`error: ${problem}\n`);
      return EXIT.badInput;
    }
  }
  io.stdout(
    options.json
      ? `${JSON.stringify(toJsonSummary(result, { includeTrace: options.trace }), null, 2)}\n`
      : options.diagram
        ? (options.diagram === 'mermaid' ? toMermaid : toPlantUml)(simulationDiagram(result))
        : `${programsLine(result.scenario)}${formatTranscript(result, { verbose: options.verbose })}`,
  );
  return result.outcome.result === 'success' ? EXIT.success : EXIT.ftpFailure;
}

/** Never a stack trace: anything unexpected becomes one line and exit code 3. */
export function main(argv: readonly string[]): number {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: readScenarioFile,
  };
  try {
    return run(argv, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error: internal: ${message.split('\n')[0]}\n`);
    return EXIT.internal;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `npm run sim | head` closes the pipe early; that is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  process.exitCode = main(process.argv.slice(2));
}
