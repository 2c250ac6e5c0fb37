/**
 * A host name that only this computer can reach: 127.0.0.0/8, ::1, localhost and its
 * subdomains (RFC 6761 §6.3). A link on one of these does not work on a student's device.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '::1' ||
    host === '0:0:0:0:0:0:0:1' ||
    host === 'localhost' ||
    host.endsWith('.localhost')
  );
}
