import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import type { RequestExports } from './request-exports.js';
import { presentExport, ZCreatedExport, ZDownloadQuery, ZExport, ZRequestId } from './request-schemas.js';

const tags = ['requests'];

/** Fulfilment files of access and portability requests, and their download links. */
export function requestExportRoutes({
  requestExports,
}: {
  requestExports: RequestExports;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/requests/:id/exports',
      {
        config: { access: 'requests.manage' },
        schema: {
          tags,
          summary: 'Prepare the subject’s data for an access, right-to-know or portability request',
          description:
            'Reads every record of the request’s subject for the `dsr_fulfilment` purpose. Access and right to know: the package as JSON and as a readable HTML page (with purposes, legal bases and consent history when recorded); portability: a zip of JSON and a CSV per collection. Stored sealed; each file has a download link that expires (`CUSTOS_REQUEST_EXPORT_TTL`), shown once here and e-mailed to the subject. The request must be in progress.',
          params: ZRequestId,
          response: { 201: z.object({ items: z.array(ZCreatedExport) }) },
        },
      },
      async (request, reply) => {
        const created = await requestExports.create(auditContextOf(request), request.params.id);
        return reply.status(201).send({
          items: created.map((row) => ({ ...presentExport(row), downloadUrl: row.downloadUrl })),
        });
      },
    );

    app.get(
      '/v1/requests/:id/exports',
      {
        config: { access: 'requests.read' },
        schema: {
          tags,
          summary: 'The files prepared for a request, with their downloads (never their links)',
          params: ZRequestId,
          response: { 200: z.object({ items: z.array(ZExport) }) },
        },
      },
      async (request) => ({ items: (await requestExports.list(request.params.id)).map(presentExport) }),
    );

    app.get(
      '/v1/request-exports/:id/download',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Download a prepared file with the token from its link',
          description:
            'The link is the credential: anyone holding it can download until it expires, or until the subject is erased (410 `gone` after either). A wrong token answers 404. Every download is audited.',
          params: ZRequestId,
          querystring: ZDownloadQuery,
        },
      },
      async (request, reply) => {
        const file = await requestExports.download(
          auditContextOf(request),
          request.params.id,
          request.query.token,
        );
        return reply
          .header('content-type', file.contentType)
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .header('x-content-type-options', 'nosniff')
          .send(file.content);
      },
    );
  };
}
