import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { RecordRow } from './vault-store.js';

/** A record as erasure plans with it: no values, only where it belongs and when it was stored. */
export type RecordFacts = { id: string; collectionId: string; createdAt: Date };

/** Set-based SQL for erasure under retention: a few statements per subject, whatever their record count. */
export function erasureStore() {
  return {
    /** How many records the subject has in each collection. */
    async recordCounts(tx: Executor, subjectId: string): Promise<Map<string, number>> {
      const rows = await tx
        .selectFrom('records')
        .select(['collection_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('subject_id', '=', subjectId)
        .groupBy('collection_id')
        .execute();
      return new Map(rows.map((row) => [row.collection_id, Number(row.n)]));
    },
    async recordFacts(tx: Executor, subjectId: string, collectionIds: string[]): Promise<RecordFacts[]> {
      if (collectionIds.length === 0) return [];
      const rows = await tx
        .selectFrom('records')
        .select(['id', 'collection_id', 'created_at'])
        .where('subject_id', '=', subjectId)
        .where('collection_id', 'in', collectionIds)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({ id: row.id, collectionId: row.collection_id, createdAt: row.created_at }));
    },
    recordsByIds(tx: Executor, subjectId: string, ids: string[]): Promise<RecordRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('records')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .where('id', 'in', ids)
        .forUpdate()
        .execute();
    },
    async deleteTokens(tx: Executor, subjectId: string): Promise<number> {
      const result = await tx.deleteFrom('tokens').where('subject_id', '=', subjectId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    /** Deletes the subject's blind indexes but those of the given (record, field) pairs. */
    async deleteIndexesExcept(
      tx: Executor,
      subjectId: string,
      kept: { recordId: string; field: string }[],
    ): Promise<number> {
      const result = await sql`
        delete from blind_indexes b
         where b.subject_id = ${subjectId}
           and not exists (
             select 1 from unnest(${kept.map((pair) => pair.recordId)}::uuid[],
                                  ${kept.map((pair) => pair.field)}::text[]) as k(record_id, field)
              where k.record_id = b.record_id and k.field = b.field)`.execute(tx);
      return Number(result.numAffectedRows ?? 0);
    },
    /** Deletes the subject's records but the given ones (their blind indexes go with them). */
    async deleteRecordsExcept(tx: Executor, subjectId: string, keptIds: string[]): Promise<number> {
      await sql`
        delete from blind_indexes
         where subject_id = ${subjectId} and record_id is not null
           and record_id <> all(${keptIds}::uuid[])`.execute(tx);
      const result = await sql`
        delete from records where subject_id = ${subjectId} and id <> all(${keptIds}::uuid[])`.execute(tx);
      return Number(result.numAffectedRows ?? 0);
    },
    /** Replaces the stored values of many records in one statement. */
    async rewriteRecords(
      tx: Executor,
      rows: { id: string; plain: Record<string, unknown>; sealed: Record<string, string> }[],
      at: Date,
    ): Promise<void> {
      if (rows.length === 0) return;
      await sql`
        update records r
           set plain = v.plain, sealed = v.sealed, updated_at = ${at}::timestamptz
          from unnest(${rows.map((row) => row.id)}::uuid[],
                      ${rows.map((row) => JSON.stringify(row.plain))}::jsonb[],
                      ${rows.map((row) => JSON.stringify(row.sealed))}::jsonb[]) as v(id, plain, sealed)
         where r.id = v.id`.execute(tx);
    },
    /** Marks a minimised subject restricted and drops their external id, so they are no longer found by it. */
    async restrictMinimised(tx: Executor, subjectId: string, at: Date): Promise<void> {
      await tx
        .updateTable('subjects')
        .set({ status: 'restricted', external_id_index: null, updated_at: at })
        .where('id', '=', subjectId)
        .execute();
    },
  };
}

export type ErasureStore = ReturnType<typeof erasureStore>;
