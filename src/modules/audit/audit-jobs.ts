import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { AuditService } from './audit-service.js';

export const auditCheckpointJobName = 'audit.checkpoint';

/**
 * Every minute: sign a checkpoint for the head of every chain that moved since its last checkpoint, once
 * the checkpoint interval has passed. Appends also sign every N entries of a chain, so this job is what
 * bounds quiet periods. Several workers may run it at once; a checkpoint for the same entry is stored once.
 */
export function auditCheckpointJob(
  audit: Pick<AuditService, 'checkpointIfDue'>,
  logger: Logger,
): JobDefinition {
  return {
    name: auditCheckpointJobName,
    schedule: '* * * * *',
    retryLimit: 0,
    expireInSeconds: 60,
    handler: async () => {
      for (const checkpoint of await audit.checkpointIfDue()) {
        logger.info({ seq: checkpoint.seq, keyId: checkpoint.keyId }, 'audit checkpoint signed');
      }
    },
  };
}
