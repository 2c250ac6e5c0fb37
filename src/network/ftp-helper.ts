/**
 * What netfilter's FTP conntrack helper (nf_conntrack_ftp) looks for on a control connection, and
 * how its NAT half (nf_nat_ftp) rewrites it. The helper reads PORT and EPRT from the client
 * (the connection's original direction) and 227/229 replies from the server (reply direction).
 */

/**
 * nf_conntrack_ftp's expectation policy (ftp_exp_policy: `.max_expected = 1, .timeout = 5 * 60`):
 * one expected data connection per control connection, and it is forgotten 300 s after the line
 * that announced it if no packet has matched it (nf_ct_expect_insert arms the timer). The timer
 * wheel rounds a timer that long up to its level's granularity, 4096 jiffies (16.4 s at HZ=250),
 * so the kernel may let it go up to that much later (not measured); the simulation expires it at
 * 300 s exactly. /proc/net/nf_conntrack_expect's first column counts the timeout down: right
 * after a 227 it reads 299 or 300 (measured: test/lab/expectation.test.ts).
 */
export const FTP_EXPECT_POLICY = { maxExpected: 1, timeoutMs: 300_000 } as const;

export interface HelperFinding {
  kind: 'PORT' | 'EPRT' | '227' | '229';
  /** The address the line names; for 229, which names none, null (the sender's address applies). */
  address: string | null;
  port: number;
  /** Byte offsets of the text a NAT helper would replace. */
  start: number;
  end: number;
  line: string;
}

const SIX_NUMBERS = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/;

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

function sixNumbers(
  text: string,
  from: number,
): { address: string; port: number; start: number; end: number } | null {
  const match = SIX_NUMBERS.exec(text.slice(from));
  if (!match) return null;
  const n = match.slice(1, 7).map(Number);
  if (n.some((x) => x > 255)) return null;
  const start = from + match.index;
  return {
    address: n.slice(0, 4).join('.'),
    port: n[4]! * 256 + n[5]!,
    start,
    end: start + match[0].length,
  };
}

/** Finds the one command or reply per segment that the helper acts on (it needs whole lines). */
export function scanControlPayload(
  payload: Uint8Array,
  dir: 'orig' | 'reply',
): HelperFinding | null {
  const text = latin1(payload);
  const lineEnd = text.indexOf('\n');
  if (lineEnd < 0) return null;
  const line = text.slice(0, lineEnd).replace(/\r$/, '');
  if (dir === 'orig') {
    const verb = line.slice(0, 5).toUpperCase();
    if (verb === 'PORT ') {
      const found = sixNumbers(text, 5);
      return found && found.end <= lineEnd ? { kind: 'PORT', ...found, line } : null;
    }
    if (verb === 'EPRT ') {
      const match = /^EPRT (.)1\1(\d{1,3}(?:\.\d{1,3}){3})\1(\d{1,5})\1/i.exec(line);
      if (!match) return null;
      return {
        kind: 'EPRT',
        address: match[2]!,
        port: Number(match[3]),
        start: 5,
        end: match[0].length,
        line,
      };
    }
    return null;
  }
  if (line.startsWith('227 ')) {
    const found = sixNumbers(text, 4);
    return found && found.end <= lineEnd ? { kind: '227', ...found, line } : null;
  }
  if (line.startsWith('229 ')) {
    const match = /\((.)\1\1(\d{1,5})\1\)/.exec(line);
    if (!match) return null;
    const start = match.index + 4;
    return {
      kind: '229',
      address: null,
      port: Number(match[2]),
      start,
      end: start + match[2]!.length,
      line,
    };
  }
  return null;
}

/** The replacement text nf_nat_ftp writes for a finding, with a new address and port. */
export function replacementText(finding: HelperFinding, address: string, port: number): string {
  switch (finding.kind) {
    case 'PORT':
    case '227':
      return `${address.split('.').join(',')},${Math.floor(port / 256)},${port % 256}`;
    case 'EPRT':
      return `|1|${address}|${port}|`;
    case '229':
      return String(port);
  }
}

export function splice(payload: Uint8Array, start: number, end: number, text: string): Uint8Array {
  const out = new Uint8Array(payload.length - (end - start) + text.length);
  out.set(payload.subarray(0, start), 0);
  for (let i = 0; i < text.length; i++) out[start + i] = text.charCodeAt(i);
  out.set(payload.subarray(end), start + text.length);
  return out;
}
