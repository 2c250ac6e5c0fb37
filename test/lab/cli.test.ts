import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inNamespace, labUnavailable, leftoverNamespaces } from '../../src/lab/netns';

// `npm run lab` as a user runs it: bad input is one line and exit 2, and Ctrl-C in the middle of
// a run (here: a dropped active connection that takes a minute) removes everything it made.

// As `npm run lab` runs it: node with tsx as a loader, no wrapper process between.
const NODE = [process.execPath, '--import', 'tsx'];
const root = labUnavailable() === null;

describe('npm run lab', () => {
  it('refuses an unknown client with one line naming the allowed ones, exit 2', () => {
    const run = spawnSync(NODE[0]!, [...NODE.slice(1), 'src/cli/lab.ts', '--client', 'wget'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'error: --client wget: allowed: rfc959, curl, ftplib, lftp',
    ]);
  }, 60_000);

  // On a loaded machine this once failed 1 run in 3: the tsx wrapper SIGKILLed the lab when it did
  // not acknowledge the relayed SIGINT within 30 ms, and `once` let a second SIGINT kill it.
  it.skipIf(!root)(
    'removes its namespaces and stops its programs on Ctrl-C',
    async () => {
      const tag = `ctrlc${process.pid.toString(36)}`;
      const child = spawn(
        NODE[0]!,
        [...NODE.slice(1), 'src/cli/lab.ts', '--mode', 'active', '--client-fw', 'stateful'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, FTPLAB_TAG: tag },
          // Its own process group, so the signal reaches every process of it, as a terminal's Ctrl-C does.
          detached: true,
        },
      );
      const mine = () => leftoverNamespaces().filter((n) => n.startsWith(`ftplab-${tag}-`));
      const deadline = Date.now() + 45_000;
      // Wait until its network is up, then interrupt it mid-run.
      while (Date.now() < deadline && mine().length < 4) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(mine()).toHaveLength(4);
      // And until its server listens: the network is built by then, the run is in its middle.
      const listening = () =>
        spawnSync(...inNamespace(`ftplab-${tag}-s`, 'ss', ['-Hltn', 'sport = :21']), {
          encoding: 'utf8',
        }).stdout.trim() !== '';
      while (Date.now() < deadline && !listening()) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(listening()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      process.kill(-child.pid!, 'SIGINT');
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => resolve(-1), 20_000);
        child.once('exit', (exitCode, signal) => {
          clearTimeout(timer);
          resolve(exitCode ?? (signal ? 128 : null));
        });
      });
      expect(code).not.toBe(-1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(mine()).toEqual([]);
    },
    90_000,
  );
});
