import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import type { DownstreamSystems } from './downstream-systems.js';
import {
  presentSystem,
  ZSystem,
  ZSystemChanges,
  ZSystemInput,
  ZSystemWithSecret,
} from './fulfilment-schemas.js';
import { ZRequestId } from './request-schemas.js';

const tags = ['requests'];

/** Downstream systems: the systems holding copies that erasure, rectification and restriction tell. */
export function systemRoutes({
  downstreamSystems,
}: {
  downstreamSystems: DownstreamSystems;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/systems',
      {
        config: { access: 'systems.read' },
        schema: {
          tags,
          summary: 'Downstream systems that hold copies of personal data',
          response: { 200: z.object({ items: z.array(ZSystem) }) },
        },
      },
      async () => ({ items: (await downstreamSystems.list()).map(presentSystem) }),
    );

    app.post(
      '/v1/systems',
      {
        config: { access: 'systems.manage' },
        schema: {
          tags,
          summary: 'Register a downstream system',
          description:
            'Creates the system and a webhook endpoint for it (subscribed to no event type: it receives its own tasks). The endpoint’s signing secret is returned only here; rotate it through `/v1/webhooks/endpoints/{id}/rotate-secret`.',
          body: ZSystemInput,
          response: { 201: ZSystemWithSecret },
        },
      },
      async (request, reply) => {
        const { system, secret } = await downstreamSystems.register(auditContextOf(request), request.body);
        return reply.status(201).send({ system: presentSystem(system), secret });
      },
    );

    app.get(
      '/v1/systems/:id',
      {
        config: { access: 'systems.read' },
        schema: { tags, summary: 'One downstream system', params: ZRequestId, response: { 200: ZSystem } },
      },
      async (request) => presentSystem(await downstreamSystems.get(request.params.id)),
    );

    app.patch(
      '/v1/systems/:id',
      {
        config: { access: 'systems.manage' },
        schema: {
          tags,
          summary: 'Change a downstream system',
          description: 'A disabled system is sent no new tasks; its open tasks stay as they are.',
          params: ZRequestId,
          body: ZSystemChanges,
          response: { 200: ZSystem },
        },
      },
      async (request) =>
        presentSystem(
          await downstreamSystems.update(auditContextOf(request), request.params.id, request.body),
        ),
    );

    app.delete(
      '/v1/systems/:id',
      {
        config: { access: 'systems.manage' },
        schema: {
          tags,
          summary: 'Delete a downstream system that was never sent a task, with its endpoint',
          params: ZRequestId,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await downstreamSystems.remove(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
