import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { AppError } from '../../lib/app-error.js';
import { ZCollectionName } from './collection-schema.js';
import type { CollectionService } from './collection-service.js';
import { csvLines, ndjsonLines } from './import-parsers.js';
import type { ImportService } from './import-service.js';

const streamedTypes = ['application/x-ndjson', 'text/csv'];

/** Passes a stream through, failing once more than `limit` bytes went by. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit)
        done(new AppError('body_too_large', `Imports are limited to ${limit} bytes per request.`));
      else done(null, chunk);
    },
  });
}

const ZReport = z.object({
  lines: z.number().int(),
  subjectsCreated: z.number().int(),
  recordsCreated: z.number().int(),
  recordsUpdated: z.number().int(),
  failed: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), field: z.string(), reason: z.string() })),
});

/** Streaming bulk import: NDJSON or CSV in, a per-line report out. */
export function importRoutes(deps: {
  imports: ImportService;
  collections: CollectionService;
  bodyLimit: number;
}): FastifyPluginAsyncZod {
  return async (app) => {
    // The body is handed over as a stream, never buffered: memory stays bounded by the batch size.
    app.addContentTypeParser(streamedTypes, (_request, payload, done) => done(null, payload));

    app.post(
      '/v1/collections/:name/import',
      {
        config: { access: 'vault.import' },
        schema: {
          tags: ['records'],
          summary: 'Bulk-import records (NDJSON or CSV, streamed)',
          description:
            'Each line: `externalId` (required; matches or creates the subject), optional `region` and `recordId`, then the collection’s fields. Re-running a file updates instead of duplicating. The report lists failed lines with field and reason, never values.',
          params: z.object({ name: ZCollectionName }),
          consumes: streamedTypes,
          response: { 200: ZReport },
        },
      },
      async (request) => {
        const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
        if (!streamedTypes.includes(type)) {
          throw new AppError(
            'unsupported_media_type',
            'Send the import as application/x-ndjson or text/csv.',
          );
        }
        const collection = await deps.collections.get(request.params.name);
        const body = (request.body as NodeJS.ReadableStream).pipe(byteLimit(deps.bodyLimit));
        const lines = type === 'text/csv' ? csvLines(body, collection.fields) : ndjsonLines(body);
        return deps.imports.importLines(auditContextOf(request), collection.name, lines);
      },
    );
  };
}
