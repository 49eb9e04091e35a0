import type { Tx } from '../../db/database.js';
import type { JobSender } from '../../jobs/job-sender.js';
import type { Clock } from '../../lib/clock.js';
import type { DomainEvent, EventPublisher, MessageType } from './event-types.js';
import type { SubscriptionCache } from './subscription-cache.js';
import { enqueueAttempt } from './webhook-jobs.js';
import { newMessageId } from './webhook-signature.js';
import type { WebhookStore } from './webhook-store.js';

/** The body every webhook carries (Standard Webhooks payload shape): exactly the bytes that are signed. */
export function messageBody(type: MessageType, at: Date, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

/** Messages written (and fanned out) per statement: well below PostgreSQL's 65,535 parameters. */
const messagesPerStatement = 1000;

type Deps = {
  store: Pick<WebhookStore, 'insertMessages' | 'fanOut'>;
  cache: Pick<SubscriptionCache, 'wanted'>;
  jobs: JobSender;
  clock: Clock;
};

/**
 * Turns domain events into webhook messages inside the caller's transaction: one message per event some
 * endpoint subscribes to, one delivery per subscribed endpoint, one job per delivery — all of which
 * commit or vanish with the caller's change. Events nobody subscribes to cost no query.
 */
export function webhookPublisher({ store, cache, jobs, clock }: Deps): EventPublisher {
  return {
    async publish(tx: Tx, events: readonly DomainEvent[]): Promise<void> {
      if (events.length === 0) return;
      const wanted = await cache.wanted(
        tx,
        events.map((event) => event.type),
      );
      if (wanted.size === 0) return;
      const now = clock.now();
      const subscribed = events.filter((event) => wanted.has(event.type));
      for (let start = 0; start < subscribed.length; start += messagesPerStatement) {
        const messages = subscribed.slice(start, start + messagesPerStatement).map((event) => ({
          id: newMessageId(),
          event_type: event.type,
          body: messageBody(event.type, now, event.data),
          created_at: now,
        }));
        await store.insertMessages(tx, messages);
        const deliveries = await store.fanOut(
          tx,
          messages.map((message) => message.id),
          now,
        );
        for (const delivery of deliveries) {
          await enqueueAttempt(jobs, tx, { deliveryId: delivery.id, attempt: 1 });
        }
      }
    },
  };
}
