import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CaptureError, readCapture, type CaptureAnalysis } from '../capture/index';
import { suggestedScenario } from '../capture/stage';
import { formatEndpoint } from '../protocol/endpoint';

/**
 * `npm run diagnose -- <file>... [--json]`: reads each pcap/pcapng capture, finds its FTP
 * sessions and says what happened to each transfer and why. Exit 0 when every file was read,
 * 2 when one could not be (its one-line reason goes to stderr, or into its JSON line).
 */

export function jsonLines(file: string, analysis: CaptureAnalysis): object[] {
  if (analysis.sessions.length === 0)
    return [{ file, error: 'no FTP session found in the capture', frames: analysis.frames }];
  return analysis.sessions.map(({ session, diagnosis }) => ({
    file,
    capturedAt: diagnosis.capturedAt,
    outcome: diagnosis.outcome,
    commands: session.commands,
    replyCodes: session.replyCodes,
    dataConnections: session.dataConnections.map((d) => ({
      command: d.command,
      mode: d.mode,
      opener: d.opener,
      from: d.from,
      to: d.to,
      result: d.result,
      synCount: d.synCount,
      bytes: d.bytes,
    })),
    failure: diagnosis.failure,
    explanation: diagnosis.explanation,
    fixes: diagnosis.fixes,
    notes: diagnosis.notes,
    truncatedAt: analysis.truncatedAt,
    suggestedScenario: suggestedScenario(diagnosis.suggested),
  }));
}

export function readable(file: string, analysis: CaptureAnalysis): string {
  const out = [`${file}: ${analysis.format}, ${analysis.frames} frames`];
  if (analysis.truncatedAt !== null)
    out.push(`  truncated at byte ${analysis.truncatedAt}: read what it holds`);
  for (const w of analysis.warnings) out.push(`  ${w}`);
  if (analysis.sessions.length === 0) out.push('  no FTP session found');
  for (const { session, diagnosis } of analysis.sessions) {
    out.push(
      `  FTP session ${formatEndpoint(session.client)} → ${formatEndpoint(session.server)} (captured at: ${diagnosis.capturedAt}; ${diagnosis.capturedAtReason})`,
    );
    for (const d of session.dataConnections)
      out.push(
        `    ${d.command ?? '(no transfer command)'}: ${d.mode}, ${d.opener} opens ${d.from} → ${d.to}: ${d.result}, ${d.synCount} SYN, ${d.bytes} bytes`,
      );
    out.push(
      `  ${diagnosis.outcome.toUpperCase()}${diagnosis.failure ? ` at ${diagnosis.failure.at} (${diagnosis.failure.kind})` : ''}: ${diagnosis.explanation}`,
    );
    for (const fix of diagnosis.fixes) out.push(`    fix: ${fix}`);
    for (const note of diagnosis.notes) out.push(`    note: ${note}`);
    out.push(
      `    try it in the sandbox: preset ${diagnosis.suggested.preset}, mode ${diagnosis.suggested.mode}`,
    );
  }
  return out.join('\n') + '\n';
}

export interface DiagnoseIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Uint8Array;
}

export function runDiagnose(args: string[], io: DiagnoseIo): number {
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  if (files.length === 0 || files.some((f) => f.startsWith('--'))) {
    io.stderr('usage: npm run diagnose -- <capture.pcap|.pcapng>... [--json]\n');
    return 2;
  }
  let code = 0;
  for (const file of files) {
    let analysis: CaptureAnalysis;
    try {
      analysis = readCapture(io.readFile(file));
    } catch (error) {
      const message =
        error instanceof CaptureError
          ? error.message
          : (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'no such file'
            : `cannot read the file: ${(error as Error).message}`;
      if (json) io.stdout(JSON.stringify({ file, error: message }) + '\n');
      else io.stderr(`${file}: ${message}\n`);
      code = 2;
      continue;
    }
    if (json) for (const line of jsonLines(file, analysis)) io.stdout(JSON.stringify(line) + '\n');
    else io.stdout(readable(file, analysis));
  }
  return code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = runDiagnose(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readFile: (p) => new Uint8Array(readFileSync(p)),
  });
}
