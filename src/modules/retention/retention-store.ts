import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { RetentionTables } from './retention-tables.js';

export type PolicyRow = Selectable<RetentionTables['retention_policies']>;
export type LegalHoldRow = Selectable<RetentionTables['legal_holds']>;
export type RetentionRow = Selectable<RetentionTables['erasure_retentions']>;

/** SQL for retention policies, legal holds and subjects kept under retention after erasure. */
export function retentionStore() {
  return {
    listPolicies(tx: Executor): Promise<PolicyRow[]> {
      return tx.selectFrom('retention_policies').selectAll().orderBy('name').execute();
    },
    findPolicy(tx: Executor, id: string): Promise<PolicyRow | undefined> {
      return tx.selectFrom('retention_policies').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lockPolicy(tx: Executor, id: string): Promise<PolicyRow | undefined> {
      return tx
        .selectFrom('retention_policies')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },
    policyNamed(tx: Executor, name: string): Promise<PolicyRow | undefined> {
      return tx.selectFrom('retention_policies').selectAll().where('name', '=', name).executeTakeFirst();
    },
    async insertPolicy(tx: Executor, row: Insertable<RetentionTables['retention_policies']>): Promise<void> {
      await tx.insertInto('retention_policies').values(row).execute();
    },
    async updatePolicy(
      tx: Executor,
      id: string,
      changes: Updateable<RetentionTables['retention_policies']>,
    ): Promise<void> {
      await tx.updateTable('retention_policies').set(changes).where('id', '=', id).execute();
    },
    async deletePolicy(tx: Executor, id: string): Promise<void> {
      await tx.deleteFrom('retention_policies').where('id', '=', id).execute();
    },

    async insertHold(tx: Executor, row: Insertable<RetentionTables['legal_holds']>): Promise<void> {
      await tx.insertInto('legal_holds').values(row).execute();
    },
    lockHold(tx: Executor, id: string): Promise<LegalHoldRow | undefined> {
      return tx.selectFrom('legal_holds').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    async liftHold(
      tx: Executor,
      id: string,
      lift: Pick<LegalHoldRow, 'lifted_at' | 'lifted_by_type' | 'lifted_by_id'>,
    ): Promise<void> {
      await tx.updateTable('legal_holds').set(lift).where('id', '=', id).execute();
    },
    /** Holds in force at `at`: not lifted, and without an end or ending later. */
    activeHolds(tx: Executor, subjectId: string, at: Date): Promise<LegalHoldRow[]> {
      return tx
        .selectFrom('legal_holds')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .where('lifted_at', 'is', null)
        .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', at)]))
        .orderBy('placed_at')
        .execute();
    },
    /** Erasure: removes the notes of the subject's holds no longer in force (those in force stop erasure). */
    async clearEndedHoldNotes(tx: Executor, subjectId: string, at: Date): Promise<number> {
      const result = await tx
        .updateTable('legal_holds')
        .set({ note_sealed: null })
        .where('subject_id', '=', subjectId)
        .where('note_sealed', 'is not', null)
        .where((eb) => eb.or([eb('lifted_at', 'is not', null), eb('until', '<=', at)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    holdsOf(tx: Executor, subjectId: string): Promise<LegalHoldRow[]> {
      return tx
        .selectFrom('legal_holds')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .orderBy('placed_at', 'desc')
        .orderBy('id')
        .execute();
    },

    async upsertRetention(
      tx: Executor,
      row: Insertable<RetentionTables['erasure_retentions']>,
    ): Promise<void> {
      await tx
        .insertInto('erasure_retentions')
        .values(row)
        .onConflict((conflict) =>
          conflict.column('subject_id').doUpdateSet((eb) => ({
            request_id: eb.ref('excluded.request_id'),
            retained_until: eb.ref('excluded.retained_until'),
            next_expiry_at: eb.ref('excluded.next_expiry_at'),
            summary: eb.ref('excluded.summary'),
            updated_at: eb.ref('excluded.updated_at'),
            shredded_at: null,
          })),
        )
        .execute();
    },
    retentionOf(tx: Executor, subjectId: string): Promise<RetentionRow | undefined> {
      return tx
        .selectFrom('erasure_retentions')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .executeTakeFirst();
    },
    lockRetention(tx: Executor, subjectId: string): Promise<RetentionRow | undefined> {
      return tx
        .selectFrom('erasure_retentions')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .forUpdate()
        .executeTakeFirst();
    },
    async updateRetention(
      tx: Executor,
      subjectId: string,
      changes: Updateable<RetentionTables['erasure_retentions']>,
    ): Promise<void> {
      await tx.updateTable('erasure_retentions').set(changes).where('subject_id', '=', subjectId).execute();
    },
    /** Subjects whose first retention has ended by `at` and who are not shredded yet, oldest first. */
    async dueRetentions(tx: Executor, at: Date, limit: number): Promise<string[]> {
      const rows = await tx
        .selectFrom('erasure_retentions')
        .select('subject_id')
        .where('shredded_at', 'is', null)
        .where('next_expiry_at', '<=', at)
        .orderBy('next_expiry_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.subject_id);
    },
  };
}

export type RetentionStore = ReturnType<typeof retentionStore>;
