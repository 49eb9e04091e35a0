import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { BreachTables } from './breach-tables.js';

export type BreachRow = Selectable<BreachTables['breaches']>;
export type NewBreachRow = Insertable<BreachTables['breaches']>;
export type BreachEventRow = Selectable<BreachTables['breach_events']>;
export type NewBreachEventRow = Insertable<BreachTables['breach_events']>;
export type BreachTaskRow = Selectable<BreachTables['breach_tasks']>;
export type AuthorityNoticeRow = Selectable<BreachTables['breach_authority_notices']>;
export type AffectedSubjectRow = Selectable<BreachTables['breach_affected_subjects']>;

export type AffectedSummary = { subjects: number; fields: string[]; kinds: string[] };

/** Delivery counts of a breach's individual notices. */
export type DeliveryCounts = { affected: number; queued: number; unreachable: number };

const insertBatch = 1000;

/** SQL for the breach register. */
export function breachStore() {
  return {
    async insert(tx: Executor, row: NewBreachRow): Promise<BreachRow> {
      return tx.insertInto('breaches').values(row).returningAll().executeTakeFirstOrThrow();
    },
    find(tx: Executor, id: string): Promise<BreachRow | undefined> {
      return tx.selectFrom('breaches').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lock(tx: Tx, id: string): Promise<BreachRow | undefined> {
      return tx.selectFrom('breaches').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    update(tx: Tx, id: string, changes: Updateable<BreachTables['breaches']>): Promise<BreachRow> {
      return tx
        .updateTable('breaches')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /** Newest first; continues after (createdAt, id) of the previous page. */
    page(
      tx: Executor,
      filters: { status?: string | undefined },
      after: { at: Date; id: string } | undefined,
      limit: number,
    ): Promise<BreachRow[]> {
      let query = tx.selectFrom('breaches').selectAll();
      if (filters.status) query = query.where('status', '=', filters.status as BreachRow['status']);
      if (after) {
        query = query.where(
          (eb) => eb.refTuple('created_at', 'id'),
          '<',
          (eb) => eb.tuple(after.at, after.id),
        );
      }
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
    /**
     * Open breaches whose deadline falls by `dueBy`, with a clock alert still to come: the authority not
     * notified yet, and notification not decided against.
     */
    openWithClockRunning(tx: Executor, dueBy: Date): Promise<BreachRow[]> {
      return tx
        .selectFrom('breaches')
        .selectAll()
        .where('status', 'in', ['suspected', 'confirmed', 'contained'])
        .where('deadline_at', '<=', dueBy)
        .where('clock_alerted', '<', 3)
        .where('authority_notified_at', 'is', null)
        .where((eb) => eb.or([eb('notify_authority', 'is', null), eb('notify_authority', '=', true)]))
        .execute();
    },

    async addEvent(tx: Executor, row: NewBreachEventRow): Promise<void> {
      await tx.insertInto('breach_events').values(row).execute();
    },
    events(tx: Executor, breachId: string): Promise<BreachEventRow[]> {
      return tx
        .selectFrom('breach_events')
        .selectAll()
        .where('breach_id', '=', breachId)
        .orderBy('seq')
        .execute();
    },

    async insertTask(tx: Executor, row: Insertable<BreachTables['breach_tasks']>): Promise<BreachTaskRow> {
      return tx.insertInto('breach_tasks').values(row).returningAll().executeTakeFirstOrThrow();
    },
    updateTask(
      tx: Executor,
      breachId: string,
      id: string,
      changes: Updateable<BreachTables['breach_tasks']>,
    ): Promise<BreachTaskRow | undefined> {
      return tx
        .updateTable('breach_tasks')
        .set(changes)
        .where('breach_id', '=', breachId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
    tasks(tx: Executor, breachId: string): Promise<BreachTaskRow[]> {
      return tx
        .selectFrom('breach_tasks')
        .selectAll()
        .where('breach_id', '=', breachId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },

    async insertNotice(
      tx: Executor,
      row: Insertable<BreachTables['breach_authority_notices']>,
    ): Promise<AuthorityNoticeRow> {
      return tx.insertInto('breach_authority_notices').values(row).returningAll().executeTakeFirstOrThrow();
    },
    notices(tx: Executor, breachId: string): Promise<AuthorityNoticeRow[]> {
      return tx
        .selectFrom('breach_authority_notices')
        .selectAll()
        .where('breach_id', '=', breachId)
        .orderBy('version')
        .execute();
    },
    notice(tx: Executor, breachId: string, version: number): Promise<AuthorityNoticeRow | undefined> {
      return tx
        .selectFrom('breach_authority_notices')
        .selectAll()
        .where('breach_id', '=', breachId)
        .where('version', '=', version)
        .executeTakeFirst();
    },
    recordSubmission(
      tx: Executor,
      id: string,
      submission: { at: Date; reference: string; channel: string },
    ): Promise<AuthorityNoticeRow> {
      return tx
        .updateTable('breach_authority_notices')
        .set({
          submitted_at: submission.at,
          submission_reference: submission.reference,
          submission_channel: submission.channel,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** Adds subjects to the affected set; a subject already in it gets the new fields and entries merged in. */
    async mergeAffected(
      tx: Executor,
      rows: Insertable<BreachTables['breach_affected_subjects']>[],
    ): Promise<void> {
      for (let start = 0; start < rows.length; start += insertBatch) {
        await tx
          .insertInto('breach_affected_subjects')
          .values(rows.slice(start, start + insertBatch))
          .onConflict((conflict) =>
            conflict.columns(['breach_id', 'subject_id']).doUpdateSet({
              fields: sql`array(select distinct unnest(breach_affected_subjects.fields || excluded.fields) order by 1)`,
              actions: sql`array(select distinct unnest(breach_affected_subjects.actions || excluded.actions) order by 1)`,
              entries: sql`breach_affected_subjects.entries + excluded.entries`,
              first_at: sql`least(breach_affected_subjects.first_at, excluded.first_at)`,
              last_at: sql`greatest(breach_affected_subjects.last_at, excluded.last_at)`,
            }),
          )
          .execute();
      }
    },
    /** How many subjects are in the affected set, and every field and kind of exposure among them. */
    async affectedSummary(tx: Executor, breachId: string): Promise<AffectedSummary> {
      const result = await sql<{ subjects: number; fields: string[] | null; kinds: string[] | null }>`
        select count(*)::int as subjects,
          (select array_agg(distinct f order by f)
             from breach_affected_subjects s, unnest(s.fields) f where s.breach_id = ${breachId}) as fields,
          (select array_agg(distinct k order by k)
             from breach_affected_subjects s, unnest(s.actions) k where s.breach_id = ${breachId}) as kinds
        from breach_affected_subjects where breach_id = ${breachId}
      `.execute(tx);
      const row = result.rows[0];
      return { subjects: Number(row?.subjects ?? 0), fields: row?.fields ?? [], kinds: row?.kinds ?? [] };
    },
    affectedPage(tx: Executor, breachId: string, after: string | undefined, limit: number) {
      let query = tx.selectFrom('breach_affected_subjects').selectAll().where('breach_id', '=', breachId);
      if (after !== undefined) query = query.where('subject_id', '>', after);
      return query.orderBy('subject_id').limit(limit).execute();
    },
    /** The next affected subjects not yet sent a notice, locked so two senders never take the same one. */
    async unsentAffected(tx: Tx, breachId: string, limit: number): Promise<string[]> {
      const rows = await tx
        .selectFrom('breach_affected_subjects as a')
        .select('a.subject_id')
        .where('a.breach_id', '=', breachId)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('breach_deliveries as d')
                .select('d.subject_id')
                .whereRef('d.breach_id', '=', 'a.breach_id')
                .whereRef('d.subject_id', '=', 'a.subject_id'),
            ),
          ),
        )
        .orderBy('a.subject_id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      return rows.map((row) => row.subject_id);
    },
    async recordDeliveries(
      tx: Executor,
      rows: Insertable<BreachTables['breach_deliveries']>[],
    ): Promise<void> {
      if (rows.length > 0) await tx.insertInto('breach_deliveries').values(rows).execute();
    },
    async deliveryCounts(tx: Executor, breachId: string): Promise<DeliveryCounts> {
      const row = await tx
        .selectNoFrom((eb) => [
          eb
            .selectFrom('breach_affected_subjects')
            .select(eb.fn.countAll<number>().as('n'))
            .where('breach_id', '=', breachId)
            .as('affected'),
          eb
            .selectFrom('breach_deliveries')
            .select(eb.fn.countAll<number>().as('n'))
            .where('breach_id', '=', breachId)
            .where('outcome', '=', 'queued')
            .as('queued'),
          eb
            .selectFrom('breach_deliveries')
            .select(eb.fn.countAll<number>().as('n'))
            .where('breach_id', '=', breachId)
            .where('outcome', '=', 'unreachable')
            .as('unreachable'),
        ])
        .executeTakeFirstOrThrow();
      return {
        affected: Number(row.affected),
        queued: Number(row.queued),
        unreachable: Number(row.unreachable),
      };
    },
    /** Removes an erased subject from every affected set (the breaches' counts stay). */
    async eraseAffected(tx: Executor, subjectId: string): Promise<number> {
      const result = await tx
        .deleteFrom('breach_affected_subjects')
        .where('subject_id', '=', subjectId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type BreachStore = ReturnType<typeof breachStore>;
