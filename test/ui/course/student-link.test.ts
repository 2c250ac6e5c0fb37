import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../../src/ui/course/student-link';

describe('a loopback host, which students cannot reach', () => {
  it('is any 127.x address, ::1 (as a URL spells it) and localhost', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '[::1]',
      '::1',
      'localhost',
      'LOCALHOST',
      'app.localhost',
    ])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const url of ['http://127.0.0.1:5173/', 'http://[::1]:5173/', 'http://localhost/'])
      expect(isLoopbackHost(new URL(url).hostname), url).toBe(true);
  });

  it('is not a classroom address or a name', () => {
    for (const host of [
      '192.168.1.20',
      '10.0.0.5',
      '128.0.0.1',
      '1127.0.0.1',
      'localhost.example',
      'ftp-lab.school.example',
      '[fe80::1]',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
