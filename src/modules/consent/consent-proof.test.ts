import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { proofHashes } from './consent-proof.js';

describe('proofHashes', () => {
  const key = randomBytes(32);

  it('keeps keyed hashes only, stable per value and key, never the value', () => {
    const first = proofHashes(key, { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' });
    const again = proofHashes(key, { ip: ' 203.0.113.7 ', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(first).toEqual(again);
    expect(first.ipHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.ipHash).not.toContain('203');
    expect(proofHashes(randomBytes(32), { ip: '203.0.113.7' }).ipHash).not.toBe(first.ipHash);
  });

  it('separates kinds, normalizes IPv6 case, and gives null for what was not sent', () => {
    const same = 'same-text';
    const hashes = proofHashes(key, { ip: same, userAgent: same });
    expect(hashes.ipHash).not.toBe(hashes.userAgentHash);
    expect(proofHashes(key, { ip: '2001:DB8::1' }).ipHash).toBe(
      proofHashes(key, { ip: '2001:db8::1' }).ipHash,
    );
    expect(proofHashes(key, undefined)).toEqual({ ipHash: null, userAgentHash: null });
  });
});
