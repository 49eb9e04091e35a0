import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { addDays, calendarDateOf, dueWithinBound } from '../requests/deadlines.js';
import type { ReportsStore } from './reports-store.js';

type Deps = {
  db: Kysely<DB>;
  store: ReportsStore;
  clock: Clock;
  /** "Due soon" means due within this many days: the same horizon as the deadline reminder. */
  settings: { dueSoonDays: number };
};

/** How far back the mean response time looks. */
export const responsePeriodDays = 90;

/** Dashboard figures: counts and means only, never a request's or a subject's content. */
export function reportsService({ db, store, clock, settings }: Deps) {
  /** The request queue's state, response times, and consent grants and withdrawals per day. */
  async function dashboard(days: number) {
    const now = clock.now();
    const today = calendarDateOf(now);
    const firstDay = addDays(today, -(days - 1));
    const [counts, byType, response, consent] = await Promise.all([
      store.requestCounts(db, now, dueWithinBound(now, settings.dueSoonDays)),
      store.openByType(db),
      store.responseTimes(db, new Date(now.getTime() - responsePeriodDays * 86_400_000)),
      store.consentByDay(db, new Date(`${firstDay}T00:00:00.000Z`)),
    ]);
    const byDay = new Map(consent.map((row) => [row.day, row]));
    const series = Array.from({ length: days }, (_, index) => {
      const date = addDays(firstDay, index);
      const row = byDay.get(date);
      return { date, grants: row?.grants ?? 0, withdrawals: row?.withdrawals ?? 0 };
    });
    return {
      generatedAt: now.toISOString(),
      requests: {
        open: counts.open,
        dueSoon: counts.due_soon,
        overdue: counts.overdue,
        awaitingVerification: counts.unverified,
        dueSoonDays: settings.dueSoonDays,
        openByType: byType,
        completedInPeriod: response.completed,
        averageResponseDays:
          response.meanSeconds === null ? null : Math.round((response.meanSeconds / 86_400) * 10) / 10,
        periodDays: responsePeriodDays,
      },
      consent: {
        days,
        series,
        grants: series.reduce((sum, day) => sum + day.grants, 0),
        withdrawals: series.reduce((sum, day) => sum + day.withdrawals, 0),
      },
    };
  }

  return { dashboard };
}

export type ReportsService = ReturnType<typeof reportsService>;
