import { readFileSync } from 'node:fs';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import {
  aadOf,
  DecryptionError,
  decryptOrThrow,
  encrypt,
  gcmDecrypt,
  gcmEncrypt,
  generateKey,
  ivBytes,
  sealedOverhead,
  tagBytes,
} from './aead.js';
import { sealedBox } from './sealed-box.js';

faker.seed(1_2_8);

type Vector = { key: string; iv: string; pt?: string; aad: string; ct: string; tag: string; fail?: true };
const vectors = JSON.parse(
  readFileSync(new URL('./__fixtures__/gcm-256-96-128.json', import.meta.url), 'utf8'),
) as { encrypt: Vector[]; decrypt: Vector[] };

const hex = (text: string | undefined) => Buffer.from(text ?? '', 'hex');
const bytes = (length: number) =>
  Buffer.from(faker.string.hexadecimal({ length: length * 2, casing: 'lower', prefix: '' }), 'hex');

/** A NIST case in the sealed layout: version | IV | tag | ciphertext. */
function sealedFrom(vector: Vector): Buffer {
  return Buffer.concat([Buffer.from([1]), hex(vector.iv), hex(vector.tag), hex(vector.ct)]);
}

function flipBit(buffer: Buffer, bit: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return copy;
}

describe('AES-256-GCM against the NIST CAVP vectors (256-bit key, 96-bit IV, 128-bit tag)', () => {
  it('has the vectors it claims: every plaintext and AAD length, and the FAIL cases', () => {
    expect(vectors.encrypt.length).toBeGreaterThanOrEqual(300);
    expect(vectors.decrypt.filter((vector) => vector.fail).length).toBeGreaterThanOrEqual(150);
    expect(new Set(vectors.encrypt.map((vector) => hex(vector.pt).length)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(vectors.encrypt.map((vector) => hex(vector.aad).length)).size).toBeGreaterThanOrEqual(5);
  });

  it('produces the expected ciphertext and tag for every encryption vector', () => {
    for (const [index, vector] of vectors.encrypt.entries()) {
      const { ciphertext, tag } = gcmEncrypt(
        hex(vector.key),
        hex(vector.iv),
        hex(vector.pt),
        hex(vector.aad),
      );
      expect(ciphertext.toString('hex'), `encrypt case ${index}`).toBe(vector.ct);
      expect(tag.toString('hex'), `encrypt case ${index}`).toBe(vector.tag);
    }
  });

  it('recovers the plaintext of every valid decryption vector and rejects every FAIL case', () => {
    for (const [index, vector] of vectors.decrypt.entries()) {
      const open = () =>
        gcmDecrypt(hex(vector.key), hex(vector.iv), hex(vector.ct), hex(vector.tag), hex(vector.aad));
      if (vector.fail) expect(open, `decrypt case ${index}`).toThrow(DecryptionError);
      else expect(open().toString('hex'), `decrypt case ${index}`).toBe(vector.pt ?? '');
    }
  });

  it('opens the same vectors through the sealed layout, and rejects the FAIL cases there too', () => {
    for (const [index, vector] of vectors.decrypt.entries()) {
      const open = () => decryptOrThrow(hex(vector.key), sealedFrom(vector), hex(vector.aad));
      if (vector.fail) expect(open, `decrypt case ${index}`).toThrow(DecryptionError);
      else expect(open().toString('hex'), `decrypt case ${index}`).toBe(vector.pt ?? '');
    }
  });
});

describe('sealing with encrypt / decryptOrThrow', () => {
  const key = bytes(32);

  it('round-trips any plaintext, empty included, with 29 bytes of overhead', () => {
    for (const length of [0, 1, 15, 16, 17, 255, 4096]) {
      const plaintext = bytes(length);
      const aad = aadOf(['subject', faker.string.uuid(), 'email', 1]);
      const sealed = encrypt(key, plaintext, aad);
      expect(sealed.length).toBe(sealedOverhead + length);
      expect(sealed[0]).toBe(1);
      expect(decryptOrThrow(key, sealed, aad).equals(plaintext)).toBe(true);
    }
  });

  it('uses a fresh IV for every seal, so equal plaintexts never give equal ciphertexts', () => {
    const plaintext = Buffer.from('same value');
    const aad = aadOf(['x']);
    const ivs = new Set<string>();
    for (let i = 0; i < 2000; i += 1)
      ivs.add(
        encrypt(key, plaintext, aad)
          .subarray(1, 1 + ivBytes)
          .toString('hex'),
      );
    expect(ivs.size).toBe(2000);
  });

  it('rejects a flip of any single bit of the version, IV, tag, ciphertext or AAD', () => {
    for (const length of [0, 1, 33]) {
      const plaintext = bytes(length);
      const aad = aadOf([faker.string.uuid(), faker.database.column(), length]);
      const sealed = encrypt(key, plaintext, aad);
      for (let bit = 0; bit < sealed.length * 8; bit += 1) {
        expect(() => decryptOrThrow(key, flipBit(sealed, bit), aad), `sealed bit ${bit}`).toThrow(
          DecryptionError,
        );
      }
      for (let bit = 0; bit < aad.length * 8; bit += 1) {
        expect(() => decryptOrThrow(key, sealed, flipBit(aad, bit)), `AAD bit ${bit}`).toThrow(
          DecryptionError,
        );
      }
      expect(decryptOrThrow(key, sealed, aad).equals(plaintext)).toBe(true);
    }
  });

  it('rejects the raw form with any single bit flipped in IV, tag, ciphertext or AAD', () => {
    const iv = bytes(ivBytes);
    const aad = bytes(20);
    const { ciphertext, tag } = gcmEncrypt(key, iv, bytes(24), aad);
    const parts = { iv, ciphertext, tag, aad };
    for (const name of Object.keys(parts) as (keyof typeof parts)[]) {
      for (let bit = 0; bit < parts[name].length * 8; bit += 1) {
        const flipped = { ...parts, [name]: flipBit(parts[name], bit) };
        expect(
          () => gcmDecrypt(key, flipped.iv, flipped.ciphertext, flipped.tag, flipped.aad),
          `${name} bit ${bit}`,
        ).toThrow(DecryptionError);
      }
    }
  });

  it('rejects another key, other AAD, a truncated value and a shortened tag', () => {
    const aad = aadOf(['subject-a']);
    const sealed = encrypt(key, Buffer.from('secret'), aad);
    expect(() => decryptOrThrow(bytes(32), sealed, aad)).toThrow(DecryptionError);
    expect(() => decryptOrThrow(key, sealed, aadOf(['subject-b']))).toThrow(DecryptionError);
    expect(() => decryptOrThrow(key, sealed.subarray(0, sealed.length - 1), aad)).toThrow(DecryptionError);
    expect(() => decryptOrThrow(key, sealed.subarray(0, sealedOverhead - 1), aad)).toThrow(DecryptionError);
    const iv = sealed.subarray(1, 1 + ivBytes);
    const tag = sealed.subarray(1 + ivBytes, sealedOverhead);
    expect(() =>
      gcmDecrypt(key, iv, sealed.subarray(sealedOverhead), tag.subarray(0, tagBytes - 4), aad),
    ).toThrow(DecryptionError);
  });

  it('refuses keys that are not 256 bits', () => {
    expect(() => encrypt(bytes(16), Buffer.alloc(1), Buffer.alloc(0))).toThrow(RangeError);
  });
});

describe('generateKey', () => {
  it('hands out distinct 256-bit keys, across refills of its pool, and never the same bytes twice', () => {
    const keys = Array.from({ length: 200 }, () => generateKey());
    expect(keys.every((key) => key.length === 32)).toBe(true);
    expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(200);
    const [first, second] = keys as [Buffer, Buffer];
    first.fill(7);
    expect(second.equals(Buffer.alloc(32, 7))).toBe(false);
  });
});

describe('aadOf', () => {
  it('encodes different lists of parts differently, even when their concatenations agree', () => {
    expect(aadOf(['ab', 'c']).equals(aadOf(['a', 'bc']))).toBe(false);
    expect(aadOf(['a', '']).equals(aadOf(['a']))).toBe(false);
    expect(aadOf(['subject', 1]).equals(aadOf(['subject', '1']))).toBe(true);
  });
});

describe('the sealed box (TOTP seeds)', () => {
  it('still opens values sealed in its original layout, and binds them to their owner', () => {
    const key = bytes(32);
    const iv = bytes(ivBytes);
    const seed = bytes(20);
    const { ciphertext, tag } = gcmEncrypt(key, iv, seed, Buffer.from('operator:42', 'utf8'));
    const stored = Buffer.concat([Buffer.from([1]), iv, tag, ciphertext]);
    const box = sealedBox(key);
    expect(box.open(stored, 'operator:42').equals(seed)).toBe(true);
    expect(() => box.open(stored, 'operator:43')).toThrow();
    expect(box.open(box.seal(seed, 'operator:42'), 'operator:42').equals(seed)).toBe(true);
  });
});
