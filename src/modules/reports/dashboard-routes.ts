import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/app-error.js';
import type { ComplianceDashboard } from './compliance-dashboard.js';
import { metricGroups, metricUnits } from './metrics.js';

const ZMetric = z
  .object({
    key: z.string(),
    group: z.enum(metricGroups),
    label: z.string(),
    unit: z.enum(metricUnits),
    better: z.enum(['higher', 'lower']),
    definition: z.string(),
    source: z.string(),
    tracked: z.boolean().describe('False when the module this metric comes from is not installed'),
    value: z.number().nullable().describe('Null when not tracked, or when there was nothing to measure'),
    previous: z.number().nullable().describe('The previous month’s last daily snapshot'),
    change: z.number().nullable().describe('value − previous'),
  })
  .meta({ id: 'ComplianceMetric' });

export const ZComplianceDashboard = z
  .object({
    period: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
    generatedAt: z.iso.datetime(),
    groups: z.array(z.object({ key: z.enum(metricGroups), label: z.string(), metrics: z.array(ZMetric) })),
    trends: z.object({
      months: z.array(z.string()).describe('YYYY-MM, oldest first'),
      series: z.record(z.string(), z.array(z.number().nullable())).describe('Per metric, one value a month'),
    }),
  })
  .meta({ id: 'ComplianceDashboard' });

export const ZPeriodQuery = z.object({
  from: z.iso.date().optional().describe('First day of the period (default: the first of this month)'),
  to: z.iso.date().optional().describe('Last day of the period, included (default: up to now)'),
});

const dayMs = 86_400_000;

/** The period of `from`..`to` (days, `to` included), defaulting to this month so far. */
export function periodOf(query: z.infer<typeof ZPeriodQuery>, fallback: () => { from: Date; to: Date }) {
  const base = fallback();
  const from = query.from ? new Date(`${query.from}T00:00:00.000Z`) : base.from;
  const to = query.to ? new Date(new Date(`${query.to}T00:00:00.000Z`).getTime() + dayMs) : base.to;
  if (to.getTime() <= from.getTime())
    throw new AppError('invalid_query_parameter', 'The period must end on or after the day it starts.');
  if (to.getTime() - from.getTime() > 3 * 366 * dayMs)
    throw new AppError('invalid_query_parameter', 'A period spans at most three years.');
  return { from, to };
}

/** The compliance dashboard: the seed's metrics in four groups, with a period filter and 12 months of trends. */
export function dashboardRoutes({
  complianceDashboard,
}: {
  complianceDashboard: ComplianceDashboard;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/reports/compliance-dashboard',
      {
        config: { access: 'reports.read' },
        schema: {
          tags: ['reports'],
          summary: 'The compliance dashboard: every metric for a period, month-over-month changes and trends',
          description:
            'Each metric carries its definition and source (see docs/REPORTS.md). A metric whose module is not installed is `tracked: false` with a null value, never a zero. Trends are the last daily snapshot of each month.',
          querystring: ZPeriodQuery.extend({ months: z.coerce.number().int().min(2).max(36).default(12) }),
          response: { 200: ZComplianceDashboard },
        },
      },
      async (request) => {
        const period = periodOf(request.query, complianceDashboard.monthToDate);
        return complianceDashboard.dashboard(period, request.query.months);
      },
    );
  };
}
