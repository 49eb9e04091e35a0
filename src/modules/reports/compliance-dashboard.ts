import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { MetricDescription, MetricGroup, MetricProvider, Period } from './metrics.js';
import { metricGroups, round1 } from './metrics.js';
import type { SnapshotStore } from './snapshot-store.js';

export const groupLabels: Record<MetricGroup, string> = {
  privacy: 'Privacy metrics',
  security: 'Security metrics',
  compliance: 'Compliance status',
  audit_readiness: 'Audit readiness',
};

export type MetricReading = MetricDescription & {
  tracked: boolean;
  value: number | null;
  /** The previous month's last snapshot, for the month-over-month change. */
  previous: number | null;
  change: number | null;
};

const dayOf = (at: Date) => at.toISOString().slice(0, 10);
const monthOf = (at: Date) => at.toISOString().slice(0, 7);
export const monthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
const addMonths = (at: Date, months: number) =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));

type Deps = {
  db: Kysely<DB>;
  store: SnapshotStore;
  clock: Clock;
  providers: MetricProvider[];
};

/** The compliance dashboard: every metric for a period, its history and its gauges. */
export function complianceDashboard({ db, store, clock, providers }: Deps) {
  /** The period a dashboard shows by default and a snapshot stores: this month so far. */
  function monthToDate(): Period {
    const now = clock.now();
    return { from: monthStart(now), to: now };
  }

  /** Every metric's value for the period ("not tracked" for a metric no module provides). */
  async function read(period: Period) {
    const values = await Promise.all(providers.map((provider) => provider.compute(period)));
    return providers.map((provider, index) => {
      const value = values[index] ?? null;
      return { provider, tracked: value !== 'not_tracked', value: value === 'not_tracked' ? null : value };
    });
  }

  /** Each metric's last snapshot of each of the `months` months up to the current one. */
  async function trends(months: number) {
    const now = clock.now();
    const first = addMonths(monthStart(now), -(months - 1));
    const labels = Array.from({ length: months }, (_, index) => monthOf(addMonths(first, index)));
    const rows = await store.monthly(db, dayOf(first));
    const series: Record<string, (number | null)[]> = {};
    for (const provider of providers) series[provider.key] = labels.map(() => null);
    for (const row of rows) {
      const position = labels.indexOf(row.month);
      const line = series[row.metric];
      if (line && position >= 0) line[position] = row.tracked ? row.value : null;
    }
    return { months: labels, series };
  }

  /** The dashboard: the four groups' metrics for the period, month-over-month changes and the trends. */
  async function dashboard(period: Period, months = 12) {
    const [readings, history] = await Promise.all([read(period), trends(Math.max(months, 2))]);
    const previousIndex = history.months.length - 2;
    const metrics: MetricReading[] = readings.map(({ provider, tracked, value }) => {
      const { compute: _compute, ...description } = provider;
      const previous = history.series[provider.key]?.[previousIndex] ?? null;
      return {
        ...description,
        tracked,
        value,
        previous,
        change: tracked && value !== null && previous !== null ? round1(value - previous) : null,
      };
    });
    return {
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      generatedAt: clock.now().toISOString(),
      groups: metricGroups.map((group) => ({
        key: group,
        label: groupLabels[group],
        metrics: metrics.filter((metric) => metric.group === group),
      })),
      trends: {
        months: history.months.slice(-months),
        series: Object.fromEntries(
          Object.entries(history.series).map(([key, line]) => [key, line.slice(-months)]),
        ),
      },
    };
  }

  /**
   * Stores today's values of every metric (this month so far). The (day, metric) key keeps the first
   * values of a day, so a second run, or a second worker, stores nothing more.
   */
  async function takeSnapshot(): Promise<{ day: string; stored: number }> {
    const now = clock.now();
    const readings = await read(monthToDate());
    const stored = await store.insertDay(
      db,
      dayOf(now),
      readings.map(({ provider, tracked, value }) => ({ metric: provider.key, value, tracked })),
      now,
    );
    return { day: dayOf(now), stored };
  }

  let cached: { at: number; values: Promise<Map<string, number>> } | undefined;
  /** This month's values for the gauges, computed at most once a minute however often Prometheus scrapes. */
  function gaugeValues(): Promise<Map<string, number>> {
    if (cached && Date.now() - cached.at < 60_000) return cached.values;
    const values = read(monthToDate()).then(
      (readings) =>
        new Map(
          readings.map(({ provider, tracked, value }) => [
            provider.key,
            tracked && value !== null ? value : Number.NaN,
          ]),
        ),
    );
    cached = { at: Date.now(), values };
    values.catch(() => {
      cached = undefined;
    });
    return values;
  }

  /** One gauge per metric, `custos_compliance_<key>` (NaN when not tracked or empty). */
  function registerMetrics(registry: Registry): void {
    for (const provider of providers) {
      new Gauge({
        name: `custos_compliance_${provider.key}`,
        help: `${provider.label} (${provider.unit}), this month so far: ${provider.definition}`,
        registers: [registry],
        async collect() {
          this.set((await gaugeValues()).get(provider.key) ?? Number.NaN);
        },
      });
    }
  }

  return {
    dashboard,
    trends,
    takeSnapshot,
    monthToDate,
    registerMetrics,
    snapshotDays: () => store.days(db),
  };
}

export type ComplianceDashboard = ReturnType<typeof complianceDashboard>;
