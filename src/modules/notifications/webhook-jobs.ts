import type { Executor } from '../../db/database.js';
import type { JobSender } from '../../jobs/job-sender.js';
import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';

/** One job per delivery attempt; the next attempt is enqueued when this one has failed. */
export const deliverJobName = 'webhooks.deliver';

export type DeliverJobData = { deliveryId: string; attempt: number };

/** Enqueues attempt `attempt` of a delivery in the caller's transaction, `delayMs` from now. */
export async function enqueueAttempt(
  jobs: JobSender,
  tx: Executor,
  data: DeliverJobData,
  delayMs = 0,
): Promise<void> {
  await jobs.send(deliverJobName, data, {
    tx,
    ...(delayMs > 0 ? { startAfterSeconds: delayMs / 1000 } : {}),
  });
}

function isDeliverJobData(data: object): data is DeliverJobData {
  const candidate = data as Partial<DeliverJobData>;
  return typeof candidate.deliveryId === 'string' && Number.isSafeInteger(candidate.attempt);
}

/**
 * `webhooks.deliver`: makes one attempt and records it. Delivery failures are not job failures — the
 * attempt schedules its own retry with the webhook backoff — so pg-boss retries a job only when the
 * attempt could not even be recorded (the database was unreachable); the attempt then runs again.
 */
export function deliverJob(
  worker: { attempt(deliveryId: string, attempt: number): Promise<unknown> },
  logger: Logger,
  timeoutMs: number,
): JobDefinition<object> {
  return {
    name: deliverJobName,
    // Each worker slot sends up to 25 attempts side by side (they mostly wait on receivers).
    batchSize: 25,
    retryLimit: 5,
    retryDelaySeconds: 30,
    expireInSeconds: Math.ceil(timeoutMs / 1000) + 300,
    handler: async (data, job) => {
      if (!isDeliverJobData(data)) {
        logger.warn({ job: deliverJobName, jobId: job.id }, 'webhook job without a delivery; dropped');
        return;
      }
      await worker.attempt(data.deliveryId, data.attempt);
    },
  };
}
