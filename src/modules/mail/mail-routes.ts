import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import { presentOutboxEntry, ZOutboxEntry, ZOutboxQuery } from './mail-schemas.js';
import type { MailService } from './mail-service.js';

/** The outbox: mail Custos sent or holds for an operator to pass on. */
export function mailRoutes({ mail }: { mail: MailService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/outbox',
      {
        config: { access: 'outbox.read' },
        schema: {
          tags: ['mail'],
          summary: 'Read the mail outbox',
          description:
            'Newest first. Without an SMTP server (`SMTP_URL`) every message is held here for an operator to pass on; with one, delivered messages keep only their metadata. Messages hold e-mail addresses and one-time codes: every read is audited.',
          querystring: ZOutboxQuery,
          response: { 200: z.object({ items: z.array(ZOutboxEntry), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { cursor, limit, ...filters } = request.query;
        const page = await mail.readOutbox(auditContextOf(request), filters, cursor, limit);
        return { items: page.items.map(presentOutboxEntry), nextCursor: page.nextCursor };
      },
    );
  };
}
