import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReportsService } from './reports-service.js';

const ZDashboard = z
  .object({
    generatedAt: z.iso.datetime(),
    requests: z.object({
      open: z.number().int(),
      dueSoon: z.number().int().describe('Open, not overdue, due within `dueSoonDays`'),
      overdue: z.number().int(),
      awaitingVerification: z.number().int().describe('Open and not yet verified'),
      dueSoonDays: z.number().int(),
      openByType: z.array(z.object({ type: z.string(), count: z.number().int() })),
      completedInPeriod: z.number().int(),
      averageResponseDays: z
        .number()
        .nullable()
        .describe('Mean days from receipt to completion of requests completed in the period'),
      periodDays: z.number().int(),
    }),
    consent: z.object({
      days: z.number().int(),
      series: z.array(
        z.object({ date: z.iso.date(), grants: z.number().int(), withdrawals: z.number().int() }),
      ),
      grants: z.number().int(),
      withdrawals: z.number().int(),
    }),
  })
  .meta({ id: 'Dashboard' });

/** Read-only figures for the console's dashboard. */
export function reportsRoutes({ reports }: { reports: ReportsService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/reports/dashboard',
      {
        config: { access: 'reports.read' },
        schema: {
          tags: ['reports'],
          summary: 'Dashboard figures: the request queue, response times, consent over time',
          description:
            'Counts and means only. `days` (default 30) sets how many UTC days of consent grants and withdrawals the series holds, today included.',
          querystring: z.object({ days: z.coerce.number().int().min(7).max(366).default(30) }),
          response: { 200: ZDashboard },
        },
      },
      async (request) => reports.dashboard(request.query.days),
    );
  };
}
