import type { Tx } from '../../db/database.js';
import type { JobSender } from '../../jobs/job-sender.js';
import type { Clock } from '../../lib/clock.js';
import type { EndpointSecrets } from './endpoint-secrets.js';
import type { DirectMessageType } from './event-types.js';
import { enqueueAttempt } from './webhook-jobs.js';
import { messageBody } from './webhook-publisher.js';
import { newMessageId } from './webhook-signature.js';
import type { WebhookStore } from './webhook-store.js';

type Deps = {
  store: Pick<WebhookStore, 'insertMessages' | 'insertDelivery'>;
  secrets: Pick<EndpointSecrets, 'sealBody'>;
  jobs: JobSender;
  clock: Clock;
};

/**
 * Messages to one endpoint, whatever it subscribes to (a downstream system's tasks), written inside the
 * caller's transaction and delivered by the same worker, signing, retries and log as every event. When
 * the data carries a secret, `redacted` is what the delivery log shows; the body actually sent is then
 * stored sealed and opened only to sign and send it.
 */
export function directMessages({ store, secrets, jobs, clock }: Deps) {
  async function send(
    tx: Tx,
    endpointId: string,
    type: DirectMessageType,
    message: { data: Record<string, unknown>; redacted?: Record<string, unknown> },
  ): Promise<{ messageId: string; deliveryId: string }> {
    const now = clock.now();
    const id = newMessageId();
    const body = messageBody(type, now, message.data);
    const shown = message.redacted ? messageBody(type, now, message.redacted) : body;
    await store.insertMessages(tx, [
      {
        id,
        event_type: type,
        body: shown,
        body_sealed: shown === body ? null : secrets.sealBody(id, body),
        created_at: now,
      },
    ]);
    const delivery = await store.insertDelivery(tx, {
      message_id: id,
      endpoint_id: endpointId,
      event_type: type,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    });
    await enqueueAttempt(jobs, tx, { deliveryId: delivery.id, attempt: 1 });
    return { messageId: id, deliveryId: delivery.id };
  }

  return { send };
}

export type DirectMessages = ReturnType<typeof directMessages>;
