import { z } from 'zod';
import { isCountryCode } from '../../lib/countries.js';
import { eventTypes, testEventType } from './event-types.js';
import type { DeliveryDetail } from './webhook-deliveries.js';
import type { AttemptRow, DeliveryRow, EndpointRow } from './webhook-store.js';

export const ZEventType = z.enum(eventTypes);
const ZMessageType = z.enum([...eventTypes, testEventType]);
const ZDeliveryStatus = z.enum(['pending', 'delivered', 'dead_lettered']);
export const ZIdParams = z.object({ id: z.uuid().toLowerCase() });

const ZUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .describe('https (http only where CUSTOS_WEBHOOK_ALLOW_HTTP is set); no credentials, no fragment');
const ZEventTypes = z
  .array(ZEventType)
  .min(1)
  .max(eventTypes.length)
  .nullable()
  .describe('Event types to receive; null: every type, including types added later');

export const ZEndpointInput = z.object({
  url: ZUrl,
  location: z
    .string()
    .trim()
    .transform((value) => value.toUpperCase())
    .refine(isCountryCode, 'an ISO 3166-1 alpha-2 country code')
    .nullable()
    .optional()
    .describe(
      'Where the receiver is (ISO 3166-1 alpha-2): deliveries the residency policy refuses are not sent',
    ),
  description: z.string().trim().max(500).optional(),
  eventTypes: ZEventTypes.optional(),
  enabled: z.boolean().optional(),
});

export const ZEndpointChanges = ZEndpointInput.partial();

export const ZRotateSecret = z
  .object({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .optional()
      .describe(
        'How long the previous secret keeps signing alongside the new one; 0 drops it at once. Default: CUSTOS_WEBHOOK_SECRET_GRACE',
      ),
  })
  .optional();

export const ZWebhookEndpoint = z
  .object({
    id: z.uuid().toLowerCase(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()).nullable(),
    enabled: z.boolean(),
    location: z.string().nullable(),
    secretRotatedAt: z.iso.datetime().nullable(),
    previousSecretExpiresAt: z.iso
      .datetime()
      .nullable()
      .describe('Until then, messages are signed with the previous secret as well'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' });

/** Presenter: never the secret, sealed or not. */
export function presentEndpoint(row: EndpointRow): z.infer<typeof ZWebhookEndpoint> {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    location: row.location,
    secretRotatedAt: row.secret_rotated_at?.toISOString() ?? null,
    previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const ZEndpointWithSecret = z.object({
  endpoint: ZWebhookEndpoint,
  secret: z
    .string()
    .describe('The signing secret (whsec_…), shown only in this response; store it in the receiver'),
});

export const ZWebhookDelivery = z
  .object({
    id: z.uuid().toLowerCase(),
    messageId: z.string().describe('Sent as webhook-id; the same on every attempt'),
    endpointId: z.uuid().toLowerCase(),
    eventType: z.string(),
    status: ZDeliveryStatus,
    attempts: z.number().int().describe('Attempts made, in all rounds'),
    round: z.number().int().describe('1, plus one for every manual redelivery'),
    nextAttemptAt: z.iso.datetime().nullable(),
    lastAttemptAt: z.iso.datetime().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    deadLetteredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookDelivery' });

export function presentDelivery(row: DeliveryRow): z.infer<typeof ZWebhookDelivery> {
  return {
    id: row.id,
    messageId: row.message_id,
    endpointId: row.endpoint_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    round: row.round,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    deadLetteredAt: row.dead_lettered_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

const ZDeliveryAttempt = z
  .object({
    attempt: z.number().int(),
    round: z.number().int(),
    attemptedAt: z.iso.datetime(),
    durationMs: z.number().int(),
    statusCode: z.number().int().nullable(),
    error: z
      .string()
      .nullable()
      .describe(
        'http_status, redirect, timeout, dns_failure, connection_refused, connection_reset, tls_error, destination_refused or network_error',
      ),
    responseSnippet: z
      .string()
      .nullable()
      .describe('The start of a failed response body (200 characters at most)'),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });

function presentAttempt(row: AttemptRow): z.infer<typeof ZDeliveryAttempt> {
  return {
    attempt: row.attempt,
    round: row.round,
    attemptedAt: row.attempted_at.toISOString(),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    error: row.error,
    responseSnippet: row.response_snippet,
  };
}

export const ZWebhookDeliveryDetail = ZWebhookDelivery.extend({
  payload: z.unknown().describe('The message body sent: type, timestamp and data (identifiers only)'),
  attemptLog: z.array(ZDeliveryAttempt),
}).meta({ id: 'WebhookDeliveryDetail' });

export function presentDeliveryDetail(detail: DeliveryDetail): z.infer<typeof ZWebhookDeliveryDetail> {
  return {
    ...presentDelivery(detail.delivery),
    payload: detail.payload,
    attemptLog: detail.attempts.map(presentAttempt),
  };
}

export const ZDeliveryQuery = z.object({
  endpointId: z.uuid().toLowerCase().optional(),
  status: ZDeliveryStatus.optional(),
  eventType: ZMessageType.optional(),
  cursor: z.string().min(1).max(40).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ZDeliveryPage = z.object({
  items: z.array(ZWebhookDelivery),
  nextCursor: z.string().nullable(),
});

export const ZEventTypeList = z.object({
  items: z.array(z.object({ type: ZMessageType, subscribable: z.boolean() })),
  retrySchedule: z
    .array(z.number())
    .describe('Seconds waited before each retry of a failed delivery; after the last, it is dead-lettered'),
});
