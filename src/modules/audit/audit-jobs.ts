import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { AuditService } from './audit-service.js';

export const auditCheckpointJobName = 'audit.checkpoint';

/**
 * Every minute: sign a checkpoint if N entries or the checkpoint interval have passed since the last one.
 * Appends also sign when they reach a multiple of N, so this job is what bounds quiet periods. Several
 * workers may run it at once; a checkpoint for the same entry is stored once.
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
      const checkpoint = await audit.checkpointIfDue();
      if (checkpoint)
        logger.info({ seq: checkpoint.seq, keyId: checkpoint.keyId }, 'audit checkpoint signed');
    },
  };
}
