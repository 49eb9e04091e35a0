import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import { aadOf, DecryptionError, keyBytes } from '../../lib/aead.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { dekCache } from './dek-cache.js';
import type { KekVersion, KeyEncryptionProvider } from './kek-provider.js';
import type { IndexKeys } from './key-material.js';
import type { DataKeyRow, KeysStore } from './keys-store.js';

declare const dataKeyBrand: unique symbol;
/** A subject's data key in plaintext: 32 bytes that must stay in memory and never be mutated or logged. */
export type DataKey = Buffer & { readonly [dataKeyBrand]: 'DataKey' };

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

export const rewrapJobName = 'keys.rewrap';
const indexKeyName = 'index';
/** Subject ids in their canonical form (lower case), as PostgreSQL returns them. */
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Associated data of a wrapped data key: it opens only for its subject and under its master key version. */
export function dataKeyAad(subjectId: string, kekVersion: number): Buffer {
  return aadOf(['custos.data-key.v1', subjectId, kekVersion]);
}

function assertSubjectId(subjectId: string): void {
  if (!uuidPattern.test(subjectId)) throw new TypeError('subject ids are UUIDs in lower case');
}

export type KekVersionStatus = KekVersion & {
  createdAt: Date;
  retiredAt: Date | null;
  current: boolean;
  /** Whether this instance holds the key (a retired version's key may be archived). */
  available: boolean;
  dataKeys: number;
};

export type KeyRingStatus = {
  currentVersion: number;
  provider: { kind: string; source: string };
  versions: KekVersionStatus[];
  dataKeys: number;
  /** Data keys still wrapped under an older version than the current one. */
  pendingRewrap: number;
  indexKey: { fingerprint: string; matchesDatabase: boolean };
};

export type RewrapResult = { version: number; rewrapped: number; batches: number; remaining: number };

/**
 * The key ring: master key (KEK) versions, one data key (DEK) per subject wrapped under the current
 * version, the stable blind-index and token keys, rotation with background rewrap, and shredding.
 */
export function keysService({ db, store, kek, indexKeys, audit, clock, settings }: Deps) {
  const cache = dekCache({ maxEntries: settings.dekCacheSize, ttlMs: settings.dekCacheTtlMs }, clock);
  /** Fingerprints of the versions this process checked against its provider. */
  const checkedFingerprints = new Map<number, string>();
  let indexKeyChecked = false;

  async function providerFingerprint(version: number): Promise<string | undefined> {
    const known = checkedFingerprints.get(version);
    if (known) return known;
    const found = (await kek.versions()).find((held) => held.version === version)?.fingerprint;
    if (found) checkedFingerprints.set(version, found);
    return found;
  }

  async function assertSameKey(version: number, registered: string): Promise<void> {
    const held = await providerFingerprint(version);
    if (held === undefined) {
      throw new Error(
        `Master key version ${version} is current but not available from ${kek.source}; every instance must hold every master key version in use`,
      );
    }
    if (held !== registered) {
      throw new Error(
        `Master key version ${version} from ${kek.source} (fingerprint ${held}) is not the key this database registered (fingerprint ${registered}). Restore the key files that belong to this database; never replace them with new ones.`,
      );
    }
  }

  /** Registers the provider's newest version when the database has none yet (first use). */
  async function registerFirstVersion(tx: Executor) {
    const newest = (await kek.versions()).at(-1);
    if (!newest) throw new Error(`There is no master key in ${kek.source}`);
    await store.insertKekVersion(tx, { ...newest, created_at: clock.now() });
    const row = await store.currentKekVersion(tx);
    if (!row) throw new Error('The first master key version could not be registered');
    return row;
  }

  async function checkIndexKey(tx: Executor): Promise<boolean> {
    if (indexKeyChecked) return true;
    const registered = await store.findFingerprint(tx, indexKeyName);
    if (registered === undefined) {
      // Recorded in the caller's transaction: it may roll back, so check again next time.
      await store.insertFingerprint(tx, indexKeyName, indexKeys.fingerprint);
      return true;
    }
    indexKeyChecked = registered === indexKeys.fingerprint;
    return indexKeyChecked;
  }

  /**
   * The version new data keys are wrapped under, agreed through the database; checks that this instance
   * holds that very key and the blind-index key the database was written with.
   */
  async function currentVersion(tx: Executor): Promise<number> {
    const row = (await store.currentKekVersion(tx)) ?? (await registerFirstVersion(tx));
    await assertSameKey(row.version, row.fingerprint);
    if (!(await checkIndexKey(tx))) {
      throw new Error(
        'The blind-index key of this instance is not the one this database was written with; restore index.key (or CUSTOS_INDEX_KEY) from this deployment. A new one would make every stored lookup unfindable.',
      );
    }
    return row.version;
  }

  async function unwrapRowDecrypting(row: DataKeyRow): Promise<DataKey> {
    try {
      return (await kek.unwrap(
        row.kek_version,
        row.wrapped_key,
        dataKeyAad(row.subject_id, row.kek_version),
      )) as DataKey;
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw new Error(
        `The data key of subject ${row.subject_id} does not unwrap under master key version ${row.kek_version}: the row was altered or copied from another subject, or that version's key is not the one it was wrapped with`,
        { cause: error },
      );
    }
  }

  /** Creates the subject's data key, stores it wrapped under the current master key, returns it in plaintext. */
  async function createDataKey(tx: Tx, subjectId: string): Promise<DataKey> {
    return (await createDataKeys(tx, [subjectId])).get(subjectId) as DataKey;
  }

  /** `createDataKey` for many subjects at once (imports): one version check, one INSERT per 2,000 subjects. */
  async function createDataKeys(tx: Tx, subjectIds: readonly string[]): Promise<Map<string, DataKey>> {
    const unique = [...new Set(subjectIds)];
    for (const subjectId of unique) assertSubjectId(subjectId);
    const created = new Map<string, DataKey>();
    if (unique.length === 0) return created;
    const version = await currentVersion(tx);
    const now = clock.now();
    const rows = await Promise.all(
      unique.map(async (subjectId) => {
        const dataKey = randomBytes(keyBytes) as DataKey;
        created.set(subjectId, dataKey);
        const wrapped = await kek.wrap(version, dataKey, dataKeyAad(subjectId, version));
        return { subject_id: subjectId, wrapped_key: wrapped, kek_version: version, created_at: now };
      }),
    );
    if ((await store.insertDataKeys(tx, rows)) !== rows.length) {
      throw new AppError('conflict', 'A subject has a data key already.');
    }
    // Not cached here: the transaction may still roll back, and the keys must then not outlive it.
    return created;
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
    const dataKey = await unwrapRowDecrypting(row);
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
    const unwrapped = await Promise.all(rows.map(unwrapRowDecrypting));
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

  /** Master key versions, data keys per version, and whether the blind-index key matches the database. */
  async function status(): Promise<KeyRingStatus> {
    const current = await db.transaction().execute((tx) => currentVersion(tx));
    const rows = await store.kekVersionsWithUsage(db);
    const held = new Map((await kek.versions()).map((version) => [version.version, version.fingerprint]));
    const registeredIndex = await store.findFingerprint(db, indexKeyName);
    const versions = rows.map((row) => ({
      version: row.version,
      fingerprint: row.fingerprint,
      createdAt: row.created_at,
      retiredAt: row.retired_at,
      current: row.version === current,
      available: held.get(row.version) === row.fingerprint,
      dataKeys: row.data_keys,
    }));
    return {
      currentVersion: current,
      provider: { kind: kek.kind, source: kek.source },
      versions,
      dataKeys: versions.reduce((sum, version) => sum + version.dataKeys, 0),
      pendingRewrap: versions
        .filter((version) => version.version < current)
        .reduce((sum, v) => sum + v.dataKeys, 0),
      indexKey: {
        fingerprint: indexKeys.fingerprint,
        matchesDatabase: registeredIndex === indexKeys.fingerprint,
      },
    };
  }

  /** The version a rotation moves to: one the provider holds but the database has not registered, or a new one. */
  async function nextVersion(current: number): Promise<KekVersion> {
    const waiting = (await kek.versions()).find((held) => held.version > current);
    return waiting ?? (await kek.addVersion());
  }

  /**
   * Adds a master key version and makes it current at once (new data keys use it from the next
   * transaction on, on every instance), then enqueues the rewrap of the older data keys.
   */
  async function rotate(context: AuditContext, jobs: Pick<JobQueue, 'send'>) {
    try {
      return await db.transaction().execute(async (tx) => {
        const previous = await currentVersion(tx);
        const next = await nextVersion(previous);
        if (!(await store.insertKekVersion(tx, { ...next, created_at: clock.now() }))) {
          throw new AppError(
            'conflict',
            `Master key version ${next.version} was registered by a concurrent rotation.`,
          );
        }
        checkedFingerprints.set(next.version, next.fingerprint);
        const dataKeysToRewrap = await store.countDataKeysBelow(tx, next.version);
        const jobId = await jobs.send(rewrapJobName, { version: next.version }, { tx });
        await audit.append(tx, context, {
          action: 'keys.kek.rotated',
          outcome: 'success',
          target: { type: 'kek_version', id: String(next.version) },
          details: {
            previousVersion: previous,
            fingerprint: next.fingerprint,
            dataKeysToRewrap,
            provider: kek.kind,
          },
        });
        return {
          version: next.version,
          previousVersion: previous,
          fingerprint: next.fingerprint,
          dataKeysToRewrap,
          jobId,
        };
      });
    } catch (error) {
      if (error instanceof AppError) {
        await audit.record(context, {
          action: 'keys.kek.rotated',
          outcome: 'failure',
          details: { reason: error.code, provider: kek.kind },
        });
      }
      throw error;
    }
  }

  /** Retires a version: refused while it is current or any data key is still wrapped under it. */
  async function retire(context: AuditContext, version: number): Promise<KekVersionStatus> {
    return db.transaction().execute(async (tx) => {
      // FOR UPDATE waits for transactions that are wrapping a data key under this version right now.
      const row = await store.findKekVersionForUpdate(tx, version);
      if (!row) throw new AppError('not_found', `There is no master key version ${version}.`);
      if (row.retired_at) throw new AppError('conflict', `Master key version ${version} is retired already.`);
      const current = await currentVersion(tx);
      if (version === current) {
        throw new AppError(
          'conflict',
          `Master key version ${version} is the current one; rotate to a new version first.`,
        );
      }
      const inUse = await store.countDataKeysUsing(tx, version);
      if (inUse > 0) {
        throw new AppError(
          'conflict',
          `${inUse} data key(s) are still wrapped under master key version ${version}; wait for the rewrap to finish (\`custos keys status\`) or run \`custos keys rewrap\`.`,
          { extensions: { dataKeys: inUse } },
        );
      }
      const retired = await store.retireKekVersion(tx, version, clock.now());
      await audit.append(tx, context, {
        action: 'keys.kek.retired',
        outcome: 'success',
        target: { type: 'kek_version', id: String(version) },
        details: { fingerprint: retired.fingerprint, currentVersion: current },
      });
      return {
        version,
        fingerprint: retired.fingerprint,
        createdAt: retired.created_at,
        retiredAt: retired.retired_at,
        current: false,
        available: (await providerFingerprint(version)) === retired.fingerprint,
        dataKeys: 0,
      };
    });
  }

  /** One batch in its own transaction: lock, unwrap, wrap under the current version, update. */
  async function rewrapBatch(batchSize: number): Promise<{ version: number; moved: number }> {
    return db.transaction().execute(async (tx) => {
      const version = await currentVersion(tx);
      const rows = await store.lockDataKeysToRewrap(tx, version, batchSize);
      const rewrapped = await Promise.all(
        rows.map(async (row) => {
          const dataKey = await unwrapRowDecrypting(row);
          const wrapped = await kek.wrap(version, dataKey, dataKeyAad(row.subject_id, version));
          dataKey.fill(0);
          return { subject_id: row.subject_id, wrapped_key: wrapped };
        }),
      );
      await store.updateWrappedKeys(tx, rewrapped, version, clock.now());
      return { version, moved: rows.length };
    });
  }

  /**
   * Rewraps every data key under an older version to the current one, batch by batch. Idempotent and
   * resumable: each batch commits on its own, so a run that stops half-way leaves a consistent state
   * and the next run continues with what is left. `maxBatches` stops early (tests simulate a crash).
   */
  async function rewrap(
    context: AuditContext,
    options: { maxBatches?: number; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<RewrapResult> {
    const target = await db.transaction().execute((tx) => currentVersion(tx));
    const total = await store.countDataKeysBelow(db, target);
    let rewrapped = 0;
    let batches = 0;
    let version = target;
    while (options.maxBatches === undefined || batches < options.maxBatches) {
      const batch = await rewrapBatch(settings.rewrapBatchSize);
      version = batch.version;
      if (batch.moved === 0) break;
      batches += 1;
      rewrapped += batch.moved;
      // A rotation during the run adds work, so the total can grow.
      options.onProgress?.(rewrapped, Math.max(total, rewrapped));
    }
    const remaining = await store.countDataKeysBelow(db, version);
    if (remaining === 0 && rewrapped > 0) {
      await audit.record(context, {
        action: 'keys.rewrap.completed',
        outcome: 'success',
        target: { type: 'kek_version', id: String(version) },
        details: { rewrapped, batches },
      });
    }
    return { version, rewrapped, batches, remaining };
  }

  return {
    createDataKey,
    createDataKeys,
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
    verify: (tx: Executor) => currentVersion(tx).then(() => undefined),
    status,
    rotate,
    retire,
    rewrap,
    /** Forgets every cached data key (tests; an operator's response to a suspected leak). */
    clearCache: () => cache.clear(),
  };
}

export type KeysService = ReturnType<typeof keysService>;
