/**
 * TCP stack profiles: when an active open retransmits its SYN and when it gives up.
 *
 * `rfc6298` is the textbook schedule the simulation has always used: RTO 1 s doubling on every
 * expiry (RFC 6298 §5.5), a fixed number of retransmissions, give up one more RTO later.
 *
 * `linux` is what the kernel on the lab machine does (6.18, measured by
 * test/machines/tcp-linux-evidence.test.ts and recorded in test/machines/tcp-profile.test.ts):
 * - the RTO stays at 1 s for the first `tcp_syn_linear_timeouts` retransmissions (Linux 6.5+,
 *   default 4), then doubles up to TCP_RTO_MAX (120 s);
 * - the connection gives up on a time budget, not a count: on a timer expiry, once the time since
 *   the first SYN reaches the budget that `tcp_syn_retries` exponential retransmissions would take
 *   from a 1 s RTO ((2^(n+1) - 1) s up to the 120 s cap, then 120 s each), it stops. That is why
 *   tcp_syn_retries=6 sends 11 SYNs (the linear ones fit in the 127 s budget) and why
 *   tcp_syn_retries=2 sends 6 SYNs, not 2 + 4 + 1 = 7;
 * - every timer is a timer-wheel timer (HZ = 250 on Debian): its expiry is rounded up to the
 *   granularity of the wheel level its delay falls in (4 ms below 252 ms, 32 ms below 2.016 s,
 *   256 ms below 16.128 s, 2.048 s below 129 s, ...), measured from an absolute jiffies value.
 *   That rounding is where "1.024 s" comes from, and why the last intervals of one run differ
 *   from another's by up to a second: the phase of jiffies at the first SYN is arbitrary. The
 *   profile fixes a phase (the one of the recorded run) so the simulation stays deterministic.
 *
 * Other systems have no profile here; what their source or documentation says (not measured,
 * lessons/02-tcp-handshake.md shows it to learners):
 * - macOS (XNU): in SYN_SENT the retransmission timer is the initial RTO (TCPTV_RTOBASE, 1 s,
 *   without a cached RTT) times tcp_syn_backoff[shift] = 1, 1, 1, 1, 1, 2, 4, 8, 16, 32, 64,
 *   capped at TCPTV_REXMTMAX (64 s), so SYNs leave at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35 and 67 s;
 *   connect() fails when TCPT_KEEP, armed with TCPTV_KEEP_INIT (75 s, net.inet.tcp.keepinit),
 *   runs out, before the twelfth. Read in
 *   https://github.com/apple-oss-distributions/xnu/blob/1031c584a5e37aff177559b9f69dbd3c8c3fd30a/bsd/netinet/tcp_timer.c
 *   and https://github.com/apple-oss-distributions/xnu/blob/8d741a5de7ff4191bf97d57b9f54c2f6d4a15585/bsd/netinet/tcp_timer.h
 * - Windows 2000 and Server 2003: TcpMaxConnectRetransmissions 2, the first after TcpInitialRTT
 *   (3 s), each delay doubled, and after the last one twice the last delay: SYNs at 0, 3 and 9 s,
 *   given up at 21 s.
 *   https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-2000-server/cc938209(v=technet.10)
 *   https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-2000-server/cc938207(v=technet.10)
 * - Windows 8 / Server 2012 and later: the settings are MaxSynRetransmissions and InitialRtoMs
 *   (300-3000 ms) of Set-NetTCPSetting, which `netsh interface tcp show global` prints; Microsoft's
 *   reference gives no default for either, so none is confirmed here. One published netsh output
 *   (a third party's, system not named: http://www.wmrh.cn/Thetrip/33722.html) reads an initial
 *   RTO of 1000 ms and 4 SYN retransmissions.
 *   https://learn.microsoft.com/en-us/powershell/module/nettcpip/set-nettcpsetting
 */

export type TcpStackName = 'rfc6298' | 'linux';

export interface Rfc6298Profile {
  kind: 'rfc6298';
  /** Retransmissions before giving up (the simulation's tcp_syn_retries, default 6). */
  synRetries?: number;
  /** RFC 6298 §2.1: 1 s. */
  initialRtoMs?: number;
}

export interface LinuxProfile {
  kind: 'linux';
  /** net.ipv4.tcp_syn_retries (default 6). Sets the time budget, not a count. */
  synRetries?: number;
  /** net.ipv4.tcp_syn_linear_timeouts (Linux 6.5+, default 4). */
  linearTimeouts?: number;
  /** CONFIG_HZ (Debian: 250). */
  hz?: number;
  /** jiffies at the first SYN, modulo the wheel's coarsest granularity used; see above. */
  timerPhaseJiffies?: number;
}

export type TcpProfile = Rfc6298Profile | LinuxProfile;

export interface SynSchedule {
  /** When each SYN leaves, from the first (always 0). */
  sendTimesMs: number[];
  /** When connect() fails with ETIMEDOUT. */
  giveUpMs: number;
}

/** The jiffies phase of the recorded run (11 SYNs, 0 … 68.601 s, ETIMEDOUT at 134.1 s). */
export const MEASURED_TIMER_PHASE_JIFFIES = 257;

const TCP_RTO_MAX_MS = 120_000;
const TCP_TIMEOUT_INIT_MS = 1000;
/** The timer wheel (kernel/time/timer.c): 8 levels of 64 buckets, each level 8 times coarser. */
const LVL_CLK_SHIFT = 3;
const LVL_SIZE = 64;
const LVL_DEPTH = 8;

/** The profile by name, with the defaults of the lab machine. */
export function tcpProfile(name: TcpStackName): TcpProfile {
  return name === 'linux' ? { kind: 'linux' } : { kind: 'rfc6298' };
}

export function synSchedule(profile: TcpProfile): SynSchedule {
  return profile.kind === 'linux' ? linuxSchedule(profile) : rfc6298Schedule(profile);
}

function rfc6298Schedule(profile: Rfc6298Profile): SynSchedule {
  const retries = profile.synRetries ?? 6;
  const rto = profile.initialRtoMs ?? TCP_TIMEOUT_INIT_MS;
  const sendTimesMs = [0];
  let t = 0;
  for (let k = 0; k < retries; k++) {
    t += rto * 2 ** k;
    sendTimesMs.push(t);
  }
  return { sendTimesMs, giveUpMs: t + rto * 2 ** retries };
}

/**
 * tcp_model_timeout(): how long `boundary` exponential retransmissions from `rtoBase` take, the
 * budget retransmits_timed_out() compares the time since the first SYN with.
 */
export function linuxSynBudgetMs(synRetries: number): number {
  const threshold = Math.floor(Math.log2(TCP_RTO_MAX_MS / TCP_TIMEOUT_INIT_MS));
  return synRetries <= threshold
    ? (2 ** (synRetries + 1) - 1) * TCP_TIMEOUT_INIT_MS
    : (2 ** (threshold + 1) - 1) * TCP_TIMEOUT_INIT_MS + (synRetries - threshold) * TCP_RTO_MAX_MS;
}

/** When a timer armed at jiffies `clk` for `delay` jiffies fires (calc_wheel_index / calc_index). */
function wheelExpiry(clk: number, delay: number): number {
  let level = 0;
  while (level < LVL_DEPTH - 1 && delay >= (LVL_SIZE - 1) << (level * LVL_CLK_SHIFT)) level++;
  const granularity = 2 ** (level * LVL_CLK_SHIFT);
  return (Math.floor((clk + delay) / granularity) + 1) * granularity;
}

function linuxSchedule(profile: LinuxProfile): SynSchedule {
  const synRetries = profile.synRetries ?? 6;
  const linear = profile.linearTimeouts ?? 4;
  const hz = profile.hz ?? 250;
  const jiffyMs = 1000 / hz;
  const start = profile.timerPhaseJiffies ?? MEASURED_TIMER_PHASE_JIFFIES;
  const budgetMs = linuxSynBudgetMs(synRetries);
  const toJiffies = (ms: number) => Math.round(ms / jiffyMs);
  const sendTimesMs = [0];
  let clk = start;
  let rtoMs = TCP_TIMEOUT_INIT_MS;
  let retransmits = 0;
  // Bounded: the budget is finite and every expiry is at least 1 s after the previous one.
  for (;;) {
    clk = wheelExpiry(clk, toJiffies(rtoMs));
    const now = Math.round((clk - start) * jiffyMs);
    // retransmits_timed_out(): only after a retransmission, once the budget has elapsed.
    if (retransmits > 0 && now >= budgetMs) return { sendTimesMs, giveUpMs: now };
    sendTimesMs.push(now);
    retransmits++;
    // tcp_retransmit_timer(): linear while icsk_retransmits <= tcp_syn_linear_timeouts.
    if (retransmits > linear) rtoMs = Math.min(rtoMs * 2, TCP_RTO_MAX_MS);
  }
}
