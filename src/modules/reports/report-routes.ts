import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { documentContentSecurityPolicy } from '../../lib/documents/document.js';
import type { ComplianceReports } from './report-service.js';
import type { ReportRow } from './report-store.js';

const tags = ['reports'];
const dayMs = 86_400_000;

const ZReport = z
  .object({
    id: z.uuid(),
    periodFrom: z.iso.datetime(),
    periodTo: z.iso.datetime().describe('Exclusive: the day after the period’s last day'),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    progress: z.number().int().describe('Percent of the sections built'),
    error: z.string().nullable(),
    scheduled: z.boolean(),
    createdAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ComplianceReport' });

type ListedRow = Omit<ReportRow, 'document'>;
function presentReport(row: ListedRow): z.infer<typeof ZReport> {
  return {
    id: row.id,
    periodFrom: row.period_from.toISOString(),
    periodTo: row.period_to.toISOString(),
    status: row.status,
    progress: row.progress,
    error: row.error,
    scheduled: row.scheduled,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at ? row.finished_at.toISOString() : null,
  };
}

const ZSchedule = z
  .object({
    enabled: z.boolean(),
    recipients: z.array(z.email().max(320)).max(50),
    lastPeriod: z.string().nullable().optional(),
  })
  .meta({ id: 'ComplianceReportSchedule' });

/** Compliance reports: generation in the background, the list, downloads, the monthly schedule. */
export function reportRoutes({
  complianceReports,
}: {
  complianceReports: ComplianceReports;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/reports/compliance',
      {
        config: { access: 'reports.manage' },
        schema: {
          tags,
          summary: 'Generate a compliance report for a period (in the background)',
          description:
            'Answers 202 with the queued report; poll it for `progress` and `status`, then download it as JSON, HTML or PDF. The sections and recommendation rules are described in docs/REPORTS.md.',
          body: z.object({
            from: z.iso.date().describe('First day of the period'),
            to: z.iso.date().describe('Last day of the period, included'),
          }),
          response: { 202: ZReport },
        },
      },
      async (request, reply) => {
        const from = new Date(`${request.body.from}T00:00:00.000Z`);
        const to = new Date(new Date(`${request.body.to}T00:00:00.000Z`).getTime() + dayMs);
        const row = await complianceReports.request(auditContextOf(request), { from, to });
        return reply.status(202).send(presentReport(row));
      },
    );
    app.get(
      '/v1/reports/compliance',
      {
        config: { access: 'reports.read' },
        schema: {
          tags,
          summary: 'List compliance reports, newest first',
          response: { 200: z.object({ items: z.array(ZReport) }) },
        },
      },
      async () => ({ items: (await complianceReports.list()).map(presentReport) }),
    );
    app.get(
      '/v1/reports/compliance/:id',
      {
        config: { access: 'reports.read' },
        schema: {
          tags,
          summary: 'A compliance report’s status and progress',
          params: z.object({ id: z.uuid().toLowerCase() }),
          response: { 200: ZReport },
        },
      },
      async (request) => presentReport(await complianceReports.get(request.params.id)),
    );
    app.get(
      '/v1/reports/compliance/:id/document',
      {
        config: { access: 'reports.read' },
        schema: {
          tags,
          summary: 'Download a finished compliance report (JSON, print-friendly HTML or PDF)',
          description: 'Every download is audited. Without Chromium, `pdf` answers 503 `pdf_unavailable`.',
          params: z.object({ id: z.uuid().toLowerCase() }),
          querystring: z.object({ format: z.enum(['json', 'html', 'pdf']).default('html') }),
        },
      },
      async (request, reply) => {
        const file = await complianceReports.download(
          auditContextOf(request),
          request.params.id,
          request.query.format,
        );
        return reply
          .type(file.contentType)
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .header('content-security-policy', documentContentSecurityPolicy)
          .send(file.content);
      },
    );
    app.get(
      '/v1/reports/compliance-schedule',
      {
        config: { access: 'reports.read' },
        schema: { tags, summary: 'The monthly compliance report schedule', response: { 200: ZSchedule } },
      },
      async () => complianceReports.schedule(),
    );
    app.put(
      '/v1/reports/compliance-schedule',
      {
        config: { access: 'reports.manage' },
        schema: {
          tags,
          summary: 'Set the monthly compliance report schedule',
          description:
            'When enabled, last month’s report is generated on the first of each month at 06:00 UTC and its summary mailed to the recipients.',
          body: ZSchedule.omit({ lastPeriod: true }),
          response: { 200: ZSchedule },
        },
      },
      async (request) => complianceReports.setSchedule(auditContextOf(request), request.body),
    );
  };
}
