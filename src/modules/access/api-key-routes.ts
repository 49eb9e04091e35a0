import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf, grantorOf } from '../../http/principal.js';
import { presentApiKey, ZApiKey, ZIdParams, ZPermission } from './access-schemas.js';
import type { ApiKeyService } from './api-key-service.js';

const tags = ['api-keys'];

/** API keys for services. */
export function apiKeyRoutes({ apiKeys }: { apiKeys: ApiKeyService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/api-keys',
      {
        config: { access: 'api_keys.read' },
        schema: {
          tags,
          summary: 'List API keys (never their secrets)',
          response: { 200: z.object({ items: z.array(ZApiKey) }) },
        },
      },
      async () => ({ items: (await apiKeys.list()).map(presentApiKey) }),
    );

    app.post(
      '/v1/api-keys',
      {
        config: { access: 'api_keys.manage' },
        schema: {
          tags,
          summary: 'Create an API key',
          description:
            'The key is returned only in this response. Use it as `Authorization: Bearer <key>`. Its permissions must be ones an API key can hold (the `service` role) and that you hold yourself.',
          body: z.object({
            name: z.string().trim().min(1).max(100),
            permissions: z.array(ZPermission).min(1).max(50),
            expiresAt: z.iso.datetime({ offset: true }).optional(),
          }),
          response: { 201: z.object({ key: z.string(), apiKey: ZApiKey }) },
        },
      },
      async (request, reply) => {
        const created = await apiKeys.create(auditContextOf(request), grantorOf(request.principal), {
          name: request.body.name,
          permissions: request.body.permissions,
          expiresAt: request.body.expiresAt ? new Date(request.body.expiresAt) : undefined,
        });
        return reply.status(201).send({ key: created.key, apiKey: presentApiKey(created.row) });
      },
    );

    app.delete(
      '/v1/api-keys/:id',
      {
        config: { access: 'api_keys.manage' },
        schema: { tags, summary: 'Revoke an API key', params: ZIdParams, response: { 204: z.null() } },
      },
      async (request, reply) => {
        await apiKeys.revoke(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
