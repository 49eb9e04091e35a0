import { type RawBuilder, type Selectable, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import { type CollectionRules, creationBound, type Decided, decidedRecords } from './retention-decisions.js';
import type { Cursor, RetentionTables, RunKind } from './retention-tables.js';
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

type DeletedFrom = { id: string; name: string; fields: readonly { tokenizable: boolean }[] };

/** A record's stored values: plain ones as they are, sealed ones base64 under the subject's data key. */
export type StoredValues = {
  id: string;
  subject_id: string;
  plain: Record<string, unknown>;
  sealed: Record<string, string>;
};

/** One statement deleting records (and the tokens they leave orphaned), returning `columns` of each. */
function deleting(collection: DeletedFrom, ids: string[], columns: RawBuilder<unknown>) {
  if (!collection.fields.some((field) => field.tokenizable)) {
    return sql`delete from records where id = any(${ids}::uuid[]) returning ${columns}`;
  }
  return sql`
    with gone as (delete from records where id = any(${ids}::uuid[]) returning ${columns}),
         orphaned as (
           delete from tokens t
            using (select distinct subject_id from gone) g
            where t.subject_id = g.subject_id and t.collection = ${collection.name}
              and not exists (select 1 from records r
                               where r.subject_id = g.subject_id and r.collection_id = ${collection.id}::uuid
                                 and r.id <> all(${ids}::uuid[])))
    select * from gone`;
}

/**
 * Set-based SQL of retention runs. Runs decide over the vault's records, subjects and consent states in
 * the database itself: going through each module's services one subject at a time is exactly what a
 * sweep over millions of records must not do (docs/ARCHITECTURE.md). Every statement here reads or
 * changes many records at once; the only per-subject work is crypto-shredding (one data key each).
 */
export function retentionRunStore() {
  return {
    /**
     * The next window of `limit` records of one collection after `after`, and of those the ones due now
     * for one of `actions` and not held. When every rule counts from a record's creation, the window holds
     * only records created early enough to be due by the end of the due-soon window, oldest first (in a
     * collection of long periods most records are not, and deciding about them only to find so would be
     * most of a run); otherwise every record, in id order. Nothing is locked here: locking every due row
     * first would write each one twice; the statements acting on them lock them. `last` is where the next
     * window starts; null when the collection ended.
     */
    async dueBatch(
      tx: Executor,
      input: {
        rules: CollectionRules;
        now: Date;
        /** The end of the due-soon window: records due by then are counted per rule, not touched. */
        soon: Date;
        actions: readonly RetentionAction[];
        after: Cursor | null;
        limit: number;
      },
    ): Promise<{ rows: Decided[]; last: Cursor | null; scanned: number; soon: Map<string, number> }> {
      const { rules, now, soon, after, limit } = input;
      const bound = creationBound(rules.rules, soon);
      // A cursor left by a walk in the other order (a run resumed by another version) starts over.
      const resumeAt = bound ? after?.at : after?.after;
      const window = bound
        ? sql`(select * from records r
                where r.collection_id = ${rules.collection.id}::uuid and r.created_at <= ${bound}::timestamptz
                  ${resumeAt ? sql`and (r.created_at, r.id) > (${resumeAt}::timestamptz, ${after?.after}::uuid)` : sql``}
                order by r.created_at, r.id limit ${limit})`
        : sql`(select * from records r
                where r.collection_id = ${rules.collection.id}::uuid
                  ${resumeAt ? sql`and r.id > ${resumeAt}::uuid` : sql``}
                order by r.id limit ${limit})`;
      const order = bound ? sql`d.created_at desc, d.id desc` : sql`d.id desc`;
      // Only the rows that matter come back (due now, due soon, and the window's last, for the cursor).
      // The creation time goes as text: a JavaScript date would cut its microseconds off the cursor.
      const { rows } = await sql<
        Decided & { at: string; due_now: boolean; due_soon: boolean; is_last: boolean; scanned: number }
      >`
        select z.id, z.subject_id, z.at, z.rule_id, z.action, z.due_now, z.due_soon, z.is_last, z.scanned
          from (select d.id, d.subject_id, d.created_at::text as at, d.rule_id, d.action,
                       (d.rule_id is not null and not d.held and d.due <= ${now}::timestamptz) as due_now,
                       (d.rule_id is not null and not d.held and d.due > ${now}::timestamptz
                        and d.due <= ${soon}::timestamptz) as due_soon,
                       row_number() over (order by ${order}) = 1 as is_last,
                       (count(*) over ())::int as scanned
                  from (${decidedRecords(rules, now, window)}) d) z
         where z.due_now or z.due_soon or z.is_last`.execute(tx);
      const soonByRule = new Map<string, number>();
      for (const row of rows) {
        if (row.due_soon) soonByRule.set(row.rule_id, (soonByRule.get(row.rule_id) ?? 0) + 1);
      }
      const wanted = rows.filter((row) => row.due_now && input.actions.includes(row.action));
      const last = rows.find((row) => row.is_last);
      return {
        rows: wanted.map(({ id, subject_id, rule_id, action }) => ({ id, subject_id, rule_id, action })),
        last: last ? (bound ? { after: last.id, at: last.at } : { after: last.id }) : null,
        scanned: rows[0]?.scanned ?? 0,
        soon: soonByRule,
      };
    },

    /**
     * Deletes records (their blind indexes cascade) and, in a collection with tokenizable fields, the
     * tokens of subjects left with no record there (a collection without any has no tokens to look at).
     */
    async deleteRecords(tx: Executor, collection: DeletedFrom, ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await deleting(collection, ids, sql`subject_id`).execute(tx);
    },

    /**
     * Deletes records as `deleteRecords` does, handing back the values they held: the rows are locked and
     * gone in one statement, so anonymizing reads and removes each record once.
     */
    async takeRecords(tx: Executor, collection: DeletedFrom, ids: string[]): Promise<StoredValues[]> {
      if (ids.length === 0) return [];
      const { rows } = await deleting(collection, ids, sql`id, subject_id, plain, sealed`).execute(tx);
      return rows as StoredValues[];
    },

    /**
     * Stores anonymized values, unlinked from any subject, in place of the records they came from. The
     * rows travel as one JSON document: a parameter array of JSON texts would be escaped element by element.
     */
    async insertAnonymized(
      tx: Executor,
      collectionId: string,
      rows: { id: string; ruleId: string; fields: Record<string, unknown> }[],
      at: Date,
    ) {
      if (rows.length === 0) return;
      const document = JSON.stringify(
        rows.map((row) => ({ id: row.id, rule_id: row.ruleId, fields: row.fields })),
      );
      await sql`
        insert into anonymized_records (id, collection_id, rule_id, fields, anonymized_at)
        select a.id, ${collectionId}::uuid, a.rule_id, a.fields, ${at}::timestamptz
          from jsonb_to_recordset(${document}::jsonb) as a (id uuid, rule_id uuid, fields jsonb)`.execute(tx);
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
      const source = sql`(select * from records where collection_id = ${rules.collection.id}::uuid
                                                   and subject_id = any(${subjectIds}::uuid[]))`;
      const { rows } = await sql<{ subject_id: string }>`
        select distinct d.subject_id from (${decidedRecords(rules, now, source)}) d
         where d.grounded and (d.due is null or d.due > ${now}::timestamptz)`.execute(tx);
      return rows.map((row) => row.subject_id);
    },

    /** Per deciding rule in one collection: due now, due within the window, held. Nothing is locked. */
    async dueCounts(tx: Executor, rules: CollectionRules, now: Date, soon: Date): Promise<DueCounts[]> {
      const source = sql`(select * from records where collection_id = ${rules.collection.id}::uuid)`;
      const { rows } = await sql<DueCounts>`
        select d.rule_id, d.action,
               count(*) filter (where not held and d.due <= ${now}::timestamptz)::int as due_records,
               count(distinct d.subject_id) filter (where not held and d.due <= ${now}::timestamptz)::int
                 as due_subjects,
               count(*) filter (where not held and d.due > ${now}::timestamptz
                                  and d.due <= ${soon}::timestamptz)::int as soon_records,
               count(distinct d.subject_id) filter (where not held and d.due > ${now}::timestamptz
                                  and d.due <= ${soon}::timestamptz)::int as soon_subjects,
               count(*) filter (where held and d.due <= ${soon}::timestamptz)::int as held_records
          from (${decidedRecords(rules, now, source)}) d
         where d.rule_id is not null
         group by d.rule_id, d.action`.execute(tx);
      return rows;
    },

    /** Records under a rule in one collection, and those past their time still stored (not held). */
    async compliance(
      tx: Executor,
      rules: CollectionRules,
      now: Date,
    ): Promise<{ covered: number; overdue: number }> {
      const source = sql`(select * from records where collection_id = ${rules.collection.id}::uuid)`;
      const { rows } = await sql<{ covered: number; overdue: number }>`
        select count(*)::int as covered,
               count(*) filter (where d.due <= ${now}::timestamptz and not d.held)::int as overdue
          from (${decidedRecords(rules, now, source)}) d`.execute(tx);
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
