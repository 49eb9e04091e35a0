import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { sendStreamed } from '../../http/streamed-response.js';
import {
  filtersFrom,
  ZAuditCheckpoint,
  ZAuditEntry,
  ZAuditExportQuery,
  ZAuditPage,
  ZAuditPublicKey,
  ZAuditQuery,
  ZAuditVerifyReport,
  ZCheckpointQuery,
  ZSeqParams,
} from './audit-schemas.js';
import type { AuditService } from './audit-service.js';

const tags = ['audit'];

const contentTypes = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
} as const;

/** Reading, exporting and verifying the audit log. */
export function auditRoutes({ audit }: { audit: AuditService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/audit/entries',
      {
        config: { access: 'audit.read' },
        schema: {
          tags,
          summary: 'Query the audit log, newest first',
          querystring: ZAuditQuery,
          response: { 200: ZAuditPage },
        },
      },
      async (request) => {
        const { cursor, limit, ...filters } = request.query;
        return audit.query(filtersFrom(filters), cursor, limit);
      },
    );

    app.get(
      '/v1/audit/entries/:seq',
      {
        config: { access: 'audit.read' },
        schema: { tags, summary: 'One audit entry', params: ZSeqParams, response: { 200: ZAuditEntry } },
      },
      async (request) => audit.entry(request.params.seq),
    );

    app.get(
      '/v1/audit/checkpoints',
      {
        config: { access: 'audit.read' },
        schema: {
          tags,
          summary: 'Signed checkpoints, oldest first',
          description: 'Keep copies outside Custos: a checkpoint held elsewhere proves the log up to it.',
          querystring: ZCheckpointQuery,
          response: { 200: z.object({ items: z.array(ZAuditCheckpoint) }) },
        },
      },
      async (request) => ({ items: await audit.checkpoints(request.query.after, request.query.limit) }),
    );

    app.get(
      '/v1/audit/export',
      {
        config: { access: 'audit.export' },
        schema: {
          tags,
          summary: 'Export the audit log as NDJSON (verifiable) or CSV, streamed',
          description:
            'An unfiltered NDJSON export holds every entry with every hashed field and the signed checkpoints, and can be verified offline with `custos audit verify --file`.',
          querystring: ZAuditExportQuery,
          response: { 200: z.string().describe('NDJSON lines or CSV rows') },
        },
      },
      async (request, reply) => {
        const { format, ...filters } = request.query;
        const chunks = audit.exportStream(filtersFrom(filters), format, { context: auditContextOf(request) });
        const stamp = new Date().toISOString().replaceAll(':', '-').slice(0, 19);
        reply
          .type(contentTypes[format])
          .header('content-disposition', `attachment; filename="custos-audit-${stamp}.${format}"`)
          .header('cache-control', 'no-store');
        return sendStreamed(reply, chunks, format);
      },
    );

    app.get(
      '/v1/audit/verify',
      {
        config: { access: 'audit.verify' },
        schema: {
          tags,
          summary: 'Verify the hash chain and signed checkpoints',
          description: 'Says OK, or the first sequence number found wrong and what is wrong with it.',
          response: { 200: ZAuditVerifyReport },
        },
      },
      async (request) => audit.verify({ context: auditContextOf(request) }),
    );

    app.get(
      '/v1/audit/public-key',
      {
        config: { access: 'audit.export' },
        schema: {
          tags,
          summary: 'The public key that verifies checkpoint signatures',
          response: { 200: ZAuditPublicKey },
        },
      },
      async () => audit.publicKey(),
    );
  };
}
