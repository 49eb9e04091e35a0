import { decryptOrThrow, encrypt, keyBytes } from './aead.js';

/**
 * AES-256-GCM for small secrets Custos must read back (TOTP seeds), bound by associated data to their
 * owner so a sealed value cannot be moved to another row. The layout is aead.ts's version 1
 * (version | IV | tag | ciphertext), which is the layout this box has always written.
 */
export function sealedBox(key: Buffer) {
  if (key.length !== keyBytes) throw new Error('sealed box keys are 32 bytes');
  return {
    seal(plaintext: Buffer, associatedData: string): Buffer {
      return encrypt(key, plaintext, Buffer.from(associatedData, 'utf8'));
    },
    /** Throws when the box was altered, moved to other associated data, or sealed under another key. */
    open(sealed: Buffer, associatedData: string): Buffer {
      return decryptOrThrow(key, sealed, Buffer.from(associatedData, 'utf8'));
    },
  };
}

export type SealedBox = ReturnType<typeof sealedBox>;
