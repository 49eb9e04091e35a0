import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { ReportsTables } from './reports-tables.js';

export type ReportRow = Selectable<ReportsTables['compliance_reports']>;

/**
 * SQL for the compliance report: its rows, and the period's aggregates over requests, consent and
 * breaches (read-only, counts only, like the dashboard's store).
 */
export function reportStore() {
  return {
    insert(tx: Executor, row: Insertable<ReportsTables['compliance_reports']>): Promise<ReportRow> {
      return tx.insertInto('compliance_reports').values(row).returningAll().executeTakeFirstOrThrow();
    },
    find(tx: Executor, id: string): Promise<ReportRow | undefined> {
      return tx.selectFrom('compliance_reports').selectAll().where('id', '=', id).executeTakeFirst();
    },
    update(tx: Executor, id: string, changes: Updateable<ReportsTables['compliance_reports']>) {
      return tx.updateTable('compliance_reports').set(changes).where('id', '=', id).execute();
    },
    /** Newest first, without the documents. */
    list(tx: Executor, limit: number) {
      return tx
        .selectFrom('compliance_reports')
        .select([
          'id',
          'period_from',
          'period_to',
          'status',
          'progress',
          'error',
          'requested_by',
          'scheduled',
          'created_at',
          'finished_at',
        ])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
    },
    schedule(tx: Executor) {
      return tx.selectFrom('compliance_report_schedule').selectAll().where('id', '=', 1).executeTakeFirst();
    },
    async saveSchedule(tx: Executor, enabled: boolean, recipients: string[], at: Date) {
      await tx
        .insertInto('compliance_report_schedule')
        .values({ id: 1, enabled, recipients, updated_at: at })
        .onConflict((oc) => oc.column('id').doUpdateSet({ enabled, recipients, updated_at: at }))
        .execute();
    },
    /** Claims the month for the scheduled report; false when another worker (or an earlier run) did. */
    async claimScheduledMonth(tx: Executor, month: string): Promise<boolean> {
      const result = await tx
        .updateTable('compliance_report_schedule')
        .set({ last_period: month })
        .where('id', '=', 1)
        .where('enabled', '=', true)
        .where((eb) => eb.or([eb('last_period', 'is', null), eb('last_period', '<', month)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Requests closed in the period, per type: on time, late, extended, mean and p90 hours. */
    async requestsClosed(tx: Executor, from: Date, to: Date) {
      const result = await sql<{
        type: string;
        closed: number;
        completed: number;
        on_time: number;
        late: number;
        extended: number;
        mean_hours: number | null;
        p90_hours: number | null;
      }>`
        select type,
               count(*)::int as closed,
               count(*) filter (where state = 'completed')::int as completed,
               count(*) filter (where closed_at <= due_at)::int as on_time,
               count(*) filter (where closed_at > due_at)::int as late,
               count(*) filter (where extended_at is not null)::int as extended,
               (avg(extract(epoch from (closed_at - received_at))) filter (where state = 'completed') / 3600)::float8
                 as mean_hours,
               (percentile_cont(0.9) within group (order by extract(epoch from (closed_at - received_at)))
                 filter (where state = 'completed') / 3600)::float8 as p90_hours
        from data_subject_requests
        where closed_at >= ${from} and closed_at < ${to}
        group by type
        order by type
      `.execute(tx);
      return result.rows;
    },
    async requestsReceived(tx: Executor, from: Date, to: Date) {
      const result = await sql<{ type: string; received: number }>`
        select type, count(*)::int as received from data_subject_requests
        where received_at >= ${from} and received_at < ${to}
        group by type order by type
      `.execute(tx);
      return result.rows;
    },
    async rejectionsByReason(tx: Executor, from: Date, to: Date) {
      const result = await sql<{ reason: string; count: number }>`
        select coalesce(rejection_reason, 'unspecified') as reason, count(*)::int as count
        from data_subject_requests
        where state = 'rejected' and closed_at >= ${from} and closed_at < ${to}
        group by 1 order by 2 desc, 1
      `.execute(tx);
      return result.rows;
    },
    async openOverdue(tx: Executor, at: Date): Promise<number> {
      const result = await sql<{ count: number }>`
        select count(*)::int as count from data_subject_requests
        where received_at < ${at} and (closed_at is null or closed_at >= ${at}) and due_at < ${at}
      `.execute(tx);
      return result.rows[0]?.count ?? 0;
    },
    /** Consent grants and withdrawals in the period, per purpose. */
    async consentByPurpose(tx: Executor, from: Date, to: Date) {
      const result = await sql<{ purpose: string; grants: number; withdrawals: number }>`
        select purpose_key as purpose,
               count(*) filter (where action = 'grant')::int as grants,
               count(*) filter (where action = 'withdraw')::int as withdrawals
        from consent_events
        where recorded_at >= ${from} and recorded_at < ${to} and action in ('grant', 'withdraw')
        group by 1 order by 1
      `.execute(tx);
      return result.rows;
    },
    /** Breaches the organization became aware of in the period, with the authority notification's timing. */
    async breachesIn(tx: Executor, from: Date, to: Date) {
      const result = await sql<{
        id: string;
        title: string;
        status: string;
        severity: string | null;
        aware_at: Date;
        deadline_at: Date;
        notify_authority: boolean | null;
        authority_notified_at: Date | null;
      }>`
        select id, title, status, severity, aware_at, deadline_at, notify_authority, authority_notified_at
        from breaches
        where aware_at >= ${from} and aware_at < ${to} and status <> 'dismissed'
        order by aware_at
      `.execute(tx);
      return result.rows;
    },
  };
}

export type ReportStore = ReturnType<typeof reportStore>;
