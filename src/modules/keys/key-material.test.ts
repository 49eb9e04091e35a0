import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { aadOf } from '../../lib/aead.js';
import { AppError } from '../../lib/app-error.js';
import { fingerprintOf, UnknownKekVersionError } from './kek-provider.js';
import {
  deriveIndexKeys,
  environmentKeyProvider,
  keyFileProvider,
  keyMaterialFrom,
  parseMasterKeys,
} from './key-material.js';

faker.seed(42);

const freshDir = () => join(mkdtempSync(join(tmpdir(), 'custos-keys-')), 'keys');
const base64Key = () => randomBytes(32).toString('base64');

describe('master keys from key files', () => {
  it('creates version 1 on first start as 32 random bytes in base64, mode 0600 in a 0700 directory', async () => {
    const dir = freshDir();
    const provider = keyFileProvider(dir, { create: true });
    expect(await provider.versions()).toHaveLength(1);
    expect(await provider.currentVersion()).toBe(1);
    const file = join(dir, 'kek-v1.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    expect(key).toHaveLength(32);
    expect((await provider.versions())[0]?.fingerprint).toBe(fingerprintOf(key));
  });

  it('adds the next version as a new file and sees versions another process added', async () => {
    const dir = freshDir();
    const here = keyFileProvider(dir, { create: true });
    const there = keyFileProvider(dir, { create: true });
    const added = await there.addVersion();
    expect(added.version).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['kek-v1.key', 'kek-v2.key']);
    // `here` loaded before v2 existed; it finds it when asked to use it.
    const aad = aadOf(['subject', 2]);
    const dataKey = randomBytes(32);
    const wrapped = await there.wrap(2, dataKey, aad);
    expect((await here.unwrap(2, wrapped, aad)).equals(dataKey)).toBe(true);
    expect((await here.versions()).map((version) => version.version)).toEqual([1, 2]);
  });

  it('binds a wrapped key to its associated data and its version, and names a version it does not hold', async () => {
    const provider = keyFileProvider(freshDir(), { create: true });
    await provider.addVersion();
    const dataKey = randomBytes(32);
    const wrapped = await provider.wrap(1, dataKey, aadOf(['a', 1]));
    await expect(provider.unwrap(1, wrapped, aadOf(['b', 1]))).rejects.toThrow(/decryption failed/);
    await expect(provider.unwrap(2, wrapped, aadOf(['a', 1]))).rejects.toThrow(/decryption failed/);
    await expect(provider.unwrap(7, wrapped, aadOf(['a', 1]))).rejects.toThrow(UnknownKekVersionError);
  });

  it('creates nothing when told not to', async () => {
    const dir = freshDir();
    expect(await keyFileProvider(dir, { create: false }).versions()).toEqual([]);
  });
});

describe('master keys from CUSTOS_MASTER_KEY', () => {
  it('reads `<version>:<base64>` entries', () => {
    const [one, two] = [base64Key(), base64Key()];
    const keys = parseMasterKeys(` 1:${one} , 2:${two}`);
    expect([...keys.keys()]).toEqual([1, 2]);
    expect(keys.get(2)?.toString('base64')).toBe(two);
  });

  it('explains malformed values without ever repeating a key', () => {
    const key = base64Key();
    const short = randomBytes(16).toString('base64');
    const cases = ['', `x:${key}`, `1:${key},1:${key}`, `1:${short}`, `1:${key.slice(0, -4)}!!!!`, key];
    for (const text of cases) {
      let message = '';
      try {
        parseMasterKeys(text);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, text).not.toBe('');
      expect(message).not.toContain(key);
      expect(message).not.toContain(short);
    }
  });

  it('cannot add a version itself and tells the operator to add one to the variable', async () => {
    const provider = environmentKeyProvider(`1:${base64Key()},3:${base64Key()}`);
    expect(await provider.currentVersion()).toBe(3);
    const refusal = await provider.addVersion().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe('conflict');
    expect((refusal as AppError).message).toMatch(/CUSTOS_MASTER_KEY.*version 4/);
  });

  it('writes no key file when the keys come from the environment', () => {
    const dir = freshDir();
    const material = keyMaterialFrom({ masterKey: `1:${base64Key()}`, indexKey: base64Key(), keysDir: dir });
    expect(material.kek.kind).toBe('environment');
    expect(() => readdirSync(dir)).toThrow();
  });
});

describe('blind-index and token keys', () => {
  it('derives three different keys from the root, the same every time', () => {
    const root = randomBytes(32);
    const keys = deriveIndexKeys(root);
    const again = deriveIndexKeys(Buffer.from(root));
    expect(keys.blindIndexKey.equals(again.blindIndexKey)).toBe(true);
    expect(keys.tokenKey.equals(again.tokenKey)).toBe(true);
    expect(keys.tokenMapKey.equals(again.tokenMapKey)).toBe(true);
    const distinct = new Set(
      [keys.blindIndexKey, keys.tokenKey, keys.tokenMapKey, root].map((key) => key.toString('hex')),
    );
    expect(distinct.size).toBe(4);
  });

  it('keeps the blind-index key when the master key rotates, because it comes from its own file', async () => {
    const dir = freshDir();
    const before = keyMaterialFrom({ keysDir: dir });
    await before.kek.addVersion();
    const after = keyMaterialFrom({ keysDir: dir });
    expect(after.indexKeys.blindIndexKey.equals(before.indexKeys.blindIndexKey)).toBe(true);
    expect(statSync(join(dir, 'index.key')).mode & 0o777).toBe(0o600);
  });
});

describe('key settings', () => {
  it('needs CUSTOS_INDEX_KEY with CUSTOS_MASTER_KEY, and never repeats a key in its complaints', () => {
    const key = base64Key();
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ CUSTOS_DATA_DIR: tmpdir(), ...env });
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message;
      }
    };
    expect(problems({ CUSTOS_MASTER_KEY: `1:${key}` })).toMatch(/CUSTOS_INDEX_KEY must be set/);
    const malformed = problems({ CUSTOS_MASTER_KEY: `1:${key.slice(0, 20)}`, CUSTOS_INDEX_KEY: key });
    expect(malformed).toMatch(/CUSTOS_MASTER_KEY: the key of version 1 must be 32 random bytes/);
    expect(malformed).not.toContain(key.slice(0, 20));
    expect(problems({ CUSTOS_MASTER_KEY: `1:${key}`, CUSTOS_INDEX_KEY: key })).toBe('');
  });
});
