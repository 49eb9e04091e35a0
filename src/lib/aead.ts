import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

/**
 * AES-256-GCM, the one authenticated cipher Custos uses: field values under data keys, data keys under
 * master keys, TOTP seeds under their sealing key. Every seal takes a fresh random 96-bit IV and yields a
 * 128-bit tag; associated data (AAD) binds a ciphertext to where it belongs, so one moved elsewhere fails
 * to open.
 *
 * Sealed layout (version 1), 29 bytes of overhead:
 *   version (1 byte = 0x01) | IV (12) | tag (16) | ciphertext (as long as the plaintext)
 * The version byte lets a later format (another cipher, a key id) coexist with stored version-1 values.
 */
export const keyBytes = 32;
export const ivBytes = 12;
export const tagBytes = 16;
export const sealedFormatVersion = 1;
export const sealedOverhead = 1 + ivBytes + tagBytes;

declare const ciphertextBrand: unique symbol;
/** Bytes produced by `encrypt`: safe to store or send; opening them needs the key and the same AAD. */
export type Ciphertext = Buffer & { readonly [ciphertextBrand]: 'Ciphertext' };

/** Marks bytes read back from storage as sealed bytes (their authenticity is checked when opened). */
export function asCiphertext(bytes: Buffer): Ciphertext {
  return bytes as Ciphertext;
}

/** Raised when a ciphertext fails authentication: altered, truncated, other key, or other AAD. */
export class DecryptionError extends Error {
  constructor(message = 'decryption failed: the ciphertext, its associated data or the key is wrong') {
    super(message);
    this.name = 'DecryptionError';
  }
}

function assertKey(key: Buffer): void {
  if (key.length !== keyBytes)
    throw new RangeError(`AES-256-GCM keys are ${keyBytes} bytes, not ${key.length}`);
}

// IVs come from a pool the CSPRNG fills in one call per 341 IVs: the same randomness as randomBytes(12)
// per seal, without a call into OpenSSL for each field value. Every IV is handed out once (IVs are not
// secret; GCM needs them unique per key, which 96 random bits give for up to 2^32 seals per key).
const ivPool = Buffer.alloc(ivBytes * 341);
let ivPoolOffset = ivPool.length;

function takeIv(target: Buffer, offset: number): void {
  if (ivPoolOffset + ivBytes > ivPool.length) {
    randomFillSync(ivPool);
    ivPoolOffset = 0;
  }
  ivPool.copy(target, offset, ivPoolOffset, ivPoolOffset + ivBytes);
  ivPoolOffset += ivBytes;
}

// Fresh keys (one per subject) come from a pool as well: one CSPRNG call per 64 keys instead of one per
// key, which shows in bulk imports that create a subject per line. Each key is copied out and its bytes
// in the pool zeroed at once, so the pool only ever holds keys not yet handed out.
const keyPool = Buffer.alloc(keyBytes * 64);
let keyPoolOffset = keyPool.length;

/** A new random 256-bit key (a subject's data key). */
export function generateKey(): Buffer {
  if (keyPoolOffset + keyBytes > keyPool.length) {
    randomFillSync(keyPool);
    keyPoolOffset = 0;
  }
  const key = Buffer.allocUnsafeSlow(keyBytes);
  keyPool.copy(key, 0, keyPoolOffset, keyPoolOffset + keyBytes);
  keyPool.fill(0, keyPoolOffset, keyPoolOffset + keyBytes);
  keyPoolOffset += keyBytes;
  return key;
}

/** Seals `plaintext` under `key` (32 bytes) with a fresh random IV, binding `aad` to it. */
export function encrypt(key: Buffer, plaintext: Uint8Array, aad: Uint8Array): Ciphertext {
  assertKey(key);
  const sealed = Buffer.allocUnsafe(sealedOverhead + plaintext.length);
  sealed[0] = sealedFormatVersion;
  takeIv(sealed, 1);
  const cipher = createCipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + ivBytes), {
    authTagLength: tagBytes,
  });
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const rest = cipher.final();
  body.copy(sealed, sealedOverhead);
  rest.copy(sealed, sealedOverhead + body.length);
  cipher.getAuthTag().copy(sealed, 1 + ivBytes);
  return sealed as Ciphertext;
}

/** Opens what `encrypt` sealed; throws DecryptionError unless key, AAD and every byte are as sealed. */
export function decryptOrThrow(key: Buffer, sealed: Uint8Array, aad: Uint8Array): Buffer {
  assertKey(key);
  if (sealed.length < sealedOverhead || sealed[0] !== sealedFormatVersion) {
    throw new DecryptionError('decryption failed: not a version-1 sealed value');
  }
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  return gcmDecrypt(
    key,
    bytes.subarray(1, 1 + ivBytes),
    bytes.subarray(sealedOverhead),
    bytes.subarray(1 + ivBytes, sealedOverhead),
    aad,
  );
}

/** Same as `decryptOrThrow`; the name pairs with `seal`. */
export const open = decryptOrThrow;

/** `encrypt` and `open` as one object, for code that takes the cipher as a dependency. */
export const aead = { seal: encrypt, open: decryptOrThrow } as const;
export type Aead = typeof aead;

/** Raw AES-256-GCM with a caller-chosen 96-bit IV (conformance tests; never reuse an IV under one key). */
export function gcmEncrypt(
  key: Buffer,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  assertKey(key);
  if (iv.length !== ivBytes) throw new RangeError(`IVs are ${ivBytes} bytes`);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** Raw AES-256-GCM decryption with a 128-bit tag; throws DecryptionError when authentication fails. */
export function gcmDecrypt(
  key: Buffer,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer {
  assertKey(key);
  // A short tag would weaken authentication; Node would otherwise accept one if asked.
  if (iv.length !== ivBytes || tag.length !== tagBytes) throw new DecryptionError();
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const first = decipher.update(ciphertext);
  try {
    const last = decipher.final();
    return last.length === 0 ? first : Buffer.concat([first, last]);
  } catch {
    first.fill(0);
    throw new DecryptionError();
  }
}

/**
 * Associated data from parts (ids, names, versions), each length-prefixed so no two different lists
 * encode alike: ('ab', 'c') and ('a', 'bc') give different bytes.
 */
export function aadOf(parts: readonly (string | number)[]): Buffer {
  const encoded = parts.map((part) => Buffer.from(String(part), 'utf8'));
  const out = Buffer.allocUnsafe(encoded.reduce((sum, part) => sum + 4 + part.length, 0));
  let offset = 0;
  for (const part of encoded) {
    offset = out.writeUInt32BE(part.length, offset);
    offset += part.copy(out, offset);
  }
  return out;
}
