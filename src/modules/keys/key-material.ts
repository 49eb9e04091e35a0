import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../lib/app-error.js';
import { tightenKeyFile, writeKeyFileOnce } from '../../lib/key-file.js';
import { decodeKey, fingerprintOf, inMemoryKekProvider, type KeyEncryptionProvider } from './kek-provider.js';

/** Master key files are `kek-v<N>.key`: 32 random bytes, base64, one line, mode 0600. */
const kekFilePattern = /^kek-v([1-9][0-9]{0,5})\.key$/;
export const kekFileName = (version: number) => `kek-v${version}.key`;
export const indexKeyFileName = 'index.key';

const newKeyText = () => `${randomBytes(32).toString('base64')}\n`;

function readKeyFile(path: string, what: string): Buffer {
  tightenKeyFile(path);
  return decodeKey(readFileSync(path, 'utf8'), what);
}

/** Reads every `kek-v<N>.key` in `dir`. */
export function readKekFiles(dir: string): Map<number, Buffer> {
  const keys = new Map<number, Buffer>();
  if (!existsSync(dir)) return keys;
  for (const name of readdirSync(dir)) {
    const match = kekFilePattern.exec(name);
    if (!match) continue;
    keys.set(Number(match[1]), readKeyFile(join(dir, name), `The master key file ${join(dir, name)}`));
  }
  return keys;
}

/**
 * Master keys from key files in the keys directory. Version 1 is created on first start (when the
 * directory holds no master key file); `addVersion` writes the next file. All instances must see the
 * same directory (a shared volume or the same secret mounted everywhere).
 */
export function keyFileProvider(dir: string, options: { create: boolean }): KeyEncryptionProvider {
  if (options.create && readKekFiles(dir).size === 0)
    writeKeyFileOnce(join(dir, kekFileName(1)), newKeyText());
  return inMemoryKekProvider({
    kind: 'files',
    source: `key files in ${dir}`,
    load: () => readKekFiles(dir),
    create: (next) => {
      // Another process may have written this version a moment ago; then its file is the one to use.
      writeKeyFileOnce(join(dir, kekFileName(next)), newKeyText());
      return readKeyFile(join(dir, kekFileName(next)), `The master key file ${kekFileName(next)}`);
    },
  });
}

/**
 * Parses `CUSTOS_MASTER_KEY`: comma-separated `<version>:<base64 of 32 bytes>` entries, such as
 * `1:<key>,2:<key>`. Errors name the entry, never the key.
 */
export function parseMasterKeys(text: string): Map<number, Buffer> {
  const keys = new Map<number, Buffer>();
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('must list at least one `<version>:<base64 key>`');
  for (const [index, entry] of entries.entries()) {
    const match = /^([1-9][0-9]{0,5}):(.+)$/.exec(entry);
    if (!match) throw new Error(`entry ${index + 1} is not \`<version>:<base64 key>\``);
    const version = Number(match[1]);
    if (keys.has(version)) throw new Error(`version ${version} appears twice`);
    keys.set(version, decodeKey(match[2] ?? '', `the key of version ${version}`));
  }
  return keys;
}

/** Master keys from `CUSTOS_MASTER_KEY`. Nothing is written to disk; new versions are added by the operator. */
export function environmentKeyProvider(text: string): KeyEncryptionProvider {
  const keys = parseMasterKeys(text);
  return inMemoryKekProvider({
    kind: 'environment',
    source: 'CUSTOS_MASTER_KEY',
    load: () => new Map(keys),
    create: (next) => {
      throw new AppError(
        'conflict',
        `Master keys come from CUSTOS_MASTER_KEY, so Custos cannot add a version itself. Add version ${next} to the variable on every instance (\`…,${next}:<base64 of 32 random bytes>\`, e.g. from \`openssl rand -base64 32\`), restart them, then rotate again.`,
        { extensions: { nextVersion: next } },
      );
    },
  });
}

/**
 * The keys for blind indexes and tokens. They come from one root key kept apart from the master keys,
 * because they must never change: a blind index is an HMAC stored next to the data, and a new key would
 * make every stored index unfindable (and every deterministic token different). Master keys rotate;
 * this root does not. Each key is derived with HKDF-SHA256 under its own label, so none can stand in
 * for another.
 */
export type IndexKeys = {
  blindIndexKey: Buffer;
  tokenKey: Buffer;
  tokenMapKey: Buffer;
  /** Fingerprint of the root, recorded in the database to catch an instance with the wrong file. */
  fingerprint: string;
};

export function deriveIndexKeys(root: Buffer): IndexKeys {
  const derive = (label: string) => Buffer.from(hkdfSync('sha256', root, 'custos.index-root.v1', label, 32));
  return {
    blindIndexKey: derive('blind-index'),
    tokenKey: derive('deterministic-token'),
    tokenMapKey: derive('token-map'),
    fingerprint: fingerprintOf(root),
  };
}

/** The blind-index root from `index.key` in the keys directory, created on first start. */
export function indexKeyFromFile(dir: string, options: { create: boolean }): Buffer {
  const path = join(dir, indexKeyFileName);
  if (options.create && !existsSync(path)) writeKeyFileOnce(path, newKeyText());
  if (!existsSync(path)) {
    throw new Error(`There is no blind-index key at ${path}; the server creates it on first start`);
  }
  return readKeyFile(path, `The blind-index key file ${path}`);
}

export type KeyMaterial = { kek: KeyEncryptionProvider; indexKeys: IndexKeys };

/**
 * The key material the configuration names: `CUSTOS_MASTER_KEY` and `CUSTOS_INDEX_KEY` when set (no
 * file is written), otherwise key files in the keys directory, created on first start when `create`.
 */
export function keyMaterialFrom(
  settings: { masterKey?: string | undefined; indexKey?: string | undefined; keysDir: string },
  options: { create: boolean } = { create: true },
): KeyMaterial {
  const kek = settings.masterKey
    ? environmentKeyProvider(settings.masterKey)
    : keyFileProvider(settings.keysDir, options);
  const root = settings.indexKey
    ? decodeKey(settings.indexKey, 'CUSTOS_INDEX_KEY')
    : indexKeyFromFile(settings.keysDir, options);
  return { kek, indexKeys: deriveIndexKeys(root) };
}
