import { defaultScenario, networkPreset } from '../scenario/presets';
import { MAX_COMMANDS } from '../scenario/validate';
import { MAX_EVENTS } from '../ui/recording/recording-file';

/**
 * The largest inputs the validators accept (issue 11 item 15), as the bench and the budgets
 * end-to-end spec feed them to the app.
 */

/** A recording at the limit: MAX_EVENTS control lines, one millisecond apart. */
export function largestRecording(): Buffer {
  const events = Array.from({ length: MAX_EVENTS }, (_, i) =>
    i % 2 === 0
      ? { t: i, kind: 'line', from: 'client', text: 'NOOP' }
      : { t: i, kind: 'line', from: 'server', text: `200 NOOP ok (${i}).` },
  );
  return Buffer.from(
    JSON.stringify({
      format: 'ftp-lab-recording',
      version: 1,
      recordedAt: '2025-01-31T09:00:00.000Z',
      server: { address: '192.0.2.10', port: 21 },
      client: { address: '192.0.2.20' },
      mode: 'passive',
      type: 'ascii',
      commands: ['NOOP'],
      events,
      outcome: { ok: true, failure: null },
    }),
  );
}

/**
 * The sandbox's fragment for a share link of MAX_COMMANDS transfers on the starting network
 * (active mode behind a stateful client firewall): the session fails at the first transfer, and
 * with the firewall's FTP helper ticked all twenty run (about 1,600 hops in the ladder).
 */
export function largestShareFragment(): string {
  const commands = Array.from({ length: MAX_COMMANDS }, (_, i) =>
    i % 2 === 0 ? 'RETR notes.txt' : 'LIST',
  );
  const scenario = { ...networkPreset('client-stateful')!.apply(defaultScenario()), commands };
  return `s=${Buffer.from(JSON.stringify(scenario)).toString('base64url')}&t=0`;
}
