import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobSender } from '../../jobs/job-sender.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import type { EndpointSecrets } from './endpoint-secrets.js';
import { testEventType } from './event-types.js';
import type { DeliveryStatus } from './notification-tables.js';
import { enqueueAttempt } from './webhook-jobs.js';
import { type RetrySettings, retryDelayAfter } from './webhook-retry.js';
import type { AttemptResult, WebhookSender } from './webhook-sender.js';
import { webhookHeaders } from './webhook-signature.js';
import type { DeliveryTarget, WebhookStore } from './webhook-store.js';

type Deps = {
  db: Kysely<DB>;
  store: WebhookStore;
  secrets: EndpointSecrets;
  send: WebhookSender;
  jobs: JobSender;
  clock: Clock;
  logger: Logger;
  retry: RetrySettings;
  /** Runs in the transaction that dead-letters a delivery (the requests module fails its task). */
  onDeadLettered?: DeadLetterListener;
  /** Asked before each attempt whether the receiver's location may have the payload (data residency). */
  guard?: () => DeliveryGuard | undefined;
};

/** The facts of a delivery a residency check needs: never the body. */
export type GuardedDelivery = {
  deliveryId: string;
  endpointId: string;
  location: string | null;
  eventType: string;
};

/** Says whether a delivery may go; a refusal carries a stable reason code recorded on the delivery. */
export type DeliveryGuard = (
  delivery: GuardedDelivery,
) => Promise<{ refused: false } | { refused: true; reason: string }>;

/** Told, inside the recording transaction, that a delivery was given up on. */
export type DeadLetterListener = (
  tx: Tx,
  delivery: {
    deliveryId: string;
    endpointId: string;
    /**
     * `attempts_exhausted`: every attempt of the round failed; `endpoint_disabled`: not sent at all;
     * `residency_refused`: not sent, the receiver's location may not have the data.
     */
    reason: 'attempts_exhausted' | 'endpoint_disabled' | 'residency_refused';
  },
) => Promise<void>;

/** What became of one attempt job: `stale` when the delivery had moved on (deleted, done, or a duplicate job). */
export type AttemptOutcome = DeliveryStatus | 'stale';

/** Delivered; or pending again after the retry delay; or dead-lettered when the round is used up. */
function nextStepAfter(
  result: AttemptResult,
  attemptsInRound: number,
  retry: RetrySettings,
): { status: DeliveryStatus; delayMs: number | undefined } {
  if (result.delivered) return { status: 'delivered', delayMs: undefined };
  const delayMs = retryDelayAfter(attemptsInRound, retry);
  return { status: delayMs === undefined ? 'dead_lettered' : 'pending', delayMs };
}

/**
 * The delivery worker. Each attempt is: read the delivery (no transaction), send over HTTP (no transaction
 * open while waiting on the network), then record the outcome in one short transaction that also enqueues
 * the retry. The record is conditional on the delivery still standing where the attempt found it, so a
 * duplicate job cannot record an attempt twice.
 */
export function deliveryWorker({
  db,
  store,
  secrets,
  send,
  jobs,
  clock,
  logger,
  retry,
  onDeadLettered,
  guard,
}: Deps) {
  const log = logger.child({ component: 'webhooks' });

  function sendTo(target: DeliveryTarget): Promise<AttemptResult> {
    const at = clock.now();
    const body = target.body_sealed ? secrets.openBody(target.message_id, target.body_sealed) : target.body;
    const headers = webhookHeaders(secrets.signingKeys(target, at), { id: target.message_id, body }, at);
    return send(target.url, body, headers);
  }

  /**
   * An endpoint disabled after the delivery was queued gets nothing: the delivery is dead-lettered without
   * an attempt, and can be redelivered once the endpoint is enabled again.
   */
  async function deadLetterUnsent(
    target: DeliveryTarget,
    why: { error: string; reason: 'endpoint_disabled' | 'residency_refused' } = {
      error: 'endpoint_disabled',
      reason: 'endpoint_disabled',
    },
  ): Promise<boolean> {
    const at = clock.now();
    return db.transaction().execute(async (tx) => {
      const changed = await store.recordOutcome(
        tx,
        target.id,
        { attempts: target.attempts, sent: false },
        {
          status: 'dead_lettered',
          last_error: why.error,
          next_attempt_at: null,
          dead_lettered_at: at,
          updated_at: at,
        },
      );
      if (changed) {
        await onDeadLettered?.(tx, {
          deliveryId: target.id,
          endpointId: target.endpoint_id,
          reason: why.reason,
        });
      }
      return changed;
    });
  }

  /**
   * Writes the attempt to the log and the delivery's new state, and enqueues the retry, in one transaction;
   * false when a duplicate run of the same attempt got there first.
   */
  async function record(
    target: DeliveryTarget,
    attempt: number,
    result: AttemptResult,
    times: { attemptedAt: Date; finishedAt: Date },
    next: { status: DeliveryStatus; delayMs: number | undefined },
  ): Promise<boolean> {
    const { attemptedAt, finishedAt } = times;
    const { status, delayMs } = next;
    return db.transaction().execute(async (tx) => {
      const changed = await store.recordOutcome(
        tx,
        target.id,
        { attempts: target.attempts, sent: true },
        {
          status,
          last_attempt_at: attemptedAt,
          last_status_code: result.statusCode,
          last_error: result.error,
          next_attempt_at: delayMs === undefined ? null : new Date(finishedAt.getTime() + delayMs),
          delivered_at: status === 'delivered' ? finishedAt : null,
          dead_lettered_at: status === 'dead_lettered' ? finishedAt : null,
          updated_at: finishedAt,
        },
      );
      if (!changed) return false;
      await store.insertAttempt(tx, {
        delivery_id: target.id,
        attempt,
        round: target.round,
        attempted_at: attemptedAt,
        duration_ms: result.durationMs,
        status_code: result.statusCode,
        error: result.error,
        response_snippet: result.responseSnippet,
      });
      if (delayMs !== undefined) {
        await enqueueAttempt(jobs, tx, { deliveryId: target.id, attempt: attempt + 1 }, delayMs);
      }
      if (status === 'dead_lettered') {
        await onDeadLettered?.(tx, {
          deliveryId: target.id,
          endpointId: target.endpoint_id,
          reason: 'attempts_exhausted',
        });
      }
      return true;
    });
  }

  /** Makes attempt number `attempt` of a delivery, records it, and schedules a retry or dead-letters it. */
  async function attempt(deliveryId: string, attempt: number): Promise<AttemptOutcome> {
    const target = await store.deliveryTarget(db, deliveryId);
    if (target?.status !== 'pending' || target.attempts !== attempt - 1) return 'stale';
    if (!target.enabled) {
      if (!(await deadLetterUnsent(target))) return 'stale';
      log.info(
        { deliveryId, endpointId: target.endpoint_id },
        'webhook endpoint disabled; delivery dead-lettered',
      );
      return 'dead_lettered';
    }
    const check = guard?.();
    if (check && target.event_type !== testEventType) {
      const verdict = await check({
        deliveryId,
        endpointId: target.endpoint_id,
        location: target.location,
        eventType: target.event_type,
      });
      if (verdict.refused) {
        const error = `residency_refused: ${verdict.reason}`;
        if (!(await deadLetterUnsent(target, { error, reason: 'residency_refused' }))) return 'stale';
        log.warn(
          { deliveryId, endpointId: target.endpoint_id, reason: verdict.reason },
          'webhook delivery refused by data residency',
        );
        return 'dead_lettered';
      }
    }
    const attemptedAt = clock.now();
    const result = await sendTo(target);
    const finishedAt = clock.now();
    const next = nextStepAfter(result, target.round_attempts + 1, retry);
    if (!(await record(target, attempt, result, { attemptedAt, finishedAt }, next))) return 'stale';

    const facts = { deliveryId, endpointId: target.endpoint_id, attempt, statusCode: result.statusCode };
    if (next.status === 'dead_lettered') {
      log.warn({ ...facts, error: result.error }, 'webhook delivery dead-lettered');
    } else if (next.status === 'pending') {
      log.info(
        { ...facts, error: result.error, retryInMs: next.delayMs },
        'webhook attempt failed; retrying',
      );
    }
    return next.status;
  }

  return { attempt };
}

export type DeliveryWorker = ReturnType<typeof deliveryWorker>;
