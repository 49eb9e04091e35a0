import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { KekVersion, KeyEncryptionProvider } from './kek-provider.js';
import type { KeyRing } from './key-ring.js';
import type { KeysStore } from './keys-store.js';

export const rewrapJobName = 'keys.rewrap';

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

type Deps = {
  db: Kysely<DB>;
  store: KeysStore;
  ring: KeyRing;
  kek: KeyEncryptionProvider;
  audit: AuditWriter;
  clock: Clock;
  /** Data keys rewrapped per transaction. */
  rewrapBatchSize: number;
};

/** Master key rotation: status, new versions, background rewrap of data keys, retirement of old versions. */
export function keyRotation({ db, store, ring, kek, audit, clock, rewrapBatchSize }: Deps) {
  /** Master key versions, data keys per version, and whether the blind-index key matches the database. */
  async function status(): Promise<KeyRingStatus> {
    // No key checks here: status is what an operator reads to find out why an instance refuses to work.
    const current = await db.transaction().execute(async (tx) => {
      const row = await ring.registeredVersion(tx);
      await ring.checkIndexKey(tx);
      return row.version;
    });
    const rows = await store.kekVersionsWithUsage(db);
    const held = new Map((await kek.versions()).map((version) => [version.version, version.fingerprint]));
    const registeredIndex = await ring.registeredIndexFingerprint(db);
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
        fingerprint: ring.indexFingerprint,
        matchesDatabase: registeredIndex === ring.indexFingerprint,
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
        const previous = await ring.currentVersion(tx);
        const next = await nextVersion(previous);
        if (!(await store.insertKekVersion(tx, { ...next, created_at: clock.now() }))) {
          throw new AppError(
            'conflict',
            `Master key version ${next.version} was registered by a concurrent rotation.`,
          );
        }
        ring.remember(next.version, next.fingerprint);
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
      const current = await ring.currentVersion(tx);
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
        available: (await ring.providerFingerprint(version)) === retired.fingerprint,
        dataKeys: 0,
      };
    });
  }

  /** One batch in its own transaction: lock, unwrap, wrap under the current version, update. */
  async function rewrapBatch(batchSize: number): Promise<{ version: number; moved: number }> {
    return db.transaction().execute(async (tx) => {
      const version = await ring.currentVersion(tx);
      const rows = await store.lockDataKeysToRewrap(tx, version, batchSize);
      const rewrapped = await Promise.all(
        rows.map(async (row) => {
          const dataKey = await ring.unwrapDecrypting(row);
          const wrapped = await ring.wrap(version, row.subject_id, dataKey);
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
    options: {
      maxBatches?: number;
      onProgress?: (done: number, total: number) => void;
      /** Stops after the batch in hand (the job lost its lease); what is left is for the next run. */
      signal?: AbortSignal | undefined;
    } = {},
  ): Promise<RewrapResult> {
    const target = await db.transaction().execute((tx) => ring.currentVersion(tx));
    const total = await store.countDataKeysBelow(db, target);
    let rewrapped = 0;
    let batches = 0;
    let version = target;
    while ((options.maxBatches === undefined || batches < options.maxBatches) && !options.signal?.aborted) {
      const batch = await rewrapBatch(rewrapBatchSize);
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

  return { status, rotate, retire, rewrap };
}

export type KeyRotation = ReturnType<typeof keyRotation>;
