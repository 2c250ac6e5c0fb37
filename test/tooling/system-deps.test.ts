import { describe, expect, it } from 'vitest';
import { ensureSystemPrograms, installCommand, SYSTEM_PROGRAMS } from '../system-deps.mjs';

type Program = (typeof SYSTEM_PROGRAMS)[number];

describe('npm test system programs', () => {
  it('lists every Debian package .ci/run used to install', () => {
    const packages = SYSTEM_PROGRAMS.map((p) => p.pkg);
    for (const pkg of [
      'chromium',
      'tshark',
      'fonts-dejavu-core',
      'vsftpd',
      'python3-pyftpdlib',
      'lftp',
      'curl',
    ])
      expect(packages).toContain(pkg);
  });

  it('stops with the one install command when a program is missing and it cannot install', () => {
    const lines: string[] = [];
    const programs: Program[] = [
      { pkg: 'vsftpd', why: 'servers', present: () => true },
      { pkg: 'lftp', why: 'clients', present: () => false },
      { pkg: 'tshark', why: 'captures', present: () => false },
    ];
    const result = ensureSystemPrograms({
      programs,
      canInstall: false,
      log: (l: string) => lines.push(l),
    });
    expect(result).toEqual({ ok: false, installed: [], missing: ['lftp', 'tshark'] });
    expect(lines.join('\n')).toContain(installCommand(['lftp', 'tshark']));
    expect(lines.join('\n')).not.toContain('vsftpd:');
  });

  it('does nothing when everything is present', () => {
    const programs: Program[] = [{ pkg: 'curl', why: 'clients', present: () => true }];
    const lines: string[] = [];
    expect(ensureSystemPrograms({ programs, log: (l: string) => lines.push(l) })).toEqual({
      ok: true,
      installed: [],
      missing: [],
    });
    expect(lines).toEqual([]);
  });
});
