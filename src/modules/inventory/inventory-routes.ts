import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import {
  presentActivity,
  presentDataMap,
  presentMeasure,
  presentOrganization,
  presentProcessor,
  presentSystem,
  ZActivity,
  ZActivityChanges,
  ZActivityInput,
  ZDataMap,
  ZInventoryId,
  ZMeasure,
  ZMeasureChanges,
  ZMeasureInput,
  ZOrganization,
  ZOrganizationInput,
  ZProcessor,
  ZProcessorChanges,
  ZProcessorInput,
  ZSystem,
  ZSystemChanges,
  ZSystemId,
  ZSystemInput,
  ZSystemWithSecret,
} from './inventory-schemas.js';
import type { InventoryService } from './inventory-service.js';

const tags = ['inventory'];
const read = { access: 'inventory.read' } as const;
const manage = { access: 'inventory.manage' } as const;
const invalid =
  'Unknown taxonomy keys or country codes, and links to entries that do not exist, answer 400 with every bad path; nothing is written. Audited with the changed field names.';

/** The data map's register: systems, processors, processing activities, measures, the organization. */
export function inventoryRoutes({ inventory }: { inventory: InventoryService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/inventory/map',
      {
        config: read,
        schema: {
          tags,
          summary: 'The whole data map',
          description:
            'Custos itself and one asset per vault collection (derived from their definitions), the registered systems, processors, processing activities, security measures, the organization profile, and the purposes and retention policies they refer to.',
          response: { 200: ZDataMap },
        },
      },
      async () => presentDataMap(await inventory.dataMap(), inventory.today()),
    );

    app.get(
      '/v1/inventory/systems',
      {
        config: read,
        schema: {
          tags,
          summary: 'Systems and data assets',
          description:
            'Custos and its collections (derived, read-only) first, then the registered systems by name.',
          response: { 200: z.object({ items: z.array(ZSystem) }) },
        },
      },
      async () => ({ items: (await inventory.systems.list()).map(presentSystem) }),
    );
    app.post(
      '/v1/inventory/systems',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Register a system',
          description: `With an \`endpointUrl\`, the system is sent erasure, rectification and restriction tasks: a webhook endpoint is created for it (subscribed to no event type), and its signing secret is returned only here (rotate it through \`/v1/webhooks/endpoints/{id}/rotate-secret\`). ${invalid}`,
          body: ZSystemInput,
          response: { 201: ZSystemWithSecret },
        },
      },
      async (request, reply) => {
        const { system, secret } = await inventory.systems.register(auditContextOf(request), request.body);
        return reply.status(201).send({ system: presentSystem(system), secret });
      },
    );
    app.get(
      '/v1/inventory/systems/:id',
      {
        config: read,
        schema: { tags, summary: 'One system or data asset', params: ZSystemId, response: { 200: ZSystem } },
      },
      async (request) => presentSystem(await inventory.systems.get(request.params.id)),
    );
    app.patch(
      '/v1/inventory/systems/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a registered system',
          description: `A disabled system is sent no new tasks; its open tasks stay as they are. An \`endpointUrl\` given to a system without an endpoint creates one and returns its secret, this once. Derived entries (Custos, collections) answer 409: change the collection. ${invalid}`,
          params: ZSystemId,
          body: ZSystemChanges,
          response: { 200: ZSystemWithSecret },
        },
      },
      async (request) => {
        const { system, secret } = await inventory.systems.update(
          auditContextOf(request),
          request.params.id,
          request.body,
        );
        return { system: presentSystem(system), secret };
      },
    );
    app.delete(
      '/v1/inventory/systems/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Delete a registered system never sent a task, with its endpoint',
          description:
            'A system that was sent tasks, or that activities name, answers 409 (disable or unlink it).',
          params: ZSystemId,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await inventory.systems.remove(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/inventory/processors',
      {
        config: read,
        schema: {
          tags,
          summary: 'Processors and vendors, with their DPA status',
          response: { 200: z.object({ items: z.array(ZProcessor) }) },
        },
      },
      async () => ({
        items: (await inventory.processors.list()).map((entry) => presentProcessor(entry, inventory.today())),
      }),
    );
    app.post(
      '/v1/inventory/processors',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Register a processor',
          description: `A sub-processor names the processor that engaged it (\`parentId\`); chains never form a cycle. ${invalid}`,
          body: ZProcessorInput,
          response: { 201: ZProcessor },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            presentProcessor(
              await inventory.processors.create(auditContextOf(request), request.body),
              inventory.today(),
            ),
          ),
    );
    app.get(
      '/v1/inventory/processors/:id',
      {
        config: read,
        schema: { tags, summary: 'One processor', params: ZInventoryId, response: { 200: ZProcessor } },
      },
      async (request) =>
        presentProcessor(await inventory.processors.get(request.params.id), inventory.today()),
    );
    app.patch(
      '/v1/inventory/processors/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a processor',
          description: invalid,
          params: ZInventoryId,
          body: ZProcessorChanges,
          response: { 200: ZProcessor },
        },
      },
      async (request) =>
        presentProcessor(
          await inventory.processors.update(auditContextOf(request), request.params.id, request.body),
          inventory.today(),
        ),
    );
    app.delete(
      '/v1/inventory/processors/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Delete a processor',
          description:
            'One that operates systems, engages sub-processors or that activities name answers 409.',
          params: ZInventoryId,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await inventory.processors.remove(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/inventory/activities',
      {
        config: read,
        schema: {
          tags,
          summary: 'Processing activities',
          response: { 200: z.object({ items: z.array(ZActivity) }) },
        },
      },
      async () => ({ items: (await inventory.activities.list()).map(presentActivity) }),
    );
    app.post(
      '/v1/inventory/activities',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Record a processing activity',
          description: `Links consent purposes by key, vault collections by name, and systems, processors and measures by id. An activity carried out as a processor names its controller. ${invalid}`,
          body: ZActivityInput,
          response: { 201: ZActivity },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentActivity(await inventory.activities.create(auditContextOf(request), request.body))),
    );
    app.get(
      '/v1/inventory/activities/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'One processing activity',
          params: ZInventoryId,
          response: { 200: ZActivity },
        },
      },
      async (request) => presentActivity(await inventory.activities.get(request.params.id)),
    );
    app.patch(
      '/v1/inventory/activities/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a processing activity',
          description: `A list given replaces the one recorded. ${invalid}`,
          params: ZInventoryId,
          body: ZActivityChanges,
          response: { 200: ZActivity },
        },
      },
      async (request) =>
        presentActivity(
          await inventory.activities.update(auditContextOf(request), request.params.id, request.body),
        ),
    );
    app.delete(
      '/v1/inventory/activities/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Delete a processing activity',
          params: ZInventoryId,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await inventory.activities.remove(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/inventory/measures',
      {
        config: read,
        schema: {
          tags,
          summary: 'Technical and organisational security measures',
          response: { 200: z.object({ items: z.array(ZMeasure) }) },
        },
      },
      async () => ({ items: (await inventory.measures.list()).map(presentMeasure) }),
    );
    app.post(
      '/v1/inventory/measures',
      {
        config: manage,
        schema: { tags, summary: 'Add a security measure', body: ZMeasureInput, response: { 201: ZMeasure } },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentMeasure(await inventory.measures.create(auditContextOf(request), request.body))),
    );
    app.get(
      '/v1/inventory/measures/:id',
      {
        config: read,
        schema: { tags, summary: 'One security measure', params: ZInventoryId, response: { 200: ZMeasure } },
      },
      async (request) => presentMeasure(await inventory.measures.get(request.params.id)),
    );
    app.patch(
      '/v1/inventory/measures/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a security measure',
          params: ZInventoryId,
          body: ZMeasureChanges,
          response: { 200: ZMeasure },
        },
      },
      async (request) =>
        presentMeasure(
          await inventory.measures.update(auditContextOf(request), request.params.id, request.body),
        ),
    );
    app.delete(
      '/v1/inventory/measures/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Delete a security measure no activity names',
          params: ZInventoryId,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await inventory.measures.remove(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/inventory/organization',
      {
        config: read,
        schema: {
          tags,
          summary: 'The organization profile',
          description: 'Until first saved, empty but for the DPO contact configured with `DPO_CONTACT`.',
          response: { 200: ZOrganization },
        },
      },
      async () => presentOrganization(await inventory.organization()),
    );
    app.put(
      '/v1/inventory/organization',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Save the organization profile',
          description:
            'The controller, its Art. 27 representative, the DPO contact and the supervisory authority.',
          body: ZOrganizationInput,
          response: { 200: ZOrganization },
        },
      },
      async (request) =>
        presentOrganization(await inventory.saveOrganization(auditContextOf(request), request.body)),
    );
  };
}
