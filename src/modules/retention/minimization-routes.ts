import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  findingKinds,
  type MinimizationAudit,
  type MinimizationReport,
  suggestedActions,
} from './minimization.js';

const ZFinding = z
  .object({
    kind: z.enum(findingKinds),
    collection: z.string().nullable(),
    field: z.string().nullable(),
    category: z.string().nullable().describe('The data category (taxonomy key) concerned'),
    count: z.number().int().nullable().describe('Records or subjects concerned, where known'),
    message: z.string(),
    suggestedAction: z.object({ code: z.enum(suggestedActions), text: z.string() }),
  })
  .meta({ id: 'MinimizationFinding' });

export const ZMinimizationReport = z
  .object({
    generatedAt: z.string(),
    window: z.object({ days: z.number().int(), since: z.string() }),
    checked: z.array(z.enum(findingKinds)).describe('The kinds of finding checked'),
    findings: z.array(ZFinding),
  })
  .meta({ id: 'MinimizationReport' });

export const ZMinimizationQuery = z.object({
  windowDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(90)
    .describe('How far back reads count (days; default 90)'),
});

function presentReport(report: MinimizationReport): z.input<typeof ZMinimizationReport> {
  return {
    generatedAt: report.generatedAt.toISOString(),
    window: { days: report.window.days, since: report.window.since.toISOString() },
    checked: report.checked,
    findings: report.findings,
  };
}

/** The minimization audit: what is held that nothing seems to need, each with a suggested action. */
export function minimizationRoutes({
  minimization,
}: {
  minimization: MinimizationAudit;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/retention/minimization',
      {
        config: { access: 'retention.read' },
        schema: {
          tags: ['retention'],
          summary: 'Minimization audit: data held that nothing seems to need',
          description:
            'Fields no purpose-bound read or detokenization named within the window (from the audit trail), fields no purpose covers, collections no retention policy covers, subjects inactive past every retention period, and (with the inventory) data categories no processing activity declares — each with a suggested action. Names, ids and taxonomy keys only, never values.',
          querystring: ZMinimizationQuery,
          response: { 200: ZMinimizationReport },
        },
      },
      async (request) => presentReport(await minimization.report(request.query.windowDays)),
    );
  };
}
