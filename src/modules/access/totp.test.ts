import { describe, expect, it } from 'vitest';
import { matchTotpStep, totpCode } from './totp.js';

// RFC 6238 Appendix B test vectors (8 digits, 30 s steps).
const sha1Seed = Buffer.from('12345678901234567890', 'ascii');
const sha256Seed = Buffer.from('12345678901234567890123456789012', 'ascii');
const vectors = [
  { t: 59, sha1: '94287082', sha256: '46119246' },
  { t: 1111111109, sha1: '07081804', sha256: '68084774' },
  { t: 2000000000, sha1: '69279037', sha256: '90698825' },
];

describe('TOTP (RFC 6238)', () => {
  for (const { t, sha1, sha256 } of vectors) {
    it(`matches the RFC table at T=${t}`, () => {
      const at = new Date(t * 1000);
      expect(totpCode(sha1Seed, at, { algorithm: 'SHA1', digits: 8, period: 30 })).toBe(sha1);
      expect(totpCode(sha256Seed, at, { algorithm: 'SHA256', digits: 8, period: 30 })).toBe(sha256);
    });
  }

  it('accepts the previous and next step and nothing further', () => {
    const at = new Date(1_700_000_000_000);
    const step = Math.floor(at.getTime() / 30_000);
    const code = (offsetSteps: number) => totpCode(sha1Seed, new Date(at.getTime() + offsetSteps * 30_000));
    expect(matchTotpStep(sha1Seed, code(0), at)).toBe(step);
    expect(matchTotpStep(sha1Seed, code(-1), at)).toBe(step - 1);
    expect(matchTotpStep(sha1Seed, code(1), at)).toBe(step + 1);
    expect(matchTotpStep(sha1Seed, code(-2), at)).toBeNull();
    expect(matchTotpStep(sha1Seed, code(2), at)).toBeNull();
  });

  it('rejects malformed codes without computing anything', () => {
    const at = new Date();
    expect(matchTotpStep(sha1Seed, '12345', at)).toBeNull();
    expect(matchTotpStep(sha1Seed, 'abcdef', at)).toBeNull();
  });
});
