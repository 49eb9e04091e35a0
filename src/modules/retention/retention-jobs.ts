import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { ErasureRetention } from './erasure-retention.js';
import type { RetentionRuns } from './retention-runs.js';

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

export const retentionReviewJobName = 'retention.review';
export const retentionAnonymizationJobName = 'retention.anonymization';

/**
 * A scheduled retention run: the daily review (delete, shred) or the weekly anonymization. It stops at
 * its next batch when the job's lease is lost; the run it leaves open is finished by the next one.
 */
export function retentionRunJob(
  runs: Pick<RetentionRuns, 'run'>,
  logger: Logger,
  kind: 'review' | 'anonymization',
  schedule: string,
): JobDefinition {
  const name = kind === 'review' ? retentionReviewJobName : retentionAnonymizationJobName;
  return {
    name,
    schedule,
    // A run over millions of records takes a while; its lease, not this bound, notices a dead process.
    expireInSeconds: 6 * 3600,
    retryLimit: 3,
    retryDelaySeconds: 300,
    handler: async (_data, job) => {
      const run = await runs.run({ actor: { type: 'system', id: name }, requestId: job.id, ip: null }, kind, {
        signal: job.signal,
      });
      logger.info({ job: name, jobId: job.id, run: run.id, status: run.status }, 'retention run done');
    },
  };
}
