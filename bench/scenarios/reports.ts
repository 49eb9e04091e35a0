import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { createLogger, logDestination } from '../../src/logger.js';
import { reportStore } from '../../src/modules/reports/report-store.js';
import { reportsStore } from '../../src/modules/reports/reports-store.js';
import { fulfilmentStore } from '../../src/modules/requests/fulfilment-store.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { openBenchDatabase } from '../database.js';
import type { BenchFigure, BenchScenario } from '../types.js';

/**
 * The compliance dashboard and the yearly compliance report over a large deployment: 1,000,000 subjects,
 * 100,000 requests and 5,000,000 consent events spread over the last year (`BENCH_REPORTS_SCALE` scales all
 * three, e.g. 0.1), seeded with `generate_series`. Measured: the dashboard (this month so far, with its
 * 12 months of trends) as p95 of repeated calls, beside the p95 of the plain aggregate queries it runs; the
 * yearly report built end to end by its job function, beside the plain aggregate queries of its sections.
 */
const system = { actor: { type: 'system' as const, id: 'bench' }, requestId: null, ip: null };
const dashboardRuns = 30;
const reportRuns = 3;
const day = 86_400_000;

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] as number;
}

async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

async function seed(runtime: Runtime, counts: { subjects: number; requests: number; events: number }) {
  const db = runtime.database.db;
  for (const key of ['bench_newsletter', 'bench_analytics']) {
    await runtime.services.purposes.create(system, {
      key,
      name: key,
      description: '',
      specialCategoryCondition: null,
      ccpa: { sale: false, sharing: false, sensitive: false },
      legalBasis: 'consent',
      dataUses: ['marketing.communications.email'],
      dataCategories: ['user.contact.email'],
      text: 'Bench purpose.',
      reconsentOnChange: true,
    });
  }
  await sql`
    insert into subjects (id, status, created_at, updated_at)
    select md5('s' || n)::uuid, 'active', now() - interval '400 days', now()
      from generate_series(1, ${counts.subjects}::int) as n`.execute(db);
  // Requests over the last year: types in turn; most completed (some late), some rejected, a tenth open.
  await sql`
    insert into data_subject_requests (id, type, regime, state, channel, filed_by, filer_type, subject_id,
      received_at, due_at, initial_due_at, extended_at, verified_at, rejection_reason, closed_at)
    select md5('r' || n)::uuid,
           (array['access', 'erasure', 'rectification', 'portability', 'objection'])[1 + n % 5],
           'gdpr',
           case when n % 10 = 0 then 'in_progress' when n % 17 = 0 then 'rejected' else 'completed' end,
           'api', 'operator', 'api_key', md5('s' || (1 + n % ${counts.subjects}))::uuid,
           received, received + interval '30 days', received + interval '30 days',
           case when n % 23 = 0 then received + interval '20 days' end,
           received + interval '1 day',
           case when n % 10 <> 0 and n % 17 = 0 then 'manifestly_unfounded' end,
           case when n % 10 = 0 then null else received + ((n % 40) || ' days')::interval end
      from (select n, now() - interval '365 days' + (n::float8 / ${counts.requests}) * interval '360 days' as received
              from generate_series(1, ${counts.requests}::int) as n) as spread`.execute(db);
  await sql`
    insert into consent_events (id, subject_id, purpose_key, version, action, method, source, given_at,
      recorded_at, actor_type)
    select gen_random_uuid(), md5('s' || (1 + n % ${counts.subjects}))::uuid,
           case when n % 2 = 0 then 'bench_newsletter' else 'bench_analytics' end, 1,
           case when n % 9 = 0 then 'withdraw' else 'grant' end,
           case when n % 9 = 0 then 'opt_out' else 'explicit_opt_in' end, 'api', at, at, 'api_key'
      from (select n, now() - interval '365 days' + (n::float8 / ${counts.events}) * interval '365 days' as at
              from generate_series(1, ${counts.events}::int) as n) as spread`.execute(db);
  for (const table of ['subjects', 'data_subject_requests', 'consent_events'])
    await sql`vacuum analyze ${sql.table(table)}`.execute(db);
}

export const reportsScenario: BenchScenario = {
  name: 'reports',
  description:
    'The compliance dashboard (p95) and the yearly compliance report over 1M subjects, 100k requests and 5M consent events, beside their plain aggregate queries',
  async run(): Promise<BenchFigure[]> {
    const bench = await openBenchDatabase();
    const scale = Number(process.env.BENCH_REPORTS_SCALE ?? (bench.kind === 'postgres' ? 1 : 0.05));
    const counts = {
      subjects: Math.round(1_000_000 * scale),
      requests: Math.round(100_000 * scale),
      events: Math.round(5_000_000 * scale),
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
    const config = loadConfig({ CUSTOS_DATA_DIR: dataDir });
    const runtime = await openRuntime({
      config,
      logger: createLogger(config.logLevel, logDestination('/dev/null')),
      database: bench.database,
    });
    try {
      const db = runtime.database.db;
      const seedMs = await timed(() => seed(runtime, counts));
      const { complianceDashboard, complianceReports } = runtime.services;
      // A year of daily snapshots, as the job would have stored them (trends read them).
      const days = Array.from({ length: 365 }, (_, index) =>
        new Date(Date.now() - index * day).toISOString().slice(0, 10),
      );
      await sql`
        insert into report_snapshots (day, metric, value, tracked, taken_at)
        select d::date, m, 1, true, now()
          from unnest(${days}::text[]) as d, unnest(array['dsrs_pending', 'average_response_hours',
            'consent_withdrawal_rate', 'breaches_in_period', 'encryption_coverage', 'access_control_violations',
            'retention_compliance_rate', 'cross_border_transfer_approvals', 'days_since_external_audit',
            'open_audit_findings', 'training_completion_rate', 'policy_updates_pending']) as m`.execute(db);

      const month = complianceDashboard.monthToDate();
      await complianceDashboard.dashboard(month); // warm-up: caches of the data map and retention rate
      const dashboardSamples: number[] = [];
      for (let run = 0; run < dashboardRuns; run += 1)
        dashboardSamples.push(await timed(() => complianceDashboard.dashboard(month)));
      const store = reportsStore();
      const plainDashboard = () =>
        Promise.all([
          store.pendingAt(db, month.to),
          store.completedIn(db, month.from, month.to),
          store.consentIn(db, month.from, month.to),
          store.breachesIn(db, month.from, month.to),
          store.deniedAccessesIn(db, month.from, month.to),
          sql`select metric, day, value from report_snapshots where day >= current_date - 365`.execute(db),
        ]);
      await plainDashboard();
      const plainSamples: number[] = [];
      for (let run = 0; run < dashboardRuns; run += 1) plainSamples.push(await timed(plainDashboard));

      const year = { from: new Date(Date.now() - 365 * day), to: new Date() };
      const reportSamples: number[] = [];
      for (let run = 0; run < reportRuns; run += 1) {
        const id = randomUUID();
        await db
          .insertInto('compliance_reports')
          .values({
            id,
            period_from: year.from,
            period_to: year.to,
            status: 'queued',
            created_at: new Date(),
          })
          .execute();
        reportSamples.push(await timed(() => complianceReports.generate(id)));
      }
      const sections = reportStore();
      const plainReport = () =>
        Promise.all([
          sections.requestsReceived(db, year.from, year.to),
          sections.requestsClosed(db, year.from, year.to),
          sections.rejectionsByReason(db, year.from, year.to),
          fulfilmentStore().lateBySystem(db, year.from, year.to),
          sections.openOverdue(db, year.to),
          sections.consentByPurpose(db, year.from, year.to),
          sections.breachesIn(db, year.from, year.to),
          store.pendingAt(db, year.to),
          store.completedIn(db, year.from, year.to),
          store.consentIn(db, year.from, year.to),
          store.deniedAccessesIn(db, year.from, year.to),
        ]);
      const plainReportSamples: number[] = [];
      for (let run = 0; run < reportRuns; run += 1) plainReportSamples.push(await timed(plainReport));
      const round = (ms: number) => Math.round(ms * 10) / 10;
      const extra = { database: bench.kind, scale, ...counts, seedSeconds: Math.round(seedMs / 100) / 10 };
      return [
        {
          name: 'compliance dashboard p95 (this month, 12 metrics, 12 months of trends)',
          value: round(p95(dashboardSamples)),
          unit: 'ms',
          baseline: round(p95(plainSamples)),
          baselineName: 'p95 of the plain aggregate queries it runs',
          extra: { ...extra, runs: dashboardRuns, targetMs: 200, meetsTarget: p95(dashboardSamples) < 200 },
        },
        {
          name: 'yearly compliance report, built end to end',
          value: round(Math.min(...reportSamples)),
          unit: 'ms',
          baseline: round(Math.min(...plainReportSamples)),
          baselineName: 'the plain aggregate queries of its sections',
          extra: {
            ...extra,
            runs: reportRuns,
            allRunsMs: reportSamples.map(round),
            targetMs: 10_000,
            meetsTarget: Math.max(...reportSamples) < 10_000,
          },
        },
      ];
    } finally {
      await runtime.close(1000);
      await bench.drop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
