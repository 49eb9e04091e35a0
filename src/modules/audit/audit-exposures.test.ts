import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { networkRefsOf } from './audit-exposures.js';
import { pseudonymizeIp } from './client-ip.js';

const key = randomBytes(32);

describe('the client networks of an address range', () => {
  it('matches the hash audit entries carry for a client in the range', () => {
    expect(networkRefsOf('198.51.100.0/24', key)).toEqual([pseudonymizeIp('198.51.100.77', key)]);
    expect(networkRefsOf('198.51.100.77', key)).toEqual([pseudonymizeIp('198.51.100.1', key)]);
    expect(networkRefsOf('2001:db8:42::/48', key)).toEqual([pseudonymizeIp('2001:db8:42:7::9', key)]);
  });

  it('covers every /24 of a wider IPv4 range and every /48 of a wider IPv6 range', () => {
    const refs = networkRefsOf('198.51.96.0/20', key);
    expect(refs).toHaveLength(16);
    expect(refs).toContain(pseudonymizeIp('198.51.100.77', key));
    expect(refs).not.toContain(pseudonymizeIp('198.51.112.1', key));
    expect(networkRefsOf('2001:db8:4200::/40', key)).toHaveLength(256);
  });

  it('refuses ranges too wide to trace and text that is no range', () => {
    for (const range of ['10.0.0.0/8', '2001:db8::/32', 'example.com', '10.0.0.0/x']) {
      expect(() => networkRefsOf(range, key), range).toThrow(/CIDR/);
    }
  });
});
