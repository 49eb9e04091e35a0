import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { JobSender } from '../../jobs/job-sender.js';
import type { Clock } from '../../lib/clock.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import type { Logger } from '../../logger.js';
import type { AuditWriter } from '../audit/audit-types.js';
import { endpointSecrets } from './endpoint-secrets.js';
import type { EventPublisher } from './event-types.js';
import { subscriptionCache } from './subscription-cache.js';
import { webhookDeliveries } from './webhook-deliveries.js';
import type { DestinationPolicy } from './webhook-destination.js';
import { directMessages } from './webhook-direct.js';
import { webhookEndpoints } from './webhook-endpoints.js';
import { webhookPublisher } from './webhook-publisher.js';
import { type RetrySettings, retrySchedule } from './webhook-retry.js';
import { webhookSender } from './webhook-sender.js';
import type { WebhookStore } from './webhook-store.js';
import { type DeadLetterListener, type DeliveryGuard, deliveryWorker } from './webhook-worker.js';

export type NotificationSettings = {
  destination: DestinationPolicy;
  /** Whole attempt, from connecting to the receiver's status line. */
  timeoutMs: number;
  retry: RetrySettings;
  secretGraceMs: number;
  /** Finished messages (all deliveries delivered or dead-lettered) older than this are pruned. */
  logRetentionMs: number;
  /** How long another process's change to endpoints may go unseen by this process's publishing. */
  subscriptionCacheTtlMs: number;
  userAgent: string;
};

/** Processes see endpoint changes made elsewhere within this long (their own changes at once). */
const subscriptionCacheTtlMs = 5000;

export function notificationSettingsOf(config: Config, version: string): NotificationSettings {
  return {
    destination: {
      allowHttp: config.webhookAllowHttp,
      allowPrivateNetworks: config.webhookAllowPrivateNetworks,
    },
    timeoutMs: config.webhookTimeout,
    retry: {
      maxAttempts: config.webhookMaxAttempts,
      retryDelayMs: config.webhookRetryDelay,
      retryMaxDelayMs: config.webhookRetryMaxDelay,
    },
    secretGraceMs: config.webhookSecretGrace,
    logRetentionMs: config.webhookLogRetention,
    subscriptionCacheTtlMs,
    userAgent: `Custos-Webhooks/${version}`,
  };
}

type Deps = {
  db: Kysely<DB>;
  store: WebhookStore;
  /** Seals signing secrets at rest. */
  box: SealedBox;
  audit: AuditWriter;
  clock: Clock;
  logger: Logger;
  jobs: JobSender;
  settings: NotificationSettings;
};

/**
 * Outgoing webhooks: endpoints (subscriptions), publishing domain events inside the publisher's
 * transaction, the signed delivery worker with retries and dead-lettering, and the delivery log.
 */
export function notificationService({ db, store, box, audit, clock, logger, jobs, settings }: Deps) {
  const secrets = endpointSecrets(box);
  const cache = subscriptionCache({ store, clock, ttlMs: settings.subscriptionCacheTtlMs });
  const publisher: EventPublisher = webhookPublisher({ store, cache, jobs, clock });
  const deadLetterListeners: DeadLetterListener[] = [];
  let deliveryGuard: DeliveryGuard | undefined;
  const worker = deliveryWorker({
    db,
    store,
    secrets,
    send: webhookSender({
      ...settings.destination,
      timeoutMs: settings.timeoutMs,
      userAgent: settings.userAgent,
    }),
    jobs,
    clock,
    logger,
    retry: settings.retry,
    onDeadLettered: async (tx, delivery) => {
      for (const listener of deadLetterListeners) await listener(tx, delivery);
    },
    guard: () => deliveryGuard,
  });

  return {
    /** EventPublisher: call inside the transaction that makes the change the events describe. */
    publish: publisher.publish,
    endpoints: webhookEndpoints({
      db,
      store,
      secrets,
      audit,
      clock,
      cache,
      settings: { destination: settings.destination, secretGraceMs: settings.secretGraceMs },
    }),
    deliveries: webhookDeliveries({ db, store, jobs, audit, clock }),
    /** Messages to one endpoint, written in the caller's transaction (downstream systems' tasks). */
    direct: directMessages({ store, secrets, jobs, clock }),
    /** Registers a listener told, in the recording transaction, of every dead-lettered delivery. */
    onDeadLettered(listener: DeadLetterListener): void {
      deadLetterListeners.push(listener);
    },
    /** Sets the check asked before each delivery whether the receiver's location may have it (transfers). */
    guardDeliveries(guard: DeliveryGuard): void {
      deliveryGuard = guard;
    },
    /** One delivery attempt (the `webhooks.deliver` job). */
    attempt: worker.attempt,
    /** The waits between attempts of one round, in milliseconds. */
    retrySchedule: () => retrySchedule(settings.retry),
    /** Deletes finished messages past the retention period (the maintenance job). */
    pruneMessages: () => store.pruneMessages(db, new Date(clock.now().getTime() - settings.logRetentionMs)),
  } satisfies EventPublisher & Record<string, unknown>;
}

export type NotificationService = ReturnType<typeof notificationService>;
