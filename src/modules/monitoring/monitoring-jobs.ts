import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { MonitoringService } from './monitoring-service.js';

export const monitoringJobName = 'monitoring.score';

/**
 * Every minute: fold the audit entries past the cursor into the baselines and score them. Safe with
 * several workers: the cursor row is locked (SKIP LOCKED) for each batch, so a second worker finds it
 * held and returns; each batch commits with its cursor, so a run stopped anywhere resumes after the last
 * batch committed.
 */
export function monitoringJob(monitoring: Pick<MonitoringService, 'run'>, logger: Logger): JobDefinition {
  return {
    name: monitoringJobName,
    schedule: '* * * * *',
    retryLimit: 1,
    handler: async (_data, job) => {
      const report = await monitoring.run(job.signal);
      if (report.alerts > 0 || report.entries > 10_000) {
        logger.info({ job: monitoringJobName, jobId: job.id, ...report }, 'monitoring run');
      }
    },
  };
}
