import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { generateKey } from '../../lib/aead.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { isCanonicalUuid } from '../../lib/ids.js';
import type { AuditWriter } from '../audit/audit-types.js';
import { dekCache } from './dek-cache.js';
import type { KeyEncryptionProvider } from './kek-provider.js';
import type { IndexKeys } from './key-material.js';
import { type DataKey, keyRing } from './key-ring.js';
import { keyRotation } from './key-rotation.js';
import type { KeysStore } from './keys-store.js';

export type { DataKey } from './key-ring.js';
export { dataKeyAad } from './key-ring.js';
export type { KekVersionStatus, KeyRingStatus, RewrapResult } from './key-rotation.js';
export { rewrapJobName } from './key-rotation.js';

export type KeySettings = {
  dekCacheSize: number;
  dekCacheTtlMs: number;
  /** Data keys rewrapped per transaction. */
  rewrapBatchSize: number;
};

type Deps = {
  db: Kysely<DB>;
  store: KeysStore;
  kek: KeyEncryptionProvider;
  indexKeys: IndexKeys;
  audit: AuditWriter;
  clock: Clock;
  settings: KeySettings;
};

/** Subject ids in their canonical form (lower case), as PostgreSQL returns them. */
function assertSubjectId(subjectId: string): void {
  if (!isCanonicalUuid(subjectId)) throw new TypeError('subject ids are UUIDs in lower case');
}

/**
 * The key ring: master key (KEK) versions, one data key (DEK) per subject wrapped under the current
 * version, the stable blind-index and token keys, rotation with background rewrap, and shredding.
 */
export function keysService({ db, store, kek, indexKeys, audit, clock, settings }: Deps) {
  const cache = dekCache({ maxEntries: settings.dekCacheSize, ttlMs: settings.dekCacheTtlMs }, clock);
  const ring = keyRing({ store, kek, indexKeys, clock });
  const rotation = keyRotation({
    db,
    store,
    ring,
    kek,
    audit,
    clock,
    rewrapBatchSize: settings.rewrapBatchSize,
  });

  /** Creates the subject's data key, stores it wrapped under the current master key, returns it in plaintext. */
  async function createDataKey(tx: Tx, subjectId: string): Promise<DataKey> {
    const dataKey = newDataKey();
    await storeDataKeys(tx, new Map([[subjectId, dataKey]]));
    return dataKey;
  }

  /** A fresh random data key for a new subject, not yet stored. */
  function newDataKey(): DataKey {
    return generateKey() as DataKey;
  }

  /**
   * Stores new subjects' data keys (made with `newDataKey`), wrapped under the current master key: one
   * version check and one INSERT for all of them (imports). Not cached here: the transaction may still
   * roll back, and the keys must then not outlive it.
   */
  async function storeDataKeys(tx: Executor, dataKeys: ReadonlyMap<string, Buffer>): Promise<void> {
    if (dataKeys.size === 0) return;
    for (const subjectId of dataKeys.keys()) assertSubjectId(subjectId);
    const version = await ring.currentVersion(tx);
    const rows = await Promise.all(
      [...dataKeys].map(async ([subjectId, dataKey]) => ({
        subject_id: subjectId,
        wrapped_key: await ring.wrap(version, subjectId, dataKey as DataKey),
      })),
    );
    if ((await store.insertDataKeys(tx, { kekVersion: version, at: clock.now() }, rows)) !== rows.length) {
      throw new AppError('conflict', 'A subject has a data key already.');
    }
  }

  /** The subject's data key, unwrapped (or from the cache); `gone` when it was shredded or never made. */
  async function dataKeyFor(executor: Executor, subjectId: string): Promise<DataKey> {
    assertSubjectId(subjectId);
    const cached = cache.get(subjectId);
    if (cached) return cached as DataKey;
    const row = await store.findDataKey(executor, subjectId);
    if (!row) {
      throw new AppError(
        'gone',
        'The data key of this subject does not exist: it was shredded, or never created.',
      );
    }
    const dataKey = await ring.unwrapDecrypting(row);
    cache.set(subjectId, dataKey);
    return dataKey;
  }

  /** Data keys of many subjects with one query; subjects without a key (shredded) are absent from the map. */
  async function dataKeysFor(
    executor: Executor,
    subjectIds: readonly string[],
  ): Promise<Map<string, DataKey>> {
    const found = new Map<string, DataKey>();
    const missing: string[] = [];
    for (const subjectId of new Set(subjectIds)) {
      assertSubjectId(subjectId);
      const cached = cache.get(subjectId);
      if (cached) found.set(subjectId, cached as DataKey);
      else missing.push(subjectId);
    }
    if (missing.length === 0) return found;
    const rows = await store.findDataKeys(executor, missing);
    const unwrapped = await Promise.all(rows.map(ring.unwrapDecrypting));
    for (const [index, row] of rows.entries()) {
      const dataKey = unwrapped[index] as DataKey;
      cache.set(row.subject_id, dataKey);
      found.set(row.subject_id, dataKey);
    }
    return found;
  }

  /**
   * Crypto-shredding: deletes the subject's data key, so everything sealed under it is unreadable for
   * good, and forgets it in this instance's cache. True when there was a key to delete.
   */
  async function shredDataKey(tx: Tx, subjectId: string): Promise<boolean> {
    assertSubjectId(subjectId);
    const deleted = await store.deleteDataKey(tx, subjectId);
    cache.drop(subjectId);
    return deleted;
  }

  return {
    createDataKey,
    newDataKey,
    storeDataKeys,
    dataKeyFor,
    dataKeysFor,
    shredDataKey,
    /** HMAC key for blind indexes; stable across master key rotations. */
    blindIndexKey: () => indexKeys.blindIndexKey,
    /** HMAC key for deterministic tokens; stable across master key rotations. */
    tokenKey: () => indexKeys.tokenKey,
    /** AES-256-GCM key for the random-token mapping; stable across master key rotations. */
    tokenMapKey: () => indexKeys.tokenMapKey,
    /** Checks this instance's keys against the database (master key and blind-index key fingerprints). */
    verify: (tx: Executor) => ring.currentVersion(tx).then(() => undefined),
    ...rotation,
    /** Forgets every cached data key (tests; an operator's response to a suspected leak). */
    clearCache: () => cache.clear(),
  };
}

export type KeysService = ReturnType<typeof keysService>;
