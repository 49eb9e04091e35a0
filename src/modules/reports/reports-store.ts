import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import { closedStates } from '../requests/request-lifecycle.js';

/**
 * Read-only aggregates over other modules' tables for the dashboard. The one place that reads across
 * modules in SQL: counting rows set-based is what a report is, and going through each module's service
 * would read every row. Nothing here writes, and nothing returns a row's content, only counts.
 */
export function reportsStore() {
  return {
    async requestCounts(tx: Executor, now: Date, dueSoonUntil: Date) {
      const closed = sql.join(closedStates.map((state) => sql.lit(state)));
      const result = await sql<{ open: number; overdue: number; due_soon: number; unverified: number }>`
        select
          count(*) filter (where state not in (${closed}))::int as open,
          count(*) filter (where state not in (${closed}) and due_at < ${now})::int as overdue,
          count(*) filter (
            where state not in (${closed}) and due_at >= ${now} and due_at <= ${dueSoonUntil}
          )::int as due_soon,
          count(*) filter (where state not in (${closed}) and verified_at is null)::int as unverified
        from data_subject_requests
      `.execute(tx);
      return result.rows[0] ?? { open: 0, overdue: 0, due_soon: 0, unverified: 0 };
    },
    async openByType(tx: Executor): Promise<{ type: string; count: number }[]> {
      const closed = sql.join(closedStates.map((state) => sql.lit(state)));
      const result = await sql<{ type: string; count: number }>`
        select type, count(*)::int as count
        from data_subject_requests
        where state not in (${closed})
        group by type
        order by count desc, type
      `.execute(tx);
      return result.rows;
    },
    /** Completed requests closed since `since`, and their mean time from receipt to completion. */
    async responseTimes(
      tx: Executor,
      since: Date,
    ): Promise<{ completed: number; meanSeconds: number | null }> {
      const result = await sql<{ completed: number; mean_seconds: number | null }>`
        select count(*)::int as completed,
               avg(extract(epoch from (closed_at - received_at)))::float8 as mean_seconds
        from data_subject_requests
        where state = 'completed' and closed_at >= ${since}
      `.execute(tx);
      const row = result.rows[0];
      return { completed: row?.completed ?? 0, meanSeconds: row?.mean_seconds ?? null };
    },
    /** Grants and withdrawals recorded per UTC day since `from`. */
    async consentByDay(
      tx: Executor,
      from: Date,
    ): Promise<{ day: string; grants: number; withdrawals: number }[]> {
      const result = await sql<{ day: string; grants: number; withdrawals: number }>`
        select to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD') as day,
               count(*) filter (where action = 'grant')::int as grants,
               count(*) filter (where action = 'withdraw')::int as withdrawals
        from consent_events
        where recorded_at >= ${from} and action in ('grant', 'withdraw')
        group by 1
        order by 1
      `.execute(tx);
      return result.rows;
    },
  };
}

export type ReportsStore = ReturnType<typeof reportsStore>;
