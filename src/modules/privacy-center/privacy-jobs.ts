import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { AccountVerification } from './account-verification.js';

export const registrationExpiryJobName = 'privacy.registrations.expire';

/**
 * `privacy.registrations.expire`, every ten minutes: removes privacy center registrations whose address
 * was not confirmed within 24 hours. Each subject is crypto-shredded and its account deleted, audited as
 * `subject.account.registration_expired` in the same transaction. Several workers may run it at once: each
 * takes registrations the others have not locked. Log lines carry counts only.
 */
export function registrationExpiryJob(
  verification: Pick<AccountVerification, 'expireDue'>,
  logger: Logger,
): JobDefinition {
  return {
    name: registrationExpiryJobName,
    schedule: '*/10 * * * *',
    retryLimit: 3,
    retryDelaySeconds: 60,
    handler: async (_data, job) => {
      const context: AuditContext = {
        actor: { type: 'system', id: registrationExpiryJobName },
        requestId: job.id,
        ip: null,
      };
      const expired = await verification.expireDue(context);
      if (expired > 0) {
        logger.info(
          { job: registrationExpiryJobName, jobId: job.id, expired },
          'unconfirmed registrations removed',
        );
      }
    },
  };
}
