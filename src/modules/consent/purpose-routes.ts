import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import {
  presentPurpose,
  presentVersion,
  ZPurpose,
  ZPurposeDefinition,
  ZPurposeKey,
  ZPurposeUpdate,
  ZPurposeVersion,
} from './consent-schemas.js';
import type { PurposeService } from './purpose-service.js';

const tags = ['consent'];
const ZKey = z.object({ key: ZPurposeKey });

/** Purposes: what personal data is used for, on which lawful basis, with which text (versioned). */
export function purposeRoutes({ purposes }: { purposes: PurposeService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/consent/purposes',
      {
        config: { access: 'consent.purposes.read' },
        schema: {
          tags,
          summary: 'List purposes',
          response: { 200: z.object({ items: z.array(ZPurpose) }) },
        },
      },
      async () => ({ items: (await purposes.list()).map(presentPurpose) }),
    );
    app.post(
      '/v1/consent/purposes',
      {
        config: { access: 'consent.purposes.manage' },
        schema: {
          tags,
          summary: 'Create a purpose',
          description:
            'Data uses and categories are taxonomy keys (or custom keys beneath them). Special categories of data need a GDPR Art. 9(2) condition.',
          body: ZPurposeDefinition,
          response: { 201: ZPurpose },
        },
      },
      async (request, reply) =>
        reply.status(201).send(presentPurpose(await purposes.create(auditContextOf(request), request.body))),
    );
    app.get(
      '/v1/consent/purposes/:key',
      {
        config: { access: 'consent.purposes.read' },
        schema: { tags, summary: 'One purpose', params: ZKey, response: { 200: ZPurpose } },
      },
      async (request) => presentPurpose(await purposes.require(request.params.key)),
    );
    app.put(
      '/v1/consent/purposes/:key',
      {
        config: { access: 'consent.purposes.manage' },
        schema: {
          tags,
          summary: 'Change a purpose',
          description:
            'A change of the text, legal basis, data uses or categories makes a new version. Whether consents for earlier versions keep counting follows `requireReconsent` (default: the purpose’s `reconsentOnChange`); when the basis becomes consent they never do.',
          params: ZKey,
          body: ZPurposeUpdate,
          response: {
            200: z.object({ purpose: ZPurpose, newVersion: z.boolean(), requiresReconsent: z.boolean() }),
          },
        },
      },
      async (request) => {
        const { requireReconsent, ...definition } = request.body;
        const result = await purposes.update(auditContextOf(request), request.params.key, definition, {
          requireReconsent,
        });
        return { ...result, purpose: presentPurpose(result.purpose) };
      },
    );
    app.get(
      '/v1/consent/purposes/:key/versions',
      {
        config: { access: 'consent.purposes.read' },
        schema: {
          tags,
          summary: 'Every version of a purpose’s text and scope, oldest first',
          params: ZKey,
          response: { 200: z.object({ items: z.array(ZPurposeVersion) }) },
        },
      },
      async (request) => ({ items: (await purposes.versions(request.params.key)).map(presentVersion) }),
    );
  };
}
