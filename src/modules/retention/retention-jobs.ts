import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { ErasureRetention } from './erasure-retention.js';

export const retentionSweepJobName = 'retention.sweep';

/**
 * Once a day (on the configured schedule, UTC): delete records whose retention has ended, and shred the
 * subjects erasure kept once nothing of them must be kept any more.
 */
export function retentionSweepJob(
  retention: Pick<ErasureRetention, 'sweep'>,
  logger: Logger,
  schedule: string,
): JobDefinition {
  return {
    name: retentionSweepJobName,
    schedule,
    retryLimit: 3,
    retryDelaySeconds: 300,
    handler: async (_data, job) => {
      const swept = await retention.sweep({
        actor: { type: 'system', id: retentionSweepJobName },
        requestId: job.id,
        ip: null,
      });
      logger.info({ job: retentionSweepJobName, jobId: job.id, ...swept }, 'retention sweep done');
    },
  };
}
