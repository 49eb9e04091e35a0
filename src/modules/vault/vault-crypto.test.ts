import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aead } from '../../lib/aead.js';
import { decryptFieldValue, sealFieldValue } from './vault-crypto.js';

describe('sealed field values', () => {
  const dek = randomBytes(32);
  const alice = randomUUID();
  const bob = randomUUID();
  const sealed = sealFieldValue(aead, dek, alice, 'customers', 'email', 'alice@example.org');

  it('open only where they were sealed', () => {
    expect(decryptFieldValue(aead, dek, alice, 'customers', 'email', sealed)).toBe('alice@example.org');
  });

  it('fail to decrypt when copied to another subject, collection or field', () => {
    expect(() => decryptFieldValue(aead, dek, bob, 'customers', 'email', sealed)).toThrow();
    expect(() => decryptFieldValue(aead, dek, alice, 'billing', 'email', sealed)).toThrow();
    expect(() => decryptFieldValue(aead, dek, alice, 'customers', 'backup_email', sealed)).toThrow();
  });

  it('fail under another data key, and use a fresh IV for every seal', () => {
    expect(() => decryptFieldValue(aead, randomBytes(32), alice, 'customers', 'email', sealed)).toThrow();
    expect(sealFieldValue(aead, dek, alice, 'customers', 'email', 'alice@example.org')).not.toBe(sealed);
  });
});
