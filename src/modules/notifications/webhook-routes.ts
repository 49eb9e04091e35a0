import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { eventTypes, testEventType } from './event-types.js';
import type { NotificationService } from './notification-service.js';
import {
  presentDelivery,
  presentDeliveryDetail,
  presentEndpoint,
  ZDeliveryPage,
  ZDeliveryQuery,
  ZEndpointChanges,
  ZEndpointInput,
  ZEndpointWithSecret,
  ZEventTypeList,
  ZIdParams,
  ZRotateSecret,
  ZWebhookDelivery,
  ZWebhookDeliveryDetail,
  ZWebhookEndpoint,
} from './webhook-schemas.js';

const tags = ['webhooks'];

/** Webhook endpoints, the delivery log, redelivery and test events. */
export function webhookRoutes({
  notifications,
}: {
  notifications: NotificationService;
}): FastifyPluginAsyncZod {
  const { endpoints, deliveries } = notifications;
  return async (app) => {
    app.get(
      '/v1/webhooks/event-types',
      {
        config: { access: 'notifications.read' },
        schema: {
          tags,
          summary: 'Event types webhooks carry, and the retry schedule',
          response: { 200: ZEventTypeList },
        },
      },
      async () => ({
        items: [
          ...eventTypes.map((type) => ({ type, subscribable: true })),
          { type: testEventType, subscribable: false },
        ],
        retrySchedule: notifications.retrySchedule().map((ms) => ms / 1000),
      }),
    );

    app.get(
      '/v1/webhooks/endpoints',
      {
        config: { access: 'notifications.read' },
        schema: {
          tags,
          summary: 'List webhook endpoints (never their secrets)',
          response: { 200: z.object({ items: z.array(ZWebhookEndpoint) }) },
        },
      },
      async () => ({ items: (await endpoints.list()).map(presentEndpoint) }),
    );

    app.post(
      '/v1/webhooks/endpoints',
      {
        config: { access: 'notifications.manage' },
        schema: {
          tags,
          summary: 'Create a webhook endpoint',
          description:
            'Returns the signing secret (`whsec_…`) once. Messages are signed per Standard Webhooks; see docs/WEBHOOKS.md.',
          body: ZEndpointInput,
          response: { 201: ZEndpointWithSecret },
        },
      },
      async (request, reply) => {
        const created = await endpoints.create(auditContextOf(request), request.body);
        return reply
          .status(201)
          .send({ endpoint: presentEndpoint(created.endpoint), secret: created.secret });
      },
    );

    app.get(
      '/v1/webhooks/endpoints/:id',
      {
        config: { access: 'notifications.read' },
        schema: {
          tags,
          summary: 'One webhook endpoint',
          params: ZIdParams,
          response: { 200: ZWebhookEndpoint },
        },
      },
      async (request) => presentEndpoint(await endpoints.get(request.params.id)),
    );

    app.patch(
      '/v1/webhooks/endpoints/:id',
      {
        config: { access: 'notifications.manage' },
        schema: {
          tags,
          summary: 'Change a webhook endpoint (URL, description, event types, enabled)',
          description:
            'Disabling stops deliveries: those still queued are dead-lettered unsent and can be redelivered after enabling again.',
          params: ZIdParams,
          body: ZEndpointChanges,
          response: { 200: ZWebhookEndpoint },
        },
      },
      async (request) =>
        presentEndpoint(await endpoints.update(auditContextOf(request), request.params.id, request.body)),
    );

    app.delete(
      '/v1/webhooks/endpoints/:id',
      {
        config: { access: 'notifications.manage' },
        schema: {
          tags,
          summary: 'Delete a webhook endpoint with its delivery log',
          params: ZIdParams,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await endpoints.remove(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/webhooks/endpoints/:id/rotate-secret',
      {
        config: { access: 'notifications.manage' },
        schema: {
          tags,
          summary: 'Replace the signing secret',
          description:
            'Returns the new secret once. During the grace period every message carries two signatures (new and previous secret), so the receiver can switch over without losing messages.',
          params: ZIdParams,
          body: ZRotateSecret,
          response: { 200: ZEndpointWithSecret },
        },
      },
      async (request) => {
        const seconds = request.body?.gracePeriodSeconds;
        const rotated = await endpoints.rotateSecret(
          auditContextOf(request),
          request.params.id,
          seconds === undefined ? undefined : seconds * 1000,
        );
        return { endpoint: presentEndpoint(rotated.endpoint), secret: rotated.secret };
      },
    );

    app.post(
      '/v1/webhooks/endpoints/:id/test',
      {
        config: { access: 'notifications.manage' },
        schema: {
          tags,
          summary: 'Send a webhook.test message to the endpoint',
          params: ZIdParams,
          response: { 202: ZWebhookDelivery },
        },
      },
      async (request, reply) =>
        reply
          .status(202)
          .send(presentDelivery(await deliveries.sendTest(auditContextOf(request), request.params.id))),
    );

    app.post(
      '/v1/webhooks/endpoints/:id/redeliver',
      {
        config: { access: 'notifications.manage' },
        schema: {
          tags,
          summary: 'Redeliver the endpoint’s dead-lettered deliveries',
          description:
            'Up to 500 at a time, oldest first, each with a fresh round of attempts; `remaining` says how many are left for another call.',
          params: ZIdParams,
          response: { 202: z.object({ redelivered: z.number().int(), remaining: z.number().int() }) },
        },
      },
      async (request, reply) =>
        reply
          .status(202)
          .send(await deliveries.redeliverDeadLettered(auditContextOf(request), request.params.id)),
    );

    app.get(
      '/v1/webhooks/deliveries',
      {
        config: { access: 'notifications.read' },
        schema: {
          tags,
          summary: 'The delivery log, newest first',
          querystring: ZDeliveryQuery,
          response: { 200: ZDeliveryPage },
        },
      },
      async (request) => {
        const { cursor, limit, ...filters } = request.query;
        const page = await deliveries.list(filters, cursor, limit);
        return { items: page.items.map(presentDelivery), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/v1/webhooks/deliveries/:id',
      {
        config: { access: 'notifications.read' },
        schema: {
          tags,
          summary: 'One delivery with its payload and every attempt',
          params: ZIdParams,
          response: { 200: ZWebhookDeliveryDetail },
        },
      },
      async (request) => presentDeliveryDetail(await deliveries.get(request.params.id)),
    );

    app.post(
      '/v1/webhooks/deliveries/:id/redeliver',
      {
        config: { access: 'notifications.manage' },
        schema: {
          tags,
          summary: 'Send a delivered or dead-lettered delivery again',
          description:
            'Starts a fresh round of attempts with the same webhook-id. A pending delivery answers 409: it is on its way.',
          params: ZIdParams,
          response: { 202: ZWebhookDelivery },
        },
      },
      async (request, reply) =>
        reply
          .status(202)
          .send(presentDelivery(await deliveries.redeliver(auditContextOf(request), request.params.id))),
    );
  };
}
