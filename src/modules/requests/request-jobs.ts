import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { DeadlineReminders } from './request-reminders.js';

export const deadlineReminderJobName = 'requests.deadline_reminders';

/** Once a day (on the configured schedule, UTC): remind assignees of overdue and soon-due requests. */
export function deadlineReminderJob(
  reminders: Pick<DeadlineReminders, 'send'>,
  logger: Logger,
  schedule: string,
): JobDefinition {
  return {
    name: deadlineReminderJobName,
    schedule,
    retryLimit: 3,
    retryDelaySeconds: 300,
    handler: async (_data, job) => {
      const sent = await reminders.send({
        actor: { type: 'system', id: deadlineReminderJobName },
        requestId: job.id,
        ip: null,
      });
      logger.info({ job: deadlineReminderJobName, jobId: job.id, ...sent }, 'deadline reminders queued');
    },
  };
}
