import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditContextOf } from '../../http/principal.js';
import {
  filtersFrom,
  presentAlert,
  ZAlert,
  ZAlertIdParams,
  ZAlertNote,
  ZAlertPage,
  ZAlertQuery,
} from './alert-schemas.js';
import type { AlertService } from './alert-service.js';

const tags = ['alerts'];

/** Security alerts: listing them, and acknowledging and resolving them with a note. */
export function alertRoutes({ alerts }: { alerts: AlertService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/alerts',
      {
        config: { access: 'alerts.read' },
        schema: {
          tags,
          summary: 'List alerts, last seen first',
          description:
            'Repeats of an alert (same kind and target while it is unresolved) raise its `count` and `lastSeenAt`, so an alert that recurs while you page may move to the first page.',
          querystring: ZAlertQuery,
          response: { 200: ZAlertPage },
        },
      },
      async (request) => {
        const { cursor, limit, ...filters } = request.query;
        const page = await alerts.list(filtersFrom(filters), cursor, limit);
        return { items: page.items.map(presentAlert), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/v1/alerts/:id',
      {
        config: { access: 'alerts.read' },
        schema: { tags, summary: 'One alert', params: ZAlertIdParams, response: { 200: ZAlert } },
      },
      async (request) => presentAlert(await alerts.get(request.params.id)),
    );

    app.post(
      '/v1/alerts/:id/acknowledge',
      {
        config: { access: 'alerts.manage' },
        schema: {
          tags,
          summary: 'Acknowledge an open alert',
          description: 'Says someone is looking into it. Audited as `alert.acknowledged`.',
          params: ZAlertIdParams,
          body: ZAlertNote,
          response: { 200: ZAlert },
        },
      },
      async (request) =>
        presentAlert(
          await alerts.acknowledge(auditContextOf(request), request.params.id, request.body?.note),
        ),
    );

    app.post(
      '/v1/alerts/:id/resolve',
      {
        config: { access: 'alerts.manage' },
        schema: {
          tags,
          summary: 'Resolve an open or acknowledged alert',
          description:
            'Closes the alert; the same thing happening again raises a new one. Audited as `alert.resolved`.',
          params: ZAlertIdParams,
          body: ZAlertNote,
          response: { 200: ZAlert },
        },
      },
      async (request) =>
        presentAlert(await alerts.resolve(auditContextOf(request), request.params.id, request.body?.note)),
    );
  };
}
