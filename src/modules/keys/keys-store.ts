import { type Selectable, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { KeysTables } from './keys-tables.js';

export type KekVersionRow = Selectable<KeysTables['kek_versions']>;
export type DataKeyRow = Pick<
  Selectable<KeysTables['data_keys']>,
  'subject_id' | 'wrapped_key' | 'kek_version'
>;

/** Subjects per query when fetching many data keys: one round trip, bounded parameter size. */
const lookupChunk = 5000;

/** SQL for the key ring: master key versions, wrapped data keys and key fingerprints. */
export function keysStore() {
  return {
    /**
     * The current master key version: the newest one not retired. The row is locked FOR KEY SHARE until
     * the caller's transaction ends, so a concurrent retire of that version waits and then sees the data
     * key wrapped under it.
     */
    currentKekVersion(tx: Executor): Promise<KekVersionRow | undefined> {
      return tx
        .selectFrom('kek_versions')
        .selectAll()
        .where('retired_at', 'is', null)
        .orderBy('version', 'desc')
        .limit(1)
        .forKeyShare()
        .executeTakeFirst();
    },

    findKekVersionForUpdate(tx: Executor, version: number): Promise<KekVersionRow | undefined> {
      return tx
        .selectFrom('kek_versions')
        .selectAll()
        .where('version', '=', version)
        .forUpdate()
        .executeTakeFirst();
    },

    /** Registers a version; false when it is registered already (a concurrent rotation won). */
    async insertKekVersion(tx: Executor, row: { version: number; fingerprint: string; created_at: Date }) {
      const inserted = await tx
        .insertInto('kek_versions')
        .values(row)
        .onConflict((conflict) => conflict.column('version').doNothing())
        .returning('version')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async retireKekVersion(tx: Executor, version: number, at: Date): Promise<KekVersionRow> {
      return tx
        .updateTable('kek_versions')
        .set({ retired_at: at })
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** Every registered version with the number of data keys wrapped under it. */
    async kekVersionsWithUsage(tx: Executor): Promise<(KekVersionRow & { data_keys: number })[]> {
      const usage = await tx
        .selectFrom('data_keys')
        .select(['kek_version', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy('kek_version')
        .execute();
      const counts = new Map(usage.map((row) => [row.kek_version, Number(row.count)]));
      const rows = await tx.selectFrom('kek_versions').selectAll().orderBy('version').execute();
      return rows.map((row) => ({ ...row, data_keys: counts.get(row.version) ?? 0 }));
    },

    async countDataKeysUsing(tx: Executor, version: number): Promise<number> {
      const row = await tx
        .selectFrom('data_keys')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('kek_version', '=', version)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async countDataKeysBelow(tx: Executor, version: number): Promise<number> {
      const row = await tx
        .selectFrom('data_keys')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('kek_version', '<', version)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    /** Stores wrapped data keys; returns how many were new (a subject with a key already is skipped). */
    /** Stores new subjects' wrapped data keys, all made under `kekVersion` at `at`; returns how many. */
    async insertDataKeys(
      tx: Executor,
      batch: { kekVersion: number; at: Date },
      rows: readonly { subject_id: string; wrapped_key: Buffer }[],
    ): Promise<number> {
      if (rows.length === 0) return 0;
      // One array per column (unnest), not four parameters per row: any number of rows in one statement.
      const result = await sql<{ subject_id: string }>`
        insert into data_keys (subject_id, wrapped_key, kek_version, created_at)
        select k.subject_id, k.wrapped_key, ${batch.kekVersion}::int, ${batch.at}::timestamptz
          from unnest(${rows.map((row) => row.subject_id)}::uuid[],
                      ${rows.map((row) => row.wrapped_key)}::bytea[]) as k (subject_id, wrapped_key)
        on conflict (subject_id) do nothing
        returning subject_id`.execute(tx);
      return result.rows.length;
    },

    findDataKey(tx: Executor, subjectId: string): Promise<DataKeyRow | undefined> {
      return tx
        .selectFrom('data_keys')
        .select(['subject_id', 'wrapped_key', 'kek_version'])
        .where('subject_id', '=', subjectId)
        .executeTakeFirst();
    },

    async findDataKeys(tx: Executor, subjectIds: readonly string[]): Promise<DataKeyRow[]> {
      const rows: DataKeyRow[] = [];
      for (let start = 0; start < subjectIds.length; start += lookupChunk) {
        const chunk = subjectIds.slice(start, start + lookupChunk);
        rows.push(
          ...(await tx
            .selectFrom('data_keys')
            .select(['subject_id', 'wrapped_key', 'kek_version'])
            .where('subject_id', '=', sql<string>`any(${sql.val(`{${chunk.join(',')}}`)}::uuid[])`)
            .execute()),
        );
      }
      return rows;
    },

    async deleteDataKey(tx: Executor, subjectId: string): Promise<boolean> {
      const result = await tx.deleteFrom('data_keys').where('subject_id', '=', subjectId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /**
     * The next data keys still wrapped under an older version than `version`, locked for this
     * transaction. Rows another worker has locked are skipped, so several workers share the work.
     */
    lockDataKeysToRewrap(tx: Executor, version: number, limit: number): Promise<DataKeyRow[]> {
      return tx
        .selectFrom('data_keys')
        .select(['subject_id', 'wrapped_key', 'kek_version'])
        .where('kek_version', '<', version)
        .orderBy('subject_id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
    },

    /** Stores rewrapped keys in one statement. */
    async updateWrappedKeys(
      tx: Executor,
      rows: readonly { subject_id: string; wrapped_key: Buffer }[],
      version: number,
      at: Date,
    ): Promise<void> {
      if (rows.length === 0) return;
      const ids = `{${rows.map((row) => row.subject_id).join(',')}}`;
      const keys = `{${rows.map((row) => row.wrapped_key.toString('hex')).join(',')}}`;
      await sql`
        update data_keys as d
           set wrapped_key = decode(u.wrapped_key, 'hex'), kek_version = ${version}, rewrapped_at = ${at}
          from unnest(${ids}::uuid[], ${keys}::text[]) as u (subject_id, wrapped_key)
         where d.subject_id = u.subject_id
      `.execute(tx);
    },

    findFingerprint(tx: Executor, name: string): Promise<string | undefined> {
      return tx
        .selectFrom('key_fingerprints')
        .select('fingerprint')
        .where('name', '=', name)
        .executeTakeFirst()
        .then((row) => row?.fingerprint);
    },

    async insertFingerprint(tx: Executor, name: string, fingerprint: string): Promise<void> {
      await tx
        .insertInto('key_fingerprints')
        .values({ name, fingerprint })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .execute();
    },
  };
}

export type KeysStore = ReturnType<typeof keysStore>;
