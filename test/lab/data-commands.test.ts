/**
 * The lab names each data connection by the transfer command it served on its own control
 * connection, read from the client's log (announcedData). It used to give the n-th connection
 * the script's n-th transfer command, so lftp's retried LIST, on its second control connection or
 * on the same one, was labelled "RETR notes.txt". The recorded summaries beside the captures
 * (test/capture/fixtures/lab-*.json) were written before the fix and keep that label: they are
 * recorded output and are read here only for their flags and the client's log.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index';
import { announcedData } from '../../src/lab/lab';
import { LAB_LFTP_RECONNECT } from '../../src/lab/programs';
import { simulate } from '../../src/scenario/simulate';
import { scenarioOf } from './compare';

const FIXTURES = new URL('../capture/fixtures/', import.meta.url);
const TRANSFER = /^(LIST|NLST|RETR|STOR|APPE|MLSD)\b/i;

interface Recorded {
  flags: string;
  dialogue: string[];
  dataConnections: { command: string | null }[];
}

const names = readdirSync(FIXTURES)
  .filter((n) => n.startsWith('lab-') && n.endsWith('.json'))
  .sort();

function named(name: string) {
  const recorded = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Recorded;
  const scenario = scenarioOf(recorded.flags);
  const transfers = scenario.commands.filter((c) => TRANSFER.test(c));
  return { recorded, scenario, announced: announcedData(recorded.dialogue, transfers) };
}

describe('the transfer command each lab data connection served', () => {
  it("names lftp's retried LIST LIST, on a new control connection or the same one", () => {
    for (const name of [
      'lab-pyftpdlib-lftp-drop-active.client-lan.json',
      'lab-pyftpdlib-lftp-drop-passive.internet.json',
      'lab-vsftpd-lftp-drop-active.client-lan.json',
      'lab-vsftpd-lftp-reset-active.server-lan.json',
    ]) {
      const { recorded, announced } = named(name);
      expect(
        announced.map((a) => a.command),
        name,
      ).toEqual(['LIST', 'LIST']);
      // What the lab wrote before the fix, kept in the recording.
      expect(recorded.dataConnections.map((c) => c.command)).toEqual(['LIST', 'RETR notes.txt']);
    }
  });

  it("names curl's second failed connection by its next URL, which the wire never carries", () => {
    for (const name of [
      'lab-pyftpdlib-curl-drop-passive.internet.json',
      'lab-vsftpd-curl-drop-passive.internet.json',
      'lab-vsftpd-curl-unreach-passive.client-lan.json',
    ]) {
      expect(
        named(name).announced.map((a) => a.command),
        name,
      ).toEqual(['LIST', 'RETR notes.txt']);
    }
  });

  it("names curl's PORT sent again after pyftpdlib's 425 by the same URL, which it then gives up", () => {
    for (const name of [
      'lab-pyftpdlib-curl-drop-active.client-lan.json',
      'lab-pyftpdlib-curl-reset-active.server-lan.json',
    ]) {
      expect(
        named(name).announced.map((a) => a.command),
        name,
      ).toEqual(['LIST', 'LIST']);
    }
  });

  it('reads the port each announcement names, for matching it to the connection', () => {
    const { announced } = named('lab-vsftpd-lftp-drop-active.client-lan.json');
    // PORT 192,0,2,10,198,221 and PORT 192,0,2,10,135,67.
    expect(announced.map((a) => a.port)).toEqual([198 * 256 + 221, 135 * 256 + 67]);
  });

  describe.each(names)('%s', (name) => {
    const { recorded, scenario, announced } = named(name);

    it('announces as many data connections as the lab traced', () => {
      expect(announced).toHaveLength(recorded.dataConnections.length);
    });

    it('agrees with the command the capture ties a connection to, where the wire holds one', () => {
      const pcap = new Uint8Array(
        readFileSync(new URL(name.replace(/\.json$/, '.pcap'), FIXTURES)),
      );
      const onWire = readCapture(pcap).sessions.flatMap((s) =>
        s.session.dataConnections.map((d) => d.command),
      );
      expect(onWire).toHaveLength(announced.length);
      onWire.forEach((command, i) => {
        if (command !== null) expect(announced[i]!.command).toBe(command);
      });
    });

    it("agrees with the simulation's names for the same scenario", () => {
      // The lab runs lftp with net:max-retries 2 (LAB_LFTP_RECONNECT).
      const { outcome } = simulate(scenario, {
        tcpProfile: { kind: 'linux', synRetries: 1 },
        reconnect: LAB_LFTP_RECONNECT,
      });
      const simulated = outcome.dataConnections.map((c) => c.command);
      expect(announced.map((a) => a.command)).toEqual(simulated);
    });
  });
});
