import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { AccountVerification } from './account-verification.js';
import { type RegistrationService, registrationJobName } from './registration.js';

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

function registrationIdOf(data: object): string | undefined {
  const id = (data as { id?: unknown }).id;
  return typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) ? id : undefined;
}

/**
 * `privacy.registrations.work`, enqueued with every privacy center registration: looks the address up and
 * registers it or tells its owner (registration.ts). A failure is retried with backoff (30 s, doubling);
 * a registration still not worked an hour later is deleted by the maintenance job. Log lines carry the
 * registration's id and outcome, never the address.
 */
export function registrationWorkJob(
  registration: Pick<RegistrationService, 'work'>,
  logger: Logger,
): JobDefinition {
  return {
    name: registrationJobName,
    batchSize: 5,
    retryLimit: 5,
    retryDelaySeconds: 30,
    expireInSeconds: 120,
    handler: async (data, job) => {
      const id = registrationIdOf(data);
      if (!id) {
        logger.warn({ job: registrationJobName, jobId: job.id }, 'registration job without an id; dropped');
        return;
      }
      const outcome = await registration.work(id);
      logger.info(
        { job: registrationJobName, jobId: job.id, registrationId: id, outcome },
        'registration worked',
      );
    },
  };
}
