/**
 * When curl and lftp open their next control connection (issue 13): for every lab recording with
 * more than one, the simulation of its flags opens as many, each as long after the client closed
 * the last one as in the recording's pcap (lftp waits out its reconnect interval, 1 s with the
 * lab's settings, unless the failure took longer; curl does not wait). The commands on them are
 * commands.test.ts's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/container';
import { decodeFrame, TCP_FLAG } from '../../src/capture/packet';
import { LAB_LFTP_RECONNECT } from '../../src/lab/programs';
import { simulate } from '../../src/scenario/simulate';
import { scenarioOf } from './compare';

const FIXTURES = new URL('../capture/fixtures/', import.meta.url);
/** The lab's and the simulation's networks differ in latency and in how long a failure takes. */
const TOLERANCE_MS = 250;

interface ControlEnd {
  port: number;
  synAt: number;
  finAt: number | null;
}

/** The client's control connections in a pcap: when its SYN went, and its first FIN. */
function fromPcap(bytes: Uint8Array): ControlEnd[] {
  const source = openCapture(bytes);
  const ends: ControlEnd[] = [];
  for (let frame = source.next(); frame; frame = source.next()) {
    const tcp = decodeFrame(frame)?.tcp;
    if (!tcp || tcp.dstPort !== 21) continue;
    const tMs = decodeFrame(frame)!.tMs;
    if (tcp.flags & TCP_FLAG.syn && !(tcp.flags & TCP_FLAG.ack)) {
      ends.push({ port: tcp.srcPort, synAt: tMs, finAt: null });
    } else if (tcp.flags & TCP_FLAG.fin) {
      const end = ends.find((e) => e.port === tcp.srcPort);
      if (end && end.finAt === null) end.finAt = tMs;
    }
  }
  return ends;
}

/** The same from the simulation's trace, at the client. */
function fromTrace(trace: ReturnType<typeof simulate>['trace']): ControlEnd[] {
  const ends: ControlEnd[] = [];
  for (const e of trace) {
    if (e.type !== 'send' || e.node !== 'client' || e.packet.tcp?.dstPort !== 21) continue;
    const { flags, srcPort } = e.packet.tcp;
    if (flags.syn && !flags.ack) ends.push({ port: srcPort, synAt: e.t, finAt: null });
    else if (flags.fin) {
      const end = ends.find((c) => c.port === srcPort);
      if (end && end.finAt === null) end.finAt = e.t;
    }
  }
  return ends;
}

/** How long after the client closed each control connection it opened the next. */
function gaps(ends: readonly ControlEnd[]): number[] {
  return ends.slice(1).map((next, i) => next.synAt - (ends[i]!.finAt ?? NaN));
}

const names = readdirSync(FIXTURES)
  .filter((n) => n.startsWith('lab-') && n.endsWith('.json'))
  .filter((n) => {
    const recorded = JSON.parse(readFileSync(new URL(n, FIXTURES), 'utf8')) as {
      dialogue: string[];
    };
    return recorded.dialogue.filter((l) => /^S: 220\b/.test(l)).length > 1;
  })
  .sort();

describe('a new control connection opens as long after the last as in the lab', () => {
  it('has the recordings with more than one (curl and lftp, both servers)', () => {
    expect(names.length).toBe(13);
  });

  it.each(names)('%s', (name) => {
    const recorded = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as {
      flags: string;
    };
    const pcap = new Uint8Array(readFileSync(new URL(name.replace(/\.json$/, '.pcap'), FIXTURES)));
    const real = gaps(fromPcap(pcap));
    const sim = gaps(
      fromTrace(
        simulate(scenarioOf(recorded.flags), {
          tcpProfile: { kind: 'linux', synRetries: 1 },
          reconnect: LAB_LFTP_RECONNECT,
        }).trace,
      ),
    );
    expect(sim.length, `control connections after the first`).toBe(real.length);
    sim.forEach((gap, i) => {
      expect(
        Math.abs(gap - real[i]!),
        `gap ${i + 1}: ${gap} ms simulated, ${real[i]} ms real`,
      ).toBeLessThan(TOLERANCE_MS);
    });
  });
});

describe("the outcome's data connections on a session's several control connections", () => {
  const outcomeOf = (name: string) => {
    const recorded = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as {
      flags: string;
    };
    return simulate(scenarioOf(recorded.flags), {
      tcpProfile: { kind: 'linux', synRetries: 1 },
      reconnect: LAB_LFTP_RECONNECT,
    }).outcome;
  };

  it("names curl's second failed connection by its next URL, and lftp's by the command it retried", () => {
    const curl = outcomeOf('lab-vsftpd-curl-drop-passive.internet.json');
    expect(curl.dataConnections.map((c) => c.command)).toEqual(['LIST', 'RETR notes.txt']);
    expect(curl.failedAt).toBe('LIST');
    const lftp = outcomeOf('lab-vsftpd-lftp-drop-passive.internet.json');
    expect(lftp.dataConnections.map((c) => c.command)).toEqual(['LIST', 'LIST']);
    expect(lftp.explanation).toContain('that was its last try (max-retries 2)');
  });
});
