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

/**
 * A due record as a window hands it over: where it is stored (its `ctid`, so acting on it is a direct
 * fetch, not an index lookup), and for those due for anonymization the stored values the rule reads.
 */
export type DueRecord = Decided & {
  place: string;
  /** Plain values of the fields named (those present). */
  plain?: Record<string, unknown>;
  /** Sealed values of the fields named that are not plain (base64 under the subject's data key). */
  sealed?: Record<string, string>;
};

/** What a run does to one record it was handed: the record as it was when decided, found by its place. */
type Placed = { id: string; place: string };

/** Per deciding rule, the records a statement acted on and their subjects. */
export type Counts = Map<string, { records: number; subjects: number }>;

/**
 * The common table expressions deleting the records of `target` (a CTE with `id`, `place` and `rule_id`)
 * as `gone` (`id`, `subject_id`, `rule_id`), and in a collection with tokenizable fields the tokens their
 * subjects are left without a record for. A record is found by its place and id together: one changed
 * since its window decided about it (a rectification moved it) is left alone and decided again by the
 * next run, rather than acted on for what it no longer holds.
 */
function deleting(collection: DeletedFrom, target: RawBuilder<unknown>) {
  const tokens = collection.fields.some((field) => field.tokenizable)
    ? sql`, orphaned as (
           delete from tokens t
            using (select distinct subject_id from gone) g
            where t.subject_id = g.subject_id and t.collection = ${collection.name}
              and not exists (select 1 from records r
                               where r.subject_id = g.subject_id and r.collection_id = ${collection.id}::uuid
                                 and r.id not in (select id from gone)))`
    : sql``;
  return sql`gone as (delete from records r using ${target} t
                       where r.ctid = t.place and r.id = t.id
                       returning r.id, r.subject_id, t.rule_id)
             ${tokens}`;
}

/** `gone` counted per rule (see `deleting`). */
const goneCounts = sql`select g.rule_id, count(*)::int as records, count(distinct g.subject_id)::int as subjects
                         from gone g group by g.rule_id`;

function countsOf(rows: readonly { rule_id: string; records: number; subjects: number }[]): Counts {
  return new Map(rows.map((row) => [row.rule_id, { records: row.records, subjects: row.subjects }]));
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
     * Serializes the windows of one collection in a run (each worker and each of a worker's lanes takes
     * its turn; windows of other collections go on meanwhile), and, `exclusive`, every window of the run:
     * crypto-shredding reaches a subject's records in every collection, so it runs alone. Both locks go
     * with the transaction.
     */
    async lockWindow(tx: Executor, runId: string, collectionId: string, exclusive: boolean): Promise<void> {
      const run = sql`hashtext('custos.retention.run'), hashtext(${runId})`;
      await (exclusive
        ? sql`select pg_advisory_xact_lock(${run})`
        : sql`select pg_advisory_xact_lock_shared(${run})`
      ).execute(tx);
      await sql`select pg_advisory_xact_lock(hashtextextended(${`${runId}/${collectionId}`}, 0))`.execute(tx);
    },

    /**
     * Takes the next window of `limit` records of one collection after `after`: decides every record in
     * it, deletes at once those due for deletion (when `actions` has it), and hands back those due for
     * another of `actions` (not held). When every rule counts from a record's creation, the window holds
     * only records created early enough to be due by the end of the due-soon window, oldest first (in a
     * collection of long periods most records are not, and deciding about them only to find so would be
     * most of a run); otherwise every record, in id order. Records are not locked ahead: locking every due
     * row first would write each one twice; the statements acting on them find them by place and lock
     * them. Records due for anonymization come with the stored values of `values` (the fields its rules
     * keep or transform), so they are read once. `last` is where the next window starts; null when the
     * collection ended.
     */
    async takeWindow(
      tx: Executor,
      input: {
        rules: CollectionRules;
        now: Date;
        /** The end of the due-soon window: records due by then are counted per rule, not touched. */
        soon: Date;
        actions: readonly RetentionAction[];
        after: Cursor | null;
        limit: number;
        values: readonly string[];
      },
    ): Promise<{
      rows: DueRecord[];
      deleted: Counts;
      last: Cursor | null;
      scanned: number;
      soon: Map<string, number>;
    }> {
      const { rules, now, soon, after, limit, values } = input;
      const bound = creationBound(rules.rules, soon);
      // A cursor left by a walk in the other order (a run resumed by another version) starts over.
      const resumeAt = bound ? after?.at : after?.after;
      const window = bound
        ? sql`(select r.*, r.ctid as place from records r
                where r.collection_id = ${rules.collection.id}::uuid and r.created_at <= ${bound}::timestamptz
                  ${resumeAt ? sql`and (r.created_at, r.id) > (${resumeAt}::timestamptz, ${after?.after}::uuid)` : sql``}
                order by r.created_at, r.id limit ${limit})`
        : sql`(select r.*, r.ctid as place from records r
                where r.collection_id = ${rules.collection.id}::uuid
                  ${resumeAt ? sql`and r.id > ${resumeAt}::uuid` : sql``}
                order by r.id limit ${limit})`;
      const order = bound ? sql`d.created_at desc, d.id desc` : sql`d.id desc`;
      // Values are read only where some rule anonymizes, and only the fields one reads: the others are
      // taken out by name (`jsonb - text[]`, much cheaper than picking the wanted ones key by key).
      const reading = input.actions.includes('anonymize') && values.length > 0;
      const unread = rules.collection.fields
        .map((field) => field.name)
        .filter((name) => !values.includes(name));
      const carry: Record<string, RawBuilder<unknown>> = reading
        ? { place: sql`r.place`, plain: sql`r.plain`, sealed: sql`r.sealed` }
        : { place: sql`r.place` };
      const stored = reading
        ? sql`, case when z.due_now and z.action = 'anonymize' then z.plain - ${unread}::text[] end as plain,
                case when z.due_now and z.action = 'anonymize' then z.sealed - ${unread}::text[] end as sealed`
        : sql``;
      const deleting_ = input.actions.includes('delete');
      const target = sql`target as (select z.id, z.place, z.rule_id from z where z.due_now and z.action = 'delete')`;
      type Row = {
        kind: 'due' | 'deleted' | 'soon' | 'last';
        id: string;
        subject_id: string;
        rule_id: string;
        action: RetentionAction;
        place: string;
        at: string;
        n: number;
        m: number;
        plain?: Record<string, unknown> | null;
        sealed?: Record<string, string> | null;
      };
      // One statement decides the window and deletes its records due for deletion; what comes back is
      // only what the process has work to do with (records to anonymize or shred, with the values read
      // for that), and counts: deleted per rule, due soon per rule, and the window's last record (for the
      // cursor) with how many records it held. Rows, not one JSON document: building that costs the
      // database more than sending them. The creation time goes as text: a JavaScript date would cut
      // its microseconds off the cursor.
      const noValues = reading ? sql`, null::jsonb, null::jsonb` : sql``;
      const { rows } = await sql<Row>`
        with z as (
          select d.*,
                 (d.rule_id is not null and not d.held and d.due <= ${now}::timestamptz) as due_now,
                 (d.rule_id is not null and not d.held and d.due > ${now}::timestamptz
                  and d.due <= ${soon}::timestamptz) as due_soon,
                 row_number() over (order by ${order}) = 1 as is_last,
                 (count(*) over ())::int as scanned
            from (${decidedRecords(rules, now, window, carry)}) d)
        ${deleting_ ? sql`, ${target}, ${deleting(rules.collection, sql`target`)}` : sql``}
        select 'due' as kind, z.id, z.subject_id, z.rule_id, z.action, z.place::text as place,
               null::text as at, null::int as n, null::int as m ${stored}
          from z where z.due_now and z.action <> 'delete' and z.action = any(${input.actions}::text[])
        ${
          deleting_
            ? sql`union all select 'deleted', null, null, c.rule_id, null, null, null, c.records, c.subjects ${noValues}
                                from (${goneCounts}) c`
            : sql``
        }
        union all
        select 'soon', null, null, c.rule_id, null, null, null, c.n, null ${noValues}
          from (select z.rule_id, count(*)::int as n from z where z.due_soon group by z.rule_id) c
        union all
        select 'last', z.id, null, null, null, null, z.created_at::text, z.scanned, null ${noValues}
          from z where z.is_last`.execute(tx);
      const of = (kind: Row['kind']) => rows.filter((row) => row.kind === kind);
      const last = of('last')[0];
      return {
        rows: of('due').map(({ id, subject_id, rule_id, action, place, plain, sealed }) =>
          action === 'anonymize'
            ? { id, subject_id, rule_id, action, place, plain: plain ?? {}, sealed: sealed ?? {} }
            : { id, subject_id, rule_id, action, place },
        ),
        deleted: countsOf(
          of('deleted').map((row) => ({ rule_id: row.rule_id, records: row.n, subjects: row.m })),
        ),
        last: last ? (bound ? { after: last.id, at: last.at } : { after: last.id }) : null,
        scanned: last?.n ?? 0,
        soon: new Map(of('soon').map((row) => [row.rule_id, row.n])),
      };
    },

    /**
     * Deletes records (their blind indexes cascade) and, in a collection with tokenizable fields, the
     * tokens of subjects left with no record there; counts what went per rule (see `deleting` for what
     * does not).
     */
    async deleteRecords(
      tx: Executor,
      collection: DeletedFrom,
      rows: readonly (Placed & { rule_id: string })[],
    ): Promise<Counts> {
      if (rows.length === 0) return new Map();
      const { rows: counts } = await sql<{ rule_id: string; records: number; subjects: number }>`
        with target as (
          select * from unnest(${rows.map((row) => row.place)}::tid[], ${rows.map((row) => row.id)}::uuid[],
                               ${rows.map((row) => row.rule_id)}::uuid[]) as v (place, id, rule_id)),
        ${deleting(collection, sql`target`)}
        ${goneCounts}`.execute(tx);
      return countsOf(counts);
    },

    /**
     * Replaces records by their anonymized values in one statement: each record is deleted (as
     * `deleteRecords` does) and its values stored, unlinked from any subject, under a fresh id. Only
     * records deleted are stored anonymized, so one changed since it was read is left whole for the next
     * run. The rows travel as one JSON document: a parameter array of JSON texts would be escaped element
     * by element. Per rule, the subjects of the records replaced (one entry per record).
     */
    async replaceAnonymized(
      tx: Executor,
      collection: DeletedFrom,
      rows: readonly (Placed & { ruleId: string; fields: Record<string, unknown> })[],
      at: Date,
    ): Promise<Map<string, string[]>> {
      if (rows.length === 0) return new Map();
      const document = JSON.stringify(
        rows.map((row) => ({ id: row.id, place: row.place, rule_id: row.ruleId, fields: row.fields })),
      );
      const { rows: result } = await sql<{ rule_id: string; subjects: string[] }>`
        with target as (select * from jsonb_to_recordset(${document}::jsonb)
                                          as a (id uuid, place tid, rule_id uuid, fields jsonb)),
        ${deleting(collection, sql`target`)},
        stored as (
          insert into anonymized_records (id, collection_id, rule_id, fields, anonymized_at)
          select gen_random_uuid(), ${collection.id}::uuid, t.rule_id, t.fields, ${at}::timestamptz
            from gone join target t on t.id = gone.id)
        select g.rule_id, json_agg(g.subject_id) as subjects from gone g group by g.rule_id`.execute(tx);
      return new Map(result.map((row) => [row.rule_id, row.subjects]));
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
