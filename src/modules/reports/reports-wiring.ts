import type { JobDefinition } from '../../jobs/queue.js';
import type { PdfRenderer } from '../../lib/documents/pdf.js';
import type { Logger } from '../../logger.js';
import type { Platform } from '../../wiring/platform.js';
import type { AccessReviews } from '../accountability/access-reviews.js';
import type { ExternalAudits } from '../accountability/external-audits.js';
import type { PolicyRegister } from '../accountability/policy-register.js';
import type { TrainingRegister } from '../accountability/training-register.js';
import type { AuditService } from '../audit/audit-service.js';
import type { DataMap } from '../inventory/inventory-model.js';
import type { MailService } from '../mail/mail-service.js';
import { complianceDashboard } from './compliance-dashboard.js';
import { complianceReportBuilder, type ReportSources } from './compliance-report.js';
import { coreMetrics } from './core-metrics.js';
import { type MetricProvider, metricCatalogue } from './metrics.js';
import { complianceReports, reportJobs } from './report-service.js';
import { reportStore } from './report-store.js';
import { reportsService } from './reports-service.js';
import { reportsStore } from './reports-store.js';
import { snapshotStore } from './snapshot-store.js';

type Deps = {
  audit: AuditService;
  mail: Pick<MailService, 'enqueue'>;
  pdf: PdfRenderer;
  /** The inventory's data map: encryption coverage, the RoPA's activities, processors and their DPAs. */
  dataMap: () => Promise<DataMap>;
  /** The retention module's compliance rate (0..1) and its runs. */
  retentionRate: () => Promise<number>;
  retentionRuns: (
    limit: number,
  ) => Promise<
    { kind: string; status: string; started_at: Date; results: Record<string, { records: number }> }[]
  >;
  accountability: {
    policies: Pick<PolicyRegister, 'list'>;
    training: Pick<TrainingRegister, 'courses' | 'overall'>;
    externalAudits: Pick<ExternalAudits, 'list' | 'summary'>;
    accessReviews: Pick<AccessReviews, 'list'>;
  };
  /** Metrics other modules provide (accountability, and transfers, assessments… once installed). */
  metrics: MetricProvider[];
  /** The requests module's late-requests analysis: the downstream systems late requests waited for. */
  lateRequests: ReportSources['lateRequests'];
  /** DPIAs due and done, once the assessments module provides them. */
  assessments?: ReportSources['assessments'];
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

/** Reports: the dashboard figures, the compliance dashboard with snapshots and gauges, compliance reports. */
export function reportsModule({ config, db, clock, logger, jobs }: Platform, deps: Deps) {
  const store = reportsStore();
  const reports = reportsService({ db, store, clock, settings: { dueSoonDays: config.requestReminderDays } });
  const providers = metricCatalogue([
    ...coreMetrics({
      db,
      store,
      systems: async () => (await deps.dataMap()).systems,
      retentionRate: deps.retentionRate,
    }),
    ...deps.metrics,
  ]);
  const dashboard = complianceDashboard({ db, store: snapshotStore(), clock, providers });
  const { accountability } = deps;
  const sources: ReportSources = {
    organization: async () => (await deps.dataMap()).organization.controllerName || config.brandName,
    dataMap: deps.dataMap,
    lateRequests: deps.lateRequests,
    training: async (at) => {
      const courses = await accountability.training.courses(at);
      return { courses, overall: await accountability.training.overall(at) };
    },
    audits: async (at) => {
      const [audits, summary] = await Promise.all([
        accountability.externalAudits.list(),
        accountability.externalAudits.summary(at),
      ]);
      return {
        audits: audits
          .filter((audit) => audit.started_at.getTime() <= at.getTime())
          .map((audit) => ({
            auditor: audit.auditor,
            scope: audit.scope,
            startedAt: audit.started_at,
            endedAt: audit.ended_at,
            reference: audit.report_reference,
          })),
        openFindings: summary.open.map((finding) => ({
          title: finding.title,
          severity: finding.severity,
          owner: finding.owner,
          dueAt: finding.due_at,
        })),
      };
    },
    policies: async () =>
      (await accountability.policies.list())
        .filter((policy) => !policy.retired_at)
        .map((policy) => ({
          title: policy.title,
          version: policy.version,
          overdue: policy.overdue,
          daysPastReview: policy.daysPastReview,
        })),
    accessReviews: async () =>
      (await accountability.accessReviews.list()).map((review) => ({
        title: review.title,
        status: review.status,
        completedAt: review.completed_at,
        items: review.items,
      })),
    retentionRuns: async (period) =>
      (await deps.retentionRuns(500))
        .filter((run) => run.started_at >= period.from && run.started_at < period.to)
        .map((run) => ({
          kind: run.kind,
          status: run.status,
          startedAt: run.started_at,
          records: Object.values(run.results).reduce((sum, result) => sum + result.records, 0),
        })),
    ...(deps.assessments ? { assessments: deps.assessments } : {}),
    metrics: async (period) => {
      const view = await dashboard.dashboard(period, 2);
      return view.groups.flatMap((group) =>
        group.metrics.map((metric) => ({
          key: metric.key,
          label: metric.label,
          unit: metric.unit,
          value: metric.tracked ? metric.value : ('not_tracked' as const),
        })),
      );
    },
  };
  const builder = complianceReportBuilder({ db, store: reportStore(), sources });
  const compliance = complianceReports({
    db,
    store: reportStore(),
    builder,
    audit: deps.audit,
    clock,
    jobs,
    pdf: deps.pdf,
    mail: deps.mail,
    publicUrl: config.publicUrl,
  });
  return {
    reports,
    complianceDashboard: dashboard,
    complianceReports: compliance,
    registerReportMetrics: dashboard.registerMetrics,
    background: {
      jobs: [snapshotJob(dashboard.takeSnapshot, logger), ...reportJobs(compliance, logger)],
      prune: [],
    },
  };
}
