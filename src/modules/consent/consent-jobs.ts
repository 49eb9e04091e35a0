import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { ConsentService } from './consent-service.js';

export const consentExpiryJobName = 'consent.expire';

/**
 * `consent.expire`, every minute: records the expiry of every grant past its `expiresAt` and emits
 * `consent.expired`. Checks treat such a grant as expired already; the job puts it in the history and
 * tells subscribers. Several workers may run it at once: each takes rows the others have not locked.
 */
export function consentExpiryJob(consent: Pick<ConsentService, 'expireDue'>, logger: Logger): JobDefinition {
  return {
    name: consentExpiryJobName,
    schedule: '* * * * *',
    retryLimit: 3,
    retryDelaySeconds: 30,
    handler: async (_data, job) => {
      const context: AuditContext = {
        actor: { type: 'system', id: consentExpiryJobName },
        requestId: job.id,
        ip: null,
      };
      const expired = await consent.expireDue(context);
      if (expired > 0) logger.info({ job: consentExpiryJobName, jobId: job.id, expired }, 'consents expired');
    },
  };
}
