import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { loadOrCreateKeyFile } from '../../lib/key-file.js';

/**
 * Ed25519 as the Data Rights Protocol uses it (§3.07.1): a message is the JSON document with its 64-byte
 * signature prepended (libsodium's "combined mode"), base64-encoded; verify keys are the 32 raw bytes of
 * the public key, base64-encoded. Everything here is node:crypto's Ed25519: no primitive is home-made.
 */
const signatureBytes = 64;
const publicKeyBytes = 32;
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Strict base64 (standard alphabet, padding optional, whitespace around and line breaks ignored). */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replaceAll(/\s+/g, '');
  if (compact.length === 0 || !base64.test(compact) || compact.length % 4 === 1) return undefined;
  return Buffer.from(compact, 'base64');
}

/** The public key of a base64 verify key (the service directory's `verify_key`), or undefined if it is not one. */
export function verifyKeyFrom(text: string): KeyObject | undefined {
  const raw = decodeBase64(text);
  if (raw?.length !== publicKeyBytes) return undefined;
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}

/** The base64 verify key of an Ed25519 key (public, or the public half of a private one). */
export function verifyKeyOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: 'jwk' });
  return Buffer.from(x ?? '', 'base64url').toString('base64');
}

/** A signed message split into its signature and the document it signs; undefined if it is not base64 or too short. */
export function splitSignedMessage(body: string): { signature: Buffer; document: Buffer } | undefined {
  const bytes = decodeBase64(body);
  if (!bytes || bytes.length <= signatureBytes) return undefined;
  return { signature: bytes.subarray(0, signatureBytes), document: bytes.subarray(signatureBytes) };
}

/** Whether `signature` is the Ed25519 signature of `document` under `key`. */
export function signatureValid(key: KeyObject, parts: { signature: Buffer; document: Buffer }): boolean {
  try {
    return verify(null, parts.document, key, parts.signature);
  } catch {
    return false;
  }
}

/** Signs `document` in combined mode and base64-encodes it: what an agent sends (used by the tests and tools). */
export function signCombined(privateKey: KeyObject, document: string | Buffer): string {
  const bytes = typeof document === 'string' ? Buffer.from(document, 'utf8') : document;
  return Buffer.concat([sign(null, bytes, privateKey), bytes]).toString('base64');
}

/** The detached signature of `body`, base64: prepended to the body, it is the combined-mode message. */
export function signDetached(privateKey: KeyObject, body: string): string {
  return sign(null, Buffer.from(body, 'utf8'), privateKey).toString('base64');
}

/**
 * Custos's own DRP signing key (PKCS#8 PEM, mode 0600), created on first use: it signs the status
 * callbacks sent to agents, who verify them with its verify key.
 */
export function lazyDrpSigningKey(path: string): () => KeyObject {
  let key: KeyObject | undefined;
  return () => {
    if (key) return key;
    const pem = loadOrCreateKeyFile(path, () =>
      generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    );
    const loaded = createPrivateKey(pem.toString('utf8'));
    if (loaded.asymmetricKeyType !== 'ed25519') {
      throw new Error(`The DRP signing key ${path} is not an Ed25519 private key`);
    }
    key = loaded;
    return key;
  };
}
