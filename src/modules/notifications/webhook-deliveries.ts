import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobSender } from '../../jobs/job-sender.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { pageOf, sequenceCursor } from '../../lib/paging.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { testEventType } from './event-types.js';
import { enqueueAttempt } from './webhook-jobs.js';
import { messageBody } from './webhook-publisher.js';
import { newMessageId } from './webhook-signature.js';
import type { AttemptRow, DeliveryFilters, DeliveryRow, EndpointRow, WebhookStore } from './webhook-store.js';

/** Dead-lettered deliveries one bulk redelivery puts back in the queue; call again for the rest. */
export const redeliveryBatch = 500;

type Deps = { db: Kysely<DB>; store: WebhookStore; jobs: JobSender; audit: AuditWriter; clock: Clock };

export type DeliveryDetail = { delivery: DeliveryRow; payload: unknown; attempts: AttemptRow[] };

/** The delivery log: listing and inspecting deliveries, manual redelivery, and test events. */
export function webhookDeliveries({ db, store, jobs, audit, clock }: Deps) {
  async function enabledEndpoint(tx: Executor, id: string): Promise<EndpointRow> {
    const endpoint = await store.findEndpoint(tx, id);
    if (!endpoint) throw new AppError('not_found', 'No webhook endpoint with this id.');
    if (!endpoint.enabled) {
      throw new AppError('conflict', 'The webhook endpoint is disabled; enable it first.');
    }
    return endpoint;
  }

  /** Newest first, filtered; `nextCursor` continues after the last one returned. */
  async function list(
    filters: DeliveryFilters,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: DeliveryRow[]; nextCursor: string | null }> {
    const rows = await store.listDeliveries(db, filters, {
      before: cursor ? sequenceCursor.decode(cursor) : undefined,
      limit: limit + 1,
    });
    return pageOf(
      rows,
      limit,
      (row) => row,
      (row) => sequenceCursor.encode(row.seq),
    );
  }

  /** One delivery with the payload it carries (identifiers only) and every attempt made. */
  async function get(id: string): Promise<DeliveryDetail> {
    const found = await store.findDelivery(db, id);
    if (!found) throw new AppError('not_found', 'No webhook delivery with this id.');
    const { body, ...delivery } = found;
    return { delivery, payload: JSON.parse(body), attempts: await store.attemptsOf(db, id) };
  }

  /**
   * Sends a delivered or dead-lettered delivery again, with a fresh round of attempts and the same
   * `webhook-id` (receivers that already have it can drop it). A pending delivery is already on its way.
   */
  async function redeliver(context: AuditContext, id: string): Promise<DeliveryRow> {
    return db.transaction().execute(async (tx) => {
      const delivery = await store.lockDelivery(tx, id);
      if (!delivery) throw new AppError('not_found', 'No webhook delivery with this id.');
      if (delivery.status === 'pending') {
        throw new AppError('conflict', 'The delivery is pending: its next attempt is scheduled already.', {
          extensions: { nextAttemptAt: delivery.next_attempt_at?.toISOString() ?? null },
        });
      }
      await enabledEndpoint(tx, delivery.endpoint_id);
      const [restarted] = (await store.startNewRound(tx, { id }, clock.now())) as [DeliveryRow];
      await enqueueAttempt(jobs, tx, { deliveryId: id, attempt: delivery.attempts + 1 });
      await audit.append(tx, context, {
        action: 'webhook.delivery.redelivered',
        outcome: 'success',
        target: { type: 'webhook_delivery', id },
        details: { endpointId: delivery.endpoint_id, previousStatus: delivery.status },
      });
      return restarted;
    });
  }

  /** Puts up to `redeliveryBatch` dead-lettered deliveries of an endpoint, oldest first, back in the queue. */
  async function redeliverDeadLettered(
    context: AuditContext,
    endpointId: string,
  ): Promise<{ redelivered: number; remaining: number }> {
    return db.transaction().execute(async (tx) => {
      await enabledEndpoint(tx, endpointId);
      const restarted = await store.startNewRound(
        tx,
        { endpointId, status: 'dead_lettered', limit: redeliveryBatch },
        clock.now(),
      );
      for (const delivery of restarted) {
        await enqueueAttempt(jobs, tx, { deliveryId: delivery.id, attempt: delivery.attempts + 1 });
      }
      const remaining = await store.countDeliveries(tx, { endpointId, status: 'dead_lettered' });
      if (restarted.length > 0) {
        await audit.append(tx, context, {
          action: 'webhook.endpoint.redelivered',
          outcome: 'success',
          target: { type: 'webhook_endpoint', id: endpointId },
          details: { deliveries: restarted.length, remaining },
        });
      }
      return { redelivered: restarted.length, remaining };
    });
  }

  /** Sends a `webhook.test` message to one endpoint, whatever it subscribes to. */
  async function sendTest(context: AuditContext, endpointId: string): Promise<DeliveryRow> {
    return db.transaction().execute(async (tx) => {
      const endpoint = await enabledEndpoint(tx, endpointId);
      const now = clock.now();
      const messageId = newMessageId();
      await store.insertMessages(tx, [
        {
          id: messageId,
          event_type: testEventType,
          body: messageBody(testEventType, now, { endpointId: endpoint.id }),
          created_at: now,
        },
      ]);
      const delivery = await store.insertDelivery(tx, {
        message_id: messageId,
        endpoint_id: endpoint.id,
        event_type: testEventType,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      });
      await enqueueAttempt(jobs, tx, { deliveryId: delivery.id, attempt: 1 });
      await audit.append(tx, context, {
        action: 'webhook.endpoint.tested',
        outcome: 'success',
        target: { type: 'webhook_endpoint', id: endpoint.id },
        details: { deliveryId: delivery.id },
      });
      return delivery;
    });
  }

  return { list, get, redeliver, redeliverDeadLettered, sendTest };
}

export type WebhookDeliveries = ReturnType<typeof webhookDeliveries>;
