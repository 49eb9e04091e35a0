import { type Selectable, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import { type CollectionRules, type Decided, decisionOf, untouchable } from './retention-decisions.js';
import type { RetentionTables, RunKind } from './retention-tables.js';
import type { RetentionAction } from './retention-types.js';

export type RunRow = Selectable<RetentionTables['retention_runs']>;

/** What a preview counts per deciding rule in one collection. */
export type DueCounts = {
  rule_id: string;
  action: RetentionAction;
  due_records: number;
  due_subjects: number;
  soon_records: number;
  soon_subjects: number;
  held_records: number;
};

/**
 * Set-based SQL of retention runs. Runs decide over the vault's records, subjects and consent states in
 * the database itself: going through each module's services one subject at a time is exactly what a
 * sweep over millions of records must not do (docs/ARCHITECTURE.md). Every statement here reads or
 * changes many records at once; the only per-subject work is crypto-shredding (one data key each).
 */
export function retentionRunStore() {
  return {
    /**
     * The next batch of due records of one collection, in id order after `after`, with their deciding
     * rule; locked, skipping records another transaction holds (they are taken by the next run).
     */
    async dueBatch(
      tx: Executor,
      input: {
        rules: CollectionRules;
        now: Date;
        actions: readonly RetentionAction[];
        after: string | null;
        limit: number;
      },
    ): Promise<{ rows: Decided[]; last: string | null }> {
      const { rules, now, after, limit } = input;
      const { rows } = await sql<Decided & { due: Date | null }>`
        select r.id, r.subject_id, dec.rule_id, dec.action
          from records r
          join subjects s on s.id = r.subject_id
         cross join ${decisionOf(rules, now)}
         where r.collection_id = ${rules.collection.id}::uuid
           ${after ? sql`and r.id > ${after}::uuid` : sql``}
           and dec.due <= ${now}::timestamptz
           and dec.action = any(${[...input.actions]}::text[])
           and not ${untouchable(now)}
         order by r.id
         limit ${limit}
           for update of r skip locked`.execute(tx);
      return { rows, last: rows.at(-1)?.id ?? null };
    },

    /** Deletes records (their blind indexes cascade) and the tokens of subjects left with none there. */
    async deleteRecords(tx: Executor, collection: { id: string; name: string }, ids: string[]) {
      if (ids.length === 0) return;
      await sql`
        with gone as (delete from records where id = any(${ids}::uuid[]) returning subject_id)
        delete from tokens t
         using (select distinct subject_id from gone) g
         where t.subject_id = g.subject_id and t.collection = ${collection.name}
           and not exists (select 1 from records r
                            where r.subject_id = g.subject_id and r.collection_id = ${collection.id}::uuid
                              and r.id <> all(${ids}::uuid[]))`.execute(tx);
    },

    /** The stored values of records about to be anonymized (already locked by `dueBatch`). */
    async storedValues(
      tx: Executor,
      ids: string[],
    ): Promise<
      { id: string; subject_id: string; plain: Record<string, unknown>; sealed: Record<string, string> }[]
    > {
      if (ids.length === 0) return [];
      const { rows } = await sql<{
        id: string;
        subject_id: string;
        plain: Record<string, unknown>;
        sealed: Record<string, string>;
      }>`select id, subject_id, plain, sealed from records where id = any(${ids}::uuid[])`.execute(tx);
      return rows;
    },

    /** Stores anonymized values, unlinked from any subject, in place of the records they came from. */
    async insertAnonymized(
      tx: Executor,
      rows: { id: string; collectionId: string; ruleId: string; fields: Record<string, unknown> }[],
      at: Date,
    ) {
      if (rows.length === 0) return;
      await sql`
        insert into anonymized_records (id, collection_id, rule_id, fields, anonymized_at)
        select a.id, a.collection_id, a.rule_id, a.fields, ${at}::timestamptz
          from unnest(${rows.map((row) => row.id)}::uuid[], ${rows.map((row) => row.collectionId)}::uuid[],
                      ${rows.map((row) => row.ruleId)}::uuid[],
                      ${rows.map((row) => JSON.stringify(row.fields))}::jsonb[])
               as a (id, collection_id, rule_id, fields)`.execute(tx);
    },

    /**
     * Of the given subjects, those with a record a rule with a legal ground still keeps in this collection
     * (its deciding rule has a legal ground and is not due): they are not shredded.
     */
    async subjectsKept(
      tx: Executor,
      rules: CollectionRules,
      subjectIds: string[],
      now: Date,
    ): Promise<string[]> {
      if (subjectIds.length === 0 || !rules.rules.some((rule) => rule.legal_basis !== null)) return [];
      const { rows } = await sql<{ subject_id: string }>`
        select distinct r.subject_id
          from records r
          join subjects s on s.id = r.subject_id
         cross join ${decisionOf(rules, now)}
         where r.collection_id = ${rules.collection.id}::uuid and r.subject_id = any(${subjectIds}::uuid[])
           and dec.grounded and (dec.due is null or dec.due > ${now}::timestamptz)`.execute(tx);
      return rows.map((row) => row.subject_id);
    },

    /** Per deciding rule in one collection: due now, due within the window, held. Nothing is locked. */
    async dueCounts(tx: Executor, rules: CollectionRules, now: Date, soon: Date): Promise<DueCounts[]> {
      const { rows } = await sql<DueCounts>`
        select dec.rule_id, dec.action,
               count(*) filter (where not held and dec.due <= ${now}::timestamptz)::int as due_records,
               count(distinct r.subject_id) filter (where not held and dec.due <= ${now}::timestamptz)::int
                 as due_subjects,
               count(*) filter (where not held and dec.due > ${now}::timestamptz
                                  and dec.due <= ${soon}::timestamptz)::int as soon_records,
               count(distinct r.subject_id) filter (where not held and dec.due > ${now}::timestamptz
                                  and dec.due <= ${soon}::timestamptz)::int as soon_subjects,
               count(*) filter (where held and dec.due <= ${soon}::timestamptz)::int as held_records
          from records r
          join subjects s on s.id = r.subject_id
         cross join ${decisionOf(rules, now)}
         cross join lateral (select ${untouchable(now)} as held) u
         where r.collection_id = ${rules.collection.id}::uuid
         group by dec.rule_id, dec.action`.execute(tx);
      return rows;
    },

    /** Records under a rule in one collection, and those past their time still stored (not held). */
    async compliance(
      tx: Executor,
      rules: CollectionRules,
      now: Date,
    ): Promise<{ covered: number; overdue: number }> {
      const { rows } = await sql<{ covered: number; overdue: number }>`
        select count(*)::int as covered,
               count(*) filter (where dec.due <= ${now}::timestamptz and not held)::int as overdue
          from records r
          join subjects s on s.id = r.subject_id
         cross join ${decisionOf(rules, now)}
         cross join lateral (select ${untouchable(now)} as held) u
         where r.collection_id = ${rules.collection.id}::uuid`.execute(tx);
      return rows[0] ?? { covered: 0, overdue: 0 };
    },

    /** The run in progress, locked: one runs at a time, and every worker joining it works its batches. */
    lockOpenRun(tx: Executor): Promise<RunRow | undefined> {
      return tx
        .selectFrom('retention_runs')
        .selectAll()
        .where('status', '=', 'running')
        .forUpdate()
        .executeTakeFirst();
    },
    lockRun(tx: Executor, id: string): Promise<RunRow | undefined> {
      return tx.selectFrom('retention_runs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    async insertRun(
      tx: Executor,
      row: { id: string; kind: RunKind; actions: RetentionAction[]; at: Date },
    ): Promise<void> {
      await tx
        .insertInto('retention_runs')
        .values({
          id: row.id,
          kind: row.kind,
          actions: row.actions,
          status: 'running',
          started_at: row.at,
          heartbeat_at: row.at,
          progress: '{}',
          results: '{}',
        })
        .execute();
    },
    async updateRun(
      tx: Executor,
      id: string,
      changes: Partial<{
        status: RunRow['status'];
        heartbeat_at: Date;
        finished_at: Date;
        resumed: number;
        progress: RunRow['progress'];
        results: RunRow['results'];
        error: string;
      }>,
    ): Promise<void> {
      const { progress, results, ...rest } = changes;
      await tx
        .updateTable('retention_runs')
        .set({
          ...rest,
          ...(progress ? { progress: JSON.stringify(progress) } : {}),
          ...(results ? { results: JSON.stringify(results) } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
    findRun(tx: Executor, id: string): Promise<RunRow | undefined> {
      return tx.selectFrom('retention_runs').selectAll().where('id', '=', id).executeTakeFirst();
    },
    listRuns(tx: Executor, limit: number): Promise<RunRow[]> {
      return tx.selectFrom('retention_runs').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
    },
    /** The application reports activity or the end of the relationship (at most one write a day for activity). */
    async recordSubjectEvent(
      tx: Executor,
      subjectId: string,
      event: 'activity' | 'relationship_ended',
      at: Date,
    ): Promise<boolean> {
      const result =
        event === 'activity'
          ? await sql`update subjects set last_active_at = ${at}::timestamptz
                       where id = ${subjectId}::uuid and status <> 'erased'
                         and last_active_at < date_trunc('day', ${at}::timestamptz)`.execute(tx)
          : await sql`update subjects set relationship_ended_at = ${at}::timestamptz
                       where id = ${subjectId}::uuid and status <> 'erased'`.execute(tx);
      return Number(result.numAffectedRows ?? 0) > 0;
    },
  };
}

export type RetentionRunStore = ReturnType<typeof retentionRunStore>;
