// The system programs `npm test` needs beyond Node, and how it gets them: on a Debian machine as
// root it installs what is missing with apt (as CI needs), anywhere else it stops at once and
// prints the one command that installs them. `npm test` calls `ensureSystemPrograms()` first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Python: the `python3` on PATH may be another install without pyftpdlib. */
const DEBIAN_PYTHON = '/usr/bin/python3';

/**
 * Each program, the Debian package that provides it, and who needs it.
 * @type {{ pkg: string, why: string, present: () => boolean }[]}
 */
export const SYSTEM_PROGRAMS = [
  {
    pkg: 'chromium',
    why: 'the browser tests (Playwright drives Debian Chromium)',
    present: () => existsSync(process.env.CHROME_PATH ?? '/usr/bin/chromium'),
  },
  {
    pkg: 'fonts-dejavu-core',
    why: 'text in the browser tests and their screenshots',
    present: () => existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'),
  },
  {
    pkg: 'tshark',
    why: 'reading exported captures back with Wireshark dissectors',
    present: () => onPath('tshark'),
  },
  {
    pkg: 'vsftpd',
    why: 'the real FTP server tests',
    present: () => existsSync('/usr/sbin/vsftpd'),
  },
  {
    pkg: 'python3-pyftpdlib',
    why: 'the real FTP server tests (pyftpdlib)',
    present: () =>
      existsSync(DEBIAN_PYTHON) &&
      spawnSync(DEBIAN_PYTHON, ['-c', 'import pyftpdlib'], { stdio: 'ignore' }).status === 0,
  },
  { pkg: 'lftp', why: 'the real FTP client tests', present: () => onPath('lftp') },
  { pkg: 'curl', why: 'the real FTP client tests', present: () => onPath('curl') },
  // The lab (test/lab): the scenario on the real kernel, in network namespaces.
  {
    pkg: 'iproute2',
    why: 'the lab tests (ip netns, ss)',
    present: () => onPath('ip') && onPath('ss'),
  },
  {
    pkg: 'nftables',
    why: 'the lab tests (each firewall as nftables rules)',
    present: () => onPath('nft'),
  },
  {
    pkg: 'tcpdump',
    why: 'the lab tests (a capture of every link)',
    present: () => onPath('tcpdump'),
  },
];

/** @param {string} name */
function onPath(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** The one command that installs `packages` on Debian. @param {string[]} packages */
export function installCommand(packages) {
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;
}

/**
 * Installs the missing programs when it can (root, apt-get present) and reports whether every
 * program is present afterwards. Otherwise prints what is missing, why, and the command to run.
 * @param {{ log?: (line: string) => void, programs?: typeof SYSTEM_PROGRAMS, canInstall?: boolean }} [options]
 * @returns {{ ok: boolean, installed: string[], missing: string[] }}
 */
export function ensureSystemPrograms({
  log = console.log,
  programs = SYSTEM_PROGRAMS,
  canInstall = undefined,
} = {}) {
  const missing = programs.filter((p) => !p.present());
  if (missing.length === 0) return { ok: true, installed: [], missing: [] };
  const packages = missing.map((p) => p.pkg);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (canInstall ?? (isRoot && onPath('apt-get'))) {
    log(`Installing the system programs the tests need: ${packages.join(', ')}`);
    const run = spawnSync('sh', ['-c', installCommand(packages)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const still = programs.filter((p) => !p.present()).map((p) => p.pkg);
    if (run.status === 0 && still.length === 0)
      return { ok: true, installed: packages, missing: [] };
    log(`apt-get could not install ${still.join(', ') || packages.join(', ')}.`);
    return { ok: false, installed: [], missing: still.length > 0 ? still : packages };
  }
  log('npm test needs system programs that are not installed:');
  for (const p of missing) log(`  ${p.pkg}: ${p.why}`);
  const sudo = isRoot ? '' : 'sudo ';
  log(`Install them with: ${sudo}sh -c '${installCommand(packages)}'`);
  log('(or run the rest with SKIP_SYSTEM=1 npm test; tests that need them then fail)');
  return { ok: false, installed: [], missing: packages };
}
