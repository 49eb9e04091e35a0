import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const version = 1;
const ivLength = 12;
const tagLength = 16;

/**
 * AES-256-GCM for small secrets Custos must read back (TOTP seeds): a fresh 96-bit IV per seal, and
 * associated data binding the ciphertext to its owner so it cannot be moved to another row.
 * Layout: version (1 byte) | IV (12) | tag (16) | ciphertext.
 */
export function sealedBox(key: Buffer) {
  if (key.length !== 32) throw new Error('sealed box keys are 32 bytes');
  return {
    seal(plaintext: Buffer, associatedData: string): Buffer {
      const iv = randomBytes(ivLength);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([Buffer.from([version]), iv, cipher.getAuthTag(), ciphertext]);
    },
    /** Throws when the box was altered, moved to other associated data, or sealed under another key. */
    open(sealed: Buffer, associatedData: string): Buffer {
      if (sealed.length < 1 + ivLength + tagLength || sealed[0] !== version) throw new Error('not a sealed box');
      const iv = sealed.subarray(1, 1 + ivLength);
      const tag = sealed.subarray(1 + ivLength, 1 + ivLength + tagLength);
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed.subarray(1 + ivLength + tagLength)), decipher.final()]);
    },
  };
}

export type SealedBox = ReturnType<typeof sealedBox>;
