import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import { type MailService, mailSendJobName, maxDeliveryAttempts } from './mail-service.js';

function messageIdOf(data: object): string | undefined {
  const id = (data as { id?: unknown }).id;
  return typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) ? id : undefined;
}

/**
 * `mail.send`, enqueued with every message when SMTP is configured: delivers that one message. A failed
 * delivery is retried with backoff (30 s, doubling); log lines name the message id and outcome, never
 * the recipient.
 */
export function mailSendJob(mail: Pick<MailService, 'deliver'>, logger: Logger): JobDefinition {
  return {
    name: mailSendJobName,
    batchSize: 10,
    retryLimit: maxDeliveryAttempts - 1,
    retryDelaySeconds: 30,
    expireInSeconds: 120,
    handler: async (data, job) => {
      const id = messageIdOf(data);
      if (!id) {
        logger.warn({ job: mailSendJobName, jobId: job.id }, 'mail job without a message id; dropped');
        return;
      }
      const outcome = await mail.deliver(id);
      logger.info({ job: mailSendJobName, jobId: job.id, messageId: id, outcome }, 'mail delivery');
    },
  };
}
