import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FirewallRule } from '../../src/network/firewall';
import {
  buildNetwork,
  inNamespace,
  labUnavailable,
  removeNetwork,
  run,
  type LabNetwork,
} from '../../src/lab/netns';
import {
  DEBIAN_PYTHON,
  pyftpdlibArgs,
  startIn,
  waitForListener,
  writeSampleFiles,
  type Running,
} from '../../src/lab/programs';
import { defaultScenario } from '../../src/scenario/presets';
import type { Scenario } from '../../src/scenario/types';

/**
 * When does Linux use up an FTP expectation: when the first packet matching it creates its
 * conntrack (before the filter), or only when that packet is accepted? Measured on the lab's
 * network: the client router runs the FTP helper on port 21 and a forward chain that lets the
 * control connection through but drops the first passive data SYN, which arrives RELATED. While
 * the client's connect() retransmits, the client router's expectation table
 * (/proc/net/nf_conntrack_expect in its namespace) and counters on `ct state related` and
 * `ct state new` data SYNs are read.
 */

/** net.ipv4.tcp_syn_retries in the experiment's namespaces: connect() gives up after 6 SYNs, 7 s. */
export const SYN_RETRIES = 2;

export interface ExpectationObservation {
  /** Expectations listed in the client router after the 227, before the data SYN. */
  expectedBeforeSyn: number;
  /** The first one's timeout column then, seconds left (null if none was listed). */
  timeoutBeforeSyn: number | null;
  /** Expectations listed in the client router once the first data SYN was dropped. */
  expectedAfterFirstSyn: number;
  /** Data SYNs the client router's forward chain saw, by conntrack state. */
  relatedSyns: number;
  newSyns: number;
  /** Whether the data connection was made in the end (only when NEW is accepted). */
  connected: boolean;
  /** After a second PASV and then a third, expectations listed (one per PASV, or replaced). */
  expectedAfterTwoPasv: number;
  /** The port that expectation names (dport=), and the port the third PASV's 227 named. */
  expectedPortAfterTwoPasv: number | null;
  thirdPasvPort: number | null;
  kernel: string;
  log: string[];
}

/** Why this experiment cannot run here, or null (SKIP_LAB=1, not root, no namespaces, no pyftpdlib). */
export function labAvailable(): string | null {
  if (process.env.SKIP_LAB === '1') return 'SKIP_LAB=1';
  const why = labUnavailable();
  if (why) return why;
  const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import pyftpdlib'], { timeout: 10_000 });
  return probe.status === 0 ? null : 'pyftpdlib is missing';
}

const dataRule = (
  name: string,
  state: 'RELATED' | 'NEW',
  action: 'ACCEPT' | 'DROP',
): FirewallRule => ({
  name,
  direction: 'outbound',
  protocol: 'tcp',
  state: [state],
  action,
});

/**
 * The scenario: passive mode, the client router stateful with the FTP helper; outbound control
 * and established traffic pass, a RELATED data SYN is dropped, a NEW one is dropped or accepted.
 */
export function expectationScenario(acceptNew: boolean): Scenario {
  const base = defaultScenario();
  return {
    ...base,
    mode: 'passive',
    clientSide: {
      nat: false,
      ftpHelper: true,
      firewall: {
        stateful: true,
        policy: 'DROP',
        rules: [
          { name: 'established', state: ['ESTABLISHED'], action: 'ACCEPT' },
          {
            name: 'outbound: new control connection',
            direction: 'outbound',
            protocol: 'tcp',
            dstPort: { from: 21, to: 21 },
            state: ['NEW'],
            action: 'ACCEPT',
          },
          dataRule('outbound: drop related data', 'RELATED', 'DROP'),
          dataRule('outbound: new data', 'NEW', acceptNew ? 'ACCEPT' : 'DROP'),
        ],
      },
    },
    serverSide: { nat: false, ftpHelper: false, firewall: null },
  };
}

/** A client speaking FTP by hand: log in, PASV, connect to the data port; prints a line per step. */
const CLIENT = String.raw`
import re, socket, sys, time
host, wait = sys.argv[1], float(sys.argv[2])
c = socket.create_connection((host, 21), timeout=10)
f = c.makefile('rb')
def reply():
    line = f.readline().decode()
    while line[3:4] == '-':
        line = f.readline().decode()
    return line.strip()
def send(cmd):
    c.sendall((cmd + '\r\n').encode())
    return reply()
print('banner', reply(), flush=True)
print('user', send('USER anonymous'), flush=True)
print('pass', send('PASS lab@'), flush=True)
def pasv():
    r = send('PASV')
    n = [int(x) for x in re.search(r'\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)', r).groups()]
    return r, n[4] * 256 + n[5]
r, port = pasv()
print('pasv', r, flush=True)
sys.stdin.readline()
d = socket.socket()
d.settimeout(wait)
t = time.monotonic()
try:
    d.connect((host, port))
    print('connected', round(time.monotonic() - t, 2), flush=True)
except Exception as e:
    print('connect-failed', type(e).__name__, round(time.monotonic() - t, 2), flush=True)
d.close()
r2, port2 = pasv()
r3, port3 = pasv()
print('pasv2', port2, 'pasv3', port3, flush=True)
sys.stdin.readline()
print('quit', send('QUIT'), flush=True)
`;

function inRouter(net: LabNetwork, program: string, args: string[]): string {
  return run(...inNamespace(net.ns.clientRouter, program, args));
}

function expectations(net: LabNetwork): string[] {
  return inRouter(net, 'cat', ['/proc/net/nf_conntrack_expect'])
    .split('\n')
    .filter((line) => line.trim() !== '');
}

function counter(net: LabNetwork, name: string): number {
  const chain = inRouter(net, 'nft', ['list', 'chain', 'ip', 'ftplab', 'forward']);
  const line = chain.split('\n').find((l) => l.includes(`comment "${name}"`));
  const packets = line?.match(/counter packets (\d+)/)?.[1];
  if (packets === undefined) throw new Error(`no counter ${name} in\n${chain}`);
  return Number(packets);
}

const portIn = (match: RegExpMatchArray | null | undefined) => (match ? Number(match[1]) : null);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: () => boolean, ms: number, label: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await sleep(50);
  }
}

export async function observeExpectation(
  acceptNew: boolean,
  tag: string,
): Promise<ExpectationObservation> {
  const scenario = expectationScenario(acceptNew);
  const work = mkdtempSync(join(tmpdir(), 'ftplab-expect-'));
  const running: Running[] = [];
  let net: LabNetwork | null = null;
  const log: string[] = [];
  try {
    net = buildNetwork(scenario, tag);
    const n = net;
    for (const ns of Object.values(n.ns))
      run(...inNamespace(ns, 'sysctl', ['-q', '-w', `net.ipv4.tcp_syn_retries=${SYN_RETRIES}`]));
    // Counters that decide nothing, ahead of the rules: every data SYN by its conntrack state.
    for (const state of ['new', 'related']) {
      inRouter(n, 'nft', [
        `insert rule ip ftplab forward iifname "lan" tcp dport != 21 tcp flags & (syn | ack) == syn ct state ${state} counter comment "data syn ${state}"`,
      ]);
    }
    const root = join(work, 'root');
    mkdirSync(root, { recursive: true });
    writeSampleFiles(root);
    const server = startIn(n.ns.server, DEBIAN_PYTHON, pyftpdlibArgs(scenario, n, root));
    running.push(server);
    await waitForListener(n.ns.server, 21, 15_000);
    const client = spawn(
      ...inNamespace(n.ns.client, DEBIAN_PYTHON, ['-c', CLIENT, n.addressing.server, '9']),
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    running.push({
      child: client,
      output: () => log.join('\n'),
      stop: async () => {
        if (client.exitCode === null && client.signalCode === null) client.kill('SIGKILL');
      },
    });
    let out = '';
    client.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    client.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const lines = () => out.split('\n').filter((l) => l !== '');
    const step = async (word: string) => {
      await waitFor(() => lines().some((l) => l.startsWith(word)), 20_000, `${word}: ${out}`);
    };
    await step('pasv');
    await sleep(200);
    const before = expectations(n);
    log.push(...before.map((l) => `before SYN: ${l}`));
    client.stdin.write('\n');
    // The first SYN, then one look before the retransmission a second later.
    await waitFor(
      () => counter(n, 'data syn new') + counter(n, 'data syn related') >= 1,
      5000,
      'first SYN',
    );
    await sleep(300);
    const after = expectations(n);
    log.push(...after.map((l) => `after first SYN: ${l}`));
    log.push(
      `counters after first SYN: related ${counter(n, 'data syn related')} new ${counter(n, 'data syn new')}`,
    );
    await step('pasv2');
    await sleep(200);
    const two = expectations(n);
    log.push(...two.map((l) => `after two more PASV: ${l}`));
    const relatedSyns = counter(n, 'data syn related');
    const newSyns = counter(n, 'data syn new');
    client.stdin.write('\n');
    await step('quit');
    log.push(...lines());
    return {
      expectedBeforeSyn: before.length,
      // exp_seq_show() prints the seconds left on the expectation's timer first.
      timeoutBeforeSyn: before.length > 0 ? Number(before[0]!.split(' ')[0]) : null,
      expectedAfterFirstSyn: after.length,
      relatedSyns,
      newSyns,
      connected: lines().some((l) => l.startsWith('connected')),
      expectedAfterTwoPasv: two.length,
      expectedPortAfterTwoPasv: portIn(two[0]?.match(/dport=(\d+)/)),
      thirdPasvPort: portIn(
        lines()
          .find((l) => l.startsWith('pasv2 '))
          ?.match(/ pasv3 (\d+)/),
      ),
      kernel: run('uname', ['-r']).trim(),
      log,
    };
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    if (net) removeNetwork(net);
    rmSync(work, { recursive: true, force: true });
  }
}
