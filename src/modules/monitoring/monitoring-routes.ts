import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditContextOf } from '../../http/principal.js';
import type { MonitoringReader, PrincipalView } from './monitoring-reader.js';
import {
  ZMonitoringSettings,
  ZPrincipal,
  ZPrincipalPage,
  ZPrincipalParams,
  ZPrincipalQuery,
  ZRunReport,
} from './monitoring-schemas.js';
import type { MonitoringService } from './monitoring-service.js';

const tags = ['monitoring'];

/** Only what the response schema names leaves (the factors are re-read through it). */
const present = (view: PrincipalView) => ZPrincipal.parse(view);

/** Monitoring: principals with their baselines and scores, the rule settings, rebuilding baselines. */
export function monitoringRoutes({
  monitoring,
  monitoringReader,
}: {
  monitoring: MonitoringService;
  monitoringReader: MonitoringReader;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/monitoring/principals',
      {
        config: { access: 'monitoring.read' },
        schema: {
          tags,
          summary: 'Operators and API keys seen in the audit log, highest latest score first',
          description:
            'Each with its baseline (mean and standard deviation of its hourly volumes over its active hours), whether it is past the warm-up, its scores of the last 48 hours and the explanation of the latest.',
          querystring: ZPrincipalQuery,
          response: { 200: ZPrincipalPage },
        },
      },
      async (request) => {
        const page = await monitoringReader.list(request.query.limit, request.query.offset);
        return { items: page.items.map(present), cursor: page.cursor };
      },
    );

    app.get(
      '/v1/monitoring/principals/:type/:id',
      {
        config: { access: 'monitoring.read' },
        schema: {
          tags,
          summary: 'One operator’s or API key’s baseline, recent scores and explanation',
          params: ZPrincipalParams,
          response: { 200: ZPrincipal },
        },
      },
      async (request) => present(await monitoringReader.get(request.params)),
    );

    app.get(
      '/v1/monitoring/settings',
      {
        config: { access: 'monitoring.read' },
        schema: {
          tags,
          summary: 'The threshold, warm-up, exfiltration ratios, factor weights and automatic responses',
          response: { 200: ZMonitoringSettings },
        },
      },
      async () => monitoring.settings(),
    );

    app.put(
      '/v1/monitoring/settings',
      {
        config: { access: 'monitoring.manage' },
        schema: {
          tags,
          summary: 'Change the monitoring rules',
          description:
            'Applies from the next run of the minute job. Audited as `monitoring.settings.updated`.',
          body: ZMonitoringSettings,
          response: { 200: ZMonitoringSettings },
        },
      },
      async (request) => monitoring.updateSettings(auditContextOf(request), request.body),
    );

    app.post(
      '/v1/monitoring/rebuild',
      {
        config: { access: 'monitoring.manage' },
        schema: {
          tags,
          summary: 'Forget every baseline and fold the whole audit log again',
          description:
            'Scores only the hour in progress of each principal, so the history raises no alerts again. Audited as `monitoring.baselines.rebuilt`.',
          response: { 200: ZRunReport },
        },
      },
      async (request) => monitoring.rebuild(auditContextOf(request)),
    );
  };
}
