import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Config, keysDirOf } from '../../config.js';
import {
  type AuditCheckpoint,
  type ChainedCheckpoint,
  type ChainedStatement,
  chainedCheckpointHash,
  checkpointPayload,
  isChained,
} from './audit-entry.js';

/**
 * The audit signing key: an Ed25519 private key (PKCS#8 PEM, mode 0600), created on first start. It signs
 * checkpoints; its public key lets anyone verify them. The key for pseudonymizing client IPs is derived
 * from it with HKDF, so there is one secret file to provision and back up; rotating the signing key also
 * starts a new IP pseudonym space (entries before and after a rotation cannot be linked by network).
 */
export type AuditKeyRing = {
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
  ipKey: Buffer;
  /** Public keys by key id: the current one and retired ones still trusted for older checkpoints. */
  verifyKeys: Map<string, KeyObject>;
};

export type AuditKeyFiles = {
  signingKeyFile: string;
  /** PEM public keys of retired signing keys, so checkpoints they signed keep verifying. */
  verifyKeyFiles: readonly string[];
};

/** A short fingerprint of a public key: the first 8 bytes of SHA-256 over its SPKI DER, hex. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** Writes `contents` to `path` unless it exists; safe when several processes start at once. */
function createExclusively(path: string, contents: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, contents, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails if the target exists, so a complete file appears atomically or not at all.
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function readSigningKey(path: string, create: boolean): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!create) {
      throw new Error(
        `There is no audit signing key at ${path}; the server creates it on first start (or set CUSTOS_AUDIT_SIGNING_KEY_FILE)`,
      );
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    createExclusively(path, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    pem = readFileSync(path, 'utf8');
  }
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch {
    // A read-only mount (a container secret) cannot be tightened; its permissions are the platform's.
  }
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`The audit signing key ${path} is not an Ed25519 private key`);
  }
  return key;
}

/** Reads PEM public keys (a private key is accepted too: its public half is used), by key id. */
export function publicKeysFrom(pems: readonly string[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const pem of pems) {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('An audit public key must be an Ed25519 key');
    keys.set(keyIdOf(key), key);
  }
  return keys;
}

/** Loads (or on first start creates) the signing key and the trusted public keys. */
export function loadAuditKeys(files: AuditKeyFiles, options: { create?: boolean } = {}): AuditKeyRing {
  const privateKey = readSigningKey(files.signingKeyFile, options.create ?? true);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  const verifyKeys = publicKeysFrom(files.verifyKeyFiles.map((file) => readFileSync(file, 'utf8')));
  verifyKeys.set(keyId, publicKey);
  const ipKey = Buffer.from(
    hkdfSync(
      'sha256',
      privateKey.export({ format: 'der', type: 'pkcs8' }),
      'custos.audit',
      'client-ip-pseudonym',
      32,
    ),
  );
  return {
    keyId,
    privateKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    ipKey,
    verifyKeys,
  };
}

export function signCheckpoint(
  ring: Pick<AuditKeyRing, 'keyId' | 'privateKey'>,
  point: { seq: number; hash: string; at: string },
): AuditCheckpoint {
  const unsigned = { ...point, keyId: ring.keyId };
  const signature = sign(null, checkpointPayload(unsigned), ring.privateKey).toString('base64url');
  return { ...unsigned, signature };
}

/** Signs a chained checkpoint: its statement, and its hash (what the next checkpoint links to). */
export function signChainedCheckpoint(
  ring: Pick<AuditKeyRing, 'keyId' | 'privateKey'>,
  statement: Omit<ChainedStatement, 'keyId'>,
): ChainedCheckpoint {
  const unsigned = { ...statement, keyId: ring.keyId };
  const signature = sign(null, checkpointPayload({ ...unsigned, hash: '' }), ring.privateKey);
  return { ...unsigned, hash: chainedCheckpointHash(unsigned), signature: signature.toString('base64url') };
}

/**
 * Whether `key` signed this checkpoint; for a chained one, also that its hash is its statement's (the
 * hash is not signed itself, but the next checkpoint links to it).
 */
export function checkpointSignatureValid(checkpoint: AuditCheckpoint, key: KeyObject): boolean {
  if (isChained(checkpoint) && checkpoint.hash !== chainedCheckpointHash(checkpoint)) return false;
  try {
    return verify(null, checkpointPayload(checkpoint), key, Buffer.from(checkpoint.signature, 'base64url'));
  } catch {
    return false;
  }
}

/** Where the audit keys live, from the configuration. */
export function auditKeyFilesOf(
  config: Pick<Config, 'auditSigningKeyFile' | 'auditVerifyKeyFiles' | 'keysDir' | 'dataDir'>,
): AuditKeyFiles {
  return {
    signingKeyFile: config.auditSigningKeyFile
      ? resolve(config.auditSigningKeyFile)
      : join(keysDirOf(config), 'audit-signing-key.pem'),
    verifyKeyFiles: config.auditVerifyKeyFiles.map((file) => resolve(file)),
  };
}

/** Loads the keys on first use (not at process start, so commands that never audit touch no key file). */
export function lazyAuditKeys(files: AuditKeyFiles, options: { create?: boolean } = {}): () => AuditKeyRing {
  let ring: AuditKeyRing | undefined;
  return () => {
    ring ??= loadAuditKeys(files, options);
    return ring;
  };
}
