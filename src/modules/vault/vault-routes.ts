import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { AppError } from '../../lib/app-error.js';
import type { AuditWriter } from '../audit/audit-types.js';
import { ZCollectionName } from './collection-schema.js';
import type { CollectionService } from './collection-service.js';
import type { RecordService } from './record-service.js';
import type { TokenService } from './token-service.js';
import {
  presentCollection,
  presentRecord,
  presentSubject,
  ZCollection,
  ZCollectionInput,
  ZCollectionUpdate,
  ZFieldsInput,
  ZPurposeQuery,
  ZRecord,
  ZRecordWritten,
  ZSubject,
} from './vault-schemas.js';

type Deps = {
  collections: CollectionService;
  records: RecordService;
  tokens: TokenService;
  audit: AuditWriter;
};

const ZId = z.object({ id: z.uuid().toLowerCase() });

/** Whether the caller may see values in clear; asking without the permission is a denial, audited. */
async function mayReveal(request: FastifyRequest, requested: boolean, audit: AuditWriter): Promise<boolean> {
  if (!requested) return false;
  const principal = request.principal;
  if (principal.kind !== 'anonymous' && principal.permissions.has('vault.reveal')) return true;
  await audit.record(auditContextOf(request), {
    action: 'access.denied',
    outcome: 'denied',
    details: { method: request.method, route: request.routeOptions.url ?? null, permission: 'vault.reveal' },
  });
  throw new AppError('forbidden', 'Seeing values in clear needs the vault.reveal permission.', {
    extensions: { permission: 'vault.reveal' },
  });
}

/** Collections, subjects, records and tokens. */
export function vaultRoutes({ collections, records, tokens, audit }: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/collections',
      {
        config: { access: 'vault.collections.read' },
        schema: {
          tags: ['collections'],
          summary: 'List collections',
          response: { 200: z.object({ items: z.array(ZCollection) }) },
        },
      },
      async () => ({ items: (await collections.list()).map(presentCollection) }),
    );
    app.post(
      '/v1/collections',
      {
        config: { access: 'vault.collections.manage' },
        schema: {
          tags: ['collections'],
          summary: 'Create a collection',
          body: ZCollectionInput,
          response: { 201: ZCollection },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentCollection(await collections.create(auditContextOf(request), request.body))),
    );
    app.get(
      '/v1/collections/:name',
      {
        config: { access: 'vault.collections.read' },
        schema: {
          tags: ['collections'],
          summary: 'One collection',
          params: z.object({ name: ZCollectionName }),
          response: { 200: ZCollection },
        },
      },
      async (request) => presentCollection(await collections.get(request.params.name)),
    );
    app.put(
      '/v1/collections/:name',
      {
        config: { access: 'vault.collections.manage' },
        schema: {
          tags: ['collections'],
          summary: 'Change a collection',
          description:
            'Adding fields is always allowed. Removing or incompatibly changing a field that holds data answers 409 unless `force` is true and `migrationPlan` says `drop_values` for each such field.',
          params: z.object({ name: ZCollectionName }),
          body: ZCollectionUpdate,
          response: {
            200: z.object({
              collection: ZCollection,
              change: z.object({
                added: z.array(z.string()),
                removed: z.array(z.string()),
                changed: z.array(z.string()),
              }),
            }),
          },
        },
      },
      async (request) => {
        const { force, migrationPlan, ...definition } = request.body;
        const result = await collections.update(auditContextOf(request), request.params.name, definition, {
          force,
          migrationPlan,
        });
        return { collection: presentCollection(result.collection), change: result.change };
      },
    );

    app.post(
      '/v1/subjects',
      {
        config: { access: 'vault.records.write' },
        schema: {
          tags: ['subjects'],
          summary: 'Create a subject (a person whose data the vault holds)',
          body: z.object({
            externalId: z.string().min(1).max(200).optional(),
            region: z.string().max(32).optional(),
          }),
          response: { 201: ZSubject },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentSubject(await records.createSubject(auditContextOf(request), request.body))),
    );
    app.get(
      '/v1/subjects/:id',
      {
        config: { access: 'vault.subjects.read' },
        schema: {
          tags: ['subjects'],
          summary: 'A subject’s metadata (no personal data)',
          params: ZId,
          response: { 200: ZSubject },
        },
      },
      async (request) => presentSubject(await records.getSubject(request.params.id)),
    );
    app.post(
      '/v1/subjects/search',
      {
        config: { access: 'vault.subjects.read' },
        schema: {
          tags: ['subjects'],
          summary: 'Find subjects by e-mail, phone or external id (blind index; nothing is decrypted)',
          description: 'A POST so the personal data searched for never appears in a URL or access log.',
          body: z.object({
            email: z.string().max(254).optional(),
            phone: z.string().max(32).optional(),
            externalId: z.string().max(200).optional(),
          }),
          response: { 200: z.object({ items: z.array(ZSubject) }) },
        },
      },
      async (request) => ({
        items: (await records.searchSubjects(auditContextOf(request), request.body)).map(presentSubject),
      }),
    );
    app.post(
      '/v1/subjects/:id/shred',
      {
        config: { access: 'vault.shred' },
        schema: {
          tags: ['subjects'],
          summary: 'Erase a subject by crypto-shredding',
          description:
            'Deletes the data key, records, blind indexes and tokens; keeps a pseudonymous tombstone. Later reads answer 410.',
          params: ZId,
          response: {
            200: z.object({
              subjectId: z.uuid().toLowerCase(),
              records: z.number().int(),
              indexes: z.number().int(),
              tokens: z.number().int(),
            }),
          },
        },
      },
      async (request) => ({
        subjectId: request.params.id,
        ...(await records.shredSubject(auditContextOf(request), request.params.id)),
      }),
    );

    app.post(
      '/v1/subjects/:id/records',
      {
        config: { access: 'vault.records.write' },
        schema: {
          tags: ['records'],
          summary: 'Store a record for a subject',
          params: ZId,
          body: z.object({ collection: ZCollectionName, fields: ZFieldsInput }),
          response: { 201: ZRecordWritten },
        },
      },
      async (request, reply) => {
        const row = await records.createRecord(
          auditContextOf(request),
          request.params.id,
          request.body.collection,
          request.body.fields,
        );
        return reply.status(201).send({
          id: row.id,
          subjectId: row.subject_id,
          collection: request.body.collection,
          updatedAt: row.updated_at.toISOString(),
        });
      },
    );
    app.get(
      '/v1/subjects/:id/records',
      {
        config: { access: 'vault.read' },
        schema: {
          tags: ['records'],
          summary: 'Read a subject’s records for a stated purpose',
          description:
            'Values come back masked; `reveal=true` returns them in clear and needs vault.reveal — without it the read is refused (403 `forbidden`, the denial audited), never downgraded to masked. Audited with the purpose and field names. An erased subject answers 410 `subject_erased`.',
          params: ZId,
          querystring: ZPurposeQuery,
          response: { 200: z.object({ items: z.array(ZRecord) }) },
        },
      },
      async (request) => {
        const reveal = await mayReveal(request, request.query.reveal, audit);
        const views = await records.readRecords(auditContextOf(request), request.params.id, {
          ...request.query,
          reveal,
        });
        return { items: views.map(presentRecord) };
      },
    );
    app.get(
      '/v1/records/:id',
      {
        config: { access: 'vault.read' },
        schema: {
          tags: ['records'],
          summary: 'Read one record for a stated purpose',
          description:
            'Values come back masked; `reveal=true` returns them in clear and needs vault.reveal — without it the read is refused (403 `forbidden`, the denial audited), never downgraded to masked. Audited with the purpose and field names. A record of a crypto-shredded subject answers 410 `subject_erased`; an id that never existed 404.',
          params: ZId,
          querystring: ZPurposeQuery.omit({ collection: true }),
          response: { 200: ZRecord },
        },
      },
      async (request) => {
        const reveal = await mayReveal(request, request.query.reveal, audit);
        return presentRecord(
          await records.readRecord(auditContextOf(request), request.params.id, { ...request.query, reveal }),
        );
      },
    );
    app.patch(
      '/v1/records/:id',
      {
        config: { access: 'vault.records.write' },
        schema: {
          tags: ['records'],
          summary: 'Change fields of a record (null clears one)',
          params: ZId,
          body: z.object({ fields: ZFieldsInput }),
          response: { 200: ZRecordWritten },
        },
      },
      async (request) => {
        const row = await records.updateRecord(
          auditContextOf(request),
          request.params.id,
          request.body.fields,
        );
        return {
          id: row.id,
          subjectId: row.subject_id,
          collection: row.collection,
          updatedAt: row.updated_at.toISOString(),
        };
      },
    );
    app.delete(
      '/v1/records/:id',
      {
        config: { access: 'vault.records.write' },
        schema: { tags: ['records'], summary: 'Delete a record', params: ZId, response: { 204: z.null() } },
      },
      async (request, reply) => {
        await records.deleteRecord(auditContextOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/tokens',
      {
        config: { access: 'vault.tokenize' },
        schema: {
          tags: ['tokens'],
          summary: 'Tokenize a value of a tokenizable field',
          body: z.object({
            subjectId: z.uuid().toLowerCase(),
            collection: ZCollectionName,
            field: z.string().max(63),
            value: z.unknown(),
            kind: z.enum(['deterministic', 'random']).default('deterministic'),
            format: z.enum(['auto', 'opaque', 'email', 'phone', 'card']).default('auto'),
          }),
          response: { 201: z.object({ token: z.string() }) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await tokens.tokenize(auditContextOf(request), request.body)),
    );
    app.post(
      '/v1/tokens/detokenize',
      {
        config: { access: 'vault.detokenize' },
        schema: {
          tags: ['tokens'],
          summary: 'The value behind a token, for a stated purpose',
          body: z.object({ token: z.string().min(1).max(200), purpose: z.string().min(1).max(64) }),
          response: {
            200: z.object({
              value: z.unknown(),
              subjectId: z.uuid().toLowerCase(),
              collection: z.string(),
              field: z.string(),
            }),
          },
        },
      },
      async (request) => tokens.detokenize(auditContextOf(request), request.body.token, request.body.purpose),
    );
  };
}
