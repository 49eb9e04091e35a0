import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobSender } from '../../jobs/job-sender.js';
import type { JobDefinition } from '../../jobs/queue.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { PdfRenderer } from '../../lib/documents/pdf.js';
import type { Logger } from '../../logger.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { MailService } from '../mail/mail-service.js';
import type { complianceReportBuilder } from './compliance-report.js';
import type { Period } from './metrics.js';
import { type RuleInput, recommendationsFor } from './recommendations.js';
import { type ComplianceReportDocument, reportHtml } from './report-document.js';
import type { ReportRow, ReportStore } from './report-store.js';

export const generateJobName = 'reports.compliance_report';
export const monthlyJobName = 'reports.monthly_compliance_report';
export type ReportFormat = 'json' | 'html' | 'pdf';

type Deps = {
  db: Kysely<DB>;
  store: ReportStore;
  builder: ReturnType<typeof complianceReportBuilder>;
  audit: Pick<AuditWriter, 'append' | 'record'>;
  clock: Clock;
  jobs: JobSender;
  pdf: PdfRenderer;
  mail: Pick<MailService, 'enqueue'>;
  publicUrl: string;
};

const systemContext: AuditContext = { actor: { type: 'system', id: 'reports' }, requestId: null, ip: null };
const monthOf = (at: Date) => at.toISOString().slice(0, 7);

/** Compliance reports: requested, built by a job with progress, stored, listed, downloaded, scheduled monthly. */
export function complianceReports({ db, store, builder, audit, clock, jobs, pdf, mail, publicUrl }: Deps) {
  async function enqueueIn(
    tx: Executor,
    context: AuditContext,
    period: Period,
    scheduled: boolean,
  ): Promise<ReportRow> {
    const row = await store.insert(tx, {
      id: randomUUID(),
      period_from: period.from,
      period_to: period.to,
      status: 'queued',
      requested_by: context.actor.id,
      scheduled,
      created_at: clock.now(),
    });
    await jobs.send(generateJobName, { id: row.id }, { tx, singletonKey: row.id });
    await audit.append(tx, context, {
      action: 'report.compliance.requested',
      outcome: 'success',
      target: { type: 'compliance_report', id: row.id },
      details: { from: period.from.toISOString(), to: period.to.toISOString(), scheduled },
    });
    return row;
  }

  async function enqueue(context: AuditContext, period: Period, scheduled: boolean): Promise<ReportRow> {
    if (period.to.getTime() <= period.from.getTime())
      throw new AppError('unprocessable', 'The period must end after it starts.');
    return db.transaction().execute((tx) => enqueueIn(tx, context, period, scheduled));
  }

  /**
   * Builds a requested report (the job). A retry after a crash starts the build again from the top: the
   * sections are read-only aggregates, and the document is written once, at the end.
   */
  async function generate(id: string): Promise<'done' | 'skipped'> {
    const row = await store.find(db, id);
    if (!row || row.status === 'done') return 'skipped';
    await store.update(db, id, { status: 'running', progress: 0, error: null });
    try {
      const period = { from: row.period_from, to: row.period_to };
      const built = await builder.build(period, async (progress) => {
        await store.update(db, id, { progress });
      });
      const document: ComplianceReportDocument = {
        id,
        title: 'Compliance report',
        organization: built.organization,
        generatedAt: clock.now().toISOString(),
        period: { from: period.from.toISOString(), to: period.to.toISOString() },
        sections: built.sections,
        recommendations: recommendationsFor(built.sections as unknown as RuleInput),
      };
      await db.transaction().execute(async (tx) => {
        await store.update(tx, id, {
          status: 'done',
          progress: 100,
          document: JSON.stringify(document),
          finished_at: clock.now(),
        });
        await audit.append(tx, systemContext, {
          action: 'report.compliance.generated',
          outcome: 'success',
          target: { type: 'compliance_report', id },
          details: { recommendations: document.recommendations.length },
        });
        if (row.scheduled) await mailScheduled(tx, document);
      });
      return 'done';
    } catch (error) {
      await store.update(db, id, {
        status: 'failed',
        error: 'The report could not be built; it is retried.',
      });
      throw error;
    }
  }

  async function mailScheduled(
    tx: Parameters<MailService['enqueue']>[0],
    document: ComplianceReportDocument,
  ) {
    const schedule = await store.schedule(tx);
    for (const to of schedule?.recipients ?? []) {
      await mail.enqueue(tx, {
        kind: 'compliance_report',
        to,
        subject: `Compliance report ${document.period.from.slice(0, 7)}`,
        text: [
          `The compliance report for ${document.period.from.slice(0, 10)} to ${document.period.to.slice(0, 10)} is ready.`,
          '',
          'Recommendations:',
          ...(document.recommendations.length === 0
            ? ['- none']
            : document.recommendations.map((rec) => `- [${rec.severity}] ${rec.text}`)),
          '',
          `Download it: ${publicUrl.replace(/\/$/, '')}/console/reports`,
        ].join('\n'),
        reference: { type: 'compliance_report', id: document.id },
      });
    }
  }

  async function get(id: string): Promise<ReportRow> {
    const row = await store.find(db, id);
    if (!row) throw new AppError('not_found', 'Report not found.');
    return row;
  }

  /** The finished report as JSON, HTML or PDF; every download is audited. */
  async function download(context: AuditContext, id: string, format: ReportFormat) {
    const row = await get(id);
    if (row.status !== 'done' || !row.document)
      throw new AppError('conflict', 'The report is not ready yet.', { extensions: { status: row.status } });
    const document = row.document as unknown as ComplianceReportDocument;
    const name = `custos-compliance-report-${document.period.from.slice(0, 10)}-${id.slice(0, 8)}`;
    const html = format === 'json' ? '' : reportHtml(document);
    const file =
      format === 'json'
        ? {
            content: Buffer.from(JSON.stringify(document, null, 2)),
            contentType: 'application/json; charset=utf-8',
          }
        : format === 'html'
          ? { content: Buffer.from(html), contentType: 'text/html; charset=utf-8' }
          : { content: await pdf(html), contentType: 'application/pdf' };
    await audit.record(context, {
      action: 'report.compliance.downloaded',
      outcome: 'success',
      target: { type: 'compliance_report', id },
      details: { format },
    });
    return { ...file, filename: `${name}.${format}` };
  }

  async function setSchedule(context: AuditContext, input: { enabled: boolean; recipients: string[] }) {
    await db.transaction().execute(async (tx) => {
      await store.saveSchedule(tx, input.enabled, input.recipients, clock.now());
      await audit.append(tx, context, {
        action: 'report.schedule.changed',
        outcome: 'success',
        details: { enabled: input.enabled, recipients: input.recipients.length },
      });
    });
    return schedule();
  }

  async function schedule() {
    const row = await store.schedule(db);
    return {
      enabled: row?.enabled ?? false,
      recipients: row?.recipients ?? [],
      lastPeriod: row?.last_period ?? null,
    };
  }

  /** On the first of a month: last month's report, once, however many workers run the job. */
  async function runMonthly(): Promise<string | undefined> {
    const now = clock.now();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    // The claim and the queued report commit together: a crash between them loses neither.
    return db.transaction().execute(async (tx) => {
      if (!(await store.claimScheduledMonth(tx, monthOf(from)))) return undefined;
      return (await enqueueIn(tx, systemContext, { from, to }, true)).id;
    });
  }

  return {
    request: (context: AuditContext, period: Period) => enqueue(context, period, false),
    generate,
    get,
    list: (limit = 100) => store.list(db, limit),
    download,
    schedule,
    setSchedule,
    runMonthly,
  };
}

export type ComplianceReports = ReturnType<typeof complianceReports>;

export function reportJobs(reports: ComplianceReports, logger: Logger): JobDefinition[] {
  return [
    {
      name: generateJobName,
      retryLimit: 3,
      retryDelaySeconds: 30,
      expireInSeconds: 30 * 60,
      handler: async (data) => {
        const { id } = data as { id: string };
        const outcome = await reports.generate(id);
        logger.info({ job: generateJobName, outcome }, 'compliance report job finished');
      },
    },
    {
      name: monthlyJobName,
      schedule: '0 6 1 * *',
      retryLimit: 2,
      handler: async () => {
        const id = await reports.runMonthly();
        if (id) logger.info({ job: monthlyJobName }, 'monthly compliance report requested');
      },
    },
  ];
}
