import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/scenario/simulate';
import { NETWORK_PRESETS, defaultScenario, networkPreset } from '../../src/scenario/presets';
import type { DataMode } from '../../src/scenario/types';

/**
 * What real FTP software behind real Linux firewalls does, mode by mode. Each row gives the reason,
 * with its source, so a reader can check the expectation rather than trust it.
 */
type Cell = 'works' | 'fails';
interface Row {
  preset: string;
  active: Cell;
  passive: Cell;
  eprt: Cell;
  epsv: Cell;
  why: string;
}

const TABLE: Row[] = [
  {
    preset: 'no-firewall',
    active: 'works',
    passive: 'works',
    eprt: 'works',
    epsv: 'works',
    why: 'nothing filters; RFC 959 §3.2 and RFC 2428 both work end to end',
  },
  {
    preset: 'client-stateful',
    active: 'fails',
    passive: 'works',
    eprt: 'fails',
    epsv: 'works',
    why: "the server's data SYN arrives as conntrack NEW on the inbound side (netfilter conntrack states), which only admits ESTABLISHED/RELATED; passive data is outbound",
  },
  {
    preset: 'client-stateful-reject',
    active: 'fails',
    passive: 'works',
    eprt: 'fails',
    epsv: 'works',
    why: 'as above; REJECT answers at once instead of silence (iptables-extensions REJECT)',
  },
  {
    preset: 'client-stateful-helper',
    active: 'works',
    passive: 'works',
    eprt: 'works',
    epsv: 'works',
    why: "nf_conntrack_ftp reads PORT/EPRT and registers an expectation, so the server's SYN is RELATED",
  },
  {
    preset: 'client-stateless',
    active: 'fails',
    passive: 'works',
    eprt: 'fails',
    epsv: 'works',
    why: "a stateless filter drops inbound SYNs to ports above 1023; the client's ephemeral data port is one",
  },
  {
    preset: 'client-stateless-port-20',
    active: 'works',
    passive: 'works',
    eprt: 'works',
    epsv: 'works',
    why: 'the classic hole: inbound from source port 20 is allowed, and the server connects from port 20 (RFC 959 §3.2, L-1)',
  },
  {
    preset: 'server-only-21',
    active: 'works',
    passive: 'fails',
    eprt: 'works',
    epsv: 'fails',
    why: 'passive data connections go to a port other than 21 and arrive as NEW; active data leaves the server, which is allowed',
  },
  {
    preset: 'server-only-21-reject',
    active: 'works',
    passive: 'fails',
    eprt: 'works',
    epsv: 'fails',
    why: 'as above, with REJECT',
  },
  {
    preset: 'server-passive-range',
    active: 'works',
    passive: 'works',
    eprt: 'works',
    epsv: 'works',
    why: "the passive range is opened, as vsftpd's pasv_min_port/pasv_max_port documentation advises",
  },
  {
    preset: 'server-stateful-helper',
    active: 'works',
    passive: 'works',
    eprt: 'works',
    epsv: 'works',
    why: "nf_conntrack_ftp reads 227/229 and expects the client's data connection as RELATED",
  },
  {
    preset: 'both-stateful',
    active: 'fails',
    passive: 'fails',
    eprt: 'fails',
    epsv: 'fails',
    why: 'the client side blocks active, the server side blocks passive',
  },
  {
    preset: 'both-stateful-helper',
    active: 'works',
    passive: 'works',
    eprt: 'works',
    epsv: 'works',
    why: 'each helper admits the data connection it saw announced',
  },
  {
    preset: 'client-nat',
    active: 'fails',
    passive: 'works',
    eprt: 'fails',
    epsv: 'works',
    why: 'PORT/EPRT name 192.168.1.10 while the control connection comes from the NAT address; the server refuses (RFC 2577 §3, vsftpd "500 Illegal PORT command.")',
  },
  {
    preset: 'client-nat-helper',
    active: 'works',
    passive: 'works',
    eprt: 'works',
    epsv: 'works',
    why: 'nf_nat_ftp rewrites PORT/EPRT to the public address and DNATs the expected connection back',
  },
  {
    preset: 'server-nat-private',
    active: 'works',
    passive: 'fails',
    eprt: 'works',
    epsv: 'works',
    why: 'the 227 names 10.0.0.20, which the Internet does not route (RFC 1918); 229 names no address (RFC 2428 §3)',
  },
  {
    preset: 'server-nat-public',
    active: 'works',
    passive: 'works',
    eprt: 'works',
    epsv: 'works',
    why: 'pasv_address makes 227 name the public address, whose passive range is forwarded',
  },
  {
    preset: 'server-nat-helper',
    active: 'works',
    passive: 'works',
    eprt: 'works',
    epsv: 'works',
    why: 'nf_nat_ftp rewrites the private address in 227 to the public one',
  },
];

const MODES: DataMode[] = ['active', 'passive', 'eprt', 'epsv'];

function run(
  preset: string,
  mode: DataMode,
  overrides: Partial<ReturnType<typeof defaultScenario>> = {},
) {
  const found = networkPreset(preset);
  if (!found) throw new Error(`no preset ${preset}`);
  return simulate(found.apply({ ...defaultScenario(), mode, ...overrides }));
}

describe('mode × preset outcome table (real FTP behind real Linux firewalls)', () => {
  for (const row of TABLE) {
    for (const mode of MODES) {
      it(`${row.preset} / ${mode}: ${row[mode]} — ${row.why}`, () => {
        const result = run(row.preset, mode);
        expect(result.outcome.result).toBe(row[mode] === 'works' ? 'success' : 'failure');
        if (row[mode] === 'works') {
          expect(result.outcome.replyCodes).toContain(226);
          expect(result.outcome.dataConnections.every((c) => c.result === 'established')).toBe(
            true,
          );
        }
      });
    }
  }

  it('covers every network preset', () => {
    expect(TABLE.map((r) => r.preset).sort()).toEqual(NETWORK_PRESETS.map((p) => p.id).sort());
  });
});

describe('what decided the outcome', () => {
  it('names the client firewall rule that dropped the server SYN from port 20 (active, stateful client)', () => {
    const result = run('client-stateful', 'active');
    const conn = result.outcome.dataConnections[0]!;
    expect(conn.opener).toBe('server');
    expect(conn.from).toBe('198.51.100.20:20');
    expect(conn.result).toBe('dropped');
    expect(conn.decidedBy?.node).toBe('client-router');
    expect(conn.decidedBy?.verdict?.ruleNumber).toBe(3);
    // Linux 6.5+ (tcp_syn_linear_timeouts=4): SYNs at 0, 1.0, 2.0, 3.1, 4.1, 5.1, 7.1, 11.3, 19.4, 35.6 s before vsftpd's 60 s connect timeout.
    expect(conn.synCount).toBe(10);
    expect(result.outcome.failedAt).toBe('LIST');
    expect(result.outcome.replyCodes).toContain(425);
    expect(result.outcome.explanation).toMatch(
      /SYN from 198\.51\.100\.20:20 to 192\.0\.2\.10:\d+ was dropped by the client firewall's rule 3, "inbound: drop everything else"/,
    );
  });

  it('DROP costs a long timeout, REJECT fails at once (active mode, client firewall)', () => {
    const dropped = run('client-stateful', 'active');
    const rejected = run('client-stateful-reject', 'active');
    expect(dropped.outcome.elapsedMs).toBeGreaterThan(60_000);
    expect(rejected.outcome.elapsedMs).toBeLessThan(1_000);
    expect(rejected.outcome.dataConnections[0]!.result).toBe('rejected');
    expect(rejected.trace.some((e) => e.type === 'reject' && e.response.icmp?.code === 3)).toBe(
      true,
    );
  });

  it('passive mode behind a server firewall that drops: the client connect times out after 134 s (Linux tcp_syn_retries=6)', () => {
    const result = run('server-only-21', 'passive');
    expect(result.outcome.failureKind).toBe('data-connect');
    const conn = result.outcome.dataConnections[0]!;
    expect(conn.opener).toBe('client');
    // The kernel measured in test/machines/tcp-linux-evidence.test.ts: 11 SYNs, ETIMEDOUT at 134.1 s.
    expect(conn.synCount).toBe(11);
    expect(conn.decidedBy?.node).toBe('server-router');
    expect(result.outcome.elapsedMs).toBeGreaterThan(134_000);
  });

  it('the textbook RFC 6298 stack instead: 7 SYNs, giving up after 127 s', () => {
    const preset = NETWORK_PRESETS.find((p) => p.id === 'server-only-21')!;
    const result = simulate({
      ...preset.apply({ ...defaultScenario(), mode: 'passive' }),
      tcp: 'rfc6298',
    });
    expect(result.outcome.dataConnections[0]!.synCount).toBe(7);
    expect(result.outcome.elapsedMs).toBeGreaterThan(127_000);
    expect(result.outcome.explanation).toMatch(/exponential backoff/);
  });

  it('passive mode behind a server firewall that rejects: connection refused at once', () => {
    const result = run('server-only-21-reject', 'passive');
    expect(result.outcome.elapsedMs).toBeLessThan(1_000);
    expect(result.client.failure?.detail).toMatch(/refused/i);
  });

  it('the FTP helper admits the data connection as RELATED', () => {
    const result = run('client-stateful-helper', 'active');
    expect(
      result.trace.some((e) => e.type === 'expect' && e.op === 'add' && e.node === 'client-router'),
    ).toBe(true);
    expect(result.outcome.dataConnections[0]!.decidedBy?.verdict?.state).toBe('RELATED');
  });

  it('client NAT without helper: the server refuses a PORT naming a private address (RFC 2577 §3)', () => {
    const result = run('client-nat', 'active');
    expect(result.outcome.replyCodes).toContain(500);
    expect(result.outcome.explanation).toContain('192.168.1.10');
    expect(result.outcome.dataConnections).toHaveLength(0);
    // The client stops listening for the data connection that will never come.
    const listener = result.actors.find((a) => a.label === 'FTP client active data listener')!;
    const states = result.trace.filter(
      (e) => e.type === 'transition' && e.actor === listener.actor,
    );
    expect(states.at(-1)).toMatchObject({ to: 'CLOSED' });
  });

  it('client NAT with helper: PORT is rewritten to the public address on the way out', () => {
    const result = run('client-nat-helper', 'active');
    const alg = result.trace.find((e) => e.type === 'nat' && e.kind === 'alg');
    expect(alg && alg.type === 'nat' && alg.detail).toContain('192.168.1.10 → 203.0.113.10');
    const serverSaw = result.trace.find(
      (e) =>
        e.type === 'deliver' && e.node === 'server' && /^PORT /.test(text(e.packet.tcp?.payload)),
    );
    expect(
      serverSaw && serverSaw.type === 'deliver' && text(serverSaw.packet.tcp?.payload),
    ).toMatch(/^PORT 203,0,113,10,/);
  });

  it('server NAT advertising its private address: the client SYN to 10.0.0.20 dies on the Internet', () => {
    const result = run('server-nat-private', 'passive');
    const conn = result.outcome.dataConnections[0]!;
    expect(conn.to).toMatch(/^10\.0\.0\.20:/);
    expect(conn.decidedBy?.node).toBe('internet');
    expect(result.outcome.explanation).toMatch(/private address/);
  });

  it('server NAT advertising its private address works for clients that ignore the 227 address (curl, ftplib)', () => {
    const result = run('server-nat-private', 'passive', { pasvAddress: 'ignore' });
    expect(result.outcome.result).toBe('success');
    expect(result.outcome.dataConnections[0]!.to).toMatch(/^198\.51\.100\.20:/);
  });

  it('server NAT with helper: 227 grows by 4 bytes, and later sequence numbers are shifted so the client sees a clean stream', () => {
    const result = run('server-nat-helper', 'passive');
    const alg = result.trace.find((e) => e.type === 'nat' && e.kind === 'alg');
    expect(alg && alg.type === 'nat' && alg.detail).toMatch(/\+4 bytes/);
    // Every control line after the rewrite still reached the client whole: the session completed.
    expect(result.outcome.result).toBe('success');
    expect(result.client.transfers.map((t) => t.verb)).toEqual(['LIST', 'RETR']);
  });
});

function text(bytes: Uint8Array | undefined): string {
  return bytes ? String.fromCharCode(...bytes) : '';
}

describe('which firewall let a data connection in', () => {
  it('is the one in front of the receiver, not the sender’s own', () => {
    const run = (mode: DataMode) =>
      simulate({ ...networkPreset('both-stateful-helper')!.apply(defaultScenario()), mode }).outcome
        .dataConnections[0]!.decidedBy;
    expect(run('passive')).toMatchObject({ node: 'server-router', verdict: { state: 'RELATED' } });
    expect(run('active')).toMatchObject({ node: 'client-router', verdict: { state: 'RELATED' } });
  });
});
