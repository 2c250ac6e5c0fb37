/**
 * The one kind of error the capture reader throws: bad input is expected (a learner drops the
 * wrong file), so its message is a sentence to show as it is, never a stack trace.
 */
export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

export const notACaptureFile = () =>
  new CaptureError('not a capture file (neither pcap nor pcapng)');

export const truncatedAt = (byte: number) => new CaptureError(`truncated at byte ${byte}`);

export const unsupportedLinkType = (linkType: number) =>
  new CaptureError(`unsupported link type ${linkType}`);
