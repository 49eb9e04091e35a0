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
    /** Requests received before `at` and not closed by then. */
    async pendingAt(tx: Executor, at: Date): Promise<number> {
      const result = await sql<{ count: number }>`
        select count(*)::int as count from data_subject_requests
        where received_at < ${at} and (closed_at is null or closed_at >= ${at})
      `.execute(tx);
      return result.rows[0]?.count ?? 0;
    },
    /** Requests completed in [from, to) and their mean seconds from receipt to completion. */
    async completedIn(tx: Executor, from: Date, to: Date) {
      const result = await sql<{ completed: number; mean_seconds: number | null }>`
        select count(*)::int as completed,
               avg(extract(epoch from (closed_at - received_at)))::float8 as mean_seconds
        from data_subject_requests
        where state = 'completed' and closed_at >= ${from} and closed_at < ${to}
      `.execute(tx);
      const row = result.rows[0];
      return { completed: row?.completed ?? 0, meanSeconds: row?.mean_seconds ?? null };
    },
    /** Consent grants and withdrawals recorded in [from, to). */
    async consentIn(tx: Executor, from: Date, to: Date) {
      const result = await sql<{ grants: number; withdrawals: number }>`
        select count(*) filter (where action = 'grant')::int as grants,
               count(*) filter (where action = 'withdraw')::int as withdrawals
        from consent_events
        where recorded_at >= ${from} and recorded_at < ${to} and action in ('grant', 'withdraw')
      `.execute(tx);
      return result.rows[0] ?? { grants: 0, withdrawals: 0 };
    },
    /** Breaches the organization became aware of in [from, to), dismissed ones excluded. */
    async breachesIn(tx: Executor, from: Date, to: Date): Promise<number> {
      const result = await sql<{ count: number }>`
        select count(*)::int as count from breaches
        where aware_at >= ${from} and aware_at < ${to} and status <> 'dismissed'
      `.execute(tx);
      return result.rows[0]?.count ?? 0;
    },
    /** Refused access attempts the audit trail recorded in [from, to). */
    async deniedAccessesIn(tx: Executor, from: Date, to: Date): Promise<number> {
      const result = await sql<{ count: number }>`
        select count(*)::int as count from audit_entries
        where action = 'access.denied' and at >= ${from} and at < ${to}
      `.execute(tx);
      return result.rows[0]?.count ?? 0;
    },
  };
}

export type ReportsStore = ReturnType<typeof reportsStore>;
