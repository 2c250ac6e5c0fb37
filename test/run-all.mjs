// `npm test`: type-check, lint, format check, unit tests and end-to-end tests, in that order.
// Every step runs even after a failure, so one run shows every problem. The last line printed is
// the plain `N passed, N failed` that CI reads. SKIP_E2E=1 leaves out the Playwright step;
// SKIP_SYSTEM=1 skips the check for system programs (test/system-deps.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  accountForExitCode,
  addCounts,
  countPlaywright,
  countVitest,
  formatSummary,
  formatTable,
} from './summary.mjs';
import { ensureSystemPrograms } from './system-deps.mjs';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
mkdirSync('test-results', { recursive: true });

const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
const skipE2e = process.env.SKIP_E2E === '1';

// The system programs first (Chromium, tshark, the real FTP programs): installed here when this
// is root on Debian, otherwise the run stops at once with the command that installs them.
if (process.env.SKIP_SYSTEM !== '1' && !ensureSystemPrograms().ok) {
  console.log(formatSummary({ passed: 0, failed: 1 }));
  process.exit(1);
}

/**
 * A check step counts as one test; a runner step reads its own counts from its JSON report.
 * @type {{ name: string, command: string[], report?: string, count?: (json: any) => import('./summary.mjs').Counts, skip?: string }[]}
 */
const steps = [
  {
    name: 'typecheck',
    command: ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings'],
  },
  { name: 'lint', command: ['eslint', '.'] },
  { name: 'format', command: ['prettier', '--check', '.'] },
  {
    name: 'unit',
    command: [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      '--outputFile=test-results/vitest.json',
    ],
    report: 'test-results/vitest.json',
    count: countVitest,
  },
  {
    name: 'e2e',
    command: ['playwright', 'test'],
    report: 'test-results/playwright.json',
    count: countPlaywright,
    skip: skipE2e ? 'SKIP_E2E=1' : undefined,
  },
];

const rows = [];
for (const step of steps) {
  const none = { passed: 0, failed: 0, skipped: 0 };
  if (step.skip) {
    console.log(`\n=== ${step.name}: skipped (${step.skip}) ===`);
    rows.push({ name: step.name, status: 'skipped', counts: none, seconds: 0 });
    continue;
  }

  console.log(`\n=== ${step.name}: ${step.command.join(' ')} ===`);
  if (step.report) rmSync(step.report, { force: true });
  const started = performance.now();
  const [bin, ...args] = step.command;
  const run = spawnSync(`node_modules/.bin/${bin}`, args, { stdio: 'inherit', env });
  const seconds = (performance.now() - started) / 1000;
  const exitCode = run.error ? 1 : run.status;
  if (run.error) console.error(`Could not start ${bin}: ${run.error.message}`);

  let counts;
  if (!step.report || !step.count) {
    counts = exitCode === 0 ? { ...none, passed: 1 } : { ...none, failed: 1 };
  } else if (existsSync(step.report)) {
    counts = accountForExitCode(
      step.count(JSON.parse(readFileSync(step.report, 'utf8'))),
      exitCode,
    );
  } else {
    console.error(`${step.report} was not written: counting ${step.name} as 1 failed.`);
    counts = { ...none, failed: 1 };
  }
  const status = counts.failed > 0 ? 'FAILED' : 'ok';
  rows.push({ name: step.name, status, counts, seconds });
}

const total = addCounts(rows.map((r) => r.counts));
console.log(`\n${formatTable(rows)}\n`);
console.log(formatSummary(total));
process.exitCode = total.failed > 0 ? 1 : 0;
