import { createHash } from 'node:crypto';
import { decryptOrThrow, encrypt, keyBytes } from '../../lib/aead.js';

/** One master key (KEK) version as the key ring sees it: a number and a fingerprint, never the key. */
export type KekVersion = { version: number; fingerprint: string };

/**
 * Where master keys live and how data keys are wrapped under them. The local providers below hold the
 * keys in memory (from key files or `CUSTOS_MASTER_KEY`); a KMS adapter (AWS KMS, Vault transit) would
 * implement the same calls remotely, passing `aad` as its encryption context, and never hand out a key.
 *
 * Which version is *current* is not the provider's decision: the `kek_versions` table decides, so every
 * instance wraps with the same version even while a new one is being rolled out.
 */
export type KeyEncryptionProvider = {
  /** What kind of provider this is, for status output: `files`, `environment`, `kms`. */
  readonly kind: string;
  /** Where its keys come from, for operators and error messages (a directory, a variable name). */
  readonly source: string;
  /** Every version it can use, oldest first (re-reading its source, so versions others added appear). */
  versions(): Promise<KekVersion[]>;
  /** The newest version it holds, or undefined when it holds none. */
  currentVersion(): Promise<number | undefined>;
  /** Creates a new, newest version; providers that cannot (environment) throw an AppError saying what to do. */
  addVersion(): Promise<KekVersion>;
  /** Seals a data key under `version`, bound to `aad`. */
  wrap(version: number, dataKey: Buffer, aad: Buffer): Promise<Buffer>;
  /** Opens a wrapped data key; throws when it was altered, moved (other AAD) or wrapped under another key. */
  unwrap(version: number, wrapped: Buffer, aad: Buffer): Promise<Buffer>;
};

/** The fingerprint the key ring records for a key: the first 8 bytes of its SHA-256, hex. */
export function fingerprintOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Decodes a base64 key and checks it is 256 bits; `what` names it in the error, the value never appears. */
export function decodeKey(text: string, what: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== keyBytes) {
    throw new Error(`${what} must be ${keyBytes} random bytes in base64 (44 characters)`);
  }
  return key;
}

export class UnknownKekVersionError extends Error {
  constructor(version: number, source: string) {
    super(
      `Master key version ${version} is not available from ${source}; every instance must hold every master key version in use`,
    );
    this.name = 'UnknownKekVersionError';
  }
}

/**
 * A provider over keys held in memory. `reload` re-reads the source (key files another instance added);
 * `create` makes a new version, when the source allows it.
 */
export function inMemoryKekProvider(options: {
  kind: string;
  source: string;
  load: () => Map<number, Buffer>;
  create: (nextVersion: number) => Buffer;
}): KeyEncryptionProvider {
  let keys = options.load();

  function keyFor(version: number): Buffer {
    let key = keys.get(version);
    if (!key) {
      keys = options.load();
      key = keys.get(version);
    }
    if (!key) throw new UnknownKekVersionError(version, options.source);
    return key;
  }

  function listed(): KekVersion[] {
    return [...keys.entries()]
      .sort(([a], [b]) => a - b)
      .map(([version, key]) => ({ version, fingerprint: fingerprintOf(key) }));
  }

  return {
    kind: options.kind,
    source: options.source,
    async versions() {
      keys = options.load();
      return listed();
    },
    async currentVersion() {
      return listed().at(-1)?.version;
    },
    async addVersion() {
      keys = options.load();
      const next = Math.max(0, ...keys.keys()) + 1;
      const key = options.create(next);
      keys.set(next, key);
      return { version: next, fingerprint: fingerprintOf(key) };
    },
    async wrap(version, dataKey, aad) {
      return encrypt(keyFor(version), dataKey, aad);
    },
    async unwrap(version, wrapped, aad) {
      return decryptOrThrow(keyFor(version), wrapped, aad);
    },
  };
}
