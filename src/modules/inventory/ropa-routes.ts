import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { documentContentSecurityPolicy } from '../../lib/documents/document.js';
import {
  presentResolved,
  ZActivityIdParams,
  ZFindingList,
  ZNoticeQuery,
  ZResolvedActivity,
  ZRopa,
  ZRopaQuery,
} from './ropa-schemas.js';
import type { RopaService } from './ropa-service.js';

const tags = ['inventory'];

/** A file answered as a download; documents carry a policy that lets them run nothing and load nothing. */
function sendFile(
  reply: FastifyReply,
  file: { body: string | Buffer; contentType: string; filename: string },
) {
  return reply
    .type(file.contentType)
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .header('content-security-policy', documentContentSecurityPolicy)
    .send(file.body);
}

/** The RoPA, findings, the privacy-notice draft and the derived view of an activity. */
export function ropaRoutes({ ropa }: { ropa: RopaService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/ropa',
      {
        config: { access: 'inventory.read' },
        schema: {
          tags,
          summary: 'The Record of Processing Activities (GDPR Art. 30), as JSON, CSV, HTML or PDF',
          description:
            'The controller’s register (Art. 30(1) a–g) and the processor’s register (Art. 30(2) a–d), computed from the data map at the moment of the request. The format is chosen with `?format=` only (not the Accept header): `json` (default) is answered as JSON; `csv` (one row per activity), `html` (printable, one page per activity) and `pdf` (the HTML printed by headless Chromium) are downloads named `custos-ropa-<date>-<version>.<ext>`. `version` is a hash of the content: two copies with the same version say the same. Every export is audited as `inventory.ropa.exported` (format and counts). Without Chromium, `pdf` answers 503 `pdf_unavailable`.',
          querystring: ZRopaQuery,
          response: {
            200: ZRopa.describe(
              'With `format=json`; other formats answer the file (text/csv, text/html, application/pdf)',
            ),
          },
        },
      },
      async (request, reply) => {
        const exported = await ropa.exportRopa(auditContextOf(request), request.query.format);
        if (exported.format === 'json') return exported.ropa;
        return sendFile(reply, exported);
      },
    );

    app.get(
      '/v1/inventory/findings',
      {
        config: { access: 'inventory.read' },
        schema: {
          tags,
          summary: 'Findings: gaps in the data map, with what to do about each',
          description:
            'Computed from the map on every call, never typed in: a finding disappears once what it asks for is done. Sorted by severity (high first), kind and subject.',
          response: { 200: ZFindingList },
        },
      },
      async () => {
        const { generatedAt, items, counts } = await ropa.findings();
        return { generatedAt: generatedAt.toISOString(), items, counts };
      },
    );

    app.get(
      '/v1/inventory/notice',
      {
        config: { access: 'inventory.read' },
        schema: {
          tags,
          summary: 'A privacy-notice draft (GDPR Art. 13/14) from the data map, as HTML or Markdown',
          description:
            'Controller, DPO, purposes with legal bases, recipients, transfers, retention, rights, the right to complain and automated decision-making, for the team to edit: the draft says so at its top and marks what it cannot know with `[to complete]`.',
          querystring: ZNoticeQuery,
          response: { 200: z.string().describe('The draft (text/html or text/markdown), as a download') },
        },
      },
      async (request, reply) => sendFile(reply, await ropa.notice(request.query.format)),
    );

    app.get(
      '/v1/inventory/activities/:id/resolved',
      {
        config: { access: 'inventory.read' },
        schema: {
          tags,
          summary: 'What is derived for a processing activity, and from where',
          description:
            'Data categories and subjects, purposes with legal bases, recipients, transfers, retention and measures, each derived value with its sources (`collection`, `system`, `purpose`, `processor`, `retention_policy` or `manual`), as the activity editor shows them.',
          params: ZActivityIdParams,
          response: { 200: ZResolvedActivity },
        },
      },
      async (request) => presentResolved(await ropa.resolvedActivity(request.params.id)),
    );
  };
}
