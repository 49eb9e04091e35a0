import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

export type SnapshotValue = { metric: string; value: number | null; tracked: boolean };
export type MonthlyValue = SnapshotValue & { month: string; day: string };

/** SQL for the dashboard's daily snapshots. */
export function snapshotStore() {
  return {
    /** Stores a day's values; a day already stored (another worker, a second run) keeps its first values. */
    async insertDay(tx: Executor, day: string, values: SnapshotValue[], at: Date): Promise<number> {
      if (values.length === 0) return 0;
      const result = await tx
        .insertInto('report_snapshots')
        .values(
          values.map((entry) => ({
            day,
            metric: entry.metric,
            value: entry.value,
            tracked: entry.tracked,
            taken_at: at,
          })),
        )
        .onConflict((oc) => oc.columns(['day', 'metric']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0);
    },
    async days(tx: Executor): Promise<{ day: string; metrics: number }[]> {
      const result = await sql<{ day: string; metrics: number }>`
        select day::text as day, count(*)::int as metrics from report_snapshots group by day order by day
      `.execute(tx);
      return result.rows;
    },
    /** Each metric's last snapshot of each month since `fromDay`. */
    async monthly(tx: Executor, fromDay: string): Promise<MonthlyValue[]> {
      const result = await sql<MonthlyValue>`
        select distinct on (metric, to_char(day, 'YYYY-MM'))
               metric, to_char(day, 'YYYY-MM') as month, day::text as day, value, tracked
        from report_snapshots
        where day >= ${fromDay}::date
        order by metric, to_char(day, 'YYYY-MM'), day desc
      `.execute(tx);
      return result.rows;
    },
  };
}

export type SnapshotStore = ReturnType<typeof snapshotStore>;
