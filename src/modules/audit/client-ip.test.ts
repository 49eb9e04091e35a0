import { randomBytes } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { pseudonymizeIp, truncateIp } from './client-ip.js';

faker.seed(5);

describe('client IP truncation', () => {
  it('keeps only the /24 network of an IPv4 address', () => {
    expect(truncateIp('203.0.113.77')).toBe('203.0.113.0/24');
    expect(truncateIp('10.1.2.3')).toBe('10.1.2.0/24');
  });

  it('keeps only the /48 network of an IPv6 address, however it is written', () => {
    expect(truncateIp('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd::/48');
    expect(truncateIp('2001:0DB8:ABCD:0012::1')).toBe('2001:db8:abcd::/48');
    expect(truncateIp('2001:db8::1')).toBe('2001:db8:0::/48');
    expect(truncateIp('::1')).toBe('0:0:0::/48');
    expect(truncateIp('fe80::1%eth0')).toBe('fe80:0:0::/48');
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    expect(truncateIp('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
    expect(truncateIp('::ffff:c633:6409')).toBe('198.51.100.0/24');
  });

  it('gives nothing for text that is not an address', () => {
    for (const text of ['', 'localhost', '999.1.1.1', '1.2.3', 'gggg::1', faker.internet.email()]) {
      expect(truncateIp(text)).toBeNull();
    }
  });
});

describe('client IP pseudonyms', () => {
  const key = randomBytes(32);

  it('gives the same pseudonym to every address of one network and never contains the address', () => {
    const first = pseudonymizeIp('203.0.113.5', key);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(pseudonymizeIp('203.0.113.250', key)).toBe(first);
    expect(pseudonymizeIp('::ffff:203.0.113.9', key)).toBe(first);
    expect(pseudonymizeIp('203.0.114.5', key)).not.toBe(first);
    expect(first).not.toContain('203');
  });

  it('depends on the key, so the log alone cannot be matched against a list of networks', () => {
    const address = faker.internet.ipv4();
    expect(pseudonymizeIp(address, key)).not.toBe(pseudonymizeIp(address, randomBytes(32)));
  });

  it('gives null when there is no usable address', () => {
    expect(pseudonymizeIp(null, key)).toBeNull();
    expect(pseudonymizeIp('not-an-ip', key)).toBeNull();
  });
});
