import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { codeDigits, codeMatches, digestCode, issueCode, systemCodeRandom } from './verification-codes.js';

const key = randomBytes(32);

describe('verification codes', () => {
  it('are six digits, leading zeros included', () => {
    for (let index = 0; index < 200; index += 1) {
      expect(systemCodeRandom.code()).toMatch(new RegExp(`^\\d{${codeDigits}}$`));
    }
    const { code } = issueCode(key, randomUUID(), { code: () => '000042', salt: () => randomBytes(16) });
    expect(code).toBe('000042');
  });

  it('are stored as a keyed digest with a fresh salt, never as the code', () => {
    const requestId = randomUUID();
    const fixed = { code: () => '123456', salt: () => randomBytes(16) };
    const first = issueCode(key, requestId, fixed);
    const second = issueCode(key, requestId, fixed);
    expect(first.stored.digest.toString('hex')).not.toContain('123456');
    expect(first.stored.salt.equals(second.stored.salt)).toBe(false);
    expect(first.stored.digest.equals(second.stored.digest)).toBe(false);
  });

  it('match the code they were issued for, also typed with spaces or a dash', () => {
    const requestId = randomUUID();
    const { code, stored } = issueCode(key, requestId);
    expect(codeMatches(key, stored, requestId, code)).toBe(true);
    expect(codeMatches(key, stored, requestId, `${code.slice(0, 3)} ${code.slice(3)}`)).toBe(true);
    expect(codeMatches(key, stored, requestId, `${code.slice(0, 3)}-${code.slice(3)}`)).toBe(true);
  });

  it('do not match another code, another request, or another server key', () => {
    const requestId = randomUUID();
    const { code, stored } = issueCode(key, requestId);
    const other = String((Number(code) + 1) % 10 ** codeDigits).padStart(codeDigits, '0');
    expect(codeMatches(key, stored, requestId, other)).toBe(false);
    expect(codeMatches(key, stored, randomUUID(), code)).toBe(false);
    expect(codeMatches(randomBytes(32), stored, requestId, code)).toBe(false);
    expect(codeMatches(key, stored, requestId, '')).toBe(false);
  });

  it('cannot be found by hashing every six-digit value without the server key', () => {
    const requestId = randomUUID();
    const { stored } = issueCode(key, requestId, { code: () => '314159', salt: () => randomBytes(16) });
    const guessKey = Buffer.alloc(32);
    expect(digestCode(guessKey, stored.salt, requestId, '314159').equals(stored.digest)).toBe(false);
  });
});
