import { runFtpClient } from '../node/client';
import type { SessionEvent } from '../node/recording';
import { scriptSteps } from '../scenario/simulate';
import type { DataMode, TransferType } from '../scenario/types';

/**
 * The lab's `rfc959` client: the project's ftp-client machine (the one the simulation plays) over
 * real sockets, started inside the client's namespace by src/lab/lab.ts. Reads its settings as
 * JSON on standard input and prints one JSON result on standard output.
 */

export interface RunnerInput {
  host: string;
  port: number;
  user: string;
  password: string;
  mode: DataMode;
  type: TransferType;
  commands: string[];
  pasvAddress: 'trust' | 'ignore';
  replyTimeoutMs: number;
  sessionTimeoutMs: number;
}

export interface RunnerOutput {
  ok: boolean;
  failure: { step: string; kind: string; detail: string; code: number | null } | null;
  events: SessionEvent[];
  error?: string;
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RunnerInput;
  const events: SessionEvent[] = [];
  let output: RunnerOutput;
  try {
    const result = await runFtpClient({
      host: input.host,
      port: input.port,
      user: input.user,
      password: input.password,
      mode: input.mode,
      type: input.type,
      steps: scriptSteps(input.commands),
      pasvAddress: input.pasvAddress,
      replyTimeoutMs: input.replyTimeoutMs,
      sessionTimeoutMs: input.sessionTimeoutMs,
      onEvent: (event) => events.push(event),
    });
    output = { ok: result.ok, failure: result.failure, events };
  } catch (error) {
    output = { ok: false, failure: null, events, error: (error as Error).message };
  }
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

await main();
