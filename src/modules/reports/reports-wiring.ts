import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { Platform } from '../../wiring/platform.js';
import { complianceDashboard } from './compliance-dashboard.js';
import { type CoverageSystem, coreMetrics } from './core-metrics.js';
import { type MetricProvider, metricCatalogue } from './metrics.js';
import { reportsService } from './reports-service.js';
import { reportsStore } from './reports-store.js';
import { snapshotStore } from './snapshot-store.js';

type Deps = {
  /** The inventory's data map systems, for encryption coverage. */
  systems: () => Promise<CoverageSystem[]>;
  /** The retention module's compliance rate (0..1). */
  retentionRate: () => Promise<number>;
  /** Metrics other modules provide (accountability, and transfers, assessments… once installed). */
  metrics: MetricProvider[];
};

export const snapshotJobName = 'reports.snapshot';

/** Every day at 00:30 UTC: store every metric's value, the dashboard's memory. */
function snapshotJob(take: () => Promise<{ day: string; stored: number }>, logger: Logger): JobDefinition {
  return {
    name: snapshotJobName,
    schedule: '30 0 * * *',
    retryLimit: 3,
    retryDelaySeconds: 300,
    handler: async () => {
      const { day, stored } = await take();
      logger.info({ day, stored }, 'dashboard snapshot taken');
    },
  };
}

/** Reports: the dashboard figures, the compliance dashboard with its snapshots and gauges. */
export function reportsModule({ config, db, clock, logger }: Platform, deps: Deps) {
  const store = reportsStore();
  const reports = reportsService({ db, store, clock, settings: { dueSoonDays: config.requestReminderDays } });
  const providers = metricCatalogue([
    ...coreMetrics({ db, store, systems: deps.systems, retentionRate: deps.retentionRate }),
    ...deps.metrics,
  ]);
  const dashboard = complianceDashboard({ db, store: snapshotStore(), clock, providers });
  return {
    reports,
    complianceDashboard: dashboard,
    registerReportMetrics: dashboard.registerMetrics,
    background: { jobs: [snapshotJob(dashboard.takeSnapshot, logger)], prune: [] },
  };
}
