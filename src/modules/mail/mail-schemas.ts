import { z } from 'zod';
import type { OutboxEntry } from './mail-service.js';

export const ZMailStatus = z.enum(['held', 'queued', 'sent', 'failed', 'erased']);

export const ZOutboxQuery = z.object({
  status: ZMailStatus.optional(),
  kind: z
    .string()
    .max(64)
    .regex(/^[a-z][a-z0-9_.]*$/)
    .optional(),
  cursor: z.string().min(1).max(200).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ZOutboxEntry = z
  .object({
    id: z.uuid().toLowerCase(),
    kind: z.string().describe('What the message is, e.g. `request.verification_code`'),
    status: ZMailStatus.describe(
      '`held`: no SMTP server is configured, an operator must pass the message on; `queued`: being delivered; `sent`: delivered, content deleted; `failed`: every attempt failed; `erased`: content removed when the subject it was about was erased',
    ),
    reference: z.object({ type: z.string(), id: z.string() }).nullable(),
    content: z
      .object({ to: z.string(), subject: z.string(), text: z.string() })
      .nullable()
      .describe('Recipient and message; null once delivered'),
    attempts: z.number().int(),
    lastError: z.string().nullable().describe('Error code of the last failed delivery'),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'OutboxMessage' });

export function presentOutboxEntry(entry: OutboxEntry): z.infer<typeof ZOutboxEntry> {
  return {
    ...entry,
    createdAt: entry.createdAt.toISOString(),
    sentAt: entry.sentAt?.toISOString() ?? null,
  };
}
